"""``hrdbot broadcast`` / ``hrdbot broadcasts`` and the broadcast settings of ``hrdbot run``:
what they print, and a clear error with exit code 2 for every malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bot
from db import broadcasts as bdb
from db.schema import connect
from tests.broadcast_helpers import add_users


def run(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    code = bot.main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_broadcast_queues_for_the_running_bot(capsys, db_path):
    add_users(connect(db_path), range(1, 11))
    code, out, _ = run(
        capsys,
        db_path,
        "--today",
        "2018-08-21",
        "broadcast",
        "--text",
        "시험 <결과> 발표",
        "--audience",
        "수험생",
        "--at",
        "내일 09:00",
    )
    assert code == 0
    assert "Queued broadcast #1 to 수험생 (examinee): 2 recipient(s) now" in out
    assert "2018-08-22T09:00+09:00" in out
    db = connect(db_path)
    b = bdb.get(db, 1)
    assert (b.state, b.audience, b.text, b.scheduled_at) == (
        bdb.QUEUED,
        "examinee",
        "시험 &lt;결과&gt; 발표",
        "2018-08-22T09:00:00+09:00",
    )
    assert db.execute("SELECT action FROM audit_log").fetchall() == [("cli.broadcast",)]

    code, out, _ = run(capsys, db_path, "broadcast", "--html", "--text", "<b>전체</b> 공지", "--audience", "all")
    assert code == 0 and "sending as soon as the running bot sees it" in out
    code, out, _ = run(capsys, db_path, "broadcasts")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "state", "audience"]
    assert lines[1].split()[:3] == ["2", "queued", "all"] and "전체 공지" in lines[1]
    code, out, _ = run(capsys, db_path, "broadcasts", "--json")
    listed = json.loads(out)
    assert [(b["id"], b["audience"], b["remaining"]) for b in listed] == [(2, "all", 0), (1, "examinee", 0)]


def test_broadcasts_when_there_are_none(capsys, db_path):
    assert run(capsys, db_path, "broadcasts")[1] == "No broadcasts yet.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "teachers"], "--audience: 모르는 대상이에요: 'teachers'"),
        (["--audience", "topic:program:nope"], "--audience: 모르는 구독 주제예요"),
        (["--audience", "all", "--at", "언젠가"], "--at: 시각을 읽을 수 없어요"),
        (["--audience", "all", "--at", "2018-08-20 09:00"], "--at: 이미 지난 시각"),
        (["--audience", "all", "--at", "2018-02-30 09:00"], "--at: 날짜를 읽을 수 없어요"),
        (["--audience", "all", "--html"], "--text: 공지 HTML 에 문제가 있어요"),
    ],
)
def test_malformed_input_is_a_clear_error(capsys, db_path, args, message):
    text = "<b>안 닫힘" if "--html" in args else "공지"
    code, out, err = run(capsys, db_path, "--today", "2018-08-21", "broadcast", "--text", text, *args)
    assert code == 2
    assert message in err and out == ""
    assert bdb.recent(connect(db_path), include_drafts=True) == []


def test_missing_arguments_are_usage_errors(capsys, db_path):
    with pytest.raises(SystemExit) as exit_info:
        bot.main(["--db", str(db_path), "broadcast", "--text", "공지"])
    assert exit_info.value.code == 2
    assert "--audience" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HRDBOT_ADMINS", "alice,bob"),
        ("HRDBOT_BROADCAST_RATE", "fast"),
        ("HRDBOT_BROADCAST_WINDOW", "-1"),
    ],
)
def test_run_refuses_bad_broadcast_settings(capsys, db_path, tmp_path, monkeypatch, variable, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:FAKE")
    monkeypatch.setenv(variable, value)
    code, _, err = run(capsys, db_path, "run", "--base-url", "http://127.0.0.1:9/bot")
    assert code == 2
    assert "환경 설정이 올바르지 않습니다" in err and variable in err and "Traceback" not in err
