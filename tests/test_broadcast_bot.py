"""Staff broadcast through the real Application against the local fake Bot API: roles and
audit, the /broadcast flow (preview, count, send, schedule, cancel), bad buttons, /notices,
and questions answered while a broadcast runs."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlite_utils import Database
from telegram import MessageEntity

from db import broadcasts as bdb
from db import roles
from handlers import broadcast_text as btext
from handlers.app import build_application, running
from handlers.broadcast import RUNTIME_KEY, BroadcastSettings, broadcast_feature
from handlers.broadcast_engine import BroadcastEngine, EngineConfig
from handlers.config import RunConfig
from handlers.features import basic_feature
from handlers.render import UNKNOWN_COMMAND
from handlers.state import AppState
from knowledge.core import Brain
from tests.broadcast_helpers import add_users, clock
from tests.fake_bot_api import ApiCall, FakeBotApi

ADMIN, STAFF, USER = 9001, 9002, 9003
ENGINE = EngineConfig(rate=500.0, per_chat_interval=0.05, backoff=0.05, progress_every=0.3, poll_every=0.2)


@pytest.fixture(scope="module")
def brain_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    from knowledge.store import open_database

    return open_database(tmp_path_factory.mktemp("brain") / "hrdbot.db")


@pytest.fixture(scope="module")
def brain(brain_db: Database) -> Brain:
    return Brain(brain_db, log_unanswered=False)


def settings(**engine: Any) -> BroadcastSettings:
    return BroadcastSettings(admins=frozenset({ADMIN}), engine=EngineConfig(**{**ENGINE.__dict__, **engine}))


@contextlib.asynccontextmanager
async def serving(api: FakeBotApi, db: Database, brain: Brain, **engine: Any) -> AsyncIterator[Any]:
    """The bot (basic and broadcast features) polling the fake; STAFF has the staff role."""
    config = RunConfig(token=api.token, base_url=api.base_url, retry_backoff=0.01, poll_timeout=2.0)
    application = build_application(
        config, AppState(db, brain, clock()), [basic_feature(), broadcast_feature(settings(**engine))]
    )
    roles.grant(db, STAFF, roles.STAFF, by=ADMIN, now=clock().now())
    async with running(application, config):
        yield application


@pytest.fixture
async def app(api: FakeBotApi, db: Database, brain: Brain) -> AsyncIterator[Any]:
    async with serving(api, db, brain) as application:
        yield application


def engine_of(app: Any) -> BroadcastEngine:
    return app.bot_data[RUNTIME_KEY].engine


async def say(api: FakeBotApi, text: str, chat_id: int, replies: int = 1, **kwargs: Any) -> list[ApiCall]:
    before = len(api.sent_messages(chat_id))
    api.send_text(chat_id, text, **kwargs)
    sent = await api.wait_for(before + replies, chat_id=chat_id)
    return sent[before:]


async def answer(
    api: FakeBotApi, db: Database, prompt: ApiCall, text: str, chat_id: int, **kwargs: Any
) -> list[ApiCall]:
    """Reply to a composer prompt once the bot has stored it as the draft's prompt (it does so
    right after Telegram answers the send, which the fake records a moment earlier)."""
    await api.wait_for(
        lambda: db.execute(
            "SELECT 1 FROM broadcasts WHERE prompt_message_id = ? AND report_chat_id = ?", [prompt.message_id, chat_id]
        ).fetchone()
    )
    return await say(api, text, chat_id, reply_to_message_id=prompt.message_id, **kwargs)


async def press(
    api: FakeBotApi, message: ApiCall, data: str, chat_id: int, method: str = "sendMessage", count: int = 1
) -> list[ApiCall]:
    before = len([c for c in api.calls(method, chat_id) if c.ok])
    api.press_button(chat_id, message.message_id, data)
    calls = await api.wait_for(before + count, method=method, chat_id=chat_id)
    return calls[before:]


async def alert(api: FakeBotApi, message: ApiCall, data: str, chat_id: int) -> str:
    """Press a button that is answered with an alert; return the alert text."""
    before = len(api.calls("answerCallbackQuery"))
    api.press_button(chat_id, message.message_id, data)
    calls = await api.wait_for(lambda: api.calls("answerCallbackQuery")[before:])
    return calls[0].params.get("text", "")


def buttons(call: ApiCall) -> dict[str, str]:
    markup = call.reply_markup or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


def button(call: ApiCall, label_part: str) -> str:
    found = [data for label, data in buttons(call).items() if label_part in label]
    assert found, f"no button with {label_part!r} in {list(buttons(call))}"
    return found[0]


def audit_rows(db: Database, user_id: int) -> list[tuple[str, int]]:
    return [
        (action, allowed)
        for action, allowed in db.execute(
            "SELECT action, allowed FROM audit_log WHERE user_id = ? ORDER BY id", [user_id]
        )
    ]


# --- roles -----------------------------------------------------------------------------------


async def test_non_staff_gets_a_neutral_reply_to_every_staff_command(api, app, db):
    attempts = ["/broadcast", "/broadcast_status", "/grant 5", "/revoke 5", "/grant", "/broadcast@hrd_test_bot"]
    for command in attempts:
        [reply] = await say(api, command, USER)
        assert reply.text == UNKNOWN_COMMAND, command
    # The same reply as a command that does not exist: nothing reveals that staff commands exist.
    [unknown] = await say(api, "/nosuchcommand", USER)
    assert unknown.text == UNKNOWN_COMMAND
    # A staff button (e.g. from a forwarded message) is refused the same way.
    b = bdb.create(db, text="x", now=clock().now(), audience="all")
    [hello] = await say(api, "안녕하세요", USER)
    assert await alert(api, hello, f"b:go:{b.id}", USER) == UNKNOWN_COMMAND
    assert bdb.get(db, b.id).state == bdb.DRAFT
    assert audit_rows(db, USER) == [
        ("/broadcast", 0),
        ("/broadcast_status", 0),
        ("/grant", 0),
        ("/revoke", 0),
        ("/grant", 0),
        ("/broadcast", 0),
        ("broadcast.button", 0),
    ]
    assert not roles.is_staff(db, USER, {ADMIN})


async def test_staff_cannot_grant_but_admins_can(api, app, db):
    [reply] = await say(api, f"/grant {USER}", STAFF)
    assert reply.text == UNKNOWN_COMMAND
    assert audit_rows(db, STAFF) == [("/grant", 0)]

    [reply] = await say(api, f"/grant {USER}", ADMIN)
    assert "봇과 대화한 적이 없는 사용자" in reply.text and not roles.is_staff(db, USER)
    await say(api, "안녕하세요", USER)  # now the bot knows USER
    [reply] = await say(api, f"/grant {USER}", ADMIN)
    told = api.sent_messages(USER)[-1]  # told before the admin's answer
    assert "직원(staff) 권한을 받았어요" in told.text
    assert f"{USER})에게 직원(staff) 권한을 주었어요" in reply.text and "알렸어요" in reply.text
    assert roles.is_staff(db, USER)
    [reply] = await say(api, "/grant", ADMIN)
    assert f"{ADMIN}) — 관리자 (HRDBOT_ADMINS" in reply.text and f"{USER}) — 직원(staff)" in reply.text
    [reply] = await say(api, "/grant bob", ADMIN)
    assert "누구에게" in reply.text and "사용법" in reply.text
    [reply] = await say(api, f"/grant {USER} owner", ADMIN)
    assert "staff 또는 admin" in reply.text
    [reply] = await say(api, f"/revoke {USER}", ADMIN)
    assert "거두었어요" in reply.text and not roles.is_staff(db, USER)
    [reply] = await say(api, f"/revoke {ADMIN}", ADMIN)
    assert "HRDBOT_ADMINS" in reply.text and "거둘 수 없어요" in reply.text
    assert ("/grant", 1) in audit_rows(db, ADMIN) and ("/revoke", 1) in audit_rows(db, ADMIN)


# --- the /broadcast flow ---------------------------------------------------------------------


async def test_broadcast_preview_count_confirm_and_report(api, app, db):
    add_users(db, range(1, 51))
    [ask] = await say(api, "/broadcast", STAFF)
    assert "이 메시지에 답장으로" in ask.text and ask.reply_markup["force_reply"] is True
    notice = "합격자 발표 안내: 8월 22일 <확인>"
    [choose] = await answer(
        api, db, ask, notice, STAFF, entities=[{"type": MessageEntity.BOLD, "offset": 0, "length": 6}]
    )
    assert "누구에게" in choose.text and "스스로 고른 것" in choose.text
    assert "수험생 · 자기 선택 (10명)" in buttons(choose)
    assert "전체 (51명)" in buttons(choose)  # and the staff member
    assert "🔒 인증 직원 (1명)" in buttons(choose)  # the staff member (the admin never wrote)
    assert "✖ 취소" in buttons(choose)

    preview, summary = await press(api, choose, button(choose, "수험생"), STAFF, count=2)
    expected_html = "<b>합격자 발표</b> 안내: 8월 22일 &lt;확인&gt;"
    assert preview.text == expected_html and preview.params["parse_mode"] == "HTML"
    assert "수험생</b> · <b>10명" in summary.text
    assert set(buttons(summary)) == {"🚀 지금 보내기", "⏰ 예약", "✖ 취소"}

    [queued] = await press(api, summary, button(summary, "지금 보내기"), STAFF, method="editMessageText")
    assert "보내기 시작해요" in queued.text
    await asyncio.wait_for(engine_of(app).wait_idle(), 10)
    received = [c for c in api.sent_messages() if c.text == expected_html and c.chat_id != STAFF]
    assert sorted(c.chat_id for c in received) == [u for u in range(1, 51) if u % 5 == 1]
    assert all(c.params["parse_mode"] == "HTML" for c in received)  # exactly as previewed
    report = api.sent_messages(STAFF)[-1]
    assert "마쳤어요" in report.text and "보냄 10" in report.text
    [b] = bdb.recent(db, 1)
    assert (b.state, b.sent, b.author_id) == (bdb.DONE, 10, STAFF)
    assert [a for a, _ in audit_rows(db, STAFF)] == [
        "/broadcast",
        "broadcast.draft",
        "broadcast.text",
        "broadcast.button",
        "broadcast.button",
        "broadcast.send",
    ]


async def test_schedule_with_a_bad_then_a_good_time_and_cancel(api, app, db):
    add_users(db, range(1, 6))
    [prompt] = await say(api, "/broadcast", STAFF)
    [choose] = await answer(api, db, prompt, "내일 시설 점검이 있어요", STAFF)
    preview, summary = await press(api, choose, button(choose, "전체"), STAFF, count=2)
    [ask] = await press(api, summary, button(summary, "예약"), STAFF)
    assert "언제 보낼까요" in ask.text and ask.reply_markup["force_reply"] is True
    [question] = await say(api, "신임자 과정 언제 시작해요?", STAFF)  # not a reply: a question
    assert "신임자" in question.text and "시각" not in question.text
    [bad] = await answer(api, db, ask, "언젠가 보내 주세요", STAFF)
    assert "시각을 읽을 수 없어요" in bad.text
    [past] = await answer(api, db, bad, "오늘 08:00", STAFF)
    assert "이미 지난 시각" in past.text
    [ok] = await answer(api, db, past, "내일 09:00", STAFF)
    assert "2018년 8월 22일(수) 09:00</b>에 전체 (6명)" in ok.text
    [b] = bdb.recent(db, 1)
    assert (b.state, b.scheduled_at) == (bdb.QUEUED, "2018-08-22T09:00:00+09:00")

    [status] = await say(api, "/broadcast_status", STAFF)
    assert f"#{b.id}</b> 대기" in status.text and "예약 2018년 8월 22일(수) 09:00" in status.text
    assert "작성: user" not in status.text and f"{STAFF}" in status.text  # the author
    [cancelled] = await press(api, status, button(status, f"#{b.id} 취소"), STAFF, method="editMessageText")
    assert f"#{b.id}</b> 취소됨" in cancelled.text and "발송 현황" in cancelled.text
    assert bdb.get(db, b.id).state == bdb.CANCELLED
    assert not [c for c in api.sent_messages() if c.chat_id in range(1, 6)]


async def test_broadcast_in_a_group_points_to_the_private_chat(api, app, db):
    [reply] = await say(api, "/broadcast", -100500, user_id=STAFF, chat_type="supergroup")
    assert reply.text == btext.PRIVATE_ONLY
    [reply] = await say(api, "/broadcast", -100500, user_id=USER, chat_type="supergroup")
    assert reply.text == UNKNOWN_COMMAND


async def test_cancel_while_writing(api, app, db):
    await say(api, "/broadcast", STAFF)
    [reply] = await say(api, "/cancel", STAFF)
    assert btext.CANCELLED in reply.text
    [reply] = await say(api, "신임자 과정 언제 시작해요?", STAFF)  # a question again
    assert "신임자" in reply.text
    assert [b.state for b in bdb.recent(db, 5, include_drafts=True)] == [bdb.CANCELLED]
    [nothing] = await say(api, "/cancel", STAFF)
    assert btext.CANCELLED not in nothing.text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("b:go:abc", btext.BAD_BUTTON),
        ("b:zz:1", btext.BAD_BUTTON),
        ("b:a:1:teachers", "모르는 대상"),
        ("b:go:424242", "#424242"),
    ],
)
async def test_bad_callback_data_gets_a_clear_answer(api, app, db, data, expected):
    b = bdb.open_draft(db, author_id=STAFF, chat_id=STAFF, now=clock().now())
    bdb.set_text(db, b.id, "x")
    bdb.set_step(db, b.id, "audience", now=clock().now())
    [hello] = await say(api, "/broadcast_status", STAFF)
    assert expected in await alert(api, hello, data, STAFF)


async def test_photo_notice_is_previewed_and_sent_as_a_photo(api, app, db):
    add_users(db, [1, 2], audience="staff")
    uploaded = await app.bot.send_photo(STAFF, photo=b"\x89PNG fake", caption="x")
    file_id = uploaded.photo[-1].file_id
    [prompt] = await say(api, "/broadcast", STAFF)
    await api.wait_for(lambda: bdb.recent(db, 1, include_drafts=True)[0].prompt_message_id)
    before = len(api.sent_messages(STAFF))
    api.push_update(
        {
            "message": {
                "message_id": 777,
                "date": 0,
                "chat": {"id": STAFF, "type": "private"},
                "from": {"id": STAFF, "is_bot": False, "first_name": "직원"},
                "photo": [{"file_id": file_id, "file_unique_id": "u1", "width": 1, "height": 1}],
                "caption": "새 강의실 배치도",
                "reply_to_message": {
                    "message_id": prompt.message_id,
                    "date": 0,
                    "chat": {"id": STAFF, "type": "private"},
                },
            }
        }
    )
    [choose] = (await api.wait_for(before + 1, chat_id=STAFF))[before:]
    await press(api, choose, button(choose, "직원 · 자기 선택"), STAFF, count=1)
    previews = [c for c in api.calls("sendPhoto", STAFF) if c.ok]
    assert previews[-1].params["caption"] == "새 강의실 배치도"
    [summary] = api.sent_messages(STAFF)[-1:]
    assert "사진 포함" in summary.text
    await press(api, summary, button(summary, "지금 보내기"), STAFF, method="editMessageText")
    await asyncio.wait_for(engine_of(app).wait_idle(), 10)
    assert sorted(c.chat_id for c in api.calls("sendPhoto") if c.ok and c.chat_id in (1, 2)) == [1, 2]


async def test_notices_shows_recent_notices_to_users(api, app, db):
    [none] = await say(api, "/notices", USER)
    assert none.text == btext.NO_NOTICES
    for audience, body in (("all", "<b>전체 공지</b>"), ("parent", "학부모 공지")):
        b = bdb.create(db, text=body, now=clock().now(), audience=audience, state=bdb.QUEUED)
        bdb.start_preparing(db, b.id, clock().now())
        bdb.start_sending(db, b.id, clock().now())
    header, first = await say(api, "/notices", USER, replies=2)
    assert "최근 공지 1건" in header.text and "<b>전체 공지</b>" in first.text


# --- questions during a broadcast ------------------------------------------------------------


async def test_questions_are_answered_while_a_long_broadcast_runs(api, db, brain):
    """1 000 recipients at 200/s (about 5 s): questions asked meanwhile are answered at once,
    long before the broadcast ends."""
    add_users(db, range(1, 1001))
    async with serving(api, db, brain, rate=200.0) as app:
        engine = engine_of(app)
        b = bdb.create(db, text="긴 공지", now=clock().now(), audience="all", state=bdb.QUEUED)
        engine.wake()
        await api.wait_for(100, timeout=10)
        latencies = []
        for question in [
            "신임자 과정 언제 시작해요?",
            "어린이집 입소 순위",
            "면접은 언제예요?",
            "인재개발원 비전은?",
            "2회 필기 합격자 발표일",
        ]:
            started = time.monotonic()
            await say(api, question, USER)
            latencies.append(time.monotonic() - started)
            assert bdb.get(db, b.id).state == bdb.SENDING, "the broadcast should still run"
        await asyncio.wait_for(engine.wait_idle(), 30)
    assert bdb.get(db, b.id).sent == 1000
    assert max(latencies) < 1.5, latencies
    print(
        f"question latency during broadcast: median {statistics.median(latencies) * 1000:.0f} "
        f"ms, max {max(latencies) * 1000:.0f} ms"
    )
