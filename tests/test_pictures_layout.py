"""The pictures' content, checked from their inputs through the layouts (no pixels): which events
are drawn where and in which state, where today's line is, the floors of each building, the
cohorts of a month, the captions; and, from the real canvas, that no two labels overlap."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import pytest
from sqlite_utils import Database

from db import knowledge as kdb
from db.knowledge import replace_knowledge
from db.schema import connect
from knowledge.loader import validate
from pictures import layout as lay
from pictures import service
from pictures.draw import text_boxes
from pictures.layout import CAPTION_LIMIT, CURRENT, PAST, UPCOMING, PictureError

JULY_1 = dt.date(2018, 7, 1)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def row_of(tl: lay.Timeline, round_id: str) -> lay.TimelineRow:
    return next(r for r in tl.rows if r.round_id == round_id)


# --- the exam timeline -----------------------------------------------------------------------


def test_timeline_draws_every_dated_event_of_each_round(db: Database) -> None:
    tl = service.exams_request(db, JULY_1).layout
    assert isinstance(tl, lay.Timeline)
    assert tl.year == 2018 and tl.days == 365
    assert [r.round_id for r in tl.rows] == [r.id for r in kdb.rounds(db)]
    second = row_of(tl, "second")
    assert [(m.label, m.start.isoformat(), m.end.isoformat()) for m in second.marks] == [
        ("필기시험", "2018-06-23", "2018-06-23"),
        ("필기 발표", "2018-08-22", "2018-08-22"),
        ("인성검사", "2018-09-08", "2018-09-08"),
        ("면접", "2018-10-15", "2018-10-31"),
        ("최종 발표", "2018-11-14", "2018-11-14"),
    ]
    assert [m.kind for m in row_of(tl, "third").marks] == [
        "application",
        "written_result",
        "personality_test",
        "interview",
        "final_result",
    ]
    # every event of the knowledge is on the picture, once
    drawn = sorted(m.event_id for r in tl.rows for m in r.marks)
    assert drawn == sorted(e.id for e in kdb.events(db))


def test_timeline_positions_today_and_bars(db: Database) -> None:
    tl = service.exams_request(db, JULY_1).layout
    assert isinstance(tl, lay.Timeline)
    assert tl.today_x == 181.5  # 1 July is day 181 after 1 January, drawn mid-day
    interview = row_of(tl, "second").marks[3]
    assert interview.is_bar and (interview.x0, interview.x1) == (287.0, 304.0)
    written = row_of(tl, "second").marks[0]
    assert not written.is_bar and (written.x0, written.x1) == (173.0, 174.0)
    assert tl.months[6] == (181.0, "7월")


@pytest.mark.parametrize(
    ("today", "states"),
    [
        ("2018-07-01", [PAST, UPCOMING, UPCOMING, UPCOMING, UPCOMING]),
        ("2018-08-22", [PAST, CURRENT, UPCOMING, UPCOMING, UPCOMING]),
        ("2018-10-20", [PAST, PAST, PAST, CURRENT, UPCOMING]),
        ("2018-12-31", [PAST, PAST, PAST, PAST, PAST]),
    ],
)
def test_past_events_are_greyed_from_today(db: Database, today: str, states: list[str]) -> None:
    tl = service.exams_request(db, day(today)).layout
    assert isinstance(tl, lay.Timeline)
    assert [m.state for m in row_of(tl, "second").marks] == states


def test_subscribed_rounds_are_highlighted_and_starred_in_the_caption(db: Database) -> None:
    req = service.exams_request(db, JULY_1, highlight={"second", "nonexistent"})
    tl = req.layout
    assert isinstance(tl, lay.Timeline)
    assert [r.round_id for r in tl.rows if r.highlighted] == ["second"]
    assert "★ 제2회 공개경쟁 임용시험" in req.caption
    assert "nonexistent" not in req.key
    assert req.key != service.exams_request(db, JULY_1).key


def test_round_without_dates_says_so(db: Database) -> None:
    tl = service.exams_request(db, JULY_1).layout
    assert isinstance(tl, lay.Timeline)
    expert = row_of(tl, "expert")
    assert expert.marks == () and "날짜가 정해진 일정은 보고서에 없어요" in expert.note


def test_one_round_row(db: Database) -> None:
    tl = service.exams_request(db, JULY_1, round_id="third").layout
    assert isinstance(tl, lay.Timeline)
    assert [r.round_id for r in tl.rows] == ["third"]
    assert tl.title.startswith("경력경쟁 임용시험 (3차) 일정")
    with pytest.raises(PictureError):
        service.exams_request(db, JULY_1, round_id="nope")


def test_today_outside_the_year_draws_no_line_and_keeps_the_data_year(db: Database) -> None:
    req = service.exams_request(db, dt.date(2026, 12, 1))
    tl = req.layout
    assert isinstance(tl, lay.Timeline)
    assert tl.year == 2018 and tl.today_x is None
    assert all(m.state == PAST for r in tl.rows for m in r.marks)
    assert "오늘 표시선이 없어요" in req.caption


def test_timeline_caption_has_the_essentials(db: Database) -> None:
    caption = service.exams_request(db, JULY_1).caption
    assert len(caption) <= CAPTION_LIMIT
    assert "필기시험 6. 23.(지남)" in caption
    assert "면접 10. 15.~31." in caption
    assert "원서접수 8. 2.~6." in caption
    assert "2018년 인재개발원 업무보고 기준" in caption


def _event(i: int, round_id: str, start: dt.date, kind: str = "interview") -> kdb.Event:
    return kdb.Event(f"e{i}", round_id, kind, start.isoformat(), "src")


def test_labels_on_one_level_never_overlap_even_when_events_crowd() -> None:
    rounds = [kdb.Round("r", "빽빽한 회차", "공개경쟁", "src")]
    events = [
        _event(i, "r", dt.date(2018, 3, 1) + dt.timedelta(days=3 * i), kind)
        for i, kind in enumerate(["application", "written_exam", "written_result", "personality_test"])
    ]
    tl = lay.timeline(rounds, events, JULY_1)
    marks = tl.rows[0].marks
    assert len({m.level for m in marks}) == 4
    for a, b in combinations(marks, 2):
        if a.level == b.level:
            assert abs(a.label_x - b.label_x) >= (a.label_width + b.label_width) / 2


def test_labels_stay_inside_the_year(db: Database) -> None:
    tl = service.exams_request(db, JULY_1).layout
    assert isinstance(tl, lay.Timeline)
    for m in (m for r in tl.rows for m in r.marks):
        assert m.label_x - m.label_width / 2 >= 0
        assert m.label_x + m.label_width / 2 <= tl.days


def test_caption_fits_telegram_with_many_rounds() -> None:
    rounds = [kdb.Round(f"r{i}", f"제{i}회 아주 긴 이름의 임용시험 (특별)", "공개경쟁", "src") for i in range(40)]
    events = [
        _event(i * 6 + k, f"r{i}", dt.date(2018, 1 + k * 2, 10), kind)
        for i in range(40)
        for k, kind in enumerate(lay.EVENT_SHORT)
    ]
    caption = lay.timeline(rounds, events, JULY_1).caption
    assert len(caption) <= CAPTION_LIMIT and caption.startswith("2018년")


# --- the campus ------------------------------------------------------------------------------


def test_campus_floors_of_each_building(db: Database) -> None:
    c = service.campus_request(db).layout
    assert isinstance(c, lay.Campus)
    assert {s.name: [f.label for f in s.floors] for s in c.buildings} == {
        "배움관": ["지하1층", "1층", "2층", "3층"],
        "창의관": ["1층", "2층", "3층", "4층", "5층"],
        "다솜관": ["1층", "2층", "3층", "4층", "5층"],
        "어린이집": ["1층"],
    }
    assert (c.max_above, c.max_below) == (5, 1)
    assert not any(s.highlighted or any(f.highlighted for f in s.floors) for s in c.buildings)
    # the report does not say where the amenities are: they are listed apart, not invented
    assert "구내식당" in c.unplaced and all(f.items == () for s in c.buildings for f in s.floors)
    assert any("옥상 방수" in n for n in c.buildings[0].notes)


def test_campus_caption_has_site_and_floor_areas(db: Database) -> None:
    caption = service.campus_request(db).caption
    assert len(caption) <= CAPTION_LIMIT
    assert "부지 14필지 283,779㎡(85,843평)" in caption
    assert "연면적 16,657㎡(5,038평)" in caption
    assert "• 배움관: 지하1층·지상3층" in caption


def test_campus_highlights_a_building_and_a_floor(db: Database) -> None:
    c = service.campus_request(db, building="baeum", floor=-1).layout
    assert isinstance(c, lay.Campus)
    lit = [(s.name, f.label) for s in c.buildings for f in s.floors if f.highlighted]
    assert lit == [("배움관", "지하1층")]
    assert [s.name for s in c.buildings if s.highlighted] == ["배움관"]
    assert "배움관 지하1층 표시" in c.subtitle


@pytest.mark.parametrize(
    ("building", "floor"),
    [
        ("nowhere", None),
        ("baeum", 0),
        ("baeum", 4),
        ("baeum", -2),
        ("daycare", 2),
        (None, 1),
    ],
)
def test_campus_refuses_what_does_not_exist(db: Database, building: str | None, floor: int | None) -> None:
    with pytest.raises(PictureError):
        service.campus_request(db, building=building, floor=floor)


def test_an_amenity_with_a_floor_is_drawn_on_that_floor(tmp_path, data_copy, edit) -> None:
    edit(
        data_copy / "facilities.yaml",
        "    name: 구내식당\n",
        "    name: 구내식당\n    building: baeum\n    floor: -1\n",
    )
    edit(data_copy / "facilities.yaml", "    name: 도서실\n", "    name: 도서실\n    building: dasom\n")
    db = connect(tmp_path / "edited.db")
    replace_knowledge(db, validate(data_copy))
    c = service.campus_request(db).layout
    assert isinstance(c, lay.Campus)
    baeum, dasom = c.buildings[0], c.buildings[2]
    assert baeum.floors[0].label == "지하1층" and baeum.floors[0].items == ("구내식당",)
    assert dasom.items == ("도서실",)  # building known, floor not
    assert "구내식당" not in c.unplaced and "도서실" not in c.unplaced
    assert "지하1층 구내식당" in service.campus_request(db).caption


# --- a month of courses ----------------------------------------------------------------------


def test_month_grid_and_cohorts_of_july_2018(db: Database) -> None:
    req = service.month_request(db, "2018-07", JULY_1)
    cal = req.layout
    assert isinstance(cal, lay.MonthCalendar)
    assert cal.weekdays == ("일", "월", "화", "수", "목", "금", "토")
    assert cal.weeks == 5 and len(cal.days) == 35
    first = next(d for d in cal.days if d.date == JULY_1)
    assert (first.week, first.col, first.is_today) == (0, 0, True)  # 1 July 2018 is a Sunday
    assert [c.label for c in cal.cohorts] == [
        "2018년 핵심가치 공유 교육 (총 40회)",
        "6급 미래인재 양성과정 하반기 과정",
        "신임자 과정 제8기",
    ]
    assert [c.state for c in cal.cohorts] == [CURRENT, UPCOMING, UPCOMING]
    assert [c.lane for c in cal.cohorts] == [0, 1, 2] and cal.lanes == 3
    newcomer = [s for s in cal.segments if s.cohort == 2]
    assert [(s.week, s.col0, s.col1) for s in newcomer] == [(3, 1, 6), (4, 0, 2)]
    assert newcomer[0].text == "신임자 과정 제8기" and newcomer[1].continues_after
    assert "신임자 과정 제8기: 2018. 7. 23. ~ 8. 24., 217명" in req.caption


def test_month_lists_sessions_that_have_only_a_month(db: Database) -> None:
    req = service.month_request(db, "2018-05", JULY_1)
    cal = req.layout
    assert isinstance(cal, lay.MonthCalendar)
    assert len(cal.undated) == 3 and all("외국도시공무원 연수" in u for u in cal.undated)
    assert all(d.past for d in cal.days if d.in_month)
    assert "날짜 없이 이 달로만 적힌 기수" in req.caption


def test_month_without_courses_says_so(db: Database) -> None:
    req = service.month_request(db, None, dt.date(2026, 12, 1))
    assert isinstance(req.layout, lay.MonthCalendar)
    assert req.layout.cohorts == () and req.layout.month == 12
    assert "날짜가 정해진 기수는 보고서에 없어요" in req.caption


def test_overlapping_cohorts_get_their_own_lanes_and_reuse_free_ones() -> None:
    s = [
        kdb.Session(f"s{i}", f"{i}기", "src", "p", start, end)
        for i, (start, end) in enumerate(
            [("2018-03-01", "2018-03-10"), ("2018-03-05", "2018-03-20"), ("2018-03-12", "2018-03-25")]
        )
    ]
    cal = lay.month_calendar(2018, 3, s, {"p": "과정"}, JULY_1)
    assert [c.lane for c in cal.cohorts] == [0, 1, 0]
    assert [c.label for c in cal.cohorts] == ["과정 0기", "과정 1기", "과정 2기"]


def test_a_long_label_on_a_short_bar_is_cut() -> None:
    s = [kdb.Session("s", "아주 아주 긴 이름을 가진 특별 기수 과정", "src", "p", "2018-03-31", "2018-04-02")]
    cal = lay.month_calendar(2018, 3, s, {"p": "과정"}, JULY_1)
    [seg] = cal.segments
    assert (seg.col0, seg.col1) == (6, 6) and seg.text.endswith("…")
    assert lay.text_em(seg.text) <= lay.MONTH_EMS_PER_DAY


@pytest.mark.parametrize(
    "text", ["2018-13", "2018-00", "2018-7", "18-07", "abcd-ef", "", "2018-07-01", "２０１８-07", "2018/07", "0000-01"]
)
def test_malformed_months_are_refused(db: Database, text: str) -> None:
    with pytest.raises(PictureError):
        lay.parse_month(text)
    with pytest.raises(PictureError):
        service.month_request(db, text or "x", JULY_1)


def test_unknown_picture_kind_is_refused(db: Database) -> None:
    with pytest.raises(PictureError, match="unknown picture"):
        service.request_for(db, "weather", JULY_1)


# --- the real canvas: no label overlaps another ----------------------------------------------


def _overlaps(boxes: list[tuple[str, tuple[float, float, float, float]]]) -> list[tuple[str, str]]:
    found = []
    for (ta, a), (tb, b) in combinations(boxes, 2):
        if a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5:
            found.append((ta, tb))
    return found


@pytest.mark.parametrize(
    "which", ["exams", "exams-highlight", "campus", "campus-floor", "month-07", "month-05", "month-11"]
)
def test_no_two_texts_overlap_on_the_canvas(db: Database, which: str) -> None:
    req = {
        "exams": lambda: service.exams_request(db, JULY_1),
        "exams-highlight": lambda: service.exams_request(db, dt.date(2018, 11, 14), highlight={"third"}),
        "campus": lambda: service.campus_request(db),
        "campus-floor": lambda: service.campus_request(db, building="dasom", floor=5),
        "month-07": lambda: service.month_request(db, "2018-07", JULY_1),
        "month-05": lambda: service.month_request(db, "2018-05", JULY_1),
        "month-11": lambda: service.month_request(db, "2018-11", JULY_1),
    }[which]()
    boxes = text_boxes(req.layout)
    assert len(boxes) > 5
    assert _overlaps(boxes) == []
    assert all(b[0] >= 0 and b[2] <= 1200 for _, b in boxes)


def test_the_overlap_check_sees_overlaps() -> None:
    """Six events on six days need more label slots than there are: the canvas check notices."""
    rounds = [kdb.Round("r", "빽빽한 회차", "공개경쟁", "src")]
    events = [
        _event(i, "r", dt.date(2018, 3, 1) + dt.timedelta(days=i), kind) for i, kind in enumerate(lay.EVENT_SHORT)
    ]
    assert _overlaps(text_boxes(lay.timeline(rounds, events, JULY_1))) != []


def test_the_cache_renders_a_picture_once_even_when_asked_together(db: Database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cache = service.PictureCache(maxsize=2)
    requests = [service.exams_request(db, JULY_1) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        pictures = list(pool.map(cache.picture, requests))
    assert cache.renders == 1 and len({id(p) for p in pictures}) == 1
    # a new day, a subscriber's highlight and the campus are other pictures; the oldest goes
    cache.picture(service.exams_request(db, dt.date(2018, 7, 2)))
    cache.picture(service.campus_request(db))
    assert cache.renders == 3
    assert cache.cached(requests[0].key) is None
    assert cache.cached(service.campus_request(db).key) is not None
