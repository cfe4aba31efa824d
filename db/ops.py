"""Operational tables written by the core: unanswered questions and the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True)
class Unanswered:
    text: str
    count: int
    first_seen: str
    last_seen: str


def log_unanswered(db: Database, text: str, normalized: str, at: dt.datetime) -> None:
    """Count a declined question (one row per distinct text) so staff can see what to add."""
    stamp = at.isoformat(timespec="seconds")
    with db.conn:
        db.conn.execute(
            "INSERT INTO unanswered (text, normalized, first_seen, last_seen, count) "
            "VALUES (?, ?, ?, ?, 1) ON CONFLICT(text) DO UPDATE SET "
            "count = count + 1, last_seen = excluded.last_seen",
            (text, normalized, stamp, stamp),
        )


def unanswered(db: Database, limit: int = 50) -> list[Unanswered]:
    return [
        Unanswered(*row)
        for row in db.execute(
            "SELECT text, count, first_seen, last_seen FROM unanswered ORDER BY count DESC, last_seen DESC LIMIT ?",
            [limit],
        )
    ]


def audit(
    db: Database, at: dt.datetime, user_id: int | None, action: str, detail: str = "", *, allowed: bool = True
) -> None:
    with db.conn:
        db.conn.execute(
            "INSERT INTO audit_log (at, user_id, action, detail, allowed) VALUES (?, ?, ?, ?, ?)",
            (at.isoformat(timespec="seconds"), user_id, action, detail, int(allowed)),
        )


def knowledge_last_date(db: Database) -> dt.date | None:
    """The latest course or exam date the knowledge holds (None when nothing is loaded)."""
    row = db.execute(
        "SELECT max(d) FROM (SELECT max(start) AS d FROM sessions UNION ALL "
        'SELECT max("end") FROM sessions UNION ALL SELECT max(start) FROM events UNION ALL '
        'SELECT max("end") FROM events)'
    ).fetchone()
    return dt.date.fromisoformat(row[0][:10]) if row and row[0] else None
