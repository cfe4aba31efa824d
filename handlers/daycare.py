"""The guided daycare priority check as a conversation: button questions, /cancel at any step.

The answers so far travel in each button's callback data (``d:ynn..``), so every step is a pure
function of the pressed button; the conversation only decides whether a check is running.
"""

from __future__ import annotations

import datetime as dt
import warnings

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from db import knowledge as kdb
from handlers import render
from handlers.send import send, show
from handlers.state import BotContext
from knowledge.daycare_check import decide, decode, next_question

ASKING = 1
ANSWER_PATTERN = r"^d:[yn.]{5}$"
START_DATA = "d:go"
CHECK_TIMEOUT = dt.timedelta(minutes=30)


async def start_check(update: Update, context: BotContext) -> int:
    """The check's first question."""
    await update.callback_query.answer()
    return await _step(update, context, {})


async def answer(update: Update, context: BotContext) -> int:
    """One answer: the next question, or the rank and its basis."""
    query = update.callback_query
    await query.answer()
    return await _step(update, context, decode(query.data.removeprefix("d:")))


async def _step(update: Update, context: BotContext, answers: dict[str, bool]) -> int:
    db = context.state.db
    priorities = kdb.priorities(db)
    question = next_question(answers, priorities)
    if question is not None:
        await show(update, context, [render.daycare_question(question, answers)])
        return ASKING
    outcome = decide(answers, priorities)
    await show(update, context, [render.daycare_result(outcome, kdb.section(db, "daycare"),
                                                       answers)])
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """/cancel during the check."""
    await send(update, context, [render.Out(render.CHECK_CANCELLED)])
    return ConversationHandler.END


def check_conversation() -> ConversationHandler:
    """The conversation; per chat and user, so each member of a group has their own check."""
    with warnings.catch_warnings():
        # Deliberate: the buttons of one check are tracked per (chat, user), not per message.
        warnings.filterwarnings("ignore", message=r"If 'per_message=False'")
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(start_check, pattern=f"^{START_DATA}$")],
            states={ASKING: [CallbackQueryHandler(answer, pattern=ANSWER_PATTERN)]},
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            conversation_timeout=CHECK_TIMEOUT,
            name="daycare_check",
        )
