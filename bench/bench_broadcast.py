"""Benchmark: a staff broadcast to 100 000 recipients, and questions answered meanwhile.

Processes: the fake Bot API server (``tests/fake_bot_api.py``, a subprocess) and the bot (this
process: the real ``Application`` with the basic and broadcast features, the real core and a
temporary SQLite database with the shipped knowledge and ``--recipients`` users).

Phases (each prints its figures; nothing is asserted):

1. **engine alone**: the delivery engine over every recipient with a sender that does no I/O —
   the ceiling of the engine's own work (claiming, pacing, recording in SQLite).
2. **limit lifted**: the whole bot, ``HRDBOT_BROADCAST_RATE=unlimited``, every recipient,
   against the fake over HTTP: messages/s, the bot's CPU per message, peak memory, and the
   latency of questions asked meanwhile (p50/p99).
3. **default limit (25/s)**: the same broadcast for ``--default-seconds`` (25 s by default, then
   it is cancelled): the achieved rate as a fraction of the limit, from the fake's arrival
   timestamps, the most sends in any one-second window, and the question latency.

Question latency is from the moment the question is queued at the fake to the moment the fake
receives the answer (one system-wide monotonic clock).

    .venv/bin/python bench/bench_broadcast.py [--recipients 100000] [--default-seconds 25]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import resource
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from db import broadcasts as bdb  # noqa: E402
from db.schema import connect  # noqa: E402
from handlers.app import build_application, running  # noqa: E402
from handlers.broadcast import RUNTIME_KEY, BroadcastSettings, broadcast_feature  # noqa: E402
from handlers.broadcast_engine import BroadcastEngine, EngineConfig, Notice  # noqa: E402
from handlers.clock import SEOUL, StartedClock  # noqa: E402
from handlers.config import RunConfig  # noqa: E402
from handlers.features import basic_feature  # noqa: E402
from handlers.state import AppState  # noqa: E402
from knowledge.core import Brain  # noqa: E402
from knowledge.store import open_database  # noqa: E402
from tests.fake_bot_api import FakeBotApiProcess  # noqa: E402

QUESTIONS = (
    "신임자 과정 언제 시작해요?",
    "2차 필기 합격자 발표 언제예요?",
    "어린이집 입소 순위 알려주세요",
    "배움관은 몇 층이에요?",
    "구내식당 있어요?",
    "6급 미래인재 양성과정 기간이 어떻게 돼요?",
)
ASKER = 9_000_001  # a chat outside the recipients


def now_clock() -> StartedClock:
    import datetime as dt

    return StartedClock(dt.datetime(2018, 8, 21, 9, 0, tzinfo=SEOUL))


def rss_mb(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def max_in_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for i, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, i - start + 1)
    return best


def make_db(path: Path, recipients: int) -> None:
    open_database(path).close()
    db = connect(path)
    stamp = "2018-08-01T00:00:00+09:00"
    audiences = ("staff", "examinee", "parent", "other", None)

    def rows() -> Iterator[tuple[object, ...]]:
        for i in range(1, recipients + 1):
            yield (i, i, f"u{i}", audiences[i % 5], stamp, stamp)

    with db.conn:
        db.conn.executemany(
            "INSERT INTO users (user_id, chat_id, first_name, active, audience, created_at, "
            "updated_at) VALUES (?, ?, ?, 1, ?, ?, ?)",
            rows(),
        )
    db.close()


class NullSender:
    """Delivers instantly without I/O (phase 1: the engine's own ceiling)."""

    def __init__(self) -> None:
        self.count = 0

    async def send(self, chat_id: int, notice: Notice) -> int:
        self.count += 1
        await asyncio.sleep(0)
        return self.count

    async def post(self, chat_id: int, html: str) -> int:
        return 1

    async def edit(self, chat_id: int, message_id: int, html: str) -> None:
        return None


async def engine_alone(path: Path, recipients: int) -> None:
    db = connect(path)
    sender = NullSender()
    engine = BroadcastEngine(db, sender, now_clock(), EngineConfig(rate=None, per_chat_interval=1.0, window=64))
    b = bdb.create(db, text="engine-only", now=now_clock().now(), audience="all", state=bdb.QUEUED)
    reset_peak()
    rss0, cpu0, t0 = rss_mb(), cpu_seconds(), time.monotonic()
    engine.start()
    await engine.wait_idle()
    elapsed, cpu = time.monotonic() - t0, cpu_seconds() - cpu0
    await engine.stop()
    b = bdb.get(db, b.id)
    print(
        f"1. engine alone (no I/O): {b.sent:,} deliveries in {elapsed:.1f} s = "
        f"{b.sent / elapsed:,.0f} msg/s; CPU {cpu:.1f} s ({cpu / b.sent * 1e6:.0f} µs/msg); "
        f"peak RSS {rss_mb('VmHWM'):.0f} MB (+{rss_mb('VmHWM') - rss0:.0f} MB)"
    )
    db.close()


async def ask_questions(
    api: FakeBotApiProcess, stop: asyncio.Event, latencies: list[float], every: float, db: object, broadcast_id: int
) -> None:
    """One user asking a question every ``every`` seconds while the broadcast runs (from when
    its recipients are fixed, so the asker is not one of them)."""
    while bdb.get(db, broadcast_id).state != bdb.SENDING:  # type: ignore[arg-type]  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    answered = 0
    i = 0
    while not stop.is_set():
        started = time.monotonic()
        await asyncio.to_thread(api.send_text, ASKER, QUESTIONS[i % len(QUESTIONS)])
        answered += 1
        await api.async_wait_for(answered, timeout=60, chat_id=ASKER)
        latencies.append(time.monotonic() - started)
        i += 1
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(every):
                await stop.wait()


async def with_bot(
    path: Path, api: FakeBotApiProcess, brain_db: object, brain: Brain, engine: EngineConfig, body: object
) -> None:
    config = RunConfig(token=api.token, base_url=api.base_url, poll_timeout=5.0)
    db = connect(path)
    app = build_application(
        config, AppState(db, brain, now_clock()), [basic_feature(), broadcast_feature(BroadcastSettings(engine=engine))]
    )
    async with running(app, config):
        await body(app, db)  # type: ignore[operator]
    db.close()


async def limit_lifted(path: Path, brain: Brain, brain_db: object, window: int, seconds: float) -> None:
    with FakeBotApiProcess(record=False) as api:

        async def body(app: object, db: object) -> None:
            engine: BroadcastEngine = app.bot_data[RUNTIME_KEY].engine  # type: ignore[attr-defined]
            latencies: list[float] = []
            stop = asyncio.Event()
            b = bdb.create(db, text="limit lifted", now=now_clock().now(), audience="all", state=bdb.QUEUED)  # type: ignore[arg-type]
            reset_peak()
            rss0, cpu0, t0 = rss_mb(), cpu_seconds(), time.monotonic()
            engine.wake()
            asker = asyncio.create_task(ask_questions(api, stop, latencies, 0.25, db, b.id))
            last, ticks = 0, 0
            while bdb.get(db, b.id).state != bdb.DONE:  # type: ignore[arg-type]
                await asyncio.sleep(0.25)
                ticks += 1
                if ticks % 40 == 0:
                    sent = bdb.get(db, b.id).sent  # type: ignore[arg-type]
                    print(f"   … {sent:,} sent ({(sent - last) / 10:,.0f}/s)", flush=True)
                    last = sent
                if seconds and time.monotonic() - t0 >= seconds:
                    break
            elapsed, cpu = time.monotonic() - t0, cpu_seconds() - cpu0
            if bdb.get(db, b.id).state != bdb.DONE:  # type: ignore[arg-type]
                bdb.cancel(db, b.id, now_clock().now())  # type: ignore[arg-type]
                engine.wake()
                await engine.wait_idle()
            stop.set()
            await asker
            b2 = bdb.get(db, b.id)  # type: ignore[arg-type]
            whole = "all" if b2.sent == b2.total else f"stopped after {seconds:.0f} s"
            print(
                f"2. limit lifted (window {window}, {b2.total:,} recipients, {whole}): "
                f"{b2.sent:,} sent in {elapsed:.1f} s = "
                f"{b2.sent / elapsed:,.0f} msg/s; bot CPU {cpu:.1f} s "
                f"({cpu / elapsed * 100:.0f}% of one core, {cpu / b2.sent * 1e6:.0f} µs/msg); "
                f"peak RSS {rss_mb('VmHWM'):.0f} MB (before {rss0:.0f} MB); "
                f"most in flight {engine.max_in_flight}"
            )
            print(
                f"   questions meanwhile: {len(latencies)}, latency p50 "
                f"{percentile(latencies, 0.5) * 1000:.0f} ms, p99 "
                f"{percentile(latencies, 0.99) * 1000:.0f} ms, max "
                f"{max(latencies) * 1000:.0f} ms"
            )

        await with_bot(path, api, brain_db, brain, EngineConfig(rate=None, window=window, progress_every=5.0), body)


async def default_limit(path: Path, brain: Brain, brain_db: object, seconds: float) -> None:
    with FakeBotApiProcess(record=True) as api:

        async def body(app: object, db: object) -> None:
            engine: BroadcastEngine = app.bot_data[RUNTIME_KEY].engine  # type: ignore[attr-defined]
            latencies: list[float] = []
            stop = asyncio.Event()
            b = bdb.create(db, text="default limit", now=now_clock().now(), audience="all", state=bdb.QUEUED)  # type: ignore[arg-type]
            engine.wake()
            asker = asyncio.create_task(ask_questions(api, stop, latencies, 0.25, db, b.id))
            await asyncio.sleep(seconds)
            bdb.cancel(db, b.id, now_clock().now())  # type: ignore[arg-type]
            engine.wake()
            await engine.wait_idle()
            stop.set()
            await asker
            calls = [c for c in api.calls("sendMessage") if c["params"].get("text") == "default limit"]
            times = sorted(c["monotonic"] for c in calls)
            rate = (len(times) - 1) / (times[-1] - times[0])
            stats = api.stats("sendMessage", 1.0)
            limit = EngineConfig().rate
            print(
                f"3. default limit {limit:.0f}/s for {seconds:.0f} s (then cancelled): "
                f"{len(times):,} sent, achieved {rate:.2f} msg/s = {rate / limit:.1%} of the "
                f"limit; most broadcast sends in any 1 s window: "
                f"{max_in_window(times, 1.0)} (all sendMessage, answers included: "
                f"{stats['max_in_window']})"
            )
            print(
                f"   questions meanwhile: {len(latencies)}, latency p50 "
                f"{percentile(latencies, 0.5) * 1000:.0f} ms, p99 "
                f"{percentile(latencies, 0.99) * 1000:.0f} ms"
            )

        await with_bot(path, api, brain_db, brain, EngineConfig(), body)


async def main(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING)
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        path = Path(tmp) / "hrdbot.db"
        t0 = time.monotonic()
        make_db(path, args.recipients)
        print(
            f"database: {args.recipients:,} users in {time.monotonic() - t0:.1f} s "
            f"({path.stat().st_size / 1e6:.0f} MB); {os.cpu_count()} CPUs"
        )
        brain_db = open_database(path)
        brain = Brain(brain_db, log_unanswered=False)
        if "engine" in args.phases:
            await engine_alone(path, args.recipients)
        if "lifted" in args.phases:
            await limit_lifted(path, brain, brain_db, args.window, args.lifted_seconds)
        if "default" in args.phases:
            await default_limit(path, brain, brain_db, args.default_seconds)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--default-seconds", type=float, default=25.0)
    parser.add_argument(
        "--lifted-seconds",
        type=float,
        default=0.0,
        help="stop the limit-lifted broadcast after this long (0: send to all)",
    )
    parser.add_argument("--window", type=int, default=16, help="sends in flight with the limit lifted (default 16)")
    parser.add_argument("--phases", default="engine,lifted,default", help="comma-separated: engine, lifted, default")
    asyncio.run(main(parser.parse_args()))
