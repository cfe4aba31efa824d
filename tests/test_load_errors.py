"""``hrdbot load`` on bad knowledge files: a clear error naming the file, the line, the field and
what was expected; exit code 2; and a database left byte-for-byte as it was.

Each bad input is made by editing a private copy of the shipped files the way a staff member
might, then run through the real command line (``bot.main``; a few through a real subprocess).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot
from db import knowledge as kdb
from knowledge.loader import DATA_DIR
from knowledge.store import open_database


def snapshot(db_path: Path) -> tuple[str, list[str]]:
    """The database file's sha256 and the names of the files beside it (no -wal/-shm appears)."""
    return (hashlib.sha256(db_path.read_bytes()).hexdigest(), sorted(p.name for p in db_path.parent.iterdir()))


def line_of(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    assert content.count(text) == 1, text
    return content[: content.index(text)].count("\n") + 1


def run_load(data_dir: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = bot.main(["load", str(data_dir), "--db", str(db_path)])
    out, err = capsys.readouterr()
    return code, out, err


def problem_at(err: str, where: str) -> str:
    """The one error line that starts at ``where`` ('file:line:')."""
    found = [line for line in err.splitlines() if line.startswith(f"오류: {where}")]
    assert found, f"no error at {where} in:\n{err}"
    return found[0]


# (file, old text, new text, line marker or None = the edited line, field path, expected parts)
FIELD_CASES = [
    pytest.param(
        "daycare.yaml",
        "  building: daycare\n",
        "  building: daycare: 1\n",
        None,
        "",
        ["YAML syntax error", "mapping values are not allowed"],
        id="yaml-syntax-error",
    ),
    pytest.param(
        "organisation.yaml",
        "    headcount: 53\n",
        "",
        "  - id: planning\n",
        "departments[0].headcount",
        ["missing required field 'headcount'", "a whole number"],
        id="missing-field",
    ),
    pytest.param(
        "organisation.yaml",
        "    headcount: 37\n",
        "    headcont: 37\n",
        None,
        "departments[1].headcont",
        ["unknown field 'headcont'", "did you mean 'headcount'?", "allowed: id, name"],
        id="misspelt-field",
    ),
    pytest.param(
        "programs.yaml",
        "        start: 2018-07-23\n",
        "        start: 2018-13-45\n",
        None,
        "programs[0].sessions[2].start",
        ["impossible date '2018-13-45'", "expected YYYY-MM-DD"],
        id="impossible-date",
    ),
    pytest.param(
        "programs.yaml",
        "        end: 2018-09-07\n",
        "        end: 2018-08-01\n",
        None,
        "programs[0].sessions[3].end",
        ["ends (2018-08-01) before it starts (2018-08-27)", "expected a date on or after 2018-08-27"],
        id="end-before-start",
    ),
    pytest.param(
        "organisation.yaml",
        "  - id: recruitment\n",
        "  - id: development\n",
        None,
        "departments[2].id",
        ["duplicate id 'development'", "already used at organisation.yaml:", "expected an id unique among departments"],
        id="duplicate-id",
    ),
    pytest.param(
        "programs.yaml",
        "    parent: leadership\n    summary: 과장",
        "    parent: leadershp\n    summary: 과장",
        None,
        "programs[3].parent",
        ["unknown programs 'leadershp'", "did you mean 'leadership'?", "expected one of"],
        id="unknown-program",
    ),
    pytest.param(
        "programs.yaml",
        "        headcount: 217\n",
        "        headcount: 이백십칠\n",
        None,
        "programs[0].sessions[2].headcount",
        ["expected a whole number", "got str '이백십칠'"],
        id="wrong-type",
    ),
    pytest.param(
        "exams.yaml",
        "    type: personality_test\n    start: 2018-09-08\n",
        "    type: personality\n    start: 2018-09-08\n",
        None,
        "events[4].type",
        ["expected one of application, written_exam", "got 'personality'"],
        id="not-one-of-choices",
    ),
    pytest.param(
        "exams.yaml",
        "  open_total_note: >-\n    '우수 신규공무원 선발' 사업개요에는 채용규모가 2,980명으로 나와 있습니다 "
        "(채용계획 표의 2,984명과 4명\n    차이가 나며, 그 이유는 업무보고에 나와 있지 않습니다).\n",
        "  open_total_note: [2980, 2984]\n",
        None,
        "recruitment.open_total_note",
        ["expected text"],
        id="note-not-text",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "marker", "field", "expected"), FIELD_CASES)
def test_bad_field_is_reported_and_database_unchanged(
    data_copy, db_path, edit, capsys, file, old, new, marker, field, expected
):
    line = edit(data_copy / file, old, new)
    if marker is not None:
        line = line_of(data_copy / file, marker)
    before = snapshot(db_path)

    code, out, err = run_load(data_copy, db_path, capsys)

    assert code == 2
    assert out == ""
    problem = problem_at(err, f"{file}:{line}:")
    if field:
        assert f" {field}: " in problem
    for part in expected:
        assert part in problem
    assert "the database was not changed" in err
    assert snapshot(db_path) == before


def _extra_file(d: Path) -> None:
    (d / "notes.yaml").write_text("memo: 메모\n", encoding="utf-8")


def _not_utf8(d: Path) -> None:
    path = d / "daycare.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp949", errors="replace"))


def _empty(d: Path) -> None:
    (d / "topics.yaml").write_text("", encoding="utf-8")


def _missing_file(d: Path) -> None:
    (d / "budget.yaml").unlink()


def _top_level_list(d: Path) -> None:
    (d / "elearning.yaml").write_text("- site: hrd.seoul.go.kr\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("spoil", "where", "expected"),
    [
        pytest.param(
            _extra_file,
            "notes.yaml:",
            ["unknown knowledge file", "expected one of organisation.yaml"],
            id="unknown-extra-file",
        ),
        pytest.param(_not_utf8, "daycare.yaml:", ["not UTF-8 text"], id="non-utf8"),
        pytest.param(_empty, "topics.yaml:", ["is empty"], id="empty-file"),
        pytest.param(_missing_file, "budget.yaml:", ["missing knowledge file"], id="missing-file"),
        pytest.param(
            _top_level_list,
            "elearning.yaml:1:",
            ["(top level)", "expected a mapping with fields elearning", "got a list"],
            id="top-level-not-a-mapping",
        ),
    ],
)
def test_bad_file_is_reported_and_database_unchanged(data_copy, db_path, capsys, spoil, where, expected):
    spoil(data_copy)
    before = snapshot(db_path)

    code, _out, err = run_load(data_copy, db_path, capsys)

    assert code == 2
    problem = problem_at(err, where)
    for part in expected:
        assert part in problem
    assert snapshot(db_path) == before


def test_missing_directory(tmp_path, db_path, capsys):
    before = snapshot(db_path)
    missing = tmp_path / "no-such-dir"

    code, _out, err = run_load(missing, db_path, capsys)

    assert code == 2
    assert f"오류: {missing}: is not a directory" in err
    assert snapshot(db_path) == before


def test_failing_load_creates_no_database(tmp_path, capsys):
    path = tmp_path / "new" / "hrdbot.db"

    code, _out, err = run_load(tmp_path / "no-such-dir", path, capsys)

    assert code == 2
    assert "the database was not changed" in err
    assert not path.exists() and not path.parent.exists()


def test_all_problems_are_listed_at_once(data_copy, db_path, edit, capsys):
    edit(data_copy / "programs.yaml", "        start: 2018-07-23\n", "        start: 2018-13-45\n")
    edit(data_copy / "organisation.yaml", "    headcount: 37\n", "    headcont: 37\n")
    _empty(data_copy)

    code, _out, err = run_load(data_copy, db_path, capsys)

    assert code == 2
    assert {"programs.yaml", "organisation.yaml", "topics.yaml"} <= {
        line.removeprefix("오류: ").split(":")[0] for line in err.splitlines() if line.startswith("오류: ")
    }
    assert "문제가 4개" in err  # unknown headcont + missing headcount + date + empty


# --- through a real process -------------------------------------------------------------------


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONUTF8="1", HRDBOT_DB=str(tmp_path / "env-default.db"))
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return env


def test_python_dash_m_bot_reports_a_bad_date(data_copy, db_path, edit, tmp_path):
    line = edit(data_copy / "programs.yaml", "        start: 2018-07-23\n", "        start: 2018-13-45\n")
    before = snapshot(db_path)

    proc = subprocess.run(
        [sys.executable, "-m", "bot", "load", str(data_copy), "--db", str(db_path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(tmp_path),
        timeout=60,
        check=False,
    )

    assert proc.returncode == 2, proc.stderr
    assert f"programs.yaml:{line}: programs[0].sessions[2].start: impossible date" in proc.stderr
    assert snapshot(db_path) == before
    assert not (tmp_path / "env-default.db").exists()


def test_hrdbot_load_on_the_shipped_files_succeeds(tmp_path, kb):
    """The console script, with no directory (the shipped files) and no --db ($HRDBOT_DB)."""
    path = tmp_path / "env-default.db"

    proc = subprocess.run(
        [str(Path(sys.executable).with_name("hrdbot")), "load"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_env(tmp_path),
        timeout=60,
        check=False,
    )

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Loaded {DATA_DIR} into {path}: ")
    assert f"programs {len(kb.of('programs'))}, sessions {len(kb.of('sessions'))}" in proc.stdout
    database = open_database(path)
    try:
        assert kdb.is_loaded(database)
        assert kdb.knowledge_meta(database)["loaded_from"] == str(DATA_DIR.resolve())
    finally:
        database.close()


# --- loading the shipped files in-process ------------------------------------------------------


# --- a missing database is created from the shipped files -------------------------------------


def test_ask_on_a_missing_database_creates_it(tmp_path, capsys):
    path = tmp_path / "sub" / "hrdbot.db"

    code = bot.main(["ask", "신임자 과정 언제 시작해요?", "--db", str(path), "--today", "2018-07-01"])

    assert code == 0
    assert "제8기" in capsys.readouterr().out
    database = open_database(path)
    try:
        assert kdb.is_loaded(database)
        assert kdb.program(database, "newcomer") is not None
        assert kdb.knowledge_meta(database)["loaded_from"] == str(DATA_DIR)
    finally:
        database.close()
