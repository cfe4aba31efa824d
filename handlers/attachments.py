"""Messages that are not text (stickers, photos, voice, files, locations ...): a short reply.

The bot reads only text. In a private chat every other kind of message gets one polite line
saying so and what to do instead, never silence; in a group only when addressed to the bot.
"""

from __future__ import annotations

from telegram import Message, Update

from handlers.render import Out
from handlers.send import send
from handlers.state import BotContext

ASK_IN_TEXT = "궁금한 점을 글로 물어봐 주세요."
# (message attribute, reply), in the order they are looked for: a venue also carries a
# location, an animation also a document.
REPLIES: tuple[tuple[str, str], ...] = (
    ("sticker", f"스티커 고마워요! 😊 저는 글만 읽을 수 있어요. {ASK_IN_TEXT}"),
    ("photo", f"사진은 읽을 수 없어요. {ASK_IN_TEXT}"),
    ("voice", f"음성 메시지는 들을 수 없어요. {ASK_IN_TEXT}"),
    ("audio", f"오디오 파일은 들을 수 없어요. {ASK_IN_TEXT}"),
    ("video_note", f"영상 메시지는 볼 수 없어요. {ASK_IN_TEXT}"),
    ("animation", f"움직이는 이미지(GIF)는 볼 수 없어요. {ASK_IN_TEXT}"),
    ("video", f"동영상은 볼 수 없어요. {ASK_IN_TEXT}"),
    ("document", f"파일은 열어 볼 수 없어요. {ASK_IN_TEXT}"),
    ("venue", "장소는 받을 수 없어요. 인재개발원 건물과 시설은 /facility 에서 볼 수 있어요."),
    ("location", "위치는 받을 수 없어요. 인재개발원 건물과 시설은 /facility 에서 볼 수 있어요."),
    ("contact", f"연락처는 받지도 저장하지도 않아요. {ASK_IN_TEXT}"),
    ("poll", f"투표에는 참여할 수 없어요. {ASK_IN_TEXT}"),
    ("dice", f"주사위 놀이는 할 수 없어요. 🎲 {ASK_IN_TEXT}"),
    ("story", f"스토리는 볼 수 없어요. {ASK_IN_TEXT}"),
    ("game", f"게임은 할 수 없어요. {ASK_IN_TEXT}"),
)
OTHER = f"이런 메시지는 읽을 수 없어요. {ASK_IN_TEXT}"


def reply_for(message: Message) -> str:
    """The line for a non-text ``message``."""
    for attribute, text in REPLIES:
        if getattr(message, attribute, None):
            return text
    return OTHER


async def non_text(update: Update, context: BotContext) -> None:
    """A sticker, photo, voice message, file, location ...: say what the bot can read."""
    await send(update, context, [Out(reply_for(update.effective_message))])
