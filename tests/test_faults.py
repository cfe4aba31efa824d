"""Faults end in a clear message, run as an operator would: the ``hrdbot`` of this virtualenv
as a real process, a real SQLite file, the fake Bot API as a real server (issue 11).

Every case checks the exit code, a Korean message saying what happened and what to do, no
traceback and, where a token is configured, that neither the token nor its secret half shows.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotApiProcess

ROOT = Path(__file__).resolve().parent.parent
HRDBOT = str(Path(sys.executable).parent / "hrdbot")
TOKEN = "4242:FAULTS-secret-token-value"
SECRET = "FAULTS-secret"


def env(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "HRDBOT_DB", "HRDBOT_BASE_URL")}
    return {**environ, "PYTHONPATH": str(ROOT), **extra}


def hrdbot(*args: str, cwd: Path, stdin: str | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HRDBOT, *args],
        cwd=cwd,
        env=env(**extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_clean(output: str) -> None:
    assert "Traceback" not in output and "Unclosed" not in output, output
    assert TOKEN not in output and SECRET not in output, output


@pytest.fixture(scope="module", autouse=True)
def _installed() -> None:
    if not Path(HRDBOT).exists():
        pytest.skip("the hrdbot script is not installed in this virtualenv (pip install -e .)")


# --- unusable database paths --------------------------------------------------------------------


def _directory(tmp: Path) -> Path:
    (tmp / "adir").mkdir()
    return tmp / "adir"


def _not_a_database(tmp: Path) -> Path:
    (tmp / "notes.db").write_text("이건 데이터베이스가 아닙니다\n" * 50, encoding="utf-8")
    return tmp / "notes.db"


def _parent_is_a_file(tmp: Path) -> Path:
    (tmp / "afile").write_text("x")
    return tmp / "afile" / "hrdbot.db"


def _cannot_be_created(tmp: Path) -> Path:
    return Path("/proc/hrdbot-cannot-create/hrdbot.db")  # even root cannot create this


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_directory, "Is a directory"),
        (_not_a_database, "file is not a database"),
        (_parent_is_a_file, "afile"),
        (_cannot_be_created, "/proc/hrdbot-cannot-create"),
    ],
    ids=["directory", "not-a-database", "parent-is-a-file", "cannot-be-created"],
)
@pytest.mark.parametrize("command", [["ask", "배움관 몇 층이에요?"], ["broadcasts"]], ids=["ask", "broadcasts"])
def test_unusable_database_path(tmp_path: Path, make, reason: str, command: list[str]) -> None:
    path = make(tmp_path)
    before = path.read_bytes() if path.is_file() else None
    proc = hrdbot(*command, "--db", str(path), "--today", "2018-07-01", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert line.startswith("hrdbot: 오류: 데이터베이스를 열 수 없습니다")
    assert reason in line and "--db" in line  # what happened, and what to do
    assert_clean(proc.stderr)
    if before is not None:
        assert path.read_bytes() == before


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = hrdbot("ask", "안녕", "--db", str(_directory(tmp_path)), "--debug", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" in proc.stderr and "데이터베이스를 열 수 없습니다" in proc.stderr


# --- closed output -------------------------------------------------------------------------------


def test_batch_into_head_ends_quietly(db_path: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.txt"
    batch.write_text("신임자 과정 언제 시작해요?\n배움관 몇 층이에요?\n" * 150, encoding="utf-8")
    proc = subprocess.run(
        [
            "bash",
            "-c",
            f'"{HRDBOT}" ask --batch "{batch}" --db "{db_path}" --today 2018-07-01 '
            '2>err.txt | head -1; echo "exit=${PIPESTATUS[0]}"',
        ],
        cwd=tmp_path,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    first, status = proc.stdout.splitlines()
    assert first.startswith('{"reply": ') and status == "exit=1"
    err = (tmp_path / "err.txt").read_text(encoding="utf-8")
    assert "BrokenPipeError" not in err and "Exception ignored" not in err
    assert err.splitlines() == ["hrdbot: 오류: 출력을 받던 쪽이 먼저 닫혀 나머지를 쓰지 않았습니다 (broken pipe)."]


# --- six first runs at once ----------------------------------------------------------------------


@pytest.mark.parametrize("trial", range(3))
def test_six_first_runs_at_once_on_a_new_database(tmp_path: Path, trial: int) -> None:
    path = tmp_path / "new" / "hrdbot.db"
    question = ["ask", "--json", "2차 필기 합격자 발표 언제예요?", "--db", str(path), "--today", "2018-07-01"]
    procs = [
        subprocess.Popen(
            [HRDBOT, *question], cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    results = [(p.wait(120), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, err
        assert "8월 22일" in out and err == ""
    proc = hrdbot("broadcasts", "--db", str(path), cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == "No broadcasts yet.\n"


# --- the Bot API unreachable, refusing the token, or down at start --------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_bot(tmp_path: Path, base_url: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [
                HRDBOT,
                "run",
                "--base-url",
                base_url,
                "--db",
                str(tmp_path / "hrdbot.db"),
                "--now",
                "2018-08-21T09:00:00+09:00",
                *extra,
            ],
            cwd=tmp_path,
            env=env(TELEGRAM_BOT_TOKEN=TOKEN),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for_text(log: Path, text: str, count: int = 1, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.read_text(encoding="utf-8", errors="replace").count(text) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} x{count} not in:\n{log.read_text(errors='replace')}")


def stop(bot: subprocess.Popen[bytes]) -> int:
    bot.send_signal(signal.SIGTERM)
    try:
        return bot.wait(30)
    except subprocess.TimeoutExpired:
        bot.kill()
        bot.wait()
        raise


def test_unreachable_bot_api_is_retried_then_stopped_with_a_message(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    bot = start_bot(tmp_path, f"http://127.0.0.1:{free_port()}/bot", log)
    try:
        wait_for_text(log, "다시 시도합니다", count=2)
    finally:
        code = stop(bot)
    text = log.read_text(encoding="utf-8")
    assert code == 1
    retries = [line for line in text.splitlines() if "다시 시도합니다" in line]
    assert len(retries) >= 2 and all("Bot API에 연결할 수 없습니다" in line for line in retries)
    assert text.splitlines()[-1].startswith("hrdbot: 오류: Bot API에 한 번도 연결하지 못한 채 ")
    assert "--base-url" in text.splitlines()[-1]
    assert_clean(text)


def test_rejected_token_stops_at_once(tmp_path: Path) -> None:
    with FakeBotApiProcess(token=TOKEN) as api:
        # A server that echoes the token back in its error, at every level of logging.
        api.fail_next("getMe", 401, times=None, description=f"Unauthorized: the token {TOKEN} ({SECRET}) is not valid")
        log = tmp_path / "bot.log"
        bot = start_bot(tmp_path, api.base_url, log, "--log-level", "DEBUG")
        try:
            code = bot.wait(60)
        finally:
            if bot.poll() is None:
                bot.kill()
        text = log.read_text(encoding="utf-8")
        assert len(api.calls("getMe")) == 1  # no retries for a refused token
    assert code == 2
    assert text.splitlines()[-1].startswith("hrdbot: 오류: Bot API가 토큰을 거부했습니다")
    assert "TELEGRAM_BOT_TOKEN" in text.splitlines()[-1]
    assert_clean(text)


def test_bot_started_during_an_outage_answers_once_the_api_is_back(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "bot.log"
    bot = start_bot(tmp_path, f"http://127.0.0.1:{port}/bot", log)
    try:
        wait_for_text(log, "다시 시도합니다")
        with FakeBotApiProcess(token=TOKEN, port=port) as api:
            api.wait_for(1, timeout=60, method="setMyCommands")
            api.send_text(31, "2차 필기 합격자 발표 언제예요?")
            api.wait_for(1, timeout=20, chat_id=31)
            [answer] = api.sent_messages(31)
            code = stop(bot)
    finally:
        if bot.poll() is None:
            bot.kill()
    assert "2018년 8월 22일(수)" in answer["params"]["text"]
    assert code == 0
    text = log.read_text(encoding="utf-8")
    assert "Bot API에 연결했습니다" in text
    assert_clean(text)


def test_plain_hrdbot_with_the_token_in_dotenv_runs_the_bot(tmp_path: Path) -> None:
    with FakeBotApiProcess(token=TOKEN) as api:
        (tmp_path / ".env").write_text(
            f"TELEGRAM_BOT_TOKEN={TOKEN}\nHRDBOT_BASE_URL={api.base_url}\n", encoding="utf-8"
        )
        log = tmp_path / "bot.log"
        with open(log, "wb") as out:
            bot = subprocess.Popen(
                [HRDBOT, "--db", str(tmp_path / "hrdbot.db"), "--today", "2018-08-21"],
                cwd=tmp_path,
                env=env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            api.wait_for(1, timeout=60, method="setMyCommands")
            api.send_text(32, "배움관 몇 층이에요?")
            api.wait_for(1, timeout=20, chat_id=32)
            code = stop(bot)
        finally:
            if bot.poll() is None:
                bot.kill()
        [answer] = api.sent_messages(32)
    assert "지상 3층" in answer["params"]["text"] and code == 0
    assert_clean(log.read_text(encoding="utf-8"))


# --- CLI consistency -----------------------------------------------------------------------------


def test_batch_from_standard_input(db_path: Path, tmp_path: Path) -> None:
    proc = hrdbot(
        "ask",
        "--batch",
        "-",
        "--db",
        str(db_path),
        "--today",
        "2018-07-01",
        cwd=tmp_path,
        stdin="2차 필기 합격자 발표 언제예요?\n면접은요?\n",
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2 and "8월 22일" in proc.stdout


def test_first_run_at_the_real_date_tells_once_how_to_try_2018(tmp_path: Path) -> None:
    path = tmp_path / "hrdbot.db"
    first = hrdbot("ask", "배움관 몇 층이에요?", "--db", str(path), cwd=tmp_path)
    second = hrdbot("ask", "배움관 몇 층이에요?", "--db", str(path), cwd=tmp_path)
    assert first.returncode == second.returncode == 0
    assert "2018년 업무보고 기준" in first.stderr and "--today 2018-07-01" in first.stderr
    assert second.stderr == ""


def test_a_2018_date_gets_no_notice(tmp_path: Path) -> None:
    proc = hrdbot("ask", "배움관 몇 층이에요?", "--db", str(tmp_path / "x.db"), "--today", "2018-07-01", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == ""


def test_readme_says_how_to_try_a_2018_date() -> None:
    assert "--today 2018-07-01" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_dotenv_that_is_not_text_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes("TELEGRAM_BOT_TOKEN=한글".encode("euc-kr"))
    proc = hrdbot("run", "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert proc.returncode == 2 and ".env" in proc.stderr and "UTF-8" in proc.stderr
    assert_clean(proc.stderr)


def test_missing_token_is_a_clear_error(tmp_path: Path) -> None:
    proc = hrdbot("run", "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("hrdbot: 오류: TELEGRAM_BOT_TOKEN 가 설정되지 않았습니다")
    assert len(proc.stderr.splitlines()) == 1
