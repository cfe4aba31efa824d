"""The guided daycare priority check: yes/no answers in, a priority rank and its basis out.

Pure: no Telegram, no database. The caller passes the priorities (``db.knowledge.priorities``),
so a change in ``daycare.yaml`` changes the outcome without touching this code. Each question
names the words by which it finds its priorities (in a priority's group, detail or keywords).

Who can be admitted at all comes first: the report admits staff children, and on a vacancy
children living in Seoul. So residence is asked right after the staff question, and a family
that is neither is told so without being asked about its circumstances.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from db.knowledge import Priority


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    words: tuple[str, ...]  # how the matching priorities are found; () = not a priority


QUESTIONS: tuple[Question, ...] = (
    Question("staff", "아이의 부모가 인재개발원 또는 주변 기관의 직원인가요?", ("직원",)),
    Question("seoul", "서울에 살고 있나요?", ()),
    Question("livelihood", "기초생활수급자 가정인가요?", ("기초생활수급자", "수급자")),
    Question("single_parent", "한부모 가정인가요?", ("한부모",)),
    Question("grand_or_adopted", "조부모가 키우는 조손 가정이거나, 입양한 아이인가요?", ("조손", "입양")),
)
_BY_ID = {q.id: q for q in QUESTIONS}

Answers = Mapping[str, bool]


@dataclass(frozen=True)
class Outcome:
    """The result of the check.

    ``priority`` is the highest (lowest-numbered) priority that applies; ``also_listed`` are
    other priorities that name the same situation (the report lists 한부모 under two ranks).
    ``eligible`` is False for a family the report gives no way in (neither staff nor living in
    Seoul); it then has no priority.
    """

    priority: Priority | None
    also_listed: tuple[Priority, ...]
    reasons: tuple[str, ...]  # ids of the questions answered "yes" that decided the rank
    staff_child: bool
    seoul_resident: bool | None
    eligible: bool = True


def _matches(priority: Priority, words: Sequence[str]) -> bool:
    haystack = " ".join([priority.group, priority.detail or "", *priority.keywords])
    return any(word in haystack for word in words)


def priorities_for(question_id: str, priorities: Sequence[Priority]) -> list[Priority]:
    """The priorities a "yes" to this question puts a child in, highest first."""
    words = _BY_ID[question_id].words
    if not words:
        return []
    return sorted((p for p in priorities if _matches(p, words)), key=lambda p: p.rank)


def _decided(answers: Answers, priorities: Sequence[Priority]) -> str | None:
    """The id of the first question answered "yes" that maps to some priority."""
    for q in QUESTIONS:
        if q.words and answers.get(q.id) and priorities_for(q.id, priorities):
            return q.id
    return None


def next_question(answers: Answers, priorities: Sequence[Priority]) -> Question | None:
    """The next question to ask, or None when the outcome is known.

    A staff member's child needs nothing more, nor does a family outside Seoul (not eligible);
    otherwise the first "yes" decides the rank.
    """
    decided = _decided(answers, priorities)
    if decided == "staff" or (answers.get("staff") is False and answers.get("seoul") is False):
        return None
    for q in QUESTIONS:
        if q.id in answers:
            continue
        if decided is not None and q.words:
            continue
        return q
    return None


def decide(answers: Answers, priorities: Sequence[Priority]) -> Outcome:
    """The priority that applies to the answers given (unanswered questions count as "no")."""
    decided = _decided(answers, priorities)
    seoul = answers.get("seoul")
    if not answers.get("staff") and seoul is False:
        return Outcome(None, (), (), staff_child=False, seoul_resident=False, eligible=False)
    if decided is None:
        general = max(priorities, key=lambda p: p.rank, default=None)
        return Outcome(general, (), (), staff_child=False, seoul_resident=seoul)
    found = priorities_for(decided, priorities)
    best = found[0]
    return Outcome(
        priority=best,
        also_listed=tuple(found[1:]),
        reasons=(decided,),
        staff_child=decided == "staff",
        seoul_resident=None if decided == "staff" else seoul,
    )


def dump_answers(answers: Answers) -> str:
    """Answers as stored text (JSON by question id, so a reordered question list still reads it)."""
    return json.dumps({q.id: answers[q.id] for q in QUESTIONS if q.id in answers}, separators=(",", ":"))


def load_answers(text: str) -> dict[str, bool]:
    """The inverse of ``dump_answers``; raises ValueError on anything else."""
    try:
        raw = json.loads(text)
    except ValueError:
        raise ValueError(f"not stored answers: {text!r}") from None
    if not isinstance(raw, dict) or any(k not in _BY_ID or not isinstance(v, bool) for k, v in raw.items()):
        raise ValueError(f"not stored answers: {text!r}")
    return dict(raw)
