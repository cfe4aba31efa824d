"""The database schema: versioned, migrated in place, WAL mode.

Two kinds of tables. Knowledge tables are emptied and refilled from the data files on every
``hrdbot load``. Operational tables (users, roles, subscriptions, deliveries, notices,
unanswered questions, audit log) hold what the bot learns while running; a reload never touches
them. ``PRAGMA user_version`` carries the number of applied migrations.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("hrdbot")

# Each knowledge table: (name, indexed columns besides id). Every row also has
# `data` (the whole validated record as JSON) and `source`.
KNOWLEDGE_TABLES: dict[str, tuple[str, ...]] = {
    "categories": ("id", "name"),
    "programs": ("id", "name", "category", "parent"),
    "sessions": ("id", "program_id", "name", "start", "end", "month"),
    "plan_rows": ("id", "mode", "area", "category"),
    "departments": ("id", "name"),
    "buildings": ("id", "name"),
    "amenities": ("id", "name", "building"),
    "works": ("id", "name", "status", "start", "end"),
    "rounds": ("id", "name", "kind"),
    "events": ("id", "round", "type", "start", "end"),
    "expert_categories": ("id", "name"),
    "priorities": ("rank", "grp"),
    "budget": ("id", "name", "tbl"),
    "assessments": ("id", "name"),
    "topics": ("id", "title"),
}
# Tables filled on load that are not one-per-kind.
AUX_KNOWLEDGE_TABLES = ("sections", "facts", "aliases", "exam_stats")


@migrations()
def m001_initial(db: Database) -> None:
    for table, columns in KNOWLEDGE_TABLES.items():
        cols = ", ".join(
            f'"{c}" INTEGER PRIMARY KEY'
            if (c == "rank" and table == "priorities")
            else f'"{c}" TEXT PRIMARY KEY'
            if c == "id"
            else f'"{c}" TEXT'
            for c in columns
        )
        db.execute(f'CREATE TABLE "{table}" ({cols}, data TEXT NOT NULL, source TEXT)')
    db.execute("CREATE TABLE sections (key TEXT PRIMARY KEY, data TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE facts (id INTEGER PRIMARY KEY, owner_kind TEXT NOT NULL, owner_id TEXT "
        "NOT NULL, label TEXT NOT NULL, text TEXT NOT NULL, keywords TEXT NOT NULL, source TEXT)"
    )
    db.execute("CREATE TABLE aliases (kind TEXT NOT NULL, ref_id TEXT NOT NULL, alias TEXT NOT NULL)")
    db.execute("CREATE TABLE exam_stats (round TEXT NOT NULL, data TEXT NOT NULL, source TEXT)")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for stmt in (
        "CREATE INDEX idx_programs_category ON programs(category)",
        "CREATE INDEX idx_programs_parent ON programs(parent)",
        "CREATE INDEX idx_sessions_program ON sessions(program_id)",
        "CREATE INDEX idx_sessions_start ON sessions(start)",
        "CREATE INDEX idx_events_round ON events(round, start)",
        "CREATE INDEX idx_events_type ON events(type, start)",
        "CREATE INDEX idx_events_start ON events(start)",
        "CREATE INDEX idx_facts_owner ON facts(owner_kind, owner_id)",
        "CREATE INDEX idx_aliases_kind ON aliases(kind, ref_id)",
    ):
        db.execute(stmt)
    # Operational tables.
    db.execute(
        "CREATE TABLE users (user_id INTEGER PRIMARY KEY, chat_id INTEGER, first_name TEXT, "
        "username TEXT, active INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE roles (user_id INTEGER NOT NULL, role TEXT NOT NULL, granted_by INTEGER, "
        "granted_at TEXT NOT NULL, PRIMARY KEY (user_id, role))"
    )
    db.execute(
        "CREATE TABLE unanswered (text TEXT PRIMARY KEY, first_seen TEXT NOT NULL, "
        "last_seen TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 1)"
    )
    db.execute(
        "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER, "
        "action TEXT NOT NULL, detail TEXT, allowed INTEGER NOT NULL DEFAULT 1)"
    )


@migrations()
def m002_audience_and_notices(db: Database) -> None:
    """Users say who they are (직원/수험생/학부모/기타); unanswered questions get the normalised
    form they were matched with, so staff can group near-duplicates; notices are kept."""
    db.execute("ALTER TABLE users ADD COLUMN audience TEXT")
    db.execute("ALTER TABLE unanswered ADD COLUMN normalized TEXT")
    db.execute("CREATE INDEX idx_users_audience ON users(audience, active)")
    db.execute("CREATE INDEX idx_unanswered_count ON unanswered(count DESC)")
    db.execute(
        "CREATE TABLE notices (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, "
        "author_id INTEGER, audience TEXT NOT NULL, text TEXT NOT NULL)"
    )


@migrations()
def m003_callback_data(db: Database) -> None:
    """Long button callback data stored under a short hash key (restart-safe buttons)."""
    db.execute("CREATE TABLE callback_data (key TEXT PRIMARY KEY, data TEXT NOT NULL, created_at TEXT NOT NULL)")


@migrations()
def m004_reminders(db: Database) -> None:
    """Reminders: subscriptions per user, per-user settings (NULL = the default in
    ``knowledge/reminders.yaml``), and the ledger of every (user, reminder key) claimed before
    sending: sent, skipped (too late), blocked (403) or failed. The ledger's primary key is what
    keeps two processes from both sending one reminder."""
    db.execute(
        "CREATE TABLE reminder_subscriptions (user_id INTEGER NOT NULL, topic TEXT NOT NULL, "
        "created_at TEXT NOT NULL, PRIMARY KEY (user_id, topic))"
    )
    db.execute("CREATE INDEX idx_reminder_subscriptions_topic ON reminder_subscriptions(topic)")
    db.execute(
        "CREATE TABLE reminder_settings (user_id INTEGER PRIMARY KEY, daily_push INTEGER, "
        "daily_always INTEGER, push_time TEXT, quiet_start TEXT, quiet_end TEXT, "
        "updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE reminder_ledger (user_id INTEGER NOT NULL, key TEXT NOT NULL, "
        "status TEXT NOT NULL, due_at TEXT NOT NULL, claimed_at TEXT NOT NULL, "
        "finished_at TEXT, owner TEXT, detail TEXT, PRIMARY KEY (user_id, key))"
    )
    db.execute("CREATE INDEX idx_reminder_ledger_key ON reminder_ledger(key, status)")
    db.execute("CREATE INDEX idx_reminder_ledger_due ON reminder_ledger(due_at)")


@migrations()
def m005_broadcasts(db: Database) -> None:
    """Staff broadcasts: one row per broadcast, one delivery row per recipient.

    A delivery moves pending -> sending (claimed just before the Bot API call) -> sent, blocked
    (403) or failed; after a crash every row still ``sending`` goes back to ``pending``. The
    counters in ``broadcasts`` change in the same transaction as the delivery rows.
    """
    db.execute(
        "CREATE TABLE broadcasts (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, "
        "author_id INTEGER, audience TEXT, text TEXT NOT NULL, media_kind TEXT, media TEXT, "
        "state TEXT NOT NULL, scheduled_at TEXT, started_at TEXT, finished_at TEXT, "
        "total INTEGER NOT NULL DEFAULT 0, sent INTEGER NOT NULL DEFAULT 0, "
        "blocked INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, "
        "resent INTEGER NOT NULL DEFAULT 0, report_chat_id INTEGER, "
        "progress_message_id INTEGER, notice_id INTEGER)"
    )
    db.execute(
        "CREATE TABLE deliveries (id INTEGER PRIMARY KEY, "
        "broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id), user_id INTEGER NOT NULL, "
        "chat_id INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending', "
        "attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL DEFAULT 0, "
        "message_id INTEGER, sent_at TEXT, error TEXT, UNIQUE (broadcast_id, user_id))"
    )
    db.execute("CREATE INDEX idx_deliveries_queue ON deliveries(broadcast_id, state, id)")
    db.execute("CREATE INDEX idx_broadcasts_state ON broadcasts(state, scheduled_at)")


@migrations()
def m006_leases(db: Database) -> None:
    """Named leases held by one process at a time (the broadcast engine)."""
    db.execute("CREATE TABLE leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at REAL NOT NULL)")


@migrations()
def m007_composer_and_status(db: Database) -> None:
    """The /broadcast composer lives in the database (it survives a restart): the step a draft
    is at, the prompt message a reply must answer, when the draft expires, and a note on why a
    broadcast was stopped. Status lists remember their item blocks, so cancelling one item
    edits only its own lines."""
    for column in ("step TEXT", "prompt_message_id INTEGER", "expires_at TEXT", "note TEXT"):
        db.execute(f"ALTER TABLE broadcasts ADD COLUMN {column}")
    db.execute("CREATE INDEX idx_broadcasts_author ON broadcasts(author_id, state)")
    db.execute(
        "CREATE TABLE status_views (chat_id INTEGER NOT NULL, message_id INTEGER NOT NULL, "
        "blocks TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (chat_id, message_id))"
    )


@migrations()
def m008_invites(db: Database) -> None:
    """Invite links that verify employees: only the SHA-256 of a token is kept, with its expiry
    and use count. Users are looked up by @username (case-insensitive) for /grant."""
    db.execute(
        "CREATE TABLE invites (id INTEGER PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, "
        "created_by INTEGER, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, "
        "max_uses INTEGER NOT NULL, uses INTEGER NOT NULL DEFAULT 0, revoked_at TEXT)"
    )
    db.execute("CREATE INDEX idx_users_username ON users(username COLLATE NOCASE)")


@migrations()
def m009_daycare_checks(db: Database) -> None:
    """The guided daycare check in progress, per (chat, user): the answers so far, so a check
    survives a restart and every button is checked against the question actually asked."""
    db.execute(
        "CREATE TABLE daycare_checks (chat_id INTEGER NOT NULL, user_id INTEGER NOT NULL, "
        "answers TEXT NOT NULL, started_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
        "PRIMARY KEY (chat_id, user_id))"
    )


@migrations()
def m013_picture_files(db: Database) -> None:
    """Telegram file_ids of pictures already uploaded, by picture key (kind, knowledge version,
    date, highlight), so an identical picture is sent again without uploading it."""
    db.execute("CREATE TABLE picture_files (key TEXT PRIMARY KEY, file_id TEXT NOT NULL, created_at TEXT NOT NULL)")


@migrations()
def m011_console(db: Database) -> None:
    """The staff console: one-time login tokens and sessions (only hashes of the secrets are
    stored), every saved version of a knowledge file, and what staff decided about a group of
    unanswered questions (out of scope, later, resolved)."""
    db.execute(
        "CREATE TABLE console_tokens (token_hash TEXT PRIMARY KEY, user_id INTEGER, "
        "created_at TEXT NOT NULL, expires_at TEXT NOT NULL, used_at TEXT)"
    )
    db.execute(
        "CREATE TABLE console_sessions (session_hash TEXT PRIMARY KEY, user_id INTEGER, "
        "csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE knowledge_versions (id INTEGER PRIMARY KEY, file TEXT NOT NULL, "
        "content TEXT NOT NULL, author TEXT NOT NULL, saved_at TEXT NOT NULL, note TEXT)"
    )
    db.execute("CREATE INDEX idx_knowledge_versions_file ON knowledge_versions(file, id)")
    db.execute(
        "CREATE TABLE unanswered_marks (normalized TEXT PRIMARY KEY, status TEXT NOT NULL, "
        "at TEXT NOT NULL, author TEXT NOT NULL)"
    )
    # Rows from before m002 have no normalised form; their text stands for it.
    db.execute("UPDATE unanswered SET normalized = text WHERE normalized IS NULL")
    # Per-group totals kept exact by triggers (each recomputes the one group a row change
    # touches), so the console lists 100 000 questions in milliseconds whoever writes them.
    db.execute(
        "CREATE TABLE unanswered_groups (normalized TEXT PRIMARY KEY, example TEXT NOT NULL, "
        "count INTEGER NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX idx_unanswered_groups_last ON unanswered_groups(last_seen)")
    db.execute("CREATE INDEX idx_unanswered_groups_count ON unanswered_groups(count)")
    db.execute(
        "INSERT INTO unanswered_groups (normalized, example, count, first_seen, last_seen) "
        "SELECT normalized, MAX(text), SUM(count), MIN(first_seen), MAX(last_seen) "
        "FROM unanswered WHERE normalized IS NOT NULL GROUP BY normalized"
    )
    db.execute("CREATE INDEX idx_unanswered_normalized ON unanswered(normalized, last_seen)")

    def refresh(row: str) -> str:
        """Trigger statements that recompute the group of ``row`` (NEW or OLD) exactly."""
        key = f"{row}.normalized"
        return (
            f"DELETE FROM unanswered_groups WHERE normalized = {key}; "  # noqa: S608 - NEW/OLD
            "INSERT INTO unanswered_groups (normalized, example, count, first_seen, last_seen) "
            f"SELECT normalized, (SELECT text FROM unanswered WHERE normalized = {key} "
            "ORDER BY last_seen DESC LIMIT 1), SUM(count), MIN(first_seen), MAX(last_seen) "
            f"FROM unanswered WHERE normalized = {key} GROUP BY normalized; "
        )

    for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
        body = "".join(refresh(r) for r in rows)
        db.execute(f"CREATE TRIGGER unanswered_groups_{event.lower()} AFTER {event} ON unanswered BEGIN {body}END")


@migrations()
def m012_feedback(db: Database) -> None:
    """Answers users marked wrong (👎) or right (👍), and per-day question counters for the
    console's dashboard (answered vs declined)."""
    db.execute(
        "CREATE TABLE feedback (id INTEGER PRIMARY KEY, at TEXT NOT NULL, user_id INTEGER, "
        "vote TEXT NOT NULL, question TEXT NOT NULL, normalized TEXT NOT NULL, "
        "answer TEXT NOT NULL, intent TEXT)"
    )
    db.execute("CREATE INDEX idx_feedback_vote ON feedback(vote, normalized, at)")
    db.execute(
        "CREATE TABLE question_days (day TEXT PRIMARY KEY, answered INTEGER NOT NULL DEFAULT 0, "
        "declined INTEGER NOT NULL DEFAULT 0)"
    )


def default_db_path() -> Path:
    """``HRDBOT_DB``, else ``$XDG_DATA_HOME/hrdbot/hrdbot.db`` (``~/.local/share`` by default)."""
    env = os.environ.get("HRDBOT_DB")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hrdbot" / "hrdbot.db"


class DatabaseOpenError(Exception):
    """The database path cannot be used; the message says why and what to do (Korean)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"데이터베이스를 열 수 없습니다: {path} ({reason}). "
            "--db (또는 HRDBOT_DB)에 새로 만들 수 있는 경로나 기존 hrdbot 데이터베이스 파일을 "
            "지정해 주세요."
        )
        self.path = path
        self.reason = reason


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc.__class__.__name__}: {exc.filename or ''}".rstrip(": ")
    return f"{exc.__class__.__name__}: {exc}"


@contextlib.contextmanager
def creation_lock(path: Path) -> Iterator[None]:
    """Hold ``<path>.lock`` exclusively: the one process that creates, migrates or first loads a
    database does so while the others wait (SQLite's own locks cannot cover "check, then
    create tables", which is what raced)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the busy timeout alone
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _open(path: Path, attempts: int = 100) -> Database:
    attempt = 0
    while True:
        conn = sqlite3.connect(str(path), timeout=30.0)
        try:
            # Before anything else, so that every later statement waits for a writer.
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            return Database(conn)
        except sqlite3.OperationalError as exc:
            conn.close()
            attempt += 1
            # switching a file to WAL is not waited for by SQLite while another process reads
            # it (six first runs at once on a loaded machine): try again shortly
            if "locked" not in str(exc) or attempt >= attempts:
                raise
            time.sleep(0.05)
        except BaseException:
            conn.close()
            raise


def connect(path: Path | str, *, stop_before: str | None = None) -> Database:
    """Open (creating if needed) the database at ``path`` in WAL mode and migrate it.

    Creation and migration happen under ``creation_lock``, so processes that start together on
    a new file all succeed. ``stop_before`` names a migration not to apply yet (used by
    migration tests). Raises ``DatabaseOpenError`` if ``path`` cannot be a database (a
    directory, a file that is not SQLite, a parent that is a file, no permission).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            raise IsADirectoryError(21, "Is a directory", str(path))
        if path.is_file() and path.stat().st_size and not _looks_like_sqlite(path):
            raise sqlite3.DatabaseError("file is not a database")
        if path.is_file():
            db = None
            try:
                db = _open(path)
                if stop_before is None and not migrations.pending(db):
                    return db  # the usual case: no lock file, no writes
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                # another process is creating it right now (switching a new file to WAL is not
                # waited for by SQLite): wait for that process under the creation lock below
            if db is not None:
                db.close()
        with creation_lock(path):
            db = _open(path)
            try:
                migrate(db, stop_before=stop_before)
            except BaseException:
                db.close()
                raise
            return db
    except (OSError, sqlite3.DatabaseError) as exc:
        raise DatabaseOpenError(path, _reason(exc)) from exc


def _looks_like_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


def migrate(db: Database, *, stop_before: str | None = None) -> int:
    """Apply pending migrations; return the schema version (number of applied migrations)."""
    if migrations.pending(db):
        migrations.apply(db, stop_before=stop_before)
    version = len(migrations.applied(db))
    if schema_version(db) != version:  # opening a database must not change its bytes
        db.execute(f"PRAGMA user_version={version}")
    return version


def schema_version(db: Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])
