"""The database: WAL mode, a schema version carried in ``PRAGMA user_version``, in-place
migrations, indexes behind the queries, and reloads that replace knowledge atomically while
operational rows (users, roles, unanswered questions, audit log, notices) survive."""

from __future__ import annotations

import copy
import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

import bot
from db import knowledge as kdb
from db import ops
from db.schema import (
    AUX_KNOWLEDGE_TABLES,
    KNOWLEDGE_TABLES,
    DatabaseOpenError,
    connect,
    default_db_path,
    migrations,
    schema_version,
)
from knowledge.store import open_database

SEOUL = ZoneInfo("Asia/Seoul")
AT = dt.datetime(2018, 7, 2, 9, 30, tzinfo=SEOUL)
MIGRATIONS = [m.name for m in migrations.pending(Database(memory=True))]
NOT_OPERATIONAL = {*KNOWLEDGE_TABLES, *AUX_KNOWLEDGE_TABLES, "meta", "_sqlite_migrations"}


def table_names(db: Database) -> set[str]:
    return set(db.table_names())


def columns(db: Database, table: str) -> list[str]:
    return [c.name for c in db[table].columns]


def operational_rows(db: Database) -> dict[str, list[tuple]]:
    """Every row of every table that is not knowledge (so tables added later are covered)."""
    return {
        t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)  # noqa: S608
        for t in sorted(table_names(db) - NOT_OPERATIONAL)
    }


def knowledge_counts(db: Database) -> dict[str, int]:
    return {
        t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # noqa: S608
        for t in (*KNOWLEDGE_TABLES, *AUX_KNOWLEDGE_TABLES)
    }


def add_m001_operational_rows(db: Database) -> None:
    """Rows in the operational tables as the first schema version had them."""
    with db.conn:
        db.conn.execute(
            "INSERT INTO users (user_id, chat_id, first_name, username, active, created_at, "
            "updated_at) VALUES (101, 101, '민지', 'minji', 1, ?, ?), "
            "(102, 102, '준호', NULL, 0, ?, ?)",
            [AT.isoformat()] * 4,
        )
        db.conn.execute(
            "INSERT INTO roles (user_id, role, granted_by, granted_at) VALUES (101, 'admin', NULL, ?)", [AT.isoformat()]
        )
        db.conn.execute(
            "INSERT INTO unanswered (text, first_seen, last_seen, count) VALUES ('주차 되나요?', ?, ?, 3)",
            [AT.isoformat()] * 2,
        )
        db.conn.execute(
            "INSERT INTO audit_log (at, user_id, action, detail, allowed) VALUES (?, 101, 'load', 'knowledge/data', 1)",
            [AT.isoformat()],
        )


# --- mode and version -------------------------------------------------------------------------


def test_wal_mode(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_version_is_the_number_of_migrations(db):
    assert schema_version(db) == len(MIGRATIONS) >= 2
    assert [m.name for m in migrations.applied(db)] == MIGRATIONS
    assert migrations.pending(db) == []


def test_migrations_are_uniquely_named_and_start_with_the_first_two():
    assert MIGRATIONS[:2] == ["m001_initial", "m002_audience_and_notices"]
    assert len(set(MIGRATIONS)) == len(MIGRATIONS)


def test_connecting_again_migrates_nothing(db):
    meta, counts = kdb.knowledge_meta(db), knowledge_counts(db)
    applied = migrations.applied(db)
    again = connect(db.conn.execute("PRAGMA database_list").fetchone()[2])
    try:
        assert schema_version(again) == len(MIGRATIONS)
        assert migrations.applied(again) == applied
        assert (kdb.knowledge_meta(again), knowledge_counts(again)) == (meta, counts)
    finally:
        again.close()


# --- migrations -------------------------------------------------------------------------------


def test_migration_from_the_previous_schema_version(tmp_path, kb):
    path = tmp_path / "old.db"
    old = connect(path, stop_before="m002_audience_and_notices")
    assert schema_version(old) == 1
    assert "audience" not in columns(old, "users")
    assert "notices" not in table_names(old)
    add_m001_operational_rows(old)
    before = operational_rows(old)
    old_columns = {t: columns(old, t) for t in before}
    old.close()

    new = connect(path)
    try:
        assert schema_version(new) == len(MIGRATIONS)
        assert new.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        # the new columns and table are there, the old rows intact (new columns empty)
        assert "audience" in columns(new, "users")
        assert "normalized" in columns(new, "unanswered")
        assert "notices" in table_names(new)
        assert {"idx_users_audience", "idx_unanswered_count"} <= {
            i.name for t in ("users", "unanswered") for i in new[t].indexes
        }
        users = new.execute(
            "SELECT user_id, first_name, username, active, audience FROM users ORDER BY user_id"
        ).fetchall()
        assert users == [(101, "민지", "minji", 1, None), (102, "준호", None, 0, None)]
        for table, cols in old_columns.items():
            names = ", ".join(f'"{c}"' for c in cols)
            rows = new.execute(f'SELECT {names} FROM "{table}"').fetchall()  # noqa: S608
            assert sorted(rows, key=repr) == before[table], table
        # and the new schema is usable at once
        ops.log_unanswered(new, "주차 되나요?", "주차 되나요", AT + dt.timedelta(days=1))
        (row,) = ops.unanswered(new)
        assert (row.text, row.count, row.first_seen) == ("주차 되나요?", 4, AT.isoformat())
        with new.conn:
            new.conn.execute(
                "INSERT INTO notices (created_at, author_id, audience, text) VALUES (?, 101, '직원', '공지')",
                [AT.isoformat()],
            )
        kdb.replace_knowledge(new, kb)
        assert kdb.program(new, "newcomer") is not None
        assert len(new.execute("SELECT * FROM users").fetchall()) == 2
    finally:
        new.close()


@pytest.mark.parametrize("stop_before", MIGRATIONS[1:])
def test_every_older_version_migrates_in_place_keeping_rows(tmp_path, stop_before):
    path = tmp_path / "old.db"
    old = connect(path, stop_before=stop_before)
    assert schema_version(old) == MIGRATIONS.index(stop_before)
    add_m001_operational_rows(old)
    counts = {t: len(rows) for t, rows in operational_rows(old).items()}
    old.close()

    new = connect(path)
    try:
        assert schema_version(new) == len(MIGRATIONS)
        after = {t: len(rows) for t, rows in operational_rows(new).items()}
        assert {t: after[t] for t in counts} == counts
        assert [m.name for m in migrations.applied(new)] == MIGRATIONS
    finally:
        new.close()


# --- reload -----------------------------------------------------------------------------------


def _add_current_operational_rows(db: Database) -> None:
    add_m001_operational_rows(db)
    with db.conn:
        db.conn.execute("UPDATE users SET audience = '직원' WHERE user_id = 101")
        db.conn.execute(
            "INSERT INTO notices (created_at, author_id, audience, text) VALUES (?, 101, '수험생', '면접 일정 안내')",
            [AT.isoformat()],
        )
    ops.log_unanswered(db, "셔틀버스 있나요?", "셔틀버스 있나요", AT)
    ops.audit(db, AT, 101, "notice", "면접 일정 안내")


def test_reload_replaces_knowledge_and_keeps_operational_rows(db_path, data_copy, edit, capsys):
    database = open_database(db_path)
    _add_current_operational_rows(database)
    before = operational_rows(database)
    events_before = len(kdb.events(database))
    database.close()
    edit(data_copy / "programs.yaml", "        start: 2018-07-23\n", "        start: 2018-07-30\n")
    edit(
        data_copy / "exams.yaml",
        "  - id: second-personality-test\n    round: second\n    type: personality_test\n"
        "    start: 2018-09-08\n    source: Ⅲ-4-2 우수 신규공무원 선발 > 향후계획\n",
        "",
    )

    assert bot.main(["load", str(data_copy), "--db", str(db_path)]) == 0
    assert "Loaded" in capsys.readouterr().out

    database = open_database(db_path)
    try:
        assert operational_rows(database) == before
        assert {"users", "roles", "unanswered", "audit_log", "notices"} <= set(before)
        assert all(before[t] for t in ("users", "roles", "unanswered", "audit_log", "notices"))
        eighth = [s for s in kdb.sessions_of(database, "newcomer") if s.id == "newcomer-8"]
        assert [(s.start, s.end) for s in eighth] == [("2018-07-30", "2018-08-24")]
        assert kdb.events(database, round_id="second", type_="personality_test") == []
        assert len(kdb.events(database)) == events_before - 1
        assert [e.id for e in kdb.events(database, start=dt.date(2018, 9, 8), end=dt.date(2018, 9, 8))] == []
        assert kdb.knowledge_meta(database)["loaded_from"] == str(data_copy.resolve())
    finally:
        database.close()


def test_reloading_the_same_files_gives_the_same_knowledge(db_path, capsys):
    database = connect(db_path)
    meta, counts = kdb.knowledge_meta(database), knowledge_counts(database)
    database.close()

    assert bot.main(["load", "--db", str(db_path)]) == 0
    capsys.readouterr()

    database = connect(db_path)
    try:
        assert kdb.knowledge_meta(database)["knowledge_sha256"] == meta["knowledge_sha256"]
        assert knowledge_counts(database) == counts
    finally:
        database.close()


def test_swap_is_atomic_when_it_fails_half_way(db, kb):
    """A swap that fails after the old rows were deleted rolls back to the old knowledge."""
    _add_current_operational_rows(db)
    before_ops, before_counts = operational_rows(db), knowledge_counts(db)
    before_meta = kdb.knowledge_meta(db)
    broken = copy.deepcopy(kb)
    broken.records["events"].append(copy.deepcopy(broken.records["events"][0]))  # duplicate id

    with pytest.raises(sqlite3.IntegrityError):
        kdb.replace_knowledge(db, broken, loaded_from="broken")

    assert knowledge_counts(db) == before_counts
    assert kdb.knowledge_meta(db) == before_meta
    assert operational_rows(db) == before_ops
    assert not db.conn.in_transaction
    # and the connection is fine for the next, good swap
    counts = kdb.replace_knowledge(db, kb, loaded_from="again")
    assert counts["events"] == len(kb.of("events"))
    assert kdb.knowledge_meta(db)["loaded_from"] == "again"


def test_open_database_does_not_reload_a_loaded_database(db_path):
    database = connect(db_path)
    loaded_at = kdb.knowledge_meta(database)["loaded_at"]
    database.close()

    database = open_database(db_path)
    try:
        assert kdb.knowledge_meta(database)["loaded_at"] == loaded_at
    finally:
        database.close()


# --- indexes ----------------------------------------------------------------------------------

D = dt.date


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (lambda db: kdb.events(db, round_id="second"), "idx_events_round"),
        (lambda db: kdb.events(db, type_="interview"), "idx_events_type"),
        (lambda db: kdb.events(db, start=D(2018, 11, 1), end=D(2018, 11, 30)), "idx_events_start"),
        (lambda db: kdb.sessions_of(db, "newcomer"), "idx_sessions_program"),
        (lambda db: kdb.sessions_between(db, D(2018, 8, 1), D(2018, 8, 31)), "idx_sessions_start"),
        (lambda db: kdb.sessions_starting_between(db, D(2018, 7, 1), D(2018, 7, 31)), "idx_sessions_start"),
        (lambda db: kdb.programs(db, category="leadership"), "idx_programs_category"),
        (lambda db: kdb.programs(db, parent="leadership"), "idx_programs_parent"),
        (lambda db: kdb.facts(db, "programs", "newcomer"), "idx_facts_owner"),
        (lambda db: kdb.aliases(db, "programs"), "idx_aliases_kind"),
        (lambda db: kdb.program(db, "newcomer"), "sqlite_autoindex_programs_1"),
        (lambda db: kdb.round_(db, "second"), "sqlite_autoindex_rounds_1"),
        (lambda db: kdb.budget_line(db, "exp-total"), "sqlite_autoindex_budget_1"),
        (lambda db: kdb.section(db, "daycare"), "sqlite_autoindex_sections_1"),
    ],
)
def test_queries_use_an_index(db, query: Callable[[Database], Any], index):
    traced: list[tuple[str, Any]] = []
    with db.tracer(lambda sql, params: traced.append((sql, params))):
        query(db)
    assert traced
    plans = [
        " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params or [])) for sql, params in traced
    ]
    assert any(f"INDEX {index} " in plan for plan in plans), plans


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        ("SELECT user_id FROM users WHERE audience = ? AND active = 1", "idx_users_audience"),
        ("SELECT text FROM unanswered ORDER BY count DESC LIMIT 20", "idx_unanswered_count"),
    ],
)
def test_operational_queries_use_an_index(db, sql, index):
    plan = " | ".join(r[3] for r in db.execute(f"EXPLAIN QUERY PLAN {sql}", ["직원"] if "?" in sql else []))
    assert f"INDEX {index}" in plan


# --- where the database lives ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hrdbot_db", "xdg", "expected"),
    [
        ("/srv/hrdbot/bot.db", "/xdg", Path("/srv/hrdbot/bot.db")),
        (None, "/xdg", Path("/xdg/hrdbot/hrdbot.db")),
    ],
)
def test_default_db_path(monkeypatch, hrdbot_db, xdg, expected):
    if hrdbot_db is None:
        monkeypatch.delenv("HRDBOT_DB", raising=False)
    else:
        monkeypatch.setenv("HRDBOT_DB", hrdbot_db)
    monkeypatch.setenv("XDG_DATA_HOME", xdg)
    assert default_db_path() == expected


def test_default_db_path_without_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("HRDBOT_DB", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db_path() == tmp_path / ".local" / "share" / "hrdbot" / "hrdbot.db"


def test_a_file_another_process_is_creating_is_waited_for_not_refused(tmp_path, monkeypatch):
    """Opening a file that another process is creating can find it locked before the busy
    timeout applies (switching a new file to WAL); the opener then waits under the creation lock
    and opens it, instead of refusing it."""
    import db.schema as schema

    path = tmp_path / "racing.db"
    connect(path).close()
    real_open = schema._open
    calls = {"n": 0}

    def open_locked_once(p: Path) -> Database:
        calls["n"] += 1
        if calls["n"] == 1:
            raise sqlite3.OperationalError("database is locked")
        return real_open(p)

    monkeypatch.setattr(schema, "_open", open_locked_once)
    db = connect(path)
    assert calls["n"] == 2 and db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_a_file_locked_even_under_the_creation_lock_is_a_clear_error(tmp_path, monkeypatch):
    import db.schema as schema

    path = tmp_path / "racing.db"
    connect(path).close()

    def always_locked(p: Path) -> Database:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(schema, "_open", always_locked)
    with pytest.raises(DatabaseOpenError):
        connect(path)


def test_opening_retries_a_file_another_process_is_switching_to_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite does not wait for a file another process is switching to WAL ("database is
    locked" at once, six first runs on a loaded machine): opening tries again shortly, and
    gives up with the error after its attempts."""
    from db import schema

    failures = {"left": 3}

    class Switching(sqlite3.Connection):
        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if sql.startswith("PRAGMA journal_mode") and failures["left"]:
                failures["left"] -= 1
                raise sqlite3.OperationalError("database is locked")
            return super().execute(sql, *args)

    real_connect = sqlite3.connect
    monkeypatch.setattr(schema.sqlite3, "connect", lambda *a, **k: real_connect(*a, factory=Switching, **k))
    db = schema._open(tmp_path / "a.db")
    assert failures["left"] == 0 and db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()

    failures["left"] = 5
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        schema._open(tmp_path / "b.db", attempts=3)
