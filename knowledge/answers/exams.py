"""Answers about the recruitment exams: schedules, figures, expert hiring, interview format."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from db import knowledge as kdb
from knowledge.answers.common import AnswerBase, Composed, short_year
from knowledge.normalize import key
from knowledge.reply import Topic
from knowledge.text import EVENT_NAMES, basis, fmt_date, fmt_span, josa, num, ranks_written, when_note
from knowledge.understand import Understanding, asks_next, next_at


class ExamAnswers(AnswerBase):
    def exam_schedule(self, u: Understanding, today: dt.date) -> Composed | None:
        round_ids = u.entities.get("round", []) or self._rounds_of_rank(u)
        types = u.entities.get("event_type", [])
        if "expert" in round_ids and len(round_ids) == 1:
            return self.exam_expert(u, today)
        if u.dates and not round_ids and not types:
            start, end = u.dates
            evs = self.kb.events(start=start, end=end)
            span = fmt_span(start.isoformat(), end.isoformat())
            if not evs:
                return Composed(f"{span} 기간에는 업무보고에 있는 채용시험 일정이 없습니다.\n{basis()}")
            lines = [f"{span} 기간의 채용시험 일정입니다."] + [self._event_line(e, today, True) for e in evs]
            return Composed("\n".join(lines + [basis()]))
        if len(round_ids) == 1 and types and asks_next(u) and ("event_type" in u.inherited or _next_after_named(u)):
            # "그다음 일정은?" after an event of a round, or "필기 합격하면 다음 일정은?": the
            # round's event after it
            evs = sorted(self.kb.events(round_id=round_ids[0]), key=lambda e: e.start)
            asked = set(types)
            last = max((e.start for e in evs if e.type in asked), default=None)
            after = [e for e in evs if last is not None and e.start > last]
            r = self.kb.round_(round_ids[0])
            if after and r is not None:
                e = after[0]
                return Composed(
                    f"{josa(f'{r.name} {EVENT_NAMES[e.type]}', '은는')} {fmt_span(e.start, e.end)}"
                    f"입니다 ({when_note(e.start, e.end, today)}).\n{basis()}",
                    {"round": [r.id], "event_type": [e.type]},
                    topics=(Topic("exam_round", r.id),),
                )
        rounds = [r for r in (self.kb.round_(rid) for rid in round_ids) if r] or [
            r for r in self.kb.rounds() if r.kind != "전문가"
        ]
        if types and not round_ids and not u.dates:
            # "최종 합격자 발표 언제예요": the rounds whose event is still to come lead, nearest first
            def coming(r: kdb.Round) -> str:
                starts = [
                    e.start
                    for e in self.kb.events(round_id=r.id)
                    if e.type in types and (e.end or e.start) >= today.isoformat()
                ]
                return min(starts, default="9999")

            rounds = sorted(rounds, key=coming)
        lines: list[str] = []
        topics: list[Topic] = []
        single = len(rounds) == 1
        for r in rounds:
            evs = self.kb.events(round_id=r.id)
            chosen = [e for e in evs if e.type in types] if types else evs
            if u.dates and (not round_ids or types):
                within = [
                    e
                    for e in chosen
                    if e.start <= u.dates[1].isoformat() and (e.end or e.start) >= u.dates[0].isoformat()
                ]
                if not round_ids:  # "12월에 무슨 발표 있어요"
                    chosen = within
                    if not chosen:
                        continue
                elif within:  # "2차 합격자 발표 11월 며칠": of its announcements, the one in November
                    chosen = within
            if types and not chosen:
                if single or round_ids:
                    names = "·".join(EVENT_NAMES[t] for t in types)
                    lines.append(f"{r.name}의 {names} 날짜는 업무보고에 나와 있지 않습니다.")
                    if evs:
                        lines.append("업무보고에 있는 일정:")
                        lines += [self._event_line(e, today) for e in evs]
                continue
            if not chosen:
                lines.append(
                    f"{r.name}: 업무보고에 날짜별 일정이 없습니다" + (f" (상태: {r.status})." if r.status else ".")
                )
                continue
            topics.append(Topic("exam_round", r.id))
            if types and len(chosen) <= 2:
                for e in chosen:
                    lines.append(
                        f"{josa(f'{r.name} {EVENT_NAMES[e.type]}', '은는')} {fmt_span(e.start, e.end)}"
                        f"입니다 ({when_note(e.start, e.end, today)})."
                    )
                    if e.note:
                        lines.append(f"  참고: {e.note}")
            else:
                lines.append(f"[{r.name}] 일정")
                lines += [self._event_line(e, today) for e in chosen]
        if not lines and types and u.dates and not round_ids:
            return self._outside_the_window(u, types, rounds, today)
        if not lines:
            return None
        if not u.entities.get("round") and not types and not u.dates:
            # rounds the question did not name are listed: the event coming next answers "언제" first
            upcoming = sorted(
                (e for r in rounds for e in self.kb.events(round_id=r.id) if (e.end or e.start) >= today.isoformat()),
                key=lambda e: e.start,
            )
            if upcoming:
                e = upcoming[0]
                name = next((r.name for r in rounds if r.id == e.round), "")
                lines.insert(
                    0,
                    f"다음 채용시험 일정은 {name} {EVENT_NAMES[e.type]}, {fmt_span(e.start, e.end)}입니다 "
                    f"({when_note(e.start, e.end, today)}).",
                )
        lines.append(basis())
        # the one round answered about is what a follow-up ("그 다음 일정은?") goes on with
        answered = {"round": [topics[0].ref_id]} if len(topics) == 1 and not round_ids else {}
        return Composed("\n".join(lines), answered, topics=tuple(topics))

    def _outside_the_window(
        self, u: Understanding, types: list[str], rounds: list[Any], today: dt.date
    ) -> Composed | None:
        """ "인성검사 다음 주예요?" when none falls in the span asked: it says so, then the one
        nearest to come (or, when all are past, the last)."""
        assert u.dates is not None
        evs = sorted(
            (e for r in rounds for e in self.kb.events(round_id=r.id) if e.type in types), key=lambda e: e.start
        )
        if not evs:
            return None
        coming = [e for e in evs if (e.end or e.start) >= today.isoformat()]
        e = coming[0] if coming else evs[-1]
        r = next(r for r in rounds if r.id == e.round)
        span = fmt_span(u.dates[0].isoformat(), u.dates[1].isoformat())
        names = "·".join(EVENT_NAMES[t] for t in types)
        return Composed(
            f"{josa(f'{r.name} {EVENT_NAMES[e.type]}', '은는')} {fmt_span(e.start, e.end)}입니다 "
            f"({when_note(e.start, e.end, today)}).\n"
            f"{span} 기간에는 {josa(names, '이가')} 없습니다.\n{basis()}",
            {"round": [r.id], "event_type": [e.type]},
            topics=(Topic("exam_round", r.id),),
        )

    def _kinds_together(self, u: Understanding) -> Composed | None:
        """ "공개/경력경쟁 채용 몇 번 몇 명": the question names the open and the career exams
        together, as the recruitment plan sums them (4회 2,984명), not the one round whose name
        holds one of the words."""
        overview = self.kb.section("recruitment")
        kinds = {r.kind for r in self.kb.rounds() if r.kind and r.kind != "전문가"}
        # a kind by its first word or its everyday short form ("공개경쟁": 공개, 공채)
        named = {k for k in kinds if k[:2] in u.key or f"{k[0]}채" in u.key}
        if len(kinds) < 2 or named != kinds or overview is None or not overview.get("open_total"):
            return None
        rounds = [r for r in self.kb.rounds() if r.kind in kinds]
        lines = [f"공개/경력경쟁 채용은 {self.year}년 {self._open_subtotal(overview)}입니다."]
        lines += self._open_note(overview) + [_plan_line(r) for r in rounds]
        return Composed("\n".join([*lines, basis()]), {"round": [r.id for r in rounds]})

    def _whole_plan(self, r: Any) -> Composed | None:
        """ "전문가 채용까지 다 합치면": the whole recruitment plan, of which experts are a part."""
        overview = self.kb.section("recruitment")
        if overview is None or not overview.get("planned_total"):
            return None
        lines = [f"전문가 채용까지 합친 {self.year}년 채용계획은 {self._plan_total(overview)}입니다."]
        if overview.get("open_total"):
            lines.append(f"• 공개/경력경쟁: {self._open_subtotal(overview)}")
            lines += self._open_note(overview)
        if r is not None:
            lines.append(f"• 전문가 채용: {num(r.planned, '명')} ({r.status or '수시'})")
        return Composed("\n".join([*lines, basis()]))

    def _last_year(self, count: int | None) -> str:
        """ " (’17년 2,630명)", or "" when the report gives no count for last year."""
        return f" ({short_year(self.year - 1)}년 {count:,}명)" if count else ""

    def _plan_total(self, overview: Any) -> str:
        """ "총 3,094명 (’17년 2,740명)": the whole recruitment plan."""
        return f"총 {overview.get('planned_total'):,}명{self._last_year(overview.get('planned_2017'))}"

    @staticmethod
    def _open_note(overview: Any) -> list[str]:
        """Where the report gives the open and career exams' total otherwise: said beside it."""
        note = overview.get("open_total_note")
        return [f"참고: {note}"] if note else []

    def _open_subtotal(self, overview: Any) -> str:
        """ "4회, 2,984명 (’17년 2,630명)": the open and career exams of the recruitment plan."""
        total = f"{overview.get('open_rounds') or '-'}회, {overview.get('open_total'):,}명"
        return total + self._last_year(overview.get("open_2017"))

    def _rounds_of_rank(self, u: Understanding) -> list[str]:
        """The rounds whose own names say they recruit the rank asked ("7급 공채" → the round
        aliased "7·9급 공채"), when the question names no round."""
        ranks = {int(r[0]) for r in u.entities.get("rank", []) if re.fullmatch(r"\d급", r)}
        if not ranks or u.entities.get("round"):
            return []
        return [r.id for r in self.kb.rounds() if ranks & ranks_written(" ".join((r.name, *r.aliases)))]

    def exam_figures(self, u: Understanding, today: dt.date) -> Composed | None:
        together = self._kinds_together(u)
        if together is not None:
            return together
        round_ids = u.entities.get("round", []) or self._rounds_of_rank(u)
        if not round_ids and ("attr.count_figures" in u.features or "event_type" in u.entities):
            round_ids = list(dict.fromkeys(st.round for st in self.kb.exam_stats()))
        if not round_ids:
            overview = self.kb.section("recruitment")
            lines = []
            if overview and overview.get("planned_total"):
                lines.append(f"{self.year}년 채용계획은 {self._plan_total(overview)}입니다.")
            if overview and overview.get("open_total"):
                lines.append(f"• 공개/경력경쟁: {self._open_subtotal(overview)}")
            lines += [_plan_line(r) for r in self.kb.rounds()]
            # (after the rounds: the whole plan leads here, not the open exams' total)
            lines += self._open_note(overview) if overview and overview.get("open_total") else []
            if not lines:
                return None
            return Composed("\n".join(lines + [basis()]))
        lines = []
        for rid in round_ids:
            r = self.kb.round_(rid)
            if r is None:
                continue
            text = f"{r.name}: 채용계획 {num(r.planned, '명')}"
            text += (
                f", 채용인원 {num(r.hired, '명')}"
                if r.hired is not None
                else f", 채용인원은 아직 확정되지 않았습니다({r.status})"
                if r.status
                else ""
            )
            stats = self.kb.exam_stats(rid)
            # asked about the written exam's figures ("응시율", "원서 낸 사람"): those come first
            stats_first = bool(stats) and ("attr.count_figures" in u.features or "event_type" in u.entities)
            if not stats_first:
                lines.append(text + ".")
            if r.series and not stats_first:
                lines.append(f"• 채용직렬: {r.series}")
            for st in stats:
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
                lines.append(f"{r.name} {', '.join(parts)}." if stats_first else "• " + ", ".join(parts))
            if stats_first:
                lines.append(f"• {text}.")
            relevant = self._relevant_facts(r.facts, u, names=(r.name, *r.aliases))
            lines += [f"• {f.label}: {f.text}" for f in relevant or r.facts[:2]]
        if not lines:
            return None
        return Composed("\n".join(lines + [basis()]), topics=tuple(Topic("exam_round", r) for r in round_ids))

    def exam_expert(self, u: Understanding, today: dt.date) -> Composed | None:
        cats = self.kb.expert_categories()
        wanted = u.entities.get("expert_category")
        chosen = [c for c in cats if c.id in wanted] if wanted else cats
        r = self.kb.round_("expert")
        lines = []
        if not wanted and any(key(w) in u.key for w in self.nlu.get("sum_words") or ()):
            whole = self._whole_plan(r)
            if whole is not None:
                return whole
        if r and not wanted:
            lines.append(
                f"전문가 채용은 {r.status or '수시'}로 진행하며 {self.year}년 채용계획은 "
                f"{num(r.planned, '명')}입니다" + (f" (상반기까지 {r.hired}명 채용)." if r.hired is not None else ".")
            )
        for c in chosen:
            detail = ", ".join(x for x in (c.cadence, c.rounds) if x)
            lines.append(f"• {c.name}: {c.planned}명" + (f" ({detail})" if detail else ""))
        if r:
            relevant = self._relevant_facts(r.facts, u, limit=3, names=(r.name, *r.aliases))
            if wanted:  # what the report says of the category asked ("일반임기제 … 완료 27명")
                names = tuple(c.name for c in chosen)
                asked = self._relevant_facts(r.facts, u, limit=1, names=(r.name, *r.aliases, *names))
                about = [f for f in r.facts if any(key(c.name) in key(f.label + f.text) for c in chosen)]
                relevant = list(dict.fromkeys([*relevant, *about[:2]]))
                if asked and asked[0] in about:
                    # the question asks more of the category than its plan ("상반기에 몇 명"): that first
                    lines.insert(0, f"{asked[0].label}: {asked[0].text}")
                    relevant = [f for f in relevant if f is not asked[0]]
            lines += [
                f"• {f.label}: {f.text}"
                for f in relevant or [f for f in r.facts if wanted is None and ("방법" in f.label or "시기" in f.label)]
            ]
        if not lines:
            return None
        return Composed("\n".join(lines + [basis(chosen[0].source if chosen else None)]))

    def exam_interview_format(self, u: Understanding, today: dt.date) -> Composed | None:
        facts = [
            f for f in self.kb.facts() if "면접" in f.label and ("방식" in f.text or "분" in f.text or "면접" in f.text)
        ]
        if not facts:
            return None
        asked = self._relevant_facts(tuple(facts), u, limit=1, names=("면접", "면접시험"))
        first = asked[0] if asked else facts[0]
        lines = [f"{first.label}: {first.text}"]
        lines += [f"• {f.label}: {f.text}" for f in facts[:4] if f is not first]
        return Composed("\n".join(lines + [basis(facts[0].source)]))


def _plan_line(r: kdb.Round) -> str:
    """ "• 제1회 공개경쟁 임용시험 (1차): 계획 301명, 채용 293명" """
    done = f", 채용 {num(r.hired, '명')}" if r.hired is not None else f" ({r.status})" if r.status else ""
    return f"• {r.name}: 계획 {num(r.planned, '명')}{done}"


def _next_after_named(u: Understanding) -> bool:
    """Whether "다음" comes after the event the question names ("필기 합격하면 다음 일정은"), not
    before it ("다음 필기시험": the next one of them)."""
    at = next_at(u)
    # (what the asker tells after the question is gone through: "다음 일정 뭐예요? 필기는 붙었어요")
    told_after = len(key(u.text[: u.text.rindex("?")])) if "?" in u.text.rstrip("?") else None
    # (an event said as the topic, "면접은 그 다음 언제?", is the one asked, coming next)
    return at is not None and any(
        m.kind in ("event_type", "event_any")
        and (
            (m.end <= at and u.key[m.end : m.end + 1] not in ("은", "는"))
            or (told_after is not None and m.start >= told_after)
        )
        for m in u.matches
    )
