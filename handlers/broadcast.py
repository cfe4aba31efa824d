"""Staff broadcast on Telegram: /broadcast (write → audience → preview → send, schedule or
cancel), /broadcast_status, and /notices for everyone. Roles: ``handlers.staff``.

The composer keeps its state in the database (``db.broadcasts``: step, prompt, expiry), so a
restart loses nothing, and it takes only what is meant for it: the notice and the time are
replies to its ForceReply prompts; any other message is an ordinary question. A draft expires
after ``bdb.DRAFT_TTL`` (30 minutes, said in the prompt) with a message to its author.

Every staff command, button and typed step checks the role again (``handlers.access``); the
engine checks the author's role once more when it starts sending: a notice whose author lost the
role is cancelled, with an audit row. The delivery engine (``handlers.broadcast_engine``) starts
with the bot and resumes whatever the database says is unfinished.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape as html_escape
from typing import Any

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from db import broadcasts as bdb
from db import roles
from db import users as users_db
from db.ops import audit
from db.reminders import topics_of
from db.users import AUDIENCES, audience_of
from handlers import broadcast_text as text
from handlers.access import (
    ACCESS_KEY,
    Access,
    AnswersPrompt,
    HasOpenDraft,
    access,
    in_private,
    staff_only,
    to_private,
)
from handlers.broadcast_engine import (
    Blocked,
    BroadcastEngine,
    EngineConfig,
    Notice,
    Rejected,
    RetryLater,
    Transient,
)
from handlers.config import ConfigError
from handlers.ratelimit import shared_limiter
from handlers.registry import Command, Feature
from handlers.state import STATE_KEY, BotContext

log = logging.getLogger("hrdbot.broadcast")

RUNTIME_KEY = "hrdbot.broadcast"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
BUTTON_RE = re.compile(
    r"^b:(?:(?P<op>go|at|x|sx):(?P<id>\d{1,12})|a:(?P<aid>\d{1,12}):"
    r"(?P<audience>[\w:*-]{1,40}))$"
)


# --- configuration and runtime ---------------------------------------------------------------


@dataclass(frozen=True)
class BroadcastSettings:
    """Admins (``HRDBOT_ADMINS``) and the engine configuration (``HRDBOT_BROADCAST_*``)."""

    admins: frozenset[int] = frozenset()
    engine: EngineConfig = field(default_factory=EngineConfig)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> BroadcastSettings:
        """Raises a ``ConfigError`` naming the bad variable and what it should hold."""
        try:
            admins = roles.parse_admins(environ.get(roles.ADMINS_VAR))
        except roles.RoleError as exc:
            raise BroadcastConfigError(str(exc)) from None
        return cls(admins, EngineConfig.from_env(environ))


class BroadcastConfigError(ConfigError, ValueError):
    """HRDBOT_ADMINS is not a list of user ids."""


@dataclass
class BroadcastRuntime:
    """What the broadcast handlers share, kept in ``bot_data[RUNTIME_KEY]``."""

    settings: BroadcastSettings
    sender: TelegramSender | None = None
    engine: BroadcastEngine | None = None


def runtime(context: BotContext) -> BroadcastRuntime:
    return context.bot_data[RUNTIME_KEY]


class TelegramSender:
    """``broadcast_engine.Sender`` over a python-telegram-bot ``Bot``: HTML parse mode, and
    Bot API errors turned into the engine's delivery errors."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: int, notice: Notice) -> int:
        try:
            if notice.media is None:
                message = await self.bot.send_message(
                    chat_id, notice.html, parse_mode=ParseMode.HTML, link_preview_options=_NO_PREVIEW
                )
            elif notice.media.kind == "photo":
                message = await self.bot.send_photo(
                    chat_id, notice.media.file_id, caption=notice.html, parse_mode=ParseMode.HTML
                )
            else:
                message = await self.bot.send_document(
                    chat_id, notice.media.file_id, caption=notice.html, parse_mode=ParseMode.HTML
                )
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except RetryAfter as exc:
            raise RetryLater(_retry_after(exc)) from exc
        except BadRequest as exc:
            raise Rejected(exc.message) from exc
        except TelegramError as exc:  # timeouts, network errors, 5xx, ...
            raise Transient(f"{type(exc).__name__}: {exc.message}") from exc
        return message.message_id

    async def post(self, chat_id: int, html: str) -> int:
        return await self.send(chat_id, Notice(html))

    async def edit(self, chat_id: int, message_id: int, html: str) -> None:
        try:
            await self.bot.edit_message_text(
                html,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=_NO_PREVIEW,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message:
                raise Rejected(exc.message) from exc
        except TelegramError as exc:
            raise Transient(exc.message) from exc


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


def engine_bot(app_bot: Bot, window: int) -> Bot:
    """A Bot of its own for the engine: same token and server, its own connection pool, so a
    large broadcast never holds up the connections that answer questions."""
    base_url, file_url = app_bot.base_url, app_bot.base_file_url
    request: BaseRequest
    if type(app_bot.request).__name__ == "AiohttpRequest":  # the same transport as the app's
        from handlers.transport import AiohttpRequest

        request = AiohttpRequest(
            window + 4, read_timeout=10.0, write_timeout=10.0, connect_timeout=5.0, pool_timeout=5.0
        )
    else:
        request = HTTPXRequest(
            connection_pool_size=window + 4,
            pool_timeout=5.0,
            read_timeout=10.0,
            write_timeout=10.0,
            connect_timeout=5.0,
        )
    return Bot(app_bot.token, base_url=lambda _token: base_url, base_file_url=lambda _token: file_url, request=request)


async def start_engine(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start-up hook: the engine's bot and task (it resumes unfinished broadcasts itself)."""
    rt: BroadcastRuntime = app.bot_data[RUNTIME_KEY]
    state = app.bot_data[STATE_KEY]
    bot = engine_bot(app.bot, rt.settings.engine.window)
    try:
        await bot.initialize()
    except BaseException:
        await bot.shutdown()  # its connections, opened before getMe failed
        raise
    rt.sender = TelegramSender(bot)
    engine_config = rt.settings.engine
    rt.engine = BroadcastEngine(
        state.db,
        rt.sender,
        state.clock,
        engine_config,
        limiter=shared_limiter(app.bot_data, engine_config.rate, engine_config.per_chat_interval),
        admins=rt.settings.admins,
    )
    rt.engine.start()


async def stop_engine(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    rt: BroadcastRuntime | None = app.bot_data.get(RUNTIME_KEY)
    if rt is None:  # start-up never got this far
        return
    if rt.engine is not None:
        await rt.engine.stop()
    if rt.sender is not None:
        await rt.sender.bot.shutdown()


async def _reply(update: Update, html: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_message.reply_text(
        html, parse_mode=ParseMode.HTML, reply_markup=markup, link_preview_options=_NO_PREVIEW
    )


# --- the /broadcast composer -----------------------------------------------------------------


def _now(context: BotContext) -> dt.datetime:
    return context.state.clock.now()


async def _prompt(update: Update, context: BotContext, b: bdb.Broadcast, html: str) -> None:
    """Send a ForceReply prompt and make it the message the draft's next reply must answer."""
    message = await update.effective_message.reply_text(
        html,
        parse_mode=ParseMode.HTML,
        reply_markup=ForceReply(selective=True, input_field_placeholder="답장으로 입력해 주세요"),
        link_preview_options=_NO_PREVIEW,
    )
    bdb.set_prompt(context.state.db, b.id, message.message_id)


@staff_only("/broadcast")
async def begin(update: Update, context: BotContext) -> None:
    """/broadcast in a private chat: open a draft (replacing one being written) and ask."""
    state, user = context.state, update.effective_user
    if not in_private(update):
        await _reply(update, text.PRIVATE_ONLY)
        return
    now = _now(context)
    replaced = []
    for old in bdb.composing(state.db, user.id, now):
        bdb.cancel(state.db, old.id, now, note="replaced")
        replaced.append(old.id)
    b = bdb.open_draft(state.db, author_id=user.id, chat_id=update.effective_chat.id, now=now)
    audit(state.db, now, user.id, "broadcast.draft", f"#{b.id}")
    await _prompt(update, context, b, text.ask_notice(b, replaced))


def _still_staff(context: BotContext, user_id: int) -> bool:
    return access(context).is_staff(user_id)


async def _drop_revoked(update: Update, context: BotContext, b: bdb.Broadcast, action: str) -> bool:
    """The author lost the role mid-composition: cancel the draft (audited); True if so."""
    state, user_id = context.state, update.effective_user.id
    allowed = _still_staff(context, user_id)
    audit(state.db, _now(context), user_id, action, f"#{b.id}", allowed=allowed)
    if allowed:
        return False
    with contextlib.suppress(bdb.BroadcastError):
        bdb.cancel(state.db, b.id, _now(context), note="author_revoked")
    log.warning("user %s lost the staff role while composing #%d; cancelled", user_id, b.id)
    return True


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply to the composer's prompt: the notice, or the time it is to be sent."""
    state, message = context.state, update.effective_message
    b = bdb.draft_for_reply(
        state.db,
        author_id=message.from_user.id,
        chat_id=message.chat_id,
        prompt_message_id=message.reply_to_message.message_id,
        now=_now(context),
    )
    if b is None:
        return
    if await _drop_revoked(update, context, b, f"broadcast.{b.step}"):
        await _reply(update, text.NO_LONGER_STAFF)
        return
    if (message.text or "").strip() in ("취소", "그만"):
        bdb.cancel(state.db, b.id, _now(context))
        audit(state.db, _now(context), message.from_user.id, "broadcast.cancel", f"#{b.id}")
        await _reply(update, f"{text.CANCELLED} (#{b.id})")
        return
    if b.step == "text":
        await _got_notice(update, context, b)
    else:
        await _got_when(update, context, b)


async def _got_notice(update: Update, context: BotContext, b: bdb.Broadcast) -> None:
    message, state = update.effective_message, context.state
    media: bdb.Media | None = None
    if message.photo:
        media = bdb.Media("photo", message.photo[-1].file_id)
    elif message.document is not None:
        media = bdb.Media("document", message.document.file_id)
    html = (message.caption_html if media else message.text_html) or ""
    try:
        text.check_notice(html, caption=media is not None)
    except text.NoticeTextError as exc:
        await _prompt(update, context, b, f"{html_escape(str(exc))}\n다시 입력해 주세요 (이 메시지에 답장).")
        return
    b = bdb.set_text(state.db, b.id, html, media)
    sent = await update.effective_message.reply_text(
        text.ASK_AUDIENCE,
        parse_mode=ParseMode.HTML,
        reply_markup=audience_keyboard(state.db, b.id, access(context).admins),
    )
    bdb.set_step(state.db, b.id, "audience", now=_now(context), prompt_message_id=sent.message_id)


async def _got_when(update: Update, context: BotContext, b: bdb.Broadcast) -> None:
    state, user_id = context.state, update.effective_user.id
    try:
        when = text.parse_when(update.effective_message.text or "", _now(context))
    except text.WhenError as exc:
        await _prompt(
            update,
            context,
            b,
            f"{html_escape(str(exc))}\n다시 적어 주세요 (이 메시지에 답장). 그만두려면 취소라고 답장해 주세요.",
        )
        return
    try:
        b = bdb.queue(state.db, b.id, at=when)
    except bdb.BroadcastError as exc:
        await _reply(update, _staff_error(exc))
        return
    audit(state.db, _now(context), user_id, "broadcast.schedule", f"#{b.id} at {b.scheduled_at}")
    _wake(context)
    await _reply(update, text.queued(b, bdb.count_audience(state.db, b.audience, access(context).admins)))


async def cancel_drafts(update: Update, context: BotContext) -> None:
    """/cancel while composing: cancel the sender's open drafts."""
    state, user_id = context.state, update.effective_user.id
    now = _now(context)
    ids = []
    for b in bdb.composing(state.db, user_id, now):
        with contextlib.suppress(bdb.BroadcastError):
            bdb.cancel(state.db, b.id, now)
            ids.append(b.id)
    audit(state.db, now, user_id, "broadcast.cancel", " ".join(f"#{i}" for i in ids))
    await _reply(update, f"{text.CANCELLED} ({', '.join(f'#{i}' for i in ids)})")


def audience_keyboard(db: Any, broadcast_id: int, admins: frozenset[int] = frozenset()) -> InlineKeyboardMarkup:
    choices = [
        bdb.EVERYONE,
        bdb.VERIFIED,
        *(code for code in AUDIENCES if code != "other"),
        *(bdb.TOPIC_PREFIX + topic for topic in bdb.COMMON_TOPICS),
    ]
    rows = [
        [
            InlineKeyboardButton(
                text.audience_button(code, bdb.count_audience(db, code, admins)),
                callback_data=f"b:a:{broadcast_id}:{code}",
            )
        ]
        for code in choices
    ]
    rows.append([InlineKeyboardButton("✖ 취소", callback_data=f"b:x:{broadcast_id}")])
    return InlineKeyboardMarkup(rows)


def _confirm_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🚀 지금 보내기", callback_data=f"b:go:{broadcast_id}"),
                InlineKeyboardButton("⏰ 예약", callback_data=f"b:at:{broadcast_id}"),
                InlineKeyboardButton("✖ 취소", callback_data=f"b:x:{broadcast_id}"),
            ]
        ]
    )


def _staff_error(exc: Exception) -> str:
    if isinstance(exc, bdb.BroadcastError):
        return str(exc).split(" / ")[0]
    return text.BAD_BUTTON


# --- buttons ---------------------------------------------------------------------------------

# Which composer step each button belongs to (a button of another step is stale).
_BUTTON_STEPS = {"a": ("audience", "confirm"), "go": ("confirm",), "at": ("confirm",), "x": bdb.COMPOSER_STEPS}


@staff_only("broadcast.button")
async def on_button(update: Update, context: BotContext) -> None:
    """b:a:<id>:<audience> (preview), b:go:<id>, b:at:<id>, b:x:<id> (the author's draft) and
    b:sx:<id> (cancel from /broadcast_status, any staff member)."""
    query = update.callback_query
    match = BUTTON_RE.match(query.data or "")
    if match is None:
        await query.answer(text.BAD_BUTTON, show_alert=True)
        return
    op = "a" if match["aid"] else match["op"]
    broadcast_id = int(match["aid"] or match["id"])
    state, user_id, now = context.state, update.effective_user.id, _now(context)
    try:
        b = bdb.get(state.db, broadcast_id)
        if op == "sx":
            await _status_cancel(update, context, b)
            return
        if b.author_id != user_id:
            await query.answer(text.NOT_YOURS, show_alert=True)
            return
        if (
            b.state != bdb.DRAFT
            or b.step not in _BUTTON_STEPS[op]
            or (b.expires_at and dt.datetime.fromisoformat(b.expires_at) <= now)
        ):
            await query.answer(text.DRAFT_GONE if b.state == bdb.DRAFT or op != "x" else text.STALE, show_alert=True)
            return
        if op == "a":
            b = bdb.set_audience(state.db, b.id, bdb.parse_audience(match["audience"], state.db))
            await query.answer()
            await _preview(update, context, b)
        elif op == "go":
            b = bdb.queue(state.db, b.id)
            await query.answer()
            audit(state.db, now, user_id, "broadcast.send", f"#{b.id}")
            _wake(context)
            await query.edit_message_text(
                text.queued(b, bdb.count_audience(state.db, b.audience, access(context).admins)),
                parse_mode=ParseMode.HTML,
            )
        elif op == "at":
            await query.answer()
            b = bdb.set_step(state.db, b.id, "when", now=now)
            await _prompt(update, context, b, text.ASK_WHEN)
        else:
            b = bdb.cancel(state.db, b.id, now)
            await query.answer()
            audit(state.db, now, user_id, "broadcast.cancel", f"#{b.id}")
            await query.edit_message_text(f"{text.CANCELLED} (#{b.id})")
    except bdb.BroadcastError as exc:
        await query.answer(_staff_error(exc)[:190], show_alert=True)


async def _preview(update: Update, context: BotContext, b: bdb.Broadcast) -> None:
    """Send the notice exactly as recipients will get it, then the count and the choices."""
    chat_id = update.effective_chat.id
    sender = runtime(context).sender or TelegramSender(context.bot)
    await sender.send(chat_id, Notice(b.text, b.media))
    count = bdb.count_audience(context.state.db, b.audience, access(context).admins)
    summary = await context.bot.send_message(
        chat_id, text.preview_summary(b, count), parse_mode=ParseMode.HTML, reply_markup=_confirm_keyboard(b.id)
    )
    bdb.set_step(context.state.db, b.id, "confirm", now=_now(context), prompt_message_id=summary.message_id)


def _wake(context: BotContext) -> None:
    engine = runtime(context).engine
    if engine is not None:
        engine.wake()


# --- /broadcast_status -----------------------------------------------------------------------


def _status_items(db: Any, now: dt.datetime) -> list[bdb.Broadcast]:
    return [*bdb.drafts(db, now), *bdb.recent(db, 10)]


def _cancel_markup(blocks: list[tuple[int | None, str]], db: Any) -> InlineKeyboardMarkup | None:
    rows = []
    for broadcast_id, _ in blocks:
        if broadcast_id is None:
            continue
        b = bdb.get(db, broadcast_id)
        if b.state == bdb.DRAFT or b.state in bdb.ACTIVE_STATES:
            rows.append([InlineKeyboardButton(f"✖ #{b.id} 취소", callback_data=f"b:sx:{b.id}")])
    return InlineKeyboardMarkup(rows) if rows else None


def _block(db: Any, b: bdb.Broadcast) -> str:
    known = users_db.get(db, b.author_id) if b.author_id is not None else None
    return text.status_block(b, text.person(b.author_id, known))


@staff_only("/broadcast_status")
async def broadcast_status(update: Update, context: BotContext) -> None:
    """/broadcast_status: drafts, scheduled and recent notices with their authors (private)."""
    if not in_private(update):
        await to_private(update, context)
        return
    db = context.state.db
    blocks: list[tuple[int | None, str]] = [(b.id, _block(db, b)) for b in _status_items(db, _now(context))]
    message = await update.effective_message.reply_text(
        text.status_message([html for _, html in blocks]),
        parse_mode=ParseMode.HTML,
        reply_markup=_cancel_markup(blocks, db),
        link_preview_options=_NO_PREVIEW,
    )
    if blocks:
        bdb.save_status_view(db, message.chat_id, message.message_id, blocks, _now(context))


async def _status_cancel(update: Update, context: BotContext, b: bdb.Broadcast) -> None:
    """✖ on a /broadcast_status line: cancel that one and edit only its lines."""
    query, db, now = update.callback_query, context.state.db, _now(context)
    b = bdb.cancel(db, b.id, now)
    audit(db, now, update.effective_user.id, "broadcast.cancel", f"#{b.id} from status")
    _wake(context)
    await query.answer(f"{text.CANCELLED} (#{b.id})")
    message = query.message
    if message is None:
        return
    blocks = bdb.status_view(db, message.chat.id, message.message_id)
    if not blocks:
        return
    blocks = [(i, _block(db, b) if i == b.id else html) for i, html in blocks]
    bdb.save_status_view(db, message.chat.id, message.message_id, blocks, now)
    await query.edit_message_text(
        text.status_message([html for _, html in blocks]),
        parse_mode=ParseMode.HTML,
        reply_markup=_cancel_markup(blocks, db),
        link_preview_options=_NO_PREVIEW,
    )


# --- /notices --------------------------------------------------------------------------------


async def notices(update: Update, context: BotContext) -> None:
    """/notices: recent notices for this user in a private chat; only notices to everyone in a
    group (verified-only notices never show there)."""
    db = context.state.db
    user = update.effective_user
    if in_private(update) and user is not None:
        items = bdb.notices_for(
            db,
            audience_of(db, user.id),
            topics=topics_of(db, user.id),
            verified=roles.is_verified(db, user.id, access(context).admins),
        )
    else:
        items = bdb.notices_for(db, None)
    for html in text.notices(items):
        await _reply(update, html)


def broadcast_feature(settings: BroadcastSettings | None = None) -> Feature:
    """The broadcast and staff slice of the bot: commands, composer, buttons, roles, the engine."""
    from handlers import staff

    settings = settings or BroadcastSettings.from_env(os.environ)
    acc = Access(settings.admins)

    async def install(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        acc.state = app.bot_data[STATE_KEY]
        app.bot_data[ACCESS_KEY] = acc
        app.bot_data[RUNTIME_KEY] = BroadcastRuntime(settings)
        await start_engine(app)
        await staff.refresh_all_menus(app)

    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    notice = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    return Feature(
        name="broadcast",
        commands=(
            Command("notices", "최근 공지 보기", notices),
            Command("broadcast", "공지 보내기 (직원)", begin, staff_only=True),
            Command("broadcast_status", "공지 작성·예약·발송 현황 (직원)", broadcast_status, staff_only=True),
            *staff.commands(),
        ),
        handlers=(
            MessageHandler(private & filters.REPLY & notice & AnswersPrompt(acc), on_reply),
            CommandHandler("cancel", cancel_drafts, filters=private & HasOpenDraft(acc)),
            CallbackQueryHandler(on_button, pattern=r"^b:"),
            *staff.handlers(acc),
        ),
        on_startup=(install,),
        on_shutdown=(stop_engine,),
    )
