"""The labelled development set (issue 3, section 7), answered by the real core on the shipped knowledge.

``tests/devset.tsv`` holds questions written from the 2018 report the way users type them in a chat,
each with the intent(s) a correct reading has, the facts a correct reply must contain, and the day it
is asked on. Every row is its own test (a regression table): a row listed in
``devset_known_failures.txt`` may fail, every other row must pass. The overall bars: at least 92% of
in-scope questions answered correctly (intent allowed and every expected fact in the reply, spacing
ignored) and at most 3% of out-of-scope questions answered. (The bar was 95% before the coverage
gate of issue 9, which declines what the report does not give at the cost of some paraphrases.)
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from knowledge.core import Brain
from knowledge.reply import EMPTY_CONTEXT, Reply
from knowledge.store import open_database
from knowledge.understand import load_nlu

DEVSET = Path(__file__).with_name("devset.tsv")
KNOWN_FAILURES = Path(__file__).with_name("devset_known_failures.txt")
SEOUL = ZoneInfo("Asia/Seoul")
DEFAULT_TODAY = dt.date(2018, 7, 1)
HEADER = ["question", "intent", "expect", "today", "note"]
NONE = "none"
SMALL_TALK = ("greeting", "thanks", "goodbye", "help")

MIN_ROWS = 400
MIN_OUT_OF_SCOPE = 80
MIN_TYPO_SHARE = 0.25
MIN_ACCURACY = 0.94
MAX_FALSE_ANSWERS = 0.03


@dataclass(frozen=True)
class Row:
    line: int
    question: str
    intents: frozenset[str]  # empty for an out-of-scope question
    expect: tuple[str, ...]
    today: dt.date
    note: str

    @property
    def in_scope(self) -> bool:
        return bool(self.intents)


@dataclass(frozen=True)
class Outcome:
    row: Row
    reply: Reply

    @property
    def correct(self) -> bool:
        if not self.row.in_scope:
            return self.reply.intent is None
        if self.reply.intent not in self.row.intents:
            return False
        text = _squash(self.reply.text)
        return all(_squash(e) in text for e in self.row.expect)

    def describe(self) -> str:
        r = self.row
        wanted = "|".join(sorted(r.intents)) or NONE
        reply = self.reply.text.replace("\n", " ⏎ ")[:120]
        return (
            f"  line {r.line}: {r.question!r}\n"
            f"      expected {wanted} {list(r.expect)} · got {self.reply.intent} · {reply}"
        )


def _squash(text: str) -> str:
    """Text with all whitespace removed, so spacing differences never decide a match."""
    return "".join(text.split())


def load_devset(path: Path = DEVSET) -> list[Row]:
    rows: list[Row] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        assert header == HEADER, f"{path.name}: header must be {HEADER}, got {header}"
        for line, fields in enumerate(reader, start=2):
            if not any(f.strip() for f in fields):
                continue
            assert len(fields) == len(HEADER), f"{path.name}:{line}: expected 5 tab-separated fields"
            question, intent, expect, today, note = (f.strip() for f in fields)
            intents = frozenset() if intent == NONE else frozenset(intent.split("|"))
            rows.append(
                Row(
                    line=line,
                    question=question,
                    intents=intents,
                    expect=tuple(e for e in expect.split("|") if e) if expect else (),
                    today=dt.date.fromisoformat(today) if today else DEFAULT_TODAY,
                    note=note,
                )
            )
    return rows


ROWS = load_devset()


def known_intents() -> set[str]:
    nlu = load_nlu()
    # small talk that answers no question (greetings, thanks) has no intent
    return set(nlu["intents"]) | {
        f"smalltalk.{name}" for name, spec in nlu["small_talk"].items() if spec.get("answers")
    }


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    db = open_database(tmp_path_factory.mktemp("devset") / "devset.db")
    return Brain(db, log_unanswered=False)


@pytest.fixture(scope="module")
def outcomes(brain: Brain) -> list[Outcome]:
    results = []
    for row in ROWS:
        now = dt.datetime.combine(row.today, dt.time(12), tzinfo=SEOUL)
        results.append(Outcome(row, brain.answer(row.question, EMPTY_CONTEXT, now=now)))
    return results


# -- the set itself -----------------------------------------------------------------------------


def test_devset_is_well_formed() -> None:
    known = known_intents()
    problems = []
    seen: Counter[str] = Counter(r.question for r in ROWS)
    for r in ROWS:
        if not r.question:
            problems.append(f"line {r.line}: empty question")
        unknown = r.intents - known
        if unknown:
            problems.append(f"line {r.line}: unknown intent(s) {sorted(unknown)}")
        if not r.in_scope and r.expect:
            problems.append(f"line {r.line}: an out-of-scope row expects nothing")
        if r.in_scope and not r.expect and not all(i.startswith("smalltalk.") for i in r.intents):
            problems.append(f"line {r.line}: an in-scope row must name the fact the reply contains")
        if seen[r.question] > 1:
            problems.append(f"line {r.line}: duplicate question {r.question!r}")
    assert not problems, "\n".join(problems)


def test_devset_meets_the_bar_of_the_issue() -> None:
    in_scope = [r for r in ROWS if r.in_scope]
    out_of_scope = [r for r in ROWS if not r.in_scope]
    typos = [r for r in in_scope if "typo" in r.note]
    assert len(ROWS) >= MIN_ROWS, f"{len(ROWS)} questions, the issue asks for at least {MIN_ROWS}"
    assert len(out_of_scope) >= MIN_OUT_OF_SCOPE, (
        f"{len(out_of_scope)} out-of-scope questions, the issue asks for at least {MIN_OUT_OF_SCOPE}"
    )
    assert len(typos) >= MIN_TYPO_SHARE * len(in_scope), (
        f"{len(typos)} of {len(in_scope)} in-scope questions have typos or spacing errors; the issue asks for a quarter"
    )


def test_devset_covers_every_intent() -> None:
    used = set().union(*(r.intents for r in ROWS))
    missing = known_intents() - used
    assert not missing, f"intents with no question in the development set: {sorted(missing)}"


# -- the bot on the set -------------------------------------------------------------------------


def test_in_scope_accuracy(outcomes: list[Outcome]) -> None:
    scored = [o for o in outcomes if o.row.in_scope]
    failures = [o for o in scored if not o.correct]
    accuracy = 1 - len(failures) / len(scored)
    if accuracy < MIN_ACCURACY:
        confusions = Counter((("|".join(sorted(o.row.intents))), str(o.reply.intent)) for o in failures)
        top = "\n".join(f"  {n:3d} × expected {want} · got {got}" for (want, got), n in confusions.most_common(10))
        details = "\n".join(o.describe() for o in failures)
        pytest.fail(
            f"in-scope accuracy {accuracy:.1%} ({len(scored) - len(failures)}/{len(scored)}), "
            f"needs {MIN_ACCURACY:.0%}\nmost frequent confusions:\n{top}\n"
            f"{len(failures)} failing questions:\n{details}",
            pytrace=False,
        )


def test_out_of_scope_questions_are_declined(outcomes: list[Outcome]) -> None:
    scored = [o for o in outcomes if not o.row.in_scope]
    answered = [o for o in scored if o.reply.intent is not None]
    rate = len(answered) / len(scored)
    if rate > MAX_FALSE_ANSWERS:
        details = "\n".join(o.describe() for o in answered)
        pytest.fail(
            f"{rate:.1%} of out-of-scope questions answered ({len(answered)}/{len(scored)}), "
            f"at most {MAX_FALSE_ANSWERS:.0%} allowed:\n{details}",
            pytrace=False,
        )


# -- the set as a regression table: every row its own test ----------------------------------------


def _known_failures() -> frozenset[str]:
    lines = KNOWN_FAILURES.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


KNOWN = _known_failures()


def test_known_failures_are_rows_of_the_set() -> None:
    questions = {r.question for r in ROWS}
    assert not KNOWN - questions, f"not in devset.tsv: {sorted(KNOWN - questions)}"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"line{r.line}")
def test_row(row: Row, outcomes: list[Outcome], request: pytest.FixtureRequest) -> None:
    if row.question in KNOWN:
        request.applymarker(pytest.mark.xfail(reason="listed in devset_known_failures.txt", strict=False))
    outcome = next(o for o in outcomes if o.row is row)
    assert outcome.correct, outcome.describe()
