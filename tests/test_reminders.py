"""The pure reminder planner and its rules file: literal aware datetimes, the shipped knowledge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlite_utils import Database

from knowledge import reminders as rk
from knowledge.reminders import SEOUL, Settings, Subscriber

CONFIG = rk.load_config()
DEFAULTS = Settings.from_defaults(CONFIG.defaults)
SINCE = dt.datetime(2018, 1, 1, 0, 0, tzinfo=SEOUL)


def at(day: str, hhmm: str = "00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00+09:00")


@pytest.fixture
def view(db: Database) -> rk.KnowledgeView:
    return rk.knowledge_view(db)


def keys_on(view: rk.KnowledgeView, day: str, sub: Subscriber) -> list[str]:
    start, end = rk.day_window(dt.date.fromisoformat(day))
    return [d.key for d in rk.plan(view, CONFIG, [sub], start, end)]


def test_done_when_2018_07_16_all_topics(view: rk.KnowledgeView) -> None:
    everyone = rk.everything(view, DEFAULTS)
    due = list(rk.plan(view, CONFIG, [everyone], *rk.day_window(dt.date(2018, 7, 16))))
    by_key = {d.key: d for d in due}
    d1 = by_key["course-start-d1:session:future-leader-6-h2:2018-07-17"]
    d7 = by_key["course-start-d7:session:newcomer-8:2018-07-23"]
    assert d1.due_at == at("2018-07-16", "09:00") == d7.due_at
    assert "6급 미래인재 양성과정 하반기 과정" in d1.text and "내일" in d1.text
    assert "신임자 과정 제8기" in d7.text and "2018. 7. 23.(월)" in d7.text
    assert "2018년 업무보고 기준" in d1.text
    assert [d.key for d in due] == ["daily:2018-07-16", d1.key, d7.key]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2018-06-22", ["written-exam-d1:event:second-written-exam:2018-06-23"]),
        ("2018-08-02", ["application-open:event:third-application:2018-08-02"]),
        ("2018-08-06", ["application-last-day:event:third-application:2018-08-06"]),
        ("2018-08-22", ["written-result-day:event:second-written-result:2018-08-22"]),
        ("2018-10-12", ["interview-start-d3:event:second-interview:2018-10-15"]),
        (
            "2018-11-14",
            [
                "final-result-day:event:second-final-result:2018-11-14",
                "written-result-day:event:third-written-result:2018-11-14",
            ],
        ),
        ("2018-12-14", ["interview-start-d3:event:third-interview:2018-12-17"]),
        ("2018-07-17", []),
    ],
)
def test_exam_reminders(view: rk.KnowledgeView, day: str, expected: list[str]) -> None:
    sub = Subscriber(1, {rk.ALL_ROUNDS: SINCE}, Settings(daily_push=False))
    assert keys_on(view, day, sub) == expected


def test_round_subscription_gets_only_that_round(view: rk.KnowledgeView) -> None:
    sub = Subscriber(1, {"exam_round:third": SINCE}, Settings(daily_push=False))
    assert keys_on(view, "2018-11-14", sub) == ["written-result-day:event:third-written-result:2018-11-14"]


def test_category_covers_its_programs(view: rk.KnowledgeView) -> None:
    sub = Subscriber(1, {"category:rank-required": SINCE}, Settings(daily_push=False))
    assert keys_on(view, "2018-07-10", sub) == ["course-start-d7:session:future-leader-6-h2:2018-07-17"]
    assert keys_on(view, "2018-07-22", sub) == ["course-start-d1:session:newcomer-8:2018-07-23"]


def test_nothing_due_from_before_the_subscription(view: rk.KnowledgeView) -> None:
    late = Subscriber(1, {"program:newcomer": at("2018-07-16", "09:30")}, Settings(False))
    early = Subscriber(2, {"program:newcomer": at("2018-07-16", "08:59")}, Settings(False))
    assert keys_on(view, "2018-07-16", late) == []
    assert keys_on(view, "2018-07-16", early) == ["course-start-d7:session:newcomer-8:2018-07-23"]


def test_quiet_hours_move_a_reminder_to_their_end(view: rk.KnowledgeView) -> None:
    settings = Settings(daily_push=False, quiet_start=dt.time(7), quiet_end=dt.time(10))
    [due] = rk.plan(
        view, CONFIG, [Subscriber(1, {"program:newcomer": SINCE}, settings)], *rk.day_window(dt.date(2018, 7, 16))
    )
    assert due.due_at == at("2018-07-16", "10:00")


def test_daily_push_inside_quiet_hours_is_what_the_user_asked_for(view: rk.KnowledgeView) -> None:
    settings = Settings(push_time=dt.time(23, 0))  # default quiet hours 22:00-08:00
    sub = Subscriber(1, {"program:newcomer": SINCE}, settings)
    [daily] = [d for d in rk.plan(view, CONFIG, [sub], *rk.day_window(dt.date(2018, 7, 20))) if d.kind == "daily"]
    assert daily.due_at == at("2018-07-20", "23:00")
    assert daily.quiet == (None, None)  # never held


@pytest.mark.parametrize(
    ("t", "start", "end", "expected"),
    [
        ("21:59", "22:00", "08:00", "21:59"),
        ("22:00", "22:00", "08:00", "08:00+1"),
        ("03:00", "22:00", "08:00", "08:00"),
        ("08:00", "22:00", "08:00", "08:00"),
        ("12:00", "12:00", "13:00", "13:00"),
        ("12:00", "12:00", "12:00", "12:00"),  # start == end: no quiet hours
    ],
)
def test_out_of_quiet(t: str, start: str, end: str, expected: str) -> None:
    moved = rk.out_of_quiet(at("2018-07-16", t), rk.parse_hhmm(start), rk.parse_hhmm(end))
    hhmm, _, plus = expected.partition("+")
    assert moved == at("2018-07-16", hhmm) + dt.timedelta(days=int(plus or 0))


def test_daily_digest_lists_today_and_week(view: rk.KnowledgeView) -> None:
    text = rk.digest(view, CONFIG, {"program:newcomer", rk.ALL_ROUNDS}, dt.date(2018, 8, 20))
    assert text is not None
    today, week = text.split("[이번 주")
    assert "예정된 일정이 없습니다" in today
    assert "8. 22.(수) 필기 합격자 발표 — 제2회 공개경쟁 임용시험 (2차)" in week
    assert "8. 24.(금) 교육 종료 — 신임자 과정 제8기" in week
    assert "8. 26." not in week and "8. 27." not in week  # outside the 7 days


def test_daily_digest_nothing_relevant(view: rk.KnowledgeView) -> None:
    assert rk.digest(view, CONFIG, {"program:newcomer"}, dt.date(2018, 3, 1)) is None
    always = rk.digest(view, CONFIG, {"program:newcomer"}, dt.date(2018, 3, 1), always=True)
    assert always is not None and "구독하신 일정이 없습니다" in always


def test_daily_push_skipped_on_empty_days_unless_always(view: rk.KnowledgeView) -> None:
    window = rk.day_window(dt.date(2018, 3, 1))
    plain = Subscriber(1, {"program:newcomer": SINCE}, Settings())
    always = Subscriber(2, {"program:newcomer": SINCE}, Settings(daily_always=True))
    off = Subscriber(3, {"program:newcomer": SINCE}, Settings(daily_push=False, daily_always=True))
    assert [(d.user_id, d.key) for d in rk.plan(view, CONFIG, [plain, always, off], *window)] == [
        (2, "daily:2018-03-01")
    ]


def test_plan_is_pure_and_keys_are_stable(view: rk.KnowledgeView) -> None:
    subs = [rk.everything(view, DEFAULTS, user_id=7)]
    window = (at("2018-07-01"), at("2018-08-01"))
    first = list(rk.plan(view, CONFIG, subs, *window))
    assert first == list(rk.plan(view, CONFIG, subs, *window))
    assert len({(d.user_id, d.key) for d in first}) == len(first)


def test_wake_times_cover_every_due_moment(view: rk.KnowledgeView) -> None:
    profiles = {(dt.time(8, 30), dt.time(22), dt.time(8)), (dt.time(7), dt.time(7), dt.time(10))}
    subs = [
        Subscriber(1, {rk.ALL_ROUNDS: SINCE, "program:newcomer": SINCE}, DEFAULTS),
        Subscriber(
            2,
            {"category:rank-required": SINCE},
            Settings(push_time=dt.time(7), quiet_start=dt.time(7), quiet_end=dt.time(10)),
        ),
    ]
    window = (at("2018-07-01"), at("2018-09-01"))
    wakes = set(rk.wake_times(view, CONFIG, profiles, *window))
    dues = {d.due_at for d in rk.plan(view, CONFIG, subs, *window)}
    assert dues and dues <= wakes


def test_topics_and_labels(view: rk.KnowledgeView) -> None:
    assert rk.parse_topic("program:newcomer", view) == "program:newcomer"
    assert rk.parse_topic(" exam_round:* ", view) == rk.ALL_ROUNDS
    assert rk.topic_label(view, "exam_round:second") == "시험 일정: 제2회 공개경쟁 임용시험 (2차)"
    assert rk.topic_label(view, "program:gone") == "program:gone (지금은 없는 항목)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("program:nope", "no such program"),
        ("exam_round:fourth", "no such exam_round"),
        ("weather", "expected exam_round:<id>"),
        ("", "expected exam_round:<id>"),
        ("program:", "expected exam_round:<id>"),
    ],
)
def test_unknown_topics(view: rk.KnowledgeView, text: str, message: str) -> None:
    with pytest.raises(rk.UnknownTopicError, match=message.replace("*", r"\*")):
        rk.parse_topic(text, view)


# --- reminders.yaml ----------------------------------------------------------------------------


def test_shipped_rules() -> None:
    ids = [r.id for r in CONFIG.rules]
    assert ids == [
        "course-start-d7",
        "course-start-d1",
        "application-open",
        "application-last-day",
        "written-exam-d1",
        "written-result-day",
        "final-result-day",
        "interview-start-d3",
    ]
    assert CONFIG.defaults == rk.Defaults()  # the documented defaults are the shipped ones
    assert {r.id: r.days_before for r in CONFIG.rules}["interview-start-d3"] == 3


GOOD_RULE = '  - {id: r1, anchor: session_start, days_before: 1, at: "09:00", text: "{title}"}\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rules:\n  - {id: r1, on: session_start, days_before: 1, at: '09:00', text: x}\n",
            "reminders.yaml:2: rules[0].True: unknown field",
        ),
        (
            "rules:\n" + GOOD_RULE.replace('"09:00"', '"9시"'),
            "reminders.yaml:2: rules[0].at: '9시' is not a time; expected HH:MM",
        ),
        ("rules:\n" + GOOD_RULE.replace('"09:00"', '"24:00"'), "rules[0].at: '24:00' is not a time"),
        (
            "rules:\n" + GOOD_RULE.replace("session_start", "lunch"),
            "rules[0].anchor: 'lunch': expected one of session_start",
        ),
        (
            "rules:\n" + GOOD_RULE.replace("days_before: 1", "days_before: -1"),
            "rules[0].days_before: -1: expected a whole number of days from 0 to 365",
        ),
        (
            "rules:\n" + GOOD_RULE.replace("days_before: 1", "days_before: '1'"),
            "rules[0].days_before: '1': expected a whole number",
        ),
        ("rules:\n" + GOOD_RULE.replace("{title}", "{name}"), "rules[0].text: unknown placeholder {name}"),
        ("rules:\n" + GOOD_RULE + GOOD_RULE, "reminders.yaml:3: rules[1].id: duplicate rule id 'r1'"),
        ("rules:\n" + GOOD_RULE.replace("id: r1", "id: R 1"), "rules[0].id: 'R 1': expected lowercase"),
        ("rules:\n  - {id: r1}\n", "rules[0].anchor: missing"),
        ("rules: []\n", "rules: expected a non-empty list of rules"),
        (
            "defaults: {grace_hours: soon}\nrules:\n" + GOOD_RULE,
            "reminders.yaml:1: defaults.grace_hours: 'soon': expected a number of hours >= 0",
        ),
        ("defaults:\n  quiet_start: '23:00'\nrules:\n" + GOOD_RULE, "defaults: give both quiet_start and quiet_end"),
        ("defaults:\n  colour: red\nrules:\n" + GOOD_RULE, "reminders.yaml:2: defaults.colour: unknown"),
        ("extra: 1\nrules:\n" + GOOD_RULE, "reminders.yaml:1: extra: unknown key"),
        ("rules:\n  - [1, 2]\n", "rules[0]: expected a mapping"),
        ("- just a list\n", "expected a mapping with 'defaults', 'footer' and 'rules'"),
        ("rules:\n  - {id: r1\n", "YAML syntax error"),
    ],
)
def test_malformed_rules_file(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "reminders.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(rk.RemindersConfigError) as info:
        rk.load_config(path)
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(rk.RemindersConfigError, match="file not found"):
        rk.load_config(tmp_path / "nope.yaml")


def test_offsets_are_data(tmp_path: Path, view: rk.KnowledgeView) -> None:
    path = tmp_path / "reminders.yaml"
    path.write_text(
        'defaults: {grace_hours: 2}\nfooter: ""\nrules:\n'
        '  - {id: two-days, anchor: session_start, days_before: 2, at: "18:30", '
        'text: "{title} {date}"}\n',
        encoding="utf-8",
    )
    config = rk.load_config(path)
    assert config.defaults.grace == dt.timedelta(hours=2)
    sub = Subscriber(1, {"program:newcomer": SINCE}, Settings(daily_push=False))
    [due] = rk.plan(view, config, [sub], *rk.day_window(dt.date(2018, 7, 21)))
    assert due.key == "two-days:session:newcomer-8:2018-07-23"
    assert due.due_at == at("2018-07-21", "18:30")
    assert due.text == "신임자 과정 제8기 2018. 7. 23.(월)"
