"""The daycare checks in progress (operational table ``daycare_checks``). All their SQL.

One row per (chat, user) while a check runs: the answers so far as text
(``knowledge.daycare_check.dump_answers``) and when it started and last moved. Recording an
answer is a compare-and-set on the previous answers, so a button pressed twice (or in two
clients at once) records one answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class Check:
    chat_id: int
    user_id: int
    answers: str
    started_at: dt.datetime
    updated_at: dt.datetime


def _stamp(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("check times must be timezone-aware")
    return at.astimezone(dt.UTC).isoformat(timespec="seconds")  # UTC: text order is time order


def start(db: Database, chat_id: int, user_id: int, answers: str, now: dt.datetime) -> None:
    """Begin (or begin again) the check of ``user_id`` in ``chat_id``."""
    with db.conn:
        db.conn.execute(
            "INSERT OR REPLACE INTO daycare_checks (chat_id, user_id, answers, started_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?)",
            (chat_id, user_id, answers, _stamp(now), _stamp(now)),
        )


def get(db: Database, chat_id: int, user_id: int) -> Check | None:
    row = db.execute(
        "SELECT chat_id, user_id, answers, started_at, updated_at FROM daycare_checks "
        "WHERE chat_id = ? AND user_id = ?",
        [chat_id, user_id],
    ).fetchone()
    if row is None:
        return None
    return Check(row[0], row[1], row[2], dt.datetime.fromisoformat(row[3]), dt.datetime.fromisoformat(row[4]))


def record(db: Database, chat_id: int, user_id: int, before: str, after: str, now: dt.datetime) -> bool:
    """Replace the answers ``before`` by ``after``; False if they were no longer ``before``."""
    with db.conn:
        cur = db.conn.execute(
            "UPDATE daycare_checks SET answers = ?, updated_at = ? WHERE chat_id = ? AND user_id = ? AND answers = ?",
            (after, _stamp(now), chat_id, user_id, before),
        )
    return cur.rowcount == 1


def finish(db: Database, chat_id: int, user_id: int) -> bool:
    """End the check (done or cancelled); False if none was running."""
    with db.conn:
        cur = db.conn.execute("DELETE FROM daycare_checks WHERE chat_id = ? AND user_id = ?", (chat_id, user_id))
    return cur.rowcount > 0


def purge(db: Database, idle_since: dt.datetime) -> int:
    """Forget checks that have not moved since ``idle_since``; returns how many."""
    with db.conn:
        cur = db.conn.execute("DELETE FROM daycare_checks WHERE updated_at < ?", (_stamp(idle_since),))
    return cur.rowcount
