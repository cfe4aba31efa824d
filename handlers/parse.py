"""Parsing incoming messages: is it for the bot, and what is the question."""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.ext import filters


def strip_mention(text: str, username: str | None) -> str:
    """The text without ``@username`` (any case), whitespace tidied."""
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def is_addressed(message: Message, bot_id: int, username: str | None) -> bool:
    """In a group: does the message mention the bot or reply to one of its messages?"""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    if not username:
        return False
    wanted = f"@{username}".lower()
    mentions = message.parse_entities([MessageEntity.MENTION]).values()
    return any(m.lower() == wanted for m in mentions)


class AddressedToBot(filters.MessageFilter):
    """Messages in a group that mention the bot or reply to it."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        return is_addressed(message, bot.id, bot.username)
