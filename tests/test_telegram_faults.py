"""Faults at the Telegram edge (issue 11), with the real ``Application`` over HTTP against the
local fake Bot API: token redaction at the logging root, start-up that waits for the Bot API,
clean shut-down in every state, callback queries answered before the work, 429 per chat."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from handlers import redact, render
from handlers.app import (
    BotApiRejectedToken,
    NeverConnected,
    build_application,
    running,
    serve,
    wait_for_bot_api,
)
from handlers.broadcast import stop_engine
from handlers.clock import SEOUL
from handlers.config import RunConfig
from handlers.features import default_features
from handlers.reminder_delivery import ReminderService, RetryLater
from handlers.state import AppState
from knowledge import reminders as rk
from knowledge.core import Brain
from knowledge.store import open_database
from tests.fake_bot_api import ApiCall, FakeBotApi

TOKEN = "5555:REDACT-me-secret-value"
SECRET = "REDACT-me-secret"
USER = 4711


class FixedClock:
    def __init__(self, now: dt.datetime) -> None:
        self._now = now

    def now(self) -> dt.datetime:
        return self._now


class Sleeps:
    """A fake ``asyncio.sleep``: records the delays, returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    return open_database(tmp_path_factory.mktemp("faults") / "hrdbot.db")


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN) as server:
        yield server


def config_for(base_url: str) -> RunConfig:
    return RunConfig(token=TOKEN, base_url=base_url, retry_backoff=0.01, poll_timeout=2.0)


def make_app(db: Database, base_url: str) -> Any:
    clock = FixedClock(dt.datetime(2018, 8, 21, 9, 0, tzinfo=SEOUL))
    return build_application(config_for(base_url), AppState(db, Brain(db), clock), default_features())


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything logged at DEBUG by any logger while the token is installed, as a handler
    added after ``install`` would see it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    redact.install(TOKEN)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        redact.uninstall()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/bot"


# --- redaction -----------------------------------------------------------------------------------


class Holder:
    def __repr__(self) -> str:
        return f"Holder(token={TOKEN!r})"


def test_every_logger_and_traceback_is_redacted(captured: io.StringIO) -> None:
    library = logging.getLogger("some.library.deep.inside")  # no filter of its own
    library.debug("GET %s", f"https://api.telegram.org/bot{TOKEN}/getMe")
    library.info("holding %r", Holder())
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        library.exception("failed")
    logging.getLogger("telegram.ext.Updater").warning("secret half alone: %s", TOKEN.split(":", 1)[1])
    text = captured.getvalue()
    assert TOKEN not in text and SECRET not in text
    assert "/bot<token>/getMe" in text and "Holder(token='<token>')" in text
    assert "RuntimeError: The token `<token>` was rejected" in text
    assert "secret half alone: <token>" in text


async def test_token_echoed_in_a_401_never_reaches_the_log(
    db: Database, api: FakeBotApi, captured: io.StringIO
) -> None:
    api.fail_next("getMe", 401, times=None, description=f"Unauthorized: the token {TOKEN} is not valid")
    app = make_app(db, api.base_url)
    with pytest.raises(BotApiRejectedToken) as raised:
        await serve(app, config_for(api.base_url), asyncio.Event())
    assert TOKEN not in str(raised.value) and TOKEN not in repr(raised.value)
    assert len(api.calls("getMe")) == 1  # refused: no retry
    text = captured.getvalue()
    assert TOKEN not in text and SECRET not in text and "Unclosed" not in text


# --- start-up and shut-down ----------------------------------------------------------------------


async def test_start_up_retries_with_backoff_until_the_api_answers(
    db: Database, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_next("getMe", 502, times=3)
    app = make_app(db, api.base_url)
    sleeps = Sleeps()
    try:
        await wait_for_bot_api(app.bot, sleep=sleeps)
    finally:
        await app.bot.shutdown()
    assert len(api.calls("getMe")) == 4
    for delay, base in zip(sleeps.delays, [1, 2, 4], strict=True):
        assert base <= delay <= base * 1.1  # 1, 2, 4 s (+ up to 10 %)
    retries = [r.getMessage() for r in caplog.records if "다시 시도합니다" in r.getMessage()]
    assert len(retries) == 3 and all("\n" not in line for line in retries)


async def test_start_up_waits_a_429_exactly(db: Database, api: FakeBotApi) -> None:
    api.fail_next("getMe", 429, retry_after=42)
    app = make_app(db, api.base_url)
    sleeps = Sleeps()
    try:
        await wait_for_bot_api(app.bot, sleep=sleeps)
    finally:
        await app.bot.shutdown()
    assert sleeps.delays == [42]


async def test_backoff_is_capped(db: Database, api: FakeBotApi) -> None:
    api.fail_next("getMe", 503, times=9)
    app = make_app(db, api.base_url)
    sleeps = Sleeps()
    try:
        await wait_for_bot_api(app.bot, sleep=sleeps, max_delay=60.0)
    finally:
        await app.bot.shutdown()
    for delay, base in zip(sleeps.delays, [1, 2, 4, 8, 16, 32, 60, 60, 60], strict=True):
        assert base <= delay <= base * 1.1


async def test_stopped_before_the_api_ever_answered(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    url = closed_port_url()
    app = make_app(db, url)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(1.5, stop.set)
    with pytest.raises(NeverConnected) as raised:
        await serve(app, config_for(url), stop)
    assert "NetworkError" in raised.value.last_error
    assert not any("Unclosed" in r.getMessage() or r.levelno >= logging.ERROR for r in caplog.records)


async def test_stop_engine_when_start_up_never_got_that_far(db: Database) -> None:
    app = make_app(db, closed_port_url())
    await stop_engine(app)  # no KeyError: nothing was started


async def test_served_and_stopped_cleanly(db: Database, api: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(db, api.base_url)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config_for(api.base_url), stop))
    api.send_text(USER, "배움관 몇 층이에요?")
    [answer] = await api.wait_for(1, chat_id=USER)
    stop.set()
    await asyncio.wait_for(task, 30)
    assert "지상 3층" in answer.text
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)


# --- callback queries ----------------------------------------------------------------------------


@pytest.fixture
async def bot(db: Database, api: FakeBotApi) -> AsyncIterator[Any]:
    app = make_app(db, api.base_url)
    async with running(app, config_for(api.base_url)):
        yield app


def _data(call: ApiCall, label_part: str) -> str:
    markup = call.reply_markup or {}
    found = [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row if label_part in b["text"]]
    assert found, markup
    return found[0]


async def test_callback_is_answered_before_the_edit(bot: Any, api: FakeBotApi) -> None:
    api.send_text(USER, "/courses")
    [menu] = await api.wait_for(1, chat_id=USER)
    data = _data(menu, "")
    api.press_button(USER, menu.message_id, data)
    await api.wait_for(1, method="editMessageText", chat_id=USER)
    answered = api.calls("answerCallbackQuery")[-1]
    edited = api.calls("editMessageText", USER)[-1]
    assert answered.monotonic <= edited.monotonic


async def test_failed_menu_edit_sends_the_menu_anew(bot: Any, api: FakeBotApi) -> None:
    api.send_text(USER + 1, "/courses")
    [menu] = await api.wait_for(1, chat_id=USER + 1)
    api.fail_next("editMessageText", 400, description="Bad Request: message can't be edited")
    api.press_button(USER + 1, menu.message_id, _data(menu, ""))
    sent = await api.wait_for(2, chat_id=USER + 1)
    assert len(api.calls("answerCallbackQuery")) >= 1  # the spinner stopped
    again = sent[1]
    assert render.APOLOGY not in (again.text or "")
    assert again.reply_markup  # the page the button asked for, with its buttons


# --- 429: that chat only, exactly retry_after -----------------------------------------------------


class OneChatLimited:
    """A sender whose first send to ``chat`` gets a 429 asking to wait ``seconds``."""

    def __init__(self, chat: int, seconds: float) -> None:
        self.chat, self.seconds = chat, seconds
        self.sent: list[int] = []
        self.refused = False

    async def send(self, chat_id: int, text: str) -> None:
        if chat_id == self.chat and not self.refused:
            self.refused = True
            raise RetryLater(self.seconds, chat_only=True)
        self.sent.append(chat_id)


async def test_reminder_429_holds_that_chat_only(tmp_path: Path) -> None:
    from db import reminders as rdb

    database = open_database(tmp_path / "r.db")
    since = dt.datetime(2018, 1, 1, tzinfo=SEOUL)
    for user in (1, 4):
        rdb.subscribe(database, user, "exam_round:second", since)
    service = ReminderService(database, rk.load_config())
    sender = OneChatLimited(1, 40.0)
    now = dt.datetime(2018, 6, 22, 9, 0, tzinfo=SEOUL)  # D-1 of the written exam: both due
    report = await service.deliver_due(now, sender)
    assert 4 in sender.sent and 1 not in sender.sent  # the other chat went on
    assert report.released == 1 and report.retry_after == 40
    sent_before = len(sender.sent)
    early = await service.deliver_due(now + dt.timedelta(seconds=39), sender)
    assert early.sent == 0 and early.held >= 1 and len(sender.sent) == sent_before
    late = await service.deliver_due(now + dt.timedelta(seconds=40), sender)
    assert late.sent >= 1 and set(sender.sent[sent_before:]) == {1}


# --- 429 in the broadcast engine, on a clock the test moves ---------------------------------------


class ManualClock:
    def __init__(self, start: dt.datetime) -> None:
        self.at = start

    def now(self) -> dt.datetime:
        return self.at


class RecordingSender:
    """The engine's ``Sender``: the first send to ``limited`` gets a 429 of ``seconds``."""

    def __init__(self, limited: int, seconds: float) -> None:
        from handlers.broadcast_engine import RetryLater as EngineRetryLater

        self._error = EngineRetryLater(seconds)
        self.limited = limited
        self.sent: list[int] = []
        self.refused = False
        self.changed = asyncio.Event()

    async def send(self, chat_id: int, notice: Any) -> int:
        self.changed.set()
        if chat_id == self.limited and not self.refused:
            self.refused = True
            raise self._error
        self.sent.append(chat_id)
        return len(self.sent)

    async def post(self, chat_id: int, html: str) -> int:
        return 0

    async def edit(self, chat_id: int, message_id: int, html: str) -> None:
        return None


async def _until(sender: RecordingSender, predicate: Any, limit: float = 10.0) -> None:
    async with asyncio.timeout(limit):
        while not predicate():
            sender.changed.clear()
            await sender.changed.wait()


async def test_broadcast_429_waits_exactly_retry_after_for_that_chat(tmp_path: Path) -> None:
    from db import broadcasts as bdb
    from handlers.broadcast_engine import BroadcastEngine, EngineConfig
    from tests.broadcast_helpers import START, add_users

    database = open_database(tmp_path / "b.db")
    add_users(database, range(1, 11))
    clock = ManualClock(START)
    sender = RecordingSender(limited=3, seconds=60.0)
    engine = BroadcastEngine(
        database,
        sender,
        clock,
        EngineConfig(rate=1000.0, per_chat_interval=0.0, backoff=0.05, progress_every=0.05, poll_every=0.05, window=4),
    )
    b = bdb.create(database, text="공지", now=START, audience="all", state=bdb.QUEUED)
    engine.start()
    try:
        await _until(sender, lambda: len(sender.sent) == 9)  # everyone else, without waiting
        assert 3 not in sender.sent and sender.refused
        clock.at = START + dt.timedelta(seconds=59.9)
        await asyncio.sleep(0.3)
        assert 3 not in sender.sent  # not a moment before retry_after
        clock.at = START + dt.timedelta(seconds=60)
        await _until(sender, lambda: 3 in sender.sent)
    finally:
        await engine.stop()
    assert bdb.get(database, b.id).sent == 10


class Seen(logging.Handler):
    """Sets ``event`` when a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.event = asyncio.Event()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        self.lines.append(f"{record.levelname} {message} {record.exc_text or ''}")
        if self.text in message:
            self.event.set()


async def test_outage_while_running_is_ridden_out(db: Database) -> None:
    first = await FakeBotApi(token=TOKEN).start()
    port = first.port
    app = make_app(db, first.base_url)
    seen = Seen("업데이트를 받지 못했습니다")
    logging.getLogger().addHandler(seen)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config_for(first.base_url), stop))
    try:
        await first.wait_for(1, method="getUpdates")  # started and polling
        await first.stop()  # the network goes away while the bot runs
        async with asyncio.timeout(30):
            await seen.event.wait()
        async with FakeBotApi(token=TOKEN, port=port) as back:  # ... and comes back
            back.send_text(USER + 2, "배움관 몇 층이에요?")
            [answer] = await back.wait_for(1, chat_id=USER + 2, timeout=60)
            stop.set()
            await asyncio.wait_for(task, 30)
    finally:
        logging.getLogger().removeHandler(seen)
        stop.set()
    assert "지상 3층" in answer.text
    failures = [line for line in seen.lines if "업데이트를 받지 못했습니다" in line]
    assert failures and all("Traceback" not in line for line in failures)
    assert not [line for line in seen.lines if line.startswith(("ERROR", "CRITICAL"))]


async def test_outage_during_start_up_goes_back_to_waiting(db: Database) -> None:
    first = await FakeBotApi(token=TOKEN).start()
    port = first.port
    first.set_latency(0.5, "setMyCommands")  # start-up is under way while the network goes
    app = make_app(db, first.base_url)
    seen = Seen("다시 연결을 기다립니다")
    logging.getLogger().addHandler(seen)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config_for(first.base_url), stop))
    try:
        await first.wait_for(1, method="getMe")
        await first.stop()
        async with asyncio.timeout(30):
            await seen.event.wait()
        async with FakeBotApi(token=TOKEN, port=port) as back:
            back.send_text(USER + 3, "배움관 몇 층이에요?")
            [answer] = await back.wait_for(1, chat_id=USER + 3, timeout=60)
            stop.set()
            await asyncio.wait_for(task, 30)
    finally:
        logging.getLogger().removeHandler(seen)
        stop.set()
    assert "지상 3층" in answer.text
    assert not [line for line in seen.lines if line.startswith(("ERROR", "CRITICAL"))]
