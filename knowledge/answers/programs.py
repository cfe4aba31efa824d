"""Answers about training programs: schedule, duration, target, headcount, content, the program
card, recommendations by rank, program lists and what is on a given day."""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property

from db import knowledge as kdb
from knowledge import morph
from knowledge.answers.common import AnswerBase, Composed, _names, _plan_text, cohort_of
from knowledge.matcher import SOFT_KINDS
from knowledge.normalize import key
from knowledge.reply import Topic
from knowledge.shape import SAYS_MISSING, lacks
from knowledge.stages import year_written
from knowledge.text import basis, fmt_date, fmt_month, fmt_span, josa, when_note
from knowledge.understand import Understanding, asks_next, counting_units, halves_named


class ProgramAnswers(AnswerBase):
    def program_schedule(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        every = self._sessions(p)
        parent = self.kb.program(p.parent) if p.parent and not every else None
        if parent is not None and self._sessions(parent):
            # a course of a program whose cohorts the report lists only for the program: its cohorts
            p, every = parent, self._sessions(parent)
        sessions = every
        cohort = u.cohort
        if u.entities.get("session"):
            named = [s for s in sessions if s.id in u.entities["session"]]
            if named and cohort is not None and "session" in u.inherited and "cohort" not in u.inherited:
                # "4기는?" after the 2-week course's 3rd cohort: a cohort of the same track first
                tracks = {_track(s.name) for s in named}
                named = [s for s in every if _track(s.name) in tracks and cohort_of(s.name) == cohort] or [
                    s for s in every if cohort_of(s.name) == cohort
                ]
            sessions = named or sessions
        if "cohort" in u.inherited and len(self._sessions_the_words_name(u, sessions)) < len(sessions):
            cohort = None  # the question's own words pick the cohort ("귀농 과정은?" after "4기는요?")
        if cohort is not None and asks_next(u) and not re.search(r"\d+\s*기", u.text):
            # "그 다음은?" after the 8th cohort: the cohort after it
            current = next((s for s in every if cohort_of(s.name) == cohort and s.start), None)
            later = sorted(
                (s for s in every if current and s.start and s.start > (current.start or "")),
                key=lambda s: s.start or "",
            )
            if later:
                # (of all the program's cohorts, not only the one the last turn named)
                cohort, sessions = cohort_of(later[0].name), [later[0]]
        elif cohort is None and asks_next(u) and not u.entities.get("session"):
            # "다음 기수는 언제": the next to start, not the one under way
            later = sorted((s for s in every if (s.start or "") > today.isoformat()), key=lambda s: s.start or "")
            if later and cohort_of(later[0].name) is not None:
                cohort = cohort_of(later[0].name)
        if cohort is not None:
            picked = [s for s in sessions if cohort_of(s.name) == cohort]
            if not picked:
                names = f" 업무보고에 있는 기수: {', '.join(s.name for s in sessions)}." if sessions else ""
                return Composed(
                    f"{p.name} {cohort}기 일정은 업무보고에 나와 있지 않습니다.{names}\n{basis(p.source)}",
                    topics=self._topic(p),
                )
            # a number two tracks share ("4기"): the question's words pick the track ("2주 과정 4기")
            sessions = self._sessions_the_words_name(u, picked)
        elif not u.entities.get("session"):
            sessions = self._sessions_the_words_name(u, sessions)
        dated = [s for s in sessions if s.start]
        lines: list[str] = []
        if dated:
            asks_start = any(m.kind == "attr" and m.text in ("시작", "개강", "시작일", "언제부터") for m in u.matches)
            asks_end = "attr.end" in u.features and not asks_start
            if asks_end:
                # of several cohorts, the one under way or next ("언제까지 해요?")
                s = next((x for x in dated if (x.end or x.start or "") >= today.isoformat()), dated[-1])
                if cohort is not None or len(dated) == 1:
                    s = dated[0]
                began = f"{fmt_date(s.start)}에 시작해 " if s.start and s.end and s.end != s.start else ""
                head = (
                    f"{josa(_named(p, s), '은는')} {began}{fmt_date(s.end or s.start or '')}에 끝납니다 "
                    f"({when_note(s.end or s.start or '', None, today)})."
                )
            else:
                others = [] if len(sessions) == len(every) else [s for s in every if s.start]
                head = self._course_timing(p, dated, others, today)
        elif sessions and all(s.month for s in sessions) and (len(sessions) == 1 or len(sessions) < len(every)):
            # the cohorts asked, each given by its month: each said with it
            head = " ".join(
                f"{josa(_named(p, s), '은는')} {fmt_month(s.month or '')}에 진행됩니다"
                + (" (이미 지난 일정입니다)." if (s.month or "") < today.isoformat()[:7] else ".")
                for s in sessions
            )
        elif (
            sessions and len(sessions) < len(every) and not {"attr.schedule", "attr.day", "attr.end"} & set(u.features)
        ):
            # the cohorts named with nothing asked of them ("5기는 무슨 분야"): what they are
            head = " ".join(f"{_named(p, s)}: {s.target}." for s in sessions if s.target) or _named(p, sessions[0])
        elif sessions and len(sessions) < len(every):  # the cohorts asked, none of them dated
            names = ", ".join(_named(p, s) for s in sessions)
            head = f"{names}의 날짜는 업무보고에 나와 있지 않습니다."
        else:
            head = f"{p.name}의 구체적인 날짜는 업무보고에 나와 있지 않습니다."
            if p.duration:
                head += f" 교육기간은 {p.duration}입니다."
        lines.append(head)
        if len(sessions) > 1:
            lines += ["", "기수별 일정:"]
        lines += [self._session_line(s, today) for s in sessions]
        if p.sessions_planned or p.headcount:
            lines.append(f"{self.year}년 계획: {_plan_text(p)}")
        lines = self._with_facts(lines, p, u, sessions)
        lines.append(basis(p.source))
        # the cohort the answer leads with is what "그 다음은?" goes on from
        led = [c for x in dated if (c := cohort_of(x.name)) is not None and x.name in head]
        answered = {"cohort": cohort if cohort is not None else led[0]} if cohort is not None or led else {}
        return Composed("\n".join(lines), answered, topics=self._topic(p))

    @cached_property
    def _measure(self) -> re.Pattern[str]:
        """A number in one of nlu.yaml's counters ("2주", "3박"): a length or count said."""
        units = sorted(counting_units(self.nlu), key=len, reverse=True)
        return re.compile(r"(?<!\d)(\d+)\s*(" + "|".join(map(re.escape, units)) + ")")

    def _sessions_the_words_name(self, u: Understanding, sessions: list[kdb.Session]) -> list[kdb.Session]:
        """The cohorts a word of the question picks out ("임용유예했는데" → the cohort for those who
        deferred, "2주짜리" → the two-week cohorts), when the word is in some cohorts' descriptions
        but not all; else all of them."""
        # the words no match read (matches are spans of the question's key, not of its text); a
        # keyword of a free-text record only points, and may name a cohort too ("귀농")
        read = [u.key[m.start : m.end] for m in u.matches if m.kind not in SOFT_KINDS]
        words = {
            key(m.surface)
            for m in morph.analyse(u.text)
            if m.content and len(key(m.surface)) >= 2 and not any(key(m.surface) in r for r in read)
        } | {m.group(1) + m.group(2) for m in self._measure.finditer(u.text)}
        if not words or len(sessions) < 2:
            return sessions
        # a cohort's own name first: a note may mention another cohort ("2주 교육 4기와는 다른 기수")
        for fields in (("name",), ("name", "target", "note")):
            texts = {s.id: key(" ".join(x for f in fields if (x := getattr(s, f)))) for s in sessions}
            hits = [s for s in sessions if any(w in texts[s.id] for w in words)]
            if hits and len(hits) < len(sessions):
                return hits
        return sessions

    def _course_timing(
        self, p: kdb.Program, asked: list[kdb.Session], others: list[kdb.Session], today: dt.date
    ) -> str:
        """Where the asked dated cohorts stand today: one under way is "진행 중", else the next
        to come "시작합니다", else all are over. ``others``: every dated cohort of the program
        when the question named some (e.g. "8기"), so a finished one points to the current one."""
        iso = today.isoformat()

        def running(s: kdb.Session) -> bool:
            return (s.start or "") <= iso <= (s.end or s.start or "")

        def first(group: list[kdb.Session]) -> kdb.Session | None:
            return min(group, key=lambda x: x.start or "", default=None)

        now = first([s for s in asked if running(s)])
        if now is not None:
            return f"{josa(_named(p, now), '은는')} 현재 진행 중입니다: {fmt_span(now.start or '', now.end)}."
        nxt = first([s for s in asked if (s.start or "") > iso])
        if nxt is not None:
            # (and when it ends: "언제부터 언제까지" asks both, and the end is part of when it is)
            ends = f" {fmt_date(nxt.end)}에 끝납니다." if nxt.end and nxt.end != nxt.start else ""
            return (
                f"{josa(_named(p, nxt), '은는')} {fmt_date(nxt.start or '')}에 시작합니다"
                f" ({when_note(nxt.start or '', nxt.end, today)}).{ends}"
            )
        last = max(asked, key=lambda x: x.end or x.start or "")
        if not others:
            return (
                f"{p.name}의 앞으로의 일정은 업무보고에 나와 있지 않습니다. 업무보고상 일정은 모두 "
                f"지났습니다. 마지막 일정은 {last.name}, {fmt_span(last.start or '', last.end)}이었습니다."
            )
        head = f"{josa(_named(p, last), '은는')} {fmt_span(last.start or '', last.end)}에 진행되어 이미 끝났습니다."
        now = first([s for s in others if running(s)])
        nxt = first([s for s in others if (s.start or "") > iso])
        if now is not None:
            return head + (f" 지금은 {josa(now.name, '이가')} 진행 중입니다: {fmt_span(now.start or '', now.end)}.")
        if nxt is not None:
            return head + (
                f" 다음 일정은 {nxt.name}, {fmt_date(nxt.start or '')}에 시작합니다 "
                f"({when_note(nxt.start or '', nxt.end, today)})."
            )
        return head + " 업무보고상 그 뒤의 일정은 없습니다."

    def program_duration(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        text = f"{p.name}의 교육기간은 {p.duration}입니다." if p.duration else lacks(p.name, ["교육기간"])
        dated = [s for s in self._sessions(p) if s.start and s.end]
        if dated:
            text += "\n" + "\n".join(self._session_line(s, today) for s in dated[:6])
        text = "\n".join(self._with_facts([text], p, u))
        # the period of a cohort asked ("3기 기간이 어떻게 돼요") is its dates: they lead
        named, carried = self._cohorts_asked(p, u)
        # (a number two tracks share, "4기": the question's words pick the track, "2주 교육 4기")
        cohort = self._sessions_the_words_name(u, named or carried)
        if len(cohort) == 1 and cohort[0].start:
            c = cohort[0]
            text = (
                f"{josa(_named(p, c), '은는')} {fmt_span(c.start or '', c.end)}입니다 "
                f"({when_note(c.start or '', c.end, today)}).\n{text}"
            )
        return Composed(f"{text}\n{basis(p.source)}", topics=self._topic(p))

    def program_target(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        if p.target:
            text = f"{p.name}의 교육대상은 {p.target}입니다."
            children = self.kb.programs(parent=p.id)
            if key(p.target) in key(p.name) and children:
                # a course named after those it is for ("타 시·도 공무원 연수"): that they may take
                # it says nothing new; what it is does
                text += " 세부 과정은 " + ", ".join(c.name for c in children) + "입니다."
        else:
            text = lacks(p.name, ["교육대상"])
            if p.summary:
                text += f" {p.summary}"
        if p.ranks:
            text += f"\n해당 직급·직위: {', '.join(p.ranks)}"
        sessions = [s for s in self._sessions(p) if s.target]
        if sessions:
            text += "\n" + "\n".join(f"• {s.name}: {s.target}" for s in sessions[:6])
        text = "\n".join(self._with_facts([text], p, u))
        # the cohort asked or carried over ("8기 … 대상이 누구예요"): its own line leads
        named, carried = self._cohorts_asked(p, u)
        cohort = named or carried
        line = self._session_line(cohort[0], today).removeprefix("• ") if len(cohort) == 1 else ""
        if line and cohort[0].target and not SAYS_MISSING.search(line):
            text = f"{line}\n{text}"
        return Composed(f"{text}\n{basis(p.source)}", topics=self._topic(p))

    def program_headcount(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        plan = f"{p.name}의 {self.year}년 계획은 {_plan_text(p)}입니다." if (p.headcount or p.sessions_planned) else ""
        cohort = self._cohort_headcount(p, u, plan, today)
        if cohort is not None:
            return cohort
        parent = self.kb.program(p.parent) if p.parent else None
        whole = self._of_parent(p, parent, u, plan) if parent is not None else None
        if whole is not None:
            return whole
        asked = self._relevant_facts(self._program_facts(p), u, limit=3, names=(p.name,))
        # a figure of the parent program that does not name this course counts the parent
        asked = [
            f
            for f in asked
            if (parent is None or f not in parent.facts or _names(f, p))
            and re.search(r"\d[\d,]*\s*(?:명|회|기|개)", f.text)  # a count, not who it is for
            # (a figure of a group the course is listed in, "드론이해와 활용사례 등", is the group's)
            and not _listed_among_others(f, p)
        ]
        general = [
            f
            for f in p.facts
            if any(w in f.label + f.text for w in ("인원", "실적", "계획", "규모", "차이", "횟수", "명", "기/"))
            and not _listed_among_others(f, p)
        ][:4] or [f for f in self._parent_mentions(p) if not _listed_among_others(f, p)]
        facts = asked or general
        lines = [f"{f.label}: {f.text}" for f in facts]
        # the figure the question names first ("하반기 계획", "상반기 실적"), else the plan
        if plan:
            lines.insert(1 if asked else 0, plan)
        if not lines:
            lines = [lacks(p.name, ["교육인원"])]
        lines = [lines[0]] + [f"• {x}" if not x.startswith("•") else x for x in lines[1:]]
        sessions = [s for s in self._sessions(p) if s.headcount]
        if sessions and not facts:
            lines += [self._session_line(s, today) for s in sessions[:6]]
        return Composed("\n".join([*lines, basis(p.source)]), topics=self._topic(p))

    def _of_parent(self, p: kdb.Program, parent: kdb.Program, u: Understanding, plan: str) -> Composed | None:
        """A half of the year, or another year, asked of a course taken over ("하반기엔 몇 명"
        after one of the leadership courses, "작년엔 몇 명 수료했어요" after the 4급 one) whose own
        record says nothing of it: the whole program's figure for it leads, said to be the
        whole's, then that the course's own is not given."""
        if "program" not in u.inherited:
            return None
        own = " ".join(key(f.label + f.text) for f in p.facts)
        halves = halves_named(u)
        years = [y for y in dict.fromkeys(u.years) if y != self.year]
        counted = re.compile(r"\d[\d,]*\s*(?:명|회)")
        if halves:
            if any(h in own for h in halves):
                return None
            said = halves[0]
            of_it = [f for f in parent.facts if any(h in key(f.label) for h in halves) and counted.search(f.text)]
        elif len(years) == 1:
            written = year_written(years[0])
            if any(written.search(f.label + f.text) for f in p.facts):
                return None
            said = f"{years[0]}년"
            of_it = [f for f in parent.facts if written.search(f.label + f.text) and counted.search(f.text)]
        else:
            return None
        if not of_it:
            return None
        f = of_it[0]
        lines = [
            f"{parent.name} 전체의 {f.label}: {f.text}",
            f"• {p.name} 하나의 {said} 인원은 업무보고에 따로 나와 있지 않습니다.",
            *([f"• {plan}"] if plan else []),
        ]
        return Composed("\n".join([*lines, basis(parent.source)]), topics=self._topic(parent))

    def _cohorts_asked(self, p: kdb.Program, u: Understanding) -> tuple[list[kdb.Session], list[kdb.Session]]:
        """The cohorts of ``p`` the question names, and those whose number it says or carries over
        ("9기는요?")."""
        sessions = self._sessions(p)
        named = [s for s in sessions if s.id in u.entities.get("session", [])]
        carried = [s for s in sessions if u.cohort is not None and cohort_of(s.name) == u.cohort]
        return named, carried

    def _cohort_headcount(self, p: kdb.Program, u: Understanding, plan: str, today: dt.date) -> Composed | None:
        """The headcount of the cohort the question names or carries over ("9기는요?" … "몇
        명이에요"): its own count first; for a cohort the report lists without a count of its own
        or shared with others ("아르헨티나 스마트시티과정엔 몇 명"), that the report gives none,
        not the program's total. None when no cohort is asked."""
        named, carried = self._cohorts_asked(p, u)
        asked = named or carried
        if len(asked) == 1 and asked[0].headcount:  # one cohort with a count of its own: it leads
            lines = [self._session_line(asked[0], today).removeprefix("• "), *([f"• {plan}"] if plan else [])]
            return Composed("\n".join([*lines, basis(p.source)]), topics=self._topic(p))
        counted = any(
            s.headcount or _HEADCOUNT.search(s.note or "") or any(_counts_session(f, s) for f in self._program_facts(p))
            for s in asked
        )
        if not asked or counted:
            return None
        return Composed(
            f"{asked[0].name}의 인원은 업무보고에 나와 있지 않습니다.\n"
            f"{self._session_line(asked[0], today)}\n{basis(asked[0].source)}"
        )

    def program_content(self, u: Understanding, today: dt.date) -> Composed | None:
        p = self._program(u)
        if p is None:
            return None
        asked = self._relevant_facts(self._program_facts(p), u, limit=1, names=(p.name,))
        if asked:  # the part the question names ("국내반", "4차 산업혁명")
            lines = [f"{asked[0].label}: {asked[0].text}"]
        elif p.content:
            lines = [f"{p.name}의 주요 교육내용은 {', '.join(p.content[:3])} 등입니다."]
        else:
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
        lines = [f"{p.name}: {p.summary}" if p.summary else f"{p.name} 안내입니다."]
        for label, value in (("대상", p.target), ("기간", p.duration), ("방식", p.format)):
            if value:
                lines.append(f"• {label}: {value}")
        if p.sessions_planned or p.headcount:
            lines.append(f"• {self.year}년 계획: {_plan_text(p)}")
        sessions = self._sessions(p)
        dated = [s for s in sessions if s.start]
        upcoming = [s for s in dated if (s.end or s.start or "") >= today.isoformat()]
        told: dict[str, int] = {}
        if upcoming:
            s = min(upcoming, key=lambda x: x.start or "")
            lines.append(
                f"• 다음 일정: {s.name} {fmt_span(s.start or '', s.end)} ({when_note(s.start or '', s.end, today)})"
            )
            # the cohort the card tells of is what "그 다음 기수는?" goes on from (and no more: the
            # card is of the whole course)
            if (cohort := cohort_of(s.name)) is not None:
                told = {"next_from": cohort}
        elif dated:
            last = max(dated, key=lambda x: x.end or x.start or "")
            lines.append(
                f"• 일정: 업무보고상 {self.year}년 일정은 모두 지났습니다 "
                f"(마지막: {last.name} {fmt_span(last.start or '', last.end)})."
            )
        children = self.kb.programs(parent=p.id)
        if children:
            lines.append("• 세부 과정: " + ", ".join(c.name for c in children))
        if p.content:
            lines.append("• 주요 내용: " + "; ".join(p.content[:4]))
        # (the card asks nothing in particular: the facts the question's words name are its answer)
        lines = self._with_facts(lines, p, u, limit=3)
        lines.append(basis(p.source))
        return Composed(
            "\n".join(lines), told, topics=self._topic(p), suggestions=(f"{p.name} 일정", f"{p.name} 교육대상")
        )

    def programs_for_ranks(self, ranks: list[str]) -> list[kdb.Program]:
        """The courses for these ranks: those the data lists them for, else those whose target
        names them."""
        found: list[kdb.Program] = []
        for rank in ranks:
            for p in self.kb.programs_for_rank(rank):
                if p not in found:
                    found.append(p)
        if not found:  # ranks the data does not list: look for the rank's words in the targets
            words = [w.replace(" ", "") for r in ranks for w in self.nlu["ranks"].get(r, [r])]
            found = [p for p in self.kb.programs() if p.target and any(w in p.target.replace(" ", "") for w in words)]
        return found

    def program_of_rank(self, rank: str) -> str | None:
        """The one course a rank names, when its courses are one program and its own courses:
        the one course of it for that rank, else the program ("퇴직 앞둔 사람 교육")."""
        found = self.programs_for_ranks([rank])
        if not found or any(p.id != found[0].id and p.parent != found[0].id for p in found):
            return None
        children = [p for p in found if p.parent == found[0].id]
        return children[0].id if len(children) == 1 else found[0].id

    def program_recommend(self, u: Understanding, today: dt.date) -> Composed | None:
        ranks = u.entities.get("rank", [])
        if not ranks:
            return None
        found = self.programs_for_ranks(ranks)
        label = ", ".join(ranks)
        if not found:
            return Composed(f"{josa(label, '을를')} 대상으로 하는 교육과정은 업무보고에 나와 있지 않습니다.\n{basis()}")
        lines = [
            f"{label}에게 해당하는 교육과정은 {', '.join(p.name for p in found[:3])}"
            + (" 등입니다." if len(found) > 3 else "입니다.")
        ]
        for p in found[:8]:
            nxt = ""
            dated = [s for s in self._sessions(p) if s.start and (s.end or s.start) >= today.isoformat()]
            if dated:
                s = min(dated, key=lambda x: x.start or "")
                nxt = f" — 다음 일정 {s.name} {fmt_span(s.start or '', s.end)}"
            lines.append(f"• {p.name}{': ' + _plan_text(p) if (p.headcount or p.sessions_planned) else ''}{nxt}")
        lines.append(basis())
        # one program and its own courses: the answer is about that program ("누가 들어요?" next)
        family = [p for p in found if p.id != found[0].id and p.parent != found[0].id]
        about = {"program": [found[0].id]} if not family else {}
        return Composed("\n".join(lines), about, topics=tuple(Topic("program", p.id) for p in found[:3]))

    def program_list(self, u: Understanding, today: dt.date) -> Composed | None:
        if u.dates:
            start, end = u.dates
            sessions = self.kb.sessions_between(start, end, limit=15)
            span = fmt_span(start.isoformat(), end.isoformat())
            if not sessions:
                return Composed(f"{span} 기간에 진행되는 교육 일정은 업무보고에 없습니다.\n{basis()}")
            items = []
            for s in sessions[:15]:
                p = self.kb.program(s.program_id or "")
                items.append(self._session_line(s, today, prefix=f"{p.name} " if p else ""))
            return Composed("\n".join([_list_head(f"{span} 기간의 교육", items), *items, basis()]))
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
        total = next((r for r in self.kb.plan_rows() if r.mode == "전체"), None)
        courses = total.y2018.get("courses") if total else None
        lines = [
            f"{self.year}년 교육계획은 {courses:,}개 과정입니다. 분야별 주요 과정:"
            if isinstance(courses, int)
            else f"{self.year}년 교육계획의 분야별 주요 과정:"
        ]
        for cat in self.kb.categories():
            progs = self.kb.programs(category=cat.id, top_level=True, limit=6)
            if progs:
                more = self.kb.count_programs(category=cat.id, top_level=True) - len(progs)
                lines.append(
                    f"• {cat.name}: " + ", ".join(p.name for p in progs) + (f" 외 {more:,}개" if more > 0 else "")
                )
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
        items = [self._event_line(e, today, True) for e in evs]
        for s in sessions:
            p = self.kb.program(s.program_id or "")
            items.append(self._session_line(s, today, prefix=f"{p.name} " if p else ""))
        lines = [_list_head(f"{span}의", items)]
        if evs:
            lines.append("채용시험:")
            lines += items[: len(evs)]
        if sessions:
            lines.append("교육과정:")
            lines += items[len(evs) :]
        lines.append(basis())
        return Composed("\n".join(lines))


def _list_head(subject: str, items: list[str]) -> str:
    """ "… 일정은 N건입니다: <the first one>", so the first line already answers."""
    first = items[0].lstrip("• ").split(" — ")[0] if items else ""
    first = re.sub(r"\s\((?:[^()]|\([^()]*\))*\)$", "", first)  # its details stay in the list
    more = f" 외 {len(items) - 1}건" if len(items) > 1 else ""
    return f"{subject} 일정은 {len(items)}건입니다: {first}{more}."


def _named(p: kdb.Program, s: kdb.Session) -> str:
    """The program and one of its cohorts as a reply names them, the program's name said once
    ("핵심가치 공유 교육" and "2018년 핵심가치 공유 교육 (총 40회)": the cohort's name alone)."""
    return s.name if key(p.name) in key(s.name) else f"{p.name} {s.name}"


_HEADCOUNT = re.compile(r"\d[\d,]*\s*명")


def _counts_session(f: kdb.Fact, s: kdb.Session) -> bool:
    """Whether fact ``f`` has a sentence that names cohort ``s`` (with or without 과정) and gives a
    headcount."""
    name = s.name.replace(" ", "").removesuffix("과정")
    return len(name) >= 3 and any(
        name in sentence.replace(" ", "") and _HEADCOUNT.search(sentence)
        for sentence in re.split(r"(?<=[.다])\s+", f.text)
    )


def _listed_among_others(f: kdb.Fact, p: kdb.Program) -> bool:
    """Whether fact ``f`` names course ``p`` only as one item of a list ("4차 산업혁명 이해,
    3D프린터와 사물인터넷 융합활용, 드론이해와 활용사례 등"): its figures are the group's."""
    text = f.text.replace(" ", "")
    for name in (n.replace(" ", "") for n in (p.name, *p.aliases)):
        at = text.find(name) if len(name) >= 3 else -1
        if at < 0:
            continue
        before, after = text[at - 1 : at] if at else "", text[at + len(name) : at + len(name) + 1]
        if before in (",", "、") or after == "등":  # (the first item may stand for the group)
            return True
    return False


def _track(name: str) -> str:
    """The track a cohort's name puts it in ("2주 교육 3기" → "2주 교육"; "제8기" → "")."""
    return re.sub(r"\s*제?\d+\s*기.*$", "", name).strip()
