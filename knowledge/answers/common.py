"""What every answer module shares: the memoised knowledge queries, the answer record, and the
helpers that find a program, its cohorts and the facts a question asks about."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from db import knowledge as kdb
from knowledge.normalize import key, strip_ending, without_particles
from knowledge.reply import Topic
from knowledge.shape import SAYS_MISSING
from knowledge.text import EVENT_NAMES, cohort_detail, fmt_month, fmt_span, when_note
from knowledge.understand import Understanding, halves_named, is_predicate


@dataclass
class Composed:
    text: str
    entities: dict[str, Any] = field(default_factory=dict)
    suggestions: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()


class _Knowledge:
    """The knowledge queries of ``db.knowledge``, bound to one database and memoised.

    Knowledge tables only change through ``hrdbot load``, which swaps them whole; a Brain is
    rebuilt after that, so answers never need the same query twice.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[tuple[Any, ...], Any] = {}

    def __getattr__(self, name: str) -> Callable[..., Any]:
        fn = getattr(kdb, name)
        if not callable(fn) or isinstance(fn, type):
            return fn

        def cached(*args: Any, **kwargs: Any) -> Any:
            cache_key = (name, args, tuple(sorted(kwargs.items())))
            if cache_key not in self._cache:
                self._cache[cache_key] = fn(self._db, *args, **kwargs)
            value = self._cache[cache_key]
            return list(value) if isinstance(value, list) else value

        return cached


class StaleKnowledgeError(LookupError):
    """The database holds knowledge loaded by an older version of the files (it lacks a field
    this version needs); ``hrdbot load`` of current files fixes it."""


def report_year(kb: _Knowledge) -> int:
    """The year the work report covers (``organisation.report_year`` in the data), e.g. 2018."""
    org = kb.section("organisation")
    year = org.get("report_year") if org else None
    if not isinstance(year, int):
        raise StaleKnowledgeError(
            "데이터베이스의 지식에 organisation.report_year 가 없습니다: 이전 버전의 지식 파일로 적재된 것입니다. "
            "hrdbot load knowledge/data 로 다시 적재해 주세요."
        )
    return year


def short_year(year: int) -> str:
    """'’17' for 2017: how the report abbreviates a year."""
    return f"’{year % 100:02d}"


class AnswerBase:
    """State and helpers the domain mixins of ``Composer`` share."""

    db: Database
    kb: _Knowledge
    nlu: dict[str, Any]
    request: re.Pattern[str]  # words of asking ("알려주세요"): they ask, they say nothing asked

    @property
    def year(self) -> int:
        return report_year(self.kb)

    def _inherited_names(self, u: Understanding, *, programs: bool = False) -> set[str]:
        """Names of the records a follow-up took over from the previous turn (programs only when
        asked: a program's own answers find its lines by other means)."""
        names: set[str] = set()
        for kind, rows in self.kb.named_records():
            values = u.inherited.get(kind)
            if not values or (kind == "program" and not programs):
                continue
            for r in rows:
                if str(r.id) in values:
                    names |= {r.name, *getattr(r, "aliases", ())}
        return names

    def _record_names(self, u: Understanding, kinds: tuple[str, ...], *, inherited: bool = False) -> list[str]:
        """The names of the records of ``kinds`` the question is about, named or carried over
        (only those carried over with ``inherited``)."""
        asked = u.inherited if inherited else u.entities
        return [
            r.name
            for kind, rows in self.kb.named_records()
            if kind in kinds
            for r in rows
            if str(r.id) in asked.get(kind, [])
        ]

    def _program(self, u: Understanding) -> kdb.Program | None:
        for pid in u.entities.get("program", []):
            p = self.kb.program(pid)
            if p:
                # "과장 리더십 교육": the sub-course meant for the rank named in the question
                ranks = set(u.entities.get("rank", []))
                if ranks:
                    for child in self.kb.programs(parent=p.id):
                        if ranks & set(child.ranks):
                            return child
                return p
        return None

    def _sessions(self, p: kdb.Program) -> list[kdb.Session]:
        sessions = self.kb.sessions_of(p.id)
        for child in self.kb.programs(parent=p.id):
            sessions += self.kb.sessions_of(child.id)
        return sessions

    def _session_line(self, s: kdb.Session, today: dt.date, prefix: str = "") -> str:
        label = f"{prefix}{s.name}"
        extra = []
        if s.headcount:
            extra.append(f"{s.headcount:,}명")
        if s.target:
            extra.append(s.target)
        tail = "".join(f", {x}" for x in extra)  # no brackets: a target often has its own
        if s.start:
            return f"• {label}: {fmt_span(s.start, s.end)}{tail} — {when_note(s.start, s.end, today)}"
        if s.month:
            return f"• {label}: {fmt_month(s.month)}{tail}"
        note = f" — {s.note}" if s.note else ""
        return f"• {label}: 날짜 미정(업무보고에 없음){tail}{note}"

    def _topic(self, p: kdb.Program) -> tuple[Topic, ...]:
        return (Topic("program", p.id),)

    def _relevant_facts(
        self, facts: tuple[kdb.Fact, ...], u: Understanding, limit: int = 2, names: tuple[str, ...] | None = None
    ) -> list[kdb.Fact]:
        """The facts of a record that share the most words with the question (if any)."""
        words = _question_words(u, names, self.year)
        # the words of a change asked ("늘려요" asks 확대 too): a fact that says it is relevant
        attrs = self.nlu.get("attributes") or {}
        words += [
            k
            for m in u.matches
            if m.kind == "attr" and m.value in _CHANGES
            for w in attrs.get(m.value) or ()
            if len(k := key(w)) >= 2 and k not in words
        ]
        # a question in the past tense ("올해 어떤 거 했어요") asks what was done: the 실적
        if _PAST.search(u.text) and "실적" not in words:
            words.append("실적")
        if not words:
            return []
        scored = []
        for f in facts:
            # (a note that the report lacks a thing, "…나와 있지 않습니다", shares no word asked)
            hay = SAYS_MISSING.sub("", f.label + " " + f.text + " " + " ".join(f.keywords)).replace(" ", "")
            label = f.label.replace(" ", "")
            score = sum(2 if w in label else 1 for w in words if w in hay)
            if score:
                scored.append((score, f))
        scored.sort(key=lambda x: -x[0])
        return [f for _, f in scored[:limit]]

    def _program_facts(self, p: kdb.Program, cohorts: list[kdb.Session] | None = None) -> tuple[kdb.Fact, ...]:
        """A program's facts plus its fields and cohorts (all, or only ``cohorts``) as facts, for
        relevance search."""
        fields = [("교육대상", p.target), ("교육기간", p.duration), ("교육방식", p.format), ("개요", p.summary)]
        extra = [kdb.Fact(label, value, p.source) for label, value in fields if value]
        extra += [kdb.Fact("교육내용", c, p.source) for c in p.content]
        for s in self._sessions(p) if cohorts is None else cohorts:
            extra.append(kdb.Fact(s.name, cohort_detail(s), s.source))
        parent = self.kb.program(p.parent) if p.parent else None
        # A sub-course's figures are often reported on its parent ("4차 산업혁명 교육 2,172명").
        return (*p.facts, *extra, *(parent.facts if parent else ()))

    def _with_facts(
        self,
        lines: list[str],
        p: kdb.Program,
        u: Understanding,
        cohorts: list[kdb.Session] | None = None,
        limit: int = 2,
    ) -> list[str]:
        """``lines`` and the (up to ``limit``) facts of ``p`` that share words with the question;
        of its cohorts, only ``cohorts`` when the answer chose those it is about."""
        shown = "\n".join(lines)
        facts = self._relevant_facts(self._program_facts(p, cohorts), u, limit=limit, names=(p.name,))
        if not facts and p.parent and not p.facts:
            facts = self._parent_mentions(p)
        extra = [f"• {f.label}: {f.text}" for f in facts if f.text not in shown]
        return lines + extra

    def _parent_mentions(self, p: kdb.Program) -> list[kdb.Fact]:
        """Facts of the parent program that name this sub-course ("재난안전실무 확대 ...")."""
        parent = self.kb.program(p.parent) if p.parent else None
        if parent is None:
            return []
        return [f for f in parent.facts if _names(f, p)][:2]

    def _event_line(self, e: kdb.Event, today: dt.date, with_round: bool = False) -> str:
        prefix = ""
        if with_round:
            r = self.kb.round_(e.round)
            prefix = f"{r.name} " if r else ""
        return f"• {prefix}{EVENT_NAMES[e.type]}: {fmt_span(e.start, e.end)} — {when_note(e.start, e.end, today)}"


# a question of what was done ("했어요", "했나요")
_PAST = re.compile(r"했(?:어|나|니|는지|습니까|음|죠|지)")
# attributes asking how something changed, whose words name the change in a fact ("확대")
_CHANGES = frozenset({"increase", "decrease", "change"})


def _names(f: kdb.Fact, p: kdb.Program) -> bool:
    """Whether fact ``f`` names program ``p`` (by its name or an alias)."""
    names = [n.replace(" ", "") for n in (p.name, *p.aliases) if len(n.replace(" ", "")) >= 3]
    return any(n in f.text.replace(" ", "") for n in names)


def _question_words(u: Understanding, names: tuple[str, ...] | None = None, year: int = 0) -> list[str]:
    """Content words of the question that do not just name the record asked about (e.g.
    '상반기', '실적', '국제반'). ``names``: the record's own names; default: every matched name.
    A year asked other than ``year`` (the report's) is a word too, as the report writes it (’17)."""
    if names is None:
        named = {m.text.replace(" ", "") for m in u.matches if m.kind not in ("attr", "concept", "topic", "fact")}
    else:
        named = {n.replace(" ", "") for n in names}
    out = []
    for word in u.text.split():
        w = "".join(ch for ch in word if ch.isalnum())
        w = strip_ending(w)
        w = next(iter(without_particles(w)[::-1]), w)  # "상반기엔" → 상반기
        if len(w) > 3 and w.endswith("짜리"):
            w = w[:-2]  # "2주짜리" is the 2주 the report writes
        if len(w) >= 2 and not is_predicate(w) and w not in named and not any(w in n for n in named):
            out.append(w)
    # the words the reading found, for a question written without spaces ("협치교육하반기몇회")
    out += [
        w
        for w in dict.fromkeys([*u.elsewhere, *halves_named(u)])
        if len(w) >= 2 and w not in out and w not in named and not any(w in n for n in named)
    ]
    out += [short_year(y) for y in dict.fromkeys(u.years) if y != year]
    return out


def _plan_text(p: kdb.Program) -> str:
    parts = []
    if p.sessions_planned:
        parts.append(f"{p.sessions_planned:,}회")
    if p.headcount:
        parts.append(f"{p.headcount:,}명")
    return " ".join(parts) or "-"


_COHORT_IN_NAME = re.compile(r"(\d+)\s*기")


def cohort_of(name: str) -> int | None:
    """The cohort number in a session name ("제8기" → 8, "분야별 2주 교육 3기" → 3)."""
    found = _COHORT_IN_NAME.search(name)
    return int(found.group(1)) if found else None
