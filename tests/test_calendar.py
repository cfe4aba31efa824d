"""The .ics calendar: parsed back with icalendar, stable UIDs, and `hrdbot calendar`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from sqlite_utils import Database

import bot
from db import reminders as rdb
from knowledge import reminders as rk
from knowledge.calendar import build_calendar
from knowledge.reminders import SEOUL

NOW = dt.datetime(2018, 7, 1, 12, 0, tzinfo=SEOUL)


def events(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_parsed_back(db: Database) -> None:
    view = rk.knowledge_view(db)
    data = build_calendar(view, ["program:newcomer", "exam_round:second"], NOW)
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["x-wr-calname"]) == "서울시 인재개발원 일정"
    found = events(data)
    assert sorted(found) == sorted(
        [
            "session-newcomer-8@hrdbot.hrd.seoul.go.kr",
            "session-newcomer-9@hrdbot.hrd.seoul.go.kr",
            "event-second-written-exam@hrdbot.hrd.seoul.go.kr",
            "event-second-written-result@hrdbot.hrd.seoul.go.kr",
            "event-second-personality-test@hrdbot.hrd.seoul.go.kr",
            "event-second-interview@hrdbot.hrd.seoul.go.kr",
            "event-second-final-result@hrdbot.hrd.seoul.go.kr",
        ]
    )
    course = found["session-newcomer-8@hrdbot.hrd.seoul.go.kr"]
    assert str(course["summary"]) == "[교육] 신임자 과정 제8기"
    assert course.decoded("dtstart") == dt.date(2018, 7, 23)
    assert course.decoded("dtend") == dt.date(2018, 8, 25)  # all-day: end is exclusive
    assert "2018년 인재개발원 업무보고 기준" in str(course["description"])
    interview = found["event-second-interview@hrdbot.hrd.seoul.go.kr"]
    assert str(interview["summary"]) == "[시험] 제2회 공개경쟁 임용시험 (2차) 면접"
    assert interview.decoded("dtend") == dt.date(2018, 11, 1)
    assert interview.decoded("dtstamp") == NOW.astimezone(dt.UTC)


def test_uids_are_stable_across_builds_and_date_changes(db: Database, data_copy: Path, edit, db_path: Path) -> None:  # noqa: ANN001
    from knowledge.store import load_directory

    before = events(build_calendar(rk.knowledge_view(db), None, NOW))
    assert before.keys() == events(build_calendar(rk.knowledge_view(db), None, NOW)).keys()
    assert build_calendar(rk.knowledge_view(db), None, NOW) == build_calendar(rk.knowledge_view(db), None, NOW)
    edit(
        data_copy / "programs.yaml",
        "start: 2018-07-23\n        end: 2018-08-24",
        "start: 2018-07-30\n        end: 2018-08-31",
    )
    load_directory(db_path, data_copy)
    after = events(build_calendar(rk.knowledge_view(db), None, NOW))
    assert after.keys() == before.keys()  # a re-import updates, never duplicates
    uid = "session-newcomer-8@hrdbot.hrd.seoul.go.kr"
    assert after[uid].decoded("dtstart") == dt.date(2018, 7, 30)


def test_empty_topics_give_an_empty_calendar(db: Database) -> None:
    assert events(build_calendar(rk.knowledge_view(db), ["daycare"], NOW)) == {}


def test_naive_now_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_calendar(rk.knowledge_view(db), None, dt.datetime(2018, 7, 1))  # noqa: DTZ001


def test_cli_writes_a_file(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hrd.ics"
    code = bot.main(
        ["calendar", "--out", str(out), "--topic", "exam_round:third", "--db", str(db_path), "--today", "2018-07-01"]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == f"Wrote 5 event(s) to {out}"
    assert sorted(events(out.read_bytes())) == [
        f"event-third-{k}@hrdbot.hrd.seoul.go.kr"
        for k in ("application", "final-result", "interview", "personality-test", "written-result")
    ]


def test_cli_for_a_user(db: Database, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rdb.subscribe(db, 42, "category:retirement", NOW)
    out = tmp_path / "user.ics"
    assert bot.main(["calendar", "--out", str(out), "--user", "42", "--db", str(db_path)]) == 0
    assert sorted(events(out.read_bytes())) == [
        "session-retirement-2w-3@hrdbot.hrd.seoul.go.kr",
        "session-retirement-2w-4@hrdbot.hrd.seoul.go.kr",
    ]
    capsys.readouterr()


def test_cli_stdout(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bot.main(["calendar", "--db", str(db_path), "--today", "2018-07-01"]) == 0
    assert capsys.readouterr().out.startswith("BEGIN:VCALENDAR")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "program:nope"], "unknown topic 'program:nope'"),
        (["--topic", "weather"], "expected exam_round:<id>"),
        (["--user", "77"], "사용자 77을(를) 모릅니다 (unknown user)"),
        (["--user", "12345"], "사용자 12345을(를) 모릅니다 (unknown user)"),
        (["--user", "1", "--topic", "exam_round:*"], "--user ID 와 --topic TOPIC 중 하나만"),
        (["--out", "/nonexistent-dir/x.ics"], "/nonexistent-dir/x.ics 에 쓸 수 없습니다"),
    ],
)
def test_cli_errors(db_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert bot.main(["calendar", *args, "--db", str(db_path)]) == 2
    assert message in capsys.readouterr().err
