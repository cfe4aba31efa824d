"""The shipped knowledge files, loaded into a real database, say what the 2018 work report says.

Every expected value below is copied from the report (../shared/seed/000_06f59191da1cf089.txt),
not from the data files, and is read back through the ``db.knowledge`` query functions the bot
uses. Where the report contradicts itself (../shared/SEED-NOTES.md) both figures must be present.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from db import knowledge as kdb
from knowledge.store import open_database

D = dt.date


@pytest.fixture(scope="module")
def db(_loaded_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One connection for this whole module (these tests only query), to its own copy of the
    loaded database, instead of the conftest's per-test copy."""
    path = tmp_path_factory.mktemp("facts") / "hrdbot.db"
    shutil.copyfile(_loaded_db_template, path)
    database = open_database(path)
    yield database
    database.close()


def session(db: Database, program_id: str, session_id: str) -> kdb.Session:
    found = [s for s in kdb.sessions_of(db, program_id) if s.id == session_id]
    assert found, f"no session {session_id} under {program_id}"
    return found[0]


def program(db: Database, program_id: str) -> kdb.Program:
    found = kdb.program(db, program_id)
    assert found is not None, program_id
    return found


def fact_text(db: Database, owner_kind: str, owner_id: str) -> str:
    found = kdb.facts(db, owner_kind, owner_id)
    assert found, f"no facts owned by {owner_kind}/{owner_id}"
    return "\n".join(f"{f.label}: {f.text}" for f in found)


def all_text(db: Database) -> str:
    """Every fact, note and budget note: where the report's second figures are recorded."""
    parts = [f.text for f in kdb.facts(db)]
    parts += [r.note or "" for r in kdb.plan_rows(db)]
    parts += [b.note or "" for b in kdb.budget_lines(db)]
    return "\n".join(parts)


# --- training sessions (cohorts) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("program_id", "session_id", "name", "start", "end", "headcount"),
    [
        # Ⅲ-1-1 향후계획: 제8기 (’18년 1회 공채자 217명) 7.23.~8.24.
        ("newcomer", "newcomer-8", "제8기", "2018-07-23", "2018-08-24", 217),
        # 제9기 (임용유예 및 미이수자 120명) 8.27.~9. 7.
        ("newcomer", "newcomer-9", "제9기", "2018-08-27", "2018-09-07", 120),
        # 123기 / 131기: 2주, no dates in the report
        ("newcomer", "newcomer-123", "123기", None, None, None),
        ("newcomer", "newcomer-131", "131기", None, None, None),
        # Ⅲ-1-2: 상반기 1회 84명; 하반기 97명 ’18. 7.17. ~ ’19. 1.16.
        ("future-leader-6", "future-leader-6-h1", "상반기 과정", None, None, 84),
        ("future-leader-6", "future-leader-6-h2", "하반기 과정", "2018-07-17", "2019-01-16", 97),
        # Ⅲ-2-1: 2018. 3. 28. ~ 12. 14, 총 40회, 5,000명
        ("core-values", "core-values-2018", None, "2018-03-28", "2018-12-14", 5000),
        # Ⅲ-2-3: 2주 교육 3기(’18.10.15. ~ 10.26.) 및 4기(’18.11.5. ~ 11.16.)
        ("retirement", "retirement-2w-3", "2주 교육 3기", "2018-10-15", "2018-10-26", None),
        ("retirement", "retirement-2w-4", "2주 교육 4기", "2018-11-05", "2018-11-16", None),
    ],
)
def test_session_dates_and_headcounts(db, program_id, session_id, name, start, end, headcount):
    s = session(db, program_id, session_id)
    if name is not None:
        assert s.name == name
    assert (s.start, s.end, s.headcount) == (start, end, headcount)
    assert s.program_id == program_id


@pytest.mark.parametrize(
    ("session_id", "month", "name_part"),
    [
        ("intl-argentina-smartcity", "2018-01", "아르헨티나"),
        ("intl-tashkent-water", "2018-02", "타슈켄트"),
        ("intl-wego-smartcity", "2018-03", "WeGO"),
        ("intl-metropolis-transport", "2018-04", "교통"),
        ("intl-jakarta-transport", "2018-05", "자카르타"),
        ("intl-kyiv-smartcity", "2018-05", "키예프"),
        ("intl-metropolis-urban", "2018-05", "도시관리"),
    ],
)
def test_overseas_training_courses_by_month(db, session_id, month, name_part):
    s = session(db, "overseas-officials", session_id)
    assert s.month == month
    assert name_part in s.name
    assert s.start is None


def test_international_policy_forum_is_in_november(db):
    assert session(db, "intl-policy-forum", "intl-policy-forum-2018").month == "2018-11"


@pytest.mark.parametrize(
    ("session_id", "field"),
    [
        ("retirement-1w-4", "재취업"),
        ("retirement-1w-5", "귀농"),
        ("retirement-1w-6", "사회공헌"),
    ],
)
def test_retirement_one_week_cohorts(db, session_id, field):
    s = session(db, "retirement", session_id)
    assert field in s.name
    assert s.start is None  # the report gives no dates for the one-week track


def test_fourth_cohort_names_both_retirement_tracks(db):
    """SEED-NOTES 6: '4기' is both the two-week and the one-week (재취업) cohort."""
    fourth = [s.name for s in kdb.sessions_of(db, "retirement") if "4기" in s.name]
    assert len(fourth) == 2
    assert any("2주" in n for n in fourth) and any("1주" in n for n in fourth)


@pytest.mark.parametrize(
    ("start", "end", "program_id", "expected"),
    [
        # the weekend between 제8기 and 제9기
        (D(2018, 8, 25), D(2018, 8, 26), "newcomer", []),
        (D(2018, 8, 24), D(2018, 8, 27), "newcomer", ["newcomer-8", "newcomer-9"]),
        (D(2018, 7, 23), D(2018, 7, 23), "newcomer", ["newcomer-8"]),
        (D(2018, 9, 7), D(2018, 9, 7), "newcomer", ["newcomer-9"]),
        (D(2018, 9, 8), D(2018, 12, 31), "newcomer", []),
        (D(2018, 10, 27), D(2018, 11, 4), "retirement", []),
        (D(2018, 10, 26), D(2018, 11, 5), "retirement", ["retirement-2w-3", "retirement-2w-4"]),
    ],
)
def test_sessions_between_for_a_program(db, start, end, program_id, expected):
    assert [s.id for s in kdb.sessions_between(db, start, end, program_id)] == expected


@pytest.mark.parametrize(
    ("day", "present", "absent"),
    [
        (
            D(2018, 10, 20),
            {"retirement-2w-3", "core-values-2018", "future-leader-6-h2"},
            {"retirement-2w-4", "newcomer-8"},
        ),
        (D(2019, 1, 16), {"future-leader-6-h2"}, {"core-values-2018"}),
        (D(2018, 3, 28), {"core-values-2018"}, {"future-leader-6-h2"}),
        (D(2018, 3, 27), set(), {"core-values-2018"}),
    ],
)
def test_sessions_running_on_a_day(db, day, present, absent):
    ids = {s.id for s in kdb.sessions_between(db, day, day)}
    assert present <= ids
    assert not ids & absent


def test_sessions_between_are_in_start_order_and_carry_their_program(db):
    found = kdb.sessions_between(db, D(2018, 1, 1), D(2019, 12, 31))
    starts = [s.start for s in found]
    assert starts == sorted(starts)
    assert {s.program_id for s in found} >= {"newcomer", "future-leader-6", "retirement", "core-values"}


def test_no_dated_session_before_core_values_starts(db):
    # month-only sessions (January–March overseas courses) have no start date
    assert kdb.sessions_between(db, D(2018, 1, 1), D(2018, 3, 27)) == []


def test_sessions_starting_between(db):
    found = kdb.sessions_starting_between(db, D(2018, 7, 1), D(2018, 7, 31))
    assert [s.id for s in found] == ["future-leader-6-h2", "newcomer-8"]


# --- programs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("program_id", "name", "sessions_planned", "headcount"),
    [
        ("newcomer", "신임자 과정", 9, 2276),  # 총 9회 2,276명
        ("future-leader-6", "6급 미래인재 양성과정", 2, 190),  # 2회 190명
        ("leadership", "직위·직급별 리더십 교육", 37, 1774),  # 연 37회, 총 1,774명
        ("core-values", "핵심가치 공유 교육", 40, 5000),  # 총 40회, 5,000명(1회 125명)
        ("retirement", "퇴직 후 인생설계 교육", 10, 450),  # 450명 (210명/4회 + 240명/6회)
        ("retirement-happy-future", "행복한 미래설계", 4, 210),
        ("retirement-second-act", "인생이모작 준비", 6, 240),
        ("other-province", "타 시·도 공무원 연수", 4, 100),  # 100명(과정별 2회, 기당 25명)
        ("assessment-prep", "4·5급 승진대상자 역량이해교육", 12, 550),  # 5급 10회 500 / 4급 2회 50
        ("assessment-prep-5", "5급 승진대상자 역량이해교육", 10, 500),
        ("assessment-prep-4", "4급 승진대상자 역량이해교육", 2, 50),
        ("private-consignment", "민간위탁사업 실무", 4, 400),  # ’18년 4기/400명
        ("job-common", "공통 직무역량 과정", 32, 640),
        ("job-specialized", "전문 직무역량 과정", 59, 2740),
        ("job-it", "IT 역량 과정", 138, 2940),
    ],
)
def test_program_plan(db, program_id, name, sessions_planned, headcount):
    p = program(db, program_id)
    assert p.name == name
    assert (p.sessions_planned, p.headcount) == (sessions_planned, headcount)
    assert p.source


@pytest.mark.parametrize(
    ("program_id", "sessions_planned", "headcount"),
    [
        # 직위별: 과장 2회 30명, 팀장 5회 125명, 성과 4회 80명, 실무 12회 600명
        ("leadership-manager", 2, 30),
        ("leadership-team-leader", 5, 125),
        ("leadership-performance", 4, 80),
        ("leadership-practical", 12, 600),
        # 직급별: 3급 1회 10명, 4급 2회 50명, 5급 3회 519명, 6급 4회 240명, 7~8급 4회 120명
        ("leadership-promoted-3", 1, 10),
        ("leadership-promoted-4", 2, 50),
        ("leadership-promoted-5", 3, 519),
        ("leadership-promoted-6", 4, 240),
        ("leadership-promoted-7-8", 4, 120),
    ],
)
def test_leadership_sub_course_plan(db, program_id, sessions_planned, headcount):
    p = program(db, program_id)
    assert p.parent == "leadership"
    assert (p.sessions_planned, p.headcount) == (sessions_planned, headcount)


def test_leadership_has_nine_sub_courses_adding_up_to_the_plan(db):
    children = kdb.programs(db, parent="leadership")
    assert len(children) == 9  # 9개 과정: 직위별 4 + 직급별 5
    assert sum(c.sessions_planned for c in children) == 37  # 23회 + 14회
    assert sum(c.headcount for c in children) == 1774  # 835명 + 939명


def test_core_values_format_and_dates(db):
    p = program(db, "core-values")
    assert "주2회(수, 금)" in p.format
    assert "1일" in p.format
    text = fact_text(db, "programs", "core-values")
    assert "15회, 1,926명" in text  # 상반기
    assert "25회 3,125명" in text  # 하반기


def test_newcomer_duration(db):
    p = program(db, "newcomer")
    assert "5주" in p.duration and "e-러닝 선수학습 3주" in p.duration
    assert "2주" in p.duration  # 123기·131기


@pytest.mark.parametrize(
    ("rank", "must_include"),
    [
        ("팀장", {"leadership-team-leader", "leadership"}),
        ("과장", {"leadership-manager", "leadership"}),
        ("5급", {"leadership-promoted-5", "core-values"}),
        ("6급", {"future-leader-6", "newcomer", "leadership-promoted-6"}),
        ("9급", {"newcomer", "core-values"}),
        ("3급", {"leadership-promoted-3"}),
        ("퇴직예정자", {"retirement", "retirement-happy-future", "retirement-second-act"}),
        ("5급 승진대상자", {"assessment-prep", "assessment-prep-5"}),
    ],
)
def test_programs_for_rank(db, rank, must_include):
    found = {p.id for p in kdb.programs_for_rank(db, rank)}
    assert must_include <= found
    assert all(rank in p.ranks for p in kdb.programs_for_rank(db, rank))


def test_programs_for_unknown_rank_is_empty(db):
    assert kdb.programs_for_rank(db, "2급") == []


@pytest.mark.parametrize(
    ("name", "program_id"),
    [
        ("신임자", "newcomer"),
        ("신규자 교육", "newcomer"),
        ("미래인재", "future-leader-6"),
        ("인생이모작", "retirement-second-act"),
        ("민간위탁", "private-consignment"),
        ("협치교육", "core-values"),
        ("타시도 연수", "other-province"),
        ("메트로폴리스", "overseas-officials"),
        ("이러닝", "elearning"),
    ],
)
def test_programs_by_name(db, name, program_id):
    assert program_id in [p.id for p in kdb.programs_by_name(db, name)]


def test_elearning_program_site(db):
    p = program(db, "elearning")
    assert "hrd.seoul.go.kr" in p.format
    assert p.headcount == 149330


# --- recruitment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("round_id", "kind", "planned", "hired", "status"),
    [
        ("extra", "공개경쟁", 294, 298, "완료"),  # 추가공채(’17.12월시험) 294 298
        ("first", "공개경쟁", 301, 293, "완료"),  # 1차(공개경쟁) 301 293
        ("second", "공개경쟁", 1971, None, "진행중"),  # 2차(공개경쟁) 1,971 진행중
        ("third", "경력경쟁", 418, None, "진행중"),  # 3차(경력경쟁) 418 진행중
        ("expert", "전문가", 110, 42, "수시"),  # 전문가 채용 수시 110 42
    ],
)
def test_round_plan_and_hires(db, round_id, kind, planned, hired, status):
    r = kdb.round_(db, round_id)
    assert r is not None
    assert (r.kind, r.planned, r.hired, r.status) == (kind, planned, hired, status)


@pytest.mark.parametrize(
    ("round_id", "series_part"),
    [
        ("extra", "사회복지직"),
        ("first", "행정7급"),
        ("second", "7~9급 전직렬"),
        ("third", "기술계고졸자"),
        ("expert", "일반임기제"),
    ],
)
def test_round_job_series(db, round_id, series_part):
    assert series_part in kdb.round_(db, round_id).series


def test_open_and_career_rounds_add_up_to_the_plan_table(db):
    rounds = [r for r in kdb.rounds(db) if r.kind != "전문가"]
    assert len(rounds) == 4  # 공개/경력경쟁 : 4회
    assert sum(r.planned for r in rounds) == 2984  # 2,984명


@pytest.mark.parametrize(
    ("round_id", "type_", "start", "end"),
    [
        ("extra", "final_result", "2018-02-28", None),  # 합격자발표 2.28.
        ("first", "final_result", "2018-06-13", None),  # 6.13.
        ("second", "written_exam", "2018-06-23", None),  # ’18.6.23.
        ("second", "written_result", "2018-08-22", None),  # 필기발표(8.22.)
        ("second", "personality_test", "2018-09-08", None),  # 인성검사(9.8.)
        ("second", "interview", "2018-10-15", "2018-10-31"),  # 면접(10.15.~31.)
        ("second", "final_result", "2018-11-14", None),  # 최종발표(11.14.)
        ("third", "application", "2018-08-02", "2018-08-06"),  # 원서접수 ’18.8.2. ~ 8.6.
        ("third", "written_result", "2018-11-14", None),  # 필기발표(11.14.)
        ("third", "personality_test", "2018-11-24", None),  # 인성검사(11.24.)
        ("third", "interview", "2018-12-17", "2018-12-21"),  # 면접(12.17.~21.)
        ("third", "final_result", "2018-12-28", None),  # 최종발표(12.28.)
    ],
)
def test_exam_event_dates(db, round_id, type_, start, end):
    found = kdb.events(db, round_id=round_id, type_=type_)
    assert [(e.start, e.end) for e in found] == [(start, end)]
    assert found[0].last_day == (end or start)


def test_career_exam_has_no_invented_written_exam_date(db):
    assert kdb.events(db, round_id="third", type_="written_exam") == []


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("final_result", ["extra", "first", "second", "third"]),
        ("interview", ["second", "third"]),
        ("personality_test", ["second", "third"]),
        ("written_result", ["second", "third"]),
        ("application", ["third"]),
    ],
)
def test_events_by_type_in_date_order(db, type_, expected):
    found = kdb.events(db, type_=type_)
    assert [e.round for e in found] == expected
    assert [e.start for e in found] == sorted(e.start for e in found)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # SEED-NOTES 9: 11.14 is both 2회 최종발표 and 경력경쟁 필기발표
        (D(2018, 11, 14), D(2018, 11, 14), {"second-final-result", "third-written-result"}),
        (D(2018, 10, 31), D(2018, 10, 31), {"second-interview"}),  # window end is inclusive
        (D(2018, 8, 4), D(2018, 8, 4), {"third-application"}),
        (D(2018, 11, 1), D(2018, 11, 13), set()),
        (D(2018, 12, 1), D(2018, 12, 31), {"third-interview", "third-final-result"}),
    ],
)
def test_events_in_a_date_range(db, start, end, expected):
    assert {e.id for e in kdb.events(db, start=start, end=end)} == expected


def test_written_exam_statistics(db):
    (stats,) = kdb.exam_stats(db, "second")
    # ’18.6.23. / 140개 시험장 4,551시험실; 67,959명(응시율 54.7%); 원서접수 124,259명; 1,971명
    assert stats.date == "2018-06-23"
    assert (stats.sites, stats.rooms) == (140, 4551)
    assert (stats.applicants, stats.turnout_pct, stats.applications) == (67959, 54.7, 124259)
    assert stats.planned == 1971


def test_recruitment_plan_totals(db):
    overview = kdb.section(db, "recruitment")
    assert overview.get("planned_total") == 3094  # 채용계획 3,094명
    assert overview.get("planned_2017") == 2740  # ’17년 2,740명
    # ○ 공개/경력경쟁 : 4회, 2,984명 ※ ’17년 : 2,630명
    assert (overview.get("open_rounds"), overview.get("open_total"), overview.get("open_2017")) == (4, 2984, 2630)


@pytest.mark.parametrize(
    ("category_id", "planned", "cadence"),
    [
        ("expert-fixed-term", 77, "매월"),  # 일반임기제 77명(매월, 12회)
        ("expert-specialist-career", 16, "수시"),  # 전문경력관 16명(수시, 6회)
        ("expert-medical", 2, "수시"),  # 지방의무직 2명(수시, 2회)
        ("expert-severe-disability", 5, "년 1회"),  # 중증장애인 5명(년 1회)
        ("expert-professionals", 10, "수시"),  # 변호사 등 특정분야 전문가 10명(수시, 1~2회)
    ],
)
def test_expert_recruitment_categories(db, category_id, planned, cadence):
    found = {c.id: c for c in kdb.expert_categories(db)}
    assert (found[category_id].planned, found[category_id].cadence) == (planned, cadence)


def test_expert_categories_add_up_to_110(db):
    assert sum(c.planned for c in kdb.expert_categories(db)) == 110


@pytest.mark.parametrize(
    ("alias", "round_id"),
    [
        ("2회 공채", "second"),
        ("2차", "second"),
        ("제2회", "second"),
        ("하반기 공채", "second"),
        ("추가공채", "extra"),
        ("1차", "first"),
        ("경력경쟁", "third"),
        ("임기제", "expert"),
    ],
)
def test_round_aliases_users_type(db, alias, round_id):
    """SEED-NOTES 10: the table's 1차/2차/3차 and the text's 제1회/제2회/경력경쟁 are one set."""
    assert (round_id, alias) in {(ref, a) for _kind, ref, a in kdb.aliases(db, "rounds")}


# --- organisation and facilities --------------------------------------------------------------


@pytest.mark.parametrize(
    ("department_id", "name", "headcount"),
    [("planning", "인재기획과", 53), ("development", "인재양성과", 37), ("recruitment", "인재채용과", 28)],
)
def test_departments(db, department_id, name, headcount):
    found = {d.id: d for d in kdb.departments(db)}
    assert (found[department_id].name, found[department_id].headcount) == (name, headcount)


def test_organisation_overview(db):
    org = kdb.section(db, "organisation")
    # 조직 ― 3과, 14팀, 118명
    assert (org.get("departments"), org.get("teams"), org.get("staff")) == (3, 14, 118)
    assert sum(d.headcount for d in kdb.departments(db)) == 118


@pytest.mark.parametrize(
    ("word", "department_id"),
    [
        ("교육계획", "planning"),
        ("e-러닝", "planning"),
        ("국제연수", "planning"),
        ("교육통합관리시스템", "planning"),
        ("집합교육", "development"),
        ("강사관리", "development"),
        ("교재", "development"),
        ("채용시험", "recruitment"),
        ("역량평가", "recruitment"),
    ],
)
def test_departments_by_duty(db, word, department_id):
    assert [d.id for d in kdb.departments_by_duty(db, word)] == [department_id]


def test_department_duties_as_in_report(db):
    duties = {d.id: d.duties for d in kdb.departments(db)}
    assert duties["development"] == ("집합교육과정 운영", "강사관리", "교재 발간")
    assert duties["recruitment"] == ("공개 경력채용시험 시행", "5급 승진 역량평가")


@pytest.mark.parametrize(
    ("building_id", "name", "floors_above", "floors_below"),
    [
        ("baeum", "배움관", 3, 1),  # 배움관(지하1층, 지상3층)
        ("changui", "창의관", 5, None),  # 창의관(지상5층)
        ("dasom", "다솜관", 5, None),  # 다솜관(지상5층)
        ("daycare", "어린이집", 1, None),  # 어린이집(지상1층)
    ],
)
def test_buildings_and_floors(db, building_id, name, floors_above, floors_below):
    found = {b.id: b for b in kdb.buildings(db)}
    b = found[building_id]
    assert (b.name, b.floors_above, b.floors_below) == (name, floors_above, floors_below)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("parcels", 14),  # 14필지
        ("area_m2", 283779),  # 283,779㎡
        ("area_pyeong", 85843),  # 85,843평
        ("building_count", 4),  # 4개동
        ("floor_area_m2", 16657),  # 16,657㎡
        ("floor_area_pyeong", 5038),  # 5,038평
    ],
)
def test_site(db, field, value):
    assert kdb.section(db, "site").get(field) == value


def test_education_facilities(db):
    names = {a.name for a in kdb.amenities(db)}
    assert {"강의실", "체육시설", "구내식당", "도서실", "의무실"} <= names


@pytest.mark.parametrize(
    ("work_id", "status", "start", "start_month", "end_month", "cost"),
    [
        ("new-building-study", "진행중", "2018-04-23", None, "2018-12", 167),
        ("walkway-screen", "완료", None, None, None, 10),
        ("roof-waterproofing", "완료", None, None, None, 90),
        ("duty-room-renovation", "완료", None, None, None, 30),
        ("accessibility", "예정", None, "2018-07", "2018-10", None),  # 승강기, 무대경사로
        ("security-cctv", "예정", None, "2018-07", "2018-09", None),  # 영상정보처리기기
    ],
)
def test_facility_works(db, work_id, status, start, start_month, end_month, cost):
    w = {w.id: w for w in kdb.works(db)}[work_id]
    assert (w.status, w.start, w.start_month, w.end_month, w.cost_million_krw) == (
        status,
        start,
        start_month,
        end_month,
        cost,
    )


def test_works_by_status(db):
    assert {w.id for w in kdb.works(db, "예정")} == {"accessibility", "security-cctv"}


# --- daycare ----------------------------------------------------------------------------------


def test_daycare_priorities_in_order(db):
    prios = kdb.priorities(db)
    assert [(p.rank, p.group) for p in prios] == [
        (0, "직원 자녀"),
        (1, "기초생활수급자, 한부모가정 등"),
        (2, "한부모, 조손, 입양아"),
        (3, "일반 영유아"),
    ]


def test_daycare_legal_basis_is_article_28(db):
    by_rank = {p.rank: p for p in kdb.priorities(db)}
    assert "영유아보육법 제28조" in by_rank[1].basis
    assert all(by_rank[r].basis is None for r in (0, 2, 3))


def test_single_parents_appear_in_two_priorities(db):
    """SEED-NOTES 7: 한부모 is named in both 1순위 and 2순위."""
    assert [p.rank for p in kdb.priorities(db) if "한부모" in p.group] == [1, 2]


def test_daycare_eligibility_and_vacancy(db):
    daycare = kdb.section(db, "daycare")
    assert "주변 4개 기관" in daycare.get("eligibility")
    assert "보건복지부 지침" in daycare.get("vacancy")
    assert "서울" in daycare.get("vacancy")
    assert daycare.get("building") == "daycare"


# --- assessment -------------------------------------------------------------------------------


def test_five_competencies(db):
    (five,) = [a for a in kdb.assessments(db) if a.id == "promotion-5"]
    assert five.competencies == ("정책기획", "성과지향", "변화관리", "의사소통", "협의조정")
    assert (five.rounds_planned, five.headcount_planned) == (10, 450)  # 10회, 연450명


# --- budget -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line_id", "y2017", "y2018", "change", "executed", "executed_pct"),
    [
        ("exp-total", 16745461, 15073737, -1671724, 9707038, 64.4),
        ("exp-project-total", 16097050, 14432694, -1664356, 9461471, 65.6),
        ("exp-elearning-ops", 844947, 772045, -72902, 709750, 91.9),
        ("exp-elearning-content", 380200, 381000, 800, 362870, 95.2),
        ("exp-curriculum-planning", 29350, 58765, 29415, 12975, 22.1),
        ("exp-hrd-capacity", 29620, 25120, -4500, 2448, 9.7),
        ("exp-inservice-training", 1369849, 1550673, 180824, 923396, 59.5),
        ("exp-future-leader-6", 1466390, 1669385, 202995, 718260, 43.0),
        ("exp-competency-assessment", 901790, 793140, -108650, 544787, 68.7),
        ("exp-city-philosophy", 220000, 220000, 0, 182770, 83.1),
        ("exp-it-training", 495419, 482700, -12719, 304315, 63.0),
        ("exp-newcomer", 1604245, 1816633, 212388, 1280158, 70.5),
        ("exp-retirement", 514622, 384488, -130134, 180108, 46.8),
        ("exp-assessment-prep", 179520, 196590, 17070, 90211, 45.9),
        ("exp-equipment", 231400, 292600, 61200, 222465, 76.0),
        ("exp-meals", 364072, 499272, 135200, 180564, 36.2),
        ("exp-building-repair", 1315702, 1124000, -191702, 487148, 43.3),
        ("exp-building-maintenance", 952536, 1134637, 182101, 511125, 45.0),
        ("exp-daycare", 216944, 220151, 3207, 104241, 47.3),
        ("exp-exams", 4980444, 2811495, -2168949, 2643880, 94.0),
        ("exp-admin-total", 648411, 641043, -7368, 245567, 38.3),
    ],
)
def test_expenditure_lines(db, line_id, y2017, y2018, change, executed, executed_pct):
    b = kdb.budget_line(db, line_id)
    assert b.table == "expenditure"
    assert (b.y2017, b.y2018, b.change, b.executed, b.executed_pct) == (y2017, y2018, change, executed, executed_pct)


def test_expenditure_lines_add_up_to_the_total(db):
    lines = {b.id: b for b in kdb.budget_lines(db, "expenditure")}
    detail = [
        b for b in lines.values() if b.group == "사업예산" and b.id not in ("exp-project-total", "exp-hrd-planning")
    ]
    assert len(detail) == 18
    assert sum(b.y2018 for b in detail) == lines["exp-project-total"].y2018
    assert sum(b.y2017 for b in detail) == lines["exp-project-total"].y2017
    assert lines["exp-project-total"].y2018 + lines["exp-admin-total"].y2018 == lines["exp-total"].y2018 == 15073737


@pytest.mark.parametrize(
    ("line_id", "y2018"),
    [("rev-total", 1076000), ("rev-recurring", 1071000), ("rev-temporary", 5000)],
)
def test_revenue_lines_in_thousand_won(db, line_id, y2018):
    b = kdb.budget_line(db, line_id)
    assert (b.table, b.y2018) == ("revenue", y2018)


@pytest.mark.parametrize(
    ("line_id", "y2018", "executed", "spent", "year_end_forecast"),
    [
        ("sec-newcomer", 1816633, 1280158, 1253319, 1466429),
        ("sec-future-leader-6", 1669385, 718260, 697530, 1669385),
        ("sec-leadership", 907110, 419162, 322171, 907110),
        ("sec-core-values", 220000, 182770, 95457, 217000),
        ("sec-job-training", 781740, 383428, 378495, 777966),
        ("sec-retirement", 384488, 180108, 114794, 384488),
        ("sec-international", 465145, 221215, 184686, 465145),
        ("sec-elearning-ops", 391700, 354950, 102150, 361750),
        ("sec-elearning-content", 381000, 362870, 252997, 362870),
        ("sec-lms", 249000, 228800, 114400, 228800),
        ("sec-building-repair", 1124000, 487147, 207860, 1124000),
        ("sec-assessment-5", 793140, 544787, 441248, 763014),
        ("sec-assessment-prep", 196590, 90211, 90211, 196590),
        ("sec-open-exams", 3583495, 3202667, 2807456, 4583495),
        ("sec-expert-exams", 228000, 85146, 85146, 228000),
    ],
)
def test_section_budget_boxes(db, line_id, y2018, executed, spent, year_end_forecast):
    b = kdb.budget_line(db, line_id)
    assert b.table == "section"
    assert (b.y2018, b.executed, b.spent, b.year_end_forecast) == (y2018, executed, spent, year_end_forecast)


def test_program_budget_lines_exist(db):
    for p in kdb.programs(db):
        if p.budget_line:
            assert kdb.budget_line(db, p.budget_line) is not None, p.id


# --- training plan table ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row_id", "y2017", "y2018"),
    [
        ("plan-total", (237, 398, 162008), (230, 386, 168545)),
        ("plan-classroom-subtotal", (132, 398, 19138), (124, 386, 19215)),
        ("plan-elearning-subtotal", (105, None, 142870), (106, None, 149330)),
        ("plan-classroom-core-values", (5, 66, 6250), (6, 54, 6200)),
        ("plan-classroom-humanities", (6, 22, 1580), (7, 26, 1480)),
        ("plan-classroom-rank", (10, 28, 3958), (8, 28, 3495)),
        ("plan-classroom-position", (6, 33, 1565), (6, 35, 1525)),
        ("plan-classroom-job-common", (11, 31, 640), (12, 32, 640)),
        ("plan-classroom-job-specialized", (34, 54, 1740), (33, 59, 2740)),
        ("plan-classroom-global", (1, 12, 180), (1, 14, 195)),
        ("plan-classroom-it", (59, 152, 3225), (51, 138, 2940)),
        ("plan-elearning-core-values", (8, None, 30550), (8, None, 32500)),
        ("plan-elearning-humanities", (6, None, 3810), (6, None, 4600)),
        ("plan-elearning-rank", (1, None, 270), (1, None, 200)),
        ("plan-elearning-position", (10, None, 11400), (10, None, 7740)),
        ("plan-elearning-job-common", (22, None, 17460), (21, None, 12800)),
        ("plan-elearning-job-specialized", (32, None, 15320), (33, None, 21920)),
        ("plan-elearning-global", (2, None, 2180), (2, None, 2180)),
        ("plan-elearning-it", (20, None, 6730), (21, None, 6890)),
        ("plan-elearning-certificate", (3, None, 13000), (3, None, 13000)),
        ("plan-elearning-language", (1, None, 30000), (1, None, 30000)),
        ("plan-elearning-job-other", (None, None, 12150), (None, None, 17500)),
    ],
)
def test_plan_table_rows(db, row_id, y2017, y2018):
    row = {r.id: r for r in kdb.plan_rows(db)}[row_id]

    def counts(c: dict) -> tuple:
        return (c.get("courses"), c.get("sessions"), c.get("trainees"))

    assert (counts(row.y2017), counts(row.y2018)) == (y2017, y2018)


@pytest.mark.parametrize("mode", ["집합교육", "e-러닝"])
def test_plan_rows_add_up_to_their_subtotal(db, mode):
    rows = [r for r in kdb.plan_rows(db) if r.mode == mode]
    (subtotal,) = [r for r in rows if r.area == "소계"]
    detail = [r for r in rows if r.area != "소계"]
    for key in ("courses", "sessions", "trainees"):
        assert sum(r.y2018.get(key) or 0 for r in detail) == (subtotal.y2018.get(key) or 0), key


def test_plan_total_sessions_are_classroom_only(db):
    """SEED-NOTES 2: the 386 sessions are classroom sessions; e-러닝 is 상시."""
    rows = {r.id: r for r in kdb.plan_rows(db)}
    assert rows["plan-total"].y2018["sessions"] == rows["plan-classroom-subtotal"].y2018["sessions"] == 386
    assert "sessions" not in rows["plan-elearning-subtotal"].y2018
    assert (
        rows["plan-classroom-subtotal"].y2018["trainees"] + rows["plan-elearning-subtotal"].y2018["trainees"] == 168545
    )


def test_u_knowledge_trip_is_not_counted(db):
    row = {r.id: r for r in kdb.plan_rows(db)}["plan-elearning-u-knowledge-trip"]
    assert "trainees" not in row.y2018
    assert "30,000" in row.y2018["note"]


# --- e-learning -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "part"),
    [
        ("site", "hrd.seoul.go.kr"),
        ("courses", 106),
        ("trainees_planned", 149330),
        ("app", "인재원 앱"),
        ("live_channel", "인재온"),
        ("target", "소방직"),
    ],
)
def test_elearning_section(db, field, part):
    value = kdb.section(db, "elearning").get(field)
    if isinstance(part, str):
        assert part in value
    else:
        assert value == part


# --- topics -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic_id", "part"),
    [
        ("vision", "시민에 봉사하고 소통하는 미래지향적 전문인재 양성"),
        ("goals", "긍정의 조직문화 확산"),
        ("audit-summary", "18건"),
        ("audit-01-exam-date-unification", "’19"),
        ("audit-suggestion-facebook", "페이스북"),
    ],
)
def test_topics(db, topic_id, part):
    topics = {t.id: t for t in kdb.topics(db)}
    assert part in topics[topic_id].answer


# --- both figures where the report contradicts itself (SEED-NOTES) ----------------------------


@pytest.mark.parametrize(
    ("note", "owner", "parts"),
    [
        ("1 recruitment 2,984 vs 2,980", ("section", "exams"), ["2,984", "2,980"]),
        ("3 core values 5,000 vs 6,200", ("programs", "core-values"), ["5,000", "6,200"]),
        ("4 newcomer 2,276 vs 2,161", ("programs", "newcomer"), ["2,276", "2,161"]),
        ("5 6급 190 vs 181", ("programs", "future-leader-6"), ["190", "181"]),
        ("6 retirement 210/4 + 240/6", ("programs", "retirement"), ["210명/4회", "240명/6회"]),
        ("8 e-러닝 772,045 vs 391,700", ("section", "elearning"), ["772,045", "391,700"]),
        ("9 11.14 twice", ("rounds", "third"), ["11. 14.", "최종"]),
        ("11 assessment 10회 450 vs 9회 464", ("assessments", "promotion-5"), ["10회", "450명", "9회 464명"]),
        ("12 LMS 180일", ("section", "elearning"), ["180일"]),
        ("13 수당 90 vs 80~90", ("assessments", "promotion-5"), ["하루 평균 90만원", "80~90만원"]),
        ("14 추가공채 298 vs 294", ("rounds", "extra"), ["298", "294"]),
        ("15 임기제 31 = 27 + 4", ("rounds", "expert"), ["31명", "완료 27", "진행중 4"]),
    ],
)
def test_both_figures_are_recorded(db, note, owner, parts):
    text = fact_text(db, *owner)
    for part in parts:
        assert part in text, f"SEED-NOTES {note}: {part!r} missing"


@pytest.mark.parametrize(
    ("line_a", "amount_a", "line_b", "amount_b"),
    [
        ("exp-elearning-ops", 772045, "sec-elearning-ops", 391700),
        ("exp-exams", 2811495, "sec-open-exams", 3583495),
    ],
)
def test_both_budget_figures_are_lines(db, line_a, amount_a, line_b, amount_b):
    """SEED-NOTES 8: the expenditure table and the section box disagree; both are kept."""
    assert kdb.budget_line(db, line_a).y2018 == amount_a
    assert kdb.budget_line(db, line_b).y2018 == amount_b


def test_contradicting_plan_figures_keep_their_sources(db):
    rows = {r.id: r for r in kdb.plan_rows(db)}
    assert rows["plan-classroom-core-values"].y2018["trainees"] == 6200
    assert program(db, "core-values").headcount == 5000
    assert "5,000" in rows["plan-classroom-core-values"].note


# --- every record says where it comes from ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        kdb.programs,
        kdb.rounds,
        kdb.departments,
        kdb.buildings,
        kdb.amenities,
        kdb.works,
        kdb.priorities,
        kdb.budget_lines,
        kdb.plan_rows,
        kdb.assessments,
        kdb.topics,
        kdb.expert_categories,
        kdb.categories,
        kdb.facts,
    ],
)
def test_every_record_has_a_source(db, query):
    records = query(db)
    assert records
    assert all(r.source for r in records)


def test_loaded_knowledge_matches_validated_files(db, kb):
    for kind in ("programs", "sessions", "events", "rounds", "budget", "plan_rows", "topics"):
        (count,) = db.execute(f'SELECT count(*) FROM "{kind}"').fetchone()
        assert count == len(kb.of(kind)), kind
    assert len(kdb.facts(db)) == len(kb.facts)
    assert all_text(db)
