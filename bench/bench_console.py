"""Staff console page latency: p50/p95 per page on the shipped knowledge with 100 000 rows in
``unanswered`` (plus 2 000 👎 answers and 20 000 audit entries), over real HTTP on localhost.

    .venv/bin/python bench/bench_console.py [--rows 100000] [--requests 40]

The target is ≤ 100 ms p95 for every page. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from console.app import Settings  # noqa: E402
from console.server import start  # noqa: E402
from db import console as cdb  # noqa: E402
from db.schema import connect  # noqa: E402
from knowledge.loader import DATA_DIR  # noqa: E402
from knowledge.reminders import CONFIG_PATH, load_config  # noqa: E402
from knowledge.store import load_directory  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2018, 7, 1, 10, 0, tzinfo=SEOUL)
PAGES = (
    "/",
    "/unanswered",
    "/unanswered?page=20",
    "/unanswered?show=later",
    "/knowledge",
    "/knowledge/exams.yaml/events/3",
    "/knowledge/programs.yaml/programs/0",
    "/broadcasts",
    "/reminders?date=2018-08-22",
    "/audit",
    "/roles",
)
WORDS = (
    "연수",
    "교육",
    "주차",
    "식당",
    "셔틀",
    "기숙사",
    "수강",
    "신청",
    "취소",
    "변경",
    "시간",
    "장소",
    "버스",
    "강사",
    "평가",
    "과제",
    "출석",
    "휴가",
    "급여",
    "도서관",
)


def fill(db_path: Path, rows: int) -> None:
    db = connect(db_path)
    rng = random.Random(13)
    start = NOW - dt.timedelta(days=365)
    batch = []
    for i in range(rows):
        words = " ".join(rng.choice(WORDS) for _ in range(3))
        text = f"{words} {i % (rows // 2)} 알려주세요" + ("?" if i % 2 else "")
        norm = text.replace(" ", "").replace("?", "")
        first = start + dt.timedelta(minutes=rng.randrange(525_600))
        last = first + dt.timedelta(minutes=rng.randrange(10_000))
        batch.append(
            (text, norm, first.isoformat(timespec="seconds"), last.isoformat(timespec="seconds"), rng.randrange(1, 5))
        )
    with db.conn:
        db.conn.executemany(
            "INSERT OR IGNORE INTO unanswered (text, normalized, first_seen, last_seen, count) VALUES (?, ?, ?, ?, ?)",
            batch,
        )
        db.conn.executemany(
            "INSERT INTO feedback (at, user_id, vote, question, normalized, answer, intent) "
            "VALUES (?, ?, 'down', ?, ?, ?, 'exam.schedule')",
            [
                (
                    (start + dt.timedelta(minutes=i * 7)).isoformat(timespec="seconds"),
                    1000 + i,
                    f"질문 {i % 500}",
                    f"질문{i % 500}",
                    "답변 " * 40,
                )
                for i in range(2000)
            ],
        )
        db.conn.executemany(
            "INSERT INTO audit_log (at, user_id, action, detail) VALUES (?, ?, ?, ?)",
            [
                (
                    (start + dt.timedelta(minutes=i)).isoformat(timespec="seconds"),
                    7,
                    "console.knowledge.save",
                    f"detail {i}",
                )
                for i in range(20_000)
            ],
        )
    for day in range(7):
        for _ in range(30):
            cdb.count_question(db, (NOW - dt.timedelta(days=day)).date(), answered=True)
    db.close()


async def measure(settings: Settings, requests: int) -> dict[str, list[float]]:
    port = 18_813
    runner = await start(settings, "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    token = cdb.create_login_token(settings.db, None, NOW)
    out: dict[str, list[float]] = {}
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{base}/login?token={token}") as resp:
                assert resp.status == 200, resp.status
            for page in PAGES:
                async with http.get(base + page) as resp:  # warm-up (template compile, caches)
                    assert resp.status == 200, (page, resp.status)
                    await resp.read()
                times = []
                for _ in range(requests):
                    t0 = time.perf_counter()
                    async with http.get(base + page) as resp:
                        await resp.read()
                    times.append((time.perf_counter() - t0) * 1000)
                out[page] = times
    finally:
        await runner.cleanup()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hrdbot-bench-console-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(DATA_DIR, data)
        path = Path(tmp) / "hrdbot.db"
        load_directory(path, data)
        t0 = time.perf_counter()
        fill(path, args.rows)
        db = connect(path)
        rows = db.execute("SELECT COUNT(*), COUNT(DISTINCT normalized) FROM unanswered").fetchone()
        print(
            f"unanswered: {rows[0]:,} rows, {rows[1]:,} groups (filled in "
            f"{time.perf_counter() - t0:.1f} s); {args.requests} requests per page"
        )
        settings = Settings(db=db, now=lambda: NOW, reminder_config=load_config(CONFIG_PATH))
        results = asyncio.run(measure(settings, args.requests))
    print(f"{'page':<42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for page, times in results.items():
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        worst = max(worst, p95)
        print(f"{page:<42} {statistics.median(times):>8.1f} {p95:>8.1f} {times[-1]:>8.1f}")
    print(f"worst p95: {worst:.1f} ms (target ≤ 100 ms)")


if __name__ == "__main__":
    main()
