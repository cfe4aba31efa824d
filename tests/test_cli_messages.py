"""The command line speaks one language for errors and has no loose ends (issue 11): Korean
argparse errors with exit 2, a one-line description for every subcommand, ``broadcasts --limit``
checked, drafts not hidden behind "No broadcasts yet.", ``ask ""`` like ``ask``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import bot
from db import broadcasts as bdb
from db.schema import connect
from knowledge.reminders import SEOUL


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = bot.main(list(args))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = bot.build_parser()
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_subcommand_has_a_one_line_description(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = subcommands()[name]
    assert parser.description and "\n" not in parser.description
    code, out, _ = run(capsys, name, "--help")
    assert code == 0 and parser.description in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["ask", "안녕", "--frobnicate"], "알 수 없는 인자입니다: --frobnicate"),
        (["broadcast", "--text", "공지"], "필요한 인자가 없습니다: --audience"),
        (["broadcasts", "--limit"], "--limit: 값을 하나 적어 주세요"),
        (["broadcasts", "--limit", "0"], "--limit: '0': 1 이상의 정수를 적어 주세요"),
        (["broadcasts", "--limit", "-1"], "--limit: '-1': 1 이상의 정수를 적어 주세요"),
        (["broadcasts", "--limit", "many"], "--limit: 'many': 1 이상의 정수를 적어 주세요"),
        (["calendar", "--user", "abc"], "--user: 정수가 아닙니다: 'abc'"),
        (["run", "--log-level", "LOUD"], "--log-level: 고를 수 없는 값입니다: 'LOUD'"),
        (["reminders", "--date", "2018-02-30"], "--date: '2018-02-30'은(는) 날짜가 아닙니다"),
        (["frobnicate"], "COMMAND: 고를 수 없는 값입니다: 'frobnicate'"),
    ],
)
def test_usage_errors_are_korean_with_exit_2(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert expected in err and "오류:" in err and "--help" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("question", [[], [""], ["   "]], ids=["none", "empty", "blank"])
def test_ask_without_a_question_is_one_error(
    question: list[str], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "ask", *question, "--db", str(db_path))
    assert (code, out) == (2, "")
    assert err.startswith("hrdbot: 오류: 질문을 적어 주세요")


def test_broadcasts_lists_only_drafts_honestly(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    db = connect(db_path)
    bdb.create(db, text="초안", now=dt.datetime(2018, 8, 21, 9, 0, tzinfo=SEOUL))
    code, out, _ = run(capsys, "broadcasts", "--db", str(db_path))
    assert code == 0 and out == "No broadcasts yet, only unfinished drafts (see --all).\n"
    code, out, _ = run(capsys, "broadcasts", "--all", "--limit", "1", "--db", str(db_path))
    assert code == 0 and "초안" in out


def test_broadcasts_limit_one_shows_the_newest(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for text in ("첫 공지", "둘째 공지"):
        assert (
            run(
                capsys, "--today", "2018-08-21", "broadcast", "--text", text, "--audience", "all", "--db", str(db_path)
            )[0]
            == 0
        )
    code, out, _ = run(capsys, "broadcasts", "--limit", "1", "--db", str(db_path))
    assert code == 0 and "둘째 공지" in out and "첫 공지" not in out


def test_calendar_of_a_known_user_without_subscriptions(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    from db import users

    users.touch(
        connect(db_path),
        user_id=555,
        chat_id=555,
        first_name="민지",
        username=None,
        now=dt.datetime(2018, 8, 21, 9, 0, tzinfo=SEOUL),
    )
    code, out, err = run(capsys, "calendar", "--user", "555", "--db", str(db_path), "--today", "2018-08-21")
    assert (code, out) == (2, "")
    assert err.startswith("hrdbot: 오류: 사용자 555은(는) 구독한 알림이 없습니다")


def test_a_broken_thesaurus_is_a_clear_error_not_a_traceback(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "thesaurus.yaml"
    broken.write_text("지역: [동네\n", encoding="utf-8")
    monkeypatch.setattr("knowledge.thesaurus.THESAURUS_FILE", broken)
    code, out, err = run(capsys, "ask", "--db", str(db_path), "--today", "2018-07-01", "신임자 과정 언제 해요")
    assert code == 2 and out == ""
    assert "thesaurus.yaml" in err and "올바르지 않습니다" in err and "Traceback" not in err


@pytest.mark.parametrize("content", ["intents: [\n", "- 목록\n", "thresholds: {}\n", "intents: {}\nintents: {}\n"])
def test_a_broken_nlu_file_is_a_clear_error_not_a_traceback(
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    content: str,
) -> None:
    broken = tmp_path / "nlu.yaml"
    broken.write_text(content, encoding="utf-8")
    monkeypatch.setattr("knowledge.understand.NLU_FILE", broken)
    code, out, err = run(capsys, "ask", "--db", str(db_path), "--today", "2018-07-01", "신임자 과정 언제 해요")
    assert code == 2 and out == ""
    assert "nlu.yaml" in err and "올바르지 않습니다" in err and "Traceback" not in err
