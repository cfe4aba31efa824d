"""/subscribe, /unsubscribe, /settings and /calendar, and their inline buttons.

Menus are pure functions (``*_menu``) from the knowledge view and the user's subscriptions to
``render.Out``; the handlers parse, call ``db.reminders``, render and send. Callback data:
``rs:`` subscriptions (``rs:home``, ``rs:exams``, ``rs:courses``, ``rs:cat:<id>``,
``rs:t:<topic>`` toggle, ``rs:q:<topic>`` subscribe from an answer, ``rs:u:<topic>`` /
``rs:uall`` unsubscribe) and ``rt:`` settings (``rt:home``, ``rt:push``, ``rt:always``,
``rt:time``, ``rt:time:HHMM``, ``rt:quiet``, ``rt:quiet:HHMM-HHMM`` / ``rt:quiet:off``).

Only what can still bring a reminder is offered (``knowledge.reminders.open_topics``: exam
rounds and course cohorts with a date from today on, daycare, notices); a button subscribing to
anything else, forged or left over from an older menu, is refused. Unsubscribing always works.
All of it is personal: in a group the commands answer with a link into the private chat
(``handlers.private``), where ``/start calendar`` etc. continue.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Sequence

from telegram import Update

from db import knowledge as kdb
from db import reminders as rdb
from handlers import private, reminder_jobs
from handlers.render import Button, Out, escape
from handlers.send import send, show
from handlers.state import AppState, BotContext
from knowledge import reminders as rk
from knowledge.calendar import build_calendar, selected
from knowledge.reply import Topic

log = logging.getLogger("hrdbot.reminders")

CALLBACK_LIMIT = 64
PUSH_TIMES = ("07:00", "07:30", "08:00", "08:30", "09:00", "12:00", "18:00", "21:00")
QUIET_CHOICES = (("22:00", "08:00"), ("23:00", "07:00"), ("21:00", "09:00"), ("00:00", "06:00"))
ON, OFF = "✅", "☐"

UNKNOWN_TOPIC = "알 수 없는 알림 항목이에요. /subscribe 로 메뉴를 다시 열어 주세요."
SETTINGS_USAGE = (
    "사용법: <code>/settings</code> (메뉴), <code>/settings 시간 07:45</code> (매일 알림 시각), "
    "<code>/settings 방해금지 23:00-07:00</code> 또는 <code>/settings 방해금지 끄기</code>"
)
PRIVATE_BUTTON = "알림 메뉴는 저와의 1:1 대화에서만 쓸 수 있어요."
CLOSED_TOPIC = (
    "이 일정은 이미 끝났거나 날짜가 정해지지 않아 알림을 보내 드릴 수 없어요. "
    "/subscribe 에서 앞으로의 일정을 골라 주세요."
)
BASIS = "※ 2018년 인재개발원 업무보고 기준 일정으로 알려 드려요."


class BadCallback(ValueError):
    """Callback data this feature does not understand (unknown topic, malformed)."""


class ClosedTopic(Exception):
    """A subscription to a topic that can bring no reminder any more (or never could)."""


# --- pure menus ------------------------------------------------------------------------------


def _mark(on: bool) -> str:
    return ON if on else OFF


def _short(label: str) -> str:
    return label.split(": ", 1)[-1]


def _offered(name: str, topics: Collection[str], open_: Collection[str]) -> bool:
    """Shown in a menu: can be subscribed, or is subscribed (so it can be stopped)."""
    return name in open_ or name in topics


def _closed_mark(name: str, open_: Collection[str]) -> str:
    return "" if name in open_ else " (남은 일정 없음)"


def toggle_data(topic: str) -> str:
    """Callback data for toggling ``topic``; refuses data Telegram would not accept."""
    data = f"rs:t:{topic}"
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"topic {topic!r} is too long for callback data")
    return data


def home_menu(view: rk.KnowledgeView, topics: Collection[str]) -> Out:
    """The /subscribe menu: the four plain sections and what the user follows now."""
    lines = [
        "🔔 <b>알림 구독</b>",
        "받고 싶은 알림을 골라 주세요. 구독한 교육과정은 시작 7일 전과 전날, 시험 일정은 "
        "원서접수·시험 전날·발표일 등에 알려 드려요. 매일 아침에는 오늘과 이번 주 일정을 "
        "모아 보내 드려요 (/settings 에서 바꿀 수 있어요).",
        "",
    ]
    if topics:
        lines.append("<b>지금 구독 중</b>")
        lines += [f"• {escape(rk.topic_label(view, t))}" for t in topics]
    else:
        lines.append("아직 구독한 알림이 없어요.")
    rows = (
        (Button("📝 시험 일정", "rs:exams"), Button("📚 교육과정", "rs:courses")),
        (
            Button(f"{_mark(rk.DAYCARE in topics)} 어린이집", toggle_data(rk.DAYCARE)),
            Button(f"{_mark(rk.NOTICES in topics)} 공지", toggle_data(rk.NOTICES)),
        ),
        (Button("⚙️ 알림 설정", "rt:home"), Button("완료", "rs:done")),
    )
    return Out("\n".join(lines), rows)


def exams_menu(view: rk.KnowledgeView, topics: Collection[str], open_: Collection[str]) -> Out:
    """Exam rounds with dates ahead: all of them, or chosen ones."""
    rounds = [t for t in view.topics_of_kind("exam_round") if t != rk.ALL_ROUNDS]
    rows = []
    if _offered(rk.ALL_ROUNDS, topics, open_):
        rows.append(
            (
                Button(
                    f"{_mark(rk.ALL_ROUNDS in topics)} 모든 회차{_closed_mark(rk.ALL_ROUNDS, open_)}",
                    toggle_data(rk.ALL_ROUNDS),
                ),
            )
        )
    rows += [
        (Button(f"{_mark(t in topics)} {_short(view.topic_names[t])}{_closed_mark(t, open_)}", toggle_data(t)),)
        for t in rounds
        if _offered(t, topics, open_)
    ]
    lines = ["📝 <b>시험 일정 알림</b>"]
    lines.append(
        "모든 회차 또는 원하는 회차를 골라 주세요."
        if rows
        else "앞으로 날짜가 정해진 시험 일정이 없어 지금은 알림을 받을 수 없어요."
    )
    closed = [_short(view.topic_names[t]) for t in rounds if t not in open_]
    if closed:
        lines.append(
            "일정이 모두 지났거나 날짜가 정해지지 않은 회차는 알림을 받을 수 없어요: " + escape(", ".join(closed))
        )
    rows.append((Button("◀ 뒤로", "rs:home"),))
    return Out("\n".join(lines), tuple(rows))


def courses_menu(categories: Sequence[kdb.Category], topics: Collection[str], open_: Collection[str]) -> Out:
    """Course categories with cohorts ahead; a ✅ marks a category followed as a whole."""
    shown = [c for c in categories if _offered(rk.topic("category", c.id), topics, open_)]
    rows = [(Button(f"{_mark(rk.topic('category', c.id) in topics)} {c.name}", f"rs:cat:{c.id}"),) for c in shown]
    rows.append((Button("◀ 뒤로", "rs:home"),))
    lines = [
        "📚 <b>교육과정 알림</b>",
        "분야를 고르면 분야 전체나 과정을 골라 구독할 수 있어요."
        if shown
        else "앞으로 날짜가 정해진 교육 기수가 없어 지금은 알림을 받을 수 없어요.",
    ]
    if shown and len(shown) < len(categories):
        lines.append("날짜가 정해진 기수가 더 없는 분야는 빼고 보여 드려요.")
    return Out("\n".join(lines), tuple(rows))


def category_menu(
    category: kdb.Category, programs: Sequence[kdb.Program], topics: Collection[str], open_: Collection[str]
) -> Out:
    """One category: follow it whole, or chosen programs (those with cohorts ahead)."""
    whole = rk.topic("category", category.id)
    rows = []
    if _offered(whole, topics, open_):
        rows.append((Button(f"{_mark(whole in topics)} 이 분야 전체{_closed_mark(whole, open_)}", toggle_data(whole)),))
    for p in programs:
        t = rk.topic("program", p.id)
        if _offered(t, topics, open_):
            rows.append((Button(f"{_mark(t in topics)} {p.name}{_closed_mark(t, open_)}", toggle_data(t)),))
    text = f"📚 <b>{escape(category.name)}</b>\n" + (
        "알림 받을 과정을 골라 주세요. 날짜가 정해진 기수가 남은 과정만 보여 드려요."
        if rows
        else "이 분야에는 앞으로 날짜가 정해진 기수가 없어 알림을 받을 수 없어요."
    )
    rows.append((Button("◀ 분야 목록", "rs:courses"),))
    return Out(text, tuple(rows))


def unsubscribe_menu(view: rk.KnowledgeView, topics: Sequence[str]) -> Out:
    if not topics:
        return Out("구독 중인 알림이 없어요. /subscribe 로 구독할 수 있어요.")
    rows = [(Button(f"❌ {rk.topic_label(view, t)}", f"rs:u:{t}"),) for t in topics]
    rows.append((Button("모두 해지", "rs:uall"),))
    return Out("🔕 <b>알림 해지</b>\n해지할 알림을 눌러 주세요.", tuple(rows))


def settings_menu(settings: rk.Settings) -> Out:
    push = f"켜짐 ({settings.push_time:%H:%M})" if settings.daily_push else "꺼짐"
    start, end = settings.quiet_start, settings.quiet_end
    quiet = "없음" if start is None or end is None or start == end else f"{start:%H:%M}~{end:%H:%M}"
    lines = [
        "⚙️ <b>알림 설정</b>",
        f"• 매일 알림 (오늘·이번 주 일정): {push}",
        f"• 일정이 없는 날에도 받기: {'예' if settings.daily_always else '아니요'}",
        f"• 방해 금지 시간: {quiet}",
        "방해 금지 시간에 걸린 알림은 그 시간이 끝나면 보내 드려요. 직접 고른 매일 알림 시각은 예외예요.",
    ]
    rows = (
        (
            Button("매일 알림 끄기" if settings.daily_push else "매일 알림 켜기", "rt:push"),
            Button("일정 없는 날은 빼기" if settings.daily_always else "일정 없는 날도 받기", "rt:always"),
        ),
        (Button("🕗 매일 알림 시각", "rt:time"), Button("🌙 방해 금지 시간", "rt:quiet")),
        (Button("◀ 구독 메뉴", "rs:home"),),
    )
    return Out("\n".join(lines), rows)


def time_menu(current: dt.time) -> Out:
    buttons = [
        Button(f"{'✅ ' if t == f'{current:%H:%M}' else ''}{t}", f"rt:time:{t.replace(':', '')}") for t in PUSH_TIMES
    ]
    rows = tuple(tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4))
    return Out(
        "🕗 매일 알림을 받을 시각을 골라 주세요. 다른 시각은 <code>/settings 시간 07:45</code> 처럼 보내 주세요.",
        (*rows, (Button("◀ 설정", "rt:home"),)),
    )


def quiet_menu() -> Out:
    rows = [(Button(f"{a}~{b}", f"rt:quiet:{a.replace(':', '')}-{b.replace(':', '')}"),) for a, b in QUIET_CHOICES]
    rows += [(Button("방해 금지 시간 없음", "rt:quiet:off"),), (Button("◀ 설정", "rt:home"),)]
    return Out(
        "🌙 방해 금지 시간을 골라 주세요. 다른 시간은 <code>/settings 방해금지 23:30-07:00</code> 처럼 보내 주세요.",
        tuple(rows),
    )


def subscribe_rows(
    topics: Sequence[Topic], view: rk.KnowledgeView, open_: Collection[str], limit: int = 2
) -> list[tuple[Button, ...]]:
    """ "이 일정 알림 받기" buttons for the topics of an answer that can still bring a reminder."""
    names = [
        name
        for name in (rk.topic(t.kind, t.ref_id) for t in topics)
        if name in view.topic_names and name in open_ and len(f"rs:q:{name}".encode()) <= CALLBACK_LIMIT
    ]
    rows = []
    for name in names[:limit]:
        label = "🔔 이 일정 알림 받기" if len(topics) == 1 else f"🔔 알림 받기: {_short(view.topic_names[name])}"
        rows.append((Button(label[:60], f"rs:q:{name}"),))
    return rows


def with_subscribe_button(
    outs: list[Out], topics: Sequence[Topic], view: rk.KnowledgeView, open_: Collection[str]
) -> list[Out]:
    """``outs`` with "이 일정 알림 받기" under the last message, when the answer has topics
    with dates ahead."""
    rows = subscribe_rows(topics, view, open_)
    if not outs or not rows:
        return outs
    last = outs[-1]
    return [*outs[:-1], Out(last.html, (*last.rows, *rows))]


def parse_quiet(text: str) -> tuple[dt.time, dt.time]:
    """'23:00-07:00' / '2300-0700' / '끄기' -> quiet hours ((t, t): none)."""
    if text.strip() in ("끄기", "없음", "off"):
        return dt.time(0), dt.time(0)
    start, sep, end = text.strip().partition("-")
    if not sep:
        raise ValueError(text)
    return _parse_time(start), _parse_time(end)


def _parse_time(text: str) -> dt.time:
    text = text.strip()
    if len(text) == 4 and text.isdigit():
        text = f"{text[:2]}:{text[2:]}"
    return rk.parse_hhmm(text)


# --- handlers --------------------------------------------------------------------------------


def _open(context: BotContext, view: rk.KnowledgeView) -> frozenset[str]:
    return rk.open_topics(view, context.state.clock.now().date())


async def subscribe(update: Update, context: BotContext) -> None:
    """/subscribe: the subscription menu."""
    if not private.is_private(update):
        await private.redirect(update, context, "subscribe")
        return
    view = reminder_jobs.service(context).view()
    topics = rdb.topics_of(context.state.db, update.effective_user.id)
    await send(update, context, [home_menu(view, topics)])


async def unsubscribe(update: Update, context: BotContext) -> None:
    """/unsubscribe: the user's subscriptions, each with a button to stop it."""
    if not private.is_private(update):
        await private.redirect(update, context, "unsubscribe")
        return
    view = reminder_jobs.service(context).view()
    topics = rdb.topics_of(context.state.db, update.effective_user.id)
    await send(update, context, [unsubscribe_menu(view, topics)])


async def settings(update: Update, context: BotContext) -> None:
    """/settings: daily push and quiet hours (menu, or ``/settings 시간 07:45``)."""
    if not private.is_private(update):
        await private.redirect(update, context, "settings")
        return
    state, user_id = context.state, update.effective_user.id
    defaults = reminder_jobs.service(context).config.defaults
    args = context.args or []
    if args:
        what, value = args[0], " ".join(args[1:])
        try:
            if what in ("시간", "시각", "time"):
                rdb.update_settings(state.db, user_id, state.clock.now(), push_time=_parse_time(value), daily_push=True)
            elif what in ("방해금지", "quiet"):
                rdb.update_settings(state.db, user_id, state.clock.now(), quiet=parse_quiet(value))
            else:
                raise ValueError(what)
        except ValueError:
            await send(update, context, [Out(SETTINGS_USAGE)])
            return
        reminder_jobs.reschedule(context.application)
    await send(update, context, [settings_menu(rdb.settings_of(state.db, user_id, defaults))])


async def calendar(update: Update, context: BotContext) -> None:
    """/calendar: an .ics file of the user's subscribed exam events and course sessions."""
    if not private.is_private(update):
        await private.redirect(update, context, "calendar")
        return
    state = context.state
    view = reminder_jobs.service(context).view()
    topics = rdb.topics_of(state.db, update.effective_user.id)
    if not any(selected(view, topics)):
        await send(
            update,
            context,
            [Out("캘린더에 넣을 일정이 없어요. /subscribe 로 시험 일정이나 교육과정을 먼저 구독해 주세요.")],
        )
        return
    data = build_calendar(view, topics, state.clock.now())
    await context.bot.send_document(
        update.effective_chat.id,
        data,
        filename="hrdbot-calendar.ics",
        caption="📅 구독하신 일정이에요. 캘린더 앱에서 열면 추가돼요. 다시 받아 가져오면 같은 "
        "일정이 새로 고쳐져요 (중복되지 않아요).\n" + BASIS,
    )


START_LINKS = {"calendar": calendar, "settings": settings, "subscribe": subscribe, "unsubscribe": unsubscribe}


async def start_link(update: Update, context: BotContext) -> None:
    """``/start calendar|settings|subscribe|unsubscribe``: the deep links from a group."""
    handler = START_LINKS[context.args[0]]
    context.args = []
    await handler(update, context)


async def on_button(update: Update, context: BotContext) -> None:
    """Every ``rs:`` / ``rt:`` button (private chats only: the menus are personal)."""
    query = update.callback_query
    if not private.is_private(update):
        await query.answer(PRIVATE_BUTTON, show_alert=True)
        return
    try:
        await _route(update, context, query.data or "")
    except BadCallback as exc:
        log.warning(
            "bad reminder button %r from user %s: %s",
            query.data,
            update.effective_user.id if update.effective_user else None,
            exc,
        )
        await query.answer(UNKNOWN_TOPIC, show_alert=True)
    except ClosedTopic as exc:
        log.info(
            "refused subscribing user %s to %s: no dates ahead",
            update.effective_user.id if update.effective_user else None,
            exc,
        )
        await query.answer(CLOSED_TOPIC, show_alert=True)


async def _route(update: Update, context: BotContext, data: str) -> None:
    state = context.state
    service = reminder_jobs.service(context)
    view = service.view()
    user_id = update.effective_user.id
    query = update.callback_query
    parts = data.split(":", 2)
    head, action = parts[0], parts[1] if len(parts) > 1 else ""
    arg = parts[2] if len(parts) > 2 else ""
    now = state.clock.now()

    def topic_arg() -> str:
        try:
            return rk.parse_topic(arg, view)
        except rk.UnknownTopicError as exc:
            raise BadCallback(str(exc)) from None

    topics = rdb.topics_of(state.db, user_id)
    open_ = _open(context, view)
    if head == "rs" and action == "q":
        name = topic_arg()
        if name not in open_ and name not in topics:
            raise ClosedTopic(name)
        added = rdb.subscribe(state.db, user_id, name, now)
        label = rk.topic_label(view, name)
        await query.answer("알림을 구독했어요." if added else "이미 구독 중이에요.")
        await send(
            update,
            context,
            [
                Out(
                    f"🔔 <b>{escape(label)}</b> 알림을 {'구독했어요' if added else '이미 구독 중이에요'}. "
                    "일정이 다가오면 알려 드릴게요. /subscribe 에서 더 고르거나 /unsubscribe 로 해지할 수 "
                    "있어요."
                )
            ],
        )
        return
    if head == "rs" and action == "t":
        name = topic_arg()
        if name in topics:
            rdb.unsubscribe(state.db, user_id, name)
        elif name not in open_:
            raise ClosedTopic(name)
        else:
            rdb.subscribe(state.db, user_id, name, now)
        await query.answer("해지했어요." if name in topics else "구독했어요.")
        await show(update, context, [_menu_of(name, view, state, rdb.topics_of(state.db, user_id), open_)])
        return
    if head == "rs" and action == "u":
        name = arg if arg in topics else topic_arg()
        rdb.unsubscribe(state.db, user_id, name)
        await query.answer("해지했어요.")
        await show(update, context, [unsubscribe_menu(view, rdb.topics_of(state.db, user_id))])
        return
    if head == "rs" and action == "uall":
        rdb.unsubscribe_all(state.db, user_id)
        await query.answer("모두 해지했어요.")
        await show(update, context, [unsubscribe_menu(view, [])])
        return
    if head == "rs" and action in ("home", "exams", "courses", "cat", "done"):
        if action == "done":
            out = Out("알림 설정을 마쳤어요. 언제든 /subscribe 로 바꿀 수 있어요.")
        elif action == "home":
            out = home_menu(view, topics)
        elif action == "exams":
            out = exams_menu(view, topics, open_)
        elif action == "courses":
            out = courses_menu(kdb.categories(state.db), topics, open_)
        else:
            out = _category(arg, state, topics, open_)
        await query.answer()
        await show(update, context, [out])
        return
    if head == "rt":
        await _settings_button(update, context, action, arg)
        return
    raise BadCallback(f"unknown action {data!r}")


def _category(category_id: str, state: AppState, topics: Collection[str], open_: Collection[str]) -> Out:
    db = state.db
    found = [c for c in kdb.categories(db) if c.id == category_id]
    if not found:
        raise BadCallback(f"unknown category {category_id!r}")
    return category_menu(found[0], kdb.programs(db, category=category_id), topics, open_)


def _menu_of(name: str, view: rk.KnowledgeView, state: AppState, topics: list[str], open_: Collection[str]) -> Out:
    """The menu a toggled topic lives in."""
    kind, _, ref = name.partition(":")
    if kind == "exam_round":
        return exams_menu(view, topics, open_)
    if kind == "category":
        return _category(ref, state, topics, open_)
    if kind == "program":
        program = kdb.program(state.db, ref)
        if program is not None:
            return _category(program.category, state, topics, open_)
    return home_menu(view, topics)


async def _settings_button(update: Update, context: BotContext, action: str, arg: str) -> None:
    state = context.state
    user_id = update.effective_user.id
    defaults = reminder_jobs.service(context).config.defaults
    current = rdb.settings_of(state.db, user_id, defaults)
    now = state.clock.now()
    query = update.callback_query
    try:
        if action == "push":
            rdb.update_settings(state.db, user_id, now, daily_push=not current.daily_push)
        elif action == "always":
            rdb.update_settings(state.db, user_id, now, daily_always=not current.daily_always)
        elif action == "time" and not arg:
            await query.answer()
            await show(update, context, [time_menu(current.push_time)])
            return
        elif action == "time":
            rdb.update_settings(state.db, user_id, now, push_time=_parse_time(arg), daily_push=True)
        elif action == "quiet" and not arg:
            await query.answer()
            await show(update, context, [quiet_menu()])
            return
        elif action == "quiet":
            rdb.update_settings(state.db, user_id, now, quiet=parse_quiet(arg))
        elif action != "home":
            raise BadCallback(f"unknown settings action {action!r}")
    except ValueError as exc:
        if isinstance(exc, BadCallback):
            raise
        raise BadCallback(f"bad settings value {arg!r}") from None
    if action != "home":
        reminder_jobs.reschedule(context.application)
    await query.answer()
    await show(update, context, [settings_menu(rdb.settings_of(state.db, user_id, defaults))])


def offer(update: Update, context: BotContext, outs: list[Out], topics: Sequence[Topic]) -> list[Out]:
    """Add "이 일정 알림 받기" to an answer about dated things (private chats, feature on)."""
    if not topics or not private.is_private(update) or reminder_jobs.SERVICE_KEY not in context.bot_data:
        return outs
    view = reminder_jobs.service(context).view()
    return with_subscribe_button(outs, topics, view, _open(context, view))
