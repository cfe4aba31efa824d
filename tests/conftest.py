"""Shared fixtures: the validated shipped knowledge, a loaded temporary database, a copy of
the knowledge files that a test may edit, and for end-to-end tests the fake Bot API, a clock
set to ``E2E_NOW`` and a running bot (each such test file defines its own ``make_bot``).

Everything is real: real YAML files, real SQLite files under ``tmp_path``; no mocks.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from db.knowledge import replace_knowledge
from db.schema import connect
from knowledge.loader import DATA_DIR, Knowledge, validate
from knowledge.store import content_words, files_digest, open_database
from tests.fake_bot_api import FakeBotApi
from tests.telegram_helpers import FixedClock, Maker

E2E_NOW = dt.datetime(2018, 8, 21, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))


@pytest.fixture(scope="session")
def kb() -> Knowledge:
    """The shipped knowledge files, validated once per test session. Do not mutate it."""
    return validate(DATA_DIR)


@pytest.fixture(scope="session")
def _loaded_db_template(tmp_path_factory: pytest.TempPathFactory, kb: Knowledge) -> Path:
    """A database file loaded once with the shipped knowledge (as ``open_database`` does for a
    new file) and closed, so that ``db_path`` can hand each test its own copy cheaply."""
    path = tmp_path_factory.mktemp("template") / "hrdbot.db"
    database = connect(path)
    replace_knowledge(
        database,
        kb,
        loaded_from=str(DATA_DIR.resolve()),
        vocabulary=content_words(kb),
        files_digest=files_digest(DATA_DIR),
        shipped=True,
    )
    database.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, _loaded_db_template: Path) -> Path:
    """``tmp_path / 'hrdbot.db'``: a closed database file holding the shipped knowledge, private
    to the test (for CLI runs and byte-for-byte comparisons)."""
    path = tmp_path / "hrdbot.db"
    shutil.copyfile(_loaded_db_template, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """The database at ``db_path``, opened with ``open_database``; the test may write to it."""
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of ``knowledge/data`` (at ``tmp_path / 'data'``) for tests that edit files."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    count = text.count(old)
    assert count == 1, f"{old!r} occurs {count} times in {path.name}; make it unique"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


@pytest.fixture
def edit() -> Callable[[Path, str, str], int]:
    """``edit(path, old, new)``: replace the one occurrence of ``old`` in a (copied) knowledge
    file and return the 1-based line where it started, for asserting error locations."""
    return _edit


@pytest.fixture
def clock() -> FixedClock:
    """The bot's clock for end-to-end tests, at ``E2E_NOW``; a test may move it."""
    return FixedClock(E2E_NOW)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API server on localhost."""
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(make_bot: Maker) -> AsyncIterator[Any]:
    """The bot of the test file's ``make_bot``, serving for the test."""
    async with make_bot() as app:
        yield app
