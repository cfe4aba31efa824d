"""The broadcast delivery engine: one asyncio task owned by the running bot.

It works through the database (``db.broadcasts``), one broadcast at a time, oldest first:

* **Streaming.** The audience is copied page by page into delivery rows; deliveries are claimed
  a few at a time (at most ``window`` claimed at once), never loaded all at once.
* **Rate.** ``RateLimiter`` keeps the Bot API calls at most ``rate`` in any one-second window and
  one per chat per second, measured conservatively: the next call waits for one second after the
  *answer* to the call ``rate`` calls back, so the limit holds however the requests are delayed
  on the way. Question answering never waits for it: the engine has its own task and its own
  HTTP connection pool.
* **Errors.** 429 puts that one delivery back until its ``retry_after``; 403 marks it blocked and
  the user inactive, never retried; timeouts, network errors and 5xx are retried with doubling
  backoff up to ``max_attempts``, then failed; other 400s fail at once.
* **Crash safety.** A delivery is claimed (committed) before its call and recorded right after
  its answer, in the same event-loop step. After a SIGKILL the claimed rows go back to pending
  on the next start, so nobody is missed; the only messages that can arrive twice are those in
  flight at the kill: at most ``window`` (``HRDBOT_BROADCAST_WINDOW``, default 8).
* **Progress.** The staff member who sent it sees one message edited every ``progress_every``
  seconds, and a final report. If posting the progress message fails (429, 5xx), it is tried
  again at the next progress tick until it is posted.
* **Roles.** Just before a broadcast is prepared, and every second while it is sent, the
  author's staff role is checked again: a notice whose author lost the role is cancelled (what
  was sent stays sent), with an ``audit_log`` row ``broadcast.author_revoked`` and a message to
  the chat it was written in. Broadcasts queued from the command line have no author.
* **Drafts.** Composer drafts whose time is up are cancelled here, and their authors told.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import logging
import math
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlite_utils import Database

from db import broadcasts as bdb
from db import roles
from db.ops import audit
from handlers import broadcast_text as text
from handlers.clock import Clock
from handlers.config import ConfigError
from handlers.ratelimit import RateLimiter, Slot

log = logging.getLogger("hrdbot.broadcast")

RATE_VAR = "HRDBOT_BROADCAST_RATE"
WINDOW_VAR = "HRDBOT_BROADCAST_WINDOW"
POLL_VAR = "HRDBOT_BROADCAST_POLL"
PROGRESS_VAR = "HRDBOT_BROADCAST_PROGRESS"


class EngineConfigError(ConfigError, ValueError):
    """A bad broadcast setting in the environment; the text names the variable and the fix."""


@dataclass(frozen=True)
class EngineConfig:
    """How the engine sends. ``rate=None`` lifts the overall limit (benchmarks only)."""

    rate: float | None = 25.0  # messages per second, overall
    per_chat_interval: float = 1.0  # seconds between two messages to one chat
    window: int = 8  # deliveries claimed at once = most sends in flight = duplicate bound
    max_attempts: int = 5  # tries for timeouts / network errors / 5xx before "failed"
    backoff: float = 2.0  # seconds before the first retry; doubles each time
    max_backoff: float = 300.0
    progress_every: float = 3.0  # seconds between edits of the progress message
    poll_every: float = 2.0  # seconds between looks for broadcasts queued by another process
    prepare_page: int = 2000  # recipients copied per transaction

    def __post_init__(self) -> None:
        if self.rate is not None and not self.rate > 0:
            raise EngineConfigError(f"rate must be positive, not {self.rate}")
        if self.window < 1 or self.max_attempts < 1:
            raise EngineConfigError("window and max_attempts must be at least 1")

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: object) -> EngineConfig:
        """Read ``HRDBOT_BROADCAST_RATE`` (messages/s; ``unlimited`` lifts the limit),
        ``HRDBOT_BROADCAST_WINDOW``, ``HRDBOT_BROADCAST_POLL`` and ``_PROGRESS`` (seconds)."""
        values: dict[str, object] = {}
        raw = environ.get(RATE_VAR, "").strip()
        if raw:
            if raw.lower() in ("unlimited", "none", "off"):
                values["rate"] = None
            else:
                values["rate"] = _positive(RATE_VAR, raw, "e.g. 25 (messages per second)")
        for var, name, example in (
            (WINDOW_VAR, "window", "8"),
            (POLL_VAR, "poll_every", "2"),
            (PROGRESS_VAR, "progress_every", "3"),
        ):
            raw = environ.get(var, "").strip()
            if raw:
                number = _positive(var, raw, f"e.g. {example}")
                values[name] = int(number) if name == "window" else number
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def _positive(var: str, raw: str, example: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise EngineConfigError(f"{var}={raw!r} is not a positive number; set it to {example}")
    return value


LEASE = "broadcast-engine"
LEASE_TTL = 15.0  # seconds


def _owner_alive(owner: str) -> bool:
    """Whether the process named in a lease may still run (``host:pid:nonce``). A process of
    this host that no longer exists is dead; one of another host is alive until its TTL."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    if int(pid_text) == os.getpid():
        return True  # this process: another engine of ours (tests) is alive
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- sending ---------------------------------------------------------------------------------


class DeliveryError(Exception):
    """A send that did not deliver; the subclass says what to do about it."""


class Blocked(DeliveryError):
    """403: the user blocked the bot or deleted the account. Never retried."""


class RetryLater(DeliveryError):
    """429: try this send again after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Transient(DeliveryError):
    """Timeout, network error or 5xx: retried with backoff."""


class Rejected(DeliveryError):
    """Telegram refused the message itself (400): failed at once."""


@dataclass(frozen=True)
class Notice:
    """What every recipient gets: Telegram HTML text (the caption with media)."""

    html: str
    media: bdb.Media | None = None


class Sender(Protocol):
    """Where messages go (``handlers.broadcast.TelegramSender`` in the bot)."""

    async def send(self, chat_id: int, notice: Notice) -> int:
        """Deliver ``notice``; return the message id or raise a ``DeliveryError``."""
        ...

    async def post(self, chat_id: int, html: str) -> int:
        """A plain HTML message to staff (progress, report); returns its message id."""
        ...

    async def edit(self, chat_id: int, message_id: int, html: str) -> None:
        """Replace the text of a message sent by ``post``."""
        ...


# --- the engine ------------------------------------------------------------------------------


@dataclass
class _Progress:
    samples: collections.deque[tuple[float, int]] = field(default_factory=lambda: collections.deque(maxlen=64))
    last_edit: float = -math.inf
    editing: asyncio.Task[None] | None = None

    def rate(self) -> float:
        """Deliveries finished per second over the last samples."""
        if len(self.samples) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self.samples[0], self.samples[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0


class BroadcastEngine:
    """Sends queued broadcasts from the database; ``start()`` runs it as a task."""

    def __init__(
        self,
        db: Database,
        sender: Sender,
        clock: Clock,
        config: EngineConfig,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        limiter: RateLimiter | None = None,
        owner: str | None = None,
        admins: frozenset[int] = frozenset(),
    ) -> None:
        self.db = db
        self.admins = admins  # HRDBOT_ADMINS: staff for the role check, verified recipients
        # Only one engine per database sends (a second bot process waits): the lease names
        # this process, so one killed with SIGKILL is taken over at once, not after the TTL.
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lease_renewed = -math.inf
        self._lost_lease = False
        self.sender = sender
        self.clock = clock
        self.config = config
        self._monotonic = monotonic
        # Shared with the reminder pushes in the running bot, so that together they stay
        # within the one overall budget Telegram allows.
        self.limiter = limiter or RateLimiter(config.rate, config.per_chat_interval, monotonic=monotonic)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self.max_in_flight = 0  # the most sends ever in flight at once (for measurements)

    # -- lifecycle

    def start(self) -> asyncio.Task[None]:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="hrdbot-broadcast-engine")
        return self._task

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        bdb.give_up_lease(self.db, LEASE, self.owner)

    def _hold_lease(self) -> bool:
        """Take or renew the engine lease (renewals at most every third of its TTL)."""
        now = time.time()
        if now - self._lease_renewed < LEASE_TTL / 3:
            return True
        held = bdb.take_lease(self.db, LEASE, self.owner, now, LEASE_TTL, _owner_alive)
        self._lease_renewed = now if held else -math.inf
        return held

    def wake(self) -> None:
        """Look at the queue now (a broadcast was queued or cancelled in this process)."""
        self._wake.set()

    async def wait_idle(self) -> None:
        """Until nothing is due (tests, benchmarks)."""
        self.wake()
        self._idle.clear()
        await self._idle.wait()

    async def run(self) -> None:
        """Forever: work on the next due broadcast, or wait for one."""
        while True:
            try:
                if not self._hold_lease():  # another bot process is sending
                    self._idle.set()
                    await self._wait(self.config.poll_every)
                    continue
                await self._expire_drafts()
                b = bdb.next_due(self.db, self.clock.now())
                if b is None:
                    self._idle.set()
                    await self._wait(self._idle_timeout())
                    continue
                self._idle.clear()
                await self._work(b)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broadcast engine step failed; trying again shortly")
                await self._wait(self.config.poll_every)

    def _idle_timeout(self) -> float:
        timeout = self.config.poll_every
        for due in (bdb.next_scheduled_at(self.db), bdb.next_draft_expiry(self.db)):
            if due is not None:
                timeout = min(timeout, max(0.0, (due - self.clock.now()).total_seconds()))
        return timeout

    async def _expire_drafts(self) -> None:
        for b in bdb.expire_drafts(self.db, self.clock.now()):
            audit(self.db, self.clock.now(), b.author_id, "broadcast.expired", f"#{b.id}")
            if b.report_chat_id is not None:
                try:
                    await self._post(b.report_chat_id, text.draft_expired(b))
                except DeliveryError as exc:
                    log.warning("could not tell the author of draft #%d: %s", b.id, exc)

    def _author_allowed(self, b: bdb.Broadcast) -> bool:
        return b.author_id is None or roles.is_staff(self.db, b.author_id, self.admins)

    def _cancel_for_author(self, broadcast_id: int, author_id: int | None, when: str) -> bdb.Broadcast | None:
        """Cancel (never hold) a notice whose author lost the staff role, audited; None when it
        was over already."""
        try:
            b = bdb.cancel(self.db, broadcast_id, self.clock.now(), note="author_revoked")
        except bdb.BroadcastStateError:
            return None
        audit(
            self.db,
            self.clock.now(),
            author_id,
            "broadcast.author_revoked",
            f"#{broadcast_id} {when} ({b.sent} sent)",
            allowed=False,
        )
        return b

    async def _cancel_revoked(self, b: bdb.Broadcast) -> None:
        """The author lost the staff role: cancel the notice before it is sent and say so."""
        cancelled = self._cancel_for_author(b.id, b.author_id, "cancelled before sending")
        if cancelled is None:
            return
        b = cancelled
        log.warning("broadcast #%d cancelled: author %s is no longer staff", b.id, b.author_id)
        if b.report_chat_id is not None:
            with contextlib.suppress(DeliveryError):
                await self._post(b.report_chat_id, text.author_revoked(b))

    async def _wait(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    # -- one broadcast

    async def _work(self, b: bdb.Broadcast) -> None:
        if not self._author_allowed(b):
            await self._cancel_revoked(b)
            return
        if b.state == bdb.SENDING:
            # Sent by a process that stopped: its last second of sends is not in this limiter,
            # so let that second pass before sending on (the limits hold across a restart).
            await asyncio.sleep(self.limiter.memory)
        if b.state in (bdb.QUEUED, bdb.PREPARING):
            b = await self._prepare(b)
        resent = bdb.resume(self.db, b.id)
        if resent:
            log.warning("broadcast #%d resumed: %d deliveries in flight at the last stop are sent again", b.id, resent)
        progress = _Progress()
        if b.report_chat_id is not None and b.progress_message_id is None:
            await self._post_progress(b)
        self._lost_lease = False
        cancelled = await self._deliver_all(b.id, Notice(b.text, b.media), progress)
        if self._lost_lease:  # another process took over; it finishes and reports
            return
        b = bdb.get(self.db, b.id)
        if cancelled and b.note == "author_revoked" and b.report_chat_id is not None:
            with contextlib.suppress(DeliveryError):
                await self._post(b.report_chat_id, text.author_revoked(b))
        if not cancelled and b.state == bdb.SENDING:
            b = bdb.finish(self.db, b.id, self.clock.now())
        await self._report(b, progress)

    async def _prepare(self, b: bdb.Broadcast) -> bdb.Broadcast:
        """Copy the audience into delivery rows, page by page (idempotent if interrupted)."""
        b = bdb.start_preparing(self.db, b.id, self.clock.now())
        for page in bdb.iter_audience(self.db, b.audience or bdb.EVERYONE, self.config.prepare_page, self.admins):
            bdb.add_recipients(self.db, b.id, page)
            await asyncio.sleep(0)  # let question answering in between pages
        b = bdb.start_sending(self.db, b.id, self.clock.now())
        log.info("broadcast #%d: %d recipients", b.id, b.total)
        return b

    async def _deliver_all(self, broadcast_id: int, notice: Notice, progress: _Progress) -> bool:
        """Send every delivery of the broadcast; True if it was cancelled meanwhile."""
        cfg = self.config
        queue: collections.deque[bdb.Delivery] = collections.deque()
        in_flight: set[asyncio.Task[None]] = set()
        checked = self._monotonic()
        cancelled = False
        try:
            while True:
                now = self._monotonic()
                if now - checked >= 1.0:
                    checked = now
                    current = bdb.get(self.db, broadcast_id)
                    if current.state == bdb.SENDING and not self._author_allowed(current):
                        self._cancel_for_author(broadcast_id, current.author_id, "stopped while sending")
                        current = bdb.get(self.db, broadcast_id)
                    if current.state == bdb.CANCELLED:
                        cancelled = True
                        break
                    if not self._hold_lease():
                        self._lost_lease = True
                        break
                self._maybe_progress(broadcast_id, progress)
                if len(queue) <= cfg.window // 2:
                    room = cfg.window - len(queue) - len(in_flight)
                    queue.extend(bdb.claim(self.db, broadcast_id, room, self.clock.now().timestamp()))
                if not queue:
                    if in_flight:
                        await asyncio.wait(in_flight, timeout=cfg.progress_every, return_when=asyncio.FIRST_COMPLETED)
                        continue
                    b = bdb.get(self.db, broadcast_id)
                    if b.state == bdb.CANCELLED:
                        cancelled = True
                        break
                    if b.remaining == 0:
                        break
                    retry_at = bdb.next_retry_at(self.db, broadcast_id)
                    if retry_at is None:  # claimed rows nobody holds: a failed record()
                        bdb.resume(self.db, broadcast_id)
                        continue
                    delay = retry_at - self.clock.now().timestamp()
                    await self._wait(min(max(delay, 0.0), cfg.progress_every))
                    continue
                delivery = queue.popleft()
                slot = await self.limiter.acquire(delivery.chat_id)
                task = asyncio.create_task(self._send_one(broadcast_id, delivery, notice, slot))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                self.max_in_flight = max(self.max_in_flight, len(in_flight))
        finally:
            if in_flight:
                await asyncio.gather(*in_flight, return_exceptions=True)
            bdb.release(self.db, [(d.id, 0.0, None, False) for d in queue])
        return cancelled

    async def _send_one(self, broadcast_id: int, d: bdb.Delivery, notice: Notice, slot: Slot) -> None:
        outcome: bdb.Outcome | None = None
        retry: tuple[float, str, bool] | None = None
        try:
            message_id = await self.sender.send(d.chat_id, notice)
            outcome = bdb.Outcome(d.id, d.user_id, bdb.SENT, message_id)
        except Blocked as exc:
            outcome = bdb.Outcome(d.id, d.user_id, bdb.BLOCKED, error=str(exc)[:200])
        except Rejected as exc:
            outcome = bdb.Outcome(d.id, d.user_id, bdb.FAILED, error=str(exc)[:200])
        except RetryLater as exc:
            retry = (exc.seconds, f"429 {exc}", False)
        except Transient as exc:
            if d.attempts >= self.config.max_attempts:
                outcome = bdb.Outcome(d.id, d.user_id, bdb.FAILED, error=str(exc)[:200])
            else:
                delay = min(self.config.max_backoff, self.config.backoff * 2 ** (d.attempts - 1))
                retry = (max(delay, self.config.per_chat_interval), str(exc)[:200], True)
        finally:
            self.limiter.release(slot)
        # No await between the answer and this write: a kill cannot fall in between.
        if outcome is not None:
            bdb.record(self.db, broadcast_id, [outcome], self.clock.now())
        elif retry is not None:
            seconds, error, counted = retry
            bdb.release(self.db, [(d.id, self.clock.now().timestamp() + seconds, error, counted)])

    # -- progress and report

    def _maybe_progress(self, broadcast_id: int, progress: _Progress) -> None:
        now = self._monotonic()
        if now - progress.last_edit < self.config.progress_every:
            return
        progress.last_edit = now
        b = bdb.get(self.db, broadcast_id)
        progress.samples.append((now, b.done_count))
        if b.report_chat_id is None:
            return
        if progress.editing is not None and not progress.editing.done():
            return
        if b.progress_message_id is None:  # the first post failed: try again until it works
            progress.editing = asyncio.create_task(self._post_progress(b))
            return
        rate = progress.rate()
        eta = dt.timedelta(seconds=b.remaining / rate) if rate > 0 else None
        progress.editing = asyncio.create_task(
            self._edit(b.report_chat_id, b.progress_message_id, text.progress(b, rate, eta))
        )

    async def _post_progress(self, b: bdb.Broadcast) -> None:
        try:
            message_id = await self._post(b.report_chat_id, text.progress(b, 0.0, None))
        except DeliveryError as exc:
            log.warning("could not post the progress message of #%d (tried again later): %s", b.id, exc)
            return
        bdb.set_progress_message(self.db, b.id, message_id)

    async def _edit(self, chat_id: int, message_id: int, html: str) -> None:
        try:
            await self.sender.edit(chat_id, message_id, html)
        except DeliveryError as exc:
            log.warning("could not update the progress message: %s", exc)

    async def _post(self, chat_id: int, html: str) -> int:
        slot = await self.limiter.acquire(chat_id)
        try:
            return await self.sender.post(chat_id, html)
        finally:
            self.limiter.release(slot)

    async def _report(self, b: bdb.Broadcast, progress: _Progress) -> None:
        if progress.editing is not None:
            await asyncio.gather(progress.editing, return_exceptions=True)
        log.info(
            "broadcast #%d %s: sent %d, blocked %d, failed %d, resent %d",
            b.id,
            b.state,
            b.sent,
            b.blocked,
            b.failed,
            b.resent,
        )
        if b.report_chat_id is None:
            return
        if b.progress_message_id is None:
            await self._post_progress(b)
            b = bdb.get(self.db, b.id)
        if b.progress_message_id is not None:
            await self._edit(b.report_chat_id, b.progress_message_id, text.progress(b, 0.0, None))
        try:
            await self._post(b.report_chat_id, text.report(b))
        except DeliveryError as exc:
            log.warning("could not send the report of broadcast #%d: %s", b.id, exc)
