"""The bot's clock: every "now" the Telegram edge uses comes from one injected object."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


class Clock(Protocol):
    """Anything with ``now()`` returning an aware Asia/Seoul datetime."""

    def now(self) -> dt.datetime: ...


class SystemClock:
    """The real time in Seoul."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(SEOUL)


class StartedClock:
    """Starts at ``start`` and runs forward in real time (``hrdbot run --now``)."""

    def __init__(self, start: dt.datetime, monotonic: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None:
            raise ValueError("StartedClock needs an aware datetime")
        self._start = start.astimezone(SEOUL)
        self._monotonic = monotonic
        self._origin = monotonic()

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=self._monotonic() - self._origin)
