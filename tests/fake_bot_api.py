"""A local fake Telegram Bot API server for hrdbot tests and benchmarks.

Speaks enough of the Bot API over HTTP (``/bot<TOKEN>/<method>``; form-encoded, JSON or
multipart bodies) for a real python-telegram-bot ``Application`` to poll against it.
It never contacts the internet.

In-process (same event loop as the test)::

    async with FakeBotApi() as api:
        app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
               .base_file_url(api.base_file_url).build())
        api.send_text(42, "hello")
        [reply] = await api.wait_for(1, chat_id=42)

Background thread (sync code, or a different event loop)::

    with FakeBotApi() as api:
        ...

Separate process (benchmarks, subprocess tests)::

    python -m tests.fake_bot_api --port 0 --control-file /tmp/fake.json

or ``with FakeBotApiProcess() as proc: ...`` which starts that process and drives it through the
HTTP control interface under ``/_control/``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import concurrent.futures
import contextlib
import functools
import itertools
import json
import logging
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from aiohttp import BodyPartReader, web

__all__ = [
    "DEFAULT_TOKEN",
    "ApiCall",
    "FakeBotApi",
    "FakeBotApiClient",
    "FakeBotApiProcess",
    "RateStats",
    "UploadedFile",
    "auto_entities",
    "main",
]

DEFAULT_TOKEN = "123:FAKE"

ChatId = int | str
Json = dict[str, Any]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_log = logging.getLogger("fake_bot_api")

_MAX_TEXT = 4096
_MAX_CAPTION = 1024
_MAX_CALLBACK_DATA = 64

# Form values arrive JSON-encoded except plain strings (see telegram.request.RequestParameter),
# so these keys must never be JSON-decoded: their text could look like a number or a literal.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "action",
        "secret_token",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "language_code",
        "ip_address",
        "emoji",
        "title",
        "description",
        "short_description",
        "name",
        "file_id",
        "document",
        "photo",
        "audio",
        "video",
        "voice",
        "animation",
        "sticker",
        "thumbnail",
        "video_note",
        "question",
        "payload",
        "currency",
        "provider_token",
        "start_parameter",
        "custom_title",
        "invite_link",
        "username",
        "certificate",
    }
)
# Keys whose value is a JSON document even when it arrives as a string inside a JSON body.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
        "reply_parameters",
        "media",
    }
)
_SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})

_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_MENTION_RE = re.compile(r"(?<![\w/@])@[A-Za-z0-9_]{5,32}(?![\w@])")

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: injected fault",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class _ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> Json:
        body: Json = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(slots=True)
class UploadedFile:
    """A file part received in a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes
    file_id: str = ""

    def to_json(self, include_data: bool = False) -> Json:
        out: Json = {
            "field": self.field,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
            "file_id": self.file_id,
        }
        if include_data:
            out["data_b64"] = base64.b64encode(self.data).decode("ascii")
        return out


@dataclass(slots=True)
class ApiCall:
    """One recorded Bot API request and the answer the fake gave."""

    method: str
    params: dict[str, Any]
    token: str
    monotonic: float
    wall: float
    status: int = 200
    result: Any = None
    error: str | None = None
    files: dict[str, UploadedFile] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> ChatId | None:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        return self.params.get("text")

    @property
    def reply_markup(self) -> Json | None:
        return self.params.get("reply_markup")

    @property
    def message_id(self) -> int | None:
        """The id of the message this call produced or touched, if any."""
        if isinstance(self.result, dict) and "message_id" in self.result:
            return self.result["message_id"]
        return self.params.get("message_id")

    def to_json(self, include_file_data: bool = False) -> Json:
        return {
            "method": self.method,
            "params": self.params,
            "token": self.token,
            "monotonic": self.monotonic,
            "wall": self.wall,
            "status": self.status,
            "ok": self.ok,
            "result": self.result,
            "error": self.error,
            "files": {k: f.to_json(include_file_data) for k, f in self.files.items()},
        }


@dataclass(slots=True)
class RateStats:
    """Request-rate summary of one method, from arrival timestamps."""

    method: str
    window: float
    total: int
    max_in_window: int
    max_per_chat_in_window: int
    per_chat: dict[ChatId, int]
    first: float | None
    last: float | None

    def to_json(self, include_per_chat: bool = False) -> Json:
        out: Json = {
            "method": self.method,
            "window": self.window,
            "total": self.total,
            "max_in_window": self.max_in_window,
            "max_per_chat_in_window": self.max_per_chat_in_window,
            "first": self.first,
            "last": self.last,
        }
        if include_per_chat:
            out["per_chat"] = [[k, v] for k, v in self.per_chat.items()]
        return out


@dataclass(slots=True)
class _Fault:
    method: str | None
    status: int
    remaining: int | None
    retry_after: int | None
    chat_id: ChatId | None
    description: str


def _max_in_window(times: list[float], window: float) -> int:
    times.sort()
    best = 0
    start = 0
    for i, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, i - start + 1)
    return best


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[Json]:
    """bot_command and mention entities as Telegram would attach them (UTF-16 offsets)."""
    found: list[tuple[int, int, str]] = []
    for match in _COMMAND_RE.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION_RE.finditer(text):
        found.append((match.start(), match.end(), "mention"))
    found.sort()
    return [
        {"type": kind, "offset": _utf16_len(text[:start]), "length": _utf16_len(text[start:end])}
        for start, end, kind in found
    ]


def _decode_form_value(key: str, raw: str) -> Any:
    if not raw or key in _STRING_PARAMS:
        return raw
    first = raw[0]
    if first in '{["-' or first.isdigit() or raw in ("true", "false", "null"):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _parse_form(body: str) -> Json:
    # urllib.parse.parse_qsl is several times slower; this is the hot path of sendMessage.
    params: Json = {}
    unquote = urllib.parse.unquote_plus
    for pair in body.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        if "%" in key or "+" in key:
            key = unquote(key)
        if "%" in value or "+" in value:
            value = unquote(value)
        params[key] = _decode_form_value(key, value)
    return params


def _as_int(params: Json, key: str) -> int:
    value = params.get(key)
    if value is None:
        raise _ApiError(400, f"Bad Request: {key} is empty")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _ApiError(400, f"Bad Request: invalid {key} specified") from None


def _optional_float(params: Json, key: str, default: float) -> float:
    value = params.get(key)
    if value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise _ApiError(400, f"Bad Request: invalid {key} specified") from None


def _check_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", ()):
        for button in row:
            data = button.get("callback_data")
            if data is not None and len(str(data).encode()) > _MAX_CALLBACK_DATA:
                raise _ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def _update_type(update: Json) -> str | None:
    for key in update:
        if key != "update_id":
            return key
    return None


def _loop_bound(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run the method on the server's loop thread when the server runs in a background thread."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        self = args[0]
        assert isinstance(self, FakeBotApi)
        if self._thread is None or threading.get_ident() == self._loop_thread_id:
            return fn(*args, **kwargs)
        loop = self._loop
        assert loop is not None
        future: concurrent.futures.Future[_R] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                future.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return future.result(timeout=30)

    return wrapper


class FakeBotApi:
    """Fake Telegram Bot API server (aiohttp) with recording, fault injection and control API.

    ``record=False`` keeps counters and (method, chat, time, ok) samples only, and does not keep
    sent messages, so edits/deletes of unknown messages succeed instead of returning 400.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        record: bool = True,
        bot_username: str = "hrd_test_bot",
        bot_first_name: str = "HRD Bot",
    ) -> None:
        self.token = token
        self.host = host
        self.record = record
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._requested_port = port
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._loop_thread_id: int | None = None
        self._thread_stop: asyncio.Event | None = None
        self._closing = False

        self._handlers: dict[str, Callable[[Json, ApiCall], Any]] = {
            "getMe": self._m_get_me,
            "deleteWebhook": self._m_delete_webhook,
            "setWebhook": self._m_set_webhook,
            "getWebhookInfo": self._m_get_webhook_info,
            "setMyCommands": self._m_set_my_commands,
            "getMyCommands": self._m_get_my_commands,
            "deleteMyCommands": self._m_delete_my_commands,
            "sendMessage": self._m_send_message,
            "editMessageText": self._m_edit_message_text,
            "editMessageReplyMarkup": self._m_edit_message_reply_markup,
            "answerCallbackQuery": self._m_true,
            "sendDocument": self._m_send_document,
            "sendPhoto": self._m_send_photo,
            "sendChatAction": self._m_true,
            "deleteMessage": self._m_delete_message,
            "getFile": self._m_get_file,
            "close": self._m_true,
            "logOut": self._m_true,
        }
        self._method_names = {name.lower(): name for name in [*self._handlers, "getUpdates"]}
        self._bot_users: dict[str, Json] = {}
        self._updates_event = asyncio.Event()
        self._poll_generation = 0
        self.waiting_polls = 0  # getUpdates requests currently held open
        self._change_event = asyncio.Event()
        self._change_waiters = 0
        self._count_waiters: list[tuple[str, ChatId | None, int, asyncio.Future[None]]] = []
        self._reset_state()

    def _reset_state(self) -> None:
        self.tokens_used: set[str] = set()
        self.last_token: str | None = None
        self.counts: collections.Counter[str] = collections.Counter()
        self.ok_counts: collections.Counter[str] = collections.Counter()
        self._ok_chat_counts: collections.Counter[tuple[str, ChatId]] = collections.Counter()
        self._calls: list[ApiCall] = []
        self._calls_by_method: dict[str, list[ApiCall]] = collections.defaultdict(list)
        self._samples: list[tuple[str, ChatId | None, float, bool]] = []

        self._updates: collections.deque[Json] = collections.deque()
        self._update_ids = itertools.count(1)
        self._last_update_id = 0
        self._allowed_updates: frozenset[str] | None = None
        self._callback_ids = itertools.count(1)

        self._message_ids: dict[ChatId, int] = {}
        self._messages: dict[tuple[ChatId, int], Json] = {}
        self._last_bot_message: dict[ChatId, Json] = {}
        self._chats: dict[ChatId, Json] = {}
        self._files: dict[str, UploadedFile] = {}
        self._file_ids = itertools.count(1)

        self.webhook: Json = {}
        self.commands: dict[tuple[str, str], list[Json]] = {}

        self._faults: list[_Fault] = []
        self._blocked: set[ChatId] = set()
        self._latency: dict[str | None, float] = {}

    # ------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self.url}/_control"

    async def start(self) -> FakeBotApi:
        if self._runner is not None:
            raise RuntimeError("FakeBotApi already started")
        self._loop = asyncio.get_running_loop()
        self._loop_thread_id = threading.get_ident()
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._add_control_routes(app)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=2.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._port = sock.getsockname()[1]
        await web.SockSite(runner, sock, backlog=1024).start()
        self._runner = runner
        return self

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._wake_pollers()
        await runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def start_in_thread(self, timeout: float = 10.0) -> FakeBotApi:
        """Run the server on its own event loop in a daemon thread; returns once it listens."""
        if self._thread is not None:
            raise RuntimeError("FakeBotApi already started")
        ready: concurrent.futures.Future[asyncio.Event] = concurrent.futures.Future()

        async def serve() -> None:
            stop = asyncio.Event()
            await self.start()
            ready.set_result(stop)
            try:
                await stop.wait()
            finally:
                await self.stop()

        def run() -> None:
            try:
                asyncio.run(serve())
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                if not ready.done():
                    ready.set_exception(exc)
                else:
                    _log.exception("fake_bot_api thread crashed")

        self._thread = threading.Thread(target=run, name="fake-bot-api", daemon=True)
        self._thread.start()
        try:
            self._thread_stop = ready.result(timeout)
        except BaseException:
            self._thread = None
            raise
        return self

    def stop_thread(self, timeout: float = 10.0) -> None:
        thread, loop, stop = self._thread, self._loop, self._thread_stop
        if thread is None or loop is None or stop is None:
            return
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        self._thread = None
        self._loop_thread_id = None

    def __enter__(self) -> FakeBotApi:
        return self.start_in_thread()

    def __exit__(self, *exc_info: object) -> None:
        self.stop_thread()

    # ------------------------------------------------------------------ user activity

    @_loop_bound
    def push_update(self, update: Json) -> int:
        """Queue a raw update; ``update_id`` is assigned when missing. Returns the update_id."""
        update = dict(update)
        update_id = update.get("update_id")
        if update_id is None:
            update_id = next(self._update_ids)
            update["update_id"] = update_id
        elif update_id >= self._last_update_id:
            self._update_ids = itertools.count(update_id + 1)
        for key in ("message", "edited_message", "channel_post"):
            message = update.get(key)
            if not isinstance(message, dict) or "message_id" not in message:
                continue
            chat_id = message.get("chat", {}).get("id")
            if chat_id is None:
                continue
            message_id = message["message_id"]
            if message_id > self._message_ids.get(chat_id, 0):
                self._message_ids[chat_id] = message_id
            if self.record:
                self._messages[(chat_id, message_id)] = message
        if update_id > self._last_update_id:
            self._updates.append(update)
            self._last_update_id = update_id
        else:
            queued = sorted([*self._updates, update], key=lambda u: u["update_id"])
            self._updates = collections.deque(queued)
        self._wake_pollers()
        self._notify_change()
        return update_id

    @_loop_bound
    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        chat_title: str | None = None,
        reply_to_bot: bool = False,
        reply_to_message_id: int | None = None,
        entities: list[Json] | None = None,
    ) -> int:
        """Queue a text message from a user. ``entities=None`` detects /commands and @mentions."""
        if user_id is None:
            user_id = chat_id if chat_type == "private" else 1000
        user = self._user(user_id, first_name, last_name, username, language_code)
        if chat_type == "private":
            chat: Json = {"id": chat_id, "type": "private", "first_name": first_name}
            if last_name:
                chat["last_name"] = last_name
            if username:
                chat["username"] = username
        else:
            chat = {"id": chat_id, "type": chat_type, "title": chat_title or f"Chat {chat_id}"}
        self._chats[chat_id] = chat
        message: Json = {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if entities is None:
            entities = auto_entities(text)
        if entities:
            message["entities"] = entities
        reply_to = self._reply_target(chat_id, reply_to_bot, reply_to_message_id)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return self.push_update({"message": message})

    @_loop_bound
    def press_button(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        first_name: str = "Test",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> int:
        """Queue a callback_query for an inline button on message ``message_id``."""
        message = self._messages.get((chat_id, message_id))
        if message is None:
            if self.record:
                raise LookupError(f"no message {message_id} in chat {chat_id}")
            # Without recording messages are not kept; Telegram's shape for those is this.
            message = {"message_id": message_id, "chat": self._chat(chat_id), "date": 0}
        if user_id is None:
            user_id = chat_id if chat_id > 0 else 1000
        query: Json = {
            "id": str(next(self._callback_ids)),
            "from": self._user(user_id, first_name, None, username, language_code),
            "message": message,
            "chat_instance": str(abs(hash(("chat", chat_id)))),
            "data": data,
        }
        return self.push_update({"callback_query": query})

    # ------------------------------------------------------------------ recordings

    @_loop_bound
    def calls(self, method: str | None = None, chat_id: ChatId | None = None) -> list[ApiCall]:
        """Recorded calls (all outcomes), optionally filtered by method and chat."""
        found = list(self._calls if method is None else self._calls_by_method.get(method, ()))
        if chat_id is not None:
            found = [c for c in found if c.params.get("chat_id") == chat_id]
        return found

    def sent_messages(self, chat_id: ChatId | None = None) -> list[ApiCall]:
        """Successful sendMessage calls; ``call.result`` is the message the bot got back."""
        return [c for c in self.calls("sendMessage", chat_id) if c.ok]

    def edits(self, chat_id: ChatId | None = None, message_id: int | None = None) -> list[ApiCall]:
        """Successful editMessageText / editMessageReplyMarkup calls."""
        found = [
            c
            for method in ("editMessageText", "editMessageReplyMarkup")
            for c in self.calls(method, chat_id)
            if c.ok and (message_id is None or c.params.get("message_id") == message_id)
        ]
        found.sort(key=lambda c: c.monotonic)
        return found

    def uploaded_files(self, chat_id: ChatId | None = None) -> list[UploadedFile]:
        """Files uploaded with successful sendDocument/sendPhoto calls."""
        return [
            f
            for method in ("sendDocument", "sendPhoto")
            for c in self.calls(method, chat_id)
            if c.ok
            for f in c.files.values()
        ]

    @_loop_bound
    def message(self, chat_id: ChatId, message_id: int) -> Json | None:
        """Current state of a known message (after edits), or None if unknown/deleted."""
        return self._messages.get((chat_id, message_id))

    @_loop_bound
    def pending_updates(self) -> list[Json]:
        return list(self._updates)

    @_loop_bound
    def clear_calls(self) -> None:
        """Forget recorded calls, counters and samples (queued updates and messages stay)."""
        self.counts.clear()
        self.ok_counts.clear()
        self._ok_chat_counts.clear()
        self._calls.clear()
        self._calls_by_method.clear()
        self._samples.clear()

    @_loop_bound
    def reset(self) -> None:
        """Back to a fresh state (the server keeps running)."""
        self._reset_state()
        self._wake_pollers()
        self._notify_change()

    # ------------------------------------------------------------------ rates

    @_loop_bound
    def _rate_samples(self, method: str, ok_only: bool) -> list[tuple[ChatId | None, float]]:
        if self.record:
            return [
                (c.params.get("chat_id"), c.monotonic)
                for c in self._calls_by_method.get(method, ())
                if c.ok or not ok_only
            ]
        return [(c, t) for m, c, t, ok in self._samples if m == method and (ok or not ok_only)]

    def max_rate(
        self,
        method: str = "sendMessage",
        window: float = 1.0,
        chat_id: ChatId | None = None,
        ok_only: bool = False,
    ) -> int:
        """Max number of ``method`` requests that arrived within any sliding ``window`` seconds."""
        samples = self._rate_samples(method, ok_only)
        return _max_in_window([t for c, t in samples if chat_id is None or c == chat_id], window)

    def rate_stats(self, method: str = "sendMessage", window: float = 1.0, ok_only: bool = False) -> RateStats:
        """Overall and per-chat maximum request counts in any sliding window."""
        samples = self._rate_samples(method, ok_only)
        by_chat: dict[ChatId, list[float]] = collections.defaultdict(list)
        for chat, t in samples:
            if chat is not None:
                by_chat[chat].append(t)
        per_chat = {chat: _max_in_window(times, window) for chat, times in by_chat.items()}
        times = [t for _, t in samples]
        return RateStats(
            method=method,
            window=window,
            total=len(samples),
            max_in_window=_max_in_window(times, window),
            max_per_chat_in_window=max(per_chat.values(), default=0),
            per_chat=per_chat,
            first=min(times, default=None),
            last=max(times, default=None),
        )

    # ------------------------------------------------------------------ faults

    @_loop_bound
    def fail_next(
        self,
        method: str | None,
        status: int = 500,
        times: int | None = 1,
        *,
        retry_after: int | None = None,
        chat_id: ChatId | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (None = any method, ``times=None`` =
        until cleared), optionally only for ``chat_id``, with an error."""
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(status, f"Injected error {status}")
        self._faults.append(_Fault(method, status, times, retry_after, chat_id, description))

    @_loop_bound
    def clear_faults(self) -> None:
        self._faults.clear()
        self._blocked.clear()
        self._latency.clear()

    @_loop_bound
    def block_chat(self, chat_id: ChatId) -> None:
        """Every call with this chat_id now fails with 403, like a user who blocked the bot."""
        self._blocked.add(chat_id)

    @_loop_bound
    def unblock_chat(self, chat_id: ChatId) -> None:
        self._blocked.discard(chat_id)

    @_loop_bound
    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay answers; ``method=None`` applies to every method except getUpdates."""
        if seconds <= 0:
            self._latency.pop(method, None)
        else:
            self._latency[method] = seconds

    # ------------------------------------------------------------------ waiting

    async def wait_for(
        self,
        condition: int | Callable[[], object],
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing API is wait_for(cond, timeout)
        *,
        method: str = "sendMessage",
        chat_id: ChatId | None = None,
    ) -> Any:
        """Wait until ``condition`` holds, re-checked on every API call / queued update.

        An int N waits for N successful ``method`` calls (to ``chat_id`` if given) since start
        or the last ``clear_calls()``, and returns those calls (an empty list when
        ``record=False``); a callable is a zero-argument predicate whose truthy result is
        returned. Raises TimeoutError.
        """
        loop = self._loop
        if loop is None:
            raise RuntimeError("FakeBotApi is not started")
        coro = self._wait_for(condition, timeout, method, chat_id)
        if asyncio.get_running_loop() is loop:
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    def wait_for_sync(
        self,
        condition: int | Callable[[], object],
        timeout: float = 5.0,
        *,
        method: str = "sendMessage",
        chat_id: ChatId | None = None,
    ) -> Any:
        """``wait_for`` for synchronous code while the server runs in a background thread."""
        if self._thread is None or self._loop is None:
            raise RuntimeError("wait_for_sync needs the server running via start_in_thread()")
        coro = self._wait_for(condition, timeout, method, chat_id)
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout + 5)

    async def _wait_for(
        self,
        condition: int | Callable[[], object],
        timeout: float,  # noqa: ASYNC109
        method: str,
        chat_id: ChatId | None,
    ) -> Any:
        try:
            async with asyncio.timeout(timeout):
                if isinstance(condition, int):
                    await self._wait_count(condition, method, chat_id)
                    return [c for c in self.calls(method, chat_id) if c.ok]
                return await self._wait_predicate(condition)
        except TimeoutError:
            if isinstance(condition, int):
                target = f"{condition} successful {method} calls"
                if chat_id is not None:
                    target += f" to chat {chat_id}"
            else:
                target = f"predicate {condition!r}"
            raise TimeoutError(
                f"timed out after {timeout}s waiting for {target}; calls so far: {dict(self.counts)}"
            ) from None

    def _count(self, method: str, chat_id: ChatId | None) -> int:
        if chat_id is None:
            return self.ok_counts[method]
        return self._ok_chat_counts[(method, chat_id)]

    async def _wait_count(self, target: int, method: str, chat_id: ChatId | None) -> None:
        if self._count(method, chat_id) >= target:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (method, chat_id, target, future)
        self._count_waiters.append(entry)
        try:
            await future
        finally:
            with contextlib.suppress(ValueError):
                self._count_waiters.remove(entry)

    async def _wait_predicate(self, predicate: Callable[[], object]) -> Any:
        self._change_waiters += 1
        try:
            while True:
                result = predicate()
                if result:
                    return result
                await self._change_event.wait()
        finally:
            self._change_waiters -= 1

    def _notify_change(self) -> None:
        if self._change_waiters:
            event, self._change_event = self._change_event, asyncio.Event()
            event.set()

    def _notify_count(self, method: str, chat_id: ChatId | None) -> None:
        for waiter_method, waiter_chat, target, future in self._count_waiters:
            if (
                waiter_method == method
                and (waiter_chat is None or waiter_chat == chat_id)
                and not future.done()
                and self._count(method, waiter_chat) >= target
            ):
                future.set_result(None)

    def _wake_pollers(self) -> None:
        event, self._updates_event = self._updates_event, asyncio.Event()
        event.set()

    # ------------------------------------------------------------------ HTTP: Bot API

    async def _read_params(self, request: web.Request) -> tuple[Json, dict[str, UploadedFile]]:
        params: Json = {}
        files: dict[str, UploadedFile] = {}
        if request.query_string:
            for key, value in request.query.items():
                params[key] = _decode_form_value(key, value)
        if not request.body_exists:
            return params, files
        content_type = request.content_type
        if content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    data = bytes(await part.read(decode=True))
                    ctype = part.headers.get("Content-Type")
                    files[part.name] = UploadedFile(part.name, part.filename, ctype, data)
                else:
                    params[part.name] = _decode_form_value(part.name, await part.text())
        elif content_type == "application/json":
            body = json.loads(await request.read() or b"{}")
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            for key, value in body.items():
                if key in _JSON_PARAMS and isinstance(value, str):
                    value = json.loads(value)
                params[key] = value
        else:
            params.update(_parse_form((await request.read()).decode()))
        return params, files

    async def _handle_api(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        token = request.match_info["token"]
        requested = request.match_info["method"]
        method = self._method_names.get(requested.lower(), requested)
        self.tokens_used.add(token)
        self.last_token = token
        call = ApiCall(method, {}, token, arrived, time.time())
        try:
            call.params, call.files = await self._read_params(request)
            if method == "getUpdates":
                result: Any = await self._get_updates(call.params)
            else:
                handler = self._handlers.get(method)
                if handler is None:
                    raise _ApiError(404, "Not Found: method not found")
                if self._latency:
                    delay = self._latency.get(method, self._latency.get(None, 0.0))
                    if delay > 0:
                        await asyncio.sleep(delay)
                if self._faults or self._blocked:
                    self._apply_faults(method, call.params)
                result = handler(call.params, call)
            call.result = result
            body = {"ok": True, "result": result}
        except _ApiError as exc:
            call.status = exc.status
            call.error = exc.description
            body = exc.payload()
        except Exception as exc:  # noqa: BLE001 - a fake bug must not look like a network error
            _log.exception("fake_bot_api: %s failed", method)
            error = _ApiError(400, f"Bad Request: fake_bot_api could not handle it: {exc!r}")
            call.status = error.status
            call.error = error.description
            body = error.payload()
        self._record(call)
        return web.Response(body=json.dumps(body).encode(), status=call.status, content_type="application/json")

    def _record(self, call: ApiCall) -> None:
        method = call.method
        ok = call.status == 200
        chat_id = call.params.get("chat_id")
        self.counts[method] += 1
        if ok:
            self.ok_counts[method] += 1
            if chat_id is not None:
                self._ok_chat_counts[(method, chat_id)] += 1
        if self.record:
            self._calls.append(call)
            self._calls_by_method[method].append(call)
        elif method != "getUpdates":
            self._samples.append((method, chat_id, call.monotonic, ok))
        if ok and self._count_waiters:
            self._notify_count(method, chat_id)
        self._notify_change()

    def _apply_faults(self, method: str, params: Json) -> None:
        chat_id = params.get("chat_id")
        if chat_id is not None and chat_id in self._blocked:
            if isinstance(chat_id, int) and chat_id < 0:
                raise _ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        for index, fault in enumerate(self._faults):
            if fault.method is not None and fault.method != method:
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    del self._faults[index]
            raise _ApiError(fault.status, fault.description, fault.retry_after)

    async def _get_updates(self, params: Json) -> list[Json]:
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()  # an older long poll is answered with 409, as Telegram does
        if self.webhook.get("url"):
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        if self._faults:
            self._apply_faults("getUpdates", params)
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        deadline = time.monotonic() + min(_optional_float(params, "timeout", 0.0), 50.0)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else None
        while True:
            if offset is not None:
                offset = int(offset)
                if offset < 0:
                    while len(self._updates) > -offset:
                        self._updates.popleft()
                else:
                    while self._updates and self._updates[0]["update_id"] < offset:
                        self._updates.popleft()
            allowed_types = self._allowed_updates
            found: list[Json] = []
            for update in self._updates:
                if allowed_types is None or _update_type(update) in allowed_types:
                    found.append(update)
                    if len(found) >= limit:
                        break
            remaining = deadline - time.monotonic()
            if found or remaining <= 0 or self._closing:
                return found
            event = self._updates_event
            self.waiting_polls += 1
            self._notify_change()
            try:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(remaining):
                        await event.wait()
            finally:
                self.waiting_polls -= 1
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )

    async def _handle_file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        uploaded = self._files.get(file_id)
        if uploaded is None:
            raise web.HTTPNotFound()
        return web.Response(body=uploaded.data, content_type=uploaded.content_type or "application/octet-stream")

    # ------------------------------------------------------------------ Bot API methods

    def _bot_user(self, token: str) -> Json:
        user = self._bot_users.get(token)
        if user is None:
            prefix = token.split(":", 1)[0]
            user = {
                "id": int(prefix) if prefix.isdigit() else 1,
                "is_bot": True,
                "first_name": self.bot_first_name,
                "username": self.bot_username,
            }
            self._bot_users[token] = user
        return user

    def _user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> Json:
        user: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: ChatId) -> Json:
        chat = self._chats.get(chat_id)
        if chat is None:
            if isinstance(chat_id, str):
                key = abs(hash(chat_id)) % 10**9
                chat = {
                    "id": -1000000000000 - key,
                    "type": "channel",
                    "title": chat_id,
                    "username": chat_id.lstrip("@"),
                }
            elif chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
            elif str(chat_id).startswith("-100"):
                chat = {"id": chat_id, "type": "supergroup", "title": f"Chat {chat_id}"}
            else:
                chat = {"id": chat_id, "type": "group", "title": f"Chat {chat_id}"}
            self._chats[chat_id] = chat
        return chat

    def _next_message_id(self, chat_id: ChatId) -> int:
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        return message_id

    def _reply_target(self, chat_id: ChatId, reply_to_bot: bool, reply_to_message_id: int | None) -> Json | None:
        target: Json | None = None
        if reply_to_message_id is not None:
            target = self._messages.get((chat_id, reply_to_message_id))
            if target is None:
                raise LookupError(f"no message {reply_to_message_id} in chat {chat_id}")
        elif reply_to_bot:
            target = self._last_bot_message.get(chat_id)
            if target is None:
                raise LookupError(f"the bot has not sent anything to chat {chat_id} yet")
        if target is None:
            return None
        return {k: v for k, v in target.items() if k != "reply_to_message"}

    def _chat_id(self, params: Json) -> ChatId:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int | str) or isinstance(chat_id, bool):
            raise _ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _new_bot_message(self, params: Json, call: ApiCall) -> Json:
        chat_id = self._chat_id(params)
        message: Json = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(call.token),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        reply_to_id = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_to_id = reply_parameters.get("message_id", reply_to_id)
        if reply_to_id is not None:
            target = self._messages.get((chat_id, int(reply_to_id)))
            if target is not None:
                message["reply_to_message"] = {k: v for k, v in target.items() if k != "reply_to_message"}
        return message

    def _store_bot_message(self, message: Json) -> Json:
        chat_id = message["chat"]["id"]
        self._last_bot_message[chat_id] = message
        if self.record:
            self._messages[(chat_id, message["message_id"])] = message
        return message

    def _m_true(self, params: Json, call: ApiCall) -> bool:
        return True

    def _m_get_me(self, params: Json, call: ApiCall) -> Json:
        return {
            **self._bot_user(call.token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_delete_webhook(self, params: Json, call: ApiCall) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_set_webhook(self, params: Json, call: ApiCall) -> bool:
        if not params.get("url"):
            return self._m_delete_webhook(params, call)
        self.webhook = {k: v for k, v in params.items() if k != "certificate"}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_get_webhook_info(self, params: Json, call: ApiCall) -> Json:
        info: Json = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        for key in ("max_connections", "allowed_updates", "ip_address"):
            if key in self.webhook:
                info[key] = self.webhook[key]
        return info

    def _commands_key(self, params: Json) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_set_my_commands(self, params: Json, call: ApiCall) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError(400, "Bad Request: can't parse commands JSON object")
        self.commands[self._commands_key(params)] = commands
        return True

    def _m_get_my_commands(self, params: Json, call: ApiCall) -> list[Json]:
        return self.commands.get(self._commands_key(params), [])

    def _m_delete_my_commands(self, params: Json, call: ApiCall) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _m_send_message(self, params: Json, call: ApiCall) -> Json:
        text = params.get("text")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > _MAX_TEXT:
            raise _ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        if markup is not None:
            _check_reply_markup(markup)
        message = self._new_bot_message(params, call)
        message["text"] = text
        if params.get("entities"):
            message["entities"] = params["entities"]
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return self._store_bot_message(message)

    def _edit_target(self, params: Json) -> Json | None:
        """The stored message to edit; None when unknown and unrecorded (edit is then faked)."""
        chat_id = self._chat_id(params)
        message_id = _as_int(params, "message_id")
        message = self._messages.get((chat_id, message_id))
        if message is None:
            if self.record:
                raise _ApiError(400, "Bad Request: message to edit not found")
            return None
        if not message.get("from", {}).get("is_bot"):
            raise _ApiError(400, "Bad Request: message can't be edited")
        return message

    def _save_edit(self, params: Json, call: ApiCall, changes: Json) -> Json:
        original = self._edit_target(params)
        if original is None:
            chat_id = params["chat_id"]
            original = {
                "message_id": int(params["message_id"]),
                "from": self._bot_user(call.token),
                "chat": self._chat(chat_id),
                "date": int(time.time()),
            }
        edited = {k: v for k, v in original.items() if k != "edit_date"}
        for key, value in changes.items():
            if value is None:
                edited.pop(key, None)
            else:
                edited[key] = value
        compared = ("text", "entities", "caption", "reply_markup")
        if self.record and all(original.get(k) == edited.get(k) for k in compared):
            raise _ApiError(400, _NOT_MODIFIED)
        edited["edit_date"] = int(time.time())
        if self.record:
            self._messages[(edited["chat"]["id"], edited["message_id"])] = edited
        return edited

    def _m_edit_message_text(self, params: Json, call: ApiCall) -> Json | bool:
        text = params.get("text")
        if not text:
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > _MAX_TEXT:
            raise _ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = params.get("reply_markup")
        _check_reply_markup(markup)
        if params.get("inline_message_id"):
            return True
        return self._save_edit(
            params,
            call,
            {
                "text": text,
                "entities": params.get("entities") or None,
                "reply_markup": markup if markup and "inline_keyboard" in markup else None,
            },
        )

    def _m_edit_message_reply_markup(self, params: Json, call: ApiCall) -> Json | bool:
        markup = params.get("reply_markup")
        _check_reply_markup(markup)
        if params.get("inline_message_id"):
            return True
        new_markup = markup if markup and markup.get("inline_keyboard") else None
        return self._save_edit(params, call, {"reply_markup": new_markup})

    def _m_delete_message(self, params: Json, call: ApiCall) -> bool:
        key = (self._chat_id(params), _as_int(params, "message_id"))
        if self._messages.pop(key, None) is None and self.record:
            raise _ApiError(400, "Bad Request: message to delete not found")
        return True

    def _file_for(self, field_name: str, params: Json, call: ApiCall) -> UploadedFile:
        value = params.get(field_name)
        uploaded = call.files.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            uploaded = call.files.get(value.removeprefix("attach://"))
        if uploaded is None:
            if not value:
                raise _ApiError(400, f"Bad Request: there is no {field_name} in the request")
            known = self._files.get(str(value))
            if known is not None:
                return known
            # A file_id or URL we have never seen: Telegram would fetch it; pretend it did.
            return UploadedFile(field_name, None, None, b"", file_id=str(value))
        if not uploaded.file_id:
            uploaded.file_id = f"fake-file-{next(self._file_ids)}"
            if self.record:
                self._files[uploaded.file_id] = uploaded
        return uploaded

    def _media_message(self, params: Json, call: ApiCall) -> Json:
        caption = params.get("caption")
        if caption is not None and len(caption) > _MAX_CAPTION:
            raise _ApiError(400, "Bad Request: message caption is too long")
        markup = params.get("reply_markup")
        _check_reply_markup(markup)
        message = self._new_bot_message(params, call)
        if caption:
            message["caption"] = caption
            if params.get("caption_entities"):
                message["caption_entities"] = params["caption_entities"]
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _m_send_document(self, params: Json, call: ApiCall) -> Json:
        self._chat_id(params)
        uploaded = self._file_for("document", params, call)
        message = self._media_message(params, call)
        document: Json = {
            "file_id": uploaded.file_id,
            "file_unique_id": f"u-{uploaded.file_id}",
            "file_size": len(uploaded.data),
        }
        if uploaded.filename:
            document["file_name"] = uploaded.filename
        if uploaded.content_type:
            document["mime_type"] = uploaded.content_type
        message["document"] = document
        return self._store_bot_message(message)

    def _m_send_photo(self, params: Json, call: ApiCall) -> Json:
        self._chat_id(params)
        uploaded = self._file_for("photo", params, call)
        message = self._media_message(params, call)
        message["photo"] = [
            {
                "file_id": uploaded.file_id,
                "file_unique_id": f"u-{uploaded.file_id}",
                "file_size": len(uploaded.data),
                "width": 320,
                "height": 240,
            }
        ]
        return self._store_bot_message(message)

    def _m_get_file(self, params: Json, call: ApiCall) -> Json:
        file_id = str(params.get("file_id") or "")
        uploaded = self._files.get(file_id)
        if uploaded is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(uploaded.data),
            "file_path": f"documents/{file_id}",
        }

    # ------------------------------------------------------------------ HTTP: control API

    def _add_control_routes(self, app: web.Application) -> None:
        routes = {
            "info": self._c_info,
            "push_update": self._c_push_update,
            "send_text": self._c_send_text,
            "press_button": self._c_press_button,
            "calls": self._c_calls,
            "sent_messages": self._c_sent_messages,
            "stats": self._c_stats,
            "fail_next": self._c_fail_next,
            "block_chat": self._c_block_chat,
            "unblock_chat": self._c_unblock_chat,
            "set_latency": self._c_set_latency,
            "clear_faults": self._c_clear_faults,
            "clear_calls": self._c_clear_calls,
            "reset": self._c_reset,
            "wait": self._c_wait,
        }
        for name, handler in routes.items():
            app.router.add_route("*", f"/_control/{name}", self._control(handler))

    def _control(self, handler: Callable[[Json], Any]) -> Callable[[web.Request], Any]:
        async def handle(request: web.Request) -> web.Response:
            args: Json = {k: _decode_form_value(k, v) for k, v in request.query.items()}
            if request.body_exists:
                body = await request.json()
                if isinstance(body, dict):
                    args.update(body)
            try:
                result = handler(args)
                if asyncio.iscoroutine(result):
                    result = await result
            except TimeoutError as exc:
                return web.json_response({"ok": False, "error_code": 408, "description": str(exc)}, status=408)
            except (LookupError, TypeError, ValueError) as exc:
                return web.json_response({"ok": False, "error_code": 400, "description": repr(exc)}, status=400)
            return web.json_response({"ok": True, "result": result})

        return handle

    def _c_info(self, args: Json) -> Json:
        return {
            "port": self.port,
            "url": self.url,
            "base_url": self.base_url,
            "base_file_url": self.base_file_url,
            "control_url": self.control_url,
            "token": self.token,
            "tokens_used": sorted(self.tokens_used),
            "record": self.record,
            "pid": os.getpid(),
            "counts": dict(self.counts),
            "ok_counts": dict(self.ok_counts),
            "pending_updates": len(self._updates),
            "webhook": self.webhook,
        }

    def _c_push_update(self, args: Json) -> int:
        return self.push_update(args["update"])

    def _c_send_text(self, args: Json) -> int:
        return self.send_text(**args)

    def _c_press_button(self, args: Json) -> int:
        return self.press_button(**args)

    def _c_calls(self, args: Json) -> list[Json]:
        calls = self.calls(args.get("method"), args.get("chat_id"))
        if args.get("ok_only"):
            calls = [c for c in calls if c.ok]
        since = args.get("since")
        if since is not None:
            calls = calls[int(since) :]
        include = bool(args.get("include_file_data"))
        return [c.to_json(include) for c in calls]

    def _c_sent_messages(self, args: Json) -> list[Json]:
        return [c.to_json() for c in self.sent_messages(args.get("chat_id"))]

    def _c_stats(self, args: Json) -> Json:
        stats = self.rate_stats(
            args.get("method", "sendMessage"),
            float(args.get("window", 1.0)),
            bool(args.get("ok_only", False)),
        )
        return {
            **stats.to_json(bool(args.get("per_chat"))),
            "counts": dict(self.counts),
            "ok_counts": dict(self.ok_counts),
        }

    def _c_fail_next(self, args: Json) -> None:
        self.fail_next(**args)

    def _c_block_chat(self, args: Json) -> None:
        self.block_chat(args["chat_id"])

    def _c_unblock_chat(self, args: Json) -> None:
        self.unblock_chat(args["chat_id"])

    def _c_set_latency(self, args: Json) -> None:
        self.set_latency(float(args["seconds"]), args.get("method"))

    def _c_clear_faults(self, args: Json) -> None:
        self.clear_faults()

    def _c_clear_calls(self, args: Json) -> None:
        self.clear_calls()

    def _c_reset(self, args: Json) -> None:
        self.reset()

    async def _c_wait(self, args: Json) -> int:
        method = args.get("method", "sendMessage")
        chat_id = args.get("chat_id")
        await self._wait_for(int(args["count"]), float(args.get("timeout", 5.0)), method, chat_id)
        return self._count(method, chat_id)


# ---------------------------------------------------------------------- remote control


class FakeBotApiClient:
    """Synchronous client of the ``/_control`` interface of a FakeBotApi in another process.

    Results are plain JSON (calls as dicts, see ``ApiCall.to_json``). Do not call the blocking
    ``wait_for`` from an event loop that also runs the bot; use ``async_wait_for`` there.
    """

    def __init__(self, url: str, token: str = DEFAULT_TOKEN) -> None:
        self.url = url.rstrip("/")
        self.token = token

    @classmethod
    def from_control_file(cls, path: str | os.PathLike[str]) -> FakeBotApiClient:
        info = json.loads(Path(path).read_text())
        return cls(info["url"], info.get("token", DEFAULT_TOKEN))

    @property
    def port(self) -> int:
        return int(urllib.parse.urlsplit(self.url).port or 80)

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def _control(self, name: str, payload: Json | None = None, timeout: float = 30.0) -> Any:
        data = json.dumps(payload or {}).encode()
        request = urllib.request.Request(
            f"{self.url}/_control/{name}",
            data=data,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read() or b"{}")
            if exc.code == 408:
                raise TimeoutError(body.get("description", "timed out")) from None
            raise RuntimeError(f"control {name} failed: {body.get('description', exc)}") from None
        return body["result"]

    def info(self) -> Json:
        return self._control("info")

    def push_update(self, update: Json) -> int:
        return self._control("push_update", {"update": update})

    def send_text(self, chat_id: int, text: str, **kwargs: Any) -> int:
        """Same keyword arguments as ``FakeBotApi.send_text``."""
        return self._control("send_text", {"chat_id": chat_id, "text": text, **kwargs})

    def press_button(self, chat_id: int, message_id: int, data: str, **kwargs: Any) -> int:
        payload = {"chat_id": chat_id, "message_id": message_id, "data": data, **kwargs}
        return self._control("press_button", payload)

    def calls(
        self,
        method: str | None = None,
        chat_id: ChatId | None = None,
        *,
        since: int | None = None,
        include_file_data: bool = False,
    ) -> list[Json]:
        payload = {
            "method": method,
            "chat_id": chat_id,
            "since": since,
            "include_file_data": include_file_data,
        }
        return self._control("calls", payload)

    def sent_messages(self, chat_id: ChatId | None = None) -> list[Json]:
        return self._control("sent_messages", {"chat_id": chat_id})

    def stats(
        self,
        method: str = "sendMessage",
        window: float = 1.0,
        *,
        ok_only: bool = False,
        per_chat: bool = False,
    ) -> Json:
        payload = {"method": method, "window": window, "ok_only": ok_only, "per_chat": per_chat}
        return self._control("stats", payload)

    def fail_next(
        self,
        method: str | None,
        status: int = 500,
        times: int | None = 1,
        *,
        retry_after: int | None = None,
        chat_id: ChatId | None = None,
        description: str | None = None,
    ) -> None:
        self._control(
            "fail_next",
            {
                "method": method,
                "status": status,
                "times": times,
                "retry_after": retry_after,
                "chat_id": chat_id,
                "description": description,
            },
        )

    def block_chat(self, chat_id: ChatId) -> None:
        self._control("block_chat", {"chat_id": chat_id})

    def unblock_chat(self, chat_id: ChatId) -> None:
        self._control("unblock_chat", {"chat_id": chat_id})

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        self._control("set_latency", {"seconds": seconds, "method": method})

    def clear_faults(self) -> None:
        self._control("clear_faults")

    def clear_calls(self) -> None:
        self._control("clear_calls")

    def reset(self) -> None:
        self._control("reset")

    def wait_for(
        self,
        count: int,
        timeout: float = 5.0,
        *,
        method: str = "sendMessage",
        chat_id: ChatId | None = None,
    ) -> int:
        """Block until ``count`` successful ``method`` calls (to ``chat_id``); returns the count."""
        payload = {"count": count, "timeout": timeout, "method": method, "chat_id": chat_id}
        return self._control("wait", payload, timeout=timeout + 10)

    async def async_wait_for(
        self,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors FakeBotApi.wait_for
        *,
        method: str = "sendMessage",
        chat_id: ChatId | None = None,
    ) -> int:
        return await asyncio.to_thread(self.wait_for, count, timeout, method=method, chat_id=chat_id)


class FakeBotApiProcess(FakeBotApiClient):
    """Runs this module as a subprocess server; also a client of its control interface.

    The child exits when this process dies (its stdin closes), so no stray servers remain.
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        record: bool = True,
        port: int = 0,
        python: str = sys.executable,
        startup_timeout: float = 15.0,
    ) -> None:
        super().__init__("http://127.0.0.1:0", token)
        self.record = record
        self._port_arg = port
        self._python = python
        self._startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.control_file: Path | None = None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None

    def start(self) -> FakeBotApiProcess:
        self._tmpdir = tempfile.TemporaryDirectory(prefix="fake-bot-api-")
        self.control_file = Path(self._tmpdir.name) / "control.json"
        log_path = Path(self._tmpdir.name) / "server.log"
        cmd = [
            self._python,
            str(Path(__file__).resolve()),
            "--port",
            str(self._port_arg),
            "--token",
            self.token,
            "--control-file",
            str(self.control_file),
            "--exit-on-stdin-eof",
        ]
        if not self.record:
            cmd.append("--no-record")
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], self._startup_timeout)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            self.stop()
            raise RuntimeError(f"fake Bot API did not start: {log_path.read_text()[-2000:]}")
        self.url = json.loads(line)["url"]
        return self

    def stop(self, timeout: float = 5.0) -> None:
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def __enter__(self) -> FakeBotApiProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


# ---------------------------------------------------------------------- command line


async def _serve(args: argparse.Namespace) -> None:
    api = FakeBotApi(
        token=args.token,
        host=args.host,
        port=args.port,
        record=not args.no_record,
        bot_username=args.bot_username,
    )
    await api.start()
    info = api._c_info({})
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:

        def watch_stdin() -> None:
            # os.read, not sys.stdin: a daemon thread blocked inside the buffered reader holds
            # its lock and makes interpreter shutdown abort.
            with contextlib.suppress(OSError):
                while os.read(sys.stdin.fileno(), 65536):
                    pass
            loop.call_soon_threadsafe(stop.set)

        threading.Thread(target=watch_stdin, daemon=True).start()
    if args.control_file:
        path = Path(args.control_file)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(info))
        tmp.replace(path)
    print(json.dumps(info), flush=True)
    try:
        await stop.wait()
    finally:
        await api.stop()


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server for tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default="hrd_test_bot")
    parser.add_argument("--control-file", help="write {port, url, base_url, ...} JSON here")
    parser.add_argument("--no-record", action="store_true", help="keep counters only")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=args.log_level.upper())
    asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
