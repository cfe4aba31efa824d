"""Who may do what on Telegram: the role check every staff step goes through, handler filters
that ask the database (an open draft, a reply to a composer prompt, a staff member), and the
short group reply that moves private things to the private chat.

Roles are granted, never claimed (``db.roles``); every staff command, button and typed step
checks the role again when it runs, and every attempt is audit-logged.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import ConversationHandler, filters
from telegram.helpers import create_deep_linked_url

from db import broadcasts as bdb
from db import roles
from db.ops import audit
from handlers import broadcast_text as text
from handlers import private
from handlers.render import UNKNOWN_COMMAND
from handlers.state import AppState, BotContext

log = logging.getLogger("hrdbot.access")

Handler = Callable[[Update, BotContext], Awaitable[Any]]
STAFF_PAYLOAD = "staff"  # /start staff: the deep link from a group to the private chat


@dataclass
class Access:
    """The admins from ``HRDBOT_ADMINS`` and, once the bot starts, the application state, for
    filters (which see only the update)."""

    admins: frozenset[int] = frozenset()
    state: AppState | None = field(default=None, repr=False)

    def is_staff(self, user_id: int | None) -> bool:
        return self.state is not None and roles.is_staff(self.state.db, user_id, self.admins)

    def is_admin(self, user_id: int | None) -> bool:
        return self.state is not None and roles.is_admin(self.state.db, user_id, self.admins)


ACCESS_KEY = "hrdbot.access"


def access(context: BotContext) -> Access:
    return context.bot_data[ACCESS_KEY]


def staff_only(action: str, *, admin: bool = False) -> Callable[[Handler], Handler]:
    """Let staff (or only admins) through; others get the neutral reply. Both are audited."""

    def decorate(callback: Handler) -> Handler:
        @functools.wraps(callback)
        async def wrapper(update: Update, context: BotContext) -> Any:
            state = context.state
            user = update.effective_user
            user_id = user.id if user else None
            acc = access(context)
            allowed = acc.is_admin(user_id) if admin else acc.is_staff(user_id)
            audit(state.db, state.clock.now(), user_id, action, _detail(update), allowed=allowed)
            if allowed:
                return await callback(update, context)
            log.warning("denied %s to user %s", action, user_id)
            if update.callback_query is not None:
                await update.callback_query.answer(UNKNOWN_COMMAND, show_alert=True)
            elif update.effective_message is not None:
                await update.effective_message.reply_text(UNKNOWN_COMMAND)
            return ConversationHandler.END

        return wrapper

    return decorate


def _detail(update: Update) -> str:
    if update.callback_query is not None:
        return f"button {update.callback_query.data}"[:200]
    message = update.effective_message
    return (message.text or message.caption or "")[:200] if message is not None else ""


def in_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


async def to_private(update: Update, context: BotContext, line: str = text.STAFF_IN_PRIVATE) -> None:
    """In a group: one short line and a button that opens the private chat (nothing personal);
    the same button as ``handlers.private`` uses for calendars and settings."""
    username = context.bot.username
    if not username:
        await update.effective_message.reply_text(f"{line}\n{private.NO_LINK}")
        return
    url = create_deep_linked_url(username, STAFF_PAYLOAD)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(private.BUTTON, url=url)]])
    await update.effective_message.reply_text(line, reply_markup=markup)


# --- filters that ask the database ------------------------------------------------------------


class _AccessFilter(filters.MessageFilter):
    def __init__(self, acc: Access) -> None:
        super().__init__(name=type(self).__name__)
        self.access = acc


class IsStaff(_AccessFilter):
    """The sender is staff or an admin now."""

    def filter(self, message: Message) -> bool:
        return message.from_user is not None and self.access.is_staff(message.from_user.id)


class HasOpenDraft(_AccessFilter):
    """The sender has a /broadcast draft being composed (so /cancel cancels it)."""

    def filter(self, message: Message) -> bool:
        state = self.access.state
        if state is None or message.from_user is None:
            return False
        return bool(bdb.composing(state.db, message.from_user.id, state.clock.now()))


class AnswersPrompt(_AccessFilter):
    """A reply to the current prompt of the sender's open draft (the notice or the time).
    Anything else, however soon after /broadcast, is an ordinary message."""

    def filter(self, message: Message) -> bool:
        state = self.access.state
        target = message.reply_to_message
        if state is None or message.from_user is None or target is None:
            return False
        return (
            bdb.draft_for_reply(
                state.db,
                author_id=message.from_user.id,
                chat_id=message.chat_id,
                prompt_message_id=target.message_id,
                now=state.clock.now(),
            )
            is not None
        )
