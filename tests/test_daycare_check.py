"""The daycare priority check is a pure function of the answers and the priorities."""

from __future__ import annotations

import pytest

from db import knowledge as kdb
from db.knowledge import Priority
from knowledge.daycare_check import QUESTIONS, decide, dump_answers, load_answers, next_question

# The shipped priorities (daycare.yaml), restated so these tests read on their own.
SHIPPED = [
    Priority(
        0,
        "직원 자녀",
        "src",
        detail="인재개발원 등 주변 4개 기관 직원의 자녀",
        keywords=("직원자녀", "인재개발원 직원"),
    ),
    Priority(
        1,
        "기초생활수급자, 한부모가정 등",
        "src",
        basis="영유아보육법 제28조",
        keywords=("수급자", "기초생활수급자", "한부모", "한부모가정"),
    ),
    Priority(2, "한부모, 조손, 입양아", "src", keywords=("조손", "입양", "입양아")),
    Priority(3, "일반 영유아", "src", keywords=("일반",)),
]
Y, N = True, False


@pytest.mark.parametrize(
    ("answers", "rank", "also", "seoul"),
    [
        ({"staff": Y}, 0, [], None),
        ({"staff": Y, "seoul": N}, 0, [], None),  # a staff child is admitted wherever it lives
        ({"staff": N, "seoul": Y, "livelihood": Y}, 1, [], True),
        ({"staff": N, "seoul": Y, "livelihood": N, "single_parent": Y}, 1, [2], True),
        ({"staff": N, "seoul": Y, "livelihood": N, "single_parent": N, "grand_or_adopted": Y}, 2, [], True),
        ({"staff": N, "seoul": Y, "livelihood": N, "single_parent": N, "grand_or_adopted": N}, 3, [], True),
    ],
)
def test_outcome(answers: dict[str, bool], rank: int, also: list[int], seoul: bool | None) -> None:
    outcome = decide(answers, SHIPPED)
    assert outcome.eligible
    assert outcome.priority is not None and outcome.priority.rank == rank
    assert [p.rank for p in outcome.also_listed] == also
    assert outcome.seoul_resident is seoul
    assert outcome.staff_child is (rank == 0)


@pytest.mark.parametrize(
    "answers",
    [
        {"staff": N, "seoul": N},
        # however the other questions were answered: no rank for a family the report does not admit
        {"staff": N, "seoul": N, "livelihood": Y, "single_parent": Y},
        {"seoul": N},
    ],
)
def test_neither_staff_nor_in_seoul_is_not_eligible_and_gets_no_rank(answers: dict[str, bool]) -> None:
    outcome = decide(answers, SHIPPED)
    assert (outcome.eligible, outcome.priority, outcome.also_listed) == (False, None, ())
    assert outcome.seoul_resident is False


def test_rank_one_carries_its_legal_basis() -> None:
    outcome = decide({"livelihood": Y}, SHIPPED)
    assert outcome.priority is not None and outcome.priority.basis == "영유아보육법 제28조"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, "staff"),
        ({"staff": Y}, None),  # a staff member's child: nothing more to ask
        ({"staff": N}, "seoul"),  # who may be admitted at all comes first
        ({"staff": N, "seoul": N}, None),  # not eligible: no personal questions
        ({"staff": N, "seoul": Y}, "livelihood"),
        ({"staff": N, "seoul": Y, "livelihood": Y}, None),  # the rank is known
        ({"staff": N, "seoul": Y, "livelihood": N}, "single_parent"),
        ({"staff": N, "seoul": Y, "livelihood": N, "single_parent": N}, "grand_or_adopted"),
        ({"staff": N, "seoul": Y, "livelihood": N, "single_parent": N, "grand_or_adopted": N}, None),
    ],
)
def test_next_question(answers: dict[str, bool], expected: str | None) -> None:
    question = next_question(answers, SHIPPED)
    assert (question.id if question else None) == expected


def test_walking_every_path_always_ends() -> None:
    def walk(answers: dict[str, bool]) -> int:
        question = next_question(answers, SHIPPED)
        if question is None:
            return 1
        return walk({**answers, question.id: True}) + walk({**answers, question.id: False})

    assert walk({}) == 6  # distinct answer paths


def test_the_outcome_follows_the_data() -> None:
    """Priorities come from the database: change them and the outcome changes."""
    changed = [
        Priority(0, "직원 자녀", "src"),
        Priority(1, "조손 가정", "src", basis="새 근거"),
        Priority(5, "일반 영유아", "src"),
    ]
    outcome = decide({"staff": N, "grand_or_adopted": Y}, changed)
    assert outcome.priority is not None
    assert (outcome.priority.rank, outcome.priority.basis) == (1, "새 근거")
    general = decide({"staff": N}, changed)
    assert general.priority is not None and general.priority.rank == 5
    # No priority names 수급자 any more, so that answer does not decide the rank.
    assert decide({"staff": N, "livelihood": Y}, changed).priority.rank == 5  # type: ignore[union-attr]


def test_no_priorities_at_all() -> None:
    outcome = decide({"staff": N}, [])
    assert outcome.priority is None


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"staff": Y},
        {"staff": N, "livelihood": Y, "seoul": N},
        {q.id: N for q in QUESTIONS},
    ],
)
def test_stored_answers_round_trip(answers: dict[str, bool]) -> None:
    assert load_answers(dump_answers(answers)) == answers


@pytest.mark.parametrize(
    "text", ["", "yynnn", "[]", "null", '{"staff": 1}', '{"weather": true}', '{"staff": "yes"}', "{"]
)
def test_stored_answers_reject_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not stored answers"):
        load_answers(text)


def test_shipped_priorities_give_the_same_ranks(db: object) -> None:
    shipped = kdb.priorities(db)
    for answers in (
        {"staff": Y},
        {"staff": N, "livelihood": Y},
        {"staff": N, "single_parent": Y},
        {"staff": N, "grand_or_adopted": Y},
        {"staff": N},
    ):
        mine, theirs = decide(answers, SHIPPED), decide(answers, shipped)
        assert mine.priority and theirs.priority
        assert mine.priority.rank == theirs.priority.rank
        assert [p.rank for p in mine.also_listed] == [p.rank for p in theirs.also_listed]
