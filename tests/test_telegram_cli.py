"""``hrdbot run --base-url`` as a real process against the fake Bot API in another process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.fake_bot_api import FakeBotApiProcess

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "4242:CLI-TEST-secret-token-value"


def test_hrdbot_run_serves_commands_and_questions(tmp_path: Path) -> None:
    with FakeBotApiProcess(token=TOKEN) as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
        log_path = tmp_path / "bot.log"
        with open(log_path, "wb") as log:
            bot = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "run",
                    "--base-url",
                    api.base_url,
                    "--db",
                    str(tmp_path / "hrdbot.db"),
                    "--now",
                    "2018-08-21T09:00:00+09:00",
                    "--log-level",
                    "DEBUG",
                ],
                cwd=tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            api.wait_for(1, timeout=60, method="setMyCommands")
            api.send_text(31, "/help")
            api.wait_for(1, timeout=10, chat_id=31)
            api.send_text(31, "2차 필기 합격자 발표 언제예요?")
            api.wait_for(2, timeout=10, chat_id=31)
            help_reply, answer = api.sent_messages(31)
        finally:
            bot.send_signal(signal.SIGINT)
            try:
                code = bot.wait(15)
            except subprocess.TimeoutExpired:
                bot.kill()
                code = bot.wait()
    assert "/courses" in help_reply["params"]["text"]
    assert "2018년 8월 22일(수)" in answer["params"]["text"] and "D-1" in answer["params"]["text"]
    assert code == 0
    log_text = log_path.read_text()
    assert "/bot<token>" in log_text  # PTB logs the URL with the token at DEBUG: redacted
    assert TOKEN not in log_text and "CLI-TEST-secret" not in log_text
