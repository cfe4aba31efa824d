"""Layouts: pure functions from knowledge records and ``today`` to what a picture shows.

A layout says everything the renderer draws (rows, marks, positions, states, labels, the caption),
so tests check a picture's content here, without pixels. Positions are in data units the renderer
maps to the canvas: days since 1 January for the timeline, week rows and weekday columns for the
month, floor levels for the campus.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from db import knowledge as kdb
from knowledge.text import WEEKDAYS

CAPTION_LIMIT = 1024  # Telegram's caption limit (characters)
BASIS = "2018년 인재개발원 업무보고 기준"

PAST, CURRENT, UPCOMING = "past", "current", "upcoming"

EVENT_SHORT = {
    "application": "원서접수",
    "written_exam": "필기시험",
    "written_result": "필기 발표",
    "personality_test": "인성검사",
    "interview": "면접",
    "final_result": "최종 발표",
}

# Label geometry shared with the renderer, so overlap is decided here (and tested) rather than
# discovered on the canvas: the timeline's plot is 900 px wide for a year, and one em of the
# 9-point font is 12.5 px at 100 dpi, so an em spans 5 days.
DAYS_PER_EM = 5.0
LABEL_GAP_DAYS = 3.0
LABEL_LEVELS = 4  # 0 above the line, 1 below, 2 higher above, 3 lower below
MONTH_EMS_PER_DAY = 13.5  # ems of the 8-point font that fit in one calendar cell (163 px)
SUNDAY_FIRST = (6, 0, 1, 2, 3, 4, 5)  # date.weekday() of each column: 일 월 화 수 목 금 토


def text_em(text: str) -> float:
    """Approximate width of ``text`` in ems: Hangul and other wide characters 1, the rest 0.55."""
    return sum(1.0 if ord(ch) >= 0x1100 else 0.55 for ch in text)


class PictureError(ValueError):
    """A picture was asked for with input it cannot use (unknown building, bad month ...)."""


def _state(start: dt.date, end: dt.date, today: dt.date) -> str:
    if end < today:
        return PAST
    if start <= today:
        return CURRENT
    return UPCOMING


def _md(d: dt.date) -> str:
    return f"{d.month}. {d.day}."


def _span_text(start: dt.date, end: dt.date) -> str:
    if end == start:
        return _md(start)
    if end.month == start.month:
        return f"{_md(start)}~{end.day}."
    return f"{_md(start)}~{_md(end)}"


def _fit_caption(versions: Iterable[str], limit: int = CAPTION_LIMIT) -> str:
    """The first version within ``limit``; else the last one cut at a line end."""
    text = ""
    for text in versions:
        if len(text) <= limit:
            return text
    cut = text[: limit - 1]
    if "\n" in cut:
        cut = cut[: cut.rindex("\n")]
    return cut + "…"


def _two_lines(name: str) -> tuple[str, str]:
    """'제2회 공개경쟁 임용시험 (2차)' → ('제2회 공개경쟁 임용시험', '(2차)')."""
    head, sep, tail = name.partition(" (")
    return (head, f"({tail}") if sep else (name, "")


# --- the exam timeline -----------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One dated exam event on its round's row. ``x0``/``x1``: left and right edge in days since
    1 January (a one-day event is one day wide); ``label_x``: where its label is centred (kept
    inside the year); ``level``: the label slot (see ``LABEL_LEVELS``)."""

    event_id: str
    kind: str
    label: str
    date_label: str
    start: dt.date
    end: dt.date
    x0: float
    x1: float
    label_x: float
    level: int
    state: str

    @property
    def is_bar(self) -> bool:
        return self.end > self.start

    @property
    def label_width(self) -> float:
        return max(text_em(self.label), text_em(self.date_label)) * DAYS_PER_EM


@dataclass(frozen=True)
class TimelineRow:
    round_id: str
    name: str
    subname: str
    detail: str
    marks: tuple[Mark, ...]
    highlighted: bool
    note: str = ""  # said on the row when it has no dated event

    @property
    def levels(self) -> int:
        return max((m.level for m in self.marks), default=0) + 1


@dataclass(frozen=True)
class Timeline:
    year: int
    today: dt.date
    today_x: float | None  # None when today is outside the year
    days: int
    months: tuple[tuple[float, str], ...]  # (x of the 1st, '7월')
    rows: tuple[TimelineRow, ...]
    title: str
    subtitle: str
    caption: str


def day_x(day: dt.date, year: int) -> float:
    """Days from 1 January of ``year`` to the start of ``day``."""
    return float((day - dt.date(year, 1, 1)).days)


def timeline_year(events: Sequence[kdb.Event], today: dt.date) -> int:
    """Today's year when it has dated events; else the year with the most events."""
    years = [dt.date.fromisoformat(e.start).year for e in events]
    if not years or today.year in years:
        return today.year
    return max(sorted(set(years)), key=years.count)


def _assign_levels(items: list[tuple[float, float]]) -> list[int]:
    """Greedy label slots: each (centre, width) goes to the lowest level whose previous label
    ends before it starts; when all are taken, the level whose last label ends first."""
    ends = [-1e9] * LABEL_LEVELS
    levels = []
    for centre, width in items:
        left = centre - width / 2
        free = [i for i in range(LABEL_LEVELS) if ends[i] + LABEL_GAP_DAYS <= left]
        level = free[0] if free else min(range(LABEL_LEVELS), key=lambda i: ends[i])
        ends[level] = centre + width / 2
        levels.append(level)
    return levels


def _round_detail(rnd: kdb.Round) -> str:
    parts = []
    if rnd.planned:
        parts.append(f"계획 {rnd.planned:,}명")
    if rnd.status:
        parts.append(rnd.status)
    return " · ".join(parts)


def timeline(
    rounds: Sequence[kdb.Round],
    events: Sequence[kdb.Event],
    today: dt.date,
    *,
    year: int | None = None,
    highlight: Collection[str] = (),
    only_round: str | None = None,
) -> Timeline:
    """The exam timeline of ``year`` (default: ``timeline_year``): one row per round (only
    ``only_round`` when given), one mark per dated event of that year; rounds in ``highlight``
    (a subscriber's rounds) are marked."""
    if only_round is not None and only_round not in {r.id for r in rounds}:
        raise PictureError(f"unknown exam round: {only_round!r}")
    year = year if year is not None else timeline_year(events, today)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days = (last - first).days + 1
    rows = []
    for rnd in rounds:
        if only_round is not None and rnd.id != only_round:
            continue
        own = []
        for e in events:
            if e.round != rnd.id:
                continue
            start, end = dt.date.fromisoformat(e.start), dt.date.fromisoformat(e.last_day)
            if end < first or start > last:
                continue
            start, end = max(start, first), min(end, last)
            own.append((e, start, end))
        own.sort(key=lambda t: (t[1], t[2]))
        drafts = []
        for e, start, end in own:
            label = EVENT_SHORT.get(e.type, e.type)
            date_label = _span_text(start, end)
            width = max(text_em(label), text_em(date_label)) * DAYS_PER_EM
            centre = (day_x(start, year) + day_x(end, year) + 1) / 2
            centre = min(max(centre, width / 2), days - width / 2)
            drafts.append((e, start, end, label, date_label, centre, width))
        levels = _assign_levels([(d[5], d[6]) for d in drafts])
        marks = tuple(
            Mark(
                e.id,
                e.type,
                label,
                date_label,
                start,
                end,
                day_x(start, year),
                day_x(end, year) + 1,
                centre,
                level,
                _state(start, end, today),
            )
            for (e, start, end, label, date_label, centre, _), level in zip(drafts, levels, strict=True)
        )
        name, subname = _two_lines(rnd.name)
        note = ""
        if not marks:
            note = "날짜가 정해진 일정은 보고서에 없어요"
            if rnd.status == "수시":
                note = "수시 채용 · " + note
        rows.append(TimelineRow(rnd.id, name, subname, _round_detail(rnd), marks, rnd.id in highlight, note))
    today_x = day_x(today, year) + 0.5 if first <= today <= last else None
    months = tuple((day_x(dt.date(year, m, 1), year), f"{m}월") for m in range(1, 13))
    title = f"{year}년 서울시 공무원 채용시험 일정"
    if only_round is not None and rows:
        title = f"{rows[0].name} {rows[0].subname}".strip() + f" 일정 ({year}년)"
    subtitle = f"오늘 {today.year}. {_md(today)}({WEEKDAYS[today.weekday()]}) 기준 · 회색은 지난 일정"
    if any(r.highlighted for r in rows):
        subtitle += " · ★ 알림 받는 회차"
    subtitle += f" · {BASIS}"
    tl = Timeline(year, today, today_x, days, months, tuple(rows), title, subtitle, "")
    return _with_caption(tl)


def _timeline_captions(tl: Timeline) -> Iterable[str]:
    when = f"오늘 {tl.today.year}. {_md(tl.today)} 기준, {BASIS}"
    for upcoming_only in (False, True):
        lines = [f"{tl.title} ({when})"]
        if tl.today_x is None:
            lines.append(f"오늘은 {tl.year}년이 아니어서 오늘 표시선이 없어요.")
        for row in tl.rows:
            star = "★ " if row.highlighted else ""
            head = f"• {star}{row.name} {row.subname}".rstrip()
            if not row.marks:
                lines.append(f"{head}: {row.note}")
                continue
            shown = [m for m in row.marks if not upcoming_only or m.state != PAST]
            parts = [f"{m.label} {m.date_label}" + ("(지남)" if m.state == PAST else "") for m in shown]
            hidden = len(row.marks) - len(shown)
            if hidden:
                parts.append(f"지난 일정 {hidden}건")
            lines.append(f"{head}: " + ", ".join(parts))
        yield "\n".join(lines)


def _with_caption(tl: Timeline) -> Timeline:
    return Timeline(
        tl.year,
        tl.today,
        tl.today_x,
        tl.days,
        tl.months,
        tl.rows,
        tl.title,
        tl.subtitle,
        _fit_caption(_timeline_captions(tl)),
    )


# --- the campus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloorBox:
    level: int  # -1 for the first basement floor, 1 for the ground floor
    label: str
    items: tuple[str, ...]
    highlighted: bool


@dataclass(frozen=True)
class BuildingSection:
    building_id: str
    name: str
    floors_text: str
    floors: tuple[FloorBox, ...]  # lowest first
    items: tuple[str, ...]  # amenities of the building whose floor the data does not give
    notes: tuple[str, ...]  # works on the building
    highlighted: bool


@dataclass(frozen=True)
class Campus:
    title: str
    subtitle: str
    buildings: tuple[BuildingSection, ...]
    unplaced: tuple[str, ...]  # amenities whose building the data does not give
    max_above: int
    max_below: int
    caption: str


def floor_label(level: int) -> str:
    return f"지하{-level}층" if level < 0 else f"{level}층"


def _floors_text(b: kdb.Building) -> str:
    above = f"지상{b.floors_above}층"
    return f"지하{b.floors_below}층·{above}" if b.floors_below else above


def campus(
    buildings: Sequence[kdb.Building],
    amenities: Sequence[kdb.Amenity],
    works: Sequence[kdb.Work],
    site: kdb.Section | None,
    *,
    building: str | None = None,
    floor: int | None = None,
) -> Campus:
    """The buildings side by side, floor by floor; ``building`` (and ``floor``, 1 = ground,
    -1 = first basement) highlighted."""
    ids = {b.id for b in buildings}
    if building is not None and building not in ids:
        raise PictureError(f"unknown building: {building!r}")
    if floor is not None:
        if building is None:
            raise PictureError("a floor needs its building")
        b = next(b for b in buildings if b.id == building)
        if floor == 0 or not -(b.floors_below or 0) <= floor <= b.floors_above:
            raise PictureError(f"{b.name} has no floor {floor}")
    sections = []
    placed: set[str] = set()
    for b in buildings:
        levels = [*range(-(b.floors_below or 0), 0), *range(1, b.floors_above + 1)]
        mine = [a for a in amenities if a.building == b.id]
        placed.update(a.id for a in mine)
        floors = tuple(
            FloorBox(
                level,
                floor_label(level),
                tuple(a.name for a in mine if a.floor == level),
                b.id == building and floor == level,
            )
            for level in levels
        )
        loose = tuple(a.name for a in mine if a.floor not in levels)
        notes = tuple(f"{w.name} ({w.status})" for w in works if b.id in w.buildings)
        sections.append(BuildingSection(b.id, b.name, _floors_text(b), floors, loose, notes, b.id == building))
    unplaced = tuple(a.name for a in amenities if a.id not in placed)
    title = "서울시 인재개발원 건물 안내"
    subtitle = f"{len(sections)}개동, 층별 단면 · {BASIS}"
    if building is not None:
        name = next(s.name for s in sections if s.building_id == building)
        subtitle = f"{name}{' ' + floor_label(floor) if floor is not None else ''} 표시 · " + subtitle
    c = Campus(
        title,
        subtitle,
        tuple(sections),
        unplaced,
        max((b.floors_above for b in buildings), default=1),
        max((b.floors_below or 0 for b in buildings), default=0),
        "",
    )
    return Campus(
        c.title, c.subtitle, c.buildings, c.unplaced, c.max_above, c.max_below, _fit_caption(_campus_captions(c, site))
    )


def _num(value: object) -> str:
    return f"{value:,}" if isinstance(value, int | float) else str(value)


def _campus_captions(c: Campus, site: kdb.Section | None) -> Iterable[str]:
    lines = [f"{c.title} ({BASIS})"]
    if site is not None:
        parts = []
        if site.get("area_m2") is not None:
            area = f"부지 {_num(site.get('parcels'))}필지 " if site.get("parcels") else "부지 "
            parts.append(f"{area}{_num(site.get('area_m2'))}㎡({_num(site.get('area_pyeong'))}평)")
        if site.get("floor_area_m2") is not None:
            parts.append(
                f"건물 {_num(site.get('building_count') or len(c.buildings))}개동 연면적 "
                f"{_num(site.get('floor_area_m2'))}㎡({_num(site.get('floor_area_pyeong'))}평)"
            )
        if parts:
            lines.append(", ".join(parts))
    for s in c.buildings:
        mark = "▶ " if s.highlighted else ""
        line = f"• {mark}{s.name}: {s.floors_text}"
        inside = [f"{f.label} {', '.join(f.items)}" for f in s.floors if f.items] + list(s.items)
        if inside:
            line += " — " + "; ".join(inside)
        lit = [f.label for f in s.floors if f.highlighted]
        if lit:
            line += f" ({lit[0]} 표시)"
        lines.append(line)
    base = "\n".join(lines)
    if c.unplaced:
        yield base + "\n건물·층 위치가 보고서에 없는 교육·편의시설: " + ", ".join(c.unplaced)
        yield base + f"\n건물·층 위치가 보고서에 없는 교육·편의시설 {len(c.unplaced)}곳"
    yield base


# --- a month of courses ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cohort:
    """A program session (기수) running in the month."""

    session_id: str
    program_id: str
    label: str
    start: dt.date
    end: dt.date
    headcount: int | None
    lane: int
    state: str


@dataclass(frozen=True)
class Segment:
    """A cohort's bar in one week row, from column ``col0`` to ``col1`` (inclusive)."""

    cohort: int  # index into ``MonthCalendar.cohorts``
    week: int
    col0: int
    col1: int
    text: str  # the label shown on the bar ('' when it does not fit)
    continues_before: bool
    continues_after: bool


@dataclass(frozen=True)
class DayCell:
    date: dt.date
    week: int
    col: int
    in_month: bool
    is_today: bool
    past: bool


@dataclass(frozen=True)
class MonthCalendar:
    year: int
    month: int
    today: dt.date
    title: str
    subtitle: str
    weekdays: tuple[str, ...]
    weeks: int
    days: tuple[DayCell, ...]
    cohorts: tuple[Cohort, ...]
    segments: tuple[Segment, ...]
    undated: tuple[str, ...]  # sessions the data places in the month without dates
    lanes: int
    caption: str


def parse_month(text: str) -> tuple[int, int]:
    """'2018-07' → (2018, 7); anything else raises ``PictureError``."""
    parts = text.strip().split("-")
    if (
        len(parts) != 2
        or len(parts[0]) != 4
        or len(parts[1]) != 2
        or not (parts[0].isascii() and parts[0].isdigit())
        or not (parts[1].isascii() and parts[1].isdigit())
    ):
        raise PictureError(f"not a month: {text!r}; expected YYYY-MM")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or year < 1:
        raise PictureError(f"not a month: {text!r}; expected YYYY-MM")
    return year, month


def cohort_label(program_name: str, session_name: str) -> str:
    """'신임자 과정' + '제8기' → '신임자 과정 제8기'; a session name that already names its
    program is kept as it is."""
    if program_name.replace(" ", "") in session_name.replace(" ", ""):
        return session_name
    return f"{program_name} {session_name}"


def _fit(text: str, ems: float) -> str:
    """``text``, or its longest head that fits ``ems`` with an ellipsis ('' if none does)."""
    if text_em(text) <= ems:
        return text
    for end in range(len(text) - 1, 0, -1):
        head = text[:end].rstrip()
        if head and text_em(head) + 1 <= ems:
            return head + "…"
    return ""


def month_calendar(
    year: int,
    month: int,
    sessions: Sequence[kdb.Session],
    program_names: dict[str, str],
    today: dt.date,
    *,
    undated: Sequence[kdb.Session] = (),
) -> MonthCalendar:
    """A Sunday-first calendar grid of ``year``-``month`` with a bar per dated session running
    in it; ``undated`` sessions (month only) are listed under the grid."""
    if not 1 <= month <= 12:
        raise PictureError(f"not a month: {month}")
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    grid_start = first - dt.timedelta(days=SUNDAY_FIRST.index(first.weekday()))
    weeks = ((last - grid_start).days // 7) + 1
    days = tuple(
        DayCell(d, i // 7, i % 7, d.month == month, d == today, d < today)
        for i in range(weeks * 7)
        for d in [grid_start + dt.timedelta(days=i)]
    )
    running = []
    for s in sessions:
        if not s.start:
            continue
        start, end = dt.date.fromisoformat(s.start), dt.date.fromisoformat(s.end or s.start)
        if end < first or start > last:
            continue
        label = cohort_label(program_names.get(s.program_id or "", ""), s.name).strip()
        running.append((start, end, s, label))
    running.sort(key=lambda r: (r[0], r[1], r[3]))
    lane_ends: list[dt.date] = []
    cohorts = []
    for start, end, s, label in running:
        lane = next((i for i, e in enumerate(lane_ends) if e < max(start, first)), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        cohorts.append(
            Cohort(s.id, s.program_id or "", label, start, end, s.headcount, lane, _state(start, end, today))
        )
    segments = []
    for index, c in enumerate(cohorts):
        lo, hi = max(c.start, first), min(c.end, last)
        for week in range(weeks):
            w_start = grid_start + dt.timedelta(days=7 * week)
            w_end = w_start + dt.timedelta(days=6)
            a, b = max(lo, w_start), min(hi, w_end)
            if a > b:
                continue
            col0, col1 = (a - w_start).days, (b - w_start).days
            text = _fit(c.label, (col1 - col0 + 1) * MONTH_EMS_PER_DAY - 1)
            segments.append(Segment(index, week, col0, col1, text, c.start < a, c.end > b))
    undated_labels = tuple(cohort_label(program_names.get(s.program_id or "", ""), s.name).strip() for s in undated)
    title = f"{year}년 {month}월 교육 일정"
    subtitle = f"운영 중인 기수 {len(cohorts)}개 · 오늘 {today.year}. {_md(today)} 기준 · {BASIS}"
    cal = MonthCalendar(
        year,
        month,
        today,
        title,
        subtitle,
        tuple(WEEKDAYS[w] for w in SUNDAY_FIRST),
        weeks,
        days,
        tuple(cohorts),
        tuple(segments),
        undated_labels,
        max(len(lane_ends), 1),
        "",
    )
    return MonthCalendar(
        cal.year,
        cal.month,
        cal.today,
        cal.title,
        cal.subtitle,
        cal.weekdays,
        cal.weeks,
        cal.days,
        cal.cohorts,
        cal.segments,
        cal.undated,
        cal.lanes,
        _fit_caption(_month_captions(cal)),
    )


def _month_captions(cal: MonthCalendar) -> Iterable[str]:
    head = f"{cal.title} ({BASIS}, 오늘 {cal.today.year}. {_md(cal.today)} 기준)"
    lines = [head]
    if not cal.cohorts:
        lines.append("이 달에 날짜가 정해진 기수는 보고서에 없어요.")
    for c in cal.cohorts:
        span = f"{c.start.year}. {_md(c.start)} ~ "
        span += f"{c.end.year}. {_md(c.end)}" if c.end.year != c.start.year else _md(c.end)
        people = f", {c.headcount:,}명" if c.headcount else ""
        state = {PAST: " (지남)", CURRENT: " (진행 중)"}.get(c.state, "")
        lines.append(f"• {c.label}: {span}{people}{state}")
    if cal.undated:
        lines.append("날짜 없이 이 달로만 적힌 기수: " + ", ".join(cal.undated))
    yield "\n".join(lines)
    yield "\n".join(lines[: 1 + len(cal.cohorts)]) + (
        f"\n날짜 없이 이 달로만 적힌 기수 {len(cal.undated)}개" if cal.undated else ""
    )
