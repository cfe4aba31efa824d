"""Answers about money and plans: budget lines and the training plan table."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from db import knowledge as kdb
from knowledge.answers.common import AnswerBase, Composed, short_year
from knowledge.normalize import key
from knowledge.text import basis, josa, won
from knowledge.understand import Understanding


class MoneyAnswers(AnswerBase):
    def budget_info(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = list(u.entities.get("budget_line", []))
        # "제일 많이 줄어든 사업은?": of all lines, unless the question names one of its own
        named = "budget_line" not in u.inherited and any(not w.endswith("total") for w in wanted)
        if "attr.most" in u.features and not named:
            ranked = self._most_spent(u) if "attr.rate" in u.features else self._most_changed(u)
            ranked = ranked or self._most_funded(u)
            if ranked is not None:
                return ranked
        round_lines = self._round_lines(u)
        if round_lines:
            # "임기제 채용시험 예산": the line the round's own names name, not one a general word
            # of the question ("채용시험") matched
            wanted = round_lines
        if not wanted:
            program = self._program(u)
            if program and not program.budget_line and program.parent:
                # a sub-course is funded by its program's line ("4급 역량이해교육" → 4·5급's),
                # which the reply names as it is
                program = self.kb.program(program.parent) or program
            if program and program.budget_line:
                wanted = [program.budget_line]
                # the 세출 table line too, where the report names the same business there
                wanted += [
                    b.id
                    for b in self.kb.budget_lines("expenditure")
                    if b.id != program.budget_line and _same_business(b.name, program)
                ]
        if not wanted:
            # the centre's own name names no line ("인재원 예산" is the whole budget). Records the
            # question names are looked for first, then the concepts it names, by all their names
            # ("LMS" → 교육통합시스템); "예산은요?" goes on with the last question's record.
            named_probes = {
                m.text for m in u.matches if m.kind not in ("attr", "topic", "fact", "self", "concept")
            } | self._inherited_names(u)
            concept_probes = {
                w
                for m in u.matches
                if m.kind == "concept" and m.value != "budget"
                for w in (m.text, *self.nlu["concepts"].get(m.value, ()))
            }
            for probes in (named_probes, concept_probes):
                wanted = self._lines_named(probes)
                if wanted:
                    break
        named = [
            m.text
            for m in u.matches
            if m.kind in ("building", "amenity", "department", "work") and m.kind not in u.inherited
        ]
        named += self._record_names(u, ("building", "amenity", "department", "work"), inherited=True)
        if named and not wanted:  # "배움관 예산": the report budgets businesses, not buildings
            return Composed(f"{josa(named[0] + '의 예산', '은는')} 업무보고에 나와 있지 않습니다.\n{basis()}")
        lines: list[str] = []
        # The same business in the 세출 table and in its section's execution table: one entry,
        # the change from the table and the execution from the section.
        groups: list[list[kdb.BudgetLine]] = []
        for lid in dict.fromkeys(wanted[:4]):
            b = self.kb.budget_line(lid)
            if b is None:
                continue
            same = next((g for g in groups if b.y2018 is not None and g[0].y2018 == b.y2018), None)
            if same is not None:
                same.append(b)
            else:
                groups.append([b])
        every = self.kb.budget_lines()
        for group in groups:
            # the same amount under another name that shares a word ("역량평가 운영" in the table,
            # "5급 역량평가" in its section): the same business
            group += [
                x
                for x in every
                if x.y2018 is not None
                and x.y2018 == group[0].y2018
                and x not in group
                and _shared_word(x.name, group[0].name)
            ]
            b = next((x for x in group if x.change is not None), group[0])
            run = next((x for x in group if x.executed is not None), None)
            change = ""
            if b.change is not None:
                change = f", 증감액 {b.change:+,}천원" + (
                    f", 증감률 {b.change_pct:+.1f}%" if b.change_pct is not None else ""
                )
            lines.append(
                f"{b.name}의 {self.year}년 예산은 {won(b.y2018)}입니다"
                + (
                    f" ({short_year(self.year - 1)}년 {won(b.y2017, words=False)}{change})"
                    if b.y2017 is not None
                    else ""
                )
                + "."
            )
            if run is not None and run.executed is not None:
                lines.append(
                    f"• 집행액(원인행위, 6.30. 기준): {won(run.executed)}"
                    + (f", 집행률 {run.executed_pct}%" if run.executed_pct is not None else "")
                )
            paid = next((x for x in group if x.spent is not None), None)
            if paid is not None and paid.spent is not None:
                lines.append(
                    f"• 지출액: {won(paid.spent, words=False)}"
                    + (f" (지출액 기준 집행률 {paid.spent_pct}%)" if paid.spent_pct is not None else "")
                )
            ahead = next((x for x in group if x.year_end_forecast is not None), None)
            if ahead is not None and ahead.year_end_forecast is not None:
                lines.append(
                    f"• 연말 집행 예상액: {won(ahead.year_end_forecast, words=False)}"
                    + (f" (예상 집행률 {ahead.year_end_pct}%)" if ahead.year_end_pct is not None else "")
                )
            if b.note:
                lines.append(f"참고: {b.note}")
            if b.table == "revenue" and "합계" in (b.name + (b.group or "")) or b.id.endswith("total"):
                parts = [x for x in self.kb.budget_lines(b.table) if x.id != b.id and not x.id.endswith("total")][:8]
                lines += [f"• {x.name}: {won(x.y2018)}" + (f" — {x.note}" if x.note else "") for x in parts]
            lines.append(basis("; ".join(dict.fromkeys(x.source for x in group if x.source))))
        if lines:
            # the lines answered are the subject a follow-up goes on with ("작년엔 얼마였어요?")
            return Composed("\n".join(lines), {"budget_line": [g[0].id for g in groups]})
        exp = self.kb.budget_lines("expenditure")
        rev = self.kb.budget_lines("revenue")
        if not exp and not rev:
            return None
        if exp:  # "예산" is what the centre spends: the expenditure first, then the revenue
            total = exp[0]
            change = f"증감액 {total.change:+,}천원, " if total.change is not None else ""
            last_year = f"{short_year(self.year - 1)}년 {won(total.y2017, words=False)}"
            lines.append(
                f"{self.year}년 세출예산: {won(total.y2018)} ({last_year}, {change}증감률 {total.change_pct:+.1f}%)"
            )
            if total.executed is not None:
                lines.append(f"집행액(6.30. 원인행위 기준): {won(total.executed)}, 집행률 {total.executed_pct}%")
        if rev:
            lines.append(f"{self.year}년 세입예산: {won(rev[0].y2018)}")
        lines.append(basis(exp[0].source if exp else rev[0].source))
        return Composed("\n".join(lines))

    def _lines_named(self, probes: set[str]) -> list[str]:
        """The budget lines whose names hold one of ``probes``; a word many lines' names share
        names none of them ("교육": 교육생급식지원, 교육과정개발…, 교육훈련장비확충)."""
        lines = self.kb.budget_lines()
        names = [(b.id, [key(n) for n in (b.name, *b.aliases)]) for b in lines]
        keys = {k for k in (key(p) for p in probes) if len(k) >= 2}
        keys = {k for k in keys if sum(any(k in n for n in ns) for _, ns in names) < 3}
        return [i for i, ns in names if any(k in n for k in keys for n in ns)]

    def _round_lines(self, u: Understanding) -> list[str]:
        """The one budget line whose name holds a name of the exam round the question is about
        ("일반임기제, 전문경력관등 임용시험" for 전문가 채용), if there is one."""
        out: list[str] = []
        for round_id in u.entities.get("round", []):
            r = self.kb.round_(round_id)
            names = {key(n) for n in (r.name, *r.aliases)} if r is not None else set()
            lines = [b.id for b in self.kb.budget_lines() if any(len(n) >= 3 and n in key(b.name) for n in names)]
            if len(lines) == 1:
                out += lines
        return out

    def _business_lines(self) -> list[kdb.BudgetLine]:
        """The 세출 lines of businesses, not the totals (nor a line that repeats a total's sum)."""
        lines = self.kb.budget_lines("expenditure")
        totals = {b.y2018 for b in lines if b.id.endswith("total")}
        return [b for b in lines if b.y2018 not in totals]

    def _most_spent(self, u: Understanding) -> Composed | None:
        """ "집행률 제일 낮은 사업은?": the business lines ranked by the share of their budget
        committed by 6.30 (lowest first when the question asks the lowest)."""
        low = re.search(r"낮|적은|적게|저조|최저|덜", u.text) is not None
        way = "낮은" if low else "높은"
        return self._ranked_lines(
            lambda b: b.executed_pct,
            low,
            lambda b: (
                f"{self.year}년 세출예산에서 집행률(6.30. 원인행위 기준)이 가장 {way} 사업은 {b.name}입니다 "
                f"(집행률 {b.executed_pct}%, 집행액 {won(b.executed or 0)}; 예산 {won(b.y2018)})."
            ),
            lambda b: f"집행률 {b.executed_pct}%",
        )

    def _most_funded(self, u: Understanding) -> Composed | None:
        """ "예산 제일 큰 사업은?": the business lines ranked by this year's budget (the smallest
        first when the question asks the smallest)."""
        small = re.search(r"작은|적은|적게|최소|덜", u.text) is not None
        way = "적은" if small else "많은"
        return self._ranked_lines(
            lambda b: b.y2018,
            small,
            lambda b: f"{self.year}년 세출예산에서 예산이 가장 {way} 사업은 {b.name}입니다 ({won(b.y2018)}).",
            lambda b: won(b.y2018),
        )

    def _ranked_lines(
        self,
        figure: Callable[[kdb.BudgetLine], float | int | None],
        fewest: bool,
        lead: Callable[[kdb.BudgetLine], str],
        other: Callable[[kdb.BudgetLine], str],
    ) -> Composed | None:
        """The business lines ranked by ``figure`` (the fewest first with ``fewest``): the top one
        said by ``lead``, the next two by ``other``."""
        every = [b for b in self._business_lines() if figure(b) is not None]
        if not every:
            return None
        ranked = sorted(every, key=lambda b: figure(b) or 0, reverse=not fewest)[:3]
        top = ranked[0]
        out = [lead(top), *(f"• 다음: {b.name} ({other(b)})" for b in ranked[1:]), basis(top.source)]
        return Composed("\n".join(out), {"budget_line": [top.id]})

    def _most_changed(self, u: Understanding) -> Composed | None:
        """ "제일 많이 줄어든 사업은?": the business lines ranked by their change from last year,
        by rate when the question asks a rate ("비율로"), else by amount."""
        every = [b for b in self._business_lines() if b.change is not None]
        if not every or not ({"attr.increase", "attr.decrease"} & set(u.features) or "증감" in u.key):
            return None
        down = "attr.decrease" in u.features and "attr.increase" not in u.features
        by_rate = bool(re.search(r"비율|률|율|%|퍼센트|프로", u.text))

        def size(b: kdb.BudgetLine) -> float:
            value = (b.change_pct or 0.0) if by_rate else float(b.change or 0)
            return -value if down else value

        ranked = sorted(every, key=size, reverse=True)[:3]
        way = "줄어든" if down else "늘어난"
        how = "증감률" if by_rate else "증감액"

        def figures(b: kdb.BudgetLine) -> str:
            rate = f"증감률 {b.change_pct:+.1f}%" if b.change_pct is not None else ""
            amount = f"증감액 {b.change:+,}천원" if b.change is not None else ""
            return ", ".join(x for x in ((rate, amount) if by_rate else (amount, rate)) if x)

        top = ranked[0]
        out = [
            f"{self.year}년 세출예산에서 전년보다 {how} 기준으로 가장 많이 {way} 사업은 "
            f"{top.name}입니다 ({figures(top)}; "
            f"{self.year}년 {won(top.y2018)})."
        ]
        out += [f"• 다음: {b.name} ({figures(b)})" for b in ranked[1:]]
        out.append(basis(top.source))
        return Composed("\n".join(out), {"budget_line": [top.id]})

    def plan_overview(self, u: Understanding, today: dt.date) -> Composed | None:
        rows = self.kb.plan_rows()
        if not rows:
            return None
        chosen = plan_rows_asked(rows, u)
        if not chosen and "plan_row" in u.inherited and "whole" not in u.features:
            # "작년엔?" after the IT courses' row: the same rows ("전체는요?": the whole plan)
            chosen = [r for r in rows if r.id in u.inherited["plan_row"]]
        if chosen:
            lines = plan_lines(chosen, u, self.year)
        else:
            totals = [r for r in rows if r.area in ("전체", "소계") or r.mode == "전체"]
            lines = [plan_line(totals[0], self.year, first=True)] if totals else []
            lines += ["• " + plan_line(r, self.year) for r in totals[1:]]
        lines.append(basis(rows[0].source))
        return Composed("\n".join(lines), {"plan_row": [r.id for r in chosen[:3]]} if chosen else {})


def _same_business(name: str, program: kdb.Program) -> bool:
    compact = name.replace(" ", "").replace("운영", "")
    names = [program.name, *program.aliases]
    return any(len(n.replace(" ", "")) >= 3 and n.replace(" ", "").replace("운영", "") in compact for n in names)


def plan_lines(chosen: list[kdb.PlanRow], u: Understanding, year: int) -> list[str]:
    """The lines of the plan rows asked: an area named without a category of it ("직무역량
    집합교육 몇 과정", "이러닝 개인학습은") first as its rows added up, then each row."""
    sums = _area_sums(chosen, u)
    if sums:
        return [plan_line(r, year, first=True) for r in sums] + ["• " + plan_line(r, year) for r in chosen[:6]]
    return [plan_line(r, year, first=True) for r in chosen[:3]]


def _area_sums(chosen: list[kdb.PlanRow], u: Understanding) -> list[kdb.PlanRow]:
    """Per mode, the sum of an area's rows, when the question names the area and no category of
    it; a figure is added up only where every row gives it."""
    if len({r.area for r in chosen}) != 1 or any(key(r.category) in u.key for r in chosen):
        return []
    out = []
    for mode in dict.fromkeys(r.mode for r in chosen):
        rows = [r for r in chosen if r.mode == mode]
        if len(rows) >= 2:
            last, this = _added_up([r.y2017 for r in rows]), _added_up([r.y2018 for r in rows])
            out.append(kdb.PlanRow("", mode, rows[0].area, rows[0].area, last, this, rows[0].source))
    return out


def _added_up(counts: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of rows added up, each only where every row gives it."""
    fields = ("courses", "sessions", "trainees")
    return {f: sum(c[f] for c in counts) for f in fields if all(isinstance(c.get(f), int) for c in counts)}


def plan_rows_asked(rows: list[kdb.PlanRow], u: Understanding) -> list[kdb.PlanRow]:
    """The plan-table rows a question names by mode ("집합", "e-러닝") and category ("IT")."""
    q = u.key
    modes = {r.mode for r in rows if _names_mode(r.mode, q, u)}
    named = [r for r in rows if r.category not in ("전체", "소계") and key(r.category) in q]
    # the area too ("리더십역량"): its rows, or those of the category named that are in it
    areas = [r for r in rows if r.area not in ("전체", "소계") and len(key(r.area)) >= 3 and key(r.area) in q]
    named = [r for r in named if r in areas] or named or areas
    if named:
        return [r for r in named if not modes or r.mode in modes]
    if modes:
        return [r for r in rows if r.mode in modes and r.area == "소계"]
    return []


def _names_mode(mode: str, q: str, u: Understanding) -> bool:
    """Whether the question names a mode of the plan table: e-learning by any word of the
    vocabulary's e-learning concept, classroom by its name with or without "교육" ("집합")."""
    if mode == "전체":
        return False
    if key(mode) == "e러닝":
        return "concept.elearning" in u.features
    return key(mode) in q or key(mode).removesuffix("교육") in q


def plan_line(r: kdb.PlanRow, year: int, first: bool = False) -> str:
    """One plan-table row with the previous year's figures and the change."""

    def figures(c: dict[str, Any]) -> str:
        bits = []
        if isinstance(c.get("courses"), int):
            bits.append(f"{c['courses']:,}개 과정")
        if isinstance(c.get("sessions"), int):
            bits.append(f"{c['sessions']:,}회")
        if isinstance(c.get("trainees"), int):
            bits.append(f"{c['trainees']:,}명")
        return ", ".join(bits) or "수치 없음"

    # the row's area too ("e-러닝 직무역량 공통"): a category alone ("공통") is of any area
    area = f"{r.area} " if r.area and r.area not in ("소계", "전체", r.category) else ""
    label = (
        "전체"
        if r.mode == "전체"
        else (f"{r.mode} {area}{r.category}" if r.category not in ("소계", "전체") else f"{r.mode} 소계")
    )
    change = []
    for field_name, unit in (("courses", "개 과정"), ("sessions", "회"), ("trainees", "명")):
        a, b = r.y2017.get(field_name), r.y2018.get(field_name)
        if isinstance(a, int) and isinstance(b, int):
            change.append(f"{b - a:+,}{unit}")
    tail = f"; 전년 대비 {', '.join(change)}" if change else ""
    if figures(r.y2018) == figures(r.y2017) == "수치 없음":
        # (a row the table gives no figures for, but in brackets outside its sums: "u-지식여행")
        if first:
            return f"교육계획 표에는 {label}의 과정 수·횟수·인원이 {year}년, {year - 1}년 모두 나와 있지 않습니다."
        return f"{label}: 표에 과정 수·횟수·인원 없음"
    if first:
        return f"{year}년 {label} 교육계획은 {figures(r.y2018)}입니다 ({year - 1}년 {figures(r.y2017)}{tail})."
    return f"{label}: {figures(r.y2018)} ({year - 1}년 {figures(r.y2017)}{tail})"


def _shared_word(a: str, b: str) -> bool:
    words = {w for w in re.split(r"[\s·․()]+", a) if len(w) >= 2} - {"운영", "사업"}
    return any(w in b for w in words)
