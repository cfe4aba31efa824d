"""Personal things stay in the private chat.

Asked in a group for something personal (the user's calendar, subscriptions, settings, the
daycare check), the bot answers there with one short line and a button that opens the private
chat through a deep link (``https://t.me/<bot>?start=<payload>``); ``/start <payload>`` then
continues it there. ``start_link`` builds the handler that catches such a ``/start``.
"""

from __future__ import annotations

from collections.abc import Collection

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, filters
from telegram.helpers import create_deep_linked_url

from handlers.registry import HandlerCallback
from handlers.render import Button, Out
from handlers.send import send
from handlers.state import BotContext

# payload -> what is personal about it (the first half of the group reply)
LINES: dict[str, str] = {
    "calendar": "📅 구독하신 일정의 캘린더 파일은 개인 정보라 그룹에는 올리지 않아요.",
    "subscribe": "🔔 알림 구독은 개인 설정이라 1:1 대화에서만 할 수 있어요.",
    "unsubscribe": "🔕 구독 중인 알림 목록은 개인 정보라 그룹에서는 보여 드리지 않아요.",
    "settings": "⚙️ 알림 설정은 개인 설정이라 그룹에서는 보여 드리지 않아요.",
    "daycare_check": "🧒 입소 순위 확인은 가정 형편을 여쭤보기 때문에 1:1 대화에서만 해요.",
}
CONTINUE = "아래 버튼을 누르면 저와의 1:1 대화에서 바로 이어서 할 수 있어요."
NO_LINK = "저에게 1:1 메시지를 보내 주시면 거기에서 이어서 할 수 있어요."
BUTTON = "🔒 1:1 대화에서 열기"


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def link_button(bot_username: str | None, payload: str, label: str = BUTTON) -> Button | None:
    """A button opening the private chat with ``/start <payload>`` (None without a username)."""
    if not bot_username:
        return None
    return Button(label, url=create_deep_linked_url(bot_username, payload))


def redirect_out(bot_username: str | None, payload: str) -> Out:
    """The group reply for ``payload``: what stays private, and the way into the private chat."""
    button = link_button(bot_username, payload)
    if button is None:
        return Out(f"{LINES[payload]}\n{NO_LINK}")
    return Out(f"{LINES[payload]}\n{CONTINUE}", ((button,),))


async def redirect(update: Update, context: BotContext, payload: str) -> None:
    """Answer in a group with the short line and the button into the private chat."""
    await send(update, context, [redirect_out(context.bot.username, payload)])


class StartPayload(filters.MessageFilter):
    """``/start <payload>`` (how a deep link arrives) for one of ``payloads``."""

    def __init__(self, payloads: Collection[str]) -> None:
        super().__init__(name=f"StartPayload({sorted(payloads)})")
        self.payloads = frozenset(payloads)

    def filter(self, message: Message) -> bool:
        words = (message.text or "").split()
        return len(words) == 2 and words[0].split("@", 1)[0] == "/start" and words[1] in self.payloads


def start_link(payloads: Collection[str], callback: HandlerCallback) -> CommandHandler:
    """The handler of ``/start <payload>`` for ``payloads`` (added before the plain /start)."""
    unknown = set(payloads) - set(LINES)
    if unknown:
        raise ValueError(f"no group line for deep-link payloads {sorted(unknown)}")
    return CommandHandler("start", callback, filters=filters.UpdateType.MESSAGE & StartPayload(payloads))
