"""Button callback data too long for Telegram's 64 bytes, kept under a short stable key.

The key is a hash of the data, so the same button always gets the same key, and a key stays
valid across restarts (the table is operational: a knowledge reload never touches it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlite_utils import Database


def remember(db: Database, entries: Iterable[tuple[str, str]], now: dt.datetime) -> None:
    """Store (key, data) pairs; a key already stored keeps its first data."""
    rows = [(k, d, now.isoformat(timespec="seconds")) for k, d in entries]
    if not rows:
        return
    with db.conn:
        db.conn.executemany("INSERT OR IGNORE INTO callback_data (key, data, created_at) VALUES (?, ?, ?)", rows)


def recall(db: Database, key: str) -> str | None:
    row = db.execute("SELECT data FROM callback_data WHERE key = ?", [key]).fetchone()
    return row[0] if row else None
