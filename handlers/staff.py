"""Roles on Telegram: /grant, /revoke (admins), /verify, /unverify, /invite (staff), /whoami
(everyone), invite links (``/start join-<token>``), the staff command menu and the staff section
of /help.

Who a command is about: the sender of the message it replies to (or, for a forwarded message,
its original sender), an ``@username`` the bot has seen, or a numeric id of a user the bot knows.
Anyone else is refused with the reason: the bot could not tell them, and a typo would grant a
stranger. Role lists and staff screens are never posted in a group.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardMarkup,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, BaseHandler, CommandHandler, filters

from db import broadcasts as bdb
from db import roles
from db import users as users_db
from db.ops import audit
from handlers import broadcast_text as text
from handlers import chat
from handlers.access import (
    ACCESS_KEY,
    STAFF_PAYLOAD,
    Access,
    IsStaff,
    access,
    in_private,
    staff_only,
    to_private,
)
from handlers.registry import Command, bot_commands, staff_commands
from handlers.state import STATE_KEY, BotContext

log = logging.getLogger("hrdbot.staff")


class TargetError(ValueError):
    """Who the command is about cannot be told; the text says why and what to do."""


def _who(db: Any, user_id: int) -> str:
    return text.person(user_id, users_db.get(db, user_id))


def resolve_target(update: Update, context: BotContext) -> tuple[int, list[str]]:
    """The user a role command is about, and the remaining arguments. Raises TargetError."""
    db, args = context.state.db, list(context.args or [])
    replied = update.effective_message.reply_to_message
    if args and args[0].startswith("@"):
        name = args.pop(0)
        known = users_db.by_username(db, name)
        if known is None:
            raise TargetError(
                f"{html.escape(name)}: 봇과 대화한 적이 없는 사용자 이름이에요. "
                "그 사람이 먼저 봇에게 /start 를 보내야 해요."
            )
        return known.user_id, args
    if args and args[0].lstrip("-").isdigit():
        try:
            user_id = roles.parse_user_id(args.pop(0))
        except roles.RoleError as exc:
            raise TargetError(str(exc).split(" / ")[0]) from None
    elif replied is not None:
        origin = replied.forward_origin
        if isinstance(origin, MessageOriginHiddenUser):
            raise TargetError(
                "전달된 메시지의 보낸 사람이 숨김 설정이라 누구인지 알 수 없어요. "
                "@사용자이름이나 id 로 적어 주세요 (그 사람이 /whoami 로 볼 수 있어요)."
            )
        if isinstance(origin, MessageOriginUser):
            sender = origin.sender_user
        elif origin is not None:
            raise TargetError("사람이 아닌 채널·그룹에서 전달된 메시지예요.")
        else:
            sender = replied.from_user
        if sender is None or sender.is_bot:
            raise TargetError("봇에게는 권한을 줄 수 없어요. 사람의 메시지에 답장해 주세요.")
        user_id = sender.id
    else:
        raise TargetError("누구에게 할지 알려 주세요.")
    if users_db.get(db, user_id) is None:
        raise TargetError(
            f"사용자 {user_id}: 봇과 대화한 적이 없는 사용자예요. 그 사람이 먼저 "
            "봇에게 /start 를 보내야 알림을 받을 수 있어요."
        )
    return user_id, args


async def _reply(update: Update, html: str, markup: InlineKeyboardMarkup | None = None) -> None:
    await update.effective_message.reply_text(html, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _tell(context: BotContext, user_id: int, html: str) -> bool:
    """Tell the user about their role; False if Telegram would not deliver it."""
    known = users_db.get(context.state.db, user_id)
    chat_id = known.chat_id if known is not None and known.chat_id else user_id
    try:
        await context.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.warning("could not tell user %s about their role: %s", user_id, exc)
        return False
    return True


async def _target(update: Update, context: BotContext, usage: str, *, with_role: bool) -> tuple[int, str] | None:
    """The user a command names, and with ``with_role`` the role after it (default staff);
    None once the user has been told what is wrong and how to write it."""
    try:
        user_id, rest = resolve_target(update, context)
        if len(rest) > (1 if with_role else 0):
            raise TargetError("인자가 너무 많아요.")
        role = roles.parse_role(rest[0] if rest else None) if with_role else roles.VERIFIED
    except (TargetError, roles.RoleError) as exc:
        await _reply(update, f"{str(exc).split(' / ')[0]}\n{html.escape(usage)}")
        return None
    return user_id, role


# --- /grant, /revoke (admins) ------------------------------------------------------------------


@staff_only("/grant", admin=True)
async def grant(update: Update, context: BotContext) -> None:
    """/grant 대상 [staff|admin]; without arguments, who has which role."""
    if not in_private(update):
        await to_private(update, context)
        return
    state, acc = context.state, access(context)
    replied = update.effective_message.reply_to_message
    if not context.args and replied is None:
        items = roles.grants(state.db, only=roles.ROLES)  # verified: /verify lists them
        known = users_db.names(state.db, [g.user_id for g in items] + list(acc.admins))
        await _reply(update, f"{text.grants_list(items, list(acc.admins), known)}\n\n{html.escape(text.GRANT_USAGE)}")
        return
    target = await _target(update, context, text.GRANT_USAGE, with_role=True)
    if target is None:
        return
    user_id, role = target
    changed = roles.grant(state.db, user_id, role, by=update.effective_user.id, now=state.clock.now())
    audit(
        state.db,
        state.clock.now(),
        update.effective_user.id,
        "role.grant",
        f"{user_id} {role} {'new' if changed else 'already'}",
    )
    reached = changed and await _tell(context, user_id, text.you_were_granted(role))
    await refresh_menu(context.application, user_id)
    await _reply(update, text.granted(_who(state.db, user_id), role, changed) + text.told(changed, reached))


@staff_only("/revoke", admin=True)
async def revoke(update: Update, context: BotContext) -> None:
    """/revoke 대상 [staff|admin]: env admins cannot be revoked from chat."""
    if not in_private(update):
        await to_private(update, context)
        return
    state, acc = context.state, access(context)
    target = await _target(update, context, text.REVOKE_USAGE, with_role=True)
    if target is None:
        return
    user_id, role = target
    who = _who(state.db, user_id)
    if user_id in acc.admins:
        await _reply(update, text.env_admin(who))
        return
    now = state.clock.now()
    changed = roles.revoke(state.db, user_id, role)
    if role == roles.STAFF and changed:
        roles.revoke(state.db, user_id, roles.ADMIN)  # an admin without staff makes no sense
    audit(state.db, now, update.effective_user.id, "role.revoke", f"{user_id} {role} {'done' if changed else 'absent'}")
    if changed and not acc.is_staff(user_id):
        for b in bdb.composing(state.db, user_id, now):
            bdb.cancel(state.db, b.id, now, note="author_revoked")
            audit(state.db, now, user_id, "broadcast.author_revoked", f"#{b.id} draft")
    reached = changed and await _tell(context, user_id, text.you_were_revoked(role))
    await refresh_menu(context.application, user_id)
    await _reply(update, text.revoked(who, role, changed) + text.told(changed, reached))


# --- /verify, /unverify, /invite (staff) -------------------------------------------------------


@staff_only("/verify")
async def verify(update: Update, context: BotContext) -> None:
    """/verify 대상: a verified employee; without arguments, the list of verified employees."""
    if not in_private(update):
        await to_private(update, context)
        return
    state = context.state
    if not context.args and update.effective_message.reply_to_message is None:
        items = roles.verified(state.db)
        known = users_db.names(state.db, [g.user_id for g in items])
        await _reply(update, f"{text.verified_list(items, known)}\n\n{html.escape(text.VERIFY_USAGE)}")
        return
    target = await _target(update, context, text.VERIFY_USAGE, with_role=False)
    if target is None:
        return
    user_id = target[0]
    now = state.clock.now()
    changed = roles.grant_verified(state.db, user_id, by=update.effective_user.id, now=now)
    audit(state.db, now, update.effective_user.id, "role.verify", str(user_id))
    reached = changed and await _tell(context, user_id, text.you_were_granted(roles.VERIFIED))
    await _reply(update, text.granted(_who(state.db, user_id), roles.VERIFIED, changed) + text.told(changed, reached))


@staff_only("/unverify")
async def unverify(update: Update, context: BotContext) -> None:
    """/unverify 대상: no longer a verified employee."""
    if not in_private(update):
        await to_private(update, context)
        return
    state = context.state
    target = await _target(update, context, text.VERIFY_USAGE, with_role=False)
    if target is None:
        return
    user_id = target[0]
    changed = roles.revoke_verified(state.db, user_id)
    audit(state.db, state.clock.now(), update.effective_user.id, "role.unverify", str(user_id))
    await _reply(update, text.revoked(_who(state.db, user_id), roles.VERIFIED, changed))


def parse_invite_args(args: Sequence[str]) -> tuple[int, float]:
    """``[uses] [hours]`` of /invite; raises RoleError with what is wrong."""
    if len(args) > 2:
        raise roles.RoleError("인자가 너무 많아요.")
    try:
        uses = int(args[0]) if args else 1
        hours = float(args[1]) if len(args) > 1 else 24.0
    except ValueError:
        raise roles.RoleError("사용 횟수와 시간은 숫자로 적어 주세요.") from None
    if hours != hours:  # NaN
        raise roles.RoleError("시간은 숫자로 적어 주세요.")
    return uses, hours


@staff_only("/invite")
async def invite(update: Update, context: BotContext) -> None:
    """/invite [uses] [hours]: a link that makes whoever opens it a verified employee."""
    if not in_private(update):
        await to_private(update, context)
        return
    state = context.state
    try:
        uses, hours = parse_invite_args(context.args or [])
        made = roles.create_invite(state.db, by=update.effective_user.id, now=state.clock.now(), uses=uses, hours=hours)
    except roles.RoleError as exc:
        await _reply(update, f"{exc}\n{html.escape(text.INVITE_USAGE)}")
        return
    audit(
        state.db,
        state.clock.now(),
        update.effective_user.id,
        "invite.create",
        f"#{made.invite.id} uses={uses} hours={hours:g}",
    )
    link = f"https://t.me/{context.bot.username}?start={made.payload}"
    await _reply(update, text.invite_made(link, made.invite))


async def join(update: Update, context: BotContext) -> None:
    """/start join-<token>: an invite link; verifies the user or says why it cannot."""
    state, user = context.state, update.effective_user
    if not in_private(update):
        await _reply(update, text.JOIN_IN_PRIVATE)
        return
    payload = (context.args or [""])[0]
    now = state.clock.now()
    already = roles.is_verified(state.db, user.id, access(context).admins)
    try:
        used = roles.consume_invite(state.db, payload, user.id, now)
    except roles.InviteError as exc:
        audit(state.db, now, user.id, "invite.join", f"{exc.reason}", allowed=False)
        await _reply(update, str(exc))
        return
    audit(state.db, now, user.id, "invite.join", f"#{used.id}")
    await _reply(update, text.ALREADY_VERIFIED if already else text.JOINED)


async def staff_start(update: Update, context: BotContext) -> None:
    """/start staff (the button from a group): the staff section for staff, else the welcome."""
    if in_private(update) and access(context).is_staff(update.effective_user.id):
        await _reply(update, staff_help(context, update.effective_user.id))
        return
    await chat.start(update, context)


# --- /whoami, /help, menus ---------------------------------------------------------------------


async def whoami(update: Update, context: BotContext) -> None:
    """/whoami: your id, username and roles (in a private chat)."""
    if not in_private(update):
        await to_private(update, context, text.WHOAMI_IN_PRIVATE)
        return
    state, user, acc = context.state, update.effective_user, access(context)
    await _reply(
        update,
        text.whoami(
            user.id,
            user.username,
            sorted(roles.roles_of(state.db, user.id)),
            user.id in acc.admins,
            users_db.audience_of(state.db, user.id),
        ),
    )


def staff_help(context: BotContext, user_id: int) -> str:
    admin = access(context).is_admin(user_id)
    listed = staff_commands(context.state.commands, admin=admin)
    lines = [text.STAFF_HELP_HEAD]
    lines += [f"/{c.name} — {html.escape(c.description)}" for c in listed]
    lines += [
        "",
        "공지 대상 🔒 <b>인증 직원</b>은 /verify 나 /invite 로 인증한 사람과 직원·관리자예요. "
        "/start 에서 고른 '직원'은 확인되지 않은 자기 선택이에요.",
    ]
    return "\n".join(lines)


async def help_staff(update: Update, context: BotContext) -> None:
    """/help from staff in a private chat: the public help, then the staff section."""
    await chat.help_(update, context)
    await _reply(update, staff_help(context, update.effective_user.id))


def menu_for(commands: Sequence[Command], *, admin: bool) -> list[BotCommand]:
    return [
        *bot_commands(commands),
        *(BotCommand(c.name, c.description) for c in staff_commands(commands, admin=admin)),
    ]


async def refresh_menu(app: Application[Any, Any, Any, Any, Any, Any], user_id: int) -> None:
    """The command menu of one user's private chat: staff/admin commands, or the default."""
    state, acc = app.bot_data[STATE_KEY], access_of(app)
    scope = BotCommandScopeChat(user_id)
    try:
        if acc.is_staff(user_id):
            await app.bot.set_my_commands(menu_for(state.commands, admin=acc.is_admin(user_id)), scope=scope)
        else:
            await app.bot.delete_my_commands(scope=scope)
    except TelegramError as exc:  # e.g. a chat the bot cannot reach yet
        log.warning("could not set the command menu of user %s: %s", user_id, exc)


async def refresh_all_menus(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start-up: every staff member and admin gets their own menu."""
    acc = access_of(app)
    if acc.state is None:
        return
    for user_id in roles.staff(acc.state.db, acc.admins):
        await refresh_menu(app, user_id)


def access_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Access:
    return app.bot_data[ACCESS_KEY]


def commands() -> tuple[Command, ...]:
    return (
        Command("whoami", "내 id·사용자 이름·권한 보기", whoami),
        Command("verify", "인증 직원 등록·목록 (직원)", verify, staff_only=True),
        Command("unverify", "인증 직원 해제 (직원)", unverify, staff_only=True),
        Command("invite", "인증 직원 초대 링크 만들기 (직원)", invite, staff_only=True),
        Command("grant", "직원·관리자 권한 주기 (관리자)", grant, staff_only=True, admin_only=True),
        Command("revoke", "직원·관리자 권한 거두기 (관리자)", revoke, staff_only=True, admin_only=True),
    )


def handlers(acc: Access) -> tuple[BaseHandler[Any, Any, Any], ...]:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return (
        CommandHandler("start", join, filters=filters.Regex(r"^/start(@\w+)?\s+join-")),
        CommandHandler("start", staff_start, filters=filters.Regex(rf"^/start(@\w+)?\s+{STAFF_PAYLOAD}\s*$")),
        CommandHandler("help", help_staff, filters=private & IsStaff(acc)),
    )
