"""Telegram file_ids of uploaded pictures, keyed by the picture's cache key."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database


def file_id(db: Database, key: str) -> str | None:
    row = db.execute("SELECT file_id FROM picture_files WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def remember(db: Database, key: str, file_id: str, now: dt.datetime) -> None:
    with db.conn:
        db.execute(
            "INSERT INTO picture_files (key, file_id, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET file_id = excluded.file_id, "
            "created_at = excluded.created_at",
            [key, file_id, now.isoformat(timespec="seconds")],
        )


def forget(db: Database, key: str) -> None:
    """Drop a file_id Telegram no longer accepts."""
    with db.conn:
        db.execute("DELETE FROM picture_files WHERE key = ?", [key])
