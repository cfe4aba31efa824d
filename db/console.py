"""The staff console's tables: login tokens, sessions, knowledge versions, unanswered marks,
answer feedback, per-day question counters, and the read-only queries of the console pages.

Secrets (login tokens, session ids) are stored only as SHA-256 hashes, so a copy of the database
does not let anyone in. Times are ISO 8601 in Asia/Seoul, to the second, so they compare as text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlite_utils import Database

SEOUL = ZoneInfo("Asia/Seoul")
LOGIN_TTL = dt.timedelta(minutes=10)
SESSION_TTL = dt.timedelta(hours=8)
OUT_OF_SCOPE, LATER, RESOLVED = "out_of_scope", "later", "resolved"
MARKS = (OUT_OF_SCOPE, LATER, RESOLVED)
UP, DOWN = "up", "down"


def stamp(at: dt.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("console times must be timezone-aware")
    return at.astimezone(SEOUL).isoformat(timespec="seconds")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- sign-in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    user_id: int | None  # None: the operator who started `hrdbot console` (shell access)
    csrf: str
    expires_at: str


def create_login_token(db: Database, user_id: int | None, now: dt.datetime, ttl: dt.timedelta = LOGIN_TTL) -> str:
    """A fresh one-time login token for ``user_id``; only its hash is stored."""
    token = secrets.token_urlsafe(24)
    with db.conn:
        db.conn.execute(
            "INSERT INTO console_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (_hash(token), user_id, stamp(now), stamp(now + ttl)),
        )
    return token


def use_login_token(db: Database, token: str, now: dt.datetime) -> tuple[bool, int | None]:
    """Spend a login token: (True, its user id) the first time within its validity, else
    (False, None). The UPDATE is the check, so two requests cannot both spend it."""
    with db.conn:
        cursor = db.conn.execute(
            "UPDATE console_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
            (stamp(now), _hash(token), stamp(now)),
        )
        if cursor.rowcount != 1:
            return False, None
        row = db.conn.execute("SELECT user_id FROM console_tokens WHERE token_hash = ?", (_hash(token),)).fetchone()
    return True, row[0]


def create_session(
    db: Database, user_id: int | None, now: dt.datetime, ttl: dt.timedelta = SESSION_TTL
) -> tuple[str, Session]:
    """A new session; returns (the cookie value, the session)."""
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = stamp(now + ttl)
    with db.conn:
        db.conn.execute("DELETE FROM console_sessions WHERE expires_at <= ?", (stamp(now),))
        db.conn.execute(
            "INSERT INTO console_sessions (session_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
            (_hash(sid), user_id, csrf, stamp(now), expires),
        )
    return sid, Session(user_id, csrf, expires)


def session(db: Database, sid: str, now: dt.datetime) -> Session | None:
    row = db.execute(
        "SELECT user_id, csrf, expires_at FROM console_sessions WHERE session_hash = ? AND expires_at > ?",
        [_hash(sid), stamp(now)],
    ).fetchone()
    return Session(*row) if row else None


def end_session(db: Database, sid: str) -> None:
    with db.conn:
        db.conn.execute("DELETE FROM console_sessions WHERE session_hash = ?", (_hash(sid),))


# --- knowledge versions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    id: int
    file: str
    author: str
    saved_at: str
    note: str | None
    content: str = ""


def add_version(db: Database, file: str, content: str, author: str, now: dt.datetime, note: str = "") -> int:
    with db.conn:
        cursor = db.conn.execute(
            "INSERT INTO knowledge_versions (file, content, author, saved_at, note) VALUES (?, ?, ?, ?, ?)",
            (file, content, author, stamp(now), note),
        )
    return int(cursor.lastrowid)


def has_versions(db: Database, file: str) -> bool:
    return db.execute("SELECT 1 FROM knowledge_versions WHERE file = ? LIMIT 1", [file]).fetchone() is not None


def versions(db: Database, file: str | None = None, limit: int = 50) -> list[Version]:
    where, params = ("WHERE file = ?", [file]) if file else ("", [])
    return [
        Version(*row)
        for row in db.execute(
            f"SELECT id, file, author, saved_at, note FROM knowledge_versions {where} "  # noqa: S608
            "ORDER BY id DESC LIMIT ?",
            [*params, limit],
        )
    ]


def version(db: Database, version_id: int) -> Version | None:
    row = db.execute(
        "SELECT id, file, author, saved_at, note, content FROM knowledge_versions WHERE id = ?", [version_id]
    ).fetchone()
    return Version(*row) if row else None


# --- unanswered questions and feedback -------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """Questions with one normalised text: declined ones, or answers users marked wrong."""

    normalized: str
    example: str
    count: int
    first_seen: str
    last_seen: str
    answer: str | None = None
    intent: str | None = None


def unanswered_groups(db: Database, *, mark: str | None = None, limit: int = 50, offset: int = 0) -> list[Group]:
    """Declined questions grouped by normalised text, newest first.

    ``mark=None`` lists the open groups: never marked, or asked again after a "later" or
    "resolved" mark. ``mark="out_of_scope"`` etc. lists the groups with that mark.
    """
    if mark is None:
        sql = (
            "SELECT g.normalized, g.example, g.count, g.first_seen, g.last_seen "
            "FROM unanswered_groups g LEFT JOIN unanswered_marks m "
            "ON m.normalized = g.normalized WHERE m.status IS NULL "
            "OR (m.status != 'out_of_scope' AND g.last_seen > m.at) "
            "ORDER BY g.last_seen DESC LIMIT ? OFFSET ?"
        )
        params: list[object] = [limit, offset]
    else:
        sql = (
            "SELECT g.normalized, g.example, g.count, g.first_seen, g.last_seen "
            "FROM unanswered_marks m CROSS JOIN unanswered_groups g ON g.normalized = m.normalized "
            "WHERE m.status = ? ORDER BY g.last_seen DESC LIMIT ? OFFSET ?"
        )
        params = [mark, limit, offset]
    return [Group(*row) for row in db.execute(sql, params)]


def group(db: Database, normalized: str) -> Group | None:
    row = db.execute(
        "SELECT normalized, example, count, first_seen, last_seen FROM unanswered_groups WHERE normalized = ?",
        [normalized],
    ).fetchone()
    if row:
        return Group(*row)
    row = db.execute(
        "SELECT question, COUNT(*), MIN(at), MAX(at), answer, intent FROM feedback "
        "WHERE normalized = ? AND vote = 'down'",
        [normalized],
    ).fetchone()
    if row and row[1]:
        return Group(normalized, row[0], row[1], row[2], row[3], row[4], row[5])
    return None


def mark(db: Database, normalized: str, status: str, author: str, now: dt.datetime) -> None:
    if status not in MARKS:
        raise ValueError(f"mark must be one of {MARKS}, not {status!r}")
    with db.conn:
        db.conn.execute(
            "INSERT INTO unanswered_marks (normalized, status, at, author) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(normalized) DO UPDATE SET status = excluded.status, at = excluded.at, "
            "author = excluded.author",
            (normalized, status, stamp(now), author),
        )


def record_feedback(
    db: Database,
    *,
    vote: str,
    question: str,
    normalized: str,
    answer: str,
    intent: str | None,
    user_id: int | None,
    now: dt.datetime,
) -> None:
    if vote not in (UP, DOWN):
        raise ValueError(f"vote must be up or down, not {vote!r}")
    with db.conn:
        db.conn.execute(
            "INSERT INTO feedback (at, user_id, vote, question, normalized, answer, intent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (stamp(now), user_id, vote, question[:500], normalized[:500], answer[:4000], intent),
        )


def wrong_answers(db: Database, limit: int = 50) -> list[Group]:
    """Answers users marked 👎, grouped by normalised question, newest first (open ones)."""
    sql = (
        "SELECT g.normalized, g.question, g.n, g.first, g.last, "
        "(SELECT answer FROM feedback WHERE normalized = g.normalized AND vote = 'down' "
        "ORDER BY id DESC LIMIT 1), (SELECT intent FROM feedback WHERE normalized = g.normalized "
        "AND vote = 'down' ORDER BY id DESC LIMIT 1) FROM ("
        "  SELECT a.* FROM (SELECT normalized, MAX(question) AS question, COUNT(*) AS n, "
        "  MIN(at) AS first, MAX(at) AS last FROM feedback WHERE vote = 'down' "
        "  GROUP BY normalized) a LEFT JOIN unanswered_marks m ON m.normalized = a.normalized "
        "  WHERE m.status IS NULL OR (m.status != 'out_of_scope' AND a.last > m.at) "
        "  ORDER BY a.last DESC LIMIT ?) g ORDER BY g.last DESC"
    )
    return [Group(*row) for row in db.execute(sql, [limit])]


# --- dashboard -------------------------------------------------------------------------------


def count_question(db: Database, day: dt.date, *, answered: bool) -> None:
    column = "answered" if answered else "declined"
    with db.conn:
        db.conn.execute(
            f"INSERT INTO question_days (day, {column}) VALUES (?, 1) "  # noqa: S608
            f"ON CONFLICT(day) DO UPDATE SET {column} = {column} + 1",
            (day.isoformat(),),
        )


def question_days(db: Database, start: dt.date, end: dt.date) -> dict[str, tuple[int, int]]:
    """(answered, declined) per ISO day in [start, end]."""
    return {
        day: (a, d)
        for day, a, d in db.execute(
            "SELECT day, answered, declined FROM question_days WHERE day BETWEEN ? AND ?",
            [start.isoformat(), end.isoformat()],
        )
    }


def top_declined(db: Database, limit: int = 5) -> list[Group]:
    return [
        Group(*row)
        for row in db.execute(
            "SELECT normalized, example, count, first_seen, last_seen FROM unanswered_groups "
            "ORDER BY count DESC LIMIT ?",
            [limit],
        )
    ]


def subscribers_by_topic(db: Database) -> list[tuple[str, int]]:
    return [
        (t, n)
        for t, n in db.execute(
            "SELECT topic, COUNT(*) FROM reminder_subscriptions GROUP BY topic ORDER BY COUNT(*) DESC"
        )
    ]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user_id: int | None
    action: str
    detail: str | None
    allowed: bool


def audit_entries(db: Database, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    return [
        AuditEntry(i, at, u, a, d, bool(ok))
        for i, at, u, a, d, ok in db.execute(
            "SELECT id, at, user_id, action, detail, allowed FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?",
            [limit, offset],
        )
    ]


def known_users(db: Database, limit: int = 200) -> list[tuple[int, str | None, str | None]]:
    """(user id, first name, username) of users who wrote to the bot, newest first."""
    return [
        tuple(r)
        for r in db.execute("SELECT user_id, first_name, username FROM users ORDER BY updated_at DESC LIMIT ?", [limit])
    ]
