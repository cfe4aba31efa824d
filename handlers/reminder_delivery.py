"""Reminder delivery, independent of Telegram: plan what is due, claim it, send it, record it.

``ReminderService.deliver_due(now, sender)`` is the one thing every scheduler wake-up does. It
asks the pure planner (``knowledge.reminders.plan``) for everything due in the catch-up window
ending at ``now``, leaves out what the ledger already holds, and for the rest:

- more than the grace period late: logged as ``skipped``, never sent;
- the user is in quiet hours now (and did not ask for this moment): held until they end;
- otherwise: claimed in the ledger, *then* sent, then marked ``sent`` / ``blocked`` / ``failed``.

Because the ledger claim comes first and its primary key is (user, key), any number of
restarts, overlapping runs or bot processes send each reminder at most once; because every run
looks back over the whole catch-up window, a reminder missed while the bot was down goes out on
the next run if it is still within the grace period. The ``Sender`` is the only transport
dependency; ``handlers.reminder_jobs`` adapts a Telegram bot to it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from sqlite_utils import Database

from db import knowledge as kdb
from db import reminders as rdb
from knowledge.reminders import (
    SEOUL,
    Due,
    KnowledgeView,
    ReminderConfig,
    in_quiet,
    knowledge_view,
    plan,
    wake_times,
)

log = logging.getLogger("hrdbot.reminders")


class Blocked(Exception):
    """The user blocked the bot (Telegram 403): mark them inactive, never retry."""


class RetryLater(Exception):
    """The message certainly was not sent (rate limit, connection refused): retry later.

    ``chat_only``: only this chat must wait (a 429 with its ``retry_after``); the other sends
    of the run go on. Otherwise (the Bot API is unreachable) the whole run pauses.
    """

    def __init__(self, retry_after: float = 60.0, *, chat_only: bool = False) -> None:
        super().__init__(f"retry after {retry_after:.0f} s")
        self.retry_after = retry_after
        self.chat_only = chat_only


class SendFailed(Exception):
    """Sending failed for good, or it is unknown whether it arrived: not retried."""


class Sender(Protocol):
    async def send(self, chat_id: int, text: str) -> None:
        """Deliver ``text``; raise Blocked, RetryLater or SendFailed."""


@dataclass
class Report:
    """What one delivery run did."""

    sent: int = 0
    skipped: int = 0
    held: int = 0
    blocked: int = 0
    failed: int = 0
    released: int = 0
    already: int = 0
    retry_after: float | None = None


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ReminderService:
    """Delivery over one database. Keeps nothing but a cache of the knowledge view (refreshed
    when ``hrdbot load`` changes the knowledge) and a lock so runs in one process take turns."""

    def __init__(self, db: Database, config: ReminderConfig, *, owner: str | None = None) -> None:
        self.db = db
        self.config = config
        self.owner = owner or default_owner()
        self._view: KnowledgeView | None = None
        self._lock = asyncio.Lock()
        self._paused: dict[int, dt.datetime] = {}  # chat id -> no send before (429)

    def view(self) -> KnowledgeView:
        """The knowledge view, rebuilt whenever the loaded knowledge changed."""
        sha = kdb.knowledge_meta(self.db).get("knowledge_sha256", "")
        if self._view is None or self._view.loaded_sha != sha:
            self._view = knowledge_view(self.db)
        return self._view

    def due(self, now: dt.datetime) -> Iterator[Due]:
        """Everything due to active subscribers in the catch-up window ending at ``now``."""
        start = now - dt.timedelta(days=self.config.defaults.catch_up_days)
        end = now + dt.timedelta(microseconds=1)
        return plan(self.view(), self.config, rdb.subscribers(self.db, self.config.defaults), start, end)

    def wake_times(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """When in ``[start, end)`` something may fall due or stop being held by quiet hours."""
        profiles = rdb.settings_profiles(self.db, self.config.defaults)
        times = set(wake_times(self.view(), self.config, profiles, start, end))
        day = start.astimezone(SEOUL).date()
        while dt.datetime.combine(day, dt.time(0), tzinfo=SEOUL) < end:
            for _push, _qs, quiet_end in profiles:
                if quiet_end is not None:
                    at = dt.datetime.combine(day, quiet_end, tzinfo=SEOUL)
                    if start <= at < end:
                        times.add(at)
            day += dt.timedelta(days=1)
        return sorted(times)

    async def deliver_due(self, now: dt.datetime, sender: Sender) -> Report:
        """Send everything due at ``now`` that the ledger does not hold yet (see module doc)."""
        async with self._lock:
            return await self._deliver(now, sender)

    async def _deliver(self, now: dt.datetime, sender: Sender) -> Report:
        report = Report()
        grace = self.config.defaults.grace
        local_now = now.astimezone(SEOUL).time().replace(tzinfo=None)
        pending: list[Due] = []
        known: dict[str, set[int]] = {}
        for due in self.due(now):
            if due.key not in known:
                known[due.key] = rdb.users_with(self.db, due.key)
            if due.user_id in known[due.key]:
                report.already += 1
                continue
            late = now - due.due_at
            if late > grace:
                if rdb.record_skipped(
                    self.db,
                    due.user_id,
                    due.key,
                    due.due_at,
                    now,
                    f"late by {_hours(late)} (grace {_hours(grace)})",
                    self.owner,
                ):
                    report.skipped += 1
                    log.info("skipped %s for user %s: %s late", due.key, due.user_id, late)
                continue
            if in_quiet(local_now, *due.quiet):
                report.held += 1
                continue
            pending.append(due)
        blocked: set[int] = set()
        self._paused = {chat: until for chat, until in self._paused.items() if until > now}
        for index, due in enumerate(pending):
            chat_id = due.chat_id or due.user_id
            if due.user_id in blocked:
                continue
            if chat_id in self._paused:  # a 429 asked this chat to wait
                report.held += 1
                continue
            if not rdb.claim(self.db, due.user_id, due.key, due.due_at, now, self.owner):
                report.already += 1
                continue
            try:
                await sender.send(chat_id, due.text)
            except Blocked:
                rdb.finish(self.db, due.user_id, due.key, "blocked", now, "user blocked the bot")
                rdb.mark_blocked(self.db, due.user_id, now)
                blocked.add(due.user_id)
                report.blocked += 1
            except RetryLater as exc:
                rdb.release(self.db, due.user_id, due.key)
                report.released += 1
                if exc.chat_only:
                    self._paused[chat_id] = now + dt.timedelta(seconds=exc.retry_after)
                    log.info("chat %s asked to wait %.0f s (429)", chat_id, exc.retry_after)
                    continue
                report.retry_after = exc.retry_after
                log.warning("reminders paused after %d of %d sends: %s", index, len(pending), exc)
                break
            except SendFailed as exc:
                rdb.finish(self.db, due.user_id, due.key, "failed", now, str(exc)[:500])
                report.failed += 1
            else:
                rdb.finish(self.db, due.user_id, due.key, "sent", now)
                report.sent += 1
        if self._paused:
            first = min(self._paused.values())
            wait = (first - now).total_seconds()
            report.retry_after = wait if report.retry_after is None else min(report.retry_after, wait)
        return report


def _hours(delta: dt.timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} h"
