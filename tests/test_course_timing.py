"""Where a program's cohorts stand on a given day: the schedule answer reads every cohort.

Invariants over the shipped data: on a day inside any dated cohort, the schedule answer says a
cohort is under way (never that all are over); a named cohort that is already over says so and
points to the one under way; before the first cohort the answer says when it starts; after the
last one, that all are over. Plus the reported case (issue 11, item 8) through the whole bot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from db import knowledge as kdb
from knowledge.answers import cohort_of
from knowledge.core import Brain
from knowledge.store import open_database

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(scope="module")
def db(_loaded_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("timing") / "hrdbot.db"
    shutil.copyfile(_loaded_db_template, path)
    database = open_database(path)
    yield database
    database.close()


@pytest.fixture(scope="module")
def brain(db: Database) -> Brain:
    return Brain(db, log_unanswered=False)


def day(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def end_of(s: kdb.Session) -> dt.date:
    return day(s.end or s.start or "")


def running(s: kdb.Session, today: dt.date) -> bool:
    return day(s.start or "") <= today <= end_of(s)


def dated_programs(brain: Brain) -> list[tuple[kdb.Program, list[kdb.Session]]]:
    out = []
    for p in brain.composer.kb.programs():
        dated = [s for s in brain.composer._sessions(p) if s.start]
        if dated:
            out.append((p, dated))
    return out


def schedule_head(brain: Brain, p: kdb.Program, today: dt.date, cohort: int | None = None) -> str:
    """The first line of the schedule answer for program ``p`` (and ``cohort``), understood as
    such whatever words name it, so the test checks the answer, not the name matching."""
    base = brain.understander.understand("일정 알려주세요", today)
    u = dataclasses.replace(
        base, entities={"program": [p.id]}, cohort=cohort, matches=[], features={}, intent="program.schedule"
    )
    out = brain.composer.compose(u, today)
    assert out is not None, f"no schedule answer for {p.id}"
    return out.text.split("\n", 1)[0]


def test_the_shipped_data_has_dated_cohorts(brain: Brain) -> None:
    programs = dated_programs(brain)
    assert len(programs) >= 3
    assert sum(len(d) for _, d in programs) >= 4


def test_a_day_inside_any_cohort_is_under_way(brain: Brain) -> None:
    problems = []
    for p, dated in dated_programs(brain):
        for s in dated:
            start, end = day(s.start or ""), end_of(s)
            today = start + (end - start) // 2
            head = schedule_head(brain, p, today)
            now = [x.name for x in dated if running(x, today)]
            if "진행 중" not in head or not any(name in head for name in now):
                problems.append(f"{p.id} on {today} ({s.name}): {head}")
    assert not problems, "\n".join(problems)


def test_a_named_cohort_on_its_days_is_under_way(brain: Brain) -> None:
    problems = []
    for p, dated in dated_programs(brain):
        for s in dated:
            n = cohort_of(s.name)
            if n is None:
                continue
            start, end = day(s.start or ""), end_of(s)
            today = start + (end - start) // 2
            head = schedule_head(brain, p, today, n)
            same = [x for x in dated if cohort_of(x.name) == n and running(x, today)]
            if "진행 중" not in head or not any(x.name in head for x in same):
                problems.append(f"{p.id} {n}기 on {today}: {head}")
    assert not problems, "\n".join(problems)


def test_a_named_cohort_that_is_over_points_to_the_one_under_way(brain: Brain) -> None:
    checked = 0
    problems = []
    for p, dated in dated_programs(brain):
        for s in dated:
            today = day(s.start or "") + (end_of(s) - day(s.start or "")) // 2
            for past in dated:
                n = cohort_of(past.name)
                same = [x for x in dated if cohort_of(x.name) == n]
                if n is None or any(end_of(x) >= today for x in same):
                    continue
                checked += 1
                head = schedule_head(brain, p, today, n)
                now = [x.name for x in dated if running(x, today)]
                if (
                    "이미 끝났습니다" not in head
                    or "모두 지났습니다" in head
                    or not any(f"지금은 {name}" in head for name in now)
                ):
                    problems.append(f"{p.id} {n}기 on {today}: {head}")
    assert checked, "the data should have a cohort that is over while a later one runs"
    assert not problems, "\n".join(problems)


def test_before_the_first_and_after_the_last_cohort(brain: Brain) -> None:
    problems = []
    for p, dated in dated_programs(brain):
        first = min(dated, key=lambda x: x.start or "")
        before = day(first.start or "") - dt.timedelta(days=1)
        head = schedule_head(brain, p, before)
        if "시작합니다" not in head or first.name not in head:
            problems.append(f"{p.id} on {before}: {head}")
        after = max(end_of(x) for x in dated) + dt.timedelta(days=1)
        head = schedule_head(brain, p, after)
        if "모두 지났습니다" not in head:
            problems.append(f"{p.id} on {after}: {head}")
    assert not problems, "\n".join(problems)


def ask(brain: Brain, text: str, today: str, intent: str | None = "program.schedule") -> str:
    now = dt.datetime.combine(day(today), dt.time(12), tzinfo=SEOUL)
    reply = brain.answer(text, now=now)
    assert reply.intent == intent, reply
    return reply.text


def test_issue_11_item_8_cohort_8_over_while_9_runs(brain: Brain) -> None:
    head = ask(brain, "신임자 과정 8기는 언제 시작해?", "2018-09-01").split("\n", 1)[0]
    assert "제8기" in head and "이미 끝났습니다" in head
    assert "제9기" in head and "진행 중" in head
    assert "모두 지났습니다" not in head


def test_the_program_without_a_cohort_on_2018_09_01(brain: Brain) -> None:
    head = ask(brain, "신임자 과정 언제 시작해?", "2018-09-01").split("\n", 1)[0]
    assert "제9기" in head and "진행 중" in head


@pytest.mark.parametrize("text", ["신임자 과정 99기 언제 시작해?", "신임자 과정 0기 언제 해요?"])
def test_a_cohort_the_report_does_not_have(brain: Brain, text: str) -> None:
    reply = ask(brain, text, "2018-09-01", intent=None)  # None: the report does not say
    assert "나와 있지 않습니다" in reply and "제8기" in reply and "제9기" in reply
