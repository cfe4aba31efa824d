"""Delivery that is exactly-once in effect: a simulated 2018 against the shipped knowledge,
restarts and double starts at random moments, quiet hours, the grace window, 403, a reload.

The clock is a parameter: every run gets a literal aware datetime. A "restart" is a new
``ReminderService`` on a new connection (all state lives in SQLite), a "double start" is two of
them on one database file running at the same moments.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlite_utils import Database

from db import reminders as rdb
from db import users
from db.schema import connect
from handlers.reminder_delivery import Blocked, ReminderService, RetryLater, SendFailed
from knowledge import reminders as rk
from knowledge.reminders import SEOUL
from knowledge.store import load_directory

CONFIG = rk.load_config()
SUBSCRIBED = dt.datetime(2018, 1, 1, 0, 0, tzinfo=SEOUL)


def at(day: str, hhmm: str = "00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00+09:00")


class RecordingSender:
    """Records what would reach Telegram; some chats have blocked the bot."""

    def __init__(self, blocked: Iterable[int] = (), fail: Iterable[int] = ()) -> None:
        self.sent: list[tuple[int, str]] = []
        self.blocked = set(blocked)
        self.fail = set(fail)
        self.rate_limited = 0  # raise RetryLater on the next n sends

    async def send(self, chat_id: int, text: str) -> None:
        await asyncio.sleep(0)  # let a concurrent run interleave
        if self.rate_limited:
            self.rate_limited -= 1
            raise RetryLater(3)
        if chat_id in self.blocked:
            raise Blocked()
        if chat_id in self.fail:
            raise SendFailed("Bad Request: chat not found")
        self.sent.append((chat_id, text))


# Who subscribes to what, and exactly what each gets in 2018 (key, due time).
SUBSCRIPTIONS: dict[int, list[str]] = {
    1: ["exam_round:second"],
    2: ["program:newcomer"],
    3: ["category:rank-required"],
    4: ["exam_round:*"],
    5: ["program:retirement"],
    6: ["category:basic"],
}
SECOND = [
    ("written-exam-d1:event:second-written-exam:2018-06-23", "2018-06-22 09:00"),
    ("written-result-day:event:second-written-result:2018-08-22", "2018-08-22 09:00"),
    ("interview-start-d3:event:second-interview:2018-10-15", "2018-10-12 09:00"),
    ("final-result-day:event:second-final-result:2018-11-14", "2018-11-14 09:00"),
]
NEWCOMER = [
    ("course-start-d7:session:newcomer-8:2018-07-23", "2018-07-16 10:00"),
    ("course-start-d1:session:newcomer-8:2018-07-23", "2018-07-22 10:00"),
    ("course-start-d7:session:newcomer-9:2018-08-27", "2018-08-20 10:00"),
    ("course-start-d1:session:newcomer-9:2018-08-27", "2018-08-26 10:00"),
]
EXPECTED: dict[int, list[tuple[str, str]]] = {
    1: SECOND,
    2: [(k, t.replace("10:00", "09:00")) for k, t in NEWCOMER],
    # user 3 keeps quiet hours 07:00-10:00, so 09:00 reminders arrive at 10:00
    3: sorted(
        NEWCOMER
        + [
            ("course-start-d7:session:future-leader-6-h2:2018-07-17", "2018-07-10 10:00"),
            ("course-start-d1:session:future-leader-6-h2:2018-07-17", "2018-07-16 10:00"),
        ],
        key=lambda kt: (kt[1], kt[0]),
    ),
    4: sorted(
        SECOND
        + [
            ("final-result-day:event:extra-final-result:2018-02-28", "2018-02-28 09:00"),
            ("final-result-day:event:first-final-result:2018-06-13", "2018-06-13 09:00"),
            ("application-open:event:third-application:2018-08-02", "2018-08-02 09:00"),
            ("application-last-day:event:third-application:2018-08-06", "2018-08-06 09:00"),
            ("written-result-day:event:third-written-result:2018-11-14", "2018-11-14 09:00"),
            ("interview-start-d3:event:third-interview:2018-12-17", "2018-12-14 09:00"),
            ("final-result-day:event:third-final-result:2018-12-28", "2018-12-28 09:00"),
        ],
        key=lambda kt: (kt[1], kt[0]),
    ),
    5: [
        ("course-start-d7:session:retirement-2w-3:2018-10-15", "2018-10-08 09:00"),
        ("course-start-d1:session:retirement-2w-3:2018-10-15", "2018-10-14 09:00"),
        ("course-start-d7:session:retirement-2w-4:2018-11-05", "2018-10-29 09:00"),
        ("course-start-d1:session:retirement-2w-4:2018-11-05", "2018-11-04 09:00"),
    ],
    # user 6 also has the daily push at 07:30: the 7 days before core-values starts (3.28)
    # and the 7 days before it ends (12.14) each have something this week.
    6: sorted(
        [
            ("course-start-d7:session:core-values-2018:2018-03-28", "2018-03-21 09:00"),
            ("course-start-d1:session:core-values-2018:2018-03-28", "2018-03-27 09:00"),
        ]
        + [(f"daily:2018-03-{d:02d}", f"2018-03-{d:02d} 07:30") for d in range(22, 29)]
        + [(f"daily:2018-12-{d:02d}", f"2018-12-{d:02d} 07:30") for d in range(8, 15)],
        key=lambda kt: (kt[1], kt[0]),
    ),
}


def subscribe_all(db: Database) -> None:
    for user_id, topics in SUBSCRIPTIONS.items():
        for t in topics:
            assert rdb.subscribe(db, user_id, t, SUBSCRIBED)
        if user_id != 6:
            rdb.update_settings(db, user_id, SUBSCRIBED, daily_push=False)
    rdb.update_settings(db, 3, SUBSCRIBED, quiet=(dt.time(7), dt.time(10)))
    rdb.update_settings(db, 6, SUBSCRIBED, push_time=dt.time(7, 30))


def sent_ledger(db: Database) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    for e in rdb.ledger(db, status="sent"):
        due = dt.datetime.fromisoformat(e.due_at).astimezone(SEOUL)
        out.setdefault(e.user_id, []).append((e.key, f"{due:%Y-%m-%d %H:%M}"))
    return {u: sorted(v, key=lambda kt: (kt[1], kt[0])) for u, v in out.items()}


def wake_moments(service: ReminderService, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """What the scheduler adapter does: plan the wake-ups one day at a time."""
    out: list[dt.datetime] = []
    day = start
    while day < end:
        out += service.wake_times(day, min(day + dt.timedelta(days=1), end))
        day += dt.timedelta(days=1)
    return out


@pytest.fixture
def subscribed(db: Database, db_path: Path) -> Path:
    """The path of a database with the subscribers of ``SUBSCRIPTIONS``."""
    subscribe_all(db)
    return db_path


def run(coro):  # noqa: ANN001, ANN201 - a tiny helper for sync tests
    return asyncio.run(coro)


def test_simulated_2018_each_subscriber_gets_exactly_their_reminders(subscribed: Path) -> None:
    db = connect(subscribed)
    service = ReminderService(db, CONFIG, owner="one")
    sender = RecordingSender()
    moments = wake_moments(service, at("2018-01-01"), at("2019-01-01"))
    for now in moments:
        run(service.deliver_due(now, sender))
    assert sent_ledger(db) == EXPECTED
    assert len(sender.sent) == sum(len(v) for v in EXPECTED.values())
    assert not rdb.ledger(db, status="skipped")
    by_chat = Counter(chat for chat, _ in sender.sent)
    assert dict(by_chat) == {u: len(v) for u, v in EXPECTED.items()}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_restarts_and_double_starts_at_random_moments(subscribed: Path, seed: int) -> None:
    """Two processes, each crashing and restarting at random moments, down for less than the
    grace period: every reminder arrives exactly once."""
    rng = random.Random(seed)
    sender = RecordingSender()
    planner = ReminderService(connect(subscribed), CONFIG)
    moments = wake_moments(planner, at("2018-01-01"), at("2019-01-01"))
    processes = [ReminderService(connect(subscribed), CONFIG, owner=f"p{i}") for i in range(2)]
    down_until = [at("2018-01-01"), at("2018-01-01")]

    async def simulate() -> None:
        for now in moments:
            runs = []
            for i in range(2):
                if now < down_until[i]:
                    continue
                if rng.random() < 0.15:  # crash just before this moment ...
                    restart = now + dt.timedelta(minutes=rng.randint(1, 5 * 60))
                    down_until[i] = restart
                    processes[i] = ReminderService(connect(subscribed), CONFIG, owner=f"p{i}")
                    # ... and on restart it catches up first thing
                    runs.append(processes[i].deliver_due(restart, sender))
                    continue
                runs.append(processes[i].deliver_due(now, sender))
            await asyncio.gather(*runs)

    asyncio.run(simulate())
    db = connect(subscribed)
    assert sent_ledger(db) == EXPECTED
    assert len(sender.sent) == len(set(sender.sent)) == sum(len(v) for v in EXPECTED.values())


def test_clock_jumping_back_sends_nothing_twice(subscribed: Path) -> None:
    db = connect(subscribed)
    service = ReminderService(db, CONFIG)
    sender = RecordingSender()
    for now in (at("2018-07-16", "09:00"), at("2018-07-16", "08:00"), at("2018-07-16", "09:00")):
        run(service.deliver_due(now, sender))
    assert sorted(chat for chat, _ in sender.sent) == [2]  # user 3's are due at 10:00
    for now in (at("2018-07-16", "12:00"), at("2018-07-16", "09:30"), at("2018-07-16", "12:00")):
        run(service.deliver_due(now, sender))
    assert sorted(chat for chat, _ in sender.sent) == [2, 3, 3]  # 3: D-7 and D-1


def test_grace_window(subscribed: Path) -> None:
    db = connect(subscribed)
    sender = RecordingSender()
    # down from before 09:00 until 14:59 on 2018-06-22: 5 h 59 min late, still sent
    report = run(ReminderService(db, CONFIG).deliver_due(at("2018-06-22", "14:59"), sender))
    assert report.sent == 2 and report.skipped == 0  # users 1 and 4
    # down until 15:01 on 2018-08-22: past the 6 h grace, logged as skipped
    report = run(ReminderService(db, CONFIG).deliver_due(at("2018-08-22", "15:01"), sender))
    assert report.sent == 0 and report.skipped == 4
    skipped = rdb.ledger(db, status="skipped")
    assert {(e.user_id, e.key) for e in skipped} == {
        (2, "course-start-d7:session:newcomer-9:2018-08-27"),  # 8.20, in the catch-up window
        (3, "course-start-d7:session:newcomer-9:2018-08-27"),
        (1, "written-result-day:event:second-written-result:2018-08-22"),
        (4, "written-result-day:event:second-written-result:2018-08-22"),
    }
    assert skipped[-1].detail == "late by 6.0 h (grace 6.0 h)"
    # and it is never sent afterwards
    report = run(ReminderService(db, CONFIG).deliver_due(at("2018-08-22", "15:02"), sender))
    assert report.sent == report.skipped == 0 and len(sender.sent) == 2


def test_skipped_only_within_catch_up_days(subscribed: Path) -> None:
    db = connect(subscribed)
    run(ReminderService(db, CONFIG).deliver_due(at("2018-12-31", "12:00"), RecordingSender()))
    # catch_up_days is 7: the 12.28 final result (users 4) is logged, 12.14 is not looked at
    assert [(e.user_id, e.key) for e in rdb.ledger(db, status="skipped")] == [
        (4, "final-result-day:event:third-final-result:2018-12-28")
    ]


def test_quiet_hours_hold_a_late_send(db: Database) -> None:
    config = rk.config_from_data(
        {
            "footer": "",
            "rules": [{"id": "evening", "anchor": "session_start", "days_before": 1, "at": "21:30", "text": "{title}"}],
        }
    )
    rdb.subscribe(db, 9, "program:newcomer", SUBSCRIBED)
    rdb.update_settings(db, 9, SUBSCRIBED, daily_push=False)
    service = ReminderService(db, config)
    sender = RecordingSender()
    # the bot was down at 21:30 and comes back at 22:10, inside quiet hours (22:00-08:00)
    report = run(service.deliver_due(at("2018-07-22", "22:10"), sender))
    assert report.held == 1 and not sender.sent
    # at the end of quiet hours it is 10.5 h late: past the grace period, so it is skipped
    report = run(service.deliver_due(at("2018-07-23", "08:00"), sender))
    assert report.skipped == 1 and not sender.sent
    # with quiet hours off, the same late send goes out at once
    rdb.subscribe(db, 10, "program:newcomer", SUBSCRIBED)
    rdb.update_settings(db, 10, SUBSCRIBED, daily_push=False, quiet=(dt.time(0), dt.time(0)))
    report = run(service.deliver_due(at("2018-07-22", "22:10"), sender))
    assert report.sent == 1 and sender.sent == [(10, "신임자 과정 제8기")]


def test_wake_times_include_the_end_of_quiet_hours(subscribed: Path) -> None:
    service = ReminderService(connect(subscribed), CONFIG)
    wakes = service.wake_times(at("2018-07-16"), at("2018-07-17"))
    assert at("2018-07-16", "08:00") in wakes  # default quiet end
    assert at("2018-07-16", "10:00") in wakes  # user 3's quiet end, and their reminders
    assert at("2018-07-16", "09:00") in wakes
    assert at("2018-07-16", "07:30") in wakes  # user 6's daily push


def test_blocked_user_is_marked_inactive_and_not_retried(subscribed: Path) -> None:
    db = connect(subscribed)
    users.touch(db, user_id=2, chat_id=2, first_name="민수", username=None, now=at("2018-07-01"))
    service = ReminderService(db, CONFIG)
    sender = RecordingSender(blocked=[2])
    report = run(service.deliver_due(at("2018-07-16", "09:00"), sender))
    assert report.blocked == 1
    [entry] = rdb.ledger(db, user_id=2)
    assert entry.status == "blocked"
    assert users.get(db, 2).active is False
    report = run(service.deliver_due(at("2018-07-22", "09:00"), sender))
    assert report.blocked == 0 and not rdb.ledger(db, user_id=2)[1:]  # not even tried
    # writing to the bot again makes them reachable: the next reminder goes out
    users.touch(db, user_id=2, chat_id=2, first_name="민수", username=None, now=at("2018-08-01"))
    sender.blocked.clear()
    run(service.deliver_due(at("2018-08-20", "09:00"), sender))
    assert sender.sent == [(2, sender.sent[0][1])] and "제9기" in sender.sent[0][1]


def test_blocked_user_without_a_users_row_is_recorded(subscribed: Path) -> None:
    db = connect(subscribed)
    run(ReminderService(db, CONFIG).deliver_due(at("2018-07-16", "09:00"), RecordingSender(blocked=[2])))
    assert users.get(db, 2).active is False


def test_failed_send_is_recorded_and_not_retried(subscribed: Path) -> None:
    db = connect(subscribed)
    service = ReminderService(db, CONFIG)
    sender = RecordingSender(fail=[2])
    assert run(service.deliver_due(at("2018-07-16", "09:00"), sender)).failed == 1
    [entry] = rdb.ledger(db, user_id=2)
    assert (entry.status, entry.detail) == ("failed", "Bad Request: chat not found")
    assert run(service.deliver_due(at("2018-07-16", "09:05"), sender)).failed == 0


def test_rate_limited_send_is_released_and_retried(subscribed: Path) -> None:
    db = connect(subscribed)
    service = ReminderService(db, CONFIG)
    sender = RecordingSender()
    sender.rate_limited = 1
    report = run(service.deliver_due(at("2018-06-22", "09:00"), sender))
    assert (report.released, report.retry_after, report.sent) == (1, 3, 0)
    assert not rdb.ledger(db)  # the claim was given back
    report = run(service.deliver_due(at("2018-06-22", "09:01"), sender))
    assert report.sent == 2


def test_claim_is_won_once_across_connections(subscribed: Path) -> None:
    a, b = connect(subscribed), connect(subscribed)
    now = at("2018-07-16", "09:00")
    assert rdb.claim(a, 1, "k", now, now, "a") is True
    assert rdb.claim(b, 1, "k", now, now, "b") is False
    assert rdb.record_skipped(b, 1, "k", now, now, "late") is False
    rdb.finish(a, 1, "k", "sent", now)
    [entry] = rdb.ledger(b)
    assert (entry.status, entry.owner) == ("sent", "a")
    with pytest.raises(ValueError, match="unknown final status"):
        rdb.finish(a, 1, "k", "claimed", now)
    with pytest.raises(ValueError, match="timezone-aware"):
        rdb.claim(a, 1, "k2", dt.datetime(2018, 7, 16, 9), now)


def test_date_change_then_load_moves_future_reminders(tmp_path: Path, data_copy: Path, edit, subscribed: Path) -> None:  # noqa: ANN001
    db = connect(subscribed)
    service = ReminderService(db, CONFIG)
    sender = RecordingSender()
    run(service.deliver_due(at("2018-07-16", "09:00"), sender))
    assert (2, "course-start-d7:session:newcomer-8:2018-07-23") in {(e.user_id, e.key) for e in rdb.ledger(db)}
    # staff move 제8기 by a week and remove the 3rd round's final result, then reload
    programs = data_copy / "programs.yaml"
    edit(programs, "start: 2018-07-23\n        end: 2018-08-24", "start: 2018-07-30\n        end: 2018-08-31")
    edit(
        data_copy / "exams.yaml",
        "  - id: third-final-result\n    round: third\n    type: final_result\n    start: 2018-12-28\n",
        "",
    )
    exams = (data_copy / "exams.yaml").read_text(encoding="utf-8")
    (data_copy / "exams.yaml").write_text(
        exams.replace(
            "    source: Ⅲ-4-2 우수 신규공무원 선발 > 향후계획; Ⅰ-일반현황 > 2018년 교육 및 "
            "채용 계획 > 채용계획\n\nwritten_exam_stats:",
            "\nwritten_exam_stats:",
        ),
        encoding="utf-8",
    )
    load_directory(subscribed, data_copy)
    sender.sent.clear()
    moments = wake_moments(service, at("2018-07-17"), at("2019-01-01"))
    for now in moments:
        run(service.deliver_due(now, sender))
    keys = {(e.user_id, e.key) for e in rdb.ledger(db, status="sent")}
    # the old D-1 (7.22) is gone, the new D-7 and D-1 follow the new date
    assert (2, "course-start-d1:session:newcomer-8:2018-07-23") not in keys
    assert (2, "course-start-d7:session:newcomer-8:2018-07-30") in keys
    assert (2, "course-start-d1:session:newcomer-8:2018-07-30") in keys
    new = [e for e in rdb.ledger(db, status="sent") if e.key.endswith("newcomer-8:2018-07-30")]
    assert {(e.user_id, e.due_at) for e in new} == {
        (2, "2018-07-23T09:00:00+09:00"),
        (2, "2018-07-29T09:00:00+09:00"),
        (3, "2018-07-23T10:00:00+09:00"),
        (3, "2018-07-29T10:00:00+09:00"),
    }
    # the removed event is no longer reminded
    assert not any("third-final-result" in k for _, k in keys)
    assert any("third-interview" in k for _, k in keys)


def test_subscriber_stream_leaves_out_inactive_users(subscribed: Path) -> None:
    db = connect(subscribed)
    users.touch(db, user_id=1, chat_id=1001, first_name=None, username=None, now=SUBSCRIBED)
    users.touch(db, user_id=2, chat_id=2, first_name=None, username=None, now=SUBSCRIBED)
    users.set_active(db, 2, False, SUBSCRIBED)
    subs = {s.user_id: s for s in rdb.subscribers(db, CONFIG.defaults)}
    assert sorted(subs) == [1, 3, 4, 5, 6]
    assert subs[1].chat_id == 1001 and subs[3].chat_id == 3
    assert subs[3].settings.quiet_start == dt.time(7) and subs[3].settings.daily_push is False
    assert subs[6].settings.push_time == dt.time(7, 30) and subs[6].settings.daily_push
