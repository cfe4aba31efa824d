"""The one limiter of bulk sends (broadcasts and reminder pushes) in the running bot.

Telegram allows about 30 messages a second overall and one a second per chat. Broadcasts and
reminder pushes draw from the same ``RateLimiter`` (``shared_limiter``), so that together they
stay within ``HRDBOT_BROADCAST_RATE`` and leave room for answering questions.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

SHARED_KEY = "hrdbot.push_limiter"


Sleep = Callable[[float], Awaitable[None]]


@dataclass
class Slot:
    """One Bot API call as the limiter sees it: when it left and when its answer came."""

    chat_id: int
    start: float
    end: float | None = None


class RateLimiter:
    """At most ``rate`` calls in any one-second window overall and one per chat per
    ``per_chat_interval``, counted from answers (see the module docstring), evenly paced.

    ``acquire`` waits for a slot (callers are served in order); ``release`` records the answer.
    """

    def __init__(
        self,
        rate: float | None,
        per_chat_interval: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate is None or math.isinf(rate):
            self._n, self._window = 0, 0.0
        elif rate >= 1:
            self._n, self._window = int(rate), 1.0
        else:
            self._n, self._window = 1, 1.0 / rate
        self._spacing = self._window / self._n if self._n else 0.0
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._recent: collections.deque[Slot] = collections.deque()
        self._chats: dict[int, Slot] = {}
        self._last_start = -math.inf
        self._lock = asyncio.Lock()
        self._answered = asyncio.Event()

    @property
    def memory(self) -> float:
        """How far back the limits look (seconds)."""
        return max(self._window, self.per_chat_interval)

    def _ready_at(self, chat_id: int) -> float | None:
        """When a call to ``chat_id`` may start; None while it must wait for an answer."""
        at = self._last_start + self._spacing
        if self._n and len(self._recent) >= self._n:
            oldest = self._recent[0]
            if oldest.end is None:
                return None
            at = max(at, oldest.end + self._window)
        previous = self._chats.get(chat_id)
        if previous is not None:
            if previous.end is None:
                return None
            at = max(at, previous.end + self.per_chat_interval)
        return at

    def _prune(self, now: float) -> None:
        while self._n and len(self._recent) > self._n:
            self._recent.popleft()
        # Chats are kept in start order; forget those whose interval has passed.
        while self._chats:
            oldest = next(iter(self._chats.values()))
            if oldest.end is None or oldest.end + self.per_chat_interval > now:
                break
            del self._chats[oldest.chat_id]

    async def acquire(self, chat_id: int) -> Slot:
        async with self._lock:
            while True:
                now = self._monotonic()
                ready = self._ready_at(chat_id)
                if ready is None:
                    self._answered.clear()
                    await self._answered.wait()
                    continue
                if ready > now:
                    await self._sleep(ready - now)
                    continue
                slot = Slot(chat_id, now)
                self._last_start = now
                if self._n:
                    self._recent.append(slot)
                self._chats.pop(chat_id, None)
                self._chats[chat_id] = slot
                self._prune(now)
                return slot

    def release(self, slot: Slot) -> None:
        slot.end = self._monotonic()
        self._answered.set()


def shared_limiter(
    bot_data: MutableMapping[str, Any], rate: float | None, per_chat_interval: float = 1.0
) -> RateLimiter:
    """The bot's one bulk-send limiter; the first caller's settings create it."""
    limiter = bot_data.get(SHARED_KEY)
    if limiter is None:
        limiter = bot_data[SHARED_KEY] = RateLimiter(rate, per_chat_interval)
    return limiter
