"""Tests of the fake Telegram Bot API server, driven by a real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

try:
    from tests.fake_bot_api import FakeBotApi, FakeBotApiClient, FakeBotApiProcess, auto_entities
except ImportError:  # run from inside tests/ without the project root on sys.path
    from fake_bot_api import FakeBotApi, FakeBotApiClient, FakeBotApiProcess, auto_entities

PROJECT_ROOT = Path(__file__).resolve().parents[1]
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Yes", callback_data="yes"),
            InlineKeyboardButton("No", callback_data="no"),
        ]
    ]
)


@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


@pytest.mark.asyncio
async def test_get_me_records_token(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()

    assert me.is_bot and me.id == 123 and me.username == "hrd_test_bot"
    assert api.tokens_used == {"123:FAKE"}
    call = api.calls("getMe")[-1]
    assert call.ok and call.token == "123:FAKE" and call.wall > 0 and call.monotonic > 0


@pytest.mark.asyncio
async def test_send_message_round_trips_inline_keyboard(api: FakeBotApi, bot: Bot) -> None:
    first = await bot.send_message(42, "Hello", reply_markup=KEYBOARD)
    second = await bot.send_message(42, "Again")
    other = await bot.send_message(7, "Elsewhere")

    assert first.reply_markup == KEYBOARD
    assert first.from_user is not None and first.from_user.is_bot
    assert (first.chat.id, first.chat.type, first.text) == (42, "private", "Hello")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    [recorded, _] = api.sent_messages(42)
    assert recorded.params["chat_id"] == 42
    assert recorded.reply_markup == KEYBOARD.to_dict()
    assert [c.text for c in api.sent_messages()] == ["Hello", "Again", "Elsewhere"]


@pytest.mark.asyncio
async def test_edit_message_text(api: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(42, "Question?", reply_markup=KEYBOARD)

    edited = await bot.edit_message_text("Answered", chat_id=42, message_id=sent.message_id)
    assert edited.text == "Answered" and edited.edit_date is not None
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Answered", chat_id=42, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_text("x", chat_id=42, message_id=999)
    [edit] = api.edits(42)
    assert edit.params["message_id"] == sent.message_id
    current = api.message(42, sent.message_id)
    assert current is not None and current["text"] == "Answered"


@pytest.mark.asyncio
async def test_injected_500_fails_once(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", status=500, times=1)

    with pytest.raises(NetworkError):
        await bot.send_message(42, "first")
    await bot.send_message(42, "second")

    assert [c.status for c in api.calls("sendMessage")] == [500, 200]
    assert [c.text for c in api.sent_messages()] == ["second"]


@pytest.mark.asyncio
async def test_429_surfaces_as_retry_after(api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # else RetryAfter() itself warns (PTB 22.2+)
    api.fail_next("sendMessage", status=429, retry_after=3)

    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(42, "flood")
    assert raised.value.retry_after == dt.timedelta(seconds=3)
    assert (await bot.send_message(42, "later")).text == "later"


@pytest.mark.asyncio
async def test_fault_scoped_to_chat(api: FakeBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", status=400, times=None, chat_id=13, description="Bad Request: x")

    await bot.send_message(12, "fine")
    for _ in range(2):
        with pytest.raises(BadRequest):
            await bot.send_message(13, "broken")
    api.clear_faults()
    await bot.send_message(13, "fixed")


@pytest.mark.asyncio
async def test_blocked_chat_is_forbidden(api: FakeBotApi, bot: Bot) -> None:
    api.block_chat(42)

    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(42, "hello?")
    await bot.send_message(43, "hello")
    api.unblock_chat(42)
    await bot.send_message(42, "hello again")

    assert [c.chat_id for c in api.sent_messages()] == [43, 42]


@pytest.mark.asyncio
async def test_latency_delays_answers(api: FakeBotApi, bot: Bot) -> None:
    api.set_latency(0.2, "sendMessage")

    started = time.monotonic()
    await bot.send_message(42, "slow")
    assert time.monotonic() - started >= 0.2


@pytest.mark.asyncio
async def test_send_document_records_file(api: FakeBotApi, bot: Bot) -> None:
    message = await bot.send_document(42, b"col1,col2\n", filename="report.csv", caption="Report")

    assert message.document is not None and message.document.file_name == "report.csv"
    assert message.caption == "Report"
    [uploaded] = api.uploaded_files(42)
    assert (uploaded.filename, uploaded.data) == ("report.csv", b"col1,col2\n")
    downloaded = await (await bot.get_file(message.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"col1,col2\n"


@pytest.mark.asyncio
async def test_commands_webhook_and_misc_methods(api: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(Exception, match="webhook is active"):
        await bot.get_updates()
    await bot.delete_webhook()

    sent = await bot.send_message(42, "bye")
    assert await bot.send_chat_action(42, "typing")
    assert await bot.delete_message(42, sent.message_id)
    assert api.message(42, sent.message_id) is None
    assert await bot.answer_callback_query("1", text="ok")


@pytest.mark.asyncio
async def test_unknown_method_and_other_encodings(api: FakeBotApi) -> None:
    async with httpx.AsyncClient(base_url=f"{api.base_url}{api.token}") as client:
        missing = await client.post("/sendSticker2", data={"chat_id": "1"})
        as_json = await client.post(
            "/sendMessage",
            json={"chat_id": 5, "text": "json", "reply_markup": json.dumps(KEYBOARD.to_dict())},
        )
        as_query = await client.get("/sendMessage", params={"chat_id": "5", "text": "123"})

    assert missing.status_code == 404
    assert missing.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
    assert as_json.json()["result"]["reply_markup"] == KEYBOARD.to_dict()
    assert as_query.json()["result"]["text"] == "123"
    assert [c.text for c in api.sent_messages(5)] == ["json", "123"]


@pytest.mark.asyncio
async def test_get_updates_long_polls_without_busy_looping(api: FakeBotApi, bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=0.3) == ()
    assert 0.25 <= time.monotonic() - started < 2

    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await api.wait_for(lambda: api.waiting_polls == 1)
    started = time.monotonic()
    update_id = api.send_text(42, "/start@hrd_test_bot hi @someone_else")
    [update] = await poll
    assert time.monotonic() - started < 1
    assert update.update_id == update_id
    assert update.message is not None and update.message.text.startswith("/start")
    assert [e.type for e in update.message.entities] == ["bot_command", "mention"]

    # Offsets confirm updates; allowed_updates filters them.
    api.press_button(42, update.message.message_id, "data")
    updates = await bot.get_updates(offset=update_id + 1, allowed_updates=["message"], timeout=0)
    assert updates == ()
    updates = await bot.get_updates(allowed_updates=[], timeout=0)
    assert [u.callback_query.data for u in updates if u.callback_query] == ["data"]


def test_auto_entities_use_utf16_offsets() -> None:
    assert auto_entities("😀 /help@hrd_test_bot") == [{"type": "bot_command", "offset": 3, "length": 18}]
    assert auto_entities("mail me@example.com /x/y") == []


@pytest.mark.asyncio
async def test_wait_for_times_out_with_context(api: FakeBotApi) -> None:
    with pytest.raises(TimeoutError, match="2 successful sendMessage calls to chat 42"):
        await api.wait_for(2, timeout=0.1, chat_id=42)


@pytest.mark.asyncio
async def test_rate_stats(api: FakeBotApi, bot: Bot) -> None:
    await asyncio.gather(*(bot.send_message(1, f"a{i}") for i in range(5)))
    await asyncio.gather(*(bot.send_message(2, f"b{i}") for i in range(3)))

    stats = api.rate_stats()
    assert (stats.total, stats.max_in_window, stats.max_per_chat_in_window) == (8, 8, 5)
    assert stats.per_chat == {1: 5, 2: 3}
    assert api.max_rate(chat_id=2) == 3
    assert api.max_rate(window=1e-9) == 1


@pytest.mark.asyncio
async def test_counters_only_mode() -> None:
    async with FakeBotApi(record=False) as api:
        async with Bot(api.token, base_url=api.base_url) as bot:
            await asyncio.gather(*(bot.send_message(i % 3 + 1, "x") for i in range(30)))
            assert await bot.edit_message_text("y", chat_id=1, message_id=77)
            assert await api.wait_for(30) == []

        assert api.calls() == []
        assert api.ok_counts["sendMessage"] == 30
        assert api.rate_stats().max_per_chat_in_window == 10


@pytest.mark.asyncio
async def test_application_polls_and_answers(api: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("Shall we?", reply_markup=KEYBOARD)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"You said {query.data}")

    app = ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(button))

    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    try:
        api.send_text(42, "hello")
        [reply] = await api.wait_for(1, chat_id=42)
        assert reply.text == "echo: hello"

        api.send_text(-100500, "/start@hrd_test_bot", chat_type="supergroup", user_id=42)
        [question] = await api.wait_for(1, chat_id=-100500)
        assert question.reply_markup == KEYBOARD.to_dict()

        api.press_button(-100500, question.message_id, "yes", user_id=42)
        [edit] = await api.wait_for(1, method="editMessageText", chat_id=-100500)
        assert edit.text == "You said yes"
        assert len(api.calls("answerCallbackQuery")) == 1
    finally:
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert time.monotonic() - started < 3
    assert api.pending_updates() == []  # the final getUpdates confirmed everything


def test_background_thread_mode() -> None:
    with FakeBotApi() as api, httpx.Client(base_url=f"{api.base_url}{api.token}") as client:
        api.send_text(42, "queued from the test thread")
        updates = client.post("/getUpdates", data={"timeout": "1"}).json()["result"]
        assert updates[0]["message"]["text"] == "queued from the test thread"
        api.fail_next("sendMessage", status=502)
        assert client.post("/sendMessage", data={"chat_id": "1", "text": "x"}).status_code == 502
        client.post("/sendMessage", data={"chat_id": "1", "text": "y"})
        [call] = api.wait_for_sync(1, chat_id=1)
        assert call.text == "y"


@pytest.mark.asyncio
async def test_background_thread_mode_from_another_loop() -> None:
    with FakeBotApi() as api:
        async with Bot(api.token, base_url=api.base_url) as bot:
            waiter = asyncio.create_task(api.wait_for(2, chat_id=9))
            await bot.send_message(9, "one")
            await bot.send_message(9, "two")
            assert [c.text for c in await waiter] == ["one", "two"]


@pytest.mark.asyncio
async def test_subprocess_with_control_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    with FakeBotApiProcess() as server:
        async with Bot(server.token, base_url=server.base_url) as bot:
            server.fail_next("sendMessage", status=429, retry_after=2, chat_id=5)
            server.block_chat(6)
            with pytest.raises(RetryAfter):
                await bot.send_message(5, "too fast")
            with pytest.raises(Forbidden):
                await bot.send_message(6, "blocked")
            sent = await bot.send_message(5, "ok", reply_markup=KEYBOARD)

            update_id = server.press_button(5, sent.message_id, "yes")
            [update] = await bot.get_updates(timeout=1)
            assert update.update_id == update_id and update.callback_query is not None
            assert update.callback_query.data == "yes"

            assert await server.async_wait_for(1, chat_id=5, timeout=2) == 1
            with pytest.raises(TimeoutError):
                await server.async_wait_for(1, chat_id=6, timeout=0.1)

        [message] = server.sent_messages(5)
        assert message["params"]["reply_markup"] == KEYBOARD.to_dict()
        assert [c["status"] for c in server.calls("sendMessage")] == [429, 403, 200]
        stats = server.stats()
        assert stats["total"] == 3 and stats["ok_counts"]["sendMessage"] == 1
        assert server.info()["tokens_used"] == [server.token]


def test_module_cli_writes_control_file(tmp_path: Path) -> None:
    control_file = tmp_path / "fake.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fake_bot_api",
            "--port",
            "0",
            "--control-file",
            str(control_file),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        printed = json.loads(process.stdout.readline())
        info = json.loads(control_file.read_text())
        assert printed == info and info["port"] > 0
        client = FakeBotApiClient.from_control_file(control_file)
        assert client.port == info["port"]
        client.send_text(1, "hi")
        with httpx.Client() as http:
            reply = http.post(f"{client.base_url}999:OTHER/getUpdates").json()
        assert reply["result"][0]["message"]["text"] == "hi"
        assert client.info()["tokens_used"] == ["999:OTHER"]
    finally:
        process.terminate()
        assert process.wait(10) == 0
        process.stdout.close()
