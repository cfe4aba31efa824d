"""Pictures in Telegram: the exam timeline, the campus and a month of courses, sent as photos.

A picture is rendered once per cache key (``pictures.service``) on a worker thread; the
file_id Telegram returns is stored (``db.pictures``), so an identical picture is sent again by
file_id without uploading. A picture that cannot be made or sent is logged and the text answer
goes out as before. Callback data ``p:``: ``p:e`` (the year's exam timeline), ``p:r:<round>``
(one round's row), ``p:c``, ``p:c:<building>``, ``p:c:<building>:<floor>`` (the campus),
``p:m:<YYYY-MM>`` (a month of courses).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from sqlite_utils import Database
from telegram import InputFile, Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler

from db import knowledge as kdb
from db import pictures as pdb
from db import reminders as rdb
from handlers.registry import Feature
from handlers.render import STALE_BUTTON, Button, Out
from handlers.send import keyboard
from handlers.state import BotContext
from knowledge.reply import Reply
from pictures import service
from pictures.layout import PictureError, parse_month

log = logging.getLogger("hrdbot.pictures")

CACHE_KEY = "hrdbot.pictures"
WARM_UP_KEY = "hrdbot.pictures.warm_up"
ALL_ROUNDS = "exam_round:*"
MONTH_BUTTON = "🗓 이번 달 교육 일정 보기"
ROUND_BUTTON = "🖼 이 회차 일정 그림으로 보기"
TIMELINE_BUTTON = "🖼 채용시험 일정 그림으로 보기"
CAMPUS_BUTTON = "🏢 건물 그림으로 보기"


def cache(context: BotContext) -> service.PictureCache:
    return context.bot_data.setdefault(CACHE_KEY, service.PictureCache())


def with_row(outs: Sequence[Out], *buttons: Button) -> list[Out]:
    """``outs`` with one more row of ``buttons`` under the last message."""
    if not outs or not buttons:
        return list(outs)
    last = outs[-1]
    return [*outs[:-1], dataclasses.replace(last, rows=(*last.rows, tuple(buttons)))]


def _floor(value: object) -> int | None:
    """A ``floor`` entity (2, -1 for 지하1층, or a one-item list of that), else None."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def picture_buttons(reply: Reply, floors: Mapping[str, Collection[int]] = MappingProxyType({})) -> list[Button]:
    """Buttons that show an answer as a picture, from the answer's intent and entities.

    A ``floor`` entity beside one building marks that floor, when ``floors`` (the levels of
    each building) has it; the understanding does not give floors yet, so today a building
    question marks the whole building."""
    entities = reply.entities
    if reply.intent == "exam.schedule":
        rounds = entities.get("round") or []
        if len(rounds) == 1:
            return [Button(ROUND_BUTTON, f"p:r:{rounds[0]}")]
        return [Button(TIMELINE_BUTTON, "p:e")]
    if reply.intent == "facility.building":
        buildings = entities.get("building") or []
        if len(buildings) == 1:
            floor = _floor(entities.get("floor"))
            if floor is not None and floor in floors.get(buildings[0], ()):
                return [Button(CAMPUS_BUTTON, f"p:c:{buildings[0]}:{floor}")]
            return [Button(CAMPUS_BUTTON, f"p:c:{buildings[0]}")]
        return [Button(CAMPUS_BUTTON, "p:c")]
    if reply.intent == "facility.site":
        return [Button(CAMPUS_BUTTON, "p:c")]
    if reply.intent == "program.list":
        dates = entities.get("dates") or []
        if len(dates) == 2 and dates[0][:7] == dates[1][:7]:
            year, month = dates[0][:4], dates[0][5:7]
            return [Button(f"🗓 {int(month)}월 교육 일정 달력으로 보기", f"p:m:{year}-{month}")]
    return []


def offer(reply: Reply, outs: Sequence[Out], db: Database) -> list[Out]:
    """An answer's messages with its picture button, if the answer has a picture."""
    floors: dict[str, set[int]] = {}
    if "floor" in reply.entities:
        floors = {b.id: {*range(-(b.floors_below or 0), 0), *range(1, b.floors_above + 1)} for b in kdb.buildings(db)}
    return with_row(outs, *picture_buttons(reply, floors))


def subscribed_rounds(update: Update, context: BotContext) -> set[str]:
    """The exam rounds the user gets reminders of; none in groups (personal data)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        return set()
    topics = rdb.topics_of(context.state.db, user.id)
    if ALL_ROUNDS in topics:
        return {r.id for r in kdb.rounds(context.state.db)}
    return {t.split(":", 1)[1] for t in topics if t.startswith("exam_round:")}


async def send_picture(
    update: Update, context: BotContext, request: service.Request, rows: Sequence[Sequence[Button]] = ()
) -> Message | None:
    """Send ``request`` as a photo with its caption: by the stored file_id when there is one,
    else rendered (or from the cache) and uploaded, remembering the new file_id."""
    chat = update.effective_chat
    if chat is None:
        return None
    state = context.state
    reply_to = None
    message = update.effective_message
    if chat.type != ChatType.PRIVATE and message is not None and update.callback_query is None:
        reply_to = ReplyParameters(message.message_id, allow_sending_without_reply=True)
    markup = keyboard(rows, state.db, context)
    known = pdb.file_id(state.db, request.key)
    if known is not None:
        try:
            return await context.bot.send_photo(
                chat.id, known, caption=request.caption, reply_markup=markup, reply_parameters=reply_to
            )
        except BadRequest as exc:
            log.warning("stored file_id of %s refused (%s); uploading again", request.key, exc)
            pdb.forget(state.db, request.key)
    picture = await asyncio.to_thread(cache(context).picture, request)
    sent = await context.bot.send_photo(
        chat.id,
        InputFile(picture.png, filename=picture.filename),
        caption=picture.caption,
        reply_markup=markup,
        reply_parameters=reply_to,
    )
    if sent.photo:
        pdb.remember(state.db, request.key, sent.photo[-1].file_id, state.clock.now())
    return sent


async def try_send_picture(update: Update, context: BotContext, request: service.Request | None) -> Message | None:
    """``send_picture``, logging instead of raising: the text that follows still goes out."""
    if request is None:
        return None
    try:
        return await send_picture(update, context, request)
    except (PictureError, OSError, TelegramError):
        log.warning("could not send the picture %s", request.key, exc_info=True)
        return None


def _request_or_none(build: Callable[[], service.Request]) -> service.Request | None:
    try:
        return build()
    except PictureError:
        log.warning("could not lay out a picture", exc_info=True)
        return None


async def send_exams_timeline(update: Update, context: BotContext) -> Message | None:
    """The year's exam timeline, with the user's subscribed rounds marked (private chats)."""
    state = context.state
    rounds = subscribed_rounds(update, context)
    today = state.clock.now().date()
    return await try_send_picture(
        update, context, _request_or_none(lambda: service.exams_request(state.db, today, highlight=rounds))
    )


async def send_campus(update: Update, context: BotContext) -> Message | None:
    """The campus sections."""
    db = context.state.db
    return await try_send_picture(update, context, _request_or_none(lambda: service.campus_request(db)))


def month_button(context: BotContext) -> Button:
    """'이번 달 교육 일정 보기' for today's month."""
    today = context.state.clock.now().date()
    return Button(MONTH_BUTTON, f"p:m:{today.year:04d}-{today.month:02d}")


def request_for_button(context: BotContext, args: list[str], highlight: Collection[str] = ()) -> service.Request:
    """The picture a ``p:`` button asks for (``highlight``: rounds to mark on the year's
    timeline); ``PictureError`` when the data is malformed."""
    state = context.state
    today = state.clock.now().date()
    match args:
        case ["e"]:
            return service.exams_request(state.db, today, highlight=highlight)
        case ["r", round_id] if round_id:
            return service.exams_request(state.db, today, round_id=round_id)
        case ["c"]:
            return service.campus_request(state.db)
        case ["c", building] if building:
            return service.campus_request(state.db, building=building)
        case ["c", building, floor] if building and floor.lstrip("-").isdigit():
            return service.campus_request(state.db, building=building, floor=int(floor))
        case ["m", month]:
            parse_month(month)
            return service.month_request(state.db, month, today)
    raise PictureError(f"unknown picture button: {':'.join(args)!r}")


async def on_button(update: Update, context: BotContext) -> None:
    """A ``p:`` button: send that picture; an alert when the button is stale or malformed."""
    query = update.callback_query
    _, _, rest = (query.data or "").partition(":")
    args = rest.split(":")
    try:
        request = request_for_button(context, args, subscribed_rounds(update, context) if args == ["e"] else ())
    except PictureError:
        await query.answer(STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await send_picture(update, context, request)


async def _load() -> None:
    from pictures.draw import warm_up as load

    try:
        await asyncio.to_thread(load)
    except (PictureError, ImportError, OSError):
        log.warning("pictures are not available; answers go out as text", exc_info=True)


async def warm_up(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At start-up, begin loading matplotlib and the font on a worker thread. Not awaited:
    the start (and jobs due right now, which the scheduler drops when more than a second
    late) must not wait for it."""
    app.bot_data[WARM_UP_KEY] = asyncio.create_task(_load())


async def finish_warm_up(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """At shut-down, let a warm-up still running end (its thread cannot be interrupted)."""
    task = app.bot_data.pop(WARM_UP_KEY, None)
    if task is not None:
        await task


def pictures_feature() -> Feature:
    """The ``p:`` picture buttons (the commands that send pictures live in ``menus``)."""
    return Feature(
        name="pictures",
        handlers=(CallbackQueryHandler(on_button, pattern=r"^p:"),),
        on_startup=(warm_up,),
        on_shutdown=(finish_warm_up,),
    )
