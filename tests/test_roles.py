"""db.roles: admins from HRDBOT_ADMINS and the roles table, staff grants."""

from __future__ import annotations

import datetime as dt

import pytest

from db import roles
from tests.broadcast_helpers import START


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        (None, set()),
        ("", set()),
        ("42", {42}),
        (" 1, 2 ,3 ", {1, 2, 3}),
        ("7;8,", {7, 8}),
    ],
)
def test_parse_admins(text, ids):
    assert roles.parse_admins(text) == frozenset(ids)


@pytest.mark.parametrize("text", ["abc", "12,x", "1.5"])
def test_bad_admins_list_names_the_variable(text):
    with pytest.raises(roles.RoleError, match="HRDBOT_ADMINS"):
        roles.parse_admins(text)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        (None, "staff"),
        ("staff", "staff"),
        ("ADMIN", "admin"),
        ("직원", "staff"),
        ("관리자", "admin"),
    ],
)
def test_parse_role(text, role):
    assert roles.parse_role(text) == role


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (roles.parse_role, "owner"),
        (roles.parse_user_id, "bob"),
        (roles.parse_user_id, "-5"),
        (roles.parse_user_id, ""),
    ],
)
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
    assert [(g.user_id, g.role, g.granted_by) for g in roles.grants(db)] == [(3, "admin", 1), (2, "staff", 1)]
    assert roles.revoke(db, 2, roles.STAFF)
    assert not roles.revoke(db, 2, roles.STAFF)
    assert not roles.is_staff(db, 2, admins)


# --- verified employees and invites -----------------------------------------------------------

NOW = START


def test_verified_includes_staff_and_env_admins(db):
    assert not roles.is_verified(db, 5) and roles.is_verified(db, 5, {5})
    assert roles.grant_verified(db, 6, by=1, now=NOW) and not roles.grant_verified(db, 6, by=1, now=NOW)
    roles.grant(db, 7, roles.STAFF, by=1, now=NOW)
    assert roles.is_verified(db, 6) and roles.is_verified(db, 7)
    assert [g.user_id for g in roles.verified(db)] == [6]
    assert roles.staff(db, {1}) == [1, 7]
    assert roles.revoke_verified(db, 6) and not roles.is_verified(db, 6)


def test_invite_tokens_are_random_and_stored_hashed(db):
    made = [roles.create_invite(db, by=1, now=NOW) for _ in range(20)]
    tokens = {m.token for m in made}
    assert len(tokens) == 20 and all(roles.TOKEN_RE.match(t) for t in tokens)
    dump = "".join(str(r) for r in db.execute("SELECT * FROM invites"))
    assert not any(t in dump for t in tokens)
    assert made[0].payload == "join-" + made[0].token


def test_invite_uses_expiry_and_revocation(db):
    three = roles.create_invite(db, by=1, now=NOW, uses=3, hours=2)
    for user in (11, 12, 13):
        assert roles.consume_invite(db, three.payload, user, NOW).created_by == 1
    assert roles.consume_invite(db, three.payload, 11, NOW).uses == 3  # already verified: free
    with pytest.raises(roles.InviteError) as used:
        roles.consume_invite(db, three.payload, 14, NOW)
    assert used.value.reason == "used"
    later = roles.create_invite(db, by=1, now=NOW, hours=1)
    with pytest.raises(roles.InviteError) as expired:
        roles.consume_invite(db, later.token, 15, NOW + dt.timedelta(hours=1))
    assert expired.value.reason == "expired" and not roles.is_verified(db, 15)
    assert roles.revoke_invite(db, later.invite.id, NOW) and not roles.revoke_invite(db, later.invite.id, NOW)
    with pytest.raises(roles.InviteError) as revoked:
        roles.consume_invite(db, later.payload, 15, NOW)
    assert revoked.value.reason == "revoked"
    assert [i.id for i in roles.invites(db, now=NOW)] == []
    assert len(roles.invites(db, include_spent=True)) == 2


@pytest.mark.parametrize(
    "payload",
    ["", "join-", "join-abc", "x" * 22 + "!", "join-" + "A" * 23, "join-" + "A" * 22, "join-../../etc/passwd"],
)
def test_forged_invites_are_refused(db, payload):
    roles.create_invite(db, by=1, now=NOW)
    with pytest.raises(roles.InviteError) as forged:
        roles.consume_invite(db, payload, 20, NOW)
    assert forged.value.reason == "forged" and not roles.is_verified(db, 20)


@pytest.mark.parametrize(("uses", "hours"), [(0, 1), (1001, 1), (1, 0), (1, -1), (1, 721)])
def test_invite_limits(db, uses, hours):
    with pytest.raises(roles.RoleError):
        roles.create_invite(db, by=1, now=NOW, uses=uses, hours=hours)


def test_grants_can_be_limited_to_some_roles(db):
    roles.grant(db, 1, roles.STAFF, by=None, now=NOW)
    roles.grant_verified(db, 2, by=1, now=NOW)
    assert [g.role for g in roles.grants(db)] == ["staff", "verified"]
    assert [g.user_id for g in roles.grants(db, only=roles.ROLES)] == [1]


@pytest.mark.parametrize("text", ["9" * 40, str(2**63)])
def test_a_user_id_too_large_for_the_database_is_refused(text: str) -> None:
    with pytest.raises(roles.RoleError, match="너무 커요"):
        roles.parse_user_id(text)
