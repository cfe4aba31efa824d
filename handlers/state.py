"""What every handler may use: the application state in ``bot_data`` and the context type."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlite_utils import Database
from telegram.ext import CallbackContext, ExtBot

from handlers.clock import Clock
from knowledge.reply import EMPTY_CONTEXT, Context, Reply

if TYPE_CHECKING:
    from handlers.registry import Command

STATE_KEY = "hrdbot.state"


class Answerer(Protocol):
    """The core's question-answering interface (``knowledge.core.Brain``)."""

    def answer(self, text: str, context: Context = EMPTY_CONTEXT, *, now: dt.datetime) -> Reply: ...


@dataclass(frozen=True)
class AppState:
    """The dependencies of the Telegram edge, built in ``bot.py`` and passed in."""

    db: Database
    brain: Answerer
    clock: Clock
    commands: tuple[Command, ...] = ()


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """``CallbackContext`` with typed access to the application state."""

    @property
    def state(self) -> AppState:
        return self.bot_data[STATE_KEY]
