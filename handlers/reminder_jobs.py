"""The reminder feature on Telegram: its commands, and the scheduler adapter.

The database is the record; the scheduler only wakes the bot up. At start-up, and every hour
after, ``reschedule`` asks the service when anything may fall due in the next 26 hours and
registers one JobQueue job per instant under a stable id (``reminders:wake:2018-07-16T09:00``),
replacing what is there, so re-registering is idempotent and a date changed by ``hrdbot load``
is picked up. Every wake-up runs ``ReminderService.deliver_due(clock.now(), ...)``, which sends
what is due and not yet in the ledger; the first one runs right after start-up, so reminders
missed while the bot was down go out (within the grace period).

The scheduler runs on the machine's clock; the bot's clock (``hrdbot run --now``) may be
elsewhere in time, so jobs are registered as "in so much time" from the bot's ``now``. This
module is the only reminder code that calls ``clock.now()``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import warnings
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, CallbackQueryHandler
from telegram.warnings import PTBDeprecationWarning

from handlers.ratelimit import RateLimiter, shared_limiter
from handlers.registry import Command, Feature
from handlers.reminder_delivery import Blocked, ReminderService, RetryLater, SendFailed
from handlers.state import STATE_KEY, BotContext
from knowledge.reminders import ReminderConfig, load_config

log = logging.getLogger("hrdbot.reminders")

SERVICE_KEY = "hrdbot.reminders"
WAKE_PREFIX = "reminders:wake:"
REPLAN_ID = "reminders:replan"
CATCH_UP_ID = "reminders:catch-up"
RETRY_ID = "reminders:retry"
HORIZON = dt.timedelta(hours=26)
REPLAN_EVERY = dt.timedelta(hours=1)
DEFAULT_RATE = 25.0  # messages per second


class TelegramSender:
    """``Sender`` over a Telegram bot: paces sends and maps Bot API errors to delivery outcomes."""

    def __init__(self, bot: Bot, rate: float = DEFAULT_RATE, *, limiter: RateLimiter | None = None) -> None:
        self.bot = bot
        self.limiter = limiter or RateLimiter(rate if rate > 0 else None)

    async def send(self, chat_id: int, text: str) -> None:
        slot = await self.limiter.acquire(chat_id)
        try:
            await self.bot.send_message(chat_id, text, rate_limit_args={"max_retries": 0})
        except Forbidden as exc:
            raise Blocked() from exc
        except RetryAfter as exc:  # that chat waits exactly retry_after (plus jitter)
            raise RetryLater(_seconds(exc) + random.uniform(0, 0.5), chat_only=True) from exc
        except TimedOut as exc:  # it may have arrived: do not risk a duplicate
            raise SendFailed(f"timed out: {exc.message}") from exc
        except BadRequest as exc:
            raise SendFailed(exc.message) from exc
        except NetworkError as exc:  # not sent (connection refused, 5xx): try again later
            raise RetryLater(30.0) from exc
        except TelegramError as exc:
            raise SendFailed(exc.message) from exc
        finally:
            self.limiter.release(slot)


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def service(context: BotContext | Application[Any, Any, Any, Any, Any, Any]) -> ReminderService:
    """The reminder service of a running application (set up at start-up)."""
    return context.bot_data[SERVICE_KEY]


def reschedule(app: Application[Any, Any, Any, Any, Any, Any]) -> list[dt.datetime]:
    """(Re-)register the wake-ups of the next ``HORIZON`` under stable ids; drop stale ones."""
    queue = app.job_queue
    if queue is None or SERVICE_KEY not in app.bot_data:
        return []
    now = app.bot_data[STATE_KEY].clock.now()
    times = [t for t in service(app).wake_times(now, now + HORIZON) if t > now]
    grace = service(app).config.defaults.grace
    wanted = {f"{WAKE_PREFIX}{t:%Y-%m-%dT%H:%M%z}": t for t in times}
    for job in queue.jobs():
        if job.name and job.name.startswith(WAKE_PREFIX) and job.name not in wanted:
            job.schedule_removal()
    for job_id, at in wanted.items():
        queue.run_once(
            wake,
            at - now,
            name=job_id,
            job_kwargs={
                "id": job_id,
                "replace_existing": True,
                "coalesce": True,
                "misfire_grace_time": int(grace.total_seconds()),
            },
        )
    return times


async def wake(context: BotContext) -> None:
    """A scheduler wake-up: deliver what is due now."""
    app = context.application
    now = context.state.clock.now()
    rate = app.bot_data.get("hrdbot.reminders.rate", DEFAULT_RATE)
    limiter = shared_limiter(app.bot_data, rate if rate > 0 else None)  # 0: unlimited (tests)
    report = await service(app).deliver_due(now, TelegramSender(context.bot, limiter=limiter))
    if report.sent or report.skipped or report.blocked or report.failed:
        log.info("reminders at %s: %s", now.isoformat(timespec="seconds"), report)
    if report.retry_after is not None and app.job_queue is not None:
        app.job_queue.run_once(
            wake, report.retry_after, name=RETRY_ID, job_kwargs={"id": RETRY_ID, "replace_existing": True}
        )


async def replan(context: BotContext) -> None:
    """Every hour: follow changed settings and reloaded knowledge."""
    reschedule(context.application)


def start(config: ReminderConfig | None = None, *, rate: float = DEFAULT_RATE):  # noqa: ANN201
    """The start-up hook: create the service, catch up at once, plan the wake-ups."""

    async def hook(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        state = app.bot_data[STATE_KEY]
        app.bot_data[SERVICE_KEY] = ReminderService(state.db, config or load_config())
        app.bot_data["hrdbot.reminders.rate"] = rate
        queue = app.job_queue
        if queue is None:
            log.warning("no JobQueue (install python-telegram-bot[job-queue]): no reminders")
            return
        queue.run_once(wake, 0, name=CATCH_UP_ID, job_kwargs={"id": CATCH_UP_ID, "replace_existing": True})
        queue.run_repeating(
            replan,
            REPLAN_EVERY,
            first=REPLAN_EVERY,
            name=REPLAN_ID,
            job_kwargs={"id": REPLAN_ID, "replace_existing": True},
        )
        reschedule(app)

    return hook


def reminders_feature(config: ReminderConfig | None = None, *, rate: float = DEFAULT_RATE) -> Feature:
    """Subscriptions, settings, /calendar and the reminder jobs.

    ``config`` defaults to ``knowledge/reminders.yaml``, read (and validated) here, so a
    malformed file stops ``hrdbot run`` before it connects.
    """
    from handlers import private, subscriptions

    config = config or load_config()
    return Feature(
        name="reminders",
        commands=(
            Command("subscribe", "일정 알림 구독 (시험 일정·교육과정·어린이집·공지)", subscriptions.subscribe),
            Command("unsubscribe", "일정 알림 해지", subscriptions.unsubscribe),
            Command("settings", "알림 설정 (매일 알림 시각·방해 금지 시간)", subscriptions.settings),
            Command("calendar", "구독한 일정을 캘린더 파일(.ics)로 받기", subscriptions.calendar),
        ),
        handlers=(
            CallbackQueryHandler(subscriptions.on_button, pattern=r"^r[st]:"),
            private.start_link(subscriptions.START_LINKS, subscriptions.start_link),
        ),
        on_startup=(start(config, rate=rate),),
    )
