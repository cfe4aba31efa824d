"""db.broadcasts on real SQLite: audiences, the broadcast life cycle, claims, records, resume."""

from __future__ import annotations

import datetime as dt

import pytest

from db import broadcasts as bdb
from db import reminders as reminders_db
from tests.broadcast_helpers import START, add_users

LATER = START + dt.timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("all", "all"),
        ("전체", "all"),
        ("Everyone", "all"),
        ("직원", "staff"),
        ("staff", "staff"),
        ("수험생", "examinee"),
        ("학부모", "parent"),
        ("parent", "parent"),
        ("기타", "other"),
        (" topic:notices ", "topic:notices"),
        ("구독:daycare", "topic:daycare"),
    ],
)
def test_parse_audience(text, code):
    assert bdb.parse_audience(text) == code


@pytest.mark.parametrize("text", ["", "teachers", "topic:", "직 원", "구독:"])
def test_unknown_audience_is_a_clear_error(text):
    with pytest.raises(bdb.UnknownAudienceError, match="가능한 대상|expected"):
        bdb.parse_audience(text)


def test_topic_audience_is_checked_against_the_knowledge(db):
    assert bdb.parse_audience("topic:exam_round:*", db) == "topic:exam_round:*"
    with pytest.raises(bdb.UnknownAudienceError, match="no-such-round"):
        bdb.parse_audience("topic:exam_round:no-such-round", db)


def _recipients(db, audience):
    return [u for page in bdb.iter_audience(db, audience, page_size=7) for u, _ in page]


def test_audience_selection(db):
    add_users(db, range(1, 51))
    add_users(db, [100], audience="examinee", active=False)  # blocked earlier: never selected
    everyone = _recipients(db, "all")
    assert everyone == list(range(1, 51))
    for code in ("staff", "examinee", "parent", "other"):
        chosen = _recipients(db, code)
        assert chosen == [u for u in range(1, 51) if ("staff", "examinee", "parent", "other", None)[u % 5] == code]
        assert bdb.count_audience(db, code) == len(chosen) == 10
    assert bdb.count_audience(db, "all") == 50


def test_topic_subscribers_are_an_audience(db):
    add_users(db, range(1, 21))
    for user_id in (3, 5, 8, 13):
        reminders_db.subscribe(db, user_id, "notices", START)
    reminders_db.subscribe(db, 999, "notices", START)  # no users row, so no chat: skipped
    db.execute("UPDATE users SET active = 0 WHERE user_id = 8")
    db.conn.commit()
    assert _recipients(db, "topic:notices") == [3, 5, 13]
    assert bdb.count_audience(db, "topic:notices") == 3
    assert bdb.audience_label("topic:notices") == "공지 구독자"


def test_draft_to_done_with_counters(db):
    add_users(db, range(1, 11))
    b = bdb.create(db, text="<b>안내</b>", now=START, author_id=7, report_chat_id=7)
    assert b.state == bdb.DRAFT and b.audience is None
    with pytest.raises(bdb.BroadcastStateError):
        bdb.queue(db, b.id)  # no audience yet
    bdb.set_audience(db, b.id, "all")
    b = bdb.queue(db, b.id)
    assert b.state == bdb.QUEUED and bdb.next_due(db, START).id == b.id
    bdb.start_preparing(db, b.id, START)
    for page in bdb.iter_audience(db, "all", 4):
        bdb.add_recipients(db, b.id, page)
    bdb.add_recipients(db, b.id, [(1, 1), (2, 2)])  # idempotent after an interrupted prepare
    b = bdb.start_sending(db, b.id, START)
    assert (b.state, b.total, b.remaining) == (bdb.SENDING, 10, 10)

    claimed = bdb.claim(db, b.id, 4, START.timestamp())
    assert [d.user_id for d in claimed] == [1, 2, 3, 4] and all(d.attempts == 1 for d in claimed)
    bdb.record(
        db,
        b.id,
        [bdb.Outcome(claimed[0].id, 1, bdb.SENT, 500), bdb.Outcome(claimed[1].id, 2, bdb.BLOCKED, error="403")],
        START,
    )
    bdb.release(db, [(claimed[2].id, LATER.timestamp(), "500", True), (claimed[3].id, 0.0, "429", False)])
    b = bdb.get(db, b.id)
    assert (b.sent, b.blocked, b.failed, b.remaining) == (1, 1, 0, 8)
    assert db.execute("SELECT active FROM users WHERE user_id = 2").fetchone()[0] == 0
    # The retried one waits for its time; the 429 one got its attempt back.
    again = bdb.claim(db, b.id, 10, START.timestamp())
    assert [d.user_id for d in again] == [4, 5, 6, 7, 8, 9, 10]
    assert again[0].attempts == 1
    assert bdb.next_retry_at(db, b.id) == LATER.timestamp()
    bdb.record(db, b.id, [bdb.Outcome(d.id, d.user_id, bdb.SENT, 1) for d in again], START)
    [last] = bdb.claim(db, b.id, 10, LATER.timestamp())
    assert (last.user_id, last.attempts) == (3, 2)
    bdb.record(db, b.id, [bdb.Outcome(last.id, 3, bdb.FAILED, error="500")], LATER)
    b = bdb.finish(db, b.id, LATER)
    assert (b.state, b.sent, b.blocked, b.failed, b.remaining) == (bdb.DONE, 8, 1, 1, 0)
    assert bdb.delivery_counts(db, b.id) == {"sent": 8, "blocked": 1, "failed": 1}
    [notice] = bdb.notices_for(db, None)
    assert notice.text == "<b>안내</b>"


def test_resume_puts_claimed_rows_back_and_counts_them(db):
    add_users(db, range(1, 6))
    b = bdb.create(db, text="x", now=START, audience="all", state=bdb.QUEUED)
    bdb.start_preparing(db, b.id, START)
    bdb.add_recipients(db, b.id, [(u, u) for u in range(1, 6)])
    bdb.start_sending(db, b.id, START)
    claimed = bdb.claim(db, b.id, 3, START.timestamp())
    bdb.record(db, b.id, [bdb.Outcome(claimed[0].id, 1, bdb.SENT, 1)], START)
    # (a crash here: two claimed rows were perhaps sent, perhaps not)
    assert bdb.resume(db, b.id) == 2
    assert bdb.get(db, b.id).resent == 2
    assert [d.user_id for d in bdb.claim(db, b.id, 10, START.timestamp())] == [2, 3, 4, 5]


def test_recording_an_unclaimed_delivery_is_refused(db):
    add_users(db, [1])
    b = bdb.create(db, text="x", now=START, audience="all", state=bdb.QUEUED)
    bdb.start_preparing(db, b.id, START)
    bdb.add_recipients(db, b.id, [(1, 1)])
    bdb.start_sending(db, b.id, START)
    [d] = bdb.claim(db, b.id, 1, START.timestamp())
    bdb.record(db, b.id, [bdb.Outcome(d.id, 1, bdb.SENT, 1)], START)
    with pytest.raises(bdb.BroadcastStateError):
        bdb.record(db, b.id, [bdb.Outcome(d.id, 1, bdb.SENT, 1)], START)
    assert bdb.get(db, b.id).sent == 1


def test_scheduled_broadcasts_wait_for_their_time(db):
    first = bdb.create(db, text="later", now=START, audience="all", state=bdb.QUEUED, scheduled_at=LATER)
    assert bdb.next_due(db, START) is None
    assert bdb.next_scheduled_at(db) == LATER
    assert bdb.next_due(db, LATER).id == first.id
    asap = bdb.create(db, text="now", now=START, audience="all", state=bdb.QUEUED)
    assert bdb.next_due(db, START).id == asap.id


def test_state_rules(db):
    b = bdb.create(db, text="x", now=START, audience="all")
    bdb.cancel(db, b.id, START)
    for operation in (
        lambda: bdb.queue(db, b.id),
        lambda: bdb.set_audience(db, b.id, "all"),
        lambda: bdb.cancel(db, b.id, START),
    ):
        with pytest.raises(bdb.BroadcastStateError, match="취소됨"):
            operation()
    with pytest.raises(bdb.NoSuchBroadcastError):
        bdb.get(db, 12345)
    assert [x.id for x in bdb.recent(db)] == [b.id]
    assert bdb.recent(db, include_drafts=True)[0].state == bdb.CANCELLED


def test_notices_follow_the_audience_and_topics(db):
    for audience, body in (("all", "모두"), ("examinee", "수험생만"), ("topic:daycare", "어린이집")):
        b = bdb.create(db, text=body, now=START, audience=audience, state=bdb.QUEUED)
        bdb.start_preparing(db, b.id, START)
        bdb.start_sending(db, b.id, START)
    assert [n.text for n in bdb.notices_for(db, "staff")] == ["모두"]
    assert [n.text for n in bdb.notices_for(db, "examinee")] == ["수험생만", "모두"]
    assert [n.text for n in bdb.notices_for(db, None, topics=["daycare"])] == ["어린이집", "모두"]


def test_every_round_audience_counts_each_round_subscriber_once(db):
    add_users(db, range(1, 11))
    reminders_db.subscribe(db, 1, "exam_round:*", START)  # all rounds
    reminders_db.subscribe(db, 2, "exam_round:r1", START)  # one round
    reminders_db.subscribe(db, 3, "exam_round:r1", START)
    reminders_db.subscribe(db, 3, "exam_round:r2", START)  # two rounds: still one person
    reminders_db.subscribe(db, 3, "exam_round:*", START)
    reminders_db.subscribe(db, 4, "program:x", START)  # another kind
    assert bdb.count_audience(db, "topic:exam_round:*") == 3
    assert _recipients(db, "topic:exam_round:*") == [1, 2, 3]
    assert _recipients(db, "topic:exam_round:r1") == [2, 3]
    # /notices: a per-round subscriber sees notices to every round's subscribers.
    b = bdb.create(db, text="시험 공지", now=START, audience="topic:exam_round:*", state=bdb.QUEUED)
    bdb.start_preparing(db, b.id, START)
    bdb.start_sending(db, b.id, START)
    assert [n.text for n in bdb.notices_for(db, None, topics=["exam_round:r1"])] == ["시험 공지"]
    assert bdb.notices_for(db, None, topics=["program:x"]) == []


def test_verified_notices_only_for_verified(db):
    for audience, body in (("all", "모두"), ("verified", "내부"), ("staff", "직원 선택")):
        b = bdb.create(db, text=body, now=START, audience=audience, state=bdb.QUEUED)
        bdb.start_preparing(db, b.id, START)
        bdb.start_sending(db, b.id, START)
    assert [n.text for n in bdb.notices_for(db, "staff")] == ["직원 선택", "모두"]
    assert [n.text for n in bdb.notices_for(db, "staff", verified=True)] == ["직원 선택", "내부", "모두"]
    assert [n.text for n in bdb.notices_for(db, "verified")] == ["모두"]  # not a self-claim


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("verified", "verified"),
        ("인증", "verified"),
        ("인증 직원", "verified"),
    ],
)
def test_parse_verified_audience(text, code):
    assert bdb.parse_audience(text) == code
    assert "인증" in bdb.audience_label(code)


def test_composer_drafts_steps_and_expiry(db):
    b = bdb.open_draft(db, author_id=7, chat_id=7, now=START)
    assert (b.step, b.text, b.expires_at) == ("text", "", "2018-08-21T09:30:00+09:00")
    with pytest.raises(bdb.BroadcastStateError, match="공지 내용"):
        bdb.queue(db, b.id)
    bdb.set_prompt(db, b.id, 55)
    assert bdb.draft_for_reply(db, author_id=7, chat_id=7, prompt_message_id=55, now=START).id == b.id
    for author, chat, prompt in ((8, 7, 55), (7, 8, 55), (7, 7, 54)):
        assert bdb.draft_for_reply(db, author_id=author, chat_id=chat, prompt_message_id=prompt, now=START) is None
    assert (
        bdb.draft_for_reply(db, author_id=7, chat_id=7, prompt_message_id=55, now=START + bdb.DRAFT_TTL) is None
    )  # expired
    with pytest.raises(ValueError, match="step"):
        bdb.set_step(db, b.id, "send", now=START)
    assert bdb.composing(db, 7, START) and bdb.next_draft_expiry(db) is not None
    assert bdb.expire_drafts(db, START + dt.timedelta(minutes=29)) == []
    [gone] = bdb.expire_drafts(db, START + bdb.DRAFT_TTL)
    assert (gone.state, gone.note, gone.step) == (bdb.CANCELLED, "expired", None)
    assert bdb.composing(db, 7, START) == []


def test_status_views_round_trip(db):
    bdb.save_status_view(db, 1, 2, [(3, "<b>#3</b>"), (4, "#4")], START)
    bdb.save_status_view(db, 1, 2, [(3, "<b>#3</b> 취소됨"), (4, "#4")], START)
    assert bdb.status_view(db, 1, 2) == [(3, "<b>#3</b> 취소됨"), (4, "#4")]
    assert bdb.status_view(db, 1, 3) == []
