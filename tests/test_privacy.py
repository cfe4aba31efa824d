"""Personal things stay private, and every kind of message gets an answer in a private chat.

The real Application against the fake Bot API: in a group, /calendar, /settings, /subscribe and
/unsubscribe answer with a short line and a deep link into the private chat, where
``/start <payload>`` continues; stickers, photos, voice, files, locations ... get one polite
line in a private chat and silence in a group unless addressed to the bot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlite_utils import Database
from telegram.ext import filters

from db import reminders as rdb
from handlers import attachments, private
from handlers.features import default_features
from handlers.render import Out
from knowledge.reminders import SEOUL
from tests.conftest import E2E_NOW
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import (
    FixedClock,
    Maker,
    bot_maker,
    buttons,
    press_for_alert,
    say,
    send_message,
)

USER = 911
GROUP = -100911
NOW = E2E_NOW
LINK = "https://t.me/hrd_test_bot?start="
OPEN_BUTTON = "🔒 1:1 대화에서 열기"


@pytest.fixture
def make_bot(api: FakeBotApi, db: Database, clock: FixedClock) -> Maker:
    # One update at a time, so "no reply to A" can be checked by the reply to a later B.
    return bot_maker(api, db, clock, default_features, concurrent_updates=1)


def in_group(**kwargs: Any) -> dict[str, Any]:
    return {"chat_type": "supergroup", "user_id": USER, **kwargs}


# --- the calendar ----------------------------------------------------------------------------


async def test_calendar_asked_in_a_group_posts_no_document_there(api: FakeBotApi, bot: Any, db: Database) -> None:
    rdb.subscribe(db, USER, "exam_round:second", NOW)
    reply = await say(api, "/calendar@hrd_test_bot", GROUP, **in_group())
    assert "개인 정보" in reply.text and "1:1 대화" in reply.text
    assert buttons(reply) == {OPEN_BUTTON: f"{LINK}calendar"}
    assert reply.params["reply_parameters"]["message_id"]  # answers the asker
    assert api.calls("sendDocument") == []  # not in the group, not anywhere
    assert "제2회" not in reply.text

    # the link opens the private chat with /start calendar: the file comes there
    api.send_text(USER, "/start calendar")
    [call] = await api.wait_for(1, method="sendDocument", chat_id=USER)
    [upload] = call.files.values()
    assert upload.filename == "hrdbot-calendar.ics" and b"BEGIN:VCALENDAR" in upload.data
    assert [c for c in api.calls("sendDocument") if c.chat_id != USER] == []


# --- menus with personal data ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "private_reply"),
    [
        ("/settings", "방해 금지 시간"),
        ("/settings 시간 07:45", "방해 금지 시간"),
        ("/subscribe", "지금 구독 중"),
        ("/unsubscribe", "알림 해지"),
    ],
)
async def test_personal_menus_in_a_group_link_to_the_private_chat(
    api: FakeBotApi, bot: Any, db: Database, command: str, private_reply: str
) -> None:
    rdb.subscribe(db, USER, "exam_round:second", NOW)
    name = command.split()[0].lstrip("/")
    reply = await say(api, command.replace(f"/{name}", f"/{name}@hrd_test_bot", 1), GROUP, **in_group())
    assert buttons(reply) == {OPEN_BUTTON: f"{LINK}{name}"}
    assert private_reply not in reply.text and "제2회" not in reply.text
    assert rdb.settings_of(db, USER, _defaults()).push_time == dt.time(8, 30)  # nothing changed

    continued = await say(api, f"/start {name}", USER)
    assert private_reply in continued.text
    assert not continued.text.startswith("사용법")  # "settings" is not taken as a setting


def _defaults() -> Any:
    from knowledge.reminders import load_config

    return load_config().defaults


async def test_menu_buttons_pressed_in_a_group_are_refused(api: FakeBotApi, bot: Any, db: Database) -> None:
    reply = await say(api, "/help@hrd_test_bot", GROUP, **in_group())
    for data in ("rs:q:exam_round:second", "rs:t:daycare", "rt:push", "rs:home"):
        refused = await press_for_alert(api, reply, data, GROUP, user_id=USER)
        assert refused.params["text"] == "알림 메뉴는 저와의 1:1 대화에서만 쓸 수 있어요."
    assert rdb.topics_of(db, USER) == []


@pytest.mark.parametrize(
    "text",
    [
        "/start calendar now",
        "/start Calendar",
        "/start calendar?",
        "/start ../calendar",
        "/start " + "calendar" * 20,
        "/start calendar\u200b",
        "/start",
    ],
)
async def test_malformed_deep_links_get_the_welcome(api: FakeBotApi, bot: Any, db: Database, text: str) -> None:
    rdb.subscribe(db, USER, "exam_round:second", NOW)
    reply = await say(api, text, USER)
    assert "어떤 분이신가요?" in reply.text
    assert api.calls("sendDocument") == []


def test_deep_link_payloads_are_checked() -> None:
    assert private.redirect_out("hrd_test_bot", "settings") == Out(
        f"{private.LINES['settings']}\n{private.CONTINUE}", ((private.link_button("hrd_test_bot", "settings"),),)
    )
    without = private.redirect_out(None, "calendar")
    assert without.rows == () and "1:1 메시지" in without.html
    with pytest.raises(KeyError):
        private.redirect_out("hrd_test_bot", "weather")
    with pytest.raises(ValueError, match="no group line"):
        private.start_link({"weather"}, private.redirect)
    with pytest.raises(ValueError):
        private.link_button("hrd_test_bot", "bad payload")


def test_start_payload_filter() -> None:
    wanted = private.StartPayload({"calendar"})
    assert isinstance(wanted, filters.MessageFilter)
    cases = {
        "/start calendar": True,
        "/start@hrd_test_bot calendar": True,
        "/start  calendar ": True,
        "/start": False,
        "/start settings": False,
        "/starting calendar": False,
        "/help calendar": False,
        "calendar": False,
    }
    from telegram import Chat, Message

    for text, expected in cases.items():
        message = Message(1, dt.datetime(2018, 1, 1, tzinfo=SEOUL), Chat(1, "private"), text=text)
        assert wanted.filter(message) is expected, text


# --- messages that are not text --------------------------------------------------------------

FILE = {"file_id": "f1", "file_unique_id": "u1"}
KINDS = {
    "sticker": (
        {
            "sticker": {
                **FILE,
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "emoji": "😀",
            }
        },
        "스티커 고마워요!",
    ),
    "photo": (
        {"photo": [{**FILE, "width": 90, "height": 90}], "caption": "이거 뭐예요?"},
        "사진은 읽을 수 없어요. 궁금한 점을 글로 물어봐 주세요.",
    ),
    "voice": ({"voice": {**FILE, "duration": 3}}, "음성 메시지는 들을 수 없어요."),
    "audio": ({"audio": {**FILE, "duration": 3}}, "오디오 파일은 들을 수 없어요."),
    "video": ({"video": {**FILE, "width": 1, "height": 1, "duration": 1}}, "동영상은 볼 수 없어요."),
    "video_note": ({"video_note": {**FILE, "length": 1, "duration": 1}}, "영상 메시지는 볼 수 없어요."),
    "animation": (
        {"animation": {**FILE, "width": 1, "height": 1, "duration": 1}, "document": FILE},
        "움직이는 이미지(GIF)는 볼 수 없어요.",
    ),
    "document": ({"document": {**FILE, "file_name": "a.pdf"}}, "파일은 열어 볼 수 없어요."),
    "location": ({"location": {"latitude": 37.5, "longitude": 127.0}}, "위치는 받을 수 없어요."),
    "venue": (
        {
            "location": {"latitude": 37.5, "longitude": 127.0},
            "venue": {"location": {"latitude": 37.5, "longitude": 127.0}, "title": "인재개발원", "address": "서초구"},
        },
        "장소는 받을 수 없어요.",
    ),
    "contact": (
        {"contact": {"phone_number": "+82100000000", "first_name": "홍"}},
        "연락처는 받지도 저장하지도 않아요.",
    ),
    "poll": (
        {
            "poll": {
                "id": "p",
                "question": "점심?",
                "options": [
                    {"text": "a", "voter_count": 0, "persistent_id": "a"},
                    {"text": "b", "voter_count": 0, "persistent_id": "b"},
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": True,
                "members_only": False,
            }
        },
        "투표에는 참여할 수 없어요.",
    ),
    "dice": ({"dice": {"emoji": "🎲", "value": 3}}, "주사위 놀이는 할 수 없어요."),
}


@pytest.mark.parametrize("kind", list(KINDS))
async def test_every_kind_of_message_gets_a_short_reply_in_a_private_chat(api: FakeBotApi, bot: Any, kind: str) -> None:
    content, expected = KINDS[kind]
    send_message(api, USER, content)
    [reply] = await api.wait_for(1, chat_id=USER)
    assert reply.text.startswith(expected)
    assert len(reply.text) < 80
    assert reply.text in {text for _, text in attachments.REPLIES}


async def test_non_text_in_a_group_only_when_addressed(api: FakeBotApi, bot: Any) -> None:
    first = await say(api, "/help@hrd_test_bot", GROUP, **in_group())
    for content, _ in KINDS.values():
        send_message(api, GROUP, content, user_id=USER, chat_type="supergroup")
    await say(api, "/help@hrd_test_bot", GROUP, **in_group())
    assert len(api.sent_messages(GROUP)) == 2  # only the two /help replies

    send_message(api, GROUP, KINDS["photo"][0], user_id=USER, chat_type="supergroup", reply_to=first)
    [reply] = (await api.wait_for(3, chat_id=GROUP))[2:]
    assert reply.text.startswith("사진은 읽을 수 없어요.")


def test_an_unknown_kind_gets_the_general_line() -> None:
    from telegram import Chat, Message

    message = Message(1, dt.datetime(2018, 1, 1, tzinfo=SEOUL), Chat(1, "private"))
    assert attachments.reply_for(message) == attachments.OTHER
