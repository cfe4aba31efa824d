"""Delivering rendered messages: inline keyboards, long callback data, send and edit."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Sequence

from sqlite_utils import Database
from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from db import callbacks
from handlers.render import Button, Out
from handlers.state import BotContext

log = logging.getLogger("hrdbot.telegram")

CALLBACK_LIMIT = 64
STORED_PREFIX = "k:"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def data_key(data: str) -> str:
    """A 12-character key for callback data, stable across processes."""
    digest = hashlib.sha256(data.encode()).digest()[:9]
    return base64.urlsafe_b64encode(digest).decode()


def keyboard(rows: Sequence[Sequence[Button]], db: Database, context: BotContext) -> InlineKeyboardMarkup | None:
    """Inline keyboard for ``rows``; data over 64 bytes is stored and sent as ``k:<key>``."""
    if not rows:
        return None
    stored: list[tuple[str, str]] = []
    markup = []
    for row in rows:
        buttons = []
        for b in row:
            if b.url is not None:
                buttons.append(InlineKeyboardButton(b.label, url=b.url))
                continue
            data = b.data
            if len(data.encode()) > CALLBACK_LIMIT:
                key = data_key(data)
                stored.append((key, data))
                data = STORED_PREFIX + key
            buttons.append(InlineKeyboardButton(b.label, callback_data=data))
        markup.append(buttons)
    if stored:
        callbacks.remember(db, stored, context.state.clock.now())
    return InlineKeyboardMarkup(markup)


def resolve(data: str | None, db: Database) -> str | None:
    """The full callback data of a pressed button (None if a stored key is unknown)."""
    if data is not None and data.startswith(STORED_PREFIX):
        return callbacks.recall(db, data.removeprefix(STORED_PREFIX))
    return data


async def send(update: Update, context: BotContext, outs: Sequence[Out]) -> list[Message]:
    """Send ``outs`` to the chat of ``update``; in groups the first one replies to the user."""
    chat = update.effective_chat
    if chat is None:
        return []
    reply_to = None
    message = update.effective_message
    if chat.type != ChatType.PRIVATE and message is not None and update.callback_query is None:
        reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    sent = []
    for out in outs:
        sent.append(
            await context.bot.send_message(
                chat.id,
                out.html,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(out.rows, context.state.db, context),
                reply_parameters=reply_to,
                link_preview_options=_NO_PREVIEW,
            )
        )
        reply_to = None
    return sent


async def show(update: Update, context: BotContext, outs: Sequence[Out]) -> None:
    """Show ``outs`` in place of the message whose button was pressed (menus, paging).

    More than one message, or a message that cannot be edited, is sent anew instead.
    """
    query: CallbackQuery | None = update.callback_query
    if query is None or len(outs) != 1 or not isinstance(query.message, Message):
        await send(update, context, outs)
        return
    out = outs[0]
    try:
        await query.edit_message_text(
            out.html,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(out.rows, context.state.db, context),
            link_preview_options=_NO_PREVIEW,
        )
    except BadRequest as exc:
        if "not modified" in exc.message:
            return
        # Too old to edit, deleted, ...: the user still gets what the button asked for.
        log.info("could not edit message %s (%s); sending it anew", query.message.message_id, exc.message)
        await send(update, context, outs)
