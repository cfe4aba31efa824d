"""The guided daycare priority check: button questions, /cancel at any step, private chats only.

The check's state lives in SQLite (``db.daycare``), so it survives a restart. A button carries
only the question it answers (``d:<question>:y|n``; ``d:go`` starts); the answer counts only if
that question is the one the stored state asks next, so a forged, repeated or stale button
changes nothing. In a group the check is not run: its questions are personal.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from telegram import Update

from db import daycare as ddb
from db import knowledge as kdb
from handlers import private, render
from handlers.send import show
from handlers.state import BotContext
from knowledge.daycare_check import decide, dump_answers, load_answers, next_question

log = logging.getLogger("hrdbot.daycare")

PATTERN = r"^d:"
START_DATA = "d:go"
LINK = "daycare_check"  # /start daycare_check
CHECK_TIMEOUT = dt.timedelta(minutes=30)
_ANSWER_RE = re.compile(r"^d:([a-z_]{1,32}):([yn])$")

NOT_THIS_QUESTION = "이미 답한 질문이에요. 가장 마지막에 받은 질문에 답해 주세요."
NOT_A_CHECK_BUTTON = "입소 순위 확인에 쓸 수 없는 버튼이에요. /daycare 에서 다시 시작해 주세요."


async def on_button(update: Update, context: BotContext) -> None:
    """Every ``d:`` button: start the check, or record one answer and show what follows."""
    query = update.callback_query
    if not private.is_private(update):
        await query.answer()
        await private.redirect(update, context, LINK)
        return
    if query.data == START_DATA:
        await query.answer()
        await _begin(update, context)
        return
    match = _ANSWER_RE.match(query.data or "")
    if match is None:
        log.warning("bad daycare button %r from user %s", query.data, update.effective_user.id)
        await query.answer(NOT_A_CHECK_BUTTON, show_alert=True)
        return
    question_id, value = match[1], match[2] == "y"
    db, now = context.state.db, context.state.clock.now()
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    answers = _running(context, chat_id, user_id)
    if answers is None:
        await query.answer(render.CHECK_OVER, show_alert=True)
        return
    asked = next_question(answers, kdb.priorities(db))
    if asked is None or asked.id != question_id:
        await query.answer(NOT_THIS_QUESTION, show_alert=True)
        return
    after = {**answers, question_id: value}
    if not ddb.record(db, chat_id, user_id, dump_answers(answers), dump_answers(after), now):
        await query.answer(NOT_THIS_QUESTION, show_alert=True)
        return
    await query.answer()
    await _step(update, context, after)


async def start_link(update: Update, context: BotContext) -> None:
    """``/start daycare_check`` (the deep link from a group): the check's first question."""
    if not private.is_private(update):
        await private.redirect(update, context, LINK)
        return
    await _begin(update, context)


def cancel_running(update: Update, context: BotContext) -> bool:
    """/cancel: end this user's check in this chat; False if none was running."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    return _running(context, chat.id, user.id) is not None and ddb.finish(context.state.db, chat.id, user.id)


def _running(context: BotContext, chat_id: int, user_id: int) -> dict[str, bool] | None:
    """The answers of the running check; None if there is none (or it timed out)."""
    db = context.state.db
    check = ddb.get(db, chat_id, user_id)
    if check is None:
        return None
    if context.state.clock.now() - check.updated_at > CHECK_TIMEOUT:
        ddb.finish(db, chat_id, user_id)
        return None
    try:
        return load_answers(check.answers)
    except ValueError:
        log.warning("unreadable daycare check of user %s dropped", user_id)
        ddb.finish(db, chat_id, user_id)
        return None


async def _begin(update: Update, context: BotContext) -> None:
    db, now = context.state.db, context.state.clock.now()
    ddb.purge(db, now - CHECK_TIMEOUT)
    ddb.start(db, update.effective_chat.id, update.effective_user.id, dump_answers({}), now)
    await _step(update, context, {})


async def _step(update: Update, context: BotContext, answers: dict[str, bool]) -> None:
    db = context.state.db
    priorities = kdb.priorities(db)
    question = next_question(answers, priorities)
    if question is not None:
        await show(update, context, [render.daycare_question(question, answers)])
        return
    ddb.finish(db, update.effective_chat.id, update.effective_user.id)
    outcome = decide(answers, priorities)
    await show(update, context, [render.daycare_result(outcome, kdb.section(db, "daycare"), answers)])
