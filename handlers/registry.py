"""One registry of commands and handlers; it feeds the Application, ``set_my_commands`` and /help.

A *feature* is a slice of the bot (the basic menus, reminders, staff broadcast ...). Each one
lists its commands, its other handlers and its start-up hooks; ``build_application`` adds all
features in order, so a new feature never edits another feature's handlers.

Handler order inside the single handler group: every feature's ``handlers`` (conversations,
callback queries), then every command, then every feature's ``fallbacks`` (catch-alls such as
free text). ``observers`` run first for every update in their own group and never stop it.
Callback data prefixes in use: ``a: m: c: x: d: q: k: f:`` (this package); pick new ones for new
features.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, BaseHandler, CommandHandler, filters

from handlers.state import BotContext

HandlerCallback = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]
Hook = Callable[[Application], Awaitable[None]]

OBSERVER_GROUP = -1
_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass(frozen=True)
class Command:
    """A slash command: its name, its Korean description (menu and /help) and its handler."""

    name: str
    description: str
    callback: HandlerCallback
    staff_only: bool = False  # not shown in the public menu or /help
    admin_only: bool = False  # in the staff menu of admins only (implies staff_only)

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"command name {self.name!r}: use 1-32 of a-z, 0-9, _")
        if not 1 <= len(self.description) <= 256:
            raise ValueError(f"command {self.name}: description must be 1-256 characters")


@dataclass(frozen=True)
class Feature:
    """A slice of the bot: commands, other handlers and start-up/shut-down hooks."""

    name: str
    commands: tuple[Command, ...] = ()
    handlers: tuple[BaseHandler[Any, Any, Any], ...] = ()
    fallbacks: tuple[BaseHandler[Any, Any, Any], ...] = ()
    observers: tuple[BaseHandler[Any, Any, Any], ...] = ()
    on_startup: tuple[Hook, ...] = ()
    on_shutdown: tuple[Hook, ...] = ()


def all_commands(features: Iterable[Feature]) -> tuple[Command, ...]:
    """Every command, in feature order; a name used twice is an error."""
    seen: dict[str, str] = {}
    out: list[Command] = []
    for feature in features:
        for command in feature.commands:
            if command.name in seen:
                raise ValueError(f"/{command.name} is registered by both {seen[command.name]} and {feature.name}")
            seen[command.name] = feature.name
            out.append(command)
    return tuple(out)


def public_commands(commands: Iterable[Command]) -> list[Command]:
    return [c for c in commands if not (c.staff_only or c.admin_only)]


def staff_commands(commands: Iterable[Command], *, admin: bool) -> list[Command]:
    """The staff (and, for ``admin``, admin) commands: the staff menu and /help section."""
    return [c for c in commands if (c.staff_only or c.admin_only) and (admin or not c.admin_only)]


def bot_commands(commands: Iterable[Command]) -> list[BotCommand]:
    """The list for ``set_my_commands``."""
    return [BotCommand(c.name, c.description) for c in public_commands(commands)]


def register(app: Application[Any, Any, Any, Any, Any, Any], features: Sequence[Feature]) -> tuple[Command, ...]:
    """Add every feature's handlers to ``app`` in the documented order; returns the commands."""
    commands = all_commands(features)
    for feature in features:
        for handler in feature.observers:
            app.add_handler(handler, group=OBSERVER_GROUP)
        for handler in feature.handlers:
            app.add_handler(handler)
    for command in commands:
        app.add_handler(CommandHandler(command.name, command.callback, filters=filters.UpdateType.MESSAGE))
    for feature in features:
        for handler in feature.fallbacks:
            app.add_handler(handler)
    return commands
