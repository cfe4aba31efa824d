"""Subscriptions follow the data: only exam rounds and course cohorts with a date from today on
can be subscribed; finished rounds and 전문가 채용 (no dates) are neither offered nor accepted
from a forged button, and what one already follows can always be stopped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlite_utils import Database

from db import knowledge as kdb
from db import reminders as rdb
from handlers import subscriptions as subs
from handlers.features import basic_feature
from handlers.reminder_jobs import reminders_feature
from handlers.render import Out
from knowledge import reminders as rk
from knowledge.reminders import SEOUL
from knowledge.reply import Topic
from tests.conftest import E2E_NOW
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import (
    FixedClock,
    Maker,
    bot_maker,
    buttons,
    press,
    press_for_alert,
    say,
)

USER = 1011
NOW = E2E_NOW
TODAY = NOW.date()
CLOSED_ROUNDS = ["exam_round:extra", "exam_round:first", "exam_round:expert"]


@pytest.fixture
def view(db: Database) -> rk.KnowledgeView:
    return rk.knowledge_view(db)


# --- the pure part ---------------------------------------------------------------------------


def test_open_topics_on_a_day(view: rk.KnowledgeView) -> None:
    open_ = rk.open_topics(view, TODAY)
    assert {
        "exam_round:*",
        "exam_round:second",
        "exam_round:third",
        "program:newcomer",
        "category:rank-required",
        "daycare",
        "notices",
    } <= open_
    assert not open_ & set(CLOSED_ROUNDS)
    assert "category:leadership" not in open_  # courses with no dated cohort ahead


def test_a_topic_is_open_through_its_last_day_and_closes_the_day_after(view: rk.KnowledgeView) -> None:
    last = max(view.occurrences, key=lambda o: o.last_day)
    assert last.topics <= rk.open_topics(view, last.last_day)
    assert rk.open_topics(view, last.last_day + dt.timedelta(days=1)) == {"daycare", "notices"}


def test_exams_menu_offers_only_rounds_with_dates_ahead(view: rk.KnowledgeView) -> None:
    menu = subs.exams_menu(view, [], rk.open_topics(view, TODAY))
    datas = [b.data for row in menu.rows for b in row]
    assert datas == ["rs:t:exam_round:*", "rs:t:exam_round:second", "rs:t:exam_round:third", "rs:home"]
    assert "알림을 받을 수 없어요" in menu.html and "전문가 채용" in menu.html


def test_a_followed_finished_round_stays_in_the_menu_to_be_stopped(view: rk.KnowledgeView) -> None:
    menu = subs.exams_menu(view, ["exam_round:first"], rk.open_topics(view, TODAY))
    labels = {b.data: b.label for row in menu.rows for b in row}
    assert labels["rs:t:exam_round:first"].endswith("(남은 일정 없음)")
    assert labels["rs:t:exam_round:first"].startswith(subs.ON)


def test_nothing_ahead_says_so(view: rk.KnowledgeView, db: Database) -> None:
    later = rk.open_topics(view, dt.date(2019, 6, 1))
    menu = subs.exams_menu(view, [], later)
    assert [b.data for row in menu.rows for b in row] == ["rs:home"]
    assert "지금은 알림을 받을 수 없어요" in menu.html
    courses = subs.courses_menu(kdb.categories(db), [], later)
    assert [b.data for row in courses.rows for b in row] == ["rs:home"]


def test_category_menu_lists_only_programs_with_cohorts_ahead(db: Database, view: rk.KnowledgeView) -> None:
    [category] = [c for c in kdb.categories(db) if c.id == "rank-required"]
    menu = subs.category_menu(category, kdb.programs(db, category="rank-required"), [], rk.open_topics(view, TODAY))
    datas = [b.data for row in menu.rows for b in row]
    assert "rs:t:category:rank-required" in datas and "rs:t:program:newcomer" in datas
    assert all(d.removeprefix("rs:t:") in rk.open_topics(view, TODAY) for d in datas if d.startswith("rs:t:"))


def test_answer_buttons_skip_finished_rounds(view: rk.KnowledgeView) -> None:
    open_ = rk.open_topics(view, TODAY)
    topics = [Topic("exam_round", r) for r in ("extra", "first", "second", "third")]
    rows = subs.subscribe_rows(topics, view, open_)
    assert [b.data for row in rows for b in row] == ["rs:q:exam_round:second", "rs:q:exam_round:third"]
    assert subs.subscribe_rows([Topic("exam_round", "first")], view, open_) == []
    assert subs.with_subscribe_button([Out("x")], [Topic("exam_round", "expert")], view, open_) == [Out("x")]


# --- through the running bot -----------------------------------------------------------------


@pytest.fixture
def make_bot(api: FakeBotApi, db: Database, clock: FixedClock) -> Maker:
    return bot_maker(api, db, clock, lambda: [basic_feature(), reminders_feature(rate=0)])


async def test_an_answer_about_a_finished_round_offers_no_reminder(api: FakeBotApi, bot: Any) -> None:
    finished = await say(api, "제1회 최종 합격자 발표 언제예요?", USER)
    assert "이미 지난 일정" in finished.text
    assert not [label for label in buttons(finished) if "알림 받기" in label]
    upcoming = await say(api, "2차 필기 합격자 발표 언제예요?", USER)
    assert buttons(upcoming)["🔔 이 일정 알림 받기"] == "rs:q:exam_round:second"


async def test_the_exams_menu_through_the_bot(api: FakeBotApi, bot: Any) -> None:
    menu = await say(api, "/subscribe", USER)
    exams = await press(api, menu, "rs:exams", USER)
    assert "☐ 제2회 공개경쟁 임용시험 (2차)" in buttons(exams)
    assert not [d for d in buttons(exams).values() if d in {f"rs:t:{t}" for t in CLOSED_ROUNDS}]


@pytest.mark.parametrize(
    "data",
    [
        "rs:q:exam_round:expert",
        "rs:t:exam_round:expert",  # 전문가 채용: no dates at all
        "rs:q:exam_round:first",
        "rs:t:exam_round:first",  # finished in June
        "rs:q:exam_round:extra",
        "rs:t:category:leadership",
        "rs:q:program:leadership",
    ],
)
async def test_forged_subscriptions_to_closed_topics_are_refused(
    api: FakeBotApi, bot: Any, db: Database, data: str
) -> None:
    menu = await say(api, "/subscribe", USER)
    refused = await press_for_alert(api, menu, data, USER)
    assert refused.params["text"] == subs.CLOSED_TOPIC
    assert refused.params["show_alert"] in (True, "true")
    assert rdb.topics_of(db, USER) == []


async def test_a_closed_topic_already_followed_can_be_stopped(api: FakeBotApi, bot: Any, db: Database) -> None:
    rdb.subscribe(db, USER, "exam_round:first", dt.datetime(2018, 5, 1, tzinfo=SEOUL))
    rdb.subscribe(db, USER, "exam_round:extra", dt.datetime(2018, 1, 1, tzinfo=SEOUL))
    menu = await say(api, "/subscribe", USER)
    exams = await press(api, menu, "rs:exams", USER)
    assert "✅ 제1회 공개경쟁 임용시험 (1차) (남은 일정 없음)" in buttons(exams)
    await press(api, exams, "rs:t:exam_round:first", USER)
    listing = await say(api, "/unsubscribe", USER)
    await press(api, listing, "rs:u:exam_round:extra", USER)
    assert rdb.topics_of(db, USER) == []


async def test_a_round_closes_as_the_clock_moves(api: FakeBotApi, bot: Any, db: Database, clock: FixedClock) -> None:
    menu = await say(api, "/subscribe", USER)
    clock.current = dt.datetime(2018, 11, 15, 9, 0, tzinfo=SEOUL)  # the 2nd round is over
    refused = await press_for_alert(api, menu, "rs:q:exam_round:second", USER)
    assert refused.params["text"] == subs.CLOSED_TOPIC
    await press(api, menu, "rs:t:exam_round:third", USER)  # the 3rd still has dates
    assert rdb.topics_of(db, USER) == ["exam_round:third"]
