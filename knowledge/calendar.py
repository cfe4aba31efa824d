"""An iCalendar (.ics) file of the dated events in a set of subscription topics.

Each course session and exam event becomes one all-day ``VEVENT`` whose UID depends only on
what it is (``session-newcomer-8@hrdbot.hrd.seoul.go.kr``), so importing a newer file updates
the same calendar entries instead of duplicating them. ``now`` is a parameter (DTSTAMP), so the
same knowledge, topics and ``now`` always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import icalendar

from knowledge.reminders import EVENT_LABELS, KnowledgeView, Occurrence, format_period

UID_DOMAIN = "hrdbot.hrd.seoul.go.kr"
PRODID = "-//Seoul Metropolitan Government HR Development Center//hrdbot//KO"
CALENDAR_NAME = "서울시 인재개발원 일정"
BASIS = "2018년 인재개발원 업무보고 기준 일정입니다. 바뀔 수 있으니 공식 공고를 확인해 주세요."


def uid(occurrence: Occurrence) -> str:
    """The stable UID of one session or exam event."""
    return f"{occurrence.kind}-{occurrence.ref_id}@{UID_DOMAIN}"


def _summary(occ: Occurrence) -> str:
    if occ.kind == "session":
        return f"[교육] {occ.title}"
    label = EVENT_LABELS.get(occ.type, (occ.type, ""))[0]
    if occ.type in ("application", "interview"):
        label = label.removesuffix(" 시작")
    return f"[시험] {occ.title} {label}"


def selected(view: KnowledgeView, topics: Collection[str] | None) -> list[Occurrence]:
    """Occurrences in any of ``topics`` (None: every one)."""
    if topics is None:
        return list(view.occurrences)
    wanted = set(topics)
    return [o for o in view.occurrences if o.topics & wanted]


def build_calendar(view: KnowledgeView, topics: Collection[str] | None, now: dt.datetime) -> bytes:
    """The ``.ics`` bytes for ``topics`` (None: all). ``now`` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", CALENDAR_NAME)
    cal.add("x-wr-timezone", "Asia/Seoul")
    stamp = now.astimezone(dt.UTC)
    for occ in selected(view, topics):
        event = icalendar.Event()
        event.add("uid", uid(occ))
        event.add("dtstamp", stamp)
        event.add("summary", _summary(occ))
        event.add("dtstart", occ.start)
        event.add("dtend", occ.last_day + dt.timedelta(days=1))  # all-day: exclusive end
        event.add("transp", "TRANSPARENT")
        lines = [f"기간: {format_period(occ.start, occ.end)}", BASIS]
        if occ.source:
            lines.append(f"출처: {occ.source}")
        event.add("description", "\n".join(lines))
        event.add("categories", ["교육과정" if occ.kind == "session" else "채용시험"])
        cal.add_component(event)
    return cal.to_ical()
