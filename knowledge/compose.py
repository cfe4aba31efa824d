"""Answer composition: from an understood question to polite Korean text built from the database.

Every figure and date comes from a query on the knowledge tables; the wording around it is the
only thing written here. Each answer says what it is based on (``BASIS``) and marks dates that
are already past relative to ``today``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from db import knowledge as kdb
from knowledge.normalize import strip_ending
from knowledge.reply import Context, Reply, Topic
from knowledge.text import EVENT_NAMES, basis, fmt_date, fmt_month, fmt_span, josa, num, when_note, won
from knowledge.understand import Understanding, is_predicate


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


class Composer:
    """Builds answers for each intent. ``compose`` dispatches on the intent id."""

    def __init__(self, db: Database, nlu: dict[str, Any]) -> None:
        self.db = db
        self.kb = _Knowledge(db)
        self.nlu = nlu
        self.handlers: dict[str, Callable[[Understanding, dt.date], Composed | None]] = {
            "program.schedule": self.program_schedule,
            "program.duration": self.program_duration,
            "program.target": self.program_target,
            "program.headcount": self.program_headcount,
            "program.content": self.program_content,
            "program.info": self.program_info,
            "program.recommend": self.program_recommend,
            "program.list": self.program_list,
            "calendar.day": self.calendar_day,
            "exam.schedule": self.exam_schedule,
            "exam.figures": self.exam_figures,
            "exam.expert": self.exam_expert,
            "exam.interview_format": self.exam_interview_format,
            "daycare.priority": self.daycare_priority,
            "daycare.eligibility": self.daycare_eligibility,
            "facility.building": self.facility_building,
            "facility.site": self.facility_site,
            "facility.amenity": self.facility_amenity,
            "facility.works": self.facility_works,
            "org.department": self.org_department,
            "org.overview": self.org_overview,
            "elearning.info": self.elearning_info,
            "budget.info": self.budget_info,
            "assessment.info": self.assessment_info,
            "plan.overview": self.plan_overview,
            "vision.info": self.vision_info,
            "topic.answer": self.topic_answer,
            "fact.answer": self.fact_answer,
        }
        missing = set(nlu["intents"]) - set(self.handlers)
        if missing:
            raise ValueError(f"nlu.yaml names intents without an answer: {sorted(missing)}")

    def compose(self, u: Understanding, today: dt.date) -> Composed | None:
        handler = self.handlers[u.intent or ""]
        out = handler(u, today)
        if out is None:
            return None
        entities = {k: v for k, v in u.entities.items() if k not in ("smalltalk", "oos")}
        if u.dates:
            entities["dates"] = [u.dates[0].isoformat(), u.dates[1].isoformat()]
        if u.cohort is not None:
            entities["cohort"] = u.cohort
        out.entities = {**entities, **out.entities}
        return out

    def small_talk(self, name: str, context: Context) -> Reply:
        spec = self.nlu["small_talk"][name]
        suggestions = tuple(self.nlu["default_suggestions"]) if name in ("greeting", "help") \
            else ()
        return Reply(spec["reply"], f"smalltalk.{name}", 0.9, {}, suggestions, context)

    # -- helpers ---------------------------------------------------------------------------

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
        tail = f" ({', '.join(extra)})" if extra else ""
        if s.start:
            return f"• {label}: {fmt_span(s.start, s.end)}{tail} — {when_note(s.start, s.end, today)}"
        if s.month:
            return f"• {label}: {fmt_month(s.month)}{tail}"
        note = f" — {s.note}" if s.note else ""
        return f"• {label}: 날짜 미정(업무보고에 없음){tail}{note}"

    def _topic(self, p: kdb.Program) -> tuple[Topic, ...]:
        return (Topic("program", p.id),)

    def _relevant_facts(self, facts: tuple[kdb.Fact, ...], u: Understanding,
                        limit: int = 2, names: tuple[str, ...] | None = None) -> list[kdb.Fact]:
        """The facts of a record that share the most words with the question (if any)."""
        words = _question_words(u, names)
        if not words:
            return []
        scored = []
        for f in facts:
            hay = (f.label + " " + f.text + " " + " ".join(f.keywords)).replace(" ", "")
            label = f.label.replace(" ", "")
            score = sum(2 if w in label else 1 for w in words if w in hay)
            if score:
                scored.append((score, f))
        scored.sort(key=lambda x: -x[0])
        return [f for _, f in scored[:limit]]

    def _program_facts(self, p: kdb.Program) -> tuple[kdb.Fact, ...]:
        """A program's facts plus its fields and cohorts as facts, for relevance search."""
        fields = [("교육대상", p.target), ("교육기간", p.duration), ("교육방식", p.format),
                  ("개요", p.summary)]
        extra = [kdb.Fact(label, value, p.source) for label, value in fields if value]
        extra += [kdb.Fact("교육내용", c, p.source) for c in p.content]
        for s in self._sessions(p):
            detail = ", ".join(x for x in (
                fmt_span(s.start, s.end) if s.start else (fmt_month(s.month) if s.month else ""),
                f"{s.headcount:,}명" if s.headcount else "", s.target or "", s.note or "") if x)
            extra.append(kdb.Fact(s.name, detail, s.source))
        parent = self.kb.program(p.parent) if p.parent else None
        # A sub-course's figures are often reported on its parent ("4차 산업혁명 교육 2,172명").
        return (*p.facts, *extra, *(parent.facts if parent else ()))

    def _with_facts(self, lines: list[str], p: kdb.Program, u: Understanding) -> list[str]:
        shown = "\n".join(lines)
        facts = self._relevant_facts(self._program_facts(p), u, names=(p.name,))
        if not facts and p.parent and not p.facts:
            facts = self._parent_mentions(p)
        extra = [f"• {f.label}: {f.text}" for f in facts if f.text not in shown]
        return lines + extra

    def _parent_mentions(self, p: kdb.Program) -> list[kdb.Fact]:
        """Facts of the parent program that name this sub-course ("재난안전실무 확대 ...")."""
        parent = self.kb.program(p.parent) if p.parent else None
        if parent is None:
            return []
        names = [n.replace(" ", "") for n in (p.name, *p.aliases) if len(n.replace(" ", "")) >= 3]
        return [f for f in parent.facts
                if any(n in f.text.replace(" ", "") for n in names)][:2]

    # -- programs --------------------------------------------------------------------------

    def program_schedule(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        sessions = self._sessions(p)
        if u.entities.get("session"):
            named = [s for s in sessions if s.id in u.entities["session"]]
            sessions = named or sessions
        if u.cohort is not None:
            picked = [s for s in sessions if cohort_of(s.name) == u.cohort]
            if not picked:
                names = ", ".join(s.name for s in sessions) or "없음"
                return Composed(
                    f"{p.name} {u.cohort}기 일정은 업무보고에 나와 있지 않습니다. "
                    f"업무보고에 있는 기수: {names}.\n{basis(p.source)}",
                    topics=self._topic(p))
            sessions = picked
        dated = [s for s in sessions if s.start]
        lines: list[str] = []
        if dated:
            upcoming = [s for s in dated if (s.end or s.start) >= today.isoformat()]
            asks_start = any(m.kind == "attr" and m.text in ("시작", "개강", "시작일", "언제부터")
                             for m in u.matches)
            asks_end = "attr.end" in u.features and not asks_start
            if asks_end and (u.cohort is not None or len(dated) == 1):
                s = dated[0]
                head = (f"{josa(f'{p.name} {s.name}', '은는')} {fmt_date(s.end or s.start or '')}에 "
                        f"끝납니다 ({fmt_span(s.start or '', s.end)}, "
                        f"{when_note(s.end or s.start or '', None, today)}).")
            elif upcoming:
                s = min(upcoming, key=lambda x: x.start or "")
                verb = "진행 중입니다" if (s.start or "") <= today.isoformat() else "시작합니다"
                if verb == "시작합니다":
                    head = (f"{josa(f'{p.name} {s.name}', '은는')} {fmt_date(s.start or '')}에 시작합니다"
                            f" ({when_note(s.start or '', s.end, today)}).")
                else:
                    head = (f"{josa(f'{p.name} {s.name}', '은는')} 현재 진행 중입니다 "
                            f"({fmt_span(s.start or '', s.end)}).")
            else:
                last = max(dated, key=lambda x: x.end or x.start or "")
                head = (f"{p.name}의 업무보고상 일정은 모두 지났습니다. 마지막 일정은 {last.name}, "
                        f"{fmt_span(last.start or '', last.end)}이었습니다. 이미 지난 일정입니다.")
        elif len(sessions) == 1 and sessions[0].month:
            s = sessions[0]
            head = f"{josa(f'{p.name} {s.name}', '은는')} {fmt_month(s.month or '')}에 진행됩니다" + (
                " (이미 지난 일정입니다)." if (s.month or "") < today.isoformat()[:7] else ".")
        else:
            head = f"{p.name}의 구체적인 날짜는 업무보고에 나와 있지 않습니다."
            if p.duration:
                head += f" 교육기간은 {p.duration}입니다."
        lines.append(head)
        if sessions:
            lines.append("")
            lines.append("기수별 일정:")
            lines += [self._session_line(s, today) for s in sessions]
        if p.sessions_planned or p.headcount:
            lines.append(f"2018년 계획: {_plan_text(p)}")
        lines = self._with_facts(lines, p, u)
        lines.append(basis(p.source))
        return Composed("\n".join(lines), topics=self._topic(p))

    def program_duration(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        if p.duration:
            text = f"{p.name}의 교육기간은 {p.duration}입니다."
        else:
            text = f"{p.name}의 교육기간은 업무보고에 따로 나와 있지 않습니다."
        dated = [s for s in self._sessions(p) if s.start and s.end]
        if dated:
            text += "\n" + "\n".join(self._session_line(s, today) for s in dated[:6])
        text = "\n".join(self._with_facts([text], p, u))
        return Composed(f"{text}\n{basis(p.source)}", topics=self._topic(p))

    def program_target(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        if p.target:
            text = f"{p.name}의 교육대상은 {p.target}입니다."
        else:
            text = f"{p.name}의 교육대상은 업무보고에 따로 나와 있지 않습니다."
            if p.summary:
                text += f" {p.summary}"
        if p.ranks:
            text += f"\n해당 직급·직위: {', '.join(p.ranks)}"
        sessions = [s for s in self._sessions(p) if s.target]
        if sessions:
            text += "\n" + "\n".join(f"• {s.name}: {s.target}" for s in sessions[:6])
        text = "\n".join(self._with_facts([text], p, u))
        return Composed(f"{text}\n{basis(p.source)}", topics=self._topic(p))

    def program_headcount(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        plan = f"{p.name}의 2018년 계획은 {_plan_text(p)}입니다." if (
            p.headcount or p.sessions_planned) else ""
        asked = self._relevant_facts(self._program_facts(p), u, limit=3, names=(p.name,))
        general = [f for f in p.facts if any(w in f.label + f.text for w in (
            "인원", "실적", "계획", "규모", "차이", "횟수", "명", "기/"))][:4] or self._parent_mentions(p)
        facts = asked or general
        lines = [f"{f.label}: {f.text}" for f in facts]
        # the figure the question names first ("하반기 계획", "상반기 실적"), else the plan
        if plan:
            lines.insert(1 if asked else 0, plan)
        if not lines:
            lines = [f"{p.name}의 교육인원은 업무보고에 따로 나와 있지 않습니다."]
        lines = [lines[0]] + [f"• {x}" if not x.startswith("•") else x for x in lines[1:]]
        sessions = [s for s in self._sessions(p) if s.headcount]
        if sessions and not facts:
            lines += [self._session_line(s, today) for s in sessions[:6]]
        return Composed("\n".join([*lines, basis(p.source)]), topics=self._topic(p))

    def program_content(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        lines = [f"{p.name}의 교육내용입니다."]
        if p.summary:
            lines.append(p.summary)
        lines += [f"• {c}" for c in p.content]
        if not p.content:
            lines += [f"• {f.label}: {f.text}" for f in p.facts[:4]]
        lines = self._with_facts(lines, p, u)
        if p.format:
            lines.append(f"교육방식: {p.format}")
        children = self.kb.programs(parent=p.id)
        if children:
            lines.append("세부 과정: " + ", ".join(c.name for c in children))
        lines.append(basis(p.source))
        return Composed("\n".join(lines), topics=self._topic(p))

    def program_info(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        lines = [f"[{p.name}]"]
        if p.summary:
            lines.append(p.summary)
        for label, value in (("대상", p.target), ("기간", p.duration), ("방식", p.format)):
            if value:
                lines.append(f"• {label}: {value}")
        if p.sessions_planned or p.headcount:
            lines.append(f"• 2018년 계획: {_plan_text(p)}")
        sessions = self._sessions(p)
        dated = [s for s in sessions if s.start]
        upcoming = [s for s in dated if (s.end or s.start or "") >= today.isoformat()]
        if upcoming:
            s = min(upcoming, key=lambda x: x.start or "")
            lines.append(f"• 다음 일정: {s.name} {fmt_span(s.start or '', s.end)} "
                         f"({when_note(s.start or '', s.end, today)})")
        elif dated:
            lines.append("• 일정: 업무보고상 2018년 일정은 모두 지났습니다.")
        children = self.kb.programs(parent=p.id)
        if children:
            lines.append("• 세부 과정: " + ", ".join(c.name for c in children))
        if p.content:
            lines.append("• 주요 내용: " + "; ".join(p.content[:4]))
        lines = self._with_facts(lines, p, u)
        lines.append(basis(p.source))
        return Composed("\n".join(lines), topics=self._topic(p),
                        suggestions=(f"{p.name} 일정", f"{p.name} 교육대상"))

    def program_recommend(self, u: Understanding, today: dt.date) -> Composed | None:
        ranks = u.entities.get("rank", [])
        if not ranks:
            return None
        found: list[kdb.Program] = []
        for rank in ranks:
            for p in self.kb.programs_for_rank(rank):
                if p not in found:
                    found.append(p)
        if not found:  # ranks the data does not list: look for the rank's words in the targets
            words = [w.replace(" ", "") for r in ranks for w in self.nlu["ranks"].get(r, [r])]
            found = [p for p in self.kb.programs()
                     if p.target and any(w in p.target.replace(" ", "") for w in words)]
        label = ", ".join(ranks)
        if not found:
            return Composed(f"{josa(label, '을를')} 대상으로 하는 교육과정은 업무보고에 나와 있지 않습니다.\n"
                            f"{basis()}")
        lines = [f"{label}에게 해당하는 교육과정은 다음과 같습니다."]
        for p in found[:8]:
            nxt = ""
            dated = [s for s in self._sessions(p) if s.start
                     and (s.end or s.start) >= today.isoformat()]
            if dated:
                s = min(dated, key=lambda x: x.start or "")
                nxt = f" — 다음 일정 {s.name} {fmt_span(s.start or '', s.end)}"
            lines.append(f"• {p.name}{': ' + _plan_text(p) if (p.headcount or p.sessions_planned) else ''}{nxt}")
        lines.append(basis())
        return Composed("\n".join(lines), topics=tuple(Topic("program", p.id) for p in found[:3]))

    def program_list(self, u: Understanding, today: dt.date) -> Composed | None:
        if u.dates:
            start, end = u.dates
            sessions = self.kb.sessions_between(start, end, limit=15)
            span = fmt_span(start.isoformat(), end.isoformat())
            if not sessions:
                return Composed(f"{span} 기간에 진행되는 교육 일정은 업무보고에 없습니다.\n{basis()}")
            lines = [f"{span} 기간의 교육 일정입니다."]
            for s in sessions[:15]:
                p = self.kb.program(s.program_id or "")
                lines.append(self._session_line(s, today, prefix=f"{p.name} " if p else ""))
            lines.append(basis())
            return Composed("\n".join(lines))
        cats = u.entities.get("category")
        if cats:
            cat = next((c for c in self.kb.categories() if c.id == cats[0]), None)
            progs = self.kb.programs(category=cats[0], top_level=True, limit=20)
            if cat is None or not progs:
                return None
            lines = [f"{cat.name} 분야 교육과정입니다."]
            for p in progs:
                lines.append(f"• {p.name}" + (f": {_plan_text(p)}" if p.headcount else ""))
                children = self.kb.programs(parent=p.id, limit=12)
                if children:
                    lines.append("  세부 과정: " + ", ".join(c.name for c in children))
            more = self.kb.count_programs(category=cats[0], top_level=True) - len(progs)
            if more > 0:
                lines.append(f"외 {more:,}개 과정")
            lines.append(basis(cat.source))
            return Composed("\n".join(lines))
        upcoming = self.kb.sessions_between(today, today + dt.timedelta(days=60), limit=8)
        lines = ["2018년 교육계획은 230개 과정입니다. 분야별 주요 과정:"]
        for cat in self.kb.categories():
            progs = self.kb.programs(category=cat.id, top_level=True, limit=6)
            if progs:
                more = self.kb.count_programs(category=cat.id, top_level=True) - len(progs)
                lines.append(f"• {cat.name}: " + ", ".join(p.name for p in progs)
                             + (f" 외 {more:,}개" if more > 0 else ""))
        if upcoming:
            lines.append("")
            lines.append("앞으로 60일 안의 교육 일정:")
            for s in upcoming[:8]:
                p = self.kb.program(s.program_id or "")
                lines.append(self._session_line(s, today, prefix=f"{p.name} " if p else ""))
        lines.append(basis())
        return Composed("\n".join(lines))

    def calendar_day(self, u: Understanding, today: dt.date) -> Composed | None:
        """Everything on a day or in a period: exam events and course sessions."""
        if not u.dates:
            return None
        start, end = u.dates
        span = fmt_span(start.isoformat(), end.isoformat())
        evs = self.kb.events(start=start, end=end)
        sessions = self.kb.sessions_between(start, end, limit=15)
        if not evs and not sessions:
            return Composed(f"{span}에는 업무보고에 있는 교육·시험 일정이 없습니다.\n{basis()}")
        lines = [f"{span}의 일정입니다."]
        if evs:
            lines.append("채용시험:")
            lines += [self._event_line(e, today, True) for e in evs]
        if sessions:
            lines.append("교육과정:")
            for s in sessions:
                p = self.kb.program(s.program_id or "")
                lines.append(self._session_line(s, today, prefix=f"{p.name} " if p else ""))
        lines.append(basis())
        return Composed("\n".join(lines))

    # -- exams -----------------------------------------------------------------------------

    def exam_schedule(self, u: Understanding, today: dt.date) -> Composed | None:
        round_ids = u.entities.get("round", [])
        types = u.entities.get("event_type", [])
        if "expert" in round_ids and len(round_ids) == 1:
            return self.exam_expert(u, today)
        if u.dates and not round_ids and not types:
            start, end = u.dates
            evs = self.kb.events(start=start, end=end)
            span = fmt_span(start.isoformat(), end.isoformat())
            if not evs:
                return Composed(f"{span} 기간에는 업무보고에 있는 채용시험 일정이 없습니다.\n{basis()}")
            lines = [f"{span} 기간의 채용시험 일정입니다."] + [self._event_line(e, today, True)
                                                          for e in evs]
            return Composed("\n".join(lines + [basis()]))
        rounds = [r for r in (self.kb.round_(rid) for rid in round_ids) if r] \
            or [r for r in self.kb.rounds() if r.kind != "전문가"]
        lines: list[str] = []
        topics: list[Topic] = []
        single = len(rounds) == 1
        for r in rounds:
            evs = self.kb.events(round_id=r.id)
            chosen = [e for e in evs if e.type in types] if types else evs
            if u.dates and not round_ids:  # "12월에 무슨 발표 있어요"
                chosen = [e for e in chosen if e.start <= u.dates[1].isoformat()
                          and (e.end or e.start) >= u.dates[0].isoformat()]
                if not chosen:
                    continue
            if types and not chosen:
                if single or round_ids:
                    names = "·".join(EVENT_NAMES[t] for t in types)
                    lines.append(f"{r.name}의 {names} 날짜는 업무보고에 나와 있지 않습니다.")
                    if evs:
                        lines.append("업무보고에 있는 일정:")
                        lines += [self._event_line(e, today) for e in evs]
                continue
            if not chosen:
                lines.append(f"{r.name}: 업무보고에 날짜별 일정이 없습니다"
                             + (f" (상태: {r.status})." if r.status else "."))
                continue
            topics.append(Topic("exam_round", r.id))
            if types and len(chosen) <= 2:
                for e in chosen:
                    lines.append(f"{josa(f'{r.name} {EVENT_NAMES[e.type]}', '은는')} {fmt_span(e.start, e.end)}"
                                 f"입니다 ({when_note(e.start, e.end, today)}).")
                    if e.note:
                        lines.append(f"  참고: {e.note}")
            else:
                lines.append(f"[{r.name}] 일정")
                lines += [self._event_line(e, today) for e in chosen]
        if not lines:
            return None
        lines.append(basis())
        return Composed("\n".join(lines), topics=tuple(topics))

    def _event_line(self, e: kdb.Event, today: dt.date, with_round: bool = False) -> str:
        prefix = ""
        if with_round:
            r = self.kb.round_(e.round)
            prefix = f"{r.name} " if r else ""
        return (f"• {prefix}{EVENT_NAMES[e.type]}: {fmt_span(e.start, e.end)} — "
                f"{when_note(e.start, e.end, today)}")

    def exam_figures(self, u: Understanding, today: dt.date) -> Composed | None:
        round_ids = u.entities.get("round", [])
        if not round_ids and ("attr.count_figures" in u.features or "event_type" in u.entities):
            round_ids = list(dict.fromkeys(st.round for st in self.kb.exam_stats()))
        if not round_ids:
            overview = self.kb.section("recruitment")
            exam_facts = self.kb.facts(owner_kind="section", owner_id="exams")
            lines = []
            if overview and overview.get("planned_total"):
                lines.append(f"2018년 채용계획은 총 {overview.get('planned_total'):,}명입니다"
                             f" (’17년 {overview.get('planned_2017', 0):,}명).")
            lines += [f"• {r.name}: 계획 {num(r.planned, '명')}"
                      + (f", 채용 {num(r.hired, '명')}" if r.hired is not None else
                         f" ({r.status})" if r.status else "")
                      for r in self.kb.rounds()]
            lines += [f"참고 — {f.label}: {f.text}" for f in exam_facts if "2,980" in f.text][:1]
            if not lines:
                return None
            return Composed("\n".join(lines + [basis()]))
        lines = []
        for rid in round_ids:
            r = self.kb.round_(rid)
            if r is None:
                continue
            text = f"{r.name}: 채용계획 {num(r.planned, '명')}"
            text += f", 채용인원 {num(r.hired, '명')}" if r.hired is not None else \
                f", 채용인원은 아직 확정되지 않았습니다({r.status})" if r.status else ""
            lines.append(text + ".")
            if r.series:
                lines.append(f"• 채용직렬: {r.series}")
            for st in self.kb.exam_stats(rid):
                parts = []
                if st.date:
                    parts.append(f"필기시험 {fmt_date(st.date)}")
                if st.sites:
                    parts.append(f"시험장 {st.sites:,}곳")
                if st.rooms:
                    parts.append(f"시험실 {st.rooms:,}실")
                if st.applications:
                    parts.append(f"원서접수 {st.applications:,}명")
                if st.applicants:
                    parts.append(f"응시 {st.applicants:,}명")
                if st.turnout_pct is not None:
                    parts.append(f"응시율 {st.turnout_pct}%")
                lines.append("• " + ", ".join(parts))
            relevant = self._relevant_facts(r.facts, u, names=(r.name, *r.aliases))
            lines += [f"• {f.label}: {f.text}" for f in relevant or r.facts[:2]]
        if not lines:
            return None
        return Composed("\n".join(lines + [basis()]),
                        topics=tuple(Topic("exam_round", r) for r in round_ids))

    def exam_expert(self, u: Understanding, today: dt.date) -> Composed | None:
        cats = self.kb.expert_categories()
        wanted = u.entities.get("expert_category")
        chosen = [c for c in cats if c.id in wanted] if wanted else cats
        r = self.kb.round_("expert")
        lines = []
        if r and not wanted:
            lines.append(f"전문가 채용은 {r.status or '수시'}로 진행하며 2018년 채용계획은 "
                         f"{num(r.planned, '명')}입니다"
                         + (f" (상반기까지 {r.hired}명 채용)." if r.hired is not None else "."))
        for c in chosen:
            detail = ", ".join(x for x in (c.cadence, c.rounds) if x)
            lines.append(f"• {c.name}: {c.planned}명" + (f" ({detail})" if detail else ""))
        if r:
            relevant = self._relevant_facts(r.facts, u, limit=3, names=(r.name, *r.aliases))
            lines += [f"• {f.label}: {f.text}" for f in relevant or [
                f for f in r.facts if wanted is None and ("방법" in f.label or "시기" in f.label)]]
        if not lines:
            return None
        return Composed("\n".join(lines + [basis(chosen[0].source if chosen else None)]))

    def exam_interview_format(self, u: Understanding, today: dt.date) -> Composed | None:
        facts = [f for f in self.kb.facts()
                 if "면접" in f.label and ("방식" in f.text or "분" in f.text or "면접" in f.text)]
        if not facts:
            return None
        lines = ["면접시험 방식에 관한 내용입니다."]
        lines += [f"• {f.label}: {f.text}" for f in facts[:4]]
        return Composed("\n".join(lines + [basis(facts[0].source)]))

    # -- daycare ---------------------------------------------------------------------------

    def daycare_priority(self, u: Understanding, today: dt.date) -> Composed | None:
        prios = self.kb.priorities()
        if not prios:
            return None
        groups = [int(g) for g in u.entities.get("priority_group", []) if str(g).isdigit()]
        lines: list[str] = []
        if groups:
            for p in prios:
                if p.rank in groups:
                    basis_text = f" (근거: {p.basis})" if p.basis else ""
                    lines.append(f"{josa(p.group, '은는')} {p.rank}순위입니다{basis_text}.")
                    if p.note:
                        lines.append(f"참고: {p.note}")
            lines.append("")
        lines.append("인재개발원 직장어린이집 입소 우선순위는 다음과 같습니다.")
        for p in prios:
            detail = f" — {p.detail}" if p.detail else ""
            basis_text = f" (근거: {p.basis})" if p.basis else ""
            lines.append(f"• {p.rank}순위: {p.group}{detail}{basis_text}")
        daycare = self.kb.section("daycare")
        if daycare and daycare.get("vacancy"):
            lines.append(f"결원 시: {daycare.get('vacancy')}")
        lines.append(basis(prios[0].source))
        return Composed("\n".join(lines))

    def daycare_eligibility(self, u: Understanding, today: dt.date) -> Composed | None:
        daycare = self.kb.section("daycare")
        if daycare is None:
            return None
        lines = [f"{daycare.get('name')} 입소 대상: {daycare.get('eligibility')}"]
        if daycare.get("vacancy"):
            lines.append(f"결원 시: {daycare.get('vacancy')}")
        prios = self.kb.priorities()
        if prios:
            lines.append("우선순위: " + " / ".join(f"{p.rank}순위 {p.group}" for p in prios))
        lines.append(basis(daycare.get("source")))
        return Composed("\n".join(lines), suggestions=("어린이집 입소 순위 알려주세요",))

    # -- facilities ------------------------------------------------------------------------

    def facility_building(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = u.entities.get("building", [])
        blds = [b for b in self.kb.buildings() if b.id in wanted] or self.kb.buildings()
        lines = []
        for b in blds:
            floors = f"지상 {b.floors_above}층"
            if b.floors_below:
                floors = f"지하 {b.floors_below}층, " + floors
            line = f"{josa(b.name, '은는')} {floors} 건물입니다."
            if b.note:
                line += f" {b.note}"
            lines.append(line)
            inside = self.kb.amenities(building=b.id)
            if inside and wanted:
                lines.append("• 시설: " + ", ".join(a.name for a in inside))
        lines.append(basis(blds[0].source if blds else None))
        return Composed("\n".join(lines))

    def facility_site(self, u: Understanding, today: dt.date) -> Composed | None:
        site = self.kb.section("site")
        if site is None:
            return None
        lines = [
            f"인재개발원 부지는 {site.get('parcels')}필지, {num(site.get('area_m2'))}㎡"
            f"({num(site.get('area_pyeong'))}평)입니다.",
            f"건물은 {site.get('building_count')}개동, 연면적 {num(site.get('floor_area_m2'))}㎡"
            f"({num(site.get('floor_area_pyeong'))}평)입니다: "
            + ", ".join(b.name for b in self.kb.buildings()) + ".",
        ]
        amen = self.kb.amenities()
        if amen:
            lines.append("교육시설: " + ", ".join(a.name for a in amen))
        lines.append(basis(site.get("source")))
        return Composed("\n".join(lines))

    def facility_amenity(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = u.entities.get("amenity", [])
        amen = [a for a in self.kb.amenities() if a.id in wanted]
        if not amen:
            return None
        lines = []
        for a in amen:
            line = f"{a.name}"
            if a.building:
                b = next((b for b in self.kb.buildings() if b.id == a.building), None)
                line += f" (위치: {b.name if b else a.building})"
            line += f": {a.description}" if a.description else "이(가) 있습니다."
            lines.append(line)
        lines.append(basis(amen[0].source))
        return Composed("\n".join(lines))

    def facility_works(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = u.entities.get("work", [])
        ws = [w for w in self.kb.works() if w.id in wanted] or self.kb.works()
        if not ws:
            return None
        lines = [] if wanted else ["2018년 인재개발원 시설 공사·용역입니다."]
        for w in ws:
            when = ""
            if w.start:
                when = fmt_span(w.start, w.end)
            elif w.start_month:
                when = fmt_month(w.start_month) + (f" ~ {fmt_month(w.end_month)}"
                                                   if w.end_month else "")
            if w.end_month and w.start and not w.end:
                when += f" ~ {fmt_month(w.end_month)}"
            cost = f", {num(w.cost_million_krw)}백만원" if w.cost_million_krw else ""
            desc = f" — {w.description}" if w.description and wanted else ""
            lines.append(f"• {w.name} ({w.status}{', ' + when if when else ''}{cost}){desc}")
        lines.append(basis(ws[0].source))
        return Composed("\n".join(lines))

    # -- organisation ----------------------------------------------------------------------

    def org_department(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = u.entities.get("department", [])
        depts = [d for d in self.kb.departments() if d.id in wanted]
        if not depts:
            scores: dict[str, int] = {}
            probes = [m.text for m in u.matches if not (m.kind == "attr" and m.value == "who")]
            probes += _question_words(u)
            for d in self.kb.departments():
                duties = [x.replace(" ", "") for x in (*d.duties, *d.keywords)]
                for probe in {p.replace(" ", "") for p in probes if len(p.replace(" ", "")) >= 2}:
                    if any(probe in duty or duty in probe for duty in duties):
                        scores[d.id] = scores.get(d.id, 0) + len(probe)
            if not scores:
                return self.org_overview(u, today)
            best = max(scores, key=lambda i: scores[i])
            depts = [d for d in self.kb.departments() if d.id == best]
            lines = [f"그 업무는 {depts[0].name}에서 담당합니다."]
        else:
            lines = []
        for d in depts:
            lines.append(f"{d.name}({d.headcount}명) 담당 업무:")
            lines += [f"• {duty}" for duty in d.duties]
        lines.append(basis(depts[0].source))
        return Composed("\n".join(lines))

    def org_overview(self, u: Understanding, today: dt.date) -> Composed | None:
        org = self.kb.section("organisation")
        depts = self.kb.departments()
        if not depts:
            return None
        lines = []
        if org and org.get("teams"):
            lines.append(f"{josa(str(org.get('name')), '은는')} {org.get('departments')}과 {org.get('teams')}팀, "
                         f"{org.get('staff')}명으로 구성되어 있습니다.")
        lines += [f"• {d.name} {d.headcount}명: {', '.join(d.duties)}" for d in depts]
        lines.append(basis(depts[0].source))
        return Composed("\n".join(lines))

    # -- the rest --------------------------------------------------------------------------

    def elearning_info(self, u: Understanding, today: dt.date) -> Composed | None:
        el = self.kb.section("elearning")
        if el is None:
            return None
        feats = u.features
        lines: list[str] = []
        facts = el.facts
        if "concept.lms" in feats:
            lms = [f for f in facts if "LMS" in f.label or "교육통합" in f.label
                   or "LMS" in f.text]
            if lms:
                lines += [f"• {f.label}: {f.text}" for f in lms[:5]]
                return Composed("교육통합시스템(LMS) 안내입니다.\n" + "\n".join(lines)
                                + f"\n{basis(lms[0].source)}")
        relevant = self._relevant_facts(facts, u, names=("e-러닝", "이러닝", "elearning"))
        if relevant:
            lines += [f"• {f.label}: {f.text}" for f in relevant]
        if "concept.app" in feats and el.get("app"):
            lines.append(f"모바일 학습: {el.get('app')}")
        lines.insert(0, f"e-러닝은 인재개발원 홈페이지({el.get('site')})에 접속해 수강합니다.")
        if el.get("courses"):
            lines.append(f"• 운영과정: {el.get('courses')}개 과정")
        if el.get("trainees_planned"):
            lines.append(f"• 2018년 교육계획 인원: {el.get('trainees_planned'):,}명")
        if el.get("target"):
            lines.append(f"• 대상: {el.get('target')}")
        if el.get("method"):
            lines.append(f"• 수강방법: {el.get('method')}")
        if el.get("app") and "concept.app" not in feats:
            lines.append(f"• 앱: {el.get('app')}")
        if el.get("live_channel"):
            lines.append(f"• 실시간 방송: {el.get('live_channel')}")
        lines.append(basis(el.get("source")))
        return Composed("\n".join(lines))

    def budget_info(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = list(u.entities.get("budget_line", []))
        if not wanted:
            program = self._program(u)
            if program and program.budget_line:
                wanted = [program.budget_line]
                # the 세출 table line too, where the report names the same business there
                wanted += [b.id for b in self.kb.budget_lines("expenditure")
                           if b.id != program.budget_line and _same_business(b.name, program)]
        if not wanted:
            probes = {m.text for m in u.matches if m.kind not in ("attr", "topic", "fact")
                      and not (m.kind == "concept" and m.value == "budget")}
            for m in u.matches:  # a concept is searched by all its names ("LMS" → 교육통합시스템)
                if m.kind == "concept" and m.value != "budget":
                    probes |= set(self.nlu["concepts"].get(m.value, ()))
            probes = {p.replace(" ", "").replace("-", "").casefold() for p in probes}
            wanted = [b.id for b in self.kb.budget_lines()
                      if any(len(p) >= 2 and p in b.name.replace(" ", "").replace("-", "").casefold()
                             for p in probes)]
        lines: list[str] = []
        for lid in wanted[:4]:
            b = self.kb.budget_line(lid)
            if b is None:
                continue
            amount = b.y2018
            change = ""
            if b.change is not None:
                change = f", 증감액 {b.change:+,}천원" + (
                    f", 증감률 {b.change_pct:+.1f}%" if b.change_pct is not None else "")
            lines.append(f"{b.name}의 2018년 예산은 {won(amount)}입니다"
                         + (f" (’17년 {won(b.y2017)}{change})" if b.y2017 is not None else "") + ".")
            if b.executed is not None:
                lines.append(f"• 집행액(원인행위, 6.30. 기준): {won(b.executed)}"
                             + (f", 집행률 {b.executed_pct}%" if b.executed_pct is not None else ""))
            if b.spent is not None:
                lines.append(f"• 지출액: {won(b.spent)}")
            if b.year_end_forecast is not None:
                lines.append(f"• 연말 집행 예상액: {won(b.year_end_forecast)}")
            if b.note:
                lines.append(f"참고: {b.note}")
            if b.table == "revenue" and "합계" in (b.name + (b.group or "")) or b.id.endswith("total"):
                parts = [x for x in self.kb.budget_lines(b.table) if x.id != b.id
                         and not x.id.endswith("total")][:8]
                lines += [f"• {x.name}: {won(x.y2018)}" + (f" — {x.note}" if x.note else "")
                          for x in parts]
            lines.append(basis(b.source))
        if lines:
            return Composed("\n".join(lines))
        exp = self.kb.budget_lines("expenditure")
        rev = self.kb.budget_lines("revenue")
        if not exp and not rev:
            return None
        if rev:
            lines.append(f"2018년 세입예산: {won(rev[0].y2018)}")
        if exp:
            total = exp[0]
            lines.append(f"2018년 세출예산: {won(total.y2018)} (’17년 {won(total.y2017)}, "
                         f"{num(total.change_pct)}%)")
            if total.executed is not None:
                lines.append(f"집행액(6.30. 원인행위 기준): {won(total.executed)}, 집행률 "
                             f"{total.executed_pct}%")
        lines.append(basis(exp[0].source if exp else rev[0].source))
        return Composed("\n".join(lines))

    def assessment_info(self, u: Understanding, today: dt.date) -> Composed | None:
        items = self.kb.assessments()
        wanted = u.entities.get("assessment", [])
        chosen = [a for a in items if a.id in wanted] or items[:1]
        if not chosen:
            return None
        a = chosen[0]
        lines = [f"[{a.name}]"]
        if a.target:
            lines.append(f"• 대상: {a.target}")
        if a.rounds_planned or a.headcount_planned:
            lines.append(f"• 2018년 계획: {num(a.rounds_planned, '회')}, "
                         f"{num(a.headcount_planned, '명')}")
        if a.competencies:
            lines.append(f"• 평가역량({len(a.competencies)}개): {', '.join(a.competencies)}")
        relevant = self._relevant_facts(a.facts, u, limit=3, names=(a.name, *a.aliases))
        lines += [f"• {f.label}: {f.text}" for f in relevant or a.facts[:4]]
        lines.append(basis(a.source))
        return Composed("\n".join(lines))

    def plan_overview(self, u: Understanding, today: dt.date) -> Composed | None:
        rows = self.kb.plan_rows()
        if not rows:
            return None
        chosen = _plan_rows_asked(rows, u)
        if chosen:
            lines = [_plan_line(r, first=True) for r in chosen[:3]]
        else:
            lines = ["2018년 교육계획입니다."]
            lines += ["• " + _plan_line(r) for r in rows
                      if r.area in ("전체", "소계") or r.mode == "전체"]
        lines.append(basis(rows[0].source))
        return Composed("\n".join(lines))

    def vision_info(self, u: Understanding, today: dt.date) -> Composed | None:
        topics = {t.id: t for t in self.kb.topics()}
        chosen = [topics[i] for i in ("vision", "goals") if i in topics]
        if not chosen:
            return None
        return Composed("\n\n".join(t.answer for t in chosen) + f"\n{basis(chosen[0].source)}")

    def topic_answer(self, u: Understanding, today: dt.date) -> Composed | None:
        ids = u.entities.get("topic", [])
        topics = {t.id: t for t in self.kb.topics()}
        if not ids:  # a concept only ("감사 지적 몇 건"): the topic whose keywords say it most
            words = {w.replace(" ", "") for m in u.matches if m.kind == "concept"
                     for w in self.nlu["concepts"].get(m.value, ())}
            scored = sorted(((sum(k.replace(" ", "") in words for k in t.keywords), t.id)
                             for t in topics.values()), reverse=True)
            ids = [scored[0][1]] if scored and scored[0][0] else []
        chosen = [topics[i] for i in ids if i in topics][:2]
        if not chosen:
            return None
        parts = []
        for t in chosen:
            status = f" ({t.status})" if t.status else ""
            parts.append(f"[{t.title}]{status}\n{t.answer}")
        return Composed("\n\n".join(parts) + f"\n{basis(chosen[0].source)}")

    def fact_answer(self, u: Understanding, today: dt.date) -> Composed | None:
        ids = [int(i) for i in u.entities.get("fact", []) if str(i).isdigit()]
        facts = self.kb.facts()
        chosen = [facts[i] for i in ids if 0 <= i < len(facts)][:2]
        if not chosen:
            return None
        text = "\n\n".join(f"[{f.label}]\n{f.text}" for f in chosen)
        return Composed(f"{text}\n{basis(chosen[0].source)}")

    # -- suggestions -----------------------------------------------------------------------

    def example_questions(self) -> list[str]:
        """Questions the bot can answer, used as "혹시 이것을 찾으셨나요?" suggestions."""
        out: list[str] = []
        for p in self.kb.programs(top_level=True):
            out += [f"{p.name} 일정 알려주세요", f"{p.name} 교육대상은?"]
        for p in self.kb.programs():
            if p.parent:
                out.append(f"{p.name} 언제 해요?")
        for r in self.kb.rounds():
            out.append(f"{r.name} 일정 알려주세요")
        for b in self.kb.buildings():
            out.append(f"{b.name} 몇 층이에요?")
        out += ["어린이집 입소 순위 알려주세요", "어린이집 입소 대상은?", "e-러닝 어떻게 들어요?",
                "2018년 예산은 얼마예요?", "인재개발원 비전은?", "5급 역량평가 평가역량은?",
                "면접 방식이 어떻게 바뀌었나요?", "부서별 담당 업무 알려주세요",
                "2차 필기 합격자 발표 언제예요?", "경력경쟁 면접 일정 알려주세요"]
        out += [t.title for t in self.kb.topics()]
        return list(dict.fromkeys(out))


def _same_business(name: str, program: kdb.Program) -> bool:
    compact = name.replace(" ", "").replace("운영", "")
    names = [program.name, *program.aliases]
    return any(len(n.replace(" ", "")) >= 3 and n.replace(" ", "").replace("운영", "") in compact
               for n in names)


def _question_words(u: Understanding, names: tuple[str, ...] | None = None) -> list[str]:
    """Content words of the question that do not just name the record asked about (e.g.
    '상반기', '실적', '국제반'). ``names``: the record's own names; default: every matched name."""
    if names is None:
        named = {m.text.replace(" ", "") for m in u.matches
                 if m.kind not in ("attr", "concept", "topic", "fact")}
    else:
        named = {n.replace(" ", "") for n in names}
    out = []
    for word in u.text.split():
        w = "".join(ch for ch in word if ch.isalnum())
        w = strip_ending(w)
        if len(w) >= 2 and not is_predicate(w) and w not in named \
                and not any(w in n for n in named):
            out.append(w)
    return out


_MODES = {"집합교육": ("집합",), "e-러닝": ("e러닝", "이러닝", "elearning", "사이버", "온라인", "인강")}


def _plan_rows_asked(rows: list[kdb.PlanRow], u: Understanding) -> list[kdb.PlanRow]:
    """The plan-table rows a question names by mode ("집합", "e-러닝") and category ("IT")."""
    q = u.key
    modes = {mode for mode, words in _MODES.items() if any(w in q for w in words)}
    named = [r for r in rows if r.category not in ("전체", "소계")
             and r.category.replace("-", "").casefold() in q]
    if named:
        return [r for r in named if not modes or r.mode in modes]
    if modes:
        return [r for r in rows if r.mode in modes and r.area == "소계"]
    return []


def _plan_line(r: kdb.PlanRow, first: bool = False) -> str:
    """One plan-table row with its 2017 figures and the change."""
    def figures(c: dict[str, Any]) -> str:
        bits = []
        if isinstance(c.get("courses"), int):
            bits.append(f"{c['courses']:,}개 과정")
        if isinstance(c.get("sessions"), int):
            bits.append(f"{c['sessions']:,}회")
        if isinstance(c.get("trainees"), int):
            bits.append(f"{c['trainees']:,}명")
        return ", ".join(bits) or "수치 없음"

    label = "전체" if r.mode == "전체" else (
        f"{r.mode} {r.category}" if r.category not in ("소계", "전체") else f"{r.mode} 소계")
    change = []
    for field_name, unit in (("courses", "개 과정"), ("sessions", "회"), ("trainees", "명")):
        a, b = r.y2017.get(field_name), r.y2018.get(field_name)
        if isinstance(a, int) and isinstance(b, int):
            change.append(f"{b - a:+,}{unit}")
    tail = f"; 전년 대비 {', '.join(change)}" if change else ""
    if first:
        return (f"2018년 {label} 교육계획은 {figures(r.y2018)}입니다 "
                f"(2017년 {figures(r.y2017)}{tail}).")
    return f"{label}: {figures(r.y2018)} (2017년 {figures(r.y2017)}{tail})"


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
