"""Roles nobody can claim, end to end through the real Application and the fake Bot API:
verified employees and invite links, /notices by chat kind, the role re-checked at every step of
the composer and by the engine at send time, forged staff buttons, role management, staff menus,
a composition that survives a restart, draft expiry and a progress message that is retried."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlite_utils import Database

from db import broadcasts as bdb
from db import roles
from db import users as users_db
from handlers import broadcast_text as btext
from handlers.render import UNKNOWN_COMMAND
from tests.broadcast_helpers import START, add_users, clock
from tests.fake_bot_api import ApiCall, FakeBotApi
from tests.test_broadcast_bot import (
    ADMIN,
    STAFF,
    USER,
    alert,
    answer,
    button,
    buttons,
    engine_of,
    press,
    say,
    serving,
)

GROUP = -100777
OTHER_STAFF = 9004


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from knowledge.core import Brain
    from knowledge.store import open_database

    return Brain(open_database(tmp_path_factory.mktemp("brain") / "hrdbot.db"), log_unanswered=False)


@pytest.fixture
async def app(api: FakeBotApi, db: Database, brain: Any) -> AsyncIterator[Any]:
    """The bot with the basic and broadcast features; STAFF has the staff role, ADMIN is in
    HRDBOT_ADMINS."""
    async with serving(api, db, brain) as application:
        yield application


def sent_to(api: FakeBotApi, chat_id: int) -> list[str]:
    return [c.text or "" for c in api.sent_messages(chat_id)]


def audit_actions(db: Any, action: str) -> list[tuple[int | None, str, int]]:
    return [
        tuple(r)
        for r in db.execute("SELECT user_id, detail, allowed FROM audit_log WHERE action = ? ORDER BY id", [action])
    ]


def publish(db: Any, audience: str, body: str) -> bdb.Broadcast:
    """A notice as the engine publishes it (for /notices), without sending it."""
    b = bdb.create(db, text=body, now=clock().now(), audience=audience, state=bdb.QUEUED)
    bdb.start_preparing(db, b.id, clock().now())
    return bdb.start_sending(db, b.id, clock().now())


async def compose(
    api: FakeBotApi, db: Database, author: int, body: str, audience_label: str
) -> tuple[ApiCall, ApiCall]:
    """/broadcast → reply with ``body`` → pick the audience; returns (audience msg, summary)."""
    [prompt] = await say(api, "/broadcast", author)
    [choose] = await answer(api, db, prompt, body, author)
    _, summary = await press(api, choose, button(choose, audience_label), author, count=2)
    return choose, summary


# --- verified employees ------------------------------------------------------------------------


async def test_a_verified_notice_reaches_only_verified_users(api, app, db):
    claimed, verified_user, stranger = 501, 502, 503
    add_users(db, [claimed], audience="staff")  # tapped 직원 at /start: self-declared
    add_users(db, [verified_user], audience="examinee")
    add_users(db, [stranger], audience=None)
    roles.grant_verified(db, verified_user, by=STAFF, now=START)

    _, summary = await compose(api, db, STAFF, "내부 공지: 보안 점검", "인증 직원")
    assert "🔒 인증 직원</b> · <b>2명" in summary.text  # the verified user and STAFF
    await press(api, summary, button(summary, "지금 보내기"), STAFF, method="editMessageText")
    await asyncio.wait_for(engine_of(app).wait_idle(), 10)
    _, summary = await compose(api, db, STAFF, "전체 공지: 휴관 안내", "전체")
    await press(api, summary, button(summary, "지금 보내기"), STAFF, method="editMessageText")
    await asyncio.wait_for(engine_of(app).wait_idle(), 10)

    assert "내부 공지: 보안 점검" in sent_to(api, verified_user)
    for user in (claimed, stranger):
        assert "내부 공지: 보안 점검" not in sent_to(api, user)
        assert "전체 공지: 휴관 안내" in sent_to(api, user)
    # /notices: the self-declared 직원 sees only the notice to everyone ...
    shown = " ".join(c.text for c in await say(api, "/notices", claimed, replies=2))
    assert "휴관" in shown and "보안 점검" not in shown
    # ... the verified user both, in a private chat ...
    shown = " ".join(c.text for c in await say(api, "/notices", verified_user, replies=3))
    assert "휴관" in shown and "보안 점검" in shown
    # ... and a group only the notice to everyone, whoever asks.
    shown = " ".join(
        c.text for c in await say(api, "/notices", GROUP, replies=2, user_id=verified_user, chat_type="supergroup")
    )
    assert "휴관" in shown and "보안 점검" not in shown


async def test_env_admins_and_staff_count_as_verified(db):
    add_users(db, [1, 2, 3, 4], audience="staff")
    roles.grant(db, 2, roles.STAFF, by=None, now=START)
    roles.grant_verified(db, 3, by=2, now=START)
    assert bdb.count_audience(db, bdb.VERIFIED, admins={1}) == 3
    pages = bdb.iter_audience(db, bdb.VERIFIED, admins={1})
    assert [u for page in pages for u, _ in page] == [1, 2, 3]
    assert bdb.count_audience(db, bdb.VERIFIED) == 2
    assert bdb.count_audience(db, "staff") == 4  # self-declared: anyone who tapped 직원


async def test_invite_links_verify_once_and_refuse_the_rest(api, app, db):
    [made] = await say(api, "/invite", STAFF)
    link = re.search(r"https://t\.me/\w+\?start=(join-[\w-]+)", made.text)
    assert link and "1명만" in made.text
    payload = link.group(1)
    stored = db.execute("SELECT token_hash FROM invites").fetchall()
    assert payload[5:] not in str(stored)  # only the hash is kept

    [joined] = await say(api, f"/start {payload}", 601)
    assert joined.text == btext.JOINED and roles.is_verified(db, 601)
    [again] = await say(api, f"/start {payload}", 601)
    assert again.text == btext.ALREADY_VERIFIED
    [used] = await say(api, f"/start {payload}", 602)
    assert "이미 모두 사용된" in used.text and not roles.is_verified(db, 602)
    forged = payload[:-2] + ("AA" if not payload.endswith("AA") else "BB")
    for bad in (forged, "join-", "join-short", "join-" + "x" * 200, "join-<b>hi</b>"):
        [reply] = await say(api, f"/start {bad}", 603)
        assert "올바르지 않아요" in reply.text, bad
    assert not roles.is_verified(db, 603)

    old = roles.create_invite(db, by=STAFF, now=clock().now() - dt.timedelta(hours=2), hours=1)
    [expired] = await say(api, f"/start {old.payload}", 604)
    assert "유효 기간이 지났어요" in expired.text and not roles.is_verified(db, 604)
    [group] = await say(api, f"/start {payload}", GROUP, user_id=605, chat_type="supergroup")
    assert group.text == btext.JOIN_IN_PRIVATE and not roles.is_verified(db, 605)
    assert [r for _, r, _ in audit_actions(db, "invite.join")].count("forged") == 5


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("0", "1~1000"),
        ("1001", "1~1000"),
        ("5 0", "1~720"),
        ("5 721", "1~720"),
        ("five", "숫자"),
        ("1 2 3", "너무 많아요"),
        ("5 nan", "숫자"),
        ("5 inf", "1~720"),
    ],
)
async def test_bad_invite_arguments(api, app, db, args, expected):
    [reply] = await say(api, f"/invite {args}", STAFF)
    assert expected in reply.text and "사용법" in reply.text
    assert roles.invites(db, include_spent=True) == []


async def test_invite_with_uses_and_hours(api, app, db):
    [made] = await say(api, "/invite 30 48", STAFF)
    assert "30명까지" in made.text and "2018년 8월 23일" in made.text
    [invite] = roles.invites(db, now=clock().now())
    assert (invite.max_uses, invite.created_by) == (30, STAFF)
    [reply] = await say(api, "/invite", USER)
    assert reply.text == UNKNOWN_COMMAND


# --- the role at every step --------------------------------------------------------------------


async def test_revoked_while_writing_the_notice(api, app, db):
    add_users(db, range(1, 6))
    [prompt] = await say(api, "/broadcast", STAFF)
    roles.revoke(db, STAFF, roles.STAFF)
    [reply] = await answer(api, db, prompt, "몰래 보내는 공지", STAFF)
    assert reply.text == btext.NO_LONGER_STAFF
    [b] = bdb.recent(db, 1, include_drafts=True)
    assert (b.state, b.note, b.text) == (bdb.CANCELLED, "author_revoked", "")
    assert (STAFF, f"#{b.id}", 0) in audit_actions(db, "broadcast.text")


async def test_revoked_before_choosing_or_confirming(api, app, db):
    add_users(db, range(1, 6))
    [prompt] = await say(api, "/broadcast", STAFF)
    [choose] = await answer(api, db, prompt, "공지", STAFF)
    roles.revoke(db, STAFF, roles.STAFF)
    assert await alert(api, choose, button(choose, "전체"), STAFF) == UNKNOWN_COMMAND
    roles.grant(db, STAFF, roles.STAFF, by=ADMIN, now=START)
    _, summary = await press(api, choose, button(choose, "전체"), STAFF, count=2)
    roles.revoke(db, STAFF, roles.STAFF)
    for label in ("지금 보내기", "예약"):
        assert await alert(api, summary, button(summary, label), STAFF) == UNKNOWN_COMMAND
    [b] = bdb.recent(db, 1, include_drafts=True)
    assert b.state == bdb.DRAFT and not [c for c in api.sent_messages() if c.chat_id in range(6)]


async def test_revoked_after_pressing_schedule_schedules_nothing(api, app, db):
    add_users(db, range(1, 6))
    _, summary = await compose(api, db, STAFF, "예약 공지", "전체")
    [ask] = await press(api, summary, button(summary, "예약"), STAFF)
    roles.revoke(db, STAFF, roles.STAFF)
    [reply] = await answer(api, db, ask, "오늘 오후 3시", STAFF)
    assert reply.text == btext.NO_LONGER_STAFF
    [b] = bdb.recent(db, 1, include_drafts=True)
    assert (b.state, b.scheduled_at) == (bdb.CANCELLED, None)
    assert bdb.next_due(db, clock().now() + dt.timedelta(days=2)) is None


async def test_author_revoked_before_a_scheduled_send_is_cancelled(api, app, db):
    """The chosen rule: cancelled (not held), with an audit row and a message to the author."""
    add_users(db, range(1, 6))
    _, summary = await compose(api, db, STAFF, "예약 공지", "전체")
    [ask] = await press(api, summary, button(summary, "예약"), STAFF)
    await answer(api, db, ask, "내일 09:00", STAFF)
    [b] = bdb.recent(db, 1)
    assert b.state == bdb.QUEUED
    roles.revoke(db, STAFF, roles.STAFF)
    with db.conn:  # the time comes
        db.conn.execute(
            "UPDATE broadcasts SET scheduled_at = ? WHERE id = ?",
            [bdb.stamp(clock().now() - dt.timedelta(seconds=1)), b.id],
        )
    before = len(api.sent_messages(STAFF))
    engine_of(app).wake()
    [told] = (await api.wait_for(before + 1, chat_id=STAFF))[before:]
    assert "작성자의 직원 권한이 없어져" in told.text and f"공지 #{b.id}은" in told.text
    b = bdb.get(db, b.id)
    assert (b.state, b.note, b.total) == (bdb.CANCELLED, "author_revoked", 0)
    assert [(u, a) for u, _, a in audit_actions(db, "broadcast.author_revoked")] == [(STAFF, 0)]
    assert not [c for c in api.sent_messages() if c.chat_id in range(1, 6)]


async def test_revoking_staff_cancels_their_open_drafts(api, app, db):
    await say(api, "안녕하세요", STAFF)
    [prompt] = await say(api, "/broadcast", STAFF)
    await api.wait_for(lambda: bdb.recent(db, 1, include_drafts=True)[0].prompt_message_id)
    [reply] = await say(api, f"/revoke {STAFF}", ADMIN)
    assert "거두었어요" in reply.text
    [b] = bdb.recent(db, 1, include_drafts=True)
    assert (b.state, b.note) == (bdb.CANCELLED, "author_revoked")
    [late] = await say(api, "늦은 공지", STAFF, reply_to_message_id=prompt.message_id)
    assert late.text != btext.NO_LONGER_STAFF  # no draft any more: an ordinary message


# --- forged staff buttons ------------------------------------------------------------------------


def _draft_at(db: Any, step: str, author: int = STAFF) -> bdb.Broadcast:
    b = bdb.open_draft(db, author_id=author, chat_id=author, now=clock().now())
    bdb.set_text(db, b.id, "x")
    if step in ("confirm", "when"):
        bdb.set_audience(db, b.id, "all")
    return bdb.set_step(db, b.id, step, now=clock().now())


STAFF_BUTTONS = ("b:a:{id}:all", "b:go:{id}", "b:at:{id}", "b:x:{id}", "b:sx:{id}")


@pytest.mark.parametrize("pattern", STAFF_BUTTONS)
@pytest.mark.parametrize("who", ["non-staff", "revoked", "other staff"])
async def test_forged_staff_buttons_change_nothing(api, app, db, pattern, who):
    add_users(db, range(1, 4))
    presser = {"non-staff": USER, "revoked": 9005, "other staff": OTHER_STAFF}[who]
    roles.grant(db, OTHER_STAFF, roles.STAFF, by=ADMIN, now=START)
    if who == "revoked":
        roles.grant(db, presser, roles.STAFF, by=ADMIN, now=START)
        roles.revoke(db, presser, roles.STAFF)
    b = _draft_at(db, "confirm")
    before = bdb.get(db, b.id)
    [hello] = await say(api, "안녕하세요", presser)
    answer = await alert(api, hello, pattern.format(id=b.id), presser)
    if who == "other staff" and pattern.startswith("b:sx"):
        # Any staff member may cancel from /broadcast_status: that is the one allowed change.
        assert bdb.get(db, b.id).state == bdb.CANCELLED
        return
    expected = btext.NOT_YOURS if who == "other staff" else UNKNOWN_COMMAND
    assert answer == expected
    assert bdb.get(db, b.id) == before
    await asyncio.sleep(0.3)
    assert not [c for c in api.sent_messages() if c.chat_id in range(1, 4)]


@pytest.mark.parametrize(
    "data",
    [
        "b:",
        "b:a",
        "b:a:1",
        "b:a::all",
        "b:a:1:",
        "b:a:x:all",
        "b:go",
        "b:go:",
        "b:go:-1",
        "b:go:1:2",
        "b:at:1x",
        "b:x:" + "9" * 13,
        "b:sx:abc",
        "b:a:1:" + "a" * 41,
        "b:a:1:all;drop",
        "b:a:1:topic:nosuch",
        "b:a:1:teachers",
        "b:go:999999",
        "b:zz:1",
        "b:GO:1",
        "b:go:1\n",
    ],
)
async def test_malformed_staff_buttons_from_staff_change_nothing(api, app, db, data):
    b = _draft_at(db, "audience")
    before = bdb.get(db, b.id)
    [hello] = await say(api, "/broadcast_status", STAFF)
    answer = await alert(api, hello, data, STAFF)
    assert answer  # always a clear answer, never silence
    assert bdb.get(db, b.id) == before


async def test_buttons_of_another_step_are_refused(api, app, db):
    b = _draft_at(db, "audience")
    [hello] = await say(api, "/broadcast_status", STAFF)
    assert await alert(api, hello, f"b:go:{b.id}", STAFF) == btext.DRAFT_GONE
    assert bdb.get(db, b.id).state == bdb.DRAFT


# --- the composer only takes what is meant for it ---------------------------------------------


async def test_a_question_later_is_a_question_and_the_draft_stays(api, app, db):
    [prompt] = await say(api, "/broadcast", STAFF)
    [reply] = await say(api, "신임자 과정 언제 시작해요?", STAFF)
    assert "신임자" in reply.text
    [b] = bdb.recent(db, 1, include_drafts=True)
    assert (b.state, b.text, b.step) == (bdb.DRAFT, "", "text")
    await answer(api, db, prompt, "/help", STAFF, replies=2)
    assert bdb.get(db, b.id).text == ""  # a command replied to the prompt is a command
    [cancelled] = await say(api, "취소", STAFF, reply_to_message_id=prompt.message_id)
    assert btext.CANCELLED in cancelled.text and bdb.get(db, b.id).state == bdb.CANCELLED


async def test_audience_step_has_a_cancel_button(api, app, db):
    [prompt] = await say(api, "/broadcast", STAFF)
    [choose] = await answer(api, db, prompt, "공지", STAFF)
    [edited] = await press(api, choose, button(choose, "취소"), STAFF, method="editMessageText")
    assert btext.CANCELLED in edited.text
    assert bdb.recent(db, 1, include_drafts=True)[0].state == bdb.CANCELLED


async def test_a_composition_survives_a_restart(api, db, brain):
    add_users(db, range(1, 4))
    async with serving(api, db, brain):
        [prompt] = await say(api, "/broadcast", STAFF)
        [choose] = await answer(api, db, prompt, "재시작 후에도", STAFF)
    async with serving(api, db, brain) as restarted:
        _, summary = await press(api, choose, button(choose, "전체"), STAFF, count=2)
        await press(api, summary, button(summary, "지금 보내기"), STAFF, method="editMessageText")
        await asyncio.wait_for(engine_of(restarted).wait_idle(), 10)
    assert sorted(c.chat_id for c in api.sent_messages() if c.text == "재시작 후에도" and c.chat_id != STAFF) == [
        1,
        2,
        3,
    ]


async def test_the_time_step_survives_a_restart(api, db, brain):
    async with serving(api, db, brain):
        _, summary = await compose(api, db, STAFF, "예약 공지", "전체")
        [ask] = await press(api, summary, button(summary, "예약"), STAFF)
    async with serving(api, db, brain):
        [ok] = await answer(api, db, ask, "내일 09:00", STAFF)
    assert "예약했어요" in ok.text and bdb.recent(db, 1)[0].state == bdb.QUEUED


async def test_drafts_expire_with_a_message(api, app, db):
    stale = bdb.open_draft(db, author_id=STAFF, chat_id=STAFF, now=clock().now() - dt.timedelta(minutes=31))
    before = len(api.sent_messages(STAFF))
    engine_of(app).wake()
    [told] = (await api.wait_for(before + 1, chat_id=STAFF))[before:]
    assert f"#{stale.id}에 30분 동안 답이 없어 취소했어요" in told.text
    assert (bdb.get(db, stale.id).state, bdb.get(db, stale.id).note) == (bdb.CANCELLED, "expired")
    [prompt] = await say(api, "/broadcast", STAFF)
    assert "30분" in prompt.text


async def test_status_lists_drafts_with_authors_and_cancel_edits_one_line(api, app, db):
    await say(api, "안녕하세요", OTHER_STAFF, username="kim")
    roles.grant(db, OTHER_STAFF, roles.STAFF, by=ADMIN, now=START)
    draft = _draft_at(db, "audience", author=OTHER_STAFF)
    queued = bdb.create(
        db,
        text="예약된 공지",
        now=clock().now(),
        audience="all",
        author_id=STAFF,
        state=bdb.QUEUED,
        scheduled_at=clock().now() + dt.timedelta(days=1),
    )
    [status] = await say(api, "/broadcast_status", STAFF)
    blocks = status.text.split("\n\n")
    assert f"<b>#{draft.id}</b> 작성 중" in status.text and "@kim" in status.text
    assert f"<b>#{queued.id}</b> 대기" in status.text
    [edited] = await press(api, status, button(status, f"#{draft.id} 취소"), STAFF, method="editMessageText")
    after = edited.text.split("\n\n")
    changed = [i for i, (x, y) in enumerate(zip(blocks, after, strict=True)) if x != y]
    assert len(changed) == 1 and f"#{draft.id}</b> 취소됨" in after[changed[0]]
    assert set(buttons(edited)) == {f"✖ #{queued.id} 취소"}
    assert bdb.get(db, queued.id).state == bdb.QUEUED


@pytest.mark.parametrize("status", [500, 429])
async def test_first_progress_message_is_retried(api, app, db, status):
    add_users(db, range(1, 31))
    _, summary = await compose(api, db, STAFF, "진행 상황 공지", "전체")
    api.fail_next("sendMessage", status, chat_id=STAFF)
    await press(api, summary, button(summary, "지금 보내기"), STAFF, method="editMessageText")
    await asyncio.wait_for(engine_of(app).wait_idle(), 10)
    progress = [
        c
        for c in api.sent_messages(STAFF)
        if "공지 발송" in (c.text or "") and "#" in c.text and "보냄" in c.text and "마쳤어요" not in c.text
    ]
    assert progress, "the progress message was never posted"
    assert [c for c in api.calls("sendMessage", STAFF) if not c.ok], "no failure was injected"
    [b] = bdb.recent(db, 1)
    assert b.progress_message_id == progress[0].message_id and b.sent == 31


# --- role management -----------------------------------------------------------------------------


async def forwarded(api: FakeBotApi, message: dict[str, Any]) -> None:
    """A forwarded message in the admin's chat (answered as a question, like any text)."""
    before = len(api.sent_messages(ADMIN))
    api.push_update({"message": message})
    await api.wait_for(before + 1, chat_id=ADMIN)


async def test_grant_by_username_reply_and_forward(api, app, db):
    await say(api, "안녕하세요", 701, username="Hong")
    [reply] = await say(api, "/grant @hong", ADMIN)
    assert "@Hong" in reply.text and "주었어요" in reply.text and roles.is_staff(db, 701)
    [reply] = await say(api, "/grant @nobody", ADMIN)
    assert "봇과 대화한 적이 없는" in reply.text
    await say(api, "안녕하세요", 702)
    # A forwarded message from 702, replied to with /grant: the original sender gets it.
    await forwarded(
        api,
        {
            "message_id": 900,
            "date": 0,
            "chat": {"id": ADMIN, "type": "private"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "관리자"},
            "text": "저 직원이에요",
            "forward_origin": {
                "type": "user",
                "date": 0,
                "sender_user": {"id": 702, "is_bot": False, "first_name": "Lee"},
            },
        },
    )
    [reply] = await say(api, "/grant", ADMIN, reply_to_message_id=900)
    assert "702" in reply.text and "주었어요" in reply.text and roles.is_staff(db, 702)
    await forwarded(
        api,
        {
            "message_id": 901,
            "date": 0,
            "chat": {"id": ADMIN, "type": "private"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "관리자"},
            "text": "숨김",
            "forward_origin": {"type": "hidden_user", "date": 0, "sender_user_name": "Park"},
        },
    )
    [reply] = await say(api, "/revoke", ADMIN, reply_to_message_id=901)
    assert "숨김 설정" in reply.text
    [reply] = await say(api, "/grant 99999999", ADMIN)
    assert "봇과 대화한 적이 없는" in reply.text and not roles.is_staff(db, 99999999)


async def test_staff_menu_and_help_follow_the_role(api, app, db):
    await say(api, "안녕하세요", USER)
    scope = f'{{"chat_id": {USER}, "type": "chat"}}'
    [reply] = await say(api, f"/grant {USER}", ADMIN)
    menu = [c["command"] for c in api.commands[(scope, "")]]
    assert {"broadcast", "broadcast_status", "invite", "verify"} <= set(menu)
    assert "grant" not in menu and "notices" in menu
    shown = " ".join(c.text for c in await say(api, "/help", USER, replies=2))
    assert "직원 명령" in shown and "/invite" in shown and "/grant" not in shown
    [reply] = await say(api, f"/grant {USER} admin", ADMIN)
    assert "grant" in [c["command"] for c in api.commands[(scope, "")]]
    await say(api, f"/revoke {USER}", ADMIN)
    assert (scope, "") not in api.commands
    [plain] = await say(api, "/help", USER)
    assert "직원 명령" not in plain.text
    # Staff granted before the start get their menu at start-up (STAFF, in the fixture).
    assert (f'{{"chat_id": {STAFF}, "type": "chat"}}', "") in api.commands


async def test_private_things_are_not_posted_in_a_group(api, app, db):
    for command in (
        "/broadcast_status",
        "/grant",
        f"/grant {USER}",
        "/verify",
        "/invite",
        "/whoami",
        "/revoke 5",
        "/unverify 5",
    ):
        [reply] = await say(api, command, GROUP, user_id=ADMIN, chat_type="supergroup")
        line = btext.WHOAMI_IN_PRIVATE if command == "/whoami" else btext.STAFF_IN_PRIVATE
        assert reply.text == line and str(ADMIN) not in reply.text, command
        [[link]] = reply.reply_markup["inline_keyboard"]
        assert link["url"].endswith("?start=staff")
    assert not roles.is_staff(db, USER) and roles.invites(db, include_spent=True) == []
    [start] = await say(api, "/start staff", ADMIN)
    assert "직원 명령" in start.text and "/grant" in start.text


async def test_whoami_shows_id_username_and_roles(api, app, db):
    [me] = await say(api, "/whoami", USER, username="me_user")
    assert f"<code>{USER}</code>" in me.text and "@me_user" in me.text and "권한: 없음" in me.text
    [me] = await say(api, "/whoami", ADMIN)
    assert "관리자 (HRDBOT_ADMINS)" in me.text


async def test_verify_and_unverify(api, app, db):
    await say(api, "안녕하세요", 801, username="choi")
    [reply] = await say(api, "/verify @choi", STAFF)
    assert "인증 직원(verified) 권한을 주었어요" in reply.text and roles.is_verified(db, 801)
    assert "인증 직원 대상 공지" in sent_to(api, 801)[-1]
    [listing] = await say(api, "/verify", STAFF)
    assert "인증 직원 1명" in listing.text and "@choi" in listing.text
    [reply] = await say(api, "/verify @choi extra", STAFF)
    assert "너무 많아요" in reply.text
    [reply] = await say(api, "/unverify 801", STAFF)
    assert "거두었어요" in reply.text and not roles.is_verified(db, 801)
    [reply] = await say(api, "/verify @choi", USER)
    assert reply.text == UNKNOWN_COMMAND
    assert users_db.by_username(db, "CHOI").user_id == 801


async def test_a_bad_notice_is_asked_again_and_loses_nothing(api, app, db):
    [prompt] = await say(api, "/broadcast", STAFF)
    [again] = await answer(api, db, prompt, "가" * 4100, STAFF)
    assert "4,096자까지" in again.text and again.reply_markup["force_reply"] is True
    await api.wait_for(
        lambda: bdb.recent(db, 1, include_drafts=True)[0].prompt_message_id == again.message_id
    )  # stored just after the prompt is sent
    [b] = bdb.recent(db, 1, include_drafts=True)
    assert (b.state, b.step, b.text, b.prompt_message_id) == (bdb.DRAFT, "text", "", again.message_id)
    [stale] = await say(api, "옛 프롬프트에 답장", STAFF, reply_to_message_id=prompt.message_id)
    assert "누구에게" not in stale.text  # only the latest prompt counts
    [choose] = await answer(api, db, again, "짧은 공지", STAFF)
    assert "누구에게" in choose.text and bdb.get(db, b.id).text == "짧은 공지"
