"""Benchmark: many simulated users asking questions of the running Telegram bot.

Three processes, so that the bot's own CPU can be measured:

* the fake Bot API server (``tests/fake_bot_api.py``, a subprocess, counters only);
* the driver (this file with ``--drive``, a subprocess) playing the users;
* the bot (this process): the real ``Application`` from ``handlers.app`` with concurrent update
  processing, the real core (``knowledge.core.Brain``) and a temporary SQLite database loaded
  from the shipped knowledge files, polling the fake.

Two phases:

1. *throughput* — ``--users`` users in a closed loop (each sends a question, waits for the
   answer, sends the next): answered messages per second at saturation;
2. *latency at the target rate* — questions arrive at ``--rate`` per second from all users
   (an open loop): p50/p99 from queueing an update to receiving the reply.

Latency is measured by the driver: from just before it queues the update at the fake to the
moment the fake tells it the reply arrived. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_telegram.py [--users 200] [--messages 6000] [--rate 150]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = (
    "신임자 과정 언제 시작해요?",
    "2차 필기 합격자 발표 언제예요?",
    "어린이집 입소 순위 알려주세요",
    "배움관은 몇 층이에요?",
    "면접은요?",
    "6급 미래인재 양성과정 기간이 어떻게 돼요?",
    "구내식당 있어요?",
    "경력경쟁 임용시험 면접 언제예요?",
    "올해 채용 인원 몇 명이에요?",
    "오늘 날씨 어때요?",
)


# --- the driver (a separate process) --------------------------------------------------------


async def drive(url: str, first_chat: int, users: int, messages: int, rate: float | None) -> dict[str, Any]:
    """Send ``messages`` questions from ``users`` chats; closed loop, or paced at ``rate``/s."""
    import aiohttp

    latencies: list[float] = []
    sent = dict.fromkeys(range(users), 0)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def control(name: str, payload: dict[str, object]) -> None:
            async with session.post(f"{url}/_control/{name}", json=payload) as response:
                body = await response.json()
                if not body.get("ok"):
                    raise RuntimeError(f"{name}: {body}")

        async def ask(user: int) -> None:
            k = sent[user]
            sent[user] += 1
            chat = first_chat + user
            pushed = time.monotonic()
            await control(
                "send_text",
                {"chat_id": chat, "first_name": f"사용자{user}", "text": QUESTIONS[(user + k) % len(QUESTIONS)]},
            )
            await control("wait", {"count": k + 1, "chat_id": chat, "timeout": 60})
            latencies.append(time.monotonic() - pushed)

        start = time.monotonic()
        if rate is None:

            async def user_loop(user: int, count: int) -> None:
                for _ in range(count):
                    await ask(user)

            per_user = max(1, messages // users)
            await asyncio.gather(*(user_loop(u, per_user) for u in range(users)))
        else:
            tasks = []
            for i in range(messages):
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(ask(i % users)))
            await asyncio.gather(*tasks)
        end = time.monotonic()
    return {"latencies": latencies, "seconds": end - start}


# --- the bot (this process) -----------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def phase(name: str, api: Any, tmp: Path, first_chat: int, users: int, messages: int, rate: float | None) -> None:
    """Run the driver once and print what the bot did meanwhile."""
    out = tmp / f"{name}.json"
    ok0 = api.info()["ok_counts"].get("sendMessage", 0)
    fake_pid = api.process.pid
    fake0, cpu0, wall0 = cpu_seconds(fake_pid), time.process_time(), time.monotonic()
    driver = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--drive",
        api.url,
        "--first-chat",
        str(first_chat),
        "--users",
        str(users),
        "--messages",
        str(messages),
        "--out",
        str(out),
        *(["--rate", str(rate)] if rate else []),
    )
    driver_cpu = 0.0
    while driver.returncode is None:
        with contextlib.suppress(OSError, IndexError):
            driver_cpu = cpu_seconds(driver.pid)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(driver.wait(), 0.5)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    fake_cpu = cpu_seconds(fake_pid) - fake0
    if driver.returncode != 0:
        raise SystemExit(f"driver failed with exit code {driver.returncode}")
    result = json.loads(out.read_text())
    latencies, seconds = result["latencies"], result["seconds"]
    answered = api.info()["ok_counts"].get("sendMessage", 0) - ok0
    mode = f"{users} users, closed loop" if rate is None else f"{rate:g} questions/s offered by {users} users"
    print(f"\n[{name}] {mode}")
    print(
        f"  answered messages:    {answered} of {len(latencies)} questions in {seconds:.2f} s"
        f" → {answered / seconds:.1f} messages/s"
    )
    print(
        f"  latency update→reply: p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms, mean {statistics.fmean(latencies) * 1000:.1f} ms"
    )
    print(
        f"  bot CPU:              {cpu:.2f} s in {wall:.2f} s ({cpu / wall * 100:.0f}% of one "
        f"core) = {cpu / max(answered, 1) * 1000:.2f} ms per answered message"
    )
    print(
        f"  others' CPU:          fake Bot API {fake_cpu:.2f} s, driver ≥{driver_cpu:.2f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


async def bench(args: argparse.Namespace) -> None:
    from handlers.app import build_application, running
    from handlers.clock import StartedClock
    from handlers.config import RunConfig
    from handlers.features import default_features
    from handlers.state import AppState
    from knowledge.core import Brain
    from knowledge.store import open_database
    from tests.fake_bot_api import FakeBotApiProcess

    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp_name, FakeBotApiProcess(record=False) as api:
        tmp = Path(tmp_name)
        db = open_database(tmp / "hrdbot.db")
        clock = StartedClock(dt.datetime(2018, 8, 21, 9, 0, tzinfo=ZoneInfo("Asia/Seoul")))
        config = RunConfig(
            token=api.token,
            base_url=api.base_url,
            poll_timeout=5.0,
            concurrent_updates=args.concurrency,
            transport=args.transport,
        )
        app = build_application(config, AppState(db, Brain(db), clock), default_features())
        print(
            f"bot: concurrent_updates={config.concurrent_updates}, "
            f"transport={config.resolved_transport}, max_in_flight={config.max_in_flight}"
        )
        async with running(app, config):
            api.send_text(1, QUESTIONS[0])  # warm up: connections, first queries
            await api.async_wait_for(1, timeout=30, chat_id=1)
            await phase("throughput", api, tmp, 100_000, args.users, args.messages, None)
            await phase("latency", api, tmp, 200_000, args.users, int(args.rate * args.seconds), args.rate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=6000, help="questions in the throughput phase")
    parser.add_argument("--rate", type=float, default=150.0, help="questions per second in the latency phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency phase")
    parser.add_argument("--concurrency", type=int, default=256, help="concurrent_updates of the Application")
    parser.add_argument("--transport", default="auto", choices=("auto", "aiohttp", "httpx"))
    parser.add_argument("--drive", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--first-chat", type=int, default=100_000, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        rate = args.rate if "--rate" in sys.argv else None
        result = asyncio.run(drive(args.drive, args.first_chat, args.users, args.messages, rate))
        args.out.write_text(json.dumps(result))
        return
    logging.basicConfig(level=logging.WARNING)
    warnings.simplefilter("ignore")
    started = time.monotonic()
    asyncio.run(bench(args))
    print(f"\n(benchmark took {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
