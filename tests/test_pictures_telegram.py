"""Pictures through the real Application and the fake Bot API over HTTP: /exams, /facility,
/courses, the picture buttons, file_id reuse, and malformed button data."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from db import pictures as pdb
from db import reminders as rdb
from handlers import pictures as hp
from handlers.app import build_application, running
from handlers.config import RunConfig
from handlers.features import default_features
from handlers.render import STALE_BUTTON, Out
from handlers.state import AppState
from knowledge.core import Brain
from knowledge.reply import Reply
from pictures.service import png_size
from tests.fake_bot_api import ApiCall, FakeBotApi

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2018, 7, 1, 10, 0, tzinfo=SEOUL)
USER = 601
WAIT = 30.0  # the first picture of a process loads matplotlib


class FixedClock:
    def __init__(self, now: dt.datetime) -> None:
        self.current = now

    def now(self) -> dt.datetime:
        return self.current


@pytest.fixture
async def bot(api: FakeBotApi, db: Database) -> AsyncIterator[Any]:
    config = RunConfig(token=api.token, base_url=api.base_url, retry_backoff=0.01, poll_timeout=2.0)
    app = build_application(config, AppState(db, Brain(db), FixedClock(NOW)), default_features())
    async with running(app, config):
        yield app


def photos(api: FakeBotApi, chat_id: int = USER) -> list[ApiCall]:
    return [c for c in api.calls("sendPhoto", chat_id) if c.ok]


async def say(
    api: FakeBotApi, text: str, *, messages: int = 1, photo_count: int = 0, chat_id: int = USER, **kwargs: Any
) -> tuple[list[ApiCall], list[ApiCall]]:
    """Send ``text``; wait for ``messages`` new messages and ``photo_count`` new photos."""
    before_m, before_p = len(api.sent_messages(chat_id)), len(photos(api, chat_id))
    api.send_text(chat_id, text, **kwargs)
    got_p = await api.wait_for(before_p + photo_count, WAIT, method="sendPhoto", chat_id=chat_id)
    got_m = await api.wait_for(before_m + messages, WAIT, chat_id=chat_id)
    return got_m[before_m:], got_p[before_p:]


async def press(api: FakeBotApi, message: ApiCall, data: str, chat_id: int = USER) -> ApiCall:
    """Press a picture button and return the photo it sends."""
    before = len(photos(api, chat_id))
    api.press_button(chat_id, message.message_id, data)
    sent = await api.wait_for(before + 1, WAIT, method="sendPhoto", chat_id=chat_id)
    return sent[before]


def buttons(call: ApiCall) -> dict[str, str]:
    markup = call.reply_markup or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def test_exams_sends_the_timeline_photo_then_the_round_buttons(api: FakeBotApi, bot: Any, db: Database) -> None:
    [menu], [photo] = await say(api, "/exams", photo_count=1)
    assert photo.monotonic < menu.monotonic  # the picture first, then the buttons
    [upload] = api.uploaded_files(USER)
    assert upload.data.startswith(b"\x89PNG") and png_size(upload.data)[0] >= 800
    assert photo.params["caption"].startswith("2018년 서울시 공무원 채용시험 일정")
    assert "필기 발표 8. 22." in photo.params["caption"]
    assert any("제2회" in label for label in buttons(menu))
    file_id = photo.result["photo"][-1]["file_id"]
    assert pdb.file_id(db, f"exams:{_version(db)}:2018-07-01:all:") == file_id

    _, [again] = await say(api, "/exams", photo_count=1)
    assert again.params["photo"] == file_id  # sent by file_id: nothing uploaded again
    assert len(api.uploaded_files(USER)) == 1


def _version(db: Database) -> str:
    from pictures.service import knowledge_version

    return knowledge_version(db)


async def test_a_subscriber_sees_their_rounds_starred(api: FakeBotApi, bot: Any, db: Database) -> None:
    rdb.subscribe(db, USER + 1, "exam_round:third", NOW)
    _, [photo] = await say(api, "/exams", photo_count=1, chat_id=USER + 1)
    assert "★ 경력경쟁 임용시험" in photo.params["caption"]
    assert "★ 제2회" not in photo.params["caption"]


async def test_a_group_never_sees_anyones_subscriptions(api: FakeBotApi, bot: Any, db: Database) -> None:
    group = -100777
    rdb.subscribe(db, USER + 2, "exam_round:*", NOW)
    _, [photo] = await say(api, "/exams", photo_count=1, chat_id=group, user_id=USER + 2, chat_type="supergroup")
    assert "★" not in photo.params["caption"]


async def test_a_refused_file_id_is_uploaded_again(api: FakeBotApi, bot: Any, db: Database) -> None:
    key = f"campus:{_version(db)}::"
    pdb.remember(db, key, "file-id-telegram-forgot", NOW)
    api.fail_next("sendPhoto", 400, description="Bad Request: wrong file identifier")
    _, [photo] = await say(api, "/facility", photo_count=1)
    assert "photo" in photo.files  # uploaded, not sent by the refused file_id
    [upload] = api.uploaded_files(USER)
    assert png_size(upload.data)[0] >= 800
    assert pdb.file_id(db, key) == photo.result["photo"][-1]["file_id"]
    assert "부지 14필지 283,779㎡(85,843평)" in photo.params["caption"]


async def test_a_round_answer_attaches_its_own_row(api: FakeBotApi, bot: Any) -> None:
    [menu], _ = await say(api, "/exams", photo_count=1)
    before = len(api.calls("editMessageText", USER))
    api.press_button(USER, menu.message_id, "x:r:second")
    edits = await api.wait_for(before + 1, WAIT, method="editMessageText", chat_id=USER)
    timeline = edits[before]
    data = buttons(timeline)[hp.ROUND_BUTTON]
    assert data == "p:r:second"
    photo = await press(api, timeline, data)
    assert photo.params["caption"].startswith("제2회 공개경쟁 임용시험 (2차) 일정 (2018년)")
    assert "경력경쟁" not in photo.params["caption"]


async def test_courses_offers_this_months_calendar(api: FakeBotApi, bot: Any) -> None:
    [menu], _ = await say(api, "/courses")
    data = buttons(menu)[hp.MONTH_BUTTON]
    assert data == "p:m:2018-07"
    photo = await press(api, menu, data)
    assert photo.params["caption"].startswith("2018년 7월 교육 일정")
    assert "신임자 과정 제8기" in photo.params["caption"]


async def test_a_building_question_offers_its_picture(api: FakeBotApi, bot: Any) -> None:
    [answer], _ = await say(api, "배움관 몇 층이에요?")
    assert "지하 1층" in answer.text
    data = buttons(answer)[hp.CAMPUS_BUTTON]
    assert data == "p:c:baeum"
    photo = await press(api, answer, data)
    assert "▶ 배움관" in photo.params["caption"]


@pytest.mark.parametrize(
    "data",
    [
        "p:",
        "p:zz",
        "p:c:nowhere",
        "p:c:baeum:9",
        "p:c:baeum:x",
        "p:c:baeum:0",
        "p:m:2018-13",
        "p:m:",
        "p:r:nope",
        "p:e:extra",
        "p:m:2018-07:1",
    ],
)
async def test_malformed_picture_buttons_get_an_alert(api: FakeBotApi, bot: Any, data: str) -> None:
    [menu], _ = await say(api, "/courses")
    before = len(api.calls("answerCallbackQuery"))
    api.press_button(USER, menu.message_id, data)
    calls = await api.wait_for(lambda: api.calls("answerCallbackQuery")[before:], WAIT)
    assert calls[0].params.get("text") == STALE_BUTTON
    assert photos(api) == []


@pytest.mark.parametrize(
    ("intent", "entities", "expected"),
    [
        ("exam.schedule", {"round": ["second"]}, ["p:r:second"]),
        ("exam.schedule", {"round": ["second", "third"]}, ["p:e"]),
        ("exam.schedule", {}, ["p:e"]),
        ("facility.building", {"building": ["dasom"]}, ["p:c:dasom"]),
        ("facility.building", {"building": []}, ["p:c"]),
        ("facility.site", {}, ["p:c"]),
        ("program.list", {"dates": ["2018-07-01", "2018-07-31"]}, ["p:m:2018-07"]),
        ("program.list", {"dates": ["2018-07-01", "2018-08-31"]}, []),
        ("program.list", {}, []),
        ("daycare.priority", {}, []),
        (None, {}, []),
    ],
)
def test_which_answers_have_a_picture(intent: str | None, entities: dict[str, Any], expected: list[str]) -> None:
    reply = Reply("답", intent, 0.9, entities)
    assert [b.data for b in hp.picture_buttons(reply)] == expected


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        ({"building": ["baeum"], "floor": [2]}, "p:c:baeum:2"),
        ({"building": ["baeum"], "floor": -1}, "p:c:baeum:-1"),
        ({"building": ["changui"], "floor": [-1]}, "p:c:changui"),  # no basement: the building
        ({"building": ["baeum"], "floor": [9]}, "p:c:baeum"),
        ({"building": ["baeum"], "floor": ["2층"]}, "p:c:baeum"),
        ({"building": ["baeum"], "floor": True}, "p:c:baeum"),
        ({"building": ["baeum"], "floor": [1, 2]}, "p:c:baeum"),
    ],
)
def test_a_floor_entity_marks_that_floor_when_the_building_has_it(
    db: Database, entities: dict[str, Any], expected: str
) -> None:
    reply = Reply("답", "facility.building", 0.9, entities)
    [out] = hp.offer(reply, [Out("답")], db)
    assert [b.data for row in out.rows for b in row] == [expected]
