"""Roles: who may use the staff commands.

Admins come from two places: ``HRDBOT_ADMINS`` (comma-separated Telegram user ids, read once in
``bot.py`` and passed in) and ``admin`` rows of the roles table. Staff are admins plus the users
an admin granted the ``staff`` role with ``/grant``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

ADMIN, STAFF = "admin", "staff"
ROLES = (ADMIN, STAFF)
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
                f"{ADMINS_VAR} must be comma-separated Telegram user ids (e.g. 12345,67890); "
                f"{part!r} is not a number") from None
    return frozenset(ids)


def parse_role(text: str | None) -> str:
    role = (text or STAFF).strip().lower()
    aliases = {"직원": STAFF, "스태프": STAFF, "관리자": ADMIN}
    role = aliases.get(role, role)
    if role not in ROLES:
        raise RoleError(f"역할은 staff 또는 admin 이에요 (받은 값: {text!r}). / "
                        f"role must be staff or admin, not {text!r}")
    return role


def parse_user_id(text: str | None) -> int:
    try:
        value = int((text or "").strip())
    except ValueError:
        raise RoleError(f"사용자 id 는 숫자예요 (받은 값: {text!r}). / user id must be a number, "
                        f"not {text!r}") from None
    if value <= 0:
        raise RoleError(f"사용자 id 는 양수예요 (받은 값: {value}). / user id must be positive")
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


def grant(db: Database, user_id: int, role: str, *, by: int | None, now: dt.datetime) -> bool:
    """Give ``role`` to ``user_id``; False if they already had it."""
    if role not in ROLES:
        raise RoleError(f"unknown role {role!r}")
    with db.conn:
        cursor = db.conn.execute(
            "INSERT OR IGNORE INTO roles (user_id, role, granted_by, granted_at) "
            "VALUES (?, ?, ?, ?)", (user_id, role, by, now.isoformat(timespec="seconds")))
    return cursor.rowcount == 1


def revoke(db: Database, user_id: int, role: str) -> bool:
    """Take ``role`` away; False if they did not have it."""
    if role not in ROLES:
        raise RoleError(f"unknown role {role!r}")
    with db.conn:
        cursor = db.conn.execute("DELETE FROM roles WHERE user_id = ? AND role = ?",
                                 (user_id, role))
    return cursor.rowcount == 1


def grants(db: Database) -> list[Grant]:
    return [Grant(*r) for r in db.execute(
        "SELECT user_id, role, granted_by, granted_at FROM roles ORDER BY role, user_id")]
