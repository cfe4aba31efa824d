"""The real Application, over HTTP, against the fake Bot API on 127.0.0.1.

Synchronisation is always by awaiting the fake's recorded calls (``api.wait_for``), never sleeps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlite_utils import Database

from db import users
from handlers import render
from handlers.app import build_application, running
from handlers.config import RunConfig
from handlers.features import default_features
from handlers.registry import all_commands
from handlers.state import AppState
from knowledge.core import Brain
from knowledge.reply import EMPTY_CONTEXT, Context, Reply
from knowledge.store import open_database
from tests.fake_bot_api import ApiCall, FakeBotApi

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2018, 8, 21, 9, 0, tzinfo=SEOUL)
USER = 501


class FixedClock:
    def __init__(self, now: dt.datetime) -> None:
        self.current = now

    def now(self) -> dt.datetime:
        return self.current


class FailingBrain:
    """A core that breaks on every question (to exercise the error handler)."""

    def answer(self, text: str, context: Context = EMPTY_CONTEXT, *, now: dt.datetime) -> Reply:
        raise RuntimeError("the core broke")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return open_database(tmp_path_factory.mktemp("telegram") / "hrdbot.db")


@pytest.fixture(scope="module")
def brain(db: Database) -> Brain:
    return Brain(db)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def config_for(api: FakeBotApi, **options: Any) -> RunConfig:
    return RunConfig(token=api.token, base_url=api.base_url, retry_backoff=0.01, poll_timeout=2.0, **options)


@pytest.fixture
def make_bot(api: FakeBotApi, db: Database, brain: Brain, clock: FixedClock) -> Callable[..., Any]:
    def make(core: Any = None, **options: Any) -> Any:
        app = build_application(config_for(api, **options), AppState(db, core or brain, clock), default_features())
        return running(app, config_for(api, **options))

    return make


@pytest.fixture
async def bot(make_bot: Callable[..., Any]) -> AsyncIterator[Any]:
    async with make_bot() as app:
        yield app


async def say(api: FakeBotApi, text: str, chat_id: int = USER, replies: int = 1, **kwargs: Any) -> list[ApiCall]:
    """Send ``text`` as a user and return the bot's new messages to that chat."""
    before = len(api.sent_messages(chat_id))
    api.send_text(chat_id, text, **kwargs)
    sent = await api.wait_for(before + replies, chat_id=chat_id)
    return sent[before:]


async def press(
    api: FakeBotApi, message: ApiCall, data: str, chat_id: int = USER, method: str = "editMessageText"
) -> ApiCall:
    """Press a button under ``message``; return the bot's resulting edit (or message)."""
    before = len([c for c in api.calls(method, chat_id) if c.ok])
    api.press_button(chat_id, message.message_id, data)
    calls = await api.wait_for(before + 1, method=method, chat_id=chat_id)
    return calls[before]


def buttons(call: ApiCall) -> dict[str, str]:
    """label -> callback data of the inline keyboard of a call."""
    markup = call.reply_markup or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


def button(call: ApiCall, label_part: str) -> str:
    found = [data for label, data in buttons(call).items() if label_part in label]
    assert found, f"no button with {label_part!r} in {list(buttons(call))}"
    return found[0]


# --- commands --------------------------------------------------------------------------------


async def test_commands_come_from_the_registry(api: FakeBotApi, bot: Any) -> None:
    registered = api.commands[('{"type": "default"}', "")]
    expected = [c for c in all_commands(default_features()) if not c.staff_only]
    assert [(c["command"], c["description"]) for c in registered] == [(c.name, c.description) for c in expected]
    assert {"start", "help", "courses", "exams", "daycare", "facility", "ask", "cancel"} <= {
        c["command"] for c in registered
    }

    [reply] = await say(api, "/help")
    for command in expected:
        assert f"/{command.name} — {command.description}" in reply.text
    assert reply.params["parse_mode"] == "HTML"


async def test_start_asks_who_the_user_is_and_tailors_the_menu(api: FakeBotApi, bot: Any, db: Database) -> None:
    [welcome] = await say(api, "/start", first_name="<지훈>")
    assert "&lt;지훈&gt;님" in welcome.text
    assert set(buttons(welcome)) == {"직원", "수험생", "학부모", "기타"}

    edited = await press(api, welcome, buttons(welcome)["학부모"])
    assert "학부모</b>로 기억할게요" in edited.text
    assert list(buttons(edited).values()) == ["m:daycare", "m:facility", "m:ask"]
    assert users.audience_of(db, USER) == "parent"

    rules = await press(api, edited, "m:daycare", method="sendMessage")
    assert "입소 우선순위" in rules.text


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("exams", "2018년 채용시험"),
        ("courses", "교육과정"),
        ("daycare", "입소 우선순위"),
        ("facility", "시설 안내"),
    ],
)
async def test_start_deep_links_open_a_section(api: FakeBotApi, bot: Any, param: str, expected: str) -> None:
    [reply] = await say(api, f"/start {param}")
    assert expected in reply.text


async def test_courses_paging_drill_down_and_back(api: FakeBotApi, bot: Any) -> None:
    [menu] = await say(api, "/courses")
    assert "(1/2)" in menu.text
    page2 = await press(api, menu, button(menu, "다음"))
    assert "(2/2)" in page2.text and "e-러닝" in buttons(page2)
    page1 = await press(api, page2, button(page2, "이전"))
    assert "(1/2)" in page1.text

    category = await press(api, page1, button(page1, "직급별 필수교육"))
    assert "신임자 과정" in buttons(category)
    detail = await press(api, category, button(category, "신임자 과정"))
    assert "<b>신임자 과정</b>" in detail.text
    assert "제8기: 2018. 7. 23.(월) ~ 8. 24.(금) — ▶ 진행 중" in detail.text
    assert "제9기: 2018. 8. 27.(월) ~ 9. 7.(금) — ⏳ 예정 (D-6)" in detail.text
    assert "2018년 인재개발원 업무보고 기준" in detail.text

    back = await press(api, detail, button(detail, "과정 목록"))
    assert back.text == category.text
    top = await press(api, back, button(back, "분야 목록"))
    assert "분야를 골라 주세요" in top.text


async def test_exams_timeline_marks_past_and_upcoming(api: FakeBotApi, bot: Any, clock: FixedClock) -> None:
    [rounds] = await say(api, "/exams")
    timeline = await press(api, rounds, button(rounds, "제2회"))
    assert "오늘 2018. 8. 21.(화) 기준" in timeline.text
    assert "✔ 지난 일정 · <b>필기시험</b>: 2018. 6. 23.(토)" in timeline.text
    assert "⏳ 예정 (D-1) · <b>필기 합격자 발표</b>: 2018. 8. 22.(수)" in timeline.text

    clock.current = dt.datetime(2018, 10, 20, 12, 0, tzinfo=SEOUL)
    again = await press(api, timeline, button(timeline, "회차 목록"))
    later = await press(api, again, button(again, "제2회"))
    assert "✔ 지난 일정 · <b>필기 합격자 발표</b>" in later.text
    assert "▶ 진행 중 · <b>면접시험</b>: 2018. 10. 15.(월) ~ 10. 31.(수)" in later.text


async def test_facility_lists_buildings_floors_and_amenities(api: FakeBotApi, bot: Any) -> None:
    [reply] = await say(api, "/facility")
    assert "배움관 — 지하 1층, 지상 3층" in reply.text
    assert "구내식당" in reply.text


async def test_ask_explains_and_its_examples_answer(api: FakeBotApi, bot: Any) -> None:
    [howto] = await say(api, "/ask")
    assert "질문하는 방법" in howto.text
    answer = await press(api, howto, button(howto, "신임자 과정"), method="sendMessage")
    assert "신임자 과정" in answer.text and "제8기" in answer.text

    [direct] = await say(api, "/ask 배움관은 몇 층이에요?")
    assert "지하 1층" in direct.text


async def test_cancel_and_unknown_command_outside_a_flow(api: FakeBotApi, bot: Any) -> None:
    [reply] = await say(api, "/cancel")
    assert reply.text == render.NOTHING_TO_CANCEL
    [reply] = await say(api, "/nosuchthing")
    assert reply.text == render.UNKNOWN_COMMAND


# The daycare check: tests/test_daycare_bot.py.


# --- free text -------------------------------------------------------------------------------


async def test_free_text_follow_up_keeps_the_chat_context(api: FakeBotApi, bot: Any) -> None:
    [first] = await say(api, "2차 필기 합격자 발표 언제예요?")
    assert "2018년 8월 22일(수)" in first.text
    [follow] = await say(api, "면접은요?")
    assert "제2회 공개경쟁 임용시험 (2차) 면접" in follow.text


async def test_user_text_is_escaped_and_suggestions_answer(api: FakeBotApi, bot: Any) -> None:
    [reply] = await say(api, "<b>날씨</b> & 주식 어때요?")
    assert "<b>날씨" not in reply.text
    assert buttons(reply), "a declined question offers suggestions"
    answer = await press(api, reply, button(reply, "신임자"), method="sendMessage")
    assert "신임자 과정" in answer.text


async def test_a_short_answer_opens_its_full_card(api: FakeBotApi, bot: Any) -> None:
    [short] = await say(api, "신임자 과정 언제 시작해요?")
    full = await press(api, short, button(short, "자세히"), method="sendMessage")
    assert len(full.text) > len(short.text) and "제9기" in full.text
    assert not any("자세히" in label for label in buttons(full))  # nothing more to open


class LongSuggestionBrain:
    """The real core, with one suggestion too long for 64 bytes of callback data added."""

    LONG = "제2회 공개경쟁 임용시험 (2차) 필기 합격자 발표는 언제예요?"

    def __init__(self, brain: Brain) -> None:
        self.brain = brain

    def answer(self, text: str, context: Context = EMPTY_CONTEXT, *, now: dt.datetime) -> Reply:
        reply = self.brain.answer(text, context, now=now)
        return dataclasses.replace(reply, suggestions=(self.LONG, *reply.suggestions))


async def test_long_suggestions_survive_a_restart(api: FakeBotApi, make_bot: Any, brain: Brain) -> None:
    assert len(f"q:{LongSuggestionBrain.LONG}".encode()) > 64
    async with make_bot(core=LongSuggestionBrain(brain)):
        [reply] = await say(api, "날씨 어때요?")
    data = buttons(reply)[LongSuggestionBrain.LONG]
    assert data.startswith("k:") and len(data.encode()) <= 64
    async with make_bot():  # a new Application: nothing in memory survives
        answer = await press(api, reply, data, method="sendMessage")
    assert "필기 합격자 발표는 2018년 8월 22일(수)" in answer.text


async def test_group_answers_only_when_addressed(api: FakeBotApi, bot: Any) -> None:
    group = -1001
    options = {"chat_type": "supergroup", "user_id": 77}
    api.send_text(group, "신임자 과정 언제 시작해요?", **options)
    [mentioned] = await say(api, "@hrd_test_bot 신임자 과정 언제 시작해요?", chat_id=group, **options)
    assert "신임자 과정" in mentioned.text
    assert mentioned.params["reply_parameters"]["message_id"] == 2  # quotes the question
    [replied] = await say(api, "면접은요?", chat_id=group, reply_to_bot=True, **options)
    assert "면접" in replied.text
    [command] = await say(api, "/ask@hrd_test_bot 배움관은 몇 층이에요?", chat_id=group, **options)
    assert "지하 1층" in command.text
    api.send_text(group, "점심 뭐 먹지", **options)
    [helped] = await say(api, "/help@hrd_test_bot", chat_id=group, **options)
    assert "사용할 수 있는 명령" in helped.text
    assert len(api.sent_messages(group)) == 4  # the two unaddressed messages got nothing


# --- failures --------------------------------------------------------------------------------


async def test_handler_exception_is_logged_apologised_and_serving_goes_on(
    api: FakeBotApi, make_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="hrdbot.telegram")
    async with make_bot(core=FailingBrain()):
        [apology] = await say(api, "신임자 과정 언제 시작해요?")
        assert apology.text == render.APOLOGY
        [help_reply] = await say(api, "/help")
        assert "사용할 수 있는 명령" in help_reply.text
    [record] = [r for r in caplog.records if r.name == "hrdbot.telegram"]
    assert record.getMessage().startswith("update ") and "failed" in record.getMessage()
    assert record.exc_info is not None and "the core broke" in str(record.exc_info[1])


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_bot_api_500_on_send_message_is_retried(api: FakeBotApi, make_bot: Any, transport: str) -> None:
    api.fail_next("sendMessage", status=500, times=2)
    async with make_bot(transport=transport):
        [reply] = await say(api, "/help")
    attempts = api.calls("sendMessage", USER)
    assert [c.status for c in attempts] == [500, 500, 200]
    assert "사용할 수 있는 명령" in reply.text


# PTB itself warns when it builds RetryAfter from the integer the Bot API sends.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_bot_api_429_retry_after_is_honoured(api: FakeBotApi, bot: Any) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1)
    await say(api, "/help")
    refused, delivered = api.calls("sendMessage", USER)
    assert (refused.status, delivered.status) == (429, 200)
    assert delivered.monotonic - refused.monotonic >= 1.0


@pytest.mark.parametrize("transport", ["aiohttp", "httpx"])
async def test_token_never_appears_in_logs(
    db: Database, brain: Brain, clock: FixedClock, caplog: pytest.LogCaptureFixture, transport: str
) -> None:
    from handlers import redact

    token = "987654321:AAHsecretSECRETsecret-0123456789"
    caplog.set_level(logging.DEBUG)
    redact.install(token)
    try:
        async with FakeBotApi(token=token) as api:
            config = RunConfig(token=token, base_url=api.base_url, poll_timeout=2.0, transport=transport)
            app = build_application(config, AppState(db, brain, clock), default_features())
            async with running(app, config):
                await say(api, "/help")
    finally:
        redact.uninstall()
    assert "/bot<token>" in caplog.text  # PTB (and httpx) did log URLs with the token ...
    assert token not in caplog.text and "AAHsecret" not in caplog.text  # ... redacted


async def test_webhook_mode_checks_the_secret_token(api: FakeBotApi, make_bot: Any, unused_tcp_port: int) -> None:
    pytest.importorskip("tornado")
    url = f"http://127.0.0.1:{unused_tcp_port}/hook"
    async with make_bot(webhook_url=url, port=unused_tcp_port, webhook_secret="s3cret"):
        assert api.webhook["url"] == url and api.webhook["secret_token"] == "s3cret"
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "/help",
                "chat": {"id": USER, "type": "private"},
                "from": {"id": USER, "is_bot": False, "first_name": "T"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }

        async def post(secret: str) -> int:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with aiohttp.ClientSession() as session, session.post(url, json=update, headers=headers) as response:
                return response.status

        assert await post("wrong") == 403
        assert await post("s3cret") == 200
        [reply] = await api.wait_for(1, chat_id=USER)
        assert "사용할 수 있는 명령" in reply.text


def test_every_callback_fits_or_is_stored(db: Database, tmp_path: Path) -> None:
    """Menu data built from the shipped knowledge stays within 64 bytes (ids are short)."""
    from db import knowledge as kdb

    datas = [f"c:c:{c.id}:0" for c in kdb.categories(db)]
    datas += [f"c:p:{p.id}:9" for p in kdb.programs(db)]
    datas += [f"x:r:{r.id}" for r in kdb.rounds(db)]
    assert max(len(d.encode()) for d in datas) <= 64


async def test_files_go_up_as_multipart(api: FakeBotApi, bot: Any) -> None:
    """Other features send files (the .ics calendar); the aiohttp transport uploads them."""
    await bot.bot.send_document(USER, document=b"BEGIN:VCALENDAR\r\n", filename="hrd.ics", caption="일정 <파일>")
    [uploaded] = api.uploaded_files(USER)
    assert (uploaded.filename, uploaded.data) == ("hrd.ics", b"BEGIN:VCALENDAR\r\n")
    [call] = api.calls("sendDocument", USER)
    assert call.params["caption"] == "일정 <파일>"


async def test_aiohttp_transport_maps_timeouts_and_refusals(api: FakeBotApi) -> None:
    from telegram.error import NetworkError, TimedOut

    from handlers.transport import AiohttpRequest

    request = AiohttpRequest(read_timeout=0.1)
    await request.initialize()
    try:
        api.set_latency(0.4, "getMe")
        with pytest.raises(TimedOut):
            await request.post(f"{api.base_url}{api.token}/getMe")
        api.set_latency(0, "getMe")
        assert (await request.post(f"{api.base_url}{api.token}/getMe"))["is_bot"]
        with pytest.raises(NetworkError):
            await request.post("http://127.0.0.1:9/botX/getMe")  # nothing listens there
    finally:
        await request.shutdown()
