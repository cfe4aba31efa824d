"""The console's Telegram side through the real Application and the fake Bot API: 👍/👎 under
answers (forged data refused), /console links for staff only, and the console served inside the
bot process (a save there reaches the very next answer)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlite_utils import Database

from console.app import Settings
from db import console as cdb
from db import roles
from db.schema import connect
from handlers.app import build_application, running
from handlers.config import ConfigError, RunConfig
from handlers.console import Embedded, LinkSettings, console_feature
from handlers.features import default_features
from handlers.state import AppState
from knowledge.core import Brain, LiveBrain
from knowledge.loader import DATA_DIR
from knowledge.reminders import CONFIG_PATH, load_config
from knowledge.store import load_directory
from tests.fake_bot_api import ApiCall, FakeBotApi

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2018, 7, 1, 10, 0, tzinfo=SEOUL)
USER, STAFF, ADMIN = 601, 602, 603
QUESTION = "2차 필기 합격자 발표 언제예요?"


class Clock:
    def now(self) -> dt.datetime:
        return NOW


@pytest.fixture
def db(tmp_path: Path) -> Database:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    load_directory(tmp_path / "hrdbot.db", data)
    return connect(tmp_path / "hrdbot.db")


def config_for(api: FakeBotApi) -> RunConfig:
    return RunConfig(token=api.token, base_url=api.base_url, retry_backoff=0.01, poll_timeout=2.0)


@pytest.fixture
def make_bot(api: FakeBotApi, db: Database, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    monkeypatch.setenv("HRDBOT_ADMINS", str(ADMIN))
    monkeypatch.delenv("HRDBOT_CONSOLE_URL", raising=False)

    def make(features: list[Any] | None = None, brain: Any = None) -> Any:
        app = build_application(
            config_for(api), AppState(db, brain or Brain(db), Clock()), features or default_features()
        )
        return running(app, config_for(api))

    return make


async def say(api: FakeBotApi, text: str, chat_id: int = USER, **kwargs: Any) -> ApiCall:
    before = len(api.sent_messages(chat_id))
    api.send_text(chat_id, text, **kwargs)
    return (await api.wait_for(before + 1, chat_id=chat_id))[before]


def keyboard(call: ApiCall) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in (call.reply_markup or {}).get("inline_keyboard", []) for b in row}


async def press(api: FakeBotApi, message: ApiCall, data: str, chat_id: int = USER) -> ApiCall:
    before = len(api.calls("answerCallbackQuery"))
    api.press_button(chat_id, message.message_id, data)
    calls = await api.wait_for(before + 1, method="answerCallbackQuery")
    return calls[before]


# --- 👍 / 👎 -----------------------------------------------------------------------------------


async def test_answers_carry_a_thumbs_pair_and_thumbs_down_reaches_unanswered(
    api: FakeBotApi, make_bot: Any, db: Database
) -> None:
    async with make_bot():
        reply = await say(api, QUESTION)
        buttons = keyboard(reply)
        assert {"👍", "👎"} <= set(buttons)
        assert all(len(d.encode()) <= 64 for d in buttons.values())
        thanks = await press(api, reply, buttons["👎"])
        assert "고마워요" in thanks.params["text"]
        await press(api, reply, buttons["👍"])
        declined = await say(api, "오늘 서울 날씨 어때요?")
        assert "👍" not in keyboard(declined)  # declines are logged as unanswered already
    [wrong] = cdb.wrong_answers(db)
    assert wrong.example == QUESTION and wrong.intent == "exam.schedule"
    assert "8월 22일" in wrong.answer and wrong.count == 1
    days = cdb.question_days(db, NOW.date(), NOW.date())
    assert days == {"2018-07-01": (1, 1)}


@pytest.mark.parametrize(
    "data", ["f:d:AAAAAAAAAAAA", "f:x:whatever", "f:d:", "f:", "f:u:" + "z" * 60, "f:d:k:../../etc"]
)
async def test_forged_feedback_data_is_refused_and_records_nothing(
    api: FakeBotApi, make_bot: Any, db: Database, data: str
) -> None:
    async with make_bot():
        reply = await say(api, QUESTION)
        alert = await press(api, reply, data)
    assert alert.params.get("show_alert") is True
    assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


# --- /console --------------------------------------------------------------------------------


async def test_console_link_for_staff_in_private_only(
    api: FakeBotApi, make_bot: Any, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HRDBOT_CONSOLE_URL", "https://console.example.org/")
    roles.grant(db, STAFF, roles.STAFF, by=ADMIN, now=NOW)
    async with make_bot():
        refused = await say(api, "/console", chat_id=USER)
        assert "직원만" in refused.text and "login" not in refused.text
        group = await say(api, "/console", chat_id=-1005, chat_type="supergroup", user_id=STAFF)
        assert "개인 대화" in group.text and "login" not in group.text
        link = await say(api, "/console", chat_id=STAFF)
        again = await say(api, "/console", chat_id=ADMIN)
    url = re.search(r"https://console\.example\.org/login\?token=([\w-]+)", link.text)
    assert url and url.group(1) not in again.text
    ok, user_id = cdb.use_login_token(db, url.group(1), NOW)
    assert ok and user_id == STAFF
    assert cdb.use_login_token(db, url.group(1), NOW) == (False, None)
    refusals = [e for e in cdb.audit_entries(db) if e.action == "console.link" and not e.allowed]
    assert [e.user_id for e in refusals] == [USER]


async def test_console_without_a_url_says_what_to_configure(api: FakeBotApi, make_bot: Any) -> None:
    async with make_bot():
        reply = await say(api, "/console", chat_id=ADMIN)
    assert "HRDBOT_CONSOLE_URL" in reply.text


@pytest.mark.parametrize("value", ["console.example.org", "ftp://x", "javascript:alert(1)"])
def test_a_bad_console_url_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="HRDBOT_CONSOLE_URL"):
        LinkSettings.from_env({"HRDBOT_CONSOLE_URL": value})


# --- served inside the bot -------------------------------------------------------------------


async def test_a_save_in_the_embedded_console_reaches_the_next_answer(
    api: FakeBotApi, make_bot: Any, db: Database, unused_tcp_port: int
) -> None:
    settings = Settings(db=db, now=Clock().now, reminder_config=load_config(CONFIG_PATH), admins=frozenset({ADMIN}))
    features = default_features(Embedded(settings, "127.0.0.1", unused_tcp_port))
    async with make_bot(features, LiveBrain(db, check_every=0.0)):
        assert "8월 22일" in (await say(api, QUESTION)).text
        link = await say(api, "/console", chat_id=ADMIN)
        url = re.search(r"http://127\.0\.0\.1:\d+/login\?token=[\w-]+", link.text).group(0)
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            page = await (await http.get(url)).text()
            assert "<svg" in page
            event = f"http://127.0.0.1:{unused_tcp_port}/knowledge/exams.yaml/events/3"
            form = await (await http.get(event)).text()
            values = dict(re.findall(r'name="(csrf|base)" value="([^"]+)"', form))
            values.update(
                id="second-written-result",
                round="second",
                type="written_result",
                start="2018-08-29",
                source="Ⅲ-4-2 우수 신규공무원 선발 > 향후계획",
                action="save",
            )
            saved = await http.post(event, data=values)
            assert saved.status == 200 and 'id="saved"' in await saved.text()
        assert "8월 29일" in (await say(api, QUESTION)).text


def test_console_feature_registers_the_command() -> None:
    feature = console_feature(LinkSettings(None, frozenset()))
    assert [c.name for c in feature.commands] == ["console"]
    assert feature.commands[0].staff_only
