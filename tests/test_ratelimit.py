"""The one bulk-send limiter shared by broadcasts and reminder pushes."""

from __future__ import annotations

import asyncio

from handlers.ratelimit import RateLimiter, shared_limiter
from tests.broadcast_helpers import FakeTime


def test_the_first_caller_creates_it_and_everyone_shares_it() -> None:
    bot_data: dict[str, object] = {}
    first = shared_limiter(bot_data, 25)
    assert shared_limiter(bot_data, 1000) is first


async def test_two_senders_together_stay_within_one_budget() -> None:
    """A broadcast and a reminder push sending at once share the overall rate."""
    clock = FakeTime()
    limiter = RateLimiter(5, 1.0, monotonic=clock.monotonic, sleep=clock.sleep)
    starts: list[float] = []

    async def sender(first_chat: int) -> None:
        for i in range(10):
            slot = await limiter.acquire(first_chat + i)
            starts.append(clock.now)
            limiter.release(slot)

    await asyncio.gather(sender(1000), sender(2000))
    assert len(starts) == 20
    for t in starts:
        in_window = [s for s in starts if t <= s < t + 1.0]
        assert len(in_window) <= 5
    assert starts[-1] - starts[0] >= 3.0  # 20 sends at 5/s take about 4 s of the fake clock


async def test_one_chat_gets_at_most_one_message_a_second() -> None:
    clock = FakeTime()
    limiter = RateLimiter(None, 1.0, monotonic=clock.monotonic, sleep=clock.sleep)
    starts = []
    for _ in range(3):
        slot = await limiter.acquire(42)
        starts.append(clock.now)
        limiter.release(slot)
    assert all(b - a >= 1.0 for a, b in zip(starts, starts[1:], strict=False))
