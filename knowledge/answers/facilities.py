"""Answers about the site, buildings, amenities and works, and the workplace daycare."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from knowledge import morph
from knowledge.answers.common import AnswerBase, Composed
from knowledge.text import basis, fmt_month, fmt_span, josa, num
from knowledge.understand import Understanding, asked_text, told_part_end

# predicates that ask only whether a thing is there or may be used ("있어요", "쓸 수", "이용 가능")
_BEING = ("있", "없", "이용", "사용", "쓰", "쓸", "써", "가능", "되", "돼")


# the asker's own place in the order asked ("몇 순위예요", "몇순위")
_OWN_RANK = re.compile(r"몇\s*순위")


class FacilityAnswers(AnswerBase):
    def daycare_priority(self, u: Understanding, today: dt.date) -> Composed | None:
        prios = self.kb.priorities()
        if not prios:
            return None
        groups = [int(g) for g in u.entities.get("priority_group", []) if str(g).isdigit()]
        # "저는 그냥 맞벌이인데 몇 순위예요": an asker who tells of themselves, of no group named
        # (a group taken over from the last turn is not theirs), is of the general one
        own = "priority_group" not in u.inherited and groups
        general = prios[-1].group if "일반" in prios[-1].group else ""
        if general and not own and told_part_end(u.text) and _OWN_RANK.search(u.text):
            groups = []
            above = "·".join(str(p.rank) for p in prios[:-1])
            by = "으로" if josa(general, "은는").endswith("은") else "로"
            lines = [f"{above}순위에 해당하지 않으면 {general}{by} {prios[-1].rank}순위입니다."]
        else:
            lines = []
        # "전체 다 알려주세요 0순위부터": the whole order, from the rank named
        if groups and "whole" not in u.features:
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
            # part of the list (an indented line), so a short reply keeps every rank with it
            lines.append(f"  결원 시: {daycare.get('vacancy')}")
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

    def facility_building(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = u.entities.get("building", [])
        blds = [b for b in self.kb.buildings() if b.id in wanted] or self.kb.buildings()
        heads, more = [], []
        for b in blds:  # the floors first (what is asked), the building's notes after
            floors = f"지상 {b.floors_above}층"
            if b.floors_below:
                floors = f"지하 {b.floors_below}층, " + floors
            heads.append(f"{josa(b.name, '은는')} {floors} 건물입니다.")
            if b.note:
                more.append(f"• {b.note}")
            inside = self.kb.amenities(building=b.id)
            if inside and wanted:
                more.append(f"• {b.name} 시설: " + ", ".join(a.name for a in inside))
        lines = [" ".join(heads)] if len(heads) <= 2 else heads
        lines += more
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
            f"({num(site.get('floor_area_pyeong'))}평)입니다: " + ", ".join(b.name for b in self.kb.buildings()) + ".",
        ]
        amen = self.kb.amenities()
        if amen:
            lines.append("교육시설: " + ", ".join(a.name for a in amen))
        lines.append(basis(site.get("source")))
        return Composed("\n".join(lines))

    def facility_amenity(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = u.entities.get("amenity", [])
        every = self.kb.amenities()
        amen = [a for a in every if a.id in wanted]
        if not amen:
            return None
        # a facility the report only names (its description one that others share, no building)
        # answers whether it is there, not how it runs ("점심 뭐 먹어요", "도서실 주말에도 열어요")
        shared = {d for d, n in Counter(a.description for a in every if a.description).items() if n > 1}
        named_only = all(a.description in shared and not a.building for a in amen)
        # (what it asks by a word of its own, "몇 시까지", "메뉴", is said lacking by that word)
        asks_by_word = u.unknown_words or any(m.kind == "attr" for m in u.matches)
        if named_only and not asks_by_word and self._asks_more_than_being(asked_text(u.text)):
            names = ", ".join(a.name for a in amen)
            return Composed(
                f"{josa(names, '이가')} 있다는 것 외에 자세한 내용은 업무보고에 나와 있지 않습니다.\n"
                f"{basis(amen[0].source)}"
            )
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

    def _asks_more_than_being(self, text: str) -> bool:
        """Whether the turn's own predicate asks something other than that a thing is there or may
        be used ("먹을까", "열어요", "제공되나요"; not "있어요", "쓸 수 있나요", "알려주세요")."""
        ms = morph.analyse(text)
        preds = [i for i, m in enumerate(ms) if m.pos in ("VV", "VA") or m.action]
        if not preds:
            return False
        i = preds[-1]
        if ms[i].surface in ("있", "없") and i and ms[i - 1].surface == "수":
            before = [p for p in preds if p < i - 1]  # "쓸 수 있나": the verb before 수
            i = before[-1] if before else i
        word = ms[i].surface
        return not (word.startswith(_BEING) or self.request.match(word))

    def facility_works(self, u: Understanding, today: dt.date) -> Composed | None:
        wanted = u.entities.get("work", [])
        ws = [w for w in self.kb.works() if w.id in wanted] or self.kb.works()
        if not ws:
            return None
        lines = [] if wanted else [f"{self.year}년 인재개발원 시설 공사·용역입니다."]
        for w in ws:
            when = ""
            if w.start:
                when = fmt_span(w.start, w.end)
            elif w.start_month:
                when = fmt_month(w.start_month) + (f" ~ {fmt_month(w.end_month)}" if w.end_month else "")
            if w.end_month and w.start and not w.end:
                when += f" ~ {fmt_month(w.end_month)}"
            cost = f", {num(w.cost_million_krw)}백만원" if w.cost_million_krw else ""
            desc = f" — {w.description}" if w.description and wanted else ""
            # no brackets around the figures: a date inside them brings its own "(월)"
            lines.append(f"• {w.name}: {w.status}{', ' + when if when else ''}{cost}{desc}")
        lines.append(basis(ws[0].source))
        return Composed("\n".join(lines))
