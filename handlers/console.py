"""The staff console's Telegram side: ``/console`` (a fresh one-time login link for staff, in
the private chat only), the 👍/👎 buttons under answers, and serving the console inside the bot
process (``hrdbot run --console-port``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from db import callbacks, ops, roles
from db import console as cdb
from handlers import render
from handlers.config import ConfigError
from handlers.registry import Command, Feature
from handlers.render import Button, Out
from handlers.send import data_key, send
from handlers.state import BotContext
from knowledge.normalize import key as normal_key
from knowledge.reply import Reply

if TYPE_CHECKING:
    from aiohttp import web

    from console.app import Settings

URL_VAR = "HRDBOT_CONSOLE_URL"
RUNNER_KEY = "hrdbot.console_runner"
FEEDBACK_PREFIX = "f"

PRIVATE_ONLY = "콘솔 링크는 봇과의 개인 대화에서 /console 로 받아 주세요."
NOT_STAFF = "콘솔은 직원만 쓸 수 있어요. 권한이 필요하면 관리자에게 문의해 주세요."
NO_URL = f"콘솔 주소가 설정되어 있지 않아요. 관리자에게 {URL_VAR} 설정을 요청해 주세요."
THANKS_UP = "의견 고마워요! 👍"
THANKS_DOWN = "알려 주셔서 고마워요. 직원이 확인해서 답을 고칠게요. 👎"


@dataclass(frozen=True)
class LinkSettings:
    base_url: str | None
    admins: frozenset[int]

    @classmethod
    def from_env(cls, environ: Mapping[str, str], default_url: str | None = None) -> LinkSettings:
        raw = environ.get(URL_VAR, "").strip() or default_url
        if raw and not raw.startswith(("http://", "https://")):
            raise ConfigError(
                f"{URL_VAR} must be the console's base URL, e.g. https://console.example.org, not {raw!r}"
            )
        try:
            admins = roles.parse_admins(environ.get(roles.ADMINS_VAR))
        except roles.RoleError as exc:
            raise ConfigError(str(exc)) from None
        return cls(raw.rstrip("/") if raw else None, admins)


@dataclass(frozen=True)
class Embedded:
    """The console served on the bot's event loop."""

    settings: Settings
    host: str
    port: int


def login_text(url: str) -> str:
    return (
        f"🔑 <b>콘솔 로그인 링크</b>\n{render.escape(url)}\n\n"
        "10분 동안, 한 번만 쓸 수 있어요. 다른 사람에게 보내지 마세요."
    )


async def console_link(update: Update, context: BotContext) -> None:
    """/console: a fresh one-time console login link for staff, in the private chat."""
    link: LinkSettings = context.bot_data[_LINK_KEY]
    state, chat, user = context.state, update.effective_chat, update.effective_user
    now = state.clock.now()
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await send(update, context, [Out(PRIVATE_ONLY)])
        return
    if not roles.is_staff(state.db, user.id, link.admins):
        ops.audit(state.db, now, user.id, "console.link", "not staff", allowed=False)
        await send(update, context, [Out(NOT_STAFF)])
        return
    if not link.base_url:
        await send(update, context, [Out(render.escape(NO_URL))])
        return
    token = cdb.create_login_token(state.db, user.id, now)
    ops.audit(state.db, now, user.id, "console.link", "one-time login link sent")
    await send(update, context, [Out(login_text(f"{link.base_url}/login?token={token}"))])


# --- 👍 / 👎 -----------------------------------------------------------------------------------


def feedback_row(db: Any, question: str, reply: Reply, now: Any) -> tuple[Button, ...]:
    """The 👍/👎 pair for an answer. The question, intent and answer are stored under a hash
    key (restart-safe); the buttons carry only ``f:u:<key>`` / ``f:d:<key>``, so data a client
    makes up names no stored answer and is refused."""
    payload = json.dumps({"q": question[:500], "i": reply.intent, "a": reply.text[:2000]}, ensure_ascii=False)
    k = data_key(payload)
    callbacks.remember(db, [(k, payload)], now)
    return (Button("👍", f"{FEEDBACK_PREFIX}:u:{k}"), Button("👎", f"{FEEDBACK_PREFIX}:d:{k}"))


def with_feedback(outs: list[Out], row: tuple[Button, ...]) -> list[Out]:
    if not outs:
        return outs
    last = outs[-1]
    return [*outs[:-1], Out(last.html, (*last.rows, row))]


async def on_feedback(update: Update, context: BotContext, rest: str) -> bool:
    """A pressed 👍/👎: record it (👎 lands in the console's /unanswered)."""
    vote, _, k = rest.partition(":")
    if vote not in ("u", "d") or not k:
        return False
    db = context.state.db
    payload = callbacks.recall(db, k)
    if payload is None:
        return False
    try:
        data = json.loads(payload)
        question, intent, answer = str(data["q"]), data.get("i"), str(data["a"])
    except (ValueError, KeyError, TypeError):
        return False
    user = update.effective_user
    cdb.record_feedback(
        db,
        vote=cdb.UP if vote == "u" else cdb.DOWN,
        question=question,
        normalized=normal_key(question)[:500] or question,
        answer=answer,
        intent=intent if isinstance(intent, str) else None,
        user_id=user.id if user else None,
        now=context.state.clock.now(),
    )
    await update.callback_query.answer(THANKS_UP if vote == "u" else THANKS_DOWN)
    return True


# --- the feature -----------------------------------------------------------------------------

_LINK_KEY = "hrdbot.console_link"


def console_feature(link: LinkSettings | None = None, embedded: Embedded | None = None) -> Feature:
    """/console, and the console server when it runs inside the bot."""
    if link is None:
        default = None
        if embedded is not None:
            from console.server import base_url

            default = base_url(embedded.host, embedded.port)
        link = LinkSettings.from_env(os.environ, default)

    async def install(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.bot_data[_LINK_KEY] = link
        if embedded is not None:
            from console.server import start

            app.bot_data[RUNNER_KEY] = await start(embedded.settings, embedded.host, embedded.port)

    async def uninstall(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        runner: web.AppRunner | None = app.bot_data.pop(RUNNER_KEY, None)
        if runner is not None:
            await runner.cleanup()

    return Feature(
        name="console",
        commands=(Command("console", "웹 콘솔 로그인 링크 (직원)", console_link, staff_only=True),),
        on_startup=(install,),
        on_shutdown=(uninstall,),
    )
