"""Benchmark: plan one day's reminders and daily pushes for 100 000 subscribers.

    .venv/bin/python bench/bench_reminders.py [--subscribers 100000] [--date 2018-07-16]
                                              [--deliver]

Builds a temporary database with the shipped knowledge and N subscribers (1-4 random topics
each; a fifth with their own push time, a tenth with quiet hours 07:00-10:00, a twentieth with
"always"), then times ``knowledge.reminders.plan`` over the day, streaming subscribers from
SQLite (``db.reminders.subscribers``). ``--deliver`` also times a full delivery run (ledger
claim and record per message) with a sender that does nothing.

Targets (issue 5): <= 5 s and <= 300 MB peak memory (peak RSS of this process, which includes
the interpreter and the libraries).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db import reminders as rdb  # noqa: E402
from handlers.reminder_delivery import ReminderService  # noqa: E402
from knowledge import reminders as rk  # noqa: E402
from knowledge.store import open_database  # noqa: E402

SEOUL = rk.SEOUL


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def populate(db, view: rk.KnowledgeView, count: int, seed: int = 5) -> None:  # noqa: ANN001
    rng = random.Random(seed)
    topics = [t for t in view.topic_names if t not in rk.PLAIN_TOPICS]
    since = "2018-01-01T00:00:00+09:00"
    subs, settings = [], []
    for user_id in range(1, count + 1):
        for t in rng.sample(topics, rng.randint(1, 4)):
            subs.append((user_id, t, since))
        roll = rng.random()
        if roll < 0.05:
            settings.append((user_id, 1, 1, "08:30", None, None, since))
        elif roll < 0.15:
            settings.append((user_id, 1, 0, "09:00", "07:00", "10:00", since))
        elif roll < 0.35:
            settings.append((user_id, 1, 0, f"{rng.randint(6, 21):02d}:{rng.choice([0, 30]):02d}", None, None, since))
    with db.conn:
        db.conn.executemany("INSERT INTO reminder_subscriptions (user_id, topic, created_at) VALUES (?, ?, ?)", subs)
        db.conn.executemany(
            "INSERT INTO reminder_settings (user_id, daily_push, daily_always, push_time, "
            "quiet_start, quiet_end, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            settings,
        )


class NullSender:
    async def send(self, chat_id: int, text: str) -> None:
        """Deliver nowhere."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2018, 7, 16))
    parser.add_argument("--deliver", action="store_true", help="also time a delivery run (claims and ledger writes)")
    args = parser.parse_args(argv)

    config = rk.load_config()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.db")
        view = rk.knowledge_view(db)
        t0 = time.perf_counter()
        populate(db, view, args.subscribers)
        setup = time.perf_counter() - t0
        rows = rdb.subscriber_count(db)
        rss_before = peak_rss_mb()

        start, end = rk.day_window(args.date)
        t0 = time.perf_counter()
        view = rk.knowledge_view(db)
        count = daily = users = 0
        last_user = None
        for due in rk.plan(view, config, rdb.subscribers(db, config.defaults), start, end):
            count += 1
            daily += due.kind == "daily"
            if due.user_id != last_user:
                users += 1
                last_user = due.user_id
        planning = time.perf_counter() - t0
        rss_plan = peak_rss_mb()

        print(f"subscribers            {rows:>10,}  (set-up {setup:.1f} s)")
        print(f"day                    {args.date.isoformat():>10}")
        print(
            f"messages planned       {count:>10,}  ({daily:,} daily pushes, "
            f"{count - daily:,} reminders, to {users:,} users)"
        )
        print(f"planning time          {planning:>10.2f} s   (target <= 5 s)")
        print(f"peak RSS               {rss_plan:>10.1f} MB  (target <= 300 MB; {rss_before:.1f} MB before planning)")

        if args.deliver:
            service = ReminderService(db, config, owner="bench")
            now = dt.datetime.combine(args.date, dt.time(23, 59), tzinfo=SEOUL)
            t0 = time.perf_counter()
            report = asyncio.run(service.deliver_due(now, NullSender()))
            took = time.perf_counter() - t0
            print(
                f"delivery run           {took:>10.2f} s   ({report.sent:,} sent, "
                f"{report.skipped:,} skipped as late, {report.held:,} held; "
                f"peak RSS {peak_rss_mb():.1f} MB)"
            )
        ok = planning <= 5 and rss_plan <= 300
        db.close()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
