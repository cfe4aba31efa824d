"""Configuration of ``hrdbot run``: the token (environment or ``.env``) and the transport."""

from __future__ import annotations

import importlib.util
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

TOKEN_VAR = "TELEGRAM_BOT_TOKEN"  # noqa: S105 - the variable name, not a token
BASE_URL_VAR = "HRDBOT_BASE_URL"  # the default of --base-url (a self-hosted Bot API server)
WEBHOOK_SECRET_VAR = "TELEGRAM_WEBHOOK_SECRET"  # noqa: S105


class ConfigError(Exception):
    """The run configuration is unusable; the message says what to set (Korean, with the
    variable names)."""


class MissingTokenError(ConfigError):
    """No bot token was configured."""

    def __init__(self) -> None:
        super().__init__(
            f"{TOKEN_VAR} 가 설정되지 않았습니다 (no bot token). 환경 변수로 지정하거나 현재 "
            f"폴더의 .env 파일에 '{TOKEN_VAR}=<BotFather가 준 토큰>' 한 줄을 적어 주세요."
        )


@dataclass(frozen=True)
class RunConfig:
    """How the bot connects to the Bot API and how it receives updates."""

    token: str
    base_url: str | None = None  # e.g. http://127.0.0.1:8081/bot (the token is appended)
    webhook_url: str | None = None  # set: webhook mode; unset: polling
    listen: str = "127.0.0.1"
    port: int = 8443
    webhook_secret: str | None = None
    concurrent_updates: int = 256
    max_in_flight: int = 16  # Bot API requests at once (the HTTP connection pool size)
    transport: str = "auto"  # "aiohttp" (handlers.transport), "httpx" (PTB's own) or "auto"
    max_retries: int = 3
    retry_backoff: float = 0.5  # seconds; doubles on every retry
    poll_timeout: float = 10.0  # getUpdates long-poll seconds

    @property
    def base_file_url(self) -> str | None:
        if self.base_url and self.base_url.rstrip("/").endswith("/bot"):
            return self.base_url.rstrip("/")[: -len("/bot")] + "/file/bot"
        return None

    @property
    def resolved_transport(self) -> str:
        """'auto' is aiohttp when it is installed (about 2.5x less CPU per message), else httpx."""
        if self.transport != "auto":
            return self.transport
        return "aiohttp" if importlib.util.find_spec("aiohttp") is not None else "httpx"

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path.lstrip("/") or "telegram"

    def __repr__(self) -> str:  # never show the token
        return (
            f"RunConfig(base_url={self.base_url!r}, webhook_url={self.webhook_url!r}, "
            f"listen={self.listen!r}, port={self.port})"
        )


def read_dotenv(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file (``export``, quotes and comments allowed)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path} 를 읽을 수 없습니다 ({type(exc).__name__}). .env 는 UTF-8 "
            "텍스트로 'KEY=VALUE' 줄을 적는 파일입니다."
        ) from None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[name.strip()] = value
    return values


def token_configured(environ: Mapping[str, str], cwd: Path) -> bool:
    """Whether a bot token is set, in the environment or in ``cwd/.env`` (as ``load_config``
    reads it): plain ``hrdbot`` then runs the bot rather than the console chat."""
    return bool((environ.get(TOKEN_VAR) or read_dotenv(cwd / ".env").get(TOKEN_VAR) or "").strip())


def load_config(environ: Mapping[str, str], cwd: Path, **options: object) -> RunConfig:
    """Build the run configuration; the environment wins over ``cwd/.env``.

    ``options`` are ``RunConfig`` fields from the command line (None means "not given").
    Raises ``MissingTokenError`` when no token is configured, ``ConfigError`` for other
    problems.
    """
    dotenv = read_dotenv(cwd / ".env")

    def setting(name: str) -> str | None:
        return (environ.get(name) or dotenv.get(name) or "").strip() or None

    token = setting(TOKEN_VAR)
    if not token:
        raise MissingTokenError()
    given = {k: v for k, v in options.items() if v is not None}
    if "base_url" not in given and setting(BASE_URL_VAR):
        given["base_url"] = setting(BASE_URL_VAR)
    if given.get("webhook_url"):
        if importlib.util.find_spec("tornado") is None:
            raise ConfigError("웹훅 모드에는 추가 패키지가 필요합니다: pip install 'python-telegram-bot[webhooks]'")
        given.setdefault("webhook_secret", setting(WEBHOOK_SECRET_VAR) or secrets.token_urlsafe(32))
    return RunConfig(token=token, **given)  # type: ignore[arg-type]
