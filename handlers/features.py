"""The basic feature: the public commands, menus, the daycare check, free-text answers and
replies to messages that are not text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, TypeHandler, filters

from handlers import attachments, chat, daycare, menus, private
from handlers.parse import AddressedToBot
from handlers.registry import Command, Feature

if TYPE_CHECKING:
    from handlers.console import Embedded


def basic_feature() -> Feature:
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    return Feature(
        name="basic",
        commands=(
            Command("start", "시작하기 · 맞춤 메뉴 보기", chat.start),
            Command("help", "도움말 · 명령 목록", chat.help_),
            Command("courses", "교육과정 안내 (분야 → 과정 → 기수 일정)", menus.courses),
            Command("exams", "채용시험 일정 (원서접수·시험·발표)", menus.exams),
            Command("daycare", "직장어린이집 입소 기준과 우선순위 확인", menus.daycare),
            Command("facility", "시설 안내 (건물·층·편의시설)", menus.facility),
            Command("ask", "질문하는 방법 · /ask 질문 으로 바로 묻기", chat.ask),
            Command("cancel", "진행 중인 확인 그만두기", chat.cancel),
        ),
        handlers=(
            CallbackQueryHandler(daycare.on_button, pattern=daycare.PATTERN),
            private.start_link({daycare.LINK}, daycare.start_link),
        ),
        fallbacks=(
            MessageHandler(text & (filters.ChatType.PRIVATE | AddressedToBot()), chat.text_message),
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.COMMAND & filters.ChatType.PRIVATE, chat.unknown_command
            ),
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.ATTACHMENT & (filters.ChatType.PRIVATE | AddressedToBot()),
                attachments.non_text,
            ),
            CallbackQueryHandler(chat.on_button),
        ),
        observers=(TypeHandler(Update, chat.observe_user),),
    )


def default_features(console: Embedded | None = None) -> list[Feature]:
    """Every feature of ``hrdbot run``, in handler order; ``console``: serve the staff console
    inside the bot (``--console-port``)."""
    from handlers.broadcast import broadcast_feature
    from handlers.console import console_feature
    from handlers.pictures import pictures_feature
    from handlers.reminder_jobs import reminders_feature

    return [
        basic_feature(),
        reminders_feature(),
        broadcast_feature(),
        pictures_feature(),
        console_feature(embedded=console),
    ]
