"""`hrdbot ask` / `hrdbot chat` contracts (DESIGN.md), including malformed command lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(tmp_path_factory.mktemp("cli")) / "hrdbot.db"
    assert bot.main(["load", "--db", str(path)]) == 0
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = bot.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_prints_reply_text(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "신임자 과정 언제 시작해요?", "--db", str(db_path), "--today", "2018-07-01")
    assert code == 0
    assert "2018년 7월 23일" in out and "2018년 업무보고 기준" in out


def test_ask_json(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "ask", "--json", "2차 필기 합격자 발표 언제임?", "--db", str(db_path), "--today", "2018-07-01"
    )
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"reply", "intent", "confidence", "entities", "suggestions"}
    assert data["intent"] == "exam.schedule"
    assert data["entities"]["round"] == ["second"]
    assert 0 < data["confidence"] <= 1


def test_ask_json_declined_has_null_intent(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "--json", "내일 날씨 어때요", "--db", str(db_path))
    data = json.loads(out)
    assert code == 0 and data["intent"] is None and data["suggestions"]


def test_batch_is_stateless_per_line(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("2차 필기 합격자 발표 언제예요?\n면접은요?\n\n배움관 몇 층?\n", encoding="utf-8")
    code, out, _ = run(capsys, "ask", "--batch", str(batch), "--db", str(db_path), "--today", "2018-07-01")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 4
    assert rows[0]["intent"] == "exam.schedule"
    # Without context "면접은요?" is about every round's interview.
    assert "경력경쟁" in rows[1]["reply"]
    assert rows[2]["intent"] is None
    assert rows[3]["intent"] == "facility.building"


def test_batch_conversation_carries_context(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("2차 필기 합격자 발표 언제예요?\n면접은요?\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "ask", "--batch", str(batch), "--conversation", "--db", str(db_path), "--today", "2018-07-01"
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert rows[1]["entities"]["round"] == ["second"]
    assert "10월 15일" in rows[1]["reply"] and "경력경쟁" not in rows[1]["reply"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask"], "질문을 적어 주세요"),
        (["ask", ""], "질문을 적어 주세요"),
        (["ask", "  "], "질문을 적어 주세요"),
        (["ask", "질문", "--batch", "x.txt"], "질문과 --batch FILE 중 하나만"),
        (["ask", "질문", "--conversation"], "--conversation 은 --batch FILE 과 함께만"),
        (["ask", "--batch", "/nonexistent/q.txt"], "질문 파일이 없습니다"),
    ],
)
def test_ask_usage_errors(db_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run(capsys, *args, "--db", str(db_path))
    assert code == 2 and message in err


def test_batch_file_not_utf8(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes("신임자".encode("euc-kr"))
    code, _, err = run(capsys, "ask", "--batch", str(bad), "--db", str(db_path))
    assert code == 2 and "not UTF-8" in err


@pytest.mark.parametrize("today", ["2018-13-45", "yesterday", "2018/07/01"])
def test_bad_today_is_a_usage_error(db_path: Path, capsys: pytest.CaptureFixture[str], today: str) -> None:
    with pytest.raises(SystemExit) as exc:
        bot.main(["ask", "안녕", "--today", today, "--db", str(db_path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--today" in err and "날짜가 아닙니다" in err and "YYYY-MM-DD" in err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        bot.main(["frobnicate"])
    assert exc.value.code == 2


def test_ask_creates_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new" / "hrdbot.db"
    code, out, _ = run(capsys, "ask", "배움관 몇 층이에요?", "--db", str(path))
    assert code == 0 and path.exists() and "지상 3층" in out


def chat(db_path: Path, talk: str, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """The console chat (``bot.py`` with ``args``) through a real subprocess, with no token set."""
    env = {**os.environ, "HRDBOT_DB": str(db_path), **env_extra}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        input=talk,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_chat_console_conversation(db_path: Path) -> None:
    """The console chat through a real subprocess: context carries, '종료' ends it."""
    proc = chat(db_path, "2차 필기 합격자 발표 언제예요?\n면접은요?\n종료\n", "--today", "2018-07-01")
    assert proc.returncode == 0, proc.stderr
    assert "8월 22일" in proc.stdout
    assert "10월 15일" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_chat_ends_on_eof(db_path: Path) -> None:
    proc = chat(db_path, "안녕\n", "chat")
    assert proc.returncode == 0 and "안녕하세요" in proc.stdout


def test_ask_json_near_miss_has_no_intent(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A known record asked for what the report does not give: the first sentence says so and
    the JSON contract marks it as no answer."""
    code, out, _ = run(
        capsys, "ask", "--json", "6급 미래인재 과정 식비 지원돼요?", "--db", str(db_path), "--today", "2018-07-01"
    )
    data = json.loads(out)
    assert code == 0 and data["intent"] is None and data["confidence"] == 0.0
    assert data["reply"].startswith("6급 미래인재") and "업무보고에 나와 있지 않습니다" in data["reply"]
    assert data["suggestions"]


def test_replies_do_not_depend_on_the_hash_seed(db_path: Path) -> None:
    """The same conversation gets the same replies whatever order Python's sets happen to iterate
    in (two matches of one record give the same forms in whatever order; forms of one length)."""
    talk = "경력경쟁 기술계고졸자 시험과목 뭐예요\n민간위탁사업 실무 교육 몇 명 받아요\n이러닝으로도 나와요?\n종료\n"
    outputs = set()
    for seed in ("1", "2", "3", "7", "11"):
        proc = chat(db_path, talk, "--today", "2018-07-01", PYTHONHASHSEED=seed)
        assert proc.returncode == 0, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1
