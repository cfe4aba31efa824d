"""Broadcasts and their deliveries: the record a staff broadcast is sent from.

One ``broadcasts`` row per notice and one ``deliveries`` row per recipient. The delivery engine
(``handlers.broadcast_engine``) only ever moves rows through these functions:

    draft -> queued -> preparing -> sending -> done          (broadcast)
                  \\-> cancelled (from draft, queued or sending)
    pending -> sending -> sent | blocked | failed            (delivery)
               sending -> pending  (retry later, or resume after a crash)

A delivery is *claimed* (``sending``) in its own committed transaction before its Bot API call
and *finished* right after, so after a SIGKILL the rows still ``sending`` are exactly the ones
that may or may not have reached Telegram; ``resume`` puts them back to ``pending`` (at least
once; the possible duplicates are bounded by the number of sends in flight).

Recipients are streamed: the audience is read from ``users`` page by page (keyset on user_id)
into ``deliveries``, and the engine claims small pages of deliveries in id order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from db import roles
from db.users import AUDIENCES
from knowledge import reminders as reminders_kb
from knowledge.text import josa

SEOUL = ZoneInfo("Asia/Seoul")

# Audience codes: everyone, verified employees (a role, see ``db.roles``), the self-declared
# users-table audiences (relevance only: anyone may tap 직원 at /start), or ``topic:<name>``.
EVERYONE = "all"
VERIFIED = "verified"
TOPIC_PREFIX = "topic:"
AUDIENCE_LABELS: dict[str, str] = {EVERYONE: "전체", VERIFIED: "🔒 인증 직원", **AUDIENCES}
SELF_DECLARED = tuple(AUDIENCES)
_AUDIENCE_ALIASES: dict[str, str] = {
    "all": EVERYONE,
    "everyone": EVERYONE,
    "전체": EVERYONE,
    "모두": EVERYONE,
    VERIFIED: VERIFIED,
    "인증": VERIFIED,
    "인증 직원": VERIFIED,
    "인증직원": VERIFIED,
    "🔒 인증 직원": VERIFIED,
    **{code: code for code in AUDIENCES},
    **{label: code for code, label in AUDIENCES.items()},
}

# Broadcast states.
DRAFT, QUEUED, PREPARING, SENDING, DONE, CANCELLED = ("draft", "queued", "preparing", "sending", "done", "cancelled")
ACTIVE_STATES = (QUEUED, PREPARING, SENDING)
# Delivery states.
PENDING, CLAIMED, SENT, BLOCKED, FAILED = "pending", "sending", "sent", "blocked", "failed"
FINAL_DELIVERY_STATES = (SENT, BLOCKED, FAILED)

MEDIA_KINDS = ("photo", "document")


class BroadcastError(Exception):
    """Base of this module's domain errors (their text is shown to staff)."""


class UnknownAudienceError(BroadcastError, ValueError):
    """An audience that is none of 전체/직원/수험생/학부모/기타 nor ``topic:<name>``."""


class NoSuchBroadcastError(BroadcastError, LookupError):
    """A broadcast id that does not exist."""


class BroadcastStateError(BroadcastError):
    """The broadcast is not in a state that allows the operation (e.g. confirming a sent one)."""


# --- audiences -------------------------------------------------------------------------------


# Topic audiences offered on the /broadcast keyboard (any topic works from the command line).
COMMON_TOPICS: dict[str, str] = {
    reminders_kb.NOTICES: "공지 구독자",
    reminders_kb.ALL_ROUNDS: "시험 일정 구독자",
    reminders_kb.DAYCARE: "어린이집 알림 구독자",
}


def parse_audience(text: str, db: Database | None = None) -> str:
    """The audience code for ``text`` (a code or a Korean label); raises UnknownAudienceError.

    ``topic:<name>`` (or ``구독:<name>``) selects the subscribers of a reminder topic
    (``notices``, ``daycare``, ``exam_round:*``, ``exam_round:<id>``, ``program:<id>``,
    ``category:<id>``); with a database the topic is checked against the knowledge.
    """
    raw = (text or "").strip()
    key = raw.lower()
    if key in _AUDIENCE_ALIASES:
        return _AUDIENCE_ALIASES[key]
    for prefix in (TOPIC_PREFIX, "구독:"):
        if key.startswith(prefix) and raw[len(prefix) :].strip():
            topic = raw[len(prefix) :].strip()
            if db is not None:
                try:
                    topic = reminders_kb.parse_topic(topic, reminders_kb.knowledge_view(db))
                except reminders_kb.UnknownTopicError as exc:
                    raise UnknownAudienceError(f"모르는 구독 주제예요: {topic!r}. / {exc}") from None
            return TOPIC_PREFIX + topic
    choices = (
        "전체(all), 인증 직원(verified), 직원(staff, 자기 선택), 수험생(examinee), "
        "학부모(parent), 기타(other), topic:<주제>"
    )
    raise UnknownAudienceError(
        f"모르는 대상이에요: {raw!r}. 가능한 대상: {choices} / unknown audience {raw!r}; expected one of: {choices}"
    )


def audience_label(audience: str | None) -> str:
    if audience is None:
        return "(대상 미정)"
    if audience.startswith(TOPIC_PREFIX):
        topic = audience[len(TOPIC_PREFIX) :]
        return COMMON_TOPICS.get(topic, f"'{topic}' 구독자")
    return AUDIENCE_LABELS.get(audience, audience)


def _check_audience(audience: str) -> None:
    if not audience.startswith(TOPIC_PREFIX) and audience not in AUDIENCE_LABELS:
        raise UnknownAudienceError(f"unknown audience {audience!r}")


def _audience_filter(audience: str, admins: Iterable[int]) -> tuple[str, list[object]]:
    """The WHERE clause (after ``active``) that picks ``audience`` from ``users``."""
    if audience == EVERYONE:
        return "", []
    if audience == VERIFIED:
        # A role, never what the user said: verified employees, staff and admins.
        ids = sorted(set(admins))
        extra = f" OR user_id IN ({', '.join('?' * len(ids))})" if ids else ""
        sql = f" AND (user_id IN (SELECT user_id FROM roles WHERE role IN (?, ?, ?)){extra})"  # noqa: S608
        return sql, [*roles.ALL_ROLES, *ids]
    return " AND audience = ?", [audience]


def _users_page(
    db: Database, audience: str, after: int, limit: int, admins: Iterable[int] = ()
) -> list[tuple[int, int]]:
    where, params = _audience_filter(audience, admins)
    sql = (
        "SELECT user_id, chat_id FROM users WHERE active = 1 AND chat_id IS NOT NULL "  # noqa: S608
        f"AND user_id > ?{where} ORDER BY user_id LIMIT ?"
    )
    return [(int(u), int(c)) for u, c in db.execute(sql, [after, *params, limit])]


def _topic_users_page(db: Database, topic: str, after: int, limit: int) -> list[tuple[int, int]]:
    """Subscribers of ``topic``; ``kind:*`` (e.g. every exam round) takes in the subscribers of
    each ``kind:<id>`` as well. A user subscribed several ways is one recipient."""
    if topic.endswith(":*"):
        match, value = (
            "(s.topic = ? OR s.topic LIKE ? ESCAPE '\\')",
            [topic, topic[:-1].replace("%", "\\%").replace("_", "\\_") + "%"],
        )
    else:
        match, value = "s.topic = ?", [topic]
    sql = (
        "SELECT DISTINCT u.user_id, u.chat_id FROM reminder_subscriptions s "  # noqa: S608
        f"JOIN users u ON u.user_id = s.user_id WHERE {match} "
        "AND u.active = 1 AND u.chat_id IS NOT NULL "
        "AND u.user_id > ? ORDER BY u.user_id LIMIT ?"
    )
    return [(int(u), int(c)) for u, c in db.execute(sql, [*value, after, limit])]


def iter_audience(
    db: Database, audience: str, page_size: int = 2000, admins: Iterable[int] = ()
) -> Iterator[list[tuple[int, int]]]:
    """The (user_id, chat_id) recipients of ``audience`` in pages (keyset on user_id), streamed
    from SQLite, never all in memory. ``admins`` (``HRDBOT_ADMINS``) belong to ``verified``."""
    _check_audience(audience)
    after = -(2**63)
    while True:
        if audience.startswith(TOPIC_PREFIX):
            page = _topic_users_page(db, audience[len(TOPIC_PREFIX) :], after, page_size)
        else:
            page = _users_page(db, audience, after, page_size, admins)
        if not page:
            return
        yield page
        after = page[-1][0]


def count_audience(db: Database, audience: str, admins: Iterable[int] = ()) -> int:
    """How many users would receive a broadcast to ``audience`` now (each counted once)."""
    _check_audience(audience)
    if audience.startswith(TOPIC_PREFIX):
        return sum(len(page) for page in iter_audience(db, audience, 5000))
    where, params = _audience_filter(audience, admins)
    sql = f"SELECT count(*) FROM users WHERE active = 1 AND chat_id IS NOT NULL{where}"  # noqa: S608
    return int(db.execute(sql, params).fetchone()[0])


# --- broadcasts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Media:
    """A photo or document sent with the notice, by its Telegram file_id."""

    kind: str  # "photo" | "document"
    file_id: str

    @classmethod
    def from_row(cls, kind: str | None, file_id: str | None) -> Media | None:
        return cls(kind, file_id) if kind and file_id else None


@dataclass(frozen=True)
class Broadcast:
    id: int
    created_at: str
    author_id: int | None
    audience: str | None
    text: str  # Telegram HTML (the caption when there is media)
    media: Media | None
    state: str
    scheduled_at: str | None
    started_at: str | None
    finished_at: str | None
    total: int
    sent: int
    blocked: int
    failed: int
    resent: int
    report_chat_id: int | None
    progress_message_id: int | None
    step: str | None = None  # composer step of a draft: text, audience, confirm, when
    prompt_message_id: int | None = None  # the message a reply must answer (or buttons are on)
    expires_at: str | None = None  # when an unfinished draft is cancelled
    note: str | None = None  # why it was stopped (e.g. the author lost the staff role)

    @property
    def done_count(self) -> int:
        return self.sent + self.blocked + self.failed

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.done_count)


_BCOLS = (
    "id, created_at, author_id, audience, text, media_kind, media, state, scheduled_at, "
    "started_at, finished_at, total, sent, blocked, failed, resent, report_chat_id, "
    "progress_message_id, step, prompt_message_id, expires_at, note"
)


def _broadcast(row: tuple) -> Broadcast:
    # columns as in _BCOLS; the media kind and payload (columns 5 and 6) make one Media
    return Broadcast(*row[:5], Media.from_row(row[5], row[6]), *row[7:])


def stamp(at: dt.datetime) -> str:
    """The stored form of an instant: ISO 8601 in Asia/Seoul, to the second."""
    if at.tzinfo is None:
        raise ValueError("broadcast times must be timezone-aware")
    return at.astimezone(SEOUL).isoformat(timespec="seconds")


def create(
    db: Database,
    *,
    text: str,
    now: dt.datetime,
    author_id: int | None = None,
    audience: str | None = None,
    media: Media | None = None,
    report_chat_id: int | None = None,
    state: str = DRAFT,
    scheduled_at: dt.datetime | None = None,
) -> Broadcast:
    """A new broadcast (a draft unless ``state=QUEUED``)."""
    if state not in (DRAFT, QUEUED):
        raise ValueError(f"a new broadcast is a draft or queued, not {state!r}")
    if state == QUEUED and audience is None:
        raise BroadcastStateError("대상을 정하지 않은 공지는 보낼 수 없어요.")
    if media is not None and media.kind not in MEDIA_KINDS:
        raise ValueError(f"media kind must be one of {MEDIA_KINDS}")
    with db.conn:
        cursor = db.conn.execute(
            "INSERT INTO broadcasts (created_at, author_id, audience, text, media_kind, media, "
            "state, scheduled_at, report_chat_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stamp(now),
                author_id,
                audience,
                text,
                media.kind if media else None,
                media.file_id if media else None,
                state,
                stamp(scheduled_at) if scheduled_at else None,
                report_chat_id,
            ),
        )
    return get(db, int(cursor.lastrowid))


def get(db: Database, broadcast_id: int) -> Broadcast:
    row = db.execute(
        f"SELECT {_BCOLS} FROM broadcasts WHERE id = ?",  # noqa: S608
        [broadcast_id],
    ).fetchone()
    if row is None:
        raise NoSuchBroadcastError(f"공지 {josa(f'#{broadcast_id}', '이가')} 없어요. / no broadcast #{broadcast_id}")
    return _broadcast(row)


def recent(db: Database, limit: int = 20, *, include_drafts: bool = False) -> list[Broadcast]:
    """The latest broadcasts, newest first."""
    skip = "" if include_drafts else DRAFT
    return [
        _broadcast(r)
        for r in db.execute(
            f"SELECT {_BCOLS} FROM broadcasts WHERE state != ? ORDER BY id DESC LIMIT ?",  # noqa: S608
            [skip, limit],
        )
    ]


def active(db: Database) -> list[Broadcast]:
    """Queued, preparing and sending broadcasts, oldest first."""
    marks = ", ".join("?" * len(ACTIVE_STATES))
    return [
        _broadcast(r)
        for r in db.execute(
            f"SELECT {_BCOLS} FROM broadcasts WHERE state IN ({marks}) ORDER BY id",  # noqa: S608
            list(ACTIVE_STATES),
        )
    ]


def _transition(
    db: Database, broadcast_id: int, allowed: Sequence[str], sets: str, params: Sequence[object]
) -> Broadcast:
    marks = ", ".join("?" * len(allowed))
    with db.conn:
        cursor = db.conn.execute(
            f"UPDATE broadcasts SET {sets} WHERE id = ? AND state IN ({marks})",  # noqa: S608
            [*params, broadcast_id, *allowed],
        )
    current = get(db, broadcast_id)
    if cursor.rowcount == 0:
        raise BroadcastStateError(
            f"공지 {josa(f'#{broadcast_id}', '은는')} 지금 '{state_label(current.state)}' 상태라서 "
            f"그렇게 할 수 없어요. / broadcast #{broadcast_id} is {current.state}"
        )
    return current


def set_audience(db: Database, broadcast_id: int, audience: str) -> Broadcast:
    return _transition(db, broadcast_id, (DRAFT,), "audience = ?", [audience])


def set_progress_message(db: Database, broadcast_id: int, message_id: int) -> None:
    with db.conn:
        db.conn.execute("UPDATE broadcasts SET progress_message_id = ? WHERE id = ?", (message_id, broadcast_id))


def queue(db: Database, broadcast_id: int, *, at: dt.datetime | None = None) -> Broadcast:
    """Confirm a draft: send as soon as possible, or at ``at`` (a scheduled broadcast)."""
    b = get(db, broadcast_id)
    if b.state == DRAFT and not b.text:
        raise BroadcastStateError("공지 내용을 먼저 입력해 주세요. / write the notice first")
    if b.state == DRAFT and b.audience is None:
        raise BroadcastStateError("대상을 먼저 골라 주세요. / choose the audience first")
    return _transition(
        db,
        broadcast_id,
        (DRAFT,),
        "state = ?, scheduled_at = ?, step = NULL, expires_at = NULL",
        [QUEUED, stamp(at) if at else None],
    )


def cancel(db: Database, broadcast_id: int, now: dt.datetime, note: str | None = None) -> Broadcast:
    """Cancel a draft, a queued broadcast, or stop one being sent (what is sent stays sent);
    ``note`` says why (shown in /broadcast_status)."""
    return _transition(
        db,
        broadcast_id,
        (DRAFT, QUEUED, PREPARING, SENDING),
        "state = ?, finished_at = ?, step = NULL, note = coalesce(?, note)",
        [CANCELLED, stamp(now), note],
    )


# --- the composer ----------------------------------------------------------------------------

COMPOSER_STEPS = ("text", "audience", "confirm", "when")
DRAFT_TTL = dt.timedelta(minutes=30)


def open_draft(
    db: Database, *, author_id: int, chat_id: int, now: dt.datetime, ttl: dt.timedelta = DRAFT_TTL
) -> Broadcast:
    """Start composing: an empty draft at step ``text`` that expires ``ttl`` from ``now``."""
    with db.conn:
        cursor = db.conn.execute(
            "INSERT INTO broadcasts (created_at, author_id, text, state, report_chat_id, step, "
            "expires_at) VALUES (?, ?, '', ?, ?, 'text', ?)",
            (stamp(now), author_id, DRAFT, chat_id, stamp(now + ttl)),
        )
    return get(db, int(cursor.lastrowid))


def composing(db: Database, author_id: int, now: dt.datetime) -> list[Broadcast]:
    """The author's drafts still being composed (not expired), oldest first."""
    return [
        _broadcast(r)
        for r in db.execute(
            f"SELECT {_BCOLS} FROM broadcasts WHERE author_id = ? AND state = ? "  # noqa: S608
            "AND step IS NOT NULL AND expires_at > ? ORDER BY id",
            [author_id, DRAFT, stamp(now)],
        )
    ]


def draft_for_reply(
    db: Database, *, author_id: int, chat_id: int, prompt_message_id: int, now: dt.datetime
) -> Broadcast | None:
    """The open draft whose typed step (text or when) this reply answers, if any."""
    row = db.execute(
        f"SELECT {_BCOLS} FROM broadcasts WHERE author_id = ? AND report_chat_id = ? "  # noqa: S608
        "AND prompt_message_id = ? AND state = ? AND step IN ('text', 'when') "
        "AND expires_at > ? ORDER BY id DESC LIMIT 1",
        [author_id, chat_id, prompt_message_id, DRAFT, stamp(now)],
    ).fetchone()
    return _broadcast(row) if row else None


def set_step(
    db: Database,
    broadcast_id: int,
    step: str,
    *,
    now: dt.datetime,
    prompt_message_id: int | None = None,
    ttl: dt.timedelta = DRAFT_TTL,
) -> Broadcast:
    """Move a draft to ``step``; each step gives the author ``ttl`` again."""
    if step not in COMPOSER_STEPS:
        raise ValueError(f"unknown composer step {step!r}")
    return _transition(
        db,
        broadcast_id,
        (DRAFT,),
        "step = ?, prompt_message_id = coalesce(?, prompt_message_id), expires_at = ?",
        [step, prompt_message_id, stamp(now + ttl)],
    )


def set_prompt(db: Database, broadcast_id: int, message_id: int) -> None:
    """The message the next reply must answer (a new prompt after an error, too)."""
    with db.conn:
        db.conn.execute(
            "UPDATE broadcasts SET prompt_message_id = ? WHERE id = ? AND state = ?", (message_id, broadcast_id, DRAFT)
        )


def set_text(db: Database, broadcast_id: int, text: str, media: Media | None = None) -> Broadcast:
    """The notice itself (Telegram HTML, the caption when there is media)."""
    if media is not None and media.kind not in MEDIA_KINDS:
        raise ValueError(f"media kind must be one of {MEDIA_KINDS}")
    return _transition(
        db,
        broadcast_id,
        (DRAFT,),
        "text = ?, media_kind = ?, media = ?",
        [text, media.kind if media else None, media.file_id if media else None],
    )


def expire_drafts(db: Database, now: dt.datetime) -> list[Broadcast]:
    """Cancel every composing draft whose time is up; return them (to tell their authors)."""
    ids = [
        int(i)
        for (i,) in db.execute(
            "SELECT id FROM broadcasts WHERE state = ? AND step IS NOT NULL AND expires_at <= ?", [DRAFT, stamp(now)]
        )
    ]
    out = []
    for broadcast_id in ids:
        try:
            out.append(cancel(db, broadcast_id, now, note="expired"))
        except BroadcastStateError:
            continue  # finished meanwhile
    return out


def next_draft_expiry(db: Database) -> dt.datetime | None:
    row = db.execute("SELECT min(expires_at) FROM broadcasts WHERE state = ? AND step IS NOT NULL", [DRAFT]).fetchone()
    return dt.datetime.fromisoformat(row[0]) if row and row[0] else None


def drafts(db: Database, now: dt.datetime) -> list[Broadcast]:
    """Every draft still being composed, by any author, newest first."""
    return [
        _broadcast(r)
        for r in db.execute(
            f"SELECT {_BCOLS} FROM broadcasts WHERE state = ? AND step IS NOT NULL "  # noqa: S608
            "AND expires_at > ? ORDER BY id DESC",
            [DRAFT, stamp(now)],
        )
    ]


# --- status views ----------------------------------------------------------------------------


def save_status_view(
    db: Database, chat_id: int, message_id: int, blocks: Sequence[tuple[int | None, str]], now: dt.datetime
) -> None:
    """Remember the (broadcast id, HTML block) pairs a /broadcast_status message shows."""
    with db.conn:
        db.conn.execute(
            "INSERT INTO status_views (chat_id, message_id, blocks, created_at) VALUES "
            "(?, ?, ?, ?) ON CONFLICT(chat_id, message_id) DO UPDATE SET blocks = excluded.blocks",
            (chat_id, message_id, json.dumps(list(blocks), ensure_ascii=False), stamp(now)),
        )


def status_view(db: Database, chat_id: int, message_id: int) -> list[tuple[int | None, str]]:
    row = db.execute(
        "SELECT blocks FROM status_views WHERE chat_id = ? AND message_id = ?", [chat_id, message_id]
    ).fetchone()
    return [(i, b) for i, b in json.loads(row[0])] if row else []


def next_due(db: Database, now: dt.datetime) -> Broadcast | None:
    """The broadcast the engine should work on: one already started (resume), else the oldest
    queued one whose time has come."""
    row = db.execute(
        f"SELECT {_BCOLS} FROM broadcasts WHERE state IN (?, ?) ORDER BY id LIMIT 1",  # noqa: S608
        [PREPARING, SENDING],
    ).fetchone()
    if row is None:
        row = db.execute(
            f"SELECT {_BCOLS} FROM broadcasts WHERE state = ? AND "  # noqa: S608
            "(scheduled_at IS NULL OR scheduled_at <= ?) "
            "ORDER BY coalesce(scheduled_at, created_at), id LIMIT 1",
            [QUEUED, stamp(now)],
        ).fetchone()
    return _broadcast(row) if row else None


def next_scheduled_at(db: Database) -> dt.datetime | None:
    """When the earliest scheduled (queued, timed) broadcast is due."""
    row = db.execute(
        "SELECT min(scheduled_at) FROM broadcasts WHERE state = ? AND scheduled_at IS NOT NULL", [QUEUED]
    ).fetchone()
    return dt.datetime.fromisoformat(row[0]) if row and row[0] else None


def start_preparing(db: Database, broadcast_id: int, now: dt.datetime) -> Broadcast:
    return _transition(db, broadcast_id, (QUEUED, PREPARING), "state = ?, started_at = ?", [PREPARING, stamp(now)])


def add_recipients(db: Database, broadcast_id: int, recipients: Iterable[tuple[int, int]]) -> int:
    """Insert pending deliveries (idempotent: a recipient already there is skipped)."""
    with db.conn:
        cursor = db.conn.executemany(
            "INSERT OR IGNORE INTO deliveries (broadcast_id, user_id, chat_id) VALUES (?, ?, ?)",
            ((broadcast_id, user_id, chat_id) for user_id, chat_id in recipients),
        )
    return cursor.rowcount


def start_sending(db: Database, broadcast_id: int, now: dt.datetime) -> Broadcast:
    """All deliveries are in: fix the total, publish the notice to /notices, start sending."""
    b = get(db, broadcast_id)
    if b.state != PREPARING:
        raise BroadcastStateError(f"broadcast #{broadcast_id} is {b.state}, not preparing")
    with db.conn:
        total = db.conn.execute("SELECT count(*) FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)).fetchone()[0]
        notice = db.conn.execute(
            "INSERT INTO notices (created_at, author_id, audience, text) VALUES (?, ?, ?, ?)",
            (stamp(now), b.author_id, b.audience or EVERYONE, b.text),
        ).lastrowid
        db.conn.execute(
            "UPDATE broadcasts SET state = ?, total = ?, notice_id = ? WHERE id = ?",
            (SENDING, total, notice, broadcast_id),
        )
    return get(db, broadcast_id)


def finish(db: Database, broadcast_id: int, now: dt.datetime) -> Broadcast:
    """Mark a broadcast done (every delivery is sent, blocked or failed)."""
    return _transition(db, broadcast_id, (SENDING,), "state = ?, finished_at = ?", [DONE, stamp(now)])


def state_label(state: str) -> str:
    return {
        DRAFT: "작성 중",
        QUEUED: "대기",
        PREPARING: "준비 중",
        SENDING: "발송 중",
        DONE: "완료",
        CANCELLED: "취소됨",
    }.get(state, state)


# --- deliveries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """A claimed delivery: the engine must finish or release it."""

    id: int
    user_id: int
    chat_id: int
    attempts: int  # including this one


@dataclass(frozen=True)
class Outcome:
    """The result of one send, recorded by ``record``."""

    delivery_id: int
    user_id: int
    state: str  # SENT | BLOCKED | FAILED
    message_id: int | None = None
    error: str | None = None


def claim(db: Database, broadcast_id: int, limit: int, now_ts: float) -> list[Delivery]:
    """Claim up to ``limit`` due pending deliveries (state -> sending), committed at once."""
    if limit <= 0:
        return []
    with db.conn:
        rows = db.conn.execute(
            "UPDATE deliveries SET state = ?, attempts = attempts + 1 WHERE id IN ("
            "SELECT id FROM deliveries WHERE broadcast_id = ? AND state = ? AND next_at <= ? "
            "ORDER BY id LIMIT ?) RETURNING id, user_id, chat_id, attempts",
            (CLAIMED, broadcast_id, PENDING, now_ts, limit),
        ).fetchall()
    return sorted((Delivery(*r) for r in rows), key=lambda d: d.id)


def record(db: Database, broadcast_id: int, outcomes: Sequence[Outcome], now: dt.datetime) -> None:
    """Store finished sends and their counters in one transaction; users who blocked the bot
    become inactive."""
    if not outcomes:
        return
    when = stamp(now)
    counts = {SENT: 0, BLOCKED: 0, FAILED: 0}
    for o in outcomes:
        counts[o.state] += 1
    blocked = [(when, o.user_id) for o in outcomes if o.state == BLOCKED]
    with db.conn:
        changed = db.conn.executemany(
            "UPDATE deliveries SET state = ?, message_id = ?, sent_at = ?, error = ? WHERE id = ? AND state = ?",
            [(o.state, o.message_id, when, o.error, o.delivery_id, CLAIMED) for o in outcomes],
        ).rowcount
        if changed != len(outcomes):
            raise BroadcastStateError(
                f"broadcast #{broadcast_id}: {len(outcomes) - changed} outcome(s) for deliveries that were not claimed"
            )
        db.conn.execute(
            "UPDATE broadcasts SET sent = sent + ?, blocked = blocked + ?, failed = failed + ? WHERE id = ?",
            (counts[SENT], counts[BLOCKED], counts[FAILED], broadcast_id),
        )
        if blocked:
            db.conn.executemany("UPDATE users SET active = 0, updated_at = ? WHERE user_id = ?", blocked)


def release(db: Database, deliveries: Sequence[tuple[int, float, str | None, bool]]) -> None:
    """Put claimed deliveries back to pending: (id, not before epoch, error, count_attempt).

    ``count_attempt=False`` gives the attempt back (a 429, or a claim never sent)."""
    if not deliveries:
        return
    with db.conn:
        db.conn.executemany(
            "UPDATE deliveries SET state = ?, next_at = ?, error = ?, "
            "attempts = attempts - ? WHERE id = ? AND state = ?",
            [
                (PENDING, not_before, error, 0 if counted else 1, id_, CLAIMED)
                for id_, not_before, error, counted in deliveries
            ],
        )


def resume(db: Database, broadcast_id: int) -> int:
    """After a crash: every delivery still claimed goes back to pending (it may have been sent;
    it is sent again). Returns how many, which is also added to ``broadcasts.resent``."""
    with db.conn:
        n = db.conn.execute(
            "UPDATE deliveries SET state = ? WHERE broadcast_id = ? AND state = ?", (PENDING, broadcast_id, CLAIMED)
        ).rowcount
        if n:
            db.conn.execute("UPDATE broadcasts SET resent = resent + ? WHERE id = ?", (n, broadcast_id))
    return n


def next_retry_at(db: Database, broadcast_id: int) -> float | None:
    """The earliest ``next_at`` of a pending delivery (epoch seconds), None if none pending."""
    row = db.execute(
        "SELECT min(next_at) FROM deliveries WHERE broadcast_id = ? AND state = ?", [broadcast_id, PENDING]
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else None


def delivery_counts(db: Database, broadcast_id: int) -> dict[str, int]:
    """Deliveries by state, counted from the rows (a check on the counters)."""
    return {
        state: n
        for state, n in db.execute(
            "SELECT state, count(*) FROM deliveries WHERE broadcast_id = ? GROUP BY state", [broadcast_id]
        )
    }


# --- notices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    id: int
    created_at: str
    audience: str
    text: str


def notices_for(
    db: Database, audience: str | None, limit: int = 5, topics: Iterable[str] = (), *, verified: bool = False
) -> list[Notice]:
    """Recent notices a user may see, newest first: everyone's, their self-declared audience's,
    their subscribed topics' (a per-round subscriber sees notices to every round's subscribers)
    and, only when ``verified``, those to verified employees."""
    wanted = [EVERYONE]
    if audience and audience != VERIFIED:
        wanted.append(audience)
    if verified:
        wanted.append(VERIFIED)
    for t in topics:
        wanted.append(TOPIC_PREFIX + t)
        kind, sep, _ = t.partition(":")
        if sep:
            wanted.append(f"{TOPIC_PREFIX}{kind}:*")
    wanted = list(dict.fromkeys(wanted))
    marks = ", ".join("?" * len(wanted))
    return [
        Notice(*r)
        for r in db.execute(
            f"SELECT id, created_at, audience, text FROM notices WHERE audience IN ({marks}) "  # noqa: S608
            "ORDER BY id DESC LIMIT ?",
            [*wanted, limit],
        )
    ]


# --- the engine lease -------------------------------------------------------------------------


def take_lease(
    db: Database, name: str, owner: str, now_ts: float, ttl: float, owner_alive: Callable[[str], bool]
) -> bool:
    """Hold lease ``name`` for ``ttl`` seconds if it is free, ours, expired, or its owner is
    known to be dead; return whether ``owner`` holds it now."""
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        row = db.conn.execute("SELECT owner, expires_at FROM leases WHERE name = ?", [name]).fetchone()
        if row is not None and row[0] != owner and row[1] > now_ts and owner_alive(row[0]):
            return False
        db.conn.execute(
            "INSERT INTO leases (name, owner, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, "
            "expires_at = excluded.expires_at",
            [name, owner, now_ts + ttl],
        )
    return True


def give_up_lease(db: Database, name: str, owner: str) -> None:
    with db.conn:
        db.conn.execute("DELETE FROM leases WHERE name = ? AND owner = ?", [name, owner])
