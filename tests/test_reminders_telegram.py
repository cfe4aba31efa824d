"""The reminder feature in the real Application, over HTTP, against the fake Bot API.

Synchronisation is by awaiting the fake's recorded calls, or by awaiting a delivery run
directly; never by sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import icalendar
import pytest
from sqlite_utils import Database

from db import reminders as rdb
from db import users
from handlers import reminder_jobs
from handlers.app import build_application, running
from handlers.config import RunConfig
from handlers.features import basic_feature
from handlers.reminder_jobs import TelegramSender, reminders_feature
from handlers.state import AppState
from handlers.subscriptions import UNKNOWN_TOPIC
from knowledge.core import Brain
from knowledge.reminders import SEOUL
from knowledge.store import open_database
from tests.fake_bot_api import ApiCall, FakeBotApi

USER = 701
SINCE = dt.datetime(2018, 1, 1, tzinfo=SEOUL)
D7 = "course-start-d7:session:newcomer-8:2018-07-23"


class FixedClock:
    def __init__(self, now: dt.datetime) -> None:
        self.current = now

    def now(self) -> dt.datetime:
        return self.current


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return open_database(tmp_path / "hrdbot.db")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2018, 7, 1, 12, 0, tzinfo=SEOUL))


Maker = Callable[[], AbstractAsyncContextManager[Any]]


@pytest.fixture
def make_bot(api: FakeBotApi, db: Database, clock: FixedClock) -> Maker:
    brain = Brain(db)

    def make() -> AbstractAsyncContextManager[Any]:
        config = RunConfig(token=api.token, base_url=api.base_url, retry_backoff=0.01, poll_timeout=2.0)
        app = build_application(config, AppState(db, brain, clock), [basic_feature(), reminders_feature(rate=0)])
        return running(app, config)

    return make


@pytest.fixture
async def bot(make_bot: Maker) -> AsyncIterator[Any]:
    async with make_bot() as app:
        yield app


async def say(api: FakeBotApi, text: str, chat_id: int = USER) -> ApiCall:
    before = len(api.sent_messages(chat_id))
    api.send_text(chat_id, text)
    return (await api.wait_for(before + 1, chat_id=chat_id))[before]


async def press(
    api: FakeBotApi, message: ApiCall, data: str, *, method: str = "editMessageText", chat_id: int = USER
) -> ApiCall:
    before = len([c for c in api.calls(method, chat_id) if c.ok])
    api.press_button(chat_id, message.message_id, data)
    return (await api.wait_for(before + 1, method=method, chat_id=chat_id))[before]


def buttons(call: ApiCall) -> dict[str, str]:
    markup = call.reply_markup or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def test_subscribe_menu_and_toggles(bot: Any, api: FakeBotApi, db: Database) -> None:
    menu = await say(api, "/subscribe")
    assert "알림 구독" in menu.text and "아직 구독한 알림이 없어요" in menu.text
    labels = buttons(menu)
    assert {"📝 시험 일정", "📚 교육과정", "☐ 어린이집", "☐ 공지"} <= set(labels)
    exams = await press(api, menu, labels["📝 시험 일정"])
    assert buttons(exams)["☐ 모든 회차"] == "rs:t:exam_round:*"
    exams = await press(api, menu, "rs:t:exam_round:*")
    assert "✅ 모든 회차" in buttons(exams)
    assert rdb.topics_of(db, USER) == ["exam_round:*"]
    courses = await press(api, menu, "rs:courses")
    assert buttons(courses)["☐ 직급별 필수교육 (신임자·6급 미래인재)"] == "rs:cat:rank-required"
    category = await press(api, menu, "rs:cat:rank-required")
    assert buttons(category)["☐ 신임자 과정"] == "rs:t:program:newcomer"
    category = await press(api, menu, "rs:t:program:newcomer")
    assert "✅ 신임자 과정" in buttons(category)
    home = await press(api, menu, "rs:t:daycare")
    assert "✅ 어린이집" in buttons(home)
    assert "• 교육과정: 신임자 과정" in home.text and "• 어린이집 소식" in home.text
    assert sorted(rdb.topics_of(db, USER)) == ["daycare", "exam_round:*", "program:newcomer"]
    # pressing again unsubscribes
    await press(api, menu, "rs:t:daycare")
    assert "daycare" not in rdb.topics_of(db, USER)


@pytest.mark.parametrize(
    "data",
    [
        "rs:t:program:nope",
        "rs:t:weather",
        "rs:q:exam_round:ninth",
        "rs:cat:nope",
        "rs:zap",
        "rt:time:2561",
        "rt:quiet:22-08",
        "rt:dance",
    ],
)
async def test_unknown_or_malformed_callback_data(bot: Any, api: FakeBotApi, db: Database, data: str) -> None:
    menu = await say(api, "/subscribe")
    before = len(api.calls("answerCallbackQuery"))
    api.press_button(USER, menu.message_id, data)
    [answer] = (await api.wait_for(before + 1, method="answerCallbackQuery"))[before:]
    assert answer.params["text"] == UNKNOWN_TOPIC
    assert answer.params["show_alert"] in (True, "true")
    assert rdb.topics_of(db, USER) == []


async def test_unsubscribe(bot: Any, api: FakeBotApi, db: Database, clock: FixedClock) -> None:
    assert "구독 중인 알림이 없어요" in (await say(api, "/unsubscribe")).text
    rdb.subscribe(db, USER, "program:newcomer", clock.now())
    rdb.subscribe(db, USER, "exam_round:second", clock.now())
    listing = await say(api, "/unsubscribe")
    assert buttons(listing) == {
        "❌ 교육과정: 신임자 과정": "rs:u:program:newcomer",
        "❌ 시험 일정: 제2회 공개경쟁 임용시험 (2차)": "rs:u:exam_round:second",
        "모두 해지": "rs:uall",
    }
    after = await press(api, listing, "rs:u:program:newcomer")
    assert list(buttons(after)) == ["❌ 시험 일정: 제2회 공개경쟁 임용시험 (2차)", "모두 해지"]
    await press(api, listing, "rs:uall")
    assert rdb.topics_of(db, USER) == []


async def test_settings(bot: Any, api: FakeBotApi, db: Database) -> None:
    menu = await say(api, "/settings")
    assert "매일 알림 (오늘·이번 주 일정): 켜짐 (08:30)" in menu.text
    assert "방해 금지 시간: 22:00~08:00" in menu.text
    times = await press(api, menu, "rt:time")
    assert buttons(times)["✅ 08:30"] == "rt:time:0830"
    shown = await press(api, menu, "rt:time:0730")
    assert "켜짐 (07:30)" in shown.text
    shown = await press(api, menu, "rt:quiet:off")
    assert "방해 금지 시간: 없음" in shown.text
    shown = await press(api, menu, "rt:push")
    assert "매일 알림 (오늘·이번 주 일정): 꺼짐" in shown.text
    reply = await say(api, "/settings 방해금지 23:30-06:00")
    assert "방해 금지 시간: 23:30~06:00" in reply.text
    reply = await say(api, "/settings 시간 06:45")
    assert "켜짐 (06:45)" in reply.text
    defaults = reminder_jobs.service(bot).config.defaults
    saved = rdb.settings_of(db, USER, defaults)
    assert (saved.push_time, saved.quiet_start, saved.quiet_end) == (dt.time(6, 45), dt.time(23, 30), dt.time(6))


@pytest.mark.parametrize(
    "text", ["/settings 시간 25:00", "/settings 시간", "/settings 방해금지 밤", "/settings 색깔 빨강"]
)
async def test_settings_malformed(bot: Any, api: FakeBotApi, text: str) -> None:
    reply = await say(api, text)
    assert reply.text.startswith("사용법: <code>/settings</code>")


async def test_group_chats_are_told_to_use_a_private_chat(bot: Any, api: FakeBotApi) -> None:
    before = len(api.sent_messages(-100))
    api.send_text(-100, "/subscribe", chat_type="group", user_id=USER)
    [reply] = (await api.wait_for(before + 1, chat_id=-100))[before:]
    assert "1:1 대화" in reply.text


async def test_calendar(bot: Any, api: FakeBotApi, db: Database, clock: FixedClock) -> None:
    assert "캘린더에 넣을 일정이 없어요" in (await say(api, "/calendar")).text
    rdb.subscribe(db, USER, "program:newcomer", clock.now())
    api.send_text(USER, "/calendar")
    [call] = await api.wait_for(1, method="sendDocument", chat_id=USER)
    [upload] = call.files.values()
    assert upload.filename == "hrdbot-calendar.ics"
    cal = icalendar.Calendar.from_ical(upload.data)
    assert sorted(str(e["uid"]) for e in cal.walk("VEVENT")) == [
        "session-newcomer-8@hrdbot.hrd.seoul.go.kr",
        "session-newcomer-9@hrdbot.hrd.seoul.go.kr",
    ]
    assert "2018년 인재개발원 업무보고 기준" in call.params["caption"]


async def test_commands_are_registered(bot: Any, api: FakeBotApi) -> None:
    [call] = api.calls("setMyCommands")
    names = {c["command"] for c in _commands(call)}
    assert {"subscribe", "unsubscribe", "settings", "calendar"} <= names


def _commands(call: ApiCall) -> list[dict[str, str]]:
    import json

    value = call.params["commands"]
    return json.loads(value) if isinstance(value, str) else value


# --- delivery through the running bot ----------------------------------------------------------


async def test_start_up_catches_up_and_restart_does_not_repeat(
    make_bot: Maker, api: FakeBotApi, db: Database, clock: FixedClock
) -> None:
    rdb.subscribe(db, USER, "program:newcomer", SINCE)
    rdb.update_settings(db, USER, SINCE, daily_push=False)
    clock.current = dt.datetime(2018, 7, 16, 11, 0, tzinfo=SEOUL)  # the bot was down at 09:00
    async with make_bot():
        [message] = await api.wait_for(1, chat_id=USER)
    assert "교육 시작 일주일 전입니다" in message.text and "신임자 과정 제8기" in message.text
    [entry] = rdb.ledger(db, user_id=USER)
    assert (entry.key, entry.status) == (D7, "sent")
    async with make_bot() as app:  # restart: the catch-up finds it in the ledger
        report = await reminder_jobs.service(app).deliver_due(clock.now(), TelegramSender(app.bot, 0))
    assert (report.sent, report.already) == (0, 1)
    assert len(api.sent_messages(USER)) == 1


async def test_jobs_are_rebuilt_under_stable_ids(bot: Any, db: Database, clock: FixedClock) -> None:
    rdb.subscribe(db, USER, "program:newcomer", SINCE)
    rdb.update_settings(db, USER, SINCE, quiet=(dt.time(7), dt.time(10)))
    times = reminder_jobs.reschedule(bot)
    names = sorted(j.name for j in bot.job_queue.jobs() if j.name.startswith(reminder_jobs.WAKE_PREFIX))
    assert names == sorted(f"{reminder_jobs.WAKE_PREFIX}{t:%Y-%m-%dT%H:%M%z}" for t in times)
    assert "reminders:wake:2018-07-02T08:30+0900" in names  # the daily push
    assert "reminders:wake:2018-07-02T10:00+0900" in names  # the end of quiet hours
    assert reminder_jobs.reschedule(bot) == times  # idempotent
    assert sorted(j.name for j in bot.job_queue.jobs() if j.name.startswith(reminder_jobs.WAKE_PREFIX)) == names
    assert bot.job_queue.get_jobs_by_name(reminder_jobs.REPLAN_ID)


async def test_blocked_user_is_marked_inactive(bot: Any, api: FakeBotApi, db: Database, clock: FixedClock) -> None:
    await say(api, "/help")  # the user exists
    rdb.subscribe(db, USER, "program:newcomer", SINCE)
    api.block_chat(USER)
    now = dt.datetime(2018, 7, 16, 9, 0, tzinfo=SEOUL)
    report = await reminder_jobs.service(bot).deliver_due(now, TelegramSender(bot.bot, 0))
    assert report.blocked == 1
    assert users.get(db, USER).active is False
    assert [e.status for e in rdb.ledger(db, user_id=USER)] == ["blocked"]
    later = dt.datetime(2018, 7, 22, 9, 0, tzinfo=SEOUL)
    report = await reminder_jobs.service(bot).deliver_due(later, TelegramSender(bot.bot, 0))
    assert report.blocked == 0 and len(api.calls("sendMessage", USER)) == 2  # help + one try


async def test_rate_limited_send_is_retried(bot: Any, api: FakeBotApi, db: Database) -> None:
    rdb.subscribe(db, USER, "program:newcomer", SINCE)
    api.fail_next("sendMessage", 429, retry_after=7, chat_id=USER)
    now = dt.datetime(2018, 7, 16, 9, 0, tzinfo=SEOUL)
    service = reminder_jobs.service(bot)
    report = await service.deliver_due(now, TelegramSender(bot.bot, 0))
    assert report.released == 1 and 7 <= report.retry_after <= 7.5  # retry_after + jitter
    early = await service.deliver_due(now + dt.timedelta(seconds=6), TelegramSender(bot.bot, 0))
    assert (early.sent, early.held) == (0, 1)  # that chat still waits
    report = await service.deliver_due(now + dt.timedelta(seconds=report.retry_after), TelegramSender(bot.bot, 0))
    assert report.sent == 1


async def test_answer_offers_this_schedule_reminder(bot: Any, api: FakeBotApi, db: Database) -> None:
    reply = await say(api, "신임자 과정 언제 시작해요?")
    data = buttons(reply)["🔔 이 일정 알림 받기"]
    assert data == "rs:q:program:newcomer"
    confirm = await press(api, reply, data, method="sendMessage")
    assert "교육과정: 신임자 과정" in confirm.text and "구독했어요" in confirm.text
    assert rdb.topics_of(db, USER) == ["program:newcomer"]
    again = await press(api, reply, data, method="sendMessage")
    assert "이미 구독 중이에요" in again.text


# --- `hrdbot run --now` as a real process ------------------------------------------------------

TOKEN = "5151:REMINDER-TEST-token"
ROOT = Path(__file__).resolve().parent.parent


def _run_bot(tmp_path: Path, api: Any, now: str, name: str) -> Any:
    import os
    import subprocess
    import sys

    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed by the caller
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--base-url",
            api.base_url,
            "--db",
            str(tmp_path / "hrdbot.db"),
            "--now",
            now,
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc, log


def _stop(proc: Any, log: Any) -> int:
    import signal
    import subprocess

    proc.send_signal(signal.SIGINT)
    try:
        code = proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = proc.wait()
    log.close()
    return code


def test_hrdbot_run_now_delivers_and_a_later_restart_continues(tmp_path: Path) -> None:
    from tests.fake_bot_api import FakeBotApiProcess

    db = open_database(tmp_path / "hrdbot.db")
    for user_id in (31, 32):
        rdb.subscribe(db, user_id, "program:newcomer", SINCE)
    rdb.update_settings(db, 31, SINCE, daily_push=False)
    rdb.update_settings(db, 32, SINCE, push_time=dt.time(9, 15), daily_always=True)
    db.close()
    with FakeBotApiProcess(token=TOKEN) as api:
        proc, log = _run_bot(tmp_path, api, "2018-07-16T08:59:57+09:00", "first")
        try:
            api.wait_for(1, timeout=60, chat_id=31)
            api.wait_for(1, timeout=10, chat_id=32)
        finally:
            assert _stop(proc, log) == 0
        # a restart half an hour later: 32's 09:15 daily push is caught up (it comes after
        # user 31 in the same run), and 31's reminder is not sent again
        proc, log = _run_bot(tmp_path, api, "2018-07-16T09:30:00+09:00", "second")
        try:
            api.wait_for(2, timeout=60, chat_id=32)
        finally:
            assert _stop(proc, log) == 0
        (first,) = api.sent_messages(31)
        d7, daily = api.sent_messages(32)
    assert "교육 시작 일주일 전입니다" in first["params"]["text"]
    assert "신임자 과정 제8기" in d7["params"]["text"]
    assert "7월 16일(월) 구독하신 일정 알림" in daily["params"]["text"]
    ledger = rdb.ledger(open_database(tmp_path / "hrdbot.db"))
    assert [(e.user_id, e.key) for e in ledger if e.status == "sent"] == [(31, D7), (32, D7), (32, "daily:2018-07-16")]
    # the bot's first start logged the week of "always" daily pushes it never had the chance
    # to send (catch-up window 7 days, grace 6 hours)
    assert [(e.user_id, e.key) for e in ledger if e.status == "skipped"] == [
        (32, f"daily:2018-07-{d:02d}") for d in range(9, 16)
    ]
