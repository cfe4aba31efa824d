"""Keep the bot token out of everything the process writes about itself.

``install(token)`` works at the root: a log-record factory cleans every record of every logger
(ours, PTB's, httpx's, aiohttp's, asyncio's ...) when it is made, message, arguments (their
``str`` and ``repr``), exception text and stack alike, before any handler or filter sees it;
the exception hooks clean tracebacks that reach stderr without logging. ``scrub(text)`` cleans a
message the command line prints itself.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

REDACTED = "<token>"

_needles: list[str] = []
_previous_factory: Callable[..., logging.LogRecord] | None = None


def needles_of(token: str) -> list[str]:
    """The token and its secret half (a URL or a message may hold either), longest first."""
    secret = token.split(":", 1)[1] if ":" in token else ""
    return [n for n in (token, secret) if len(n) >= 8]


def scrub(text: str, needles: list[str] | None = None) -> str:
    """``text`` with the installed token (or ``needles``) replaced by ``<token>``."""
    for needle in _needles if needles is None else needles:
        text = text.replace(needle, REDACTED)
    return text


def clean_record(record: logging.LogRecord, needles: list[str] | None = None) -> logging.LogRecord:
    """Render the record's message and exception now, without the token."""
    needles = _needles if needles is None else needles
    if not needles:
        return record
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string is logging's to report, not ours
        return record
    cleaned = scrub(message, needles)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = scrub(logging.Formatter().formatException(record.exc_info), needles)
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = scrub(record.exc_text, needles)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info, needles)
    return record


class RedactToken(logging.Filter):
    """A handler filter doing what the record factory does, for records made elsewhere
    (``logging.makeLogRecord``) and handlers of other processes' records."""

    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self._needles = None if token is None else needles_of(token)

    def filter(self, record: logging.LogRecord) -> bool:
        clean_record(record, self._needles)
        return True


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    sys.stderr.write(scrub("".join(traceback.format_exception(kind, value, tb))))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def install(token: str) -> None:
    """From now on, no log record, handler output or uncaught traceback shows ``token``."""
    global _previous_factory
    _needles[:] = needles_of(token)
    if _previous_factory is None:
        _previous_factory = logging.getLogRecordFactory()
        previous = _previous_factory

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return clean_record(previous(*args, **kwargs))

        logging.setLogRecordFactory(factory)
        sys.excepthook = _excepthook
        threading.excepthook = _thread_excepthook
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactToken) for f in handler.filters):
            handler.addFilter(RedactToken())


def uninstall() -> None:
    """Back to plain logging (tests that install a token)."""
    global _previous_factory
    if _previous_factory is not None:
        logging.setLogRecordFactory(_previous_factory)
        _previous_factory = None
        sys.excepthook = sys.__excepthook__
        threading.excepthook = threading.__excepthook__
    _needles.clear()
    for handler in logging.getLogger().handlers:
        for f in [f for f in handler.filters if isinstance(f, RedactToken)]:
            handler.removeFilter(f)
