"""A database keeps working across upgrades: shipped knowledge loaded by older files is reloaded
from the current ones when opened, also when another checkout loaded its own; knowledge loaded
by hand from another directory is left alone; and
knowledge too old for this version ends in a clear message, not a traceback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

import bot
from knowledge.loader import DATA_DIR
from knowledge.store import files_digest, load_directory, open_database


def _meta(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def _set_meta(path: Path, key: str, value: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def test_opening_records_which_files_the_knowledge_came_from(db_path: Path) -> None:
    db = open_database(db_path)
    db.close()
    meta = _meta(db_path)
    assert Path(meta["loaded_from"]) == DATA_DIR.resolve()
    assert meta["files_sha256"] == files_digest(DATA_DIR)


def test_shipped_knowledge_from_older_files_is_reloaded_on_open(db_path: Path) -> None:
    open_database(db_path).close()
    _set_meta(db_path, "files_sha256", "from-an-older-version")
    _set_meta(db_path, "loaded_at", "2000-01-01T00:00:00+00:00")
    open_database(db_path).close()
    meta = _meta(db_path)
    assert meta["files_sha256"] == files_digest(DATA_DIR)
    assert meta["loaded_at"] != "2000-01-01T00:00:00+00:00"


def test_knowledge_loaded_from_another_directory_is_left_alone(db_path: Path, data_copy: Path) -> None:
    load_directory(db_path, data_copy)
    _set_meta(db_path, "files_sha256", "whatever-was-there")
    before = _meta(db_path)
    open_database(db_path).close()
    assert _meta(db_path) == before


def test_shipped_knowledge_of_another_checkout_is_reloaded_on_open(db_path: Path, data_copy: Path) -> None:
    # another checkout (an older copy of the code) opened the same database with its own files
    with (data_copy / "exams.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# an older checkout's files\n")
    open_database(db_path, data_dir=data_copy).close()
    assert Path(_meta(db_path)["loaded_from"]) == data_copy.resolve()
    open_database(db_path).close()  # this checkout: its own shipped files
    meta = _meta(db_path)
    assert Path(meta["loaded_from"]) == DATA_DIR.resolve() and meta["files_sha256"] == files_digest(DATA_DIR)
    # ... and once loaded, opening again changes nothing
    open_database(db_path).close()
    assert _meta(db_path) == meta


def test_knowledge_too_old_for_this_version_is_a_clear_error(
    db_path: Path, data_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_directory(db_path, data_copy)  # not the shipped directory: never reloaded on open
    with sqlite3.connect(db_path) as conn:
        (raw,) = conn.execute("SELECT data FROM sections WHERE key = 'organisation'").fetchone()
        stale = {k: v for k, v in json.loads(raw).items() if k != "report_year"}
        conn.execute("UPDATE sections SET data = ? WHERE key = 'organisation'", (json.dumps(stale),))
    code = bot.main(["ask", "--db", str(db_path), "--today", "2018-07-01", "신임자 과정 언제 시작해요?"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "report_year" in err and "hrdbot load" in err and "Traceback" not in err
