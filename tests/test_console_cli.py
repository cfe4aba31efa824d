"""`hrdbot console` as a new user meets it: a real process, a real port, plain HTTP requests."""

from __future__ import annotations

import http.cookiejar
import json
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DECLINED = "뉴비과정 언제 시작해요?"


def hrdbot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """urllib with a cookie jar; returns (status, body) and never raises on 4xx."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=30) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


@pytest.fixture
def served(tmp_path: Path, data_copy: Path) -> Iterator[tuple[str, str, Path]]:
    db = tmp_path / "hrdbot.db"
    assert hrdbot("load", str(data_copy), "--db", str(db)).returncode == 0
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "console", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        yield line, f"http://127.0.0.1:{port}", db
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def test_a_new_user_signs_in_once_sees_declined_questions_and_queues_a_notice(served: tuple[str, str, Path]) -> None:
    line, base, db = served
    match = re.fullmatch(
        r"hrdbot console: open (http://127\.0\.0\.1:\d+/login\?token=[\w-]+) "
        r"\(valid 10 minutes, works once\)\n",
        line,
    )
    assert match, line
    url = match.group(1)
    assert url.startswith(base)
    first = Browser()
    assert first.open(base + "/unanswered")[0] == 401
    assert json.loads(hrdbot("ask", "--db", str(db), "--json", DECLINED).stdout)["intent"] is None
    status, page = first.open(url)  # follows the redirect to the dashboard
    assert status == 200 and "<svg" in page
    status, page = first.open(base + "/unanswered")
    assert status == 200 and DECLINED in page
    status, page = first.open(base + "/knowledge")
    assert status == 200 and all(f">{name}<" in page for name in ("exams.yaml", "programs.yaml"))
    second = Browser()
    assert second.open(url)[0] == 403
    assert second.open(base + "/unanswered")[0] == 401
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    notice = {"text": "내일 09시 교육장 변경 안내", "audience": "all"}
    assert first.open(base + "/broadcasts", notice)[0] == 403
    assert json.loads(hrdbot("broadcasts", "--db", str(db), "--json").stdout) == []
    status, page = first.open(base + "/broadcasts", {**notice, "csrf": csrf})
    assert status == 200 and 'id="queued"' in page
    [b] = json.loads(hrdbot("broadcasts", "--db", str(db), "--json").stdout)
    assert b["state"] == "queued" and b["text"] == notice["text"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--port", "http"], "포트 번호가 아닙니다"),
        (["--port", "70000"], "포트 번호가 아닙니다"),
        (["--knowledge-dir", "/nonexistent/dir"], "is not a directory"),
        (["--host", "256.1.1.1"], "cannot listen on"),
    ],
)
def test_bad_console_options_exit_2_with_a_clear_line(
    tmp_path: Path, db_path: Path, args: list[str], words: str
) -> None:
    proc = hrdbot("console", "--db", str(db_path), *args)
    assert proc.returncode == 2
    assert words in proc.stderr and "Traceback" not in proc.stderr


def test_a_port_in_use_exits_2(db_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        proc = hrdbot("console", "--db", str(db_path), "--port", str(s.getsockname()[1]))
    assert proc.returncode == 2 and "cannot listen on" in proc.stderr


@pytest.mark.parametrize("value", ["abc", "-1", "65536"])
def test_run_rejects_a_bad_console_port(db_path: Path, value: str) -> None:
    proc = hrdbot("run", "--db", str(db_path), "--console-port", value)
    assert proc.returncode == 2 and "포트 번호가 아닙니다" in proc.stderr
