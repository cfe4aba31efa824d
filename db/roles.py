"""Roles: who may use the staff commands, and who is a verified employee.

Admins come from two places: ``HRDBOT_ADMINS`` (comma-separated Telegram user ids, read once in
``bot.py`` and passed in) and ``admin`` rows of the roles table. Staff are admins plus the users
an admin granted the ``staff`` role with ``/grant``.

Verified employees (``verified`` rows) are users a staff member vouched for: granted one by one
(``/verify``) or joined through an invite link a staff member made (``/invite``). Staff and
admins count as verified. What a user tapped at /start (직원, 수험생, ...) is not a role.

Invite tokens are 128 random bits; only their SHA-256 is stored, so the table cannot be used to
rebuild a link. Everything here is plain functions over a ``Database`` (the Telegram handlers
and the staff console both call them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

ADMIN, STAFF, VERIFIED = "admin", "staff", "verified"
MAX_USER_ID = 2**63 - 1
ROLES = (ADMIN, STAFF)  # the roles /grant gives (admins only)
ALL_ROLES = (ADMIN, STAFF, VERIFIED)
ADMINS_VAR = "HRDBOT_ADMINS"


class RoleError(ValueError):
    """A bad role name, user id or admins list; the text says what was expected."""


@dataclass(frozen=True)
class Grant:
    user_id: int
    role: str
    granted_by: int | None
    granted_at: str


def parse_admins(text: str | None) -> frozenset[int]:
    """The user ids in ``HRDBOT_ADMINS`` ("123, 456"); raises RoleError on anything else."""
    ids: set[int] = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise RoleError(
                f"{ADMINS_VAR} must be comma-separated Telegram user ids (e.g. 12345,67890); {part!r} is not a number"
            ) from None
    return frozenset(ids)


def parse_role(text: str | None) -> str:
    role = (text or STAFF).strip().lower()
    aliases = {"직원": STAFF, "스태프": STAFF, "관리자": ADMIN}
    role = aliases.get(role, role)
    if role not in ROLES:
        raise RoleError(
            f"역할은 staff 또는 admin 이에요 (받은 값: {text!r}). / role must be staff or admin, not {text!r}"
        )
    return role


def parse_user_id(text: str | None) -> int:
    try:
        value = int((text or "").strip())
    except ValueError:
        raise RoleError(
            f"사용자 id 는 숫자예요 (받은 값: {text!r}). / user id must be a number, not {text!r}"
        ) from None
    if value <= 0:
        raise RoleError(f"사용자 id 는 양수예요 (받은 값: {value}). / user id must be positive")
    if value > MAX_USER_ID:  # SQLite keeps 64-bit integers; Telegram ids are far smaller
        raise RoleError(f"사용자 id 가 너무 커요 (받은 값: {text!r}). 텔레그램 사용자 id 를 적어 주세요.")
    return value


def roles_of(db: Database, user_id: int) -> set[str]:
    return {r for (r,) in db.execute("SELECT role FROM roles WHERE user_id = ?", [user_id])}


def is_admin(db: Database, user_id: int | None, admins: Iterable[int] = ()) -> bool:
    if user_id is None:
        return False
    return user_id in set(admins) or ADMIN in roles_of(db, user_id)


def is_staff(db: Database, user_id: int | None, admins: Iterable[int] = ()) -> bool:
    """Admins and staff may use the staff commands."""
    if user_id is None:
        return False
    return user_id in set(admins) or bool(roles_of(db, user_id) & {ADMIN, STAFF})


def is_verified(db: Database, user_id: int | None, admins: Iterable[int] = ()) -> bool:
    """Verified employees, staff and admins: who may receive and see internal notices."""
    if user_id is None:
        return False
    return user_id in set(admins) or bool(roles_of(db, user_id) & set(ALL_ROLES))


def grant(db: Database, user_id: int, role: str, *, by: int | None, now: dt.datetime) -> bool:
    """Give ``role`` (admin, staff or verified) to ``user_id``; False if they already had it."""
    if role not in ALL_ROLES:
        raise RoleError(f"unknown role {role!r}")
    with db.conn:
        cursor = db.conn.execute(
            "INSERT OR IGNORE INTO roles (user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)",
            (user_id, role, by, now.isoformat(timespec="seconds")),
        )
    return cursor.rowcount == 1


def revoke(db: Database, user_id: int, role: str) -> bool:
    """Take ``role`` away; False if they did not have it."""
    if role not in ALL_ROLES:
        raise RoleError(f"unknown role {role!r}")
    with db.conn:
        cursor = db.conn.execute("DELETE FROM roles WHERE user_id = ? AND role = ?", (user_id, role))
    return cursor.rowcount == 1


def grants(db: Database, only: Iterable[str] | None = None) -> list[Grant]:
    """Every role row (``only`` some roles, e.g. ``ROLES`` for staff and admins), by role."""
    rows = [
        Grant(*r) for r in db.execute("SELECT user_id, role, granted_by, granted_at FROM roles ORDER BY role, user_id")
    ]
    wanted = set(only) if only is not None else None
    return [g for g in rows if wanted is None or g.role in wanted]


def staff(db: Database, admins: Iterable[int] = ()) -> list[int]:
    """The user ids of every admin and staff member (``HRDBOT_ADMINS`` included), sorted."""
    ids = {int(u) for (u,) in db.execute("SELECT user_id FROM roles WHERE role IN (?, ?)", [ADMIN, STAFF])}
    return sorted(ids | set(admins))


def verified(db: Database) -> list[Grant]:
    """The verified-employee grants (not staff and admins, who count as verified anyway)."""
    return [
        Grant(*r)
        for r in db.execute(
            "SELECT user_id, role, granted_by, granted_at FROM roles WHERE role = ? ORDER BY granted_at, user_id",
            [VERIFIED],
        )
    ]


def grant_verified(db: Database, user_id: int, *, by: int | None, now: dt.datetime) -> bool:
    """Mark ``user_id`` as a verified employee; False if they already were."""
    return grant(db, user_id, VERIFIED, by=by, now=now)


def revoke_verified(db: Database, user_id: int) -> bool:
    """Take the verified mark away; False if they did not have it."""
    return revoke(db, user_id, VERIFIED)


# --- invites ---------------------------------------------------------------------------------

INVITE_PREFIX = "join-"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}$")  # secrets.token_urlsafe(16): 128 bits
MAX_INVITE_USES = 1000
MAX_INVITE_HOURS = 24 * 30


class InviteError(ValueError):
    """An invite that cannot be used; ``reason`` is one of ``forged``, ``expired``, ``used``,
    ``revoked`` and the text says it in Korean for the user."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Invite:
    id: int
    created_by: int | None
    created_at: str
    expires_at: str
    max_uses: int
    uses: int
    revoked_at: str | None


@dataclass(frozen=True)
class NewInvite:
    """A freshly made invite: ``token`` is shown once (the database keeps only its hash)."""

    invite: Invite
    token: str

    @property
    def payload(self) -> str:
        """The deep-link payload: ``https://t.me/<bot>?start=<payload>``."""
        return INVITE_PREFIX + self.token


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _invite(row: tuple) -> Invite:
    return Invite(*row)


_ICOLS = "id, created_by, created_at, expires_at, max_uses, uses, revoked_at"


def create_invite(db: Database, *, by: int | None, now: dt.datetime, uses: int = 1, hours: float = 24) -> NewInvite:
    """A new invite usable ``uses`` times for ``hours`` hours; raises RoleError on limits."""
    if not 1 <= uses <= MAX_INVITE_USES:
        raise RoleError(f"사용 횟수는 1~{MAX_INVITE_USES}회예요 (받은 값: {uses}).")
    if not 0 < hours <= MAX_INVITE_HOURS:
        raise RoleError(f"유효 시간은 1~{MAX_INVITE_HOURS}시간이에요 (받은 값: {hours:g}).")
    if now.tzinfo is None:
        raise ValueError("invite times must be timezone-aware")
    token = secrets.token_urlsafe(16)
    expires = now + dt.timedelta(hours=hours)
    with db.conn:
        cursor = db.conn.execute(
            "INSERT INTO invites (token_hash, created_by, created_at, expires_at, max_uses) VALUES (?, ?, ?, ?, ?)",
            (_hash(token), by, now.isoformat(timespec="seconds"), expires.isoformat(timespec="seconds"), uses),
        )
    invite = get_invite(db, int(cursor.lastrowid))
    assert invite is not None
    return NewInvite(invite, token)


def get_invite(db: Database, invite_id: int) -> Invite | None:
    row = db.execute(
        f"SELECT {_ICOLS} FROM invites WHERE id = ?",  # noqa: S608
        [invite_id],
    ).fetchone()
    return _invite(row) if row else None


def invites(db: Database, *, include_spent: bool = False, now: dt.datetime | None = None) -> list[Invite]:
    """Invites, newest first; without ``include_spent`` only those still usable at ``now``."""
    rows = [_invite(r) for r in db.execute(f"SELECT {_ICOLS} FROM invites ORDER BY id DESC")]  # noqa: S608
    if include_spent or now is None:
        return rows
    return [
        i
        for i in rows
        if i.revoked_at is None and i.uses < i.max_uses and dt.datetime.fromisoformat(i.expires_at) > now
    ]


def revoke_invite(db: Database, invite_id: int, now: dt.datetime) -> bool:
    """Stop an invite from being used; False if it did not exist or was already revoked."""
    with db.conn:
        cursor = db.conn.execute(
            "UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (now.isoformat(timespec="seconds"), invite_id),
        )
    return cursor.rowcount == 1


def consume_invite(db: Database, payload: str, user_id: int, now: dt.datetime) -> Invite:
    """Use an invite (``join-<token>`` or the bare token) to verify ``user_id``.

    One use is counted only when it verifies someone new; a user already verified (or staff)
    keeps their role and uses nothing. Raises InviteError (forged, expired, used, revoked)."""
    token = payload[len(INVITE_PREFIX) :] if payload.startswith(INVITE_PREFIX) else payload
    forged = InviteError(
        "forged", "초대 링크가 올바르지 않아요. 링크를 다시 확인하거나 담당 직원에게 새 링크를 요청해 주세요."
    )
    if not TOKEN_RE.match(token):
        raise forged
    stamp = now.isoformat(timespec="seconds")
    with db.conn:
        db.conn.execute("BEGIN IMMEDIATE")
        row = db.conn.execute(
            f"SELECT {_ICOLS} FROM invites WHERE token_hash = ?",  # noqa: S608
            [_hash(token)],
        ).fetchone()
        if row is None:
            raise forged
        invite = _invite(row)
        if invite.revoked_at is not None:
            raise InviteError("revoked", "더 이상 쓸 수 없는 초대 링크예요. 담당 직원에게 새 링크를 요청해 주세요.")
        if dt.datetime.fromisoformat(invite.expires_at) <= now:
            raise InviteError("expired", "초대 링크의 유효 기간이 지났어요. 담당 직원에게 새 링크를 요청해 주세요.")
        if bool(roles_of(db, user_id) & set(ALL_ROLES)):
            return invite
        if invite.uses >= invite.max_uses:
            raise InviteError("used", "이미 모두 사용된 초대 링크예요. 담당 직원에게 새 링크를 요청해 주세요.")
        db.conn.execute("UPDATE invites SET uses = uses + 1 WHERE id = ?", [invite.id])
        db.conn.execute(
            "INSERT OR IGNORE INTO roles (user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)",
            (user_id, VERIFIED, invite.created_by, stamp),
        )
    return get_invite(db, invite.id) or invite
