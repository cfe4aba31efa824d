"""The users table: who talked to the bot, who they said they are, and whether they are reachable.

``audience`` is one of ``AUDIENCES`` (the codes; the Korean labels are for display). ``active``
turns 0 when Telegram says the user blocked the bot (403) and back to 1 when they write again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlite_utils import Database

AUDIENCES: dict[str, str] = {
    "staff": "직원",
    "examinee": "수험생",
    "parent": "학부모",
    "other": "기타",
}


class UnknownAudienceError(ValueError):
    """An audience code that is not one of ``AUDIENCES``."""


@dataclass(frozen=True)
class User:
    user_id: int
    chat_id: int | None
    first_name: str | None
    username: str | None
    active: bool
    audience: str | None
    created_at: str
    updated_at: str


_COLUMNS = "user_id, chat_id, first_name, username, active, audience, created_at, updated_at"


def _user(row: tuple) -> User:
    user_id, chat_id, first_name, username, active, audience, created, updated = row
    return User(user_id, chat_id, first_name, username, bool(active), audience, created, updated)


def touch(
    db: Database, *, user_id: int, chat_id: int, first_name: str | None, username: str | None, now: dt.datetime
) -> None:
    """Insert or refresh a user who just wrote to the bot (marks them active)."""
    stamp = now.isoformat(timespec="seconds")
    with db.conn:
        db.execute(
            "INSERT INTO users (user_id, chat_id, first_name, username, active, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT(user_id) DO UPDATE SET "
            "chat_id = excluded.chat_id, first_name = excluded.first_name, "
            "username = excluded.username, active = 1, updated_at = excluded.updated_at",
            [user_id, chat_id, first_name, username, stamp, stamp],
        )


def set_audience(db: Database, user_id: int, audience: str, now: dt.datetime) -> None:
    """Record who the user said they are; the user row must exist (see ``touch``)."""
    if audience not in AUDIENCES:
        raise UnknownAudienceError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")
    with db.conn:
        db.execute(
            "UPDATE users SET audience = ?, updated_at = ? WHERE user_id = ?",
            [audience, now.isoformat(timespec="seconds"), user_id],
        )


def set_active(db: Database, user_id: int, active: bool, now: dt.datetime) -> None:
    with db.conn:
        db.execute(
            "UPDATE users SET active = ?, updated_at = ? WHERE user_id = ?",
            [int(active), now.isoformat(timespec="seconds"), user_id],
        )


def get(db: Database, user_id: int) -> User | None:
    row = db.execute(
        f"SELECT {_COLUMNS} FROM users WHERE user_id = ?",  # noqa: S608
        [user_id],
    ).fetchone()
    return _user(row) if row else None


def audience_of(db: Database, user_id: int) -> str | None:
    row = db.execute("SELECT audience FROM users WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row else None


def recipients(db: Database, audience: str | None = None, *, active_only: bool = True) -> Iterator[User]:
    """Users of an audience (None = everyone), streamed in user_id order."""
    sql, params = f"SELECT {_COLUMNS} FROM users WHERE 1=1", []  # noqa: S608
    if audience is not None:
        if audience not in AUDIENCES:
            raise UnknownAudienceError(f"unknown audience {audience!r}")
        sql += " AND audience = ?"
        params.append(audience)
    if active_only:
        sql += " AND active = 1"
    for row in db.execute(sql + " ORDER BY user_id", params):
        yield _user(row)


def count(db: Database, audience: str | None = None, *, active_only: bool = True) -> int:
    sql, params = "SELECT count(*) FROM users WHERE 1=1", []
    if audience is not None:
        sql += " AND audience = ?"
        params.append(audience)
    if active_only:
        sql += " AND active = 1"
    return int(db.execute(sql, params).fetchone()[0])


def by_username(db: Database, username: str) -> User | None:
    """The user with this Telegram @username (case-insensitive, the @ optional), if known."""
    name = username.strip().removeprefix("@")
    if not name:
        return None
    row = db.execute(
        f"SELECT {_COLUMNS} FROM users WHERE username = ? COLLATE NOCASE "  # noqa: S608
        "ORDER BY updated_at DESC LIMIT 1",
        [name],
    ).fetchone()
    return _user(row) if row else None


def names(db: Database, user_ids: Iterable[int]) -> dict[int, User]:
    """The known users among ``user_ids`` (for showing authors and role lists)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT {_COLUMNS} FROM users WHERE user_id IN ({marks})"  # noqa: S608 - placeholders only
    return {u.user_id: u for u in map(_user, db.execute(sql, ids))}
