"""Benchmark: many simulated users asking questions of the running Telegram bot.

Three processes, so that the bot's own CPU can be measured:

* the fake Bot API server (``tests/fake_bot_api.py``, a subprocess);
* the driver (this file with ``--drive``, a subprocess): ``--users`` simulated users, each
  sending a question, waiting for the bot's reply, sending the next (a closed loop);
* the bot (this process): the real ``Application`` from ``handlers.app`` with concurrent update
  processing, the real core (``knowledge.core.Brain``) and a temporary SQLite database loaded
  from the shipped knowledge files, polling the fake.

Latency is from the moment the driver queues an update to the moment the fake receives the
reply; both read the same system-wide monotonic clock. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_telegram.py [--users 200] [--messages 12000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
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
FIRST_CHAT = 100_000


# --- the driver (a separate process) --------------------------------------------------------


async def drive(url: str, users: int, per_user: int) -> list[tuple[int, int, float]]:
    import aiohttp

    pushes: list[tuple[int, int, float]] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def control(name: str, payload: dict[str, object]) -> None:
            async with session.post(f"{url}/_control/{name}", json=payload) as response:
                body = await response.json()
                if not body.get("ok"):
                    raise RuntimeError(f"{name}: {body}")

        async def user(index: int) -> None:
            chat = FIRST_CHAT + index
            for k in range(per_user):
                text = QUESTIONS[(index + k) % len(QUESTIONS)]
                pushed = time.monotonic()
                await control("send_text", {"chat_id": chat, "text": text,
                                            "first_name": f"사용자{index}"})
                pushes.append((chat, k, pushed))
                await control("wait", {"count": k + 1, "chat_id": chat, "timeout": 60})

        await asyncio.gather(*(user(i) for i in range(users)))
    return pushes


# --- the bot (this process) -----------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def bench(users: int, per_user: int, concurrency: int, transport: str) -> None:
    from handlers.app import build_application, running
    from handlers.clock import StartedClock
    from handlers.config import RunConfig
    from handlers.features import default_features
    from handlers.state import AppState
    from knowledge.core import Brain
    from knowledge.store import open_database
    from tests.fake_bot_api import FakeBotApiProcess

    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp, \
            FakeBotApiProcess(record=True) as api:
        db = open_database(Path(tmp) / "hrdbot.db")
        clock = StartedClock(dt.datetime(2018, 8, 21, 9, 0, tzinfo=ZoneInfo("Asia/Seoul")))
        state = AppState(db, Brain(db), clock)
        config = RunConfig(token=api.token, base_url=api.base_url,
                           concurrent_updates=concurrency, poll_timeout=5.0, transport=transport)
        app = build_application(config, state, default_features())
        async with running(app, config):
            # Warm up (first imports, connections, the users table).
            api.send_text(1, QUESTIONS[0])
            await api.async_wait_for(1, timeout=30, chat_id=1)
            api.clear_calls()

            pushes_file = Path(tmp) / "pushes.json"
            fake_pid = api.process.pid if api.process else 0
            fake0 = cpu_seconds(fake_pid)
            cpu0, wall0 = time.process_time(), time.monotonic()
            rusage0 = resource.getrusage(resource.RUSAGE_SELF)
            driver = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--drive", api.url, "--users", str(users),
                "--per-user", str(per_user), "--out", str(pushes_file),
            )
            driver_cpu = 0.0
            while driver.returncode is None:
                with contextlib.suppress(OSError, IndexError):
                    driver_cpu = cpu_seconds(driver.pid)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(driver.wait(), 0.5)
            code = driver.returncode
            cpu1, wall1 = time.process_time(), time.monotonic()
            fake_cpu = cpu_seconds(fake_pid) - fake0
            rusage1 = resource.getrusage(resource.RUSAGE_SELF)
            if code != 0:
                raise SystemExit(f"driver failed with exit code {code}")
        replies = await asyncio.to_thread(api.calls, "sendMessage")
        pushes = json.loads(pushes_file.read_text())

    sent_at: dict[tuple[int, int], float] = {(c, k): t for c, k, t in pushes}
    by_chat: dict[int, list[float]] = {}
    for call in replies:
        if call["ok"]:
            by_chat.setdefault(call["params"]["chat_id"], []).append(call["monotonic"])
    latencies = []
    for chat, times in by_chat.items():
        for k, received in enumerate(sorted(times)):
            if (chat, k) in sent_at:
                latencies.append(received - sent_at[(chat, k)])
    answered = len(latencies)
    first = min(t for _, _, t in pushes)
    last = max(t for ts in by_chat.values() for t in ts)
    span = last - first
    cpu = cpu1 - cpu0
    print(f"users {users} x {per_user} questions, concurrent_updates={concurrency}, "
          f"transport {transport}")
    print(f"answered messages:        {answered} in {span:.2f} s")
    print(f"throughput:               {answered / span:.1f} answered messages/s")
    print(f"latency update→reply:     p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
          f"mean {statistics.fmean(latencies) * 1000:.1f} ms")
    print(f"bot CPU:                  {cpu:.2f} s over {wall1 - wall0:.2f} s wall "
          f"({cpu / (wall1 - wall0) * 100:.0f}% of one core), "
          f"{cpu / answered * 1000:.2f} ms per message")
    print(f"bot peak RSS:             {rusage1.ru_maxrss / 1024:.0f} MB "
          f"(at start of run {rusage0.ru_maxrss / 1024:.0f} MB)")
    print(f"other processes:          fake Bot API {fake_cpu:.2f} s CPU, "
          f"driver ≥{driver_cpu:.2f} s CPU; machine load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    failed = sum(1 for call in replies if not call["ok"])
    if failed:
        print(f"failed sendMessage calls: {failed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=12_000,
                        help="total questions (rounded to a multiple of --users)")
    parser.add_argument("--concurrency", type=int, default=256,
                        help="concurrent_updates of the Application")
    parser.add_argument("--drive", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--per-user", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--transport", default="auto", choices=("auto", "aiohttp", "httpx"))
    args = parser.parse_args()
    if args.drive:
        pushes = asyncio.run(drive(args.drive, args.users, args.per_user))
        args.out.write_text(json.dumps(pushes))
        return
    logging.basicConfig(level=logging.WARNING)
    warnings.simplefilter("ignore")
    per_user = max(1, args.messages // args.users)
    asyncio.run(bench(args.users, per_user, args.concurrency, args.transport))


if __name__ == "__main__":
    main()
