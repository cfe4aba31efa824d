"""Staff broadcast on Telegram: /broadcast (write → audience → preview → send, schedule or
cancel), /broadcast_status, /grant, /revoke, and /notices for everyone.

Every staff command and button goes through ``staff_only``: a user without the role gets the
same neutral reply as an unknown command, and every attempt, allowed or not, is audit-logged.
The delivery engine (``handlers.broadcast_engine``) starts with the bot and resumes whatever
the database says is unfinished.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import warnings
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from db import broadcasts as bdb
from db import roles
from db.ops import audit
from db.reminders import topics_of
from db.users import AUDIENCES, audience_of
from handlers import broadcast_text as text
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
from handlers.render import UNKNOWN_COMMAND
from handlers.state import STATE_KEY, BotContext

log = logging.getLogger("hrdbot.broadcast")

RUNTIME_KEY = "hrdbot.broadcast"
NOTICE, WHEN = range(2)
_DRAFT_KEY = "broadcast_draft"
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
BUTTON_RE = re.compile(r"^b:(?:(?P<op>go|at|x):(?P<id>\d{1,12})|a:(?P<aid>\d{1,12}):"
                       r"(?P<audience>[\w:*-]{1,40}))$")


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
                    chat_id, notice.html, parse_mode=ParseMode.HTML,
                    link_preview_options=_NO_PREVIEW)
            elif notice.media.kind == "photo":
                message = await self.bot.send_photo(chat_id, notice.media.file_id,
                                                    caption=notice.html,
                                                    parse_mode=ParseMode.HTML)
            else:
                message = await self.bot.send_document(chat_id, notice.media.file_id,
                                                       caption=notice.html,
                                                       parse_mode=ParseMode.HTML)
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
            await self.bot.edit_message_text(html, chat_id=chat_id, message_id=message_id,
                                             parse_mode=ParseMode.HTML,
                                             link_preview_options=_NO_PREVIEW)
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

        request = AiohttpRequest(window + 4, read_timeout=10.0, write_timeout=10.0,
                                 connect_timeout=5.0, pool_timeout=5.0)
    else:
        request = HTTPXRequest(connection_pool_size=window + 4, pool_timeout=5.0,
                               read_timeout=10.0, write_timeout=10.0, connect_timeout=5.0)
    return Bot(app_bot.token, base_url=lambda _token: base_url,
               base_file_url=lambda _token: file_url, request=request)


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
    rt.engine = BroadcastEngine(state.db, rt.sender, state.clock, engine_config,
                                limiter=shared_limiter(app.bot_data, engine_config.rate,
                                                       engine_config.per_chat_interval))
    rt.engine.start()


async def stop_engine(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    rt: BroadcastRuntime | None = app.bot_data.get(RUNTIME_KEY)
    if rt is None:  # start-up never got this far
        return
    if rt.engine is not None:
        await rt.engine.stop()
    if rt.sender is not None:
        await rt.sender.bot.shutdown()


# --- access control --------------------------------------------------------------------------

Handler = Callable[[Update, BotContext], Awaitable[Any]]


def staff_only(action: str, *, admin: bool = False) -> Callable[[Handler], Handler]:
    """Let staff (or only admins) through; others get the neutral reply. Both are audited."""

    def decorate(callback: Handler) -> Handler:
        @functools.wraps(callback)
        async def wrapper(update: Update, context: BotContext) -> Any:
            state = context.state
            user = update.effective_user
            user_id = user.id if user else None
            admins = runtime(context).settings.admins
            check = roles.is_admin if admin else roles.is_staff
            allowed = check(state.db, user_id, admins)
            detail = _detail(update)
            audit(state.db, state.clock.now(), user_id, action, detail, allowed=allowed)
            if allowed:
                return await callback(update, context)
            log.warning("denied %s to user %s", action, user_id)
            if update.callback_query is not None:
                await update.callback_query.answer(UNKNOWN_COMMAND, show_alert=True)
            elif update.effective_message is not None:
                await update.effective_message.reply_text(UNKNOWN_COMMAND)
            return ConversationHandler.END

        return wrapper

    return decorate


def _detail(update: Update) -> str:
    if update.callback_query is not None:
        return f"button {update.callback_query.data}"[:200]
    message = update.effective_message
    return (message.text or "")[:200] if message is not None else ""


async def _reply(update: Update, html: str,
                 markup: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_message.reply_text(html, parse_mode=ParseMode.HTML,
                                              reply_markup=markup,
                                              link_preview_options=_NO_PREVIEW)


# --- /broadcast conversation -----------------------------------------------------------------


@staff_only("/broadcast")
async def begin(update: Update, context: BotContext) -> int:
    """/broadcast: ask for the notice."""
    await _reply(update, text.ASK_NOTICE)
    return NOTICE


@staff_only("/broadcast")
async def begin_elsewhere(update: Update, context: BotContext) -> None:
    """/broadcast outside a private chat: notices are written in a private chat with the bot."""
    await _reply(update, text.PRIVATE_ONLY)


async def got_notice(update: Update, context: BotContext) -> int:
    """The notice (text, or a photo/document with a caption): save a draft, ask the audience."""
    message = update.effective_message
    state = context.state
    media: bdb.Media | None = None
    if message.photo:
        media = bdb.Media("photo", message.photo[-1].file_id)
    elif message.document is not None:
        media = bdb.Media("document", message.document.file_id)
    html = (message.caption_html if media else message.text_html) or ""
    try:
        text.check_notice(html, caption=media is not None)
    except text.NoticeTextError as exc:
        await _reply(update, f"{exc}\n다시 입력해 주세요.")
        return NOTICE
    draft = bdb.create(state.db, text=html, now=state.clock.now(), author_id=message.from_user.id,
                       media=media, report_chat_id=message.chat_id)
    audit(state.db, state.clock.now(), message.from_user.id, "broadcast.draft", f"#{draft.id}")
    await _reply(update, text.ASK_AUDIENCE, audience_keyboard(state.db, draft.id))
    return ConversationHandler.END


def audience_keyboard(db: Any, broadcast_id: int) -> InlineKeyboardMarkup:
    choices = [bdb.EVERYONE, *(code for code in AUDIENCES if code != "other"),
               *(bdb.TOPIC_PREFIX + topic for topic in bdb.COMMON_TOPICS)]
    rows = [[InlineKeyboardButton(
        f"{bdb.audience_label(code)} ({bdb.count_audience(db, code):,}명)",
        callback_data=f"b:a:{broadcast_id}:{code}")] for code in choices]
    return InlineKeyboardMarkup(rows)


def _confirm_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("🚀 지금 보내기", callback_data=f"b:go:{broadcast_id}"),
        InlineKeyboardButton("⏰ 예약", callback_data=f"b:at:{broadcast_id}"),
        InlineKeyboardButton("✖ 취소", callback_data=f"b:x:{broadcast_id}"),
    ]])


@staff_only("broadcast.schedule")
async def ask_when(update: Update, context: BotContext) -> int:
    """The 예약 button: ask for the time."""
    match = BUTTON_RE.match(update.callback_query.data or "")
    await update.callback_query.answer()
    if match is None:
        return ConversationHandler.END
    context.user_data[_DRAFT_KEY] = int(match["id"])
    await _reply(update, text.ASK_WHEN)
    return WHEN


async def got_when(update: Update, context: BotContext) -> int:
    """The schedule time: queue the draft for then, or say what is wrong and ask again."""
    state = context.state
    broadcast_id = context.user_data.get(_DRAFT_KEY)
    try:
        when = text.parse_when(update.effective_message.text or "", state.clock.now())
        b = bdb.queue(state.db, int(broadcast_id), at=when)
    except text.WhenError as exc:
        await _reply(update, str(exc))
        return WHEN
    except (bdb.BroadcastError, TypeError) as exc:
        await _reply(update, _staff_error(exc))
        return ConversationHandler.END
    context.user_data.pop(_DRAFT_KEY, None)
    audit(state.db, state.clock.now(), update.effective_user.id, "broadcast.schedule",
          f"#{b.id} at {b.scheduled_at}")
    _wake(context)
    await _reply(update, text.queued(b, bdb.count_audience(state.db, b.audience)))
    return ConversationHandler.END


async def cancel_input(update: Update, context: BotContext) -> int:
    """/cancel while writing a notice or a time."""
    context.user_data.pop(_DRAFT_KEY, None)
    await _reply(update, text.CANCELLED)
    return ConversationHandler.END


def _staff_error(exc: Exception) -> str:
    if isinstance(exc, bdb.BroadcastError):
        return str(exc).split(" / ")[0]
    return text.BAD_BUTTON


def broadcast_conversation() -> ConversationHandler:
    notice = (filters.TEXT & ~filters.COMMAND) | filters.PHOTO | filters.Document.ALL
    with warnings.catch_warnings():
        # Deliberate: tracked per (chat, user); the 예약 button only opens the time question.
        warnings.filterwarnings("ignore", message=r"If 'per_message=False'")
        return ConversationHandler(
            entry_points=[
                CommandHandler("broadcast", begin, filters=filters.ChatType.PRIVATE),
                CallbackQueryHandler(ask_when, pattern=r"^b:at:\d{1,12}$"),
            ],
            states={
                NOTICE: [MessageHandler(filters.ChatType.PRIVATE & notice, got_notice)],
                WHEN: [MessageHandler(filters.TEXT & ~filters.COMMAND, got_when)],
            },
            fallbacks=[CommandHandler("cancel", cancel_input)],
            allow_reentry=True,
            conversation_timeout=30 * 60,
            name="broadcast",
        )


# --- buttons ---------------------------------------------------------------------------------


@staff_only("broadcast.button")
async def on_button(update: Update, context: BotContext) -> None:
    """b:a:<id>:<audience> (preview), b:go:<id> (send now), b:x:<id> (cancel)."""
    query = update.callback_query
    match = BUTTON_RE.match(query.data or "")
    if match is None or match["op"] == "at":
        await query.answer(text.BAD_BUTTON, show_alert=True)
        return
    state = context.state
    user_id = update.effective_user.id
    try:
        if match["aid"]:
            b = bdb.set_audience(state.db, int(match["aid"]),
                                 bdb.parse_audience(match["audience"], state.db))
            await query.answer()
            await _preview(update, context, b)
        elif match["op"] == "go":
            b = bdb.queue(state.db, int(match["id"]))
            await query.answer()
            audit(state.db, state.clock.now(), user_id, "broadcast.send", f"#{b.id}")
            _wake(context)
            await query.edit_message_text(text.queued(b, bdb.count_audience(state.db,
                                                                             b.audience)),
                                          parse_mode=ParseMode.HTML)
        else:
            b = bdb.cancel(state.db, int(match["id"]), state.clock.now())
            await query.answer()
            audit(state.db, state.clock.now(), user_id, "broadcast.cancel", f"#{b.id}")
            _wake(context)
            await query.edit_message_text(f"{text.CANCELLED} (#{b.id})")
    except bdb.BroadcastError as exc:
        await query.answer(_staff_error(exc)[:190], show_alert=True)


async def _preview(update: Update, context: BotContext, b: bdb.Broadcast) -> None:
    """Send the notice exactly as recipients will get it, then the count and the choices."""
    chat_id = update.effective_chat.id
    sender = runtime(context).sender or TelegramSender(context.bot)
    await sender.send(chat_id, Notice(b.text, b.media))
    count = bdb.count_audience(context.state.db, b.audience)
    await context.bot.send_message(chat_id, text.preview_summary(b, count),
                                   parse_mode=ParseMode.HTML,
                                   reply_markup=_confirm_keyboard(b.id))


def _wake(context: BotContext) -> None:
    engine = runtime(context).engine
    if engine is not None:
        engine.wake()


# --- other commands --------------------------------------------------------------------------


@staff_only("/broadcast_status")
async def broadcast_status(update: Update, context: BotContext) -> None:
    """/broadcast_status: queued, running and recent broadcasts with their counts."""
    db = context.state.db
    items = bdb.recent(db, 10)
    cancellable = [b for b in items if b.state in bdb.ACTIVE_STATES]
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        f"✖ #{b.id} 취소", callback_data=f"b:x:{b.id}")] for b in cancellable]) \
        if cancellable else None
    await _reply(update, text.status(items), markup)


def _role_args(context: BotContext) -> tuple[int, str] | None:
    args = context.args or []
    if not args or len(args) > 2:
        return None
    return roles.parse_user_id(args[0]), roles.parse_role(args[1] if len(args) > 1 else None)


@staff_only("/grant", admin=True)
async def grant(update: Update, context: BotContext) -> None:
    """/grant <user id> [staff|admin] (admins only); without arguments, who has which role."""
    state = context.state
    try:
        parsed = _role_args(context)
    except roles.RoleError as exc:
        await _reply(update, f"{str(exc).split(' / ')[0]}\n{text.GRANT_USAGE}")
        return
    if parsed is None:
        listing = text.grants_list(roles.grants(state.db), list(runtime(context).settings.admins))
        await _reply(update, f"{listing}\n\n{text.GRANT_USAGE}")
        return
    user_id, role = parsed
    changed = roles.grant(state.db, user_id, role, by=update.effective_user.id,
                          now=state.clock.now())
    await _reply(update, text.granted(user_id, role, changed))


@staff_only("/revoke", admin=True)
async def revoke(update: Update, context: BotContext) -> None:
    """/revoke <user id> [staff|admin] (admins only)."""
    state = context.state
    try:
        parsed = _role_args(context)
    except roles.RoleError as exc:
        await _reply(update, f"{str(exc).split(' / ')[0]}\n{text.REVOKE_USAGE}")
        return
    if parsed is None:
        await _reply(update, text.REVOKE_USAGE)
        return
    user_id, role = parsed
    await _reply(update, text.revoked(user_id, role, roles.revoke(state.db, user_id, role)))


async def notices(update: Update, context: BotContext) -> None:
    """/notices: the recent notices meant for this user."""
    db = context.state.db
    user = update.effective_user
    audience = audience_of(db, user.id) if user else None
    topics = topics_of(db, user.id) if user else []
    for html in text.notices(bdb.notices_for(db, audience, topics=topics)):
        await _reply(update, html)


STAFF_COMMANDS = ("broadcast", "broadcast_status", "grant", "revoke")


def broadcast_feature(settings: BroadcastSettings | None = None) -> Feature:
    """The broadcast slice of the bot: its commands, conversation, buttons and the engine."""
    settings = settings or BroadcastSettings.from_env(os.environ)

    async def install(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.bot_data[RUNTIME_KEY] = BroadcastRuntime(settings)
        await start_engine(app)

    return Feature(
        name="broadcast",
        commands=(
            Command("notices", "최근 공지 보기", notices),
            Command("broadcast", "공지 보내기 (직원)", begin_elsewhere, staff_only=True),
            Command("broadcast_status", "공지 발송 현황 (직원)", broadcast_status,
                    staff_only=True),
            Command("grant", "직원 권한 주기 (관리자)", grant, staff_only=True),
            Command("revoke", "직원 권한 거두기 (관리자)", revoke, staff_only=True),
        ),
        handlers=(broadcast_conversation(),
                  CallbackQueryHandler(on_button, pattern=r"^b:")),
        on_startup=(install,),
        on_shutdown=(stop_engine,),
    )
