"""Keep the bot token out of every log line (httpx and PTB log URLs that contain it)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

REDACTED = "<token>"


class RedactToken(logging.Filter):
    """Replaces the token (and its secret half) in a record's message and arguments."""

    def __init__(self, token: str) -> None:
        super().__init__()
        secret = token.split(":", 1)[1] if ":" in token else ""
        self._needles = [n for n in (token, secret) if len(n) >= 8]

    def _clean(self, text: str) -> str:
        for needle in self._needles:
            text = text.replace(needle, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._needles:
            return True
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            trace = logging.Formatter().formatException(record.exc_info)
            cleaned = self._clean(trace)
            if cleaned != trace:
                record.exc_text, record.exc_info = cleaned, None
        return True


def install(token: str, loggers: Iterable[str] = ("httpx", "httpcore", "telegram", "hrdbot",
                                                   "apscheduler", "")) -> RedactToken:
    """Attach the filter to the named loggers and to every handler of the root logger."""
    redactor = RedactToken(token)
    for name in loggers:
        logging.getLogger(name).addFilter(redactor)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor
