"""``hrdbot run`` configuration, token redaction, the retrying limiter, the registry, the clock."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

import bot
from handlers.app import RetryingRateLimiter
from handlers.clock import StartedClock
from handlers.config import MissingTokenError, RunConfig, load_config, read_dotenv
from handlers.redact import RedactToken
from handlers.registry import Command, Feature, all_commands, bot_commands

TOKEN = "123456789:AAH-very-secret-token"


def test_token_from_the_environment_wins_over_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN=from-file-{TOKEN}\n")
    config = load_config({"TELEGRAM_BOT_TOKEN": TOKEN}, tmp_path)
    assert config.token == TOKEN


def test_token_from_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text('# comment\nexport OTHER=1\nTELEGRAM_BOT_TOKEN="' + TOKEN + '"\n')
    assert load_config({}, tmp_path).token == TOKEN


def test_dotenv_parsing(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\nexport B='two words'\nC=3 # note\n\nbroken line\nD=\n")
    assert read_dotenv(path) == {"A": "1", "B": "two words", "C": "3", "D": ""}
    assert read_dotenv(tmp_path / "missing") == {}


def test_missing_token_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(MissingTokenError, match="TELEGRAM_BOT_TOKEN"):
        load_config({"TELEGRAM_BOT_TOKEN": "  "}, tmp_path)


def test_run_without_token_says_what_to_set_and_exits_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    assert bot.main(["run", "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in err and "설정" in err and ".env" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x.db").exists()  # nothing was opened


def test_options_and_webhook_secret(tmp_path: Path) -> None:
    config = load_config(
        {"TELEGRAM_BOT_TOKEN": TOKEN}, tmp_path, base_url="http://127.0.0.1:9/bot", webhook_url=None, port=None
    )
    assert config.base_url == "http://127.0.0.1:9/bot"
    assert config.base_file_url == "http://127.0.0.1:9/file/bot"
    assert config.webhook_url is None and config.webhook_secret is None
    pytest.importorskip("tornado")
    hooked = load_config(
        {"TELEGRAM_BOT_TOKEN": TOKEN}, tmp_path, webhook_url="https://bot.example.org/tg/hook", port=8443
    )
    assert hooked.webhook_path == "tg/hook"
    assert hooked.webhook_secret and len(hooked.webhook_secret) >= 32
    fixed = load_config(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "abc"},
        tmp_path,
        webhook_url="https://bot.example.org/hook",
    )
    assert fixed.webhook_secret == "abc"


def test_config_repr_hides_the_token() -> None:
    assert TOKEN not in repr(RunConfig(token=TOKEN))


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, msg, args, None)


def test_redaction_of_messages_arguments_and_tracebacks() -> None:
    redact = RedactToken(TOKEN)
    record = _record('HTTP Request: POST %s "200 OK"', f"https://api.telegram.org/bot{TOKEN}/getMe")
    assert redact.filter(record)
    assert record.getMessage() == 'HTTP Request: POST https://api.telegram.org/bot<token>/getMe "200 OK"'
    try:
        raise RuntimeError(f"failed at /bot{TOKEN}/sendMessage")
    except RuntimeError as exc:
        failing = logging.LogRecord(
            "telegram", logging.ERROR, __file__, 1, "boom", None, (type(exc), exc, exc.__traceback__)
        )
    redact.filter(failing)
    text = logging.Formatter().format(failing)
    assert TOKEN not in text and "/bot<token>/sendMessage" in text
    assert "AAH-very-secret-token" not in text


# --- the retrying rate limiter ---------------------------------------------------------------


class Flaky:
    """Fails with the given errors, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> dict[str, Any]:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"ok": True}


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def _process(limiter: RetryingRateLimiter, flaky: Flaky, args: dict[str, Any] | None = None) -> Any:
    return await limiter.process_request(flaky, (), {}, "sendMessage", {}, args)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_limiter_honours_retry_after_and_backs_off() -> None:
    sleeps = Sleeps()
    limiter = RetryingRateLimiter(max_retries=3, backoff=0.5, sleep=sleeps)
    flaky = Flaky(RetryAfter(7), NetworkError("Internal Server Error (500)"), TimedOut())
    assert await _process(limiter, flaky) == {"ok": True}
    assert flaky.calls == 4
    assert 7 <= sleeps.delays[0] <= 7.5  # retry_after plus at most half a second of jitter
    assert 0.5 <= sleeps.delays[1] <= 0.625 and 1.0 <= sleeps.delays[2] <= 1.25


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("retry_after", [1, 60, 300])
async def test_limiter_waits_the_whole_retry_after(retry_after: int) -> None:
    """No cap: a 429 asking for 60 s is retried after 60 s, not after 30."""
    sleeps = Sleeps()
    limiter = RetryingRateLimiter(max_retries=1, max_delay=30.0, sleep=sleeps)
    assert await _process(limiter, Flaky(RetryAfter(retry_after))) == {"ok": True}
    [delay] = sleeps.delays
    assert retry_after <= delay <= retry_after + 0.5


async def test_limiter_gives_up_after_max_retries() -> None:
    sleeps = Sleeps()
    limiter = RetryingRateLimiter(max_retries=2, backoff=0.1, sleep=sleeps)
    with pytest.raises(NetworkError):
        await _process(limiter, Flaky(*[NetworkError("Bad Gateway")] * 3))
    assert len(sleeps.delays) == 2


@pytest.mark.parametrize(
    "error", [BadRequest("Bad Request: chat not found"), Forbidden("Forbidden: bot was blocked by the user")]
)
async def test_limiter_does_not_retry_client_errors(error: Exception) -> None:
    flaky = Flaky(error)
    with pytest.raises(type(error)):
        await _process(RetryingRateLimiter(sleep=Sleeps()), flaky)
    assert flaky.calls == 1


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_limiter_opt_out_per_call() -> None:
    flaky = Flaky(RetryAfter(3))
    with pytest.raises(RetryAfter):
        await _process(RetryingRateLimiter(sleep=Sleeps()), flaky, {"max_retries": 0})
    assert flaky.calls == 1


# --- registry and clock ----------------------------------------------------------------------


async def _noop(update: object, context: object) -> None:
    return None


def test_registry_rejects_bad_and_duplicate_commands() -> None:
    with pytest.raises(ValueError, match="1-32"):
        Command("Bad-Name", "설명", _noop)
    with pytest.raises(ValueError, match="description"):
        Command("empty", "", _noop)
    one = Feature("one", commands=(Command("x", "엑스", _noop),))
    two = Feature("two", commands=(Command("x", "또 엑스", _noop),))
    with pytest.raises(ValueError, match="both one and two"):
        all_commands([one, two])


def test_staff_commands_stay_out_of_the_public_menu() -> None:
    feature = Feature(
        "f", commands=(Command("help", "도움말", _noop), Command("broadcast", "공지", _noop, staff_only=True))
    )
    assert [c.command for c in bot_commands(all_commands([feature]))] == ["help"]


def test_started_clock_runs_forward_from_its_start() -> None:
    ticks = iter([100.0, 160.5])
    start = dt.datetime(2018, 8, 21, 8, 29, tzinfo=ZoneInfo("Asia/Seoul"))
    clock = StartedClock(start, monotonic=lambda: next(ticks))
    assert clock.now() == start + dt.timedelta(seconds=60.5)
    with pytest.raises(ValueError, match="aware"):
        StartedClock(dt.datetime(2018, 8, 21))


def test_run_now_option_is_an_aware_seoul_instant() -> None:
    args = bot.build_parser().parse_args(["run", "--now", "2018-08-21T08:29:00"])
    assert args.now == dt.datetime(2018, 8, 21, 8, 29, tzinfo=ZoneInfo("Asia/Seoul"))
    utc = bot.build_parser().parse_args(["run", "--now", "2018-08-20T23:29:00+00:00"]).now
    assert utc == args.now
    with pytest.raises(SystemExit):
        bot.build_parser().parse_args(["run", "--now", "내일 아침"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@hrd_test_bot 면접 언제예요?", "면접 언제예요?"),
        ("면접 @HRD_Test_Bot 언제예요?", "면접 언제예요?"),
        ("@hrd_test_bot_two 안녕", "@hrd_test_bot_two 안녕"),
        ("  공백   많은   질문 ", "공백 많은 질문"),
    ],
)
def test_strip_mention(text: str, expected: str) -> None:
    from handlers.parse import strip_mention

    assert strip_mention(text, "hrd_test_bot") == expected
