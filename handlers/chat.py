"""Start, help, free-text questions, suggestion buttons, the audience choice and /cancel."""

from __future__ import annotations

import time

from telegram import Update
from telegram.constants import ChatType

from db import console as console_db
from db import users
from handlers import console, daycare, menus, pictures, render, subscriptions
from handlers.parse import strip_mention
from handlers.registry import public_commands
from handlers.send import resolve, send, show
from handlers.state import BotContext
from knowledge.reply import EMPTY_CONTEXT

CONTEXT_KEY = "conversation_context"
_TOUCHED_KEY = "users_touched"
TOUCH_EVERY = 600.0  # seconds between refreshes of a user's row


async def start(update: Update, context: BotContext) -> None:
    """/start: welcome and audience question; ``/start exams`` etc. open that section."""
    section = context.args[0].lower() if context.args else None
    view = menus.SECTIONS.get(section or "")
    user = update.effective_user
    outs = view(context.state.db) if view else [render.welcome(user.first_name if user else None)]
    await send(update, context, outs)


async def help_(update: Update, context: BotContext) -> None:
    """/help: every public command from the registry."""
    commands = [(c.name, c.description) for c in public_commands(context.state.commands)]
    await send(update, context, [render.help_text(commands)])


async def ask(update: Update, context: BotContext) -> None:
    """/ask: how to ask; ``/ask 질문`` answers the question (the way to ask in groups)."""
    question = " ".join(context.args or [])
    if question:
        await answer_question(update, context, question)
    else:
        await send(update, context, menus.ask_view(context.state.db))


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel: ends a running daycare check, else says nothing is running."""
    stopped = daycare.cancel_running(update, context)
    await send(update, context, [render.Out(render.CHECK_CANCELLED if stopped else render.NOTHING_TO_CANCEL)])


async def unknown_command(update: Update, context: BotContext) -> None:
    """An unregistered /command in a private chat."""
    await send(update, context, [render.Out(render.UNKNOWN_COMMAND)])


async def text_message(update: Update, context: BotContext) -> None:
    """A free-text question (private chat, or a group message addressed to the bot)."""
    question = strip_mention(update.effective_message.text or "", context.bot.username)
    await answer_question(update, context, question)


async def answer_question(update: Update, context: BotContext, question: str) -> None:
    """Ask the core, keeping the per-chat follow-up context; send the rendered reply."""
    state = context.state
    now = state.clock.now()
    previous = context.chat_data.get(CONTEXT_KEY, EMPTY_CONTEXT)
    reply = state.brain.answer(question, previous if previous.fresh(now) else EMPTY_CONTEXT, now=now)
    context.chat_data[CONTEXT_KEY] = reply.context
    outs = pictures.offer(reply, render.reply_messages(reply), state.db)
    outs = subscriptions.offer(update, context, outs, reply.topics)
    console_db.count_question(state.db, now.date(), answered=reply.intent is not None)
    if reply.intent is not None:
        outs = console.with_feedback(outs, console.feedback_row(state.db, question, reply, now))
    await send(update, context, outs)


# --- buttons ---------------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    """Route a pressed button by its callback-data prefix."""
    query = update.callback_query
    data = resolve(query.data, context.state.db)
    prefix, _, rest = (data or "").partition(":")
    route = _BUTTON_ROUTES.get(prefix)
    if route is None or not await route(update, context, rest):
        message = render.CHECK_OVER if prefix == "d" else render.STALE_BUTTON
        await query.answer(message, show_alert=True)


async def _suggestion(update: Update, context: BotContext, question: str) -> bool:
    await update.callback_query.answer()
    await answer_question(update, context, question)
    return True


async def _audience(update: Update, context: BotContext, code: str) -> bool:
    if code not in users.AUDIENCES:
        return False
    await update.callback_query.answer()
    user = update.effective_user
    if user is not None:
        _touch(update, context, force=True)
        users.set_audience(context.state.db, user.id, code, context.state.clock.now())
    await show(update, context, [render.audience_saved(code)])
    return True


async def _menu(update: Update, context: BotContext, section: str) -> bool:
    view = menus.SECTIONS.get(section)
    if view is None:
        return False
    await update.callback_query.answer()
    await send(update, context, view(context.state.db))
    return True


async def _courses(update: Update, context: BotContext, rest: str) -> bool:
    return await menus.on_courses_button(update, context, rest.split(":"))


async def _exams(update: Update, context: BotContext, rest: str) -> bool:
    return await menus.on_exams_button(update, context, rest.split(":"))


_BUTTON_ROUTES = {
    "q": _suggestion,
    "a": _audience,
    "m": _menu,
    "c": _courses,
    "x": _exams,
    console.FEEDBACK_PREFIX: console.on_feedback,
}


# --- users -----------------------------------------------------------------------------------


async def observe_user(update: Update, context: BotContext) -> None:
    """Every update: keep the users row of a private-chat user fresh (at most every 10 min)."""
    _touch(update, context, force=False)


def _touch(update: Update, context: BotContext, *, force: bool) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE or user.is_bot:
        return
    touched: dict[int, float] = context.bot_data.setdefault(_TOUCHED_KEY, {})
    now = time.monotonic()
    if not force and now - touched.get(user.id, -TOUCH_EVERY) < TOUCH_EVERY:
        return
    touched[user.id] = now
    users.touch(
        context.state.db,
        user_id=user.id,
        chat_id=chat.id,
        first_name=user.first_name,
        username=user.username,
        now=context.state.clock.now(),
    )
