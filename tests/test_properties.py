"""Arbitrary text never breaks the core: a reply of at most 4096 characters, no exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.core import Brain
from knowledge.reply import EMPTY_CONTEXT, Context
from knowledge.store import open_database

NOW = dt.datetime(2018, 7, 1, 12, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    return Brain(open_database(Path(tmp_path_factory.mktemp("prop")) / "hrdbot.db"))


NASTY = [
    "",
    " ",
    "\n\n\t",
    "x" * 20_000,
    "신임자" * 7000,
    "😀🎉👍" * 50,
    "\x00\x01\x1b[31m\x7f",
    "<b>신임자</b> <script>alert(1)</script>",
    "'; DROP TABLE programs; --",
    "1' OR '1'='1",
    "%s %d {0} {{}}",
    "\u202e\u200b\ufeff신임자",
    "ㅋㅋㅋㅋㅋㅋ",
    "ㄱㄴㄷㄹ",
    "2018년 13월 45일 교육",
    "9999기 신임자",
    "제0기",
    "99월 99일 시험",
    "３차　면접",
]

korean = st.text(alphabet=st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=40)
anything = st.text(max_size=300)


def check(reply_text: str) -> None:
    assert isinstance(reply_text, str) and reply_text
    assert len(reply_text) <= 4096


@pytest.mark.parametrize("text", NASTY)
def test_nasty_inputs(brain: Brain, text: str) -> None:
    reply = brain.answer(text, now=NOW)
    check(reply.text)
    assert len(reply.suggestions) <= 3


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(anything, korean, st.lists(korean, max_size=8).map(" ".join)))
def test_arbitrary_text(brain: Brain, text: str) -> None:
    reply = brain.answer(text, now=NOW)
    check(reply.text)
    follow = brain.answer(text, reply.context, now=NOW)
    check(follow.text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=anything,
    entities=st.dictionaries(
        st.sampled_from(["round", "program", "event_type", "building", "rank", "topic", "fact", "bogus"]),
        st.lists(st.text(max_size=12), max_size=3),
        max_size=4,
    ),
)
def test_corrupt_context_never_breaks(brain: Brain, text: str, entities: dict) -> None:
    """A context whose entities name nothing that exists must not crash the follow-up."""
    reply = brain.answer(text, Context("exam.schedule", entities, NOW), now=NOW)
    check(reply.text)


def test_every_intent_answer_fits_a_telegram_message(brain: Brain) -> None:
    for question in [
        "예산 전부 알려줘",
        "교육 일정 알려줘",
        "부서별 담당 업무",
        "행정사무감사 처리결과",
        "리더십 교육 일정",
        "직무전문 교육 내용",
        "전문가 채용 분야",
    ]:
        check(brain.answer(question, EMPTY_CONTEXT, now=NOW).text)
