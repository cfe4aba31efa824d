"""handlers.broadcast_text: schedule times, notice HTML checks, staff texts (pure)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from db import broadcasts as bdb
from handlers import broadcast_text as text
from handlers.clock import SEOUL

NOW = dt.datetime(2018, 8, 21, 14, 0, tzinfo=SEOUL)  # a Tuesday


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2018) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("내일 09:00", at(8, 22, 9)),
        ("내일 9시", at(8, 22, 9)),
        ("내일 오전 9시 30분", at(8, 22, 9, 30)),
        ("모레 오후 3시 반", at(8, 23, 15, 30)),
        ("오늘 18:30", at(8, 21, 18, 30)),
        ("오후 5시", at(8, 21, 17)),
        ("15:45", at(8, 21, 15, 45)),
        ("2018-09-01 08:00", at(9, 1, 8)),
        ("2018-09-01T08:00", at(9, 1, 8)),
        ("2018-09-01T08:00:00+09:00", at(9, 1, 8)),
        ("2018-09-01T00:00:00Z", at(9, 1, 9)),
        ("8월 25일 10:00", at(8, 25, 10)),
        ("2019년 1월 16일 9시", at(1, 16, 9, year=2019)),
        ("1월 16일 09:00", at(1, 16, 9, year=2019)),  # no year and already past: next year
        ("  내일   10:00 ", at(8, 22, 10)),
    ],
)
def test_parse_when(value, expected):
    assert text.parse_when(value, NOW) == expected


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("", "적어 주세요"),
        ("언젠가", "읽을 수 없어요"),
        ("내일", "시각도"),
        ("내일 25:00", "없는 시각"),
        ("내일 9시 75분", "없는 시각"),
        ("2월 30일 10:00", "없는 날짜"),
        ("오늘 09:00", "이미 지난"),
        ("2018-08-21T13:59:00+09:00", "이미 지난"),
        ("2020-01-01 09:00", "1년 안"),
        ("2018-13-01 09:00", "읽을 수 없어요"),
    ],
)
def test_bad_schedule_times_say_why(value, why):
    with pytest.raises(text.WhenError, match=why):
        text.parse_when(value, NOW)


@pytest.mark.parametrize(
    "html",
    [
        "그냥 글",
        "<b>굵게</b> 와 <i>기울임</i>",
        '<a href="https://hrd.seoul.go.kr">링크</a>',
        "<blockquote>인용</blockquote>",
        "1 &lt; 2 &amp; 3",
        "<pre><code>x</code></pre>",
    ],
)
def test_good_notice_html(html):
    assert text.check_notice(html) == html


@pytest.mark.parametrize(
    ("html", "why"),
    [
        ("<b>안 닫힘", "닫히지 않은 <b>"),
        ("<b><i>x</b></i>", "짝이 맞지 않는"),
        ("<div>x</div>", "허용되지 않는 태그 <div>"),
        ("<b> </b>", "비어"),
        ("가" * 4097, "4,096자"),
    ],
)
def test_bad_notice_html(html, why):
    with pytest.raises(text.NoticeTextError, match=why):
        text.check_notice(html)


def test_caption_limit_is_1024():
    text.check_notice("가" * 1024, caption=True)
    with pytest.raises(text.NoticeTextError, match="1,024자"):
        text.check_notice("가" * 1025, caption=True)


def _broadcast(**changes: object) -> bdb.Broadcast:
    values: dict[str, object] = dict(
        id=3,
        created_at="2018-08-21T09:00:00+09:00",
        author_id=1,
        audience="examinee",
        text="<b>합격자 발표</b>",
        media=None,
        state=bdb.SENDING,
        scheduled_at=None,
        started_at="2018-08-21T09:00:00+09:00",
        finished_at=None,
        total=1000,
        sent=600,
        blocked=5,
        failed=1,
        resent=0,
        report_chat_id=1,
        progress_message_id=9,
    )
    values.update(changes)
    return bdb.Broadcast(**values)  # type: ignore[arg-type]


def test_progress_and_report():
    b = _broadcast()
    shown = text.progress(b, 24.8, dt.timedelta(seconds=16))
    assert "발송 중 #3" in shown and "보냄 600 · 차단 5 · 실패 1 · 남음 394 / 전체 1,000" in shown
    assert "24.8건/초" in shown and "약 16초" in shown
    done = _broadcast(state=bdb.DONE, sent=994, finished_at="2018-08-21T09:00:41+09:00", resent=2)
    report = text.report(done)
    assert "마쳤어요" in report and "수험생" in report and "41초" in report
    assert "다시 보냈어요" in report and "차단한 5명" in report


def test_status_and_preview_and_queued():
    queued = _broadcast(
        id=4, state=bdb.QUEUED, scheduled_at="2018-08-22T09:00:00+09:00", total=0, sent=0, blocked=0, failed=0
    )
    shown = text.status([queued, _broadcast()])
    assert "#4</b> 대기" in shown and "예약 2018년 8월 22일(수) 09:00" in shown
    assert "#3</b> 발송 중" in shown and "합격자 발표" in shown
    assert text.status([]) == text.NO_STATUS
    assert "1,234명" in text.preview_summary(_broadcast(), 1234)
    assert "8월 22일(수) 09:00" in text.queued(queued, 10)


@pytest.mark.parametrize(
    ("number", "particle"),
    [
        (1, "을"),
        (2, "를"),
        (3, "을"),
        (4, "를"),
        (5, "를"),
        (6, "을"),
        (7, "을"),
        (8, "을"),
        (9, "를"),
        (10, "을"),
        (12, "를"),
    ],
)
def test_particles_follow_the_number_read_in_korean(number, particle):
    queued = _broadcast(id=number, state=bdb.QUEUED, scheduled_at=None)
    assert f"공지 #{number}{particle} " in text.queued(queued, 3)
    assert "(를)" not in text.queued(queued) and "(는)" not in text.author_revoked(queued)


def test_no_parenthesised_particles_in_broadcast_texts():
    samples = [
        text.queued(_broadcast(id=n, state=bdb.QUEUED, scheduled_at=s))
        for n in (1, 2)
        for s in (None, "2018-08-22T09:00:00+09:00")
    ]
    samples += [text.author_revoked(_broadcast(id=n)) for n in (1, 2)]
    samples += [text.ask_notice(_broadcast(id=5), [1, 2]), text.draft_expired(_broadcast())]
    samples += [text.env_admin("홍길동 (1)"), text.granted("김 (2)", "staff", False)]
    for sample in samples:
        assert not re.search(r"\((을|를|은|는|이|가)\)", sample), sample
