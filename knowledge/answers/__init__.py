"""Answer composition: from an understood question to polite Korean text built from the database.

Every figure and date comes from a query on the knowledge tables; the wording around it is the
only thing written here. Each answer says what it is based on (``BASIS``) and marks dates that
are already past relative to ``today``. The answers of each domain live in their own module;
``Composer`` joins them and dispatches on the intent id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

from knowledge.answers.common import Composed, _Knowledge, cohort_of
from knowledge.answers.exams import ExamAnswers
from knowledge.answers.facilities import FacilityAnswers
from knowledge.answers.general import GeneralAnswers
from knowledge.answers.money import MoneyAnswers
from knowledge.answers.programs import ProgramAnswers
from knowledge.reply import Context, Reply
from knowledge.stages import Turns
from knowledge.understand import Understanding

__all__ = ["Composed", "Composer", "cohort_of"]


class Composer(ProgramAnswers, ExamAnswers, FacilityAnswers, MoneyAnswers, GeneralAnswers):
    """Builds answers for each intent. ``compose`` dispatches on the intent id."""

    def __init__(self, db: Database, nlu: dict[str, Any]) -> None:
        self.db = db
        self.kb = _Knowledge(db)
        self.nlu = nlu
        # the words of asking ("알려", "주세요"), as the conversation rules read them
        self.request = Turns.from_nlu(nlu).request
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
        suggestions = tuple(self.nlu["default_suggestions"]) if name in ("greeting", "help") else ()
        # A greeting or a thanks answers no question: like a decline it has no intent (the --json
        # contract). Only help ("뭘 물어볼 수 있어?") answers one.
        intent = f"smalltalk.{name}" if spec.get("answers") else None
        return Reply(spec["reply"], intent, 0.9 if intent else 0.0, {}, suggestions, context)

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
        out += [
            "어린이집 입소 순위 알려주세요",
            "어린이집 입소 대상은?",
            "e-러닝 어떻게 들어요?",
            f"{self.year}년 예산은 얼마예요?",
            "인재개발원 비전은?",
            "5급 역량평가 평가역량은?",
            "면접 방식이 어떻게 바뀌었나요?",
            "부서별 담당 업무 알려주세요",
            "2차 필기 합격자 발표 언제예요?",
            "경력경쟁 면접 일정 알려주세요",
        ]
        out += [t.title for t in self.kb.topics()]
        return list(dict.fromkeys(out))
