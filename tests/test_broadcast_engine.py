"""The delivery engine against the local fake Bot API: rate, 429, 403, retries, audiences,
progress, cancel, schedule, resume. Rates are high here except where the rate is the test."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlite_utils import Database
from telegram import Bot
from telegram.request import HTTPXRequest

from db import broadcasts as bdb
from handlers.broadcast import TelegramSender
from handlers.broadcast_engine import BroadcastEngine, EngineConfig, EngineConfigError
from handlers.ratelimit import RateLimiter
from tests.broadcast_helpers import FakeTime, JumpClock, add_users, clock
from tests.fake_bot_api import FakeBotApi

FAST = dict(rate=1000.0, per_chat_interval=0.05, backoff=0.05, progress_every=0.2, poll_every=0.2, window=8)
STAFF_CHAT = 7


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot(api.token, base_url=api.base_url, request=HTTPXRequest(connection_pool_size=16))
    await bot.initialize()
    yield bot
    await bot.shutdown()


@pytest.fixture
def make_engine(db: Database, bot: Bot) -> Callable[..., BroadcastEngine]:
    """An engine on the test database and the fake; each test starts and stops it."""

    def make(clock_: Any = None, **config: Any) -> BroadcastEngine:
        return BroadcastEngine(db, TelegramSender(bot), clock_ or clock(), EngineConfig(**{**FAST, **config}))

    return make


def queue(db: Database, audience: str = "all", text: str = "<b>공지</b> 안내", **kwargs: Any) -> bdb.Broadcast:
    return bdb.create(db, text=text, now=clock().now(), audience=audience, state=bdb.QUEUED, **kwargs)


async def run_until_idle(engine: BroadcastEngine, limit: float = 20.0) -> None:
    engine.start()
    try:
        async with asyncio.timeout(limit):
            await engine.wait_idle()
    finally:
        await engine.stop()


def notice_chats(api: FakeBotApi, text: str = "<b>공지</b> 안내") -> Counter[int]:
    return Counter(c.chat_id for c in api.sent_messages() if c.text == text)


# --- the limiter, on a fake clock -------------------------------------------------------------


async def test_limiter_paces_evenly_and_counts_from_answers():
    t = FakeTime()
    limiter = RateLimiter(10, 1.0, monotonic=t.monotonic, sleep=t.sleep)
    starts = []
    for chat in range(1, 11):
        slot = await limiter.acquire(chat)
        starts.append(slot.start)
        t.now += 0.03  # the answer takes 30 ms
        limiter.release(slot)
    assert [round(b - a, 6) for a, b in zip(starts, starts[1:], strict=False)] == [0.1] * 9
    eleventh = await limiter.acquire(11)
    # Ten calls in flight or answered within the last second: wait for 1 s after the first
    # answer, not after the first start (arrival could be anywhere in between).
    assert eleventh.start == pytest.approx(starts[0] + 0.03 + 1.0)


async def test_limiter_one_per_chat_per_second():
    t = FakeTime()
    limiter = RateLimiter(None, 1.0, monotonic=t.monotonic, sleep=t.sleep)
    first = await limiter.acquire(5)
    t.now += 0.2
    limiter.release(first)
    other = await limiter.acquire(6)
    assert other.start == t.now - 0.0  # other chats are not held up (no overall limit)
    again = await limiter.acquire(5)
    assert again.start == pytest.approx(first.start + 0.2 + 1.0)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, dict(rate=25.0, window=8)),
        ({"HRDBOT_BROADCAST_RATE": "30"}, dict(rate=30.0)),
        ({"HRDBOT_BROADCAST_RATE": "unlimited", "HRDBOT_BROADCAST_WINDOW": "64"}, dict(rate=None, window=64)),
        ({"HRDBOT_BROADCAST_POLL": "0.5", "HRDBOT_BROADCAST_PROGRESS": "5"}, dict(poll_every=0.5, progress_every=5.0)),
    ],
)
def test_config_from_env(env, expected):
    config = EngineConfig.from_env(env)
    assert {k: getattr(config, k) for k in expected} == expected


@pytest.mark.parametrize(
    "env",
    [
        {"HRDBOT_BROADCAST_RATE": "fast"},
        {"HRDBOT_BROADCAST_RATE": "0"},
        {"HRDBOT_BROADCAST_RATE": "-3"},
        {"HRDBOT_BROADCAST_RATE": "inf"},
        {"HRDBOT_BROADCAST_WINDOW": "many"},
    ],
)
def test_bad_config_names_the_variable(env):
    [name] = env
    with pytest.raises(EngineConfigError, match=name):
        EngineConfig.from_env(env)


# --- the engine against the fake Bot API ------------------------------------------------------


async def test_everyone_receives_it_once(db, api, make_engine):
    add_users(db, range(1, 61))
    b = queue(db)
    await run_until_idle(make_engine())
    assert notice_chats(api) == Counter({chat: 1 for chat in range(1, 61)})
    b = bdb.get(db, b.id)
    assert (b.state, b.total, b.sent, b.blocked, b.failed) == (bdb.DONE, 60, 60, 0, 0)
    assert bdb.delivery_counts(db, b.id) == {"sent": 60}
    [call] = api.sent_messages(1)
    assert call.params["parse_mode"] == "HTML"


async def test_audience_selection_reaches_only_that_audience(db, api, make_engine):
    add_users(db, range(1, 41))
    add_users(db, [41], audience="examinee", active=False)
    queue(db, audience="examinee")
    await run_until_idle(make_engine())
    assert set(notice_chats(api)) == {u for u in range(1, 41) if u % 5 == 1}


async def test_blocked_user_becomes_inactive_and_is_not_retried(db, api, make_engine):
    add_users(db, range(1, 11))
    api.block_chat(4)
    b = queue(db)
    await run_until_idle(make_engine())
    assert len(api.calls("sendMessage", chat_id=4)) == 1
    b = bdb.get(db, b.id)
    assert (b.sent, b.blocked) == (9, 1)
    assert db.execute("SELECT active FROM users WHERE user_id = 4").fetchone()[0] == 0
    # The next broadcast leaves them out.
    queue(db, text="둘째")
    await run_until_idle(make_engine())
    assert len(api.calls("sendMessage", chat_id=4)) == 1


async def test_429_delays_that_send_only(db, api, make_engine):
    add_users(db, range(1, 31))
    api.fail_next("sendMessage", 429, retry_after=1, chat_id=3)
    b = queue(db)
    await run_until_idle(make_engine())
    assert notice_chats(api) == Counter({chat: 1 for chat in range(1, 31)})
    calls = api.calls("sendMessage")
    refused = next(c for c in calls if c.chat_id == 3 and c.status == 429)
    retried = next(c for c in calls if c.chat_id == 3 and c.ok)
    others = [c for c in calls if c.chat_id != 3]
    assert retried.monotonic - refused.monotonic >= 1.0  # retry_after honoured
    assert max(c.monotonic for c in others) < refused.monotonic + 1.0  # nobody else waited
    assert bdb.get(db, b.id).sent == 30


async def test_5xx_and_timeouts_are_retried_then_failed(db, api, make_engine):
    add_users(db, range(1, 6))
    api.fail_next("sendMessage", 500, times=2, chat_id=2)
    api.fail_next("sendMessage", 502, times=None, chat_id=5)
    b = queue(db)
    await run_until_idle(make_engine(max_attempts=3))
    assert len(api.calls("sendMessage", chat_id=2)) == 3
    assert len(api.calls("sendMessage", chat_id=5)) == 3
    b = bdb.get(db, b.id)
    assert (b.state, b.sent, b.failed) == (bdb.DONE, 4, 1)
    error = db.execute("SELECT error FROM deliveries WHERE user_id = 5").fetchone()[0]
    assert "Bad Gateway" in error


async def test_a_message_telegram_refuses_fails_at_once(db, api, make_engine):
    add_users(db, range(1, 4))
    api.fail_next("sendMessage", 400, chat_id=2, description="Bad Request: chat not found")
    b = queue(db)
    await run_until_idle(make_engine())
    assert len(api.calls("sendMessage", chat_id=2)) == 1
    assert (bdb.get(db, b.id).sent, bdb.get(db, b.id).failed) == (2, 1)


async def test_rate_never_above_the_limit(db, api, make_engine):
    """40/s with answers delayed 0-30 ms: no one-second window of the fake's arrival times
    holds more than 40 sends, no chat gets two within a second, and the rate is near 40."""
    add_users(db, range(1, 101))
    api.set_latency(0.015, "sendMessage")
    queue(db)
    await run_until_idle(make_engine(rate=40.0, per_chat_interval=1.0))
    stats = api.rate_stats("sendMessage", window=1.0)
    assert stats.total == 100
    assert stats.max_in_window <= 40
    assert stats.max_per_chat_in_window == 1
    achieved = (stats.total - 1) / (stats.last - stats.first)
    assert achieved >= 0.85 * 40, achieved


async def test_progress_message_and_report(db, api, make_engine):
    add_users(db, range(1, 41))
    b = queue(db, report_chat_id=STAFF_CHAT)
    await run_until_idle(make_engine(rate=100.0))
    to_staff = [c for c in api.sent_messages(STAFF_CHAT) if c.text != "<b>공지</b> 안내"]
    progress, report = to_staff[0], to_staff[-1]
    assert "발송 중" in progress.text
    assert "마쳤어요" in report.text and "보냄 40" in report.text
    edits = api.edits(STAFF_CHAT, progress.message_id)
    assert len(edits) >= 2  # at least one while sending and the final state
    assert "발송 완료" in edits[-1].text and "남음 0" in edits[-1].text
    assert bdb.get(db, b.id).progress_message_id == progress.message_id


async def test_cancel_stops_a_running_broadcast(db, api, make_engine):
    add_users(db, range(1, 201))
    b = queue(db)
    engine = make_engine(rate=50.0)
    engine.start()
    try:
        await api.wait_for(20, timeout=10)
        bdb.cancel(db, b.id, clock().now())
        engine.wake()
        async with asyncio.timeout(10):
            await engine.wait_idle()
    finally:
        await engine.stop()
    b = bdb.get(db, b.id)
    assert b.state == bdb.CANCELLED
    assert 20 <= b.sent < 200
    assert b.sent == sum(notice_chats(api).values())
    assert bdb.delivery_counts(db, b.id).get("sending", 0) == 0


async def test_scheduled_broadcast_waits_for_its_time(db, api, make_engine):
    add_users(db, range(1, 4))
    jump = JumpClock()
    b = queue(db, scheduled_at=jump.now() + dt.timedelta(hours=15))
    engine = make_engine(jump)
    engine.start()
    try:
        async with asyncio.timeout(10):
            await engine.wait_idle()
            assert bdb.get(db, b.id).state == bdb.QUEUED and not notice_chats(api)
            jump.jump(dt.timedelta(hours=15))
            await engine.wait_idle()
    finally:
        await engine.stop()
    assert bdb.get(db, b.id).state == bdb.DONE
    assert set(notice_chats(api)) == {1, 2, 3}


async def test_resume_after_a_crash_sends_the_claimed_again(db, api, make_engine):
    """A crash left five deliveries claimed and three recorded: on start the engine sends the
    claimed ones again (the possible duplicates) and the rest, and counts the resent."""
    add_users(db, range(1, 21))
    b = queue(db)
    bdb.start_preparing(db, b.id, clock().now())
    bdb.add_recipients(db, b.id, [(u, u) for u in range(1, 21)])
    bdb.start_sending(db, b.id, clock().now())
    claimed = bdb.claim(db, b.id, 8, clock().now().timestamp())
    bdb.record(db, b.id, [bdb.Outcome(d.id, d.user_id, bdb.SENT, 1) for d in claimed[:3]], clock().now())
    await run_until_idle(make_engine())
    b = bdb.get(db, b.id)
    assert (b.state, b.sent, b.resent) == (bdb.DONE, 20, 5)
    assert set(notice_chats(api)) == set(range(4, 21))


async def test_media_notice_is_sent_with_its_caption(db, api, bot, make_engine):
    add_users(db, [1, 2])
    uploaded = await bot.send_photo(99, photo=b"\x89PNG fake", caption="x")
    file_id = uploaded.photo[-1].file_id
    queue(db, text="<b>사진</b> 공지", media=bdb.Media("photo", file_id))
    await run_until_idle(make_engine())
    photos = [c for c in api.calls("sendPhoto") if c.ok and c.chat_id in (1, 2)]
    assert len(photos) == 2 and all(c.params["caption"] == "<b>사진</b> 공지" for c in photos)


# --- one sending engine per database ----------------------------------------------------------


async def test_a_second_engine_on_the_same_database_waits(db, bot, make_engine, api):
    """Two bot processes on one database: only the lease holder sends; nothing goes twice."""
    add_users(db, range(1000, 1040))
    first = BroadcastEngine(db, TelegramSender(bot), clock(), EngineConfig(**FAST), owner="host-a:1:first")
    second = BroadcastEngine(db, TelegramSender(bot), clock(), EngineConfig(**FAST), owner="host-b:2:second")
    assert first._hold_lease()
    assert not second._hold_lease()
    queue(db)
    second.start()
    await asyncio.sleep(0.5)
    assert notice_chats(api) == Counter()  # the second engine did not send
    await second.stop()
    await run_until_idle(first)
    assert set(notice_chats(api).values()) == {1}
    assert len(notice_chats(api)) == 40


async def test_the_lease_of_a_dead_process_is_taken_over_at_once(db, bot):
    """A bot killed with SIGKILL leaves its lease behind; a restart does not wait for the TTL."""
    import socket

    dead = f"{socket.gethostname()}:999999999:gone"
    assert bdb.take_lease(db, "broadcast-engine", dead, 0.0, 10**9, lambda _owner: True)
    engine = BroadcastEngine(db, TelegramSender(bot), clock(), EngineConfig(**FAST))
    assert engine._hold_lease()
    await engine.stop()
    assert db.execute("SELECT count(*) FROM leases").fetchone()[0] == 0
