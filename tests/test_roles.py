"""db.roles: admins from HRDBOT_ADMINS and the roles table, staff grants."""

from __future__ import annotations

import pytest

from db import roles
from tests.broadcast_helpers import START


@pytest.mark.parametrize(("text", "ids"), [
    (None, set()), ("", set()), ("42", {42}), (" 1, 2 ,3 ", {1, 2, 3}), ("7;8,", {7, 8}),
])
def test_parse_admins(text, ids):
    assert roles.parse_admins(text) == frozenset(ids)


@pytest.mark.parametrize("text", ["abc", "12,x", "1.5"])
def test_bad_admins_list_names_the_variable(text):
    with pytest.raises(roles.RoleError, match="HRDBOT_ADMINS"):
        roles.parse_admins(text)


@pytest.mark.parametrize(("text", "role"), [
    (None, "staff"), ("staff", "staff"), ("ADMIN", "admin"), ("직원", "staff"), ("관리자", "admin"),
])
def test_parse_role(text, role):
    assert roles.parse_role(text) == role


@pytest.mark.parametrize(("parse", "text"), [
    (roles.parse_role, "owner"), (roles.parse_user_id, "bob"), (roles.parse_user_id, "-5"),
    (roles.parse_user_id, ""),
])
def test_bad_role_arguments(parse, text):
    with pytest.raises(roles.RoleError):
        parse(text)


def test_admins_and_staff(db):
    admins = frozenset({1})
    assert roles.is_admin(db, 1, admins) and roles.is_staff(db, 1, admins)
    assert not roles.is_staff(db, 2, admins) and not roles.is_staff(db, None, admins)
    assert roles.grant(db, 2, roles.STAFF, by=1, now=START)
    assert not roles.grant(db, 2, roles.STAFF, by=1, now=START)  # already
    assert roles.is_staff(db, 2, admins) and not roles.is_admin(db, 2, admins)
    assert roles.grant(db, 3, roles.ADMIN, by=1, now=START)
    assert roles.is_admin(db, 3, admins) and roles.is_staff(db, 3, admins)
    assert [(g.user_id, g.role, g.granted_by) for g in roles.grants(db)] == [
        (3, "admin", 1), (2, "staff", 1)]
    assert roles.revoke(db, 2, roles.STAFF)
    assert not roles.revoke(db, 2, roles.STAFF)
    assert not roles.is_staff(db, 2, admins)
