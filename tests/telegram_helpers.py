"""Shared pieces of the end-to-end tests that drive the real Application through the fake Bot
API: a settable clock, a bot factory, and the user's side (say, press, send any message)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlite_utils import Database

from handlers.app import build_application, running
from handlers.config import RunConfig
from handlers.registry import Feature
from handlers.state import AppState
from knowledge.core import Brain
from tests.fake_bot_api import ApiCall, FakeBotApi

Maker = Callable[[], AbstractAsyncContextManager[Any]]
_message_ids = itertools.count(50_000)


class FixedClock:
    """The bot's clock; a test moves it by setting ``current``."""

    def __init__(self, now: dt.datetime) -> None:
        self.current = now

    def now(self) -> dt.datetime:
        return self.current


def bot_maker(
    api: FakeBotApi, db: Database, clock: FixedClock, features: Callable[[], Sequence[Feature]], **options: Any
) -> Maker:
    """``make()`` builds a new Application on ``db`` (nothing in memory carries over) and
    returns the ``async with`` that serves it; ``options`` go to ``RunConfig``."""
    brain = Brain(db)

    def make() -> AbstractAsyncContextManager[Any]:
        config = RunConfig(token=api.token, base_url=api.base_url, retry_backoff=0.01, poll_timeout=2.0, **options)
        app = build_application(config, AppState(db, brain, clock), list(features()))
        return running(app, config)

    return make


async def say(api: FakeBotApi, text: str, chat_id: int, **kwargs: Any) -> ApiCall:
    """Send ``text`` as a user; return the bot's next message to that chat."""
    before = len(api.sent_messages(chat_id))
    api.send_text(chat_id, text, **kwargs)
    return (await api.wait_for(before + 1, chat_id=chat_id))[before]


async def press(
    api: FakeBotApi,
    message: ApiCall,
    data: str,
    chat_id: int,
    *,
    method: str = "editMessageText",
    user_id: int | None = None,
) -> ApiCall:
    """Press a button under ``message``; return the bot's resulting edit (or message)."""
    before = len([c for c in api.calls(method, chat_id) if c.ok])
    api.press_button(chat_id, message.message_id, data, user_id=user_id)
    return (await api.wait_for(before + 1, method=method, chat_id=chat_id))[before]


async def press_for_alert(
    api: FakeBotApi, message: ApiCall, data: str, chat_id: int, *, user_id: int | None = None
) -> ApiCall:
    """Press a button; return the bot's ``answerCallbackQuery`` for it."""
    before = len(api.calls("answerCallbackQuery"))
    api.press_button(chat_id, message.message_id, data, user_id=user_id)
    return (await api.wait_for(before + 1, method="answerCallbackQuery"))[before]


def buttons(call: ApiCall) -> dict[str, str]:
    """label -> callback data (or URL, for link buttons) of the inline keyboard of a call."""
    markup = call.reply_markup or {}
    return {b["text"]: b.get("callback_data") or b.get("url") for row in markup.get("inline_keyboard", []) for b in row}


def send_message(
    api: FakeBotApi,
    chat_id: int,
    content: dict[str, Any],
    *,
    user_id: int | None = None,
    chat_type: str = "private",
    reply_to: ApiCall | None = None,
) -> int:
    """Queue a message of any kind (``content`` holds e.g. ``{"sticker": {...}}``)."""
    if user_id is None:
        user_id = chat_id if chat_type == "private" else 1000
    chat = (
        {"id": chat_id, "type": "private", "first_name": "Test"}
        if chat_type == "private"
        else {"id": chat_id, "type": chat_type, "title": f"Chat {chat_id}"}
    )
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Test"},
        **content,
    }
    if reply_to is not None:
        message["reply_to_message"] = reply_to.result
    return api.push_update({"message": message})
