"""Answers about the organisation, e-learning, assessment, vision, topics and single facts."""

from __future__ import annotations

import datetime as dt
import re

from rapidfuzz import fuzz

from knowledge.answers.common import AnswerBase, Composed, _question_words
from knowledge.answers.money import plan_lines, plan_rows_asked
from knowledge.matcher import SOFT_KINDS
from knowledge.normalize import key
from knowledge.text import basis, josa, num, with_status
from knowledge.understand import Understanding, halves_named

# words asking what was done about an audit finding, not what it was
_ASKS_RESULT = re.compile(r"처리|조치|결과|추진|개선|반영|해결|됐|되었|어떻게\s*했")
# the unit the report names beside a course's month in brackets ("'5월, 정책수출사업단'")
_PARTNER = re.compile(r"\d{1,2}월,\s*[^'’)\s]{2,}['’)]")


class GeneralAnswers(AnswerBase):
    def org_department(self, u: Understanding, today: dt.date) -> Composed | None:
        said = self._fact_of_who(u)
        if said is not None:
            return said
        wanted = u.entities.get("department", [])
        own = [m.text for m in u.matches if not (m.kind == "attr" and m.value == "who")] + _question_words(u)
        # (by its content words: "무슨 업무 해요" of the department taken over names no other)
        content = [m.text for m in u.matches if m.kind in SOFT_KINDS] + list(u.elsewhere)
        said = self._duty_scores(content) if "department" in u.inherited else {}
        if said and max(said, key=lambda i: said[i]) not in wanted:
            # "강사 관리는?" after one department's answer: the duty the turn names says whose it is
            wanted = []
        depts = [d for d in self.kb.departments() if d.id in wanted]
        # a course the report gives with its partner in brackets ("(1월, 시립대)"): how the report
        # writes it is all it says of who ran that course, more than who runs all of its kind
        wanted_sessions = set(u.entities.get("session", []))
        noted = [
            x
            for p in u.entities.get("program", [])
            for x in self.kb.sessions_of(p)
            if x.id in wanted_sessions and x.note
        ]
        as_noted = Composed(f"{noted[0].name}: {noted[0].note}\n{basis(noted[0].source)}") if len(noted) == 1 else None
        if as_noted is not None and not depts and not said and _PARTNER.search(noted[0].note or ""):
            return as_noted
        if not depts:
            # (else the subject before says it: "담당 부서는?")
            scores = said or self._duty_scores(own + sorted(self._inherited_names(u, programs=True)))
            if not scores:
                if as_noted is not None:
                    return as_noted
                subject = self._record_names(u, ("program", "budget_line", "building", "amenity", "work"))
                if subject:  # "어디 부서 담당이에요" of a business the report assigns to no department
                    return Composed(f"{subject[0]}의 담당 부서는 업무보고에 나와 있지 않습니다.\n{basis()}")
                return self.org_overview(u, today)
            best = max(scores, key=lambda i: scores[i])
            depts = [d for d in self.kb.departments() if d.id == best]
            lines = [f"그 업무는 {depts[0].name}에서 담당합니다."]
            entities = {"department": [best]}
        else:
            lines = []
            entities = {}
        for d in depts:
            lines.append(
                f"{d.name}({d.headcount}명)의 주요 업무는 {', '.join(d.duties)}입니다."
                if not lines
                else f"{d.name}({d.headcount}명) 담당 업무:"
            )
            if len(lines) > 1:
                lines += [f"• {duty}" for duty in d.duties]
        lines.append(basis(depts[0].source))
        return Composed("\n".join(lines), entities)

    def _fact_of_who(self, u: Understanding) -> Composed | None:
        """A fact that says who does the task the turn names, where no department's duties name
        it ("문제출제는 누가 해요": "인재개발원은 … 문제출제 … 를 맡고, 자치구는 …")."""
        facts = self.kb.facts()
        bodies = [d.name for d in self.kb.departments()] + ["인재개발원", "자치구"]
        for m in u.matches:
            if m.kind != "fact" or not m.exact or not m.value.isdigit() or int(m.value) >= len(facts):
                continue
            word, f = u.key[m.start : m.end], facts[int(m.value)]
            said = [x for x in re.split(r"(?<=[.다])\s+", f.text) if word in key(x)]
            if said and any(b in x for x in said for b in bodies) and not self._duty_scores([word]):
                return Composed(f"{f.label}: {f.text}\n{basis(f.source)}", {"fact": [m.value]})
        return None

    def _duty_scores(self, probes: list[str]) -> dict[str, int]:
        """Departments scored by how much of the words said their duties alone name."""
        hits: dict[str, set[str]] = {}
        for d in self.kb.departments():
            duties = [x.replace(" ", "") for x in (*d.duties, *d.keywords)]
            for probe in {p.replace(" ", "") for p in probes if len(p.replace(" ", "")) >= 2}:
                if any(probe in duty or duty in probe for duty in duties):
                    hits.setdefault(probe, set()).add(d.id)
        scores: dict[str, int] = {}
        for probe, depts_hit in hits.items():
            if len(depts_hit) == 1:  # a word every department's duties share ("교육") names none
                only = next(iter(depts_hit))
                scores[only] = scores.get(only, 0) + len(probe)
        return scores

    def org_overview(self, u: Understanding, today: dt.date) -> Composed | None:
        org = self.kb.section("organisation")
        depts = self.kb.departments()
        if not depts:
            return None
        lines = []
        if org and org.get("teams"):
            lines.append(
                f"{josa(str(org.get('name')), '은는')} {org.get('departments')}과, {org.get('teams')}팀, "
                f"{org.get('staff')}명으로 구성되어 있습니다."
            )
        lines += [f"• {d.name} {d.headcount}명: {', '.join(d.duties)}" for d in depts]
        lines.append(basis(depts[0].source))
        return Composed("\n".join(lines))

    def elearning_info(self, u: Understanding, today: dt.date) -> Composed | None:
        el = self.kb.section("elearning")
        if el is None:
            return None
        every = self.kb.plan_rows()
        rows = [r for r in plan_rows_asked(every, u) if r.area not in ("전체", "소계")]
        own = [f for f, w in u.features.items() if f.startswith(("concept.", "attr.")) and w >= 1.0]
        # ("상반기엔?" asks the half's results, which no plan row gives)
        inherit = "plan_row" in u.inherited and "whole" not in u.features and not halves_named(u)
        if not rows and inherit and set(own) <= {"attr.headcount"}:
            # "작년은?" after one e-learning row of the plan: the same row
            rows = [r for r in every if r.id in u.inherited["plan_row"] and key(r.mode) == "e러닝"]
        if rows:  # "e러닝 핵심가치 인원": a row of the plan table answers it
            lines = plan_lines(rows, u, self.year)
            return Composed("\n".join([*lines, basis(rows[0].source)]), {"plan_row": [r.id for r in rows[:3]]})
        feats = u.features
        lines: list[str] = []
        facts = el.facts
        if "concept.lms" in feats:
            lms = [f for f in facts if "LMS" in f.label or "교육통합" in f.label or "LMS" in f.text]
            if lms:
                asked = self._relevant_facts(tuple(lms), u, limit=1, names=("LMS", "교육통합시스템"))
                first = asked[0] if asked else lms[0]
                lines = [f"{first.label}: {first.text}"]
                lines += [f"• {f.label}: {f.text}" for f in lms if f is not first]  # the reply keeps the lines asked
                return Composed("\n".join(lines) + f"\n{basis(lms[0].source)}")
        relevant = self._relevant_facts(facts, u, names=("e-러닝", "이러닝", "elearning"))
        if relevant:  # the fact the question names first
            lines.append(f"{relevant[0].label}: {relevant[0].text}")
            lines += [f"• {f.label}: {f.text}" for f in relevant[1:]]
        if "concept.app" in feats and el.get("app"):
            lines.insert(0, f"모바일 학습: {el.get('app')}")
        elif "attr.target" in feats and el.get("target"):
            # who may take it, asked: that leads, not a fact that only says the word 대상
            lines.insert(0, f"e-러닝 교육대상은 {el.get('target')}입니다.")
        lines.insert(1 if lines else 0, f"e-러닝은 인재개발원 홈페이지({el.get('site')})에 접속해 수강합니다.")
        if el.get("courses"):
            lines.append(f"• 운영과정: {el.get('courses')}개 과정")
        if el.get("trainees_planned"):
            lines.append(f"• {self.year}년 교육계획 인원: {el.get('trainees_planned'):,}명")
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

    def assessment_info(self, u: Understanding, today: dt.date) -> Composed | None:
        items = self.kb.assessments()
        wanted = u.entities.get("assessment", [])
        chosen = [a for a in items if a.id in wanted] or items[:1]
        if not chosen:
            return None
        a = chosen[0]
        relevant = self._relevant_facts(a.facts, u, limit=3, names=(a.name, *a.aliases))
        plan = (
            f"{a.name}의 {self.year}년 계획은 {num(a.rounds_planned, '회')}, {num(a.headcount_planned, '명')}입니다."
            if a.rounds_planned or a.headcount_planned
            else f"{a.name} 안내입니다."
        )
        # the fact the question names first ("평가역량", "상반기 실적"), else the plan
        lines = [f"{relevant[0].label}: {relevant[0].text}", f"• {plan}"] if relevant else [plan]
        if a.target:
            lines.append(f"• 대상: {a.target}")
        if a.competencies:
            lines.append(f"• 평가역량({len(a.competencies)}개): {', '.join(a.competencies)}")
        lines += [f"• {f.label}: {f.text}" for f in relevant[1:] or a.facts[:4]]
        lines.append(basis(a.source))
        return Composed("\n".join(lines))

    def vision_info(self, u: Understanding, today: dt.date) -> Composed | None:
        topics = {t.id: t for t in self.kb.topics()}
        # the part of the policy system the question names ("추진과제 몇 개"), else vision and goals
        system = (topics["vision"].source or "").split(" > ")[0] if "vision" in topics else ""
        named = [
            topics[i]
            for i in u.entities.get("topic", [])
            if i in topics and (topics[i].source or "").startswith(system)
        ]
        chosen = named[:2] or [topics[i] for i in ("vision", "goals") if i in topics]
        if not chosen:
            return None
        return Composed("\n\n".join(t.answer for t in chosen) + f"\n{basis(chosen[0].source)}")

    def topic_answer(self, u: Understanding, today: dt.date) -> Composed | None:
        ids = u.entities.get("topic", [])
        topics = {t.id: t for t in self.kb.topics()}
        if not ids:  # a concept only ("감사 지적 몇 건"): the topic whose keywords say it most
            words = {
                w.replace(" ", "")
                for m in u.matches
                if m.kind == "concept"
                for w in self.nlu["concepts"].get(m.value, ())
            }
            scored = sorted(
                ((sum(k.replace(" ", "") in words for k in t.keywords), t.id) for t in topics.values()), reverse=True
            )
            ids = [scored[0][1]] if scored and scored[0][0] else []
        chosen = [topics[i] for i in ids if i in topics][:2]
        if not chosen:
            return None
        parts: list[str] = []
        # "감사 때 지적받은 게 뭐였어요": what the audit found first, then what was done about it
        asks_finding = "concept.audit" in u.features and not _ASKS_RESULT.search(u.text)
        for t in chosen:  # the answer itself first; the editors' question title is no answer
            if parts and fuzz.partial_ratio(key(t.answer), key(parts[0])) >= 80:
                continue  # two findings answered by the same measure: say it once
            found = f"{t.finding}\n" if t.finding and asks_finding else ""
            parts.append(f"{found}{with_status(t.answer, t.status)}")
        return Composed("\n\n".join(parts) + f"\n{basis(chosen[0].source)}")

    def fact_answer(self, u: Understanding, today: dt.date) -> Composed | None:
        ids = [int(i) for i in u.entities.get("fact", []) if str(i).isdigit()]
        facts = self.kb.facts()
        # one fact: two facts a question's keywords point at would account for its words between
        # them ("감독관 수당": 감독관 in one fact, 수당 in another) and answer a question neither does
        chosen = [facts[i] for i in ids if 0 <= i < len(facts)][:1]
        if not chosen:
            return None
        text = "\n\n".join(f"{f.label}: {f.text}" for f in chosen)
        return Composed(f"{text}\n{basis(chosen[0].source)}")
