"""db/console.py on real SQLite: group totals kept by triggers, migration backfill, tokens."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from db import console as cdb
from db import ops
from db.schema import connect

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2018, 7, 1, 10, 0, tzinfo=SEOUL)


def by_group_by(db: Database) -> set[tuple[str, int, str, str]]:
    return {
        tuple(r)
        for r in db.execute(
            "SELECT normalized, SUM(count), MIN(first_seen), MAX(last_seen) FROM unanswered GROUP BY normalized"
        )
    }


def by_trigger(db: Database) -> set[tuple[str, int, str, str]]:
    return {tuple(r) for r in db.execute("SELECT normalized, count, first_seen, last_seen FROM unanswered_groups")}


def test_group_totals_follow_every_insert_update_and_delete(tmp_path: Path) -> None:
    db = connect(tmp_path / "t.db")
    rng = random.Random(5)
    texts = [f"질문 {i}{'?' * (i % 3)}" for i in range(40)]
    for step in range(400):
        text = rng.choice(texts)
        ops.log_unanswered(
            db, text, text.rstrip("?").replace(" ", "")[:4], NOW + dt.timedelta(minutes=rng.randrange(10_000))
        )
        if step % 50 == 0:
            with db.conn:
                db.conn.execute("DELETE FROM unanswered WHERE text = ?", (rng.choice(texts),))
    assert by_trigger(db) == by_group_by(db)


def test_the_migration_fills_groups_from_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = connect(path, stop_before="m011_console")
    with old.conn:
        old.conn.execute(
            "INSERT INTO unanswered (text, first_seen, last_seen, count) "
            "VALUES ('옛 질문', '2018-01-01T00:00:00+09:00', "
            "'2018-01-02T00:00:00+09:00', 3)"
        )
    old.close()
    db = connect(path)
    [g] = cdb.unanswered_groups(db)
    assert (g.normalized, g.example, g.count) == ("옛 질문", "옛 질문", 3)


def test_a_login_token_is_spent_once(tmp_path: Path) -> None:
    db = connect(tmp_path / "t.db")
    token = cdb.create_login_token(db, 7, NOW)
    assert (
        db.execute("SELECT COUNT(*) FROM console_tokens WHERE token_hash = ?", [token]).fetchone()[0] == 0
    )  # only the hash is stored
    assert cdb.use_login_token(db, token, NOW) == (True, 7)
    assert cdb.use_login_token(db, token, NOW) == (False, None)


@pytest.mark.parametrize(
    "call",
    [
        lambda db: cdb.mark(db, "x", "deleted", "a", NOW),
        lambda db: cdb.record_feedback(
            db, vote="meh", question="q", normalized="q", answer="a", intent=None, user_id=1, now=NOW
        ),
        lambda db: cdb.create_session(db, 1, NOW.replace(tzinfo=None)),
    ],
)
def test_bad_values_are_refused(tmp_path: Path, call: object) -> None:
    db = connect(tmp_path / "t.db")
    with pytest.raises(ValueError):
        call(db)  # type: ignore[operator]
