"""Building and running the python-telegram-bot ``Application``.

``build_application(config, state, features)`` wires everything; ``running(app)`` serves it
inside an ``async with`` (tests, benchmarks); ``run(app, config)`` blocks in polling or webhook
mode (``hrdbot run``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import importlib.util
import logging
import random
import sys
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any

from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, ContextTypes
from telegram.warnings import PTBDeprecationWarning

from handlers import render
from handlers.config import RunConfig
from handlers.registry import Feature, bot_commands, register
from handlers.send import send
from handlers.state import STATE_KEY, AppState, BotContext

log = logging.getLogger("hrdbot.telegram")

BotApplication = Application[Any, BotContext, Any, Any, Any, Any]


class RetryingRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Retries Bot API calls: 429 after exactly its ``retry_after`` (plus up to ``jitter``
    seconds), only that call waiting; timeouts, network errors and 5xx with exponential backoff
    and jitter, at most ``max_delay``. It does not throttle (replies are one per question).
    ``getMe`` is not retried here: start-up (``wait_for_bot_api``) has its own loop.

    A caller that handles failures itself (e.g. a broadcast engine) passes
    ``rate_limit_args={"max_retries": 0}``.
    """

    def __init__(
        self,
        max_retries: int = 3,
        backoff: float = 0.5,
        max_delay: float = 30.0,
        sleep: Callable[[float], Coroutine[Any, Any, None]] = asyncio.sleep,
        max_in_flight: int = 16,
        jitter: float = 0.5,
    ) -> None:
        self.max_retries = max_retries
        self.jitter = jitter
        self.backoff = backoff
        self.max_delay = max_delay
        self.max_in_flight = max_in_flight
        self._sleep = sleep
        self._slots: asyncio.Semaphore | None = None

    async def initialize(self) -> None:
        """Bound the requests in flight: httpcore's pool does work proportional to
        (waiting requests x connections) on every event, so a long queue is cheaper here."""
        self._slots = asyncio.Semaphore(self.max_in_flight)

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        retries = (rate_limit_args or {}).get("max_retries", self.max_retries)
        if endpoint == "getMe":
            retries = 0
        attempt = failures = 0  # all retries; retries after network errors (for the backoff)
        while True:
            try:
                if self._slots is None:
                    return await callback(*args, **kwargs)
                async with self._slots:
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                # Exactly what the server asked for: a cap would only earn another 429.
                delay = retry_after_seconds(exc) + random.uniform(0, self.jitter)
                error: TelegramError = exc
            except BadRequest:
                raise
            except NetworkError as exc:  # timeouts, connection errors, 5xx
                if attempt >= retries:
                    raise
                delay = min(self.backoff * 2**failures, self.max_delay)
                delay *= 1 + random.random() / 4
                failures += 1
                error = exc
            attempt += 1
            log.warning("%s failed (%s); retry %d of %d in %.2fs", endpoint, error, attempt, retries, delay)
            await self._sleep(delay)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


async def on_error(update: object, context: BotContext) -> None:
    """The one error handler: log with the update id, apologise briefly, keep serving."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.callback_query is not None:
        try:  # stop the button's spinner, if the handler had not yet
            await update.callback_query.answer()
        except TelegramError as exc:  # already answered, or too old: nothing left to stop
            log.debug("callback query of update %s: %s", update_id, exc)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await send(update, context, [render.Out(render.APOLOGY)])
        except TelegramError:
            log.warning("could not send the apology for update %s", update_id, exc_info=True)


def _cache_missing_sniffio() -> None:
    """httpcore tries ``import sniffio`` (optional) every time it creates a lock, several times
    per request; when the package is not installed every attempt searches ``sys.path`` again
    (about 0.4 ms each, a third of the bot's CPU per message). Recording the miss in
    ``sys.modules`` makes the failed import instant; httpcore then assumes asyncio, which is
    what the bot runs on. Installing ``sniffio`` makes this a no-op."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def _polling_failed(exc: TelegramError) -> None:
    """A failed getUpdates (the network is down, the server restarts): one line, no traceback;
    python-telegram-bot tries again with a growing interval."""
    log.warning("업데이트를 받지 못했습니다 (%s: %s); 다시 시도합니다.", type(exc).__name__, exc.message)


def build_application(config: RunConfig, state: AppState, features: Sequence[Feature]) -> BotApplication:
    """The Application with every feature's handlers, the error handler and start-up hooks."""
    _cache_missing_sniffio()

    async def post_init(app: BotApplication) -> None:
        await app.bot.set_my_commands(bot_commands(app.bot_data[STATE_KEY].commands))
        for feature in features:
            for hook in feature.on_startup:
                await hook(app)

    async def post_shutdown(app: BotApplication) -> None:
        for feature in reversed(features):
            for hook in feature.on_shutdown:
                try:
                    await hook(app)
                except Exception:  # one feature's failed clean-up must not skip the others'
                    log.exception("shutting down %s failed", feature.name)

    builder = (
        ApplicationBuilder()
        .token(config.token)
        .context_types(ContextTypes(context=BotContext))
        .rate_limiter(RetryingRateLimiter(config.max_retries, config.retry_backoff, max_in_flight=config.max_in_flight))
        .concurrent_updates(config.concurrent_updates)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if config.resolved_transport == "aiohttp":
        from handlers.transport import AiohttpRequest

        builder = builder.request(AiohttpRequest(config.max_in_flight)).get_updates_request(AiohttpRequest(1))
    else:
        builder = builder.connection_pool_size(config.max_in_flight).pool_timeout(10.0)
    if config.base_url:
        builder = builder.base_url(config.base_url)
    if config.base_file_url:
        builder = builder.base_file_url(config.base_file_url)
    app: BotApplication = builder.build()
    commands = register(app, features)
    app.bot_data[STATE_KEY] = dataclasses.replace(state, commands=commands)
    app.add_error_handler(on_error)
    return app


@contextlib.asynccontextmanager
async def running(app: BotApplication, config: RunConfig) -> AsyncIterator[BotApplication]:
    """Serve ``app`` for the duration of the ``async with``, by webhook when
    ``config.webhook_url`` is set, else by polling (as ``run`` does, without taking over the
    event loop or the signals)."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        if config.webhook_url:
            await app.updater.start_webhook(
                listen=config.listen,
                port=config.port,
                url_path=config.webhook_path,
                webhook_url=config.webhook_url,
                secret_token=config.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await app.updater.start_polling(
                timeout=dt.timedelta(seconds=config.poll_timeout),
                allowed_updates=Update.ALL_TYPES,
                error_callback=_polling_failed,
            )
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


class BotApiRejectedToken(Exception):
    """The Bot API answered getMe with 401/404: the token is wrong (it is never in the text)."""


class NeverConnected(Exception):
    """Stopped before the Bot API ever answered."""

    def __init__(self, last_error: str) -> None:
        super().__init__(last_error)
        self.last_error = last_error


async def wait_for_bot_api(
    bot: Any,
    *,
    sleep: Callable[[float], Coroutine[Any, Any, None]] = asyncio.sleep,
    first_delay: float = 1.0,
    max_delay: float = 60.0,
) -> None:
    """``bot.initialize()`` (which calls getMe) until the Bot API answers, waiting 1, 2, 4 ...
    up to ``max_delay`` seconds between tries and logging each retry on one line.

    Raises ``BotApiRejectedToken`` at once when the token is refused (401/404);
    ``NeverConnected`` (with the last error) when cancelled before any answer.
    """
    attempt = 0
    last_error = ""
    while True:
        try:
            await bot.initialize()
            if attempt:
                log.info("Bot API에 연결했습니다 (%d번 다시 시도한 뒤).", attempt)
            return
        except InvalidToken:
            raise BotApiRejectedToken() from None
        except RetryAfter as exc:
            delay = retry_after_seconds(exc)
            last_error = "429 Too Many Requests"
        except NetworkError as exc:  # refused, unreachable, timed out, 5xx
            delay = min(first_delay * 2**attempt, max_delay) * (1 + random.random() / 10)
            last_error = f"{type(exc).__name__}: {exc.message}"
        attempt += 1
        log.warning(
            "Bot API에 연결할 수 없습니다 (%s); %.0f초 뒤 다시 시도합니다 (%d번째).", last_error, delay, attempt
        )
        try:
            await sleep(delay)
        except asyncio.CancelledError:
            raise NeverConnected(last_error) from None


async def serve(app: BotApplication, config: RunConfig, stop: asyncio.Event) -> None:
    """Wait for the Bot API, serve until ``stop`` is set, and release every connection in
    whatever state it ends (never connected, rejected token, failed start-up, stopped).

    A connection lost during start-up (between getMe and the first poll) sends it back to
    waiting; once serving, python-telegram-bot's polling rides out outages itself.
    """
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while True:
            waiting = asyncio.ensure_future(wait_for_bot_api(app.bot))
            await asyncio.wait({waiting, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not waiting.done():
                waiting.cancel()
            try:
                await waiting
            except asyncio.CancelledError:
                raise NeverConnected("") from None
            if stop.is_set():
                return
            if config.webhook_url:
                log.info("webhook mode: listening on %s:%d/%s", config.listen, config.port, config.webhook_path)
            else:
                log.info("polling %s", config.base_url or "the Telegram Bot API")
            started = False
            try:
                async with running(app, config):
                    started = True
                    await stopping
                return
            except NetworkError as exc:
                if started:
                    raise
                log.warning(
                    "시작하는 도중 Bot API 연결이 끊겼습니다 (%s: %s); 다시 연결을 기다립니다.",
                    type(exc).__name__,
                    exc.message,
                )
    finally:
        stopping.cancel()
        await app.bot.shutdown()  # a no-op when running() has already closed it


def run(app: BotApplication, config: RunConfig) -> None:
    """Block serving ``app`` (webhook mode when ``config.webhook_url`` is set, else polling)
    until SIGINT or SIGTERM. Raises ``BotApiRejectedToken`` or ``NeverConnected``."""
    import signal

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(app, config, stop)

    asyncio.run(main())
