"""Every fact of the report reachable: passage retrieval by coverage.

When no structured answer accounts for every content word of a question, the answer may still be
one fact sentence or table row of the report. Each passage is a fact, a topic answer, a budget line
or a plan-table row, with the names of the record it belongs to. A passage answers a question when
it accounts for *every* content word of the question (a named record counts as covered by any of
its names); among those, the most specific (shortest) wins.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlite_utils import Database

from db import knowledge as kdb
from knowledge.normalize import key
from knowledge.text import cohort_detail, num, with_status, won

_SUBSECTION = re.compile(r"^[ⅠⅡⅢⅣⅤⅥ]-")


def _section(source: str | None) -> str:
    """The numbered part of the report a source is in ("Ⅲ-3-2 교육통합시스템(LMS) 고도화 3단계
    추진 > 예산집행 현황" → its first part), or "" for a part as wide as the annex of audits, which
    is no one subject."""
    section = (source or "").split(" > ", 1)[0].strip()
    return section if _SUBSECTION.match(section) else ""


@dataclass(frozen=True)
class Passage:
    text: str  # as shown to the user
    source: str
    owner: tuple[str, str] | None  # (entity kind, id) of the record it belongs to
    haystack: str  # key of the text and the owner's names
    owned_by: str = ""  # key of the name of the record a fact belongs to, when its text lacks it


def _budget_sentence(b: kdb.BudgetLine, year: int) -> str:
    parts = [f"{b.name}의 {year}년 예산은 {won(b.y2018)}입니다"]
    if b.y2017 is not None:
        parts[0] += f" ({year - 1}년 {won(b.y2017, words=False)}"
        if b.change is not None:
            sign = "+" if b.change > 0 else ""
            parts[0] += f", 증감액 {sign}{num(b.change)}천원"
            if b.change_pct is not None:
                parts[0] += f", 증감률 {sign}{num(b.change_pct)}%"
        parts[0] += ")"
    parts[0] += "."
    if b.executed is not None:
        tail = f"집행액(6.30. 원인행위 기준) {won(b.executed)}"
        if b.executed_pct is not None:
            tail += f", 집행률 {num(b.executed_pct)}%"
        parts.append(tail + ".")
    return " ".join(parts)


def _plan_sentence(r: kdb.PlanRow, year: int, with_note: bool = True) -> str:
    def side(c: dict) -> str:
        bits = []
        if c.get("courses") is not None:
            bits.append(f"{num(c.get('courses'))}개 과정")
        if c.get("sessions") not in (None, ""):
            bits.append(f"{num(c['sessions'])}회" if isinstance(c["sessions"], int) else str(c["sessions"]))
        if c.get("trainees") is not None:
            bits.append(f"{num(c.get('trainees'))}명")
        return ", ".join(bits) or "-"

    label = " ".join(x for x in (r.mode, r.area, r.category) if x and x not in ("전체",)) or "전체"
    this, last = side(r.y2018), side(r.y2017)
    if this == "-" and r.note:  # a row the table gives no figures of but a note ("(30,000)명")
        return f"{year}년 교육계획 {label}: {r.note}"
    # (with what the row's note adds for users: "횟수는 집합교육만 합한 것입니다")
    note = r.note if with_note and r.note else ""
    own_figures, _, rest = note.partition(". ")
    if own_figures.startswith(f"{year}년 교육계획"):
        note = rest  # (not the row's own figures again: "2018년 교육계획은 230개 과정, 386회, …입니다.")
    return f"{year}년 교육계획 {label}: {this} ({year - 1}년 {last})." + (f" {note}" if note else "")


class PassageIndex:
    """All passages of the knowledge, built once per load; ``best`` is pure."""

    def __init__(self, db: Database, year: int) -> None:
        owners = {v: k for k, v in kdb.ENTITY_TABLES.items()}
        # a fact of a record is about it, though its text may not name it ("하반기 과정: … 국내반
        # 69" is the 6급 course's): read with the record's name when nothing else is found
        owner_names = {("program", p.id): key(p.name) for p in kdb.programs(db)}
        owner_names |= {("round", r.id): key(r.name) for r in kdb.rounds(db)}
        out: list[Passage] = []
        for f in kdb.facts(db):
            owner_kind = owners.get(f.owner_kind or "")
            owner = (owner_kind, f.owner_id) if owner_kind and f.owner_id else None
            named = owner_names.get(owner, "") if owner else ""
            haystack = key(f.label + f.text + " ".join(f.keywords))
            out.append(Passage(f"{f.label}: {f.text}", f.source, owner, haystack, named))
        for t in kdb.topics(db):
            found = t.finding or ""  # (what the audit found is searched, the answer shown)
            said = with_status(t.answer, t.status)  # as the topic's own answer says it
            out.append(Passage(said, t.source, ("topic", t.id), key(t.title + found + said + " ".join(t.keywords))))
        self.names: dict[tuple[str, str], str] = {}
        for b in kdb.budget_lines(db):
            self.names[("budget_line", b.id)] = key(b.name)
            text = _budget_sentence(b, year)
            out.append(
                Passage(
                    text, b.source, ("budget_line", b.id), key(text + " ".join(b.aliases) + (b.group or "")) + "예산"
                )
            )
            if b.note and re.search(r"\d", b.note):  # a figure its note gives ("부족액은 1,000,000천원")
                said = f"{b.name}: {b.note}"
                out.append(Passage(said, b.source, ("budget_line", b.id), key(said) + "예산"))
        rows = kdb.plan_rows(db)
        labels = {x for r in rows for x in (r.area, r.category) if x and x not in ("전체", "소계")}
        for r in rows:
            # (a note that names another row is said of that row's figures as well: not its passage)
            others = labels - {r.area, r.category}
            text = _plan_sentence(r, year, with_note=not any(o in (r.note or "") for o in others))
            out.append(Passage(text, r.source, None, key(text) + "교육계획"))
        out += _record_passages(db)
        # Every passage holds a mark for its report section: a follow-up about a record may be
        # answered by any passage of the record's own section. A mark is one private-use
        # character, so no word of a question can match it.
        marks: dict[str, str] = {}
        for p in out:
            if _section(p.source):
                marks.setdefault(_section(p.source), chr(0xE000 + len(marks)))
        self.passages = [replace(p, haystack=p.haystack + marks.get(_section(p.source), "")) for p in out]
        # every haystack in one string, to find the passages holding a form at C speed
        self._joined = "\x00".join(p.haystack for p in self.passages)
        self._starts: list[int] = []
        at = 0
        for p in self.passages:
            self._starts.append(at)
            at += len(p.haystack) + 1
        self.sections: dict[tuple[str, str], set[str]] = {}  # the section marks of each record
        for p in self.passages:
            if p.owner is not None and _section(p.source):
                self.sections.setdefault(p.owner, set()).add(marks[_section(p.source)])

    def _holding(self, forms: tuple[str, ...]) -> list[Passage]:
        """The passages whose haystack holds one of ``forms``, in index order."""
        hit: set[int] = set()
        for form in forms:
            if not form:
                return self.passages
            at = self._joined.find(form)
            while at != -1:
                i = bisect_right(self._starts, at) - 1
                hit.add(i)
                at = self._joined.find(form, self._starts[i + 1]) if i + 1 < len(self._starts) else -1
        return [self.passages[i] for i in sorted(hit)]

    def best(
        self,
        words: list[tuple[str, ...]],
        owners: set[tuple[str, str]],
        accept: Callable[[str], bool] = lambda text: True,
        tokens: tuple[str, ...] = (),
        kinds: frozenset[str] | None = None,
        head: str = "",
        owned: bool = False,
    ) -> Passage | None:
        """The passage that accounts for every word; ``words`` holds, per content word of the
        question, the forms any one of which counts (a record's names, or the word itself). Of
        those, one of a named record first, then the one holding most of the question's other
        words (``tokens``: cue words such as "증감률"), then the shortest. ``kinds`` limits the
        passages to those of these record kinds, ``head`` to records whose name ends in it; with
        ``owned``, a fact's words include the name of the record it belongs to."""
        if not words:
            return None
        # the most selective word first (one long form), so most passages fail at once
        ordered = sorted(words, key=lambda forms: (len(forms), -min(len(f) for f in forms)))
        candidates = [p for p in self.passages if p.owned_by] if owned else self._holding(ordered[0])
        found = [
            p
            for p in candidates
            if (kinds is None or (p.owner is not None and p.owner[0] in kinds))
            and (not head or (p.owner is not None and self.names.get(p.owner, "").endswith(head)))
            and all(any(form in p.haystack + (p.owned_by if owned else "") for form in forms) for forms in ordered)
            and accept(p.text)
        ]
        if not found:
            return None
        return min(found, key=lambda p: (p.owner not in owners, -sum(t in p.haystack for t in tokens), len(p.text)))


def _record_passages(db: Database) -> list[Passage]:
    """One passage per field of the structured records (a course's target, a department's
    duties, an amenity's description); each names its record, so a question naming the record
    finds it."""
    out: list[Passage] = []

    def add(kind: str, rid: str, text: str, source: str) -> None:
        out.append(Passage(text, source, (kind, rid), key(text)))

    for p in kdb.programs(db):
        for label, value in (
            ("교육대상", p.target),
            ("교육기간", p.duration),
            ("교육방식", p.format),
            ("개요", p.summary),
        ):
            if value:
                add("program", p.id, f"{p.name} {label}: {value}", p.source)
        if p.content:
            add("program", p.id, f"{p.name} 교육내용: {', '.join(p.content)}", p.source)
        # a cohort whose target or note says what no field of its course does ("키예프시
        # 스마트시티과정 … '5월, 정책수출사업단'"): its line, read with its course's name only as a
        # fact of the course is (its cohort's 69 is no figure of "국내반 복지 행정 분야")
        # (a course's only cohort is the course itself, whose fields are passages already)
        cohorts = kdb.sessions_of(db, p.id)
        for c in cohorts if len(cohorts) > 1 else []:
            if c.target or c.note:
                text = f"{c.name}: {cohort_detail(c, headcount=False)}"
                out.append(Passage(text, c.source or p.source, ("program", p.id), key(text), key(p.name)))
    for d in kdb.departments(db):
        add("department", d.id, f"{d.name}({d.headcount}명)의 주요 업무: {', '.join(d.duties)}", d.source)
    for a in kdb.amenities(db):
        if a.description:
            add("amenity", a.id, f"{a.name}: {a.description}", a.source)
    for w in kdb.works(db):
        if w.description:
            add("work", w.id, f"{w.name} ({w.status}): {w.description}", w.source)
    return out
