"""The browsable sections: courses, exams, facility and the daycare rules.

Each ``*_view`` reads the database and renders; the handlers below send or edit with it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from telegram import Update

from db import knowledge as kdb
from handlers import pictures, private, render
from handlers.daycare import LINK as DAYCARE_LINK
from handlers.render import Button, Out
from handlers.send import send, show
from handlers.state import AppState, BotContext


def courses_view(db: Database, page: int = 0) -> list[Out]:
    return [render.categories_page(kdb.categories(db), page)]


def category_view(db: Database, category_id: str, page: int) -> list[Out] | None:
    category = next((c for c in kdb.categories(db) if c.id == category_id), None)
    if category is None:
        return None
    programs = kdb.programs(db, category=category_id, top_level=True)
    return [render.programs_page(category, programs, page)]


def program_view(state: AppState, program_id: str, back_page: int) -> list[Out] | None:
    program = kdb.program(state.db, program_id)
    if program is None:
        return None
    return render.program_detail(
        program,
        kdb.sessions_of(state.db, program_id),
        kdb.programs(state.db, parent=program_id),
        state.clock.now().date(),
        back_page,
    )


def exams_view(db: Database) -> list[Out]:
    return [render.rounds_menu(kdb.rounds(db))]


def round_view(state: AppState, round_id: str) -> list[Out] | None:
    rnd = kdb.round_(state.db, round_id)
    if rnd is None:
        return None
    events = kdb.events(state.db, round_id=round_id)
    outs = render.round_timeline(rnd, events, state.clock.now().date())
    return pictures.with_row(outs, Button(pictures.ROUND_BUTTON, f"p:r:{round_id}")) if events else outs


def facility_view(db: Database) -> list[Out]:
    site = kdb.section(db, "site")
    return render.facility(kdb.buildings(db), kdb.amenities(db), site.facts if site else ())


def daycare_view(db: Database) -> list[Out]:
    return render.daycare_rules(kdb.section(db, "daycare"), kdb.priorities(db))


def ask_view(db: Database) -> list[Out]:
    return [render.ask_help(EXAMPLE_QUESTIONS)]


EXAMPLE_QUESTIONS = (
    "신임자 과정 언제 시작해요?",
    "2차 필기 합격자 발표 언제예요?",
    "어린이집 입소 순위 알려주세요",
    "배움관은 몇 층이에요?",
)

SECTIONS: dict[str, Callable[[Database], list[Out]]] = {
    "courses": courses_view,
    "exams": exams_view,
    "daycare": daycare_view,
    "facility": facility_view,
    "ask": ask_view,
}


# --- handlers --------------------------------------------------------------------------------


async def courses(update: Update, context: BotContext) -> None:
    """/courses: the course categories, and a button for this month's calendar picture."""
    await send(update, context, pictures.with_row(courses_view(context.state.db), pictures.month_button(context)))


async def exams(update: Update, context: BotContext) -> None:
    """/exams: the year's timeline picture, then the exam rounds."""
    await pictures.send_exams_timeline(update, context)
    await send(update, context, exams_view(context.state.db))


async def facility(update: Update, context: BotContext) -> None:
    """/facility: the campus picture, then buildings, floors and amenities."""
    await pictures.send_campus(update, context)
    await send(update, context, facility_view(context.state.db))


async def daycare(update: Update, context: BotContext) -> None:
    """/daycare: admission rules and priorities, with the button that starts the check (in a
    group, a link that starts it in the private chat)."""
    db = context.state.db
    link = (
        None
        if private.is_private(update)
        else private.link_button(context.bot.username, DAYCARE_LINK, render.CHECK_BUTTON.label)
    )
    if link is None:
        await send(update, context, daycare_view(db))
        return
    await send(update, context, render.daycare_rules(kdb.section(db, "daycare"), kdb.priorities(db), link))


async def on_courses_button(update: Update, context: BotContext, args: list[str]) -> bool:
    """c:l:<page> | c:c:<category>:<page> | c:p:<program>:<back page>; False if stale."""
    state = context.state
    kind, *rest = args or [""]
    try:
        if kind == "l" and len(rest) == 1:
            outs: list[Out] | None = courses_view(state.db, int(rest[0]))
        elif kind == "c" and len(rest) == 2:
            outs = category_view(state.db, rest[0], int(rest[1]))
        elif kind == "p" and len(rest) == 2:
            outs = program_view(state, rest[0], int(rest[1]))
        else:
            return False
    except ValueError:
        return False
    if outs is None:
        return False
    await update.callback_query.answer()  # stop the spinner before the edit, which may fail
    await show(update, context, outs)
    return True


async def on_exams_button(update: Update, context: BotContext, args: list[str]) -> bool:
    """x:l | x:r:<round>; False if stale."""
    if args == ["l"]:
        outs: list[Out] | None = exams_view(context.state.db)
    elif len(args) == 2 and args[0] == "r":
        outs = round_view(context.state, args[1])
    else:
        return False
    if outs is None:
        return False
    await update.callback_query.answer()  # stop the spinner before the edit, which may fail
    await show(update, context, outs)
    return True
