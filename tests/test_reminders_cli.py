"""`hrdbot reminders` and the malformed command lines around it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlite_utils import Database

import bot
from db import reminders as rdb
from knowledge.reminders import SEOUL

D1 = "course-start-d1:session:future-leader-6-h2:2018-07-17"
D7 = "course-start-d7:session:newcomer-8:2018-07-23"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = bot.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_done_when(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reminders", "--date", "2018-07-16", "--all-topics", "--db", str(db_path))
    assert code == 0
    assert D1 in out and D7 in out
    assert "6급 미래인재 양성과정 하반기 과정" in out and "신임자 과정 제8기" in out
    assert "nothing is sent" in out


def test_json(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reminders", "--date", "2018-07-16", "--all-topics", "--json", "--db", str(db_path))
    data = json.loads(out)
    assert code == 0
    assert (data["date"], data["all_topics"], data["count"]) == ("2018-07-16", True, 3)
    keys = [r["key"] for r in data["reminders"]]
    assert keys == ["daily:2018-07-16", D1, D7]
    first = data["reminders"][1]
    assert set(first) == {"user_id", "key", "kind", "rule", "ref", "due_at", "text", "status"}
    assert (first["user_id"], first["due_at"], first["rule"], first["ref"], first["status"]) == (
        None,
        "2018-07-16T09:00+09:00",
        "course-start-d1",
        "session:future-leader-6-h2",
        "planned",
    )


def test_real_subscribers_with_ledger_status(db: Database, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    since = dt.datetime(2018, 1, 1, tzinfo=SEOUL)
    rdb.subscribe(db, 11, "program:newcomer", since)
    rdb.subscribe(db, 12, "category:rank-required", since)
    rdb.update_settings(db, 12, since, daily_push=False)
    nine = dt.datetime(2018, 7, 16, 9, tzinfo=SEOUL)
    rdb.claim(db, 11, D7, nine, nine)
    rdb.finish(db, 11, D7, "sent", nine)
    code, out, _ = run(capsys, "reminders", "--date", "2018-07-16", "--json", "--db", str(db_path))
    got = [(r["user_id"], r["key"], r["status"]) for r in json.loads(out)["reminders"]]
    assert code == 0
    # user 11 has no daily push today: 제8기 (7.23) is not within this week's 7 days
    assert got == [(11, D7, "sent"), (12, D1, "planned"), (12, D7, "planned")]
    code, out, _ = run(capsys, "reminders", "--date", "2018-07-16", "--db", str(db_path))
    assert f"user 11  {D7}  [sent]" in out and "3 message(s) due to every subscriber" in out


def test_date_defaults_to_today(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "reminders", "--today", "2018-07-16", "--all-topics", "--json", "--db", str(db_path))
    assert code == 0 and json.loads(out)["date"] == "2018-07-16"


@pytest.mark.parametrize("bad", ["2018-07-32", "16.07.2018", "tomorrow", ""])
def test_bad_date(db_path: Path, capsys: pytest.CaptureFixture[str], bad: str) -> None:
    with pytest.raises(SystemExit) as info:
        bot.main(["reminders", "--date", bad, "--db", str(db_path)])
    assert info.value.code == 2
    assert "날짜가 아닙니다. YYYY-MM-DD 형식으로" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["2018-08-21 8:29", "soon", "2018-02-30T08:00"])
def test_bad_now(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    with pytest.raises(SystemExit) as info:
        bot.main(["run", "--now", bad])
    assert info.value.code == 2
    assert "날짜와 시각이 아닙니다" in capsys.readouterr().err


def test_malformed_rules_file(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "reminders.yaml"
    rules.write_text("rules:\n  - {id: x, anchor: lunch, days_before: 1, at: '9', text: t}\n", encoding="utf-8")
    code, out, err = run(capsys, "reminders", "--date", "2018-07-16", "--rules", str(rules), "--db", str(db_path))
    assert code == 2 and not out
    assert "알림 규칙 파일이 올바르지 않아 아무것도 하지 않았습니다" in err
    assert "reminders.yaml:2: rules[0].anchor: 'lunch': expected one of" in err
    assert "reminders.yaml:2: rules[0].at: '9' is not a time; expected HH:MM" in err
