"""Reminder tables: subscriptions, per-user settings and the delivery ledger. All their SQL.

The ledger has one row per (user, reminder key), inserted *before* a message is sent
(``claim``): the primary key lets exactly one process win, so a restart, a second bot process or
a clock jump never sends one reminder twice. The row then ends as ``sent``, ``skipped`` (found
too late, past the grace period), ``blocked`` (the user blocked the bot) or ``failed``; a claim
whose send certainly did not happen (rate limit, connection refused) is released for a retry.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlite_utils import Database

from knowledge.reminders import Defaults, Settings, Subscriber, parse_hhmm

STATUSES = ("claimed", "sent", "skipped", "blocked", "failed")


def _stamp(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("reminder times must be timezone-aware")
    return at.isoformat(timespec="seconds")


def _hhmm(t: dt.time | None) -> str | None:
    return None if t is None else t.strftime("%H:%M")


# --- subscriptions ---------------------------------------------------------------------------


def subscribe(db: Database, user_id: int, topic: str, now: dt.datetime) -> bool:
    """Subscribe ``user_id`` to ``topic`` (validated by the caller); False if already subscribed."""
    with db.conn:
        cur = db.conn.execute(
            "INSERT OR IGNORE INTO reminder_subscriptions (user_id, topic, created_at) VALUES (?, ?, ?)",
            (user_id, topic, _stamp(now)),
        )
    return cur.rowcount == 1


def unsubscribe(db: Database, user_id: int, topic: str) -> bool:
    with db.conn:
        cur = db.conn.execute("DELETE FROM reminder_subscriptions WHERE user_id = ? AND topic = ?", (user_id, topic))
    return cur.rowcount > 0


def unsubscribe_all(db: Database, user_id: int) -> int:
    with db.conn:
        cur = db.conn.execute("DELETE FROM reminder_subscriptions WHERE user_id = ?", (user_id,))
    return cur.rowcount


def topics_of(db: Database, user_id: int) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT topic FROM reminder_subscriptions WHERE user_id = ? ORDER BY created_at, topic", [user_id]
        )
    ]


def subscribed_user_ids(db: Database, topic: str, *, active_only: bool = True) -> Iterator[int]:
    """Users subscribed to ``topic`` (e.g. 'daycare', 'notices'), for notices and broadcasts."""
    sql = "SELECT s.user_id FROM reminder_subscriptions s LEFT JOIN users u ON u.user_id = s.user_id WHERE s.topic = ?"
    if active_only:
        sql += " AND coalesce(u.active, 1) = 1"
    for row in db.execute(sql + " ORDER BY s.user_id", [topic]):
        yield row[0]


def subscriber_count(db: Database) -> int:
    return int(db.execute("SELECT count(DISTINCT user_id) FROM reminder_subscriptions").fetchone()[0])


# --- settings --------------------------------------------------------------------------------

_SETTING_COLUMNS = ("daily_push", "daily_always", "push_time", "quiet_start", "quiet_end")


def _settings(row: tuple | None, defaults: Defaults) -> Settings:
    base = Settings.from_defaults(defaults)
    if row is None:
        return base
    daily_push, daily_always, push_time, quiet_start, quiet_end = row
    quiet = (base.quiet_start, base.quiet_end)
    if quiet_start is not None and quiet_end is not None:
        quiet = (parse_hhmm(quiet_start), parse_hhmm(quiet_end))
    return Settings(
        daily_push=base.daily_push if daily_push is None else bool(daily_push),
        daily_always=base.daily_always if daily_always is None else bool(daily_always),
        push_time=base.push_time if push_time is None else parse_hhmm(push_time),
        quiet_start=quiet[0],
        quiet_end=quiet[1],
    )


def settings_of(db: Database, user_id: int, defaults: Defaults) -> Settings:
    """The user's settings, with the configured defaults for anything never changed."""
    row = db.execute(
        "SELECT daily_push, daily_always, push_time, quiet_start, quiet_end FROM reminder_settings WHERE user_id = ?",
        [user_id],
    ).fetchone()
    return _settings(row, defaults)


def update_settings(
    db: Database,
    user_id: int,
    now: dt.datetime,
    *,
    daily_push: bool | None = None,
    daily_always: bool | None = None,
    push_time: dt.time | None = None,
    quiet: tuple[dt.time, dt.time] | None = None,
) -> None:
    """Change some settings (None: leave as is). Quiet hours off: ``quiet=(t, t)``."""
    changes: dict[str, object] = {}
    if daily_push is not None:
        changes["daily_push"] = int(daily_push)
    if daily_always is not None:
        changes["daily_always"] = int(daily_always)
    if push_time is not None:
        changes["push_time"] = _hhmm(push_time)
    if quiet is not None:
        changes["quiet_start"], changes["quiet_end"] = _hhmm(quiet[0]), _hhmm(quiet[1])
    if not changes:
        return
    names = list(changes)
    with db.conn:
        db.conn.execute(
            f"INSERT INTO reminder_settings (user_id, {', '.join(names)}, updated_at) "  # noqa: S608
            f"VALUES (?, {', '.join('?' for _ in names)}, ?) ON CONFLICT(user_id) DO UPDATE SET "
            + ", ".join(f"{n} = excluded.{n}" for n in names)
            + ", updated_at = excluded.updated_at",
            (user_id, *changes.values(), _stamp(now)),
        )


def settings_profiles(db: Database, defaults: Defaults) -> set[tuple[dt.time, dt.time | None, dt.time | None]]:
    """The distinct (push time, quiet start, quiet end) among subscribed users: when the
    scheduler may need to wake up."""
    rows = db.execute(
        "SELECT DISTINCT st.daily_push, st.daily_always, st.push_time, st.quiet_start, "
        "st.quiet_end FROM (SELECT DISTINCT user_id FROM reminder_subscriptions) s "
        "LEFT JOIN reminder_settings st ON st.user_id = s.user_id"
    ).fetchall()
    out = set()
    for row in rows:
        s = _settings(None if all(v is None for v in row) else row, defaults)
        out.add((s.push_time, s.quiet_start, s.quiet_end))
    return out


def subscribers(db: Database, defaults: Defaults, *, user_ids: Iterable[int] | None = None) -> Iterator[Subscriber]:
    """Every active subscriber with topics and settings, streamed in user_id order.

    Rows come from one ordered query and are grouped on the fly, so memory stays flat however
    many subscribers there are. Users marked inactive (they blocked the bot) are left out.
    """
    sql = (
        "SELECT s.user_id, s.topic, s.created_at, st.daily_push, st.daily_always, st.push_time, "
        "st.quiet_start, st.quiet_end, u.chat_id FROM reminder_subscriptions s "
        "LEFT JOIN reminder_settings st ON st.user_id = s.user_id "
        "LEFT JOIN users u ON u.user_id = s.user_id WHERE coalesce(u.active, 1) = 1"
    )
    params: list[int] = []
    if user_ids is not None:
        ids = list(user_ids)
        sql += f" AND s.user_id IN ({', '.join('?' for _ in ids)})"
        params = ids
    rows = db.conn.execute(sql + " ORDER BY s.user_id", params)
    stamps: dict[str, dt.datetime] = {}
    settings_cache: dict[tuple, Settings] = {}
    for user_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        topics: dict[str, dt.datetime | None] = {}
        first = None
        for row in group:
            first = first or row
            created = row[2]
            if created not in stamps:
                stamps[created] = dt.datetime.fromisoformat(created)
            topics[row[1]] = stamps[created]
        assert first is not None  # noqa: S101 - groupby never yields an empty group
        setting_row = first[3:8]
        if setting_row not in settings_cache:
            settings_cache[setting_row] = _settings(
                None if all(v is None for v in setting_row) else setting_row, defaults
            )
        yield Subscriber(user_id, topics, settings_cache[setting_row], first[8] or user_id)
        if len(stamps) > 100_000:
            stamps.clear()


# --- the ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerEntry:
    user_id: int
    key: str
    status: str
    due_at: str
    claimed_at: str
    finished_at: str | None
    owner: str | None
    detail: str | None


def claim(db: Database, user_id: int, key: str, due_at: dt.datetime, now: dt.datetime, owner: str = "") -> bool:
    """Claim (user, key) before sending. True: this caller now owns it and must send it."""
    with db.conn:
        cur = db.conn.execute(
            "INSERT OR IGNORE INTO reminder_ledger (user_id, key, status, due_at, claimed_at, "
            "owner) VALUES (?, ?, 'claimed', ?, ?, ?)",
            (user_id, key, _stamp(due_at), _stamp(now), owner),
        )
    return cur.rowcount == 1


def finish(db: Database, user_id: int, key: str, status: str, now: dt.datetime, detail: str | None = None) -> None:
    """Record how a claimed send ended: sent, blocked or failed."""
    if status not in STATUSES or status == "claimed":
        raise ValueError(f"unknown final status {status!r}")
    with db.conn:
        db.conn.execute(
            "UPDATE reminder_ledger SET status = ?, finished_at = ?, detail = ? WHERE user_id = ? AND key = ?",
            (status, _stamp(now), detail, user_id, key),
        )


def release(db: Database, user_id: int, key: str) -> None:
    """Give a claim back (the send certainly did not happen), so a later run may retry it."""
    with db.conn:
        db.conn.execute(
            "DELETE FROM reminder_ledger WHERE user_id = ? AND key = ? AND status = 'claimed'", (user_id, key)
        )


def record_skipped(
    db: Database, user_id: int, key: str, due_at: dt.datetime, now: dt.datetime, reason: str, owner: str = ""
) -> bool:
    """Log a reminder found too late to send; False if (user, key) was already in the ledger."""
    stamp = _stamp(now)
    with db.conn:
        cur = db.conn.execute(
            "INSERT OR IGNORE INTO reminder_ledger (user_id, key, status, due_at, claimed_at, "
            "finished_at, owner, detail) VALUES (?, ?, 'skipped', ?, ?, ?, ?, ?)",
            (user_id, key, _stamp(due_at), stamp, stamp, owner, reason),
        )
    return cur.rowcount == 1


def users_with(db: Database, key: str) -> set[int]:
    """Users who already have ``key`` in the ledger (in any status)."""
    return {r[0] for r in db.execute("SELECT user_id FROM reminder_ledger WHERE key = ?", [key])}


def ledger(db: Database, *, user_id: int | None = None, status: str | None = None) -> list[LedgerEntry]:
    sql, params = (
        ("SELECT user_id, key, status, due_at, claimed_at, finished_at, owner, detail FROM reminder_ledger WHERE 1=1"),
        [],
    )
    if user_id is not None:
        sql += " AND user_id = ?"
        params.append(user_id)
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    return [LedgerEntry(*r) for r in db.execute(sql + " ORDER BY due_at, user_id, key", params)]


def mark_blocked(db: Database, user_id: int, now: dt.datetime) -> None:
    """The user blocked the bot (403): mark them inactive so nothing is retried.

    Writing to the bot again makes them active (``db.users.touch``).
    """
    stamp = _stamp(now)
    with db.conn:
        db.conn.execute(
            "INSERT INTO users (user_id, chat_id, active, created_at, updated_at) "
            "VALUES (?, ?, 0, ?, ?) ON CONFLICT(user_id) DO UPDATE SET active = 0, "
            "updated_at = excluded.updated_at",
            (user_id, user_id, stamp, stamp),
        )


def statuses(db: Database, keys: Iterable[str]) -> dict[tuple[int, str], str]:
    """(user, key) -> ledger status for the given keys."""
    out: dict[tuple[int, str], str] = {}
    for key in keys:
        for user_id, status in db.execute("SELECT user_id, status FROM reminder_ledger WHERE key = ?", [key]):
            out[(user_id, key)] = status
    return out
