"""Shared pieces of the broadcast tests: users, a clock, an engine against the fake Bot API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlite_utils import Database

from handlers.clock import SEOUL, StartedClock

START = dt.datetime(2018, 8, 21, 9, 0, tzinfo=SEOUL)
AUDIENCE_CYCLE = ("staff", "examinee", "parent", "other", None)


def clock() -> StartedClock:
    """Starts at 2018-08-21 09:00 Seoul and runs in real time (the engine paces in real time)."""
    return StartedClock(START)


def add_users(
    db: Database, ids: Iterable[int], *, audience: str | None | object = "cycle", active: bool = True
) -> list[int]:
    """Users whose private chat id equals their user id; audiences cycle unless given."""
    ids = list(ids)
    rows = []
    for i in ids:
        aud = AUDIENCE_CYCLE[i % len(AUDIENCE_CYCLE)] if audience == "cycle" else audience
        rows.append((i, i, f"user{i}", int(active), aud))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO users (user_id, chat_id, first_name, active, audience, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, '2018-08-01T00:00:00+09:00', "
            "'2018-08-01T00:00:00+09:00')",
            rows,
        )
    return ids


class JumpClock:
    """Real time from START, plus jumps a test makes (scheduled broadcasts)."""

    def __init__(self) -> None:
        self._clock = StartedClock(START)
        self.offset = dt.timedelta()

    def now(self) -> dt.datetime:
        return self._clock.now() + self.offset

    def jump(self, delta: dt.timedelta) -> None:
        self.offset += delta


class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
