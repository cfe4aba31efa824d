"""The users table: upsert on contact, audience, active flag, recipients."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from db import users

T0 = dt.datetime(2018, 8, 21, 9, 0, tzinfo=ZoneInfo("Asia/Seoul"))
T1 = T0 + dt.timedelta(hours=1)


def test_touch_inserts_then_refreshes(db: Database) -> None:
    users.touch(db, user_id=7, chat_id=7, first_name="민지", username=None, now=T0)
    users.touch(db, user_id=7, chat_id=7, first_name="민지2", username="mj", now=T1)
    user = users.get(db, 7)
    assert user is not None
    assert (user.first_name, user.username, user.active) == ("민지2", "mj", True)
    assert (user.created_at, user.updated_at) == (T0.isoformat(), T1.isoformat())
    assert users.get(db, 8) is None


def test_audience_and_recipients(db: Database) -> None:
    for uid, audience in ((1, "staff"), (2, "parent"), (3, "staff"), (4, None)):
        users.touch(db, user_id=uid, chat_id=uid, first_name=None, username=None, now=T0)
        if audience:
            users.set_audience(db, uid, audience, T1)
    assert users.audience_of(db, 2) == "parent"
    assert [u.user_id for u in users.recipients(db, "staff")] == [1, 3]
    assert users.count(db) == 4 and users.count(db, "staff") == 2

    users.set_active(db, 3, False, T1)  # blocked the bot
    assert [u.user_id for u in users.recipients(db, "staff")] == [1]
    assert [u.user_id for u in users.recipients(db, "staff", active_only=False)] == [1, 3]
    users.touch(db, user_id=3, chat_id=3, first_name=None, username=None, now=T1)
    assert users.get(db, 3).active  # type: ignore[union-attr]  # wrote again: reachable


def test_unknown_audience_is_refused(db: Database) -> None:
    with pytest.raises(users.UnknownAudienceError, match="staff, examinee, parent, other"):
        users.set_audience(db, 1, "vip", T0)
    with pytest.raises(users.UnknownAudienceError):
        list(users.recipients(db, "vip"))
