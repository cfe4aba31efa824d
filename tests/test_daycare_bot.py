"""The guided daycare check in the real Application: state in SQLite (survives a restart), every
button checked against the stored state, the verdict never contradicting itself, and never run
in a group."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlite_utils import Database

from db import daycare as ddb
from handlers import daycare, render
from handlers.features import default_features
from tests.conftest import E2E_NOW
from tests.fake_bot_api import ApiCall, FakeBotApi
from tests.telegram_helpers import (
    FixedClock,
    Maker,
    bot_maker,
    buttons,
    press,
    press_for_alert,
    say,
)

USER = 811
GROUP = -100811
NOW = E2E_NOW
STAFF_Q = "아이의 부모가 인재개발원 또는 주변 기관의 직원인가요?"
SEOUL_Q = "서울에 살고 있나요?"
LIVELIHOOD_Q = "기초생활수급자 가정인가요?"


@pytest.fixture
def make_bot(api: FakeBotApi, db: Database, clock: FixedClock) -> Maker:
    return bot_maker(api, db, clock, default_features)


def question_of(step: ApiCall) -> str:
    return step.text.split("\n")[1]


async def start_check(api: FakeBotApi) -> ApiCall:
    rules = await say(api, "/daycare", USER)
    return await press(api, rules, buttons(rules)["🧒 우리 아이 입소 순위 확인하기"], USER)


async def answer_all(api: FakeBotApi, step: ApiCall, answers: list[str]) -> tuple[list[str], ApiCall]:
    asked = []
    for answer in answers:
        asked.append(question_of(step))
        step = await press(api, step, buttons(step)[answer], USER)
    return asked, step


def verdict(result: ApiCall) -> str:
    """The line right under the title: what the check concluded."""
    return result.text.split("\n")[1]


# --- outcomes --------------------------------------------------------------------------------


async def test_single_parent_in_seoul_gets_rank_one_with_its_basis(api: FakeBotApi, bot: Any) -> None:
    asked, result = await answer_all(api, await start_check(api), ["아니요", "예", "아니요", "예"])
    assert asked == [STAFF_Q, SEOUL_Q, LIVELIHOOD_Q, "한부모 가정인가요?"]
    assert verdict(result) == "예상 순위: <b>1순위</b> (기초생활수급자, 한부모가정 등)"
    assert "법적 근거: 영유아보육법 제28조" in result.text
    assert "2순위(한부모, 조손, 입양아)에도" in result.text
    assert "아닐 수 있어요" not in result.text


async def test_family_outside_seoul_is_told_first_that_it_may_not_be_eligible(api: FakeBotApi, bot: Any) -> None:
    asked, result = await answer_all(api, await start_check(api), ["아니요", "아니요"])
    assert asked == [STAFF_Q, SEOUL_Q]  # nothing about the family's circumstances
    assert verdict(result) == "<b>보고서 기준으로는 입소 대상이 아닐 수 있어요.</b>"
    assert not re.search(r"\d순위", result.text)  # no rank anywhere, no footnote to contradict
    assert "서울 소재 지역아동" in result.text
    assert f"<i>{SEOUL_Q} → 아니요</i>" in result.text


async def test_staff_child_is_rank_zero_after_one_question(api: FakeBotApi, bot: Any, db: Database) -> None:
    _, result = await answer_all(api, await start_check(api), ["예"])
    assert verdict(result) == "예상 순위: <b>0순위</b> (직원 자녀)"
    assert "가장 높은 순위" in result.text
    assert ddb.get(db, USER, USER) is None  # a finished check leaves nothing behind


# --- state: restart, cancel, timeout ---------------------------------------------------------


async def test_a_restart_in_the_middle_of_the_check_continues_it(
    api: FakeBotApi, make_bot: Maker, db: Database
) -> None:
    async with make_bot():
        step = await start_check(api)
        asked, step = await answer_all(api, step, ["아니요", "예"])
    assert question_of(step) == LIVELIHOOD_Q
    async with make_bot():  # a new Application: nothing in memory survives
        asked_after, result = await answer_all(api, step, ["예"])
    assert asked_after == [LIVELIHOOD_Q]
    assert verdict(result) == "예상 순위: <b>1순위</b> (기초생활수급자, 한부모가정 등)"
    assert f"<i>{STAFF_Q} → 아니요</i>" in result.text  # the answers before the restart count


async def test_cancel_midway_then_old_buttons_are_refused(api: FakeBotApi, bot: Any, db: Database) -> None:
    first = await start_check(api)
    second = await press(api, first, buttons(first)["아니요"], USER)
    cancelled = await say(api, "/cancel", USER)
    assert cancelled.text == render.CHECK_CANCELLED
    assert ddb.get(db, USER, USER) is None
    stale = await press_for_alert(api, second, buttons(second)["예"], USER)
    assert stale.params["text"] == render.CHECK_OVER
    again = await say(api, "/cancel", USER)
    assert again.text == render.NOTHING_TO_CANCEL


async def test_a_check_left_for_half_an_hour_is_over(
    api: FakeBotApi, bot: Any, clock: FixedClock, db: Database
) -> None:
    first = await start_check(api)
    clock.current = NOW + daycare.CHECK_TIMEOUT + dt.timedelta(minutes=1)
    stale = await press_for_alert(api, first, buttons(first)["예"], USER)
    assert stale.params["text"] == render.CHECK_OVER
    assert ddb.get(db, USER, USER) is None


async def test_restarting_the_check_starts_from_the_first_question(api: FakeBotApi, bot: Any) -> None:
    first = await start_check(api)
    await press(api, first, buttons(first)["아니요"], USER)
    again = await start_check(api)
    assert question_of(again) == STAFF_Q
    assert "질문 1" in again.text


# --- forged and repeated buttons -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "alert"),
    [
        ("d:seoul:y", daycare.NOT_THIS_QUESTION),  # a question not asked yet
        ("d:livelihood:n", daycare.NOT_THIS_QUESTION),
        ("d:weather:y", daycare.NOT_THIS_QUESTION),  # no such question
        ("d:staff:maybe", daycare.NOT_A_CHECK_BUTTON),
        ("d:staff", daycare.NOT_A_CHECK_BUTTON),
        ("d:", daycare.NOT_A_CHECK_BUTTON),
        ("d:nnnnn", daycare.NOT_A_CHECK_BUTTON),  # the old format, answers in the data
        ("d:go:now", daycare.NOT_A_CHECK_BUTTON),
        ("d:STAFF:Y", daycare.NOT_A_CHECK_BUTTON),
        ("d:staff:y:extra", daycare.NOT_A_CHECK_BUTTON),
        ("d:" + "x" * 60, daycare.NOT_A_CHECK_BUTTON),
    ],
)
async def test_forged_answers_change_nothing(api: FakeBotApi, bot: Any, db: Database, data: str, alert: str) -> None:
    first = await start_check(api)
    before = ddb.get(db, USER, USER)
    refused = await press_for_alert(api, first, data, USER)
    assert refused.params["text"] == alert
    assert refused.params["show_alert"] in (True, "true")
    assert ddb.get(db, USER, USER) == before
    # the check goes on from where it was
    second = await press(api, first, buttons(first)["아니요"], USER)
    assert question_of(second) == SEOUL_Q


async def test_an_answer_without_a_running_check_is_refused(api: FakeBotApi, bot: Any, db: Database) -> None:
    rules = await say(api, "/daycare", USER)
    refused = await press_for_alert(api, rules, "d:staff:y", USER)
    assert refused.params["text"] == render.CHECK_OVER
    assert ddb.get(db, USER, USER) is None


async def test_pressing_an_answered_question_again_records_nothing(api: FakeBotApi, bot: Any, db: Database) -> None:
    first = await start_check(api)
    second = await press(api, first, "d:staff:n", USER)
    assert question_of(second) == SEOUL_Q
    repeated = await press_for_alert(api, first, "d:staff:y", USER)
    assert repeated.params["text"] == daycare.NOT_THIS_QUESTION
    _, result = await answer_all(api, second, ["아니요"])  # staff stays "no"
    assert verdict(result) == "<b>보고서 기준으로는 입소 대상이 아닐 수 있어요.</b>"


async def test_one_users_check_is_not_anothers(api: FakeBotApi, bot: Any, db: Database) -> None:
    first = await start_check(api)
    other = USER + 1
    api.send_text(other, "/help")  # the other user's private chat exists
    await api.wait_for(1, chat_id=other)
    # the other user presses an answer of a message in their own chat: they have no check
    refused = await press_for_alert(api, (await say(api, "/daycare", other)), "d:staff:y", other)
    assert refused.params["text"] == render.CHECK_OVER
    assert question_of(await press(api, first, "d:staff:n", USER)) == SEOUL_Q


# --- groups and the deep link ----------------------------------------------------------------


async def test_in_a_group_the_check_opens_the_private_chat(api: FakeBotApi, bot: Any, db: Database) -> None:
    rules = await say(api, "/daycare", GROUP, chat_type="supergroup", user_id=USER)
    link = buttons(rules)["🧒 우리 아이 입소 순위 확인하기"]
    assert link == "https://t.me/hrd_test_bot?start=daycare_check"
    # an old (or forged) start button pressed in the group: no question there, a link instead
    before = len(api.sent_messages(GROUP))
    api.press_button(GROUP, rules.message_id, "d:go", user_id=USER)
    [redirect] = (await api.wait_for(before + 1, chat_id=GROUP))[before:]
    assert "1:1 대화" in redirect.text and LIVELIHOOD_Q not in redirect.text
    assert buttons(redirect) == {"🔒 1:1 대화에서 열기": link}
    assert ddb.get(db, GROUP, USER) is None
    assert not [c for c in api.calls("editMessageText", GROUP)]
    # following the link: /start daycare_check in the private chat asks the first question
    first = await say(api, "/start daycare_check", USER)
    assert question_of(first) == STAFF_Q
    _, result = await answer_all(api, first, ["예"])
    assert verdict(result) == "예상 순위: <b>0순위</b> (직원 자녀)"


async def test_start_daycare_check_typed_in_a_group_is_redirected(api: FakeBotApi, bot: Any) -> None:
    reply = await say(api, "/start@hrd_test_bot daycare_check", GROUP, chat_type="supergroup", user_id=USER)
    assert STAFF_Q not in reply.text
    assert buttons(reply) == {"🔒 1:1 대화에서 열기": "https://t.me/hrd_test_bot?start=daycare_check"}


# --- db.daycare ------------------------------------------------------------------------------


def test_recording_is_compare_and_set(db: Database) -> None:
    ddb.start(db, 1, 2, "{}", NOW)
    assert ddb.record(db, 1, 2, "{}", '{"staff":false}', NOW)
    assert not ddb.record(db, 1, 2, "{}", '{"staff":true}', NOW)  # a second press
    check = ddb.get(db, 1, 2)
    assert check is not None and check.answers == '{"staff":false}'
    assert not ddb.record(db, 9, 9, "{}", "{}", NOW)  # no such check


def test_purge_forgets_only_idle_checks(db: Database) -> None:
    ddb.start(db, 1, 1, "{}", NOW - dt.timedelta(hours=2))
    ddb.start(db, 2, 2, "{}", NOW)
    assert ddb.purge(db, NOW - dt.timedelta(minutes=30)) == 1
    assert ddb.get(db, 1, 1) is None and ddb.get(db, 2, 2) is not None


def test_times_must_be_aware(db: Database) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ddb.start(db, 1, 1, "{}", dt.datetime(2018, 8, 21, 9, 0))  # noqa: DTZ001
