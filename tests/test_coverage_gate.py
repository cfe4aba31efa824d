"""The coverage gate and the answers of issue 9, on phrasings of our own (in neither split).

Every content word of a question must be accounted for: by the chosen record, the asked attribute,
the vocabulary or Korean function words. What nothing accounts for means the report does not give
it, and the bot says so first. Figures the tables give are shown when asked; a turn with nothing of
its own to ask never repeats the previous answer.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from knowledge.core import Brain
from knowledge.reply import EMPTY_CONTEXT
from knowledge.shape import shape
from knowledge.store import open_database

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2018, 7, 1, 12, tzinfo=SEOUL)
HERE = Path(__file__).parent
NOT_GIVEN = "업무보고에 나와 있지 않습니다"


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    return Brain(open_database(tmp_path_factory.mktemp("gate") / "gate.db"), log_unanswered=False)


def _split_questions() -> set[str]:
    out: set[str] = set()
    for name in ("devset.tsv", "testset.tsv"):
        with (HERE / name).open(encoding="utf-8") as fh:
            out |= {r["question"].strip() for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)}
    return out


NEAR_MISSES = [
    # (question, the word the report lacks)
    ("신임자 과정 참가비 얼마예요?", "참가비"),  # noun + cost suffix on a known record
    ("6급 미래인재 과정 식비 지원돼요?", "식비"),
    ("2차 필기 시험장 주차 돼요?", "주차"),  # a word of no record at all
    ("LMS 3단계 사업 담당 업체가 어디예요?", "업체"),
    ("창의관 강의실 빔 프로젝터 몇 대 있어요?", "빔"),
    ("어린이집 급식 메뉴가 궁금해요", "메뉴"),  # report word (급식) beside a foreign one
]


@pytest.mark.parametrize(("question", "word"), NEAR_MISSES)
def test_near_misses_say_first_that_the_report_does_not_give_it(brain: Brain, question: str, word: str) -> None:
    reply = brain.answer(question, now=NOW)
    first = reply.text.split("\n")[0]
    assert reply.intent is None, reply.text
    assert NOT_GIVEN in first and word in first, reply.text
    assert reply.suggestions


@pytest.mark.parametrize(
    "question",
    [
        "신임자 과정 어디서 해요?",  # a place is asked; the course record has none
        "배움관 엘리베이터 몇 대 있어요?",  # a building named beside the works item that answers
        "면접 점수 몇 점이 합격이에요?",  # a real word is no typo of a term (점수 ≠ 접수)
        "부산시 공무원 채용 일정 알려줘",  # another city's exam
    ],
)
def test_asked_attribute_without_a_value_is_declined(brain: Brain, question: str) -> None:
    assert brain.answer(question, now=NOW).intent is None


@pytest.mark.parametrize(
    ("question", "facts"),
    [
        ("교육생급식지원 예산 작년보다 몇 % 늘었어?", ["499,272", "+37.1%", "+135,200"]),  # 증감
        ("직장보육시설 운영비는?", ["220,151"]),  # a cost suffix the budget answer gives
        ("e러닝 자격증 과정 인원", ["13,000명"]),  # a plan-table row below the subtotals
        ("집합교육 IT 과정 인원은?", ["2,940명"]),
        ("인재개발원부지면적", ["283,779"]),  # unspaced: the centre's own name, then a known word
        ("세출예산 집행률 몇 %야", ["64.4%"]),
    ],
)
def test_table_figures_are_reachable(brain: Brain, question: str, facts: list[str]) -> None:
    reply = brain.answer(question, now=NOW)
    assert reply.intent is not None, reply.text
    for fact in facts:
        assert fact in reply.text, reply.text


def test_new_phrasings_are_in_neither_split() -> None:
    own = [q for q, _ in NEAR_MISSES] + [
        "교육생급식지원 예산 작년보다 몇 % 늘었어?",
        "e러닝 자격증 과정 인원",
        "신임자 과정 어디서 해요?",
    ]
    assert not set(own) & _split_questions()


@pytest.mark.parametrize("noise", ["ㅋㅋㅋ", "ok", "asdf", "아니요", "ㅇㅇ"])
def test_noise_never_repeats_the_previous_answer(brain: Brain, noise: str) -> None:
    first = brain.answer("2차 필기 합격자 발표 언제예요?", now=NOW)
    reply = brain.answer(noise, first.context, now=NOW)
    assert reply.intent is None
    assert "8월 22일" not in reply.text
    # and the conversation can still go on from the answer before
    follow = brain.answer("그럼 면접은요?", reply.context, now=NOW)
    assert "10월 15일" in follow.text


def test_a_question_with_its_own_subject_starts_fresh(brain: Brain) -> None:
    first = brain.answer("신임자 과정 언제 시작해요?", now=NOW)
    reply = brain.answer("건물 몇 개 있어요?", first.context, now=NOW)
    assert "4개동" in reply.text and "신임자" not in reply.text


def test_what_is_known_is_of_the_subject_and_says_something(brain: Brain) -> None:
    # the line quoted as known is of the record the reply says lacks the thing: no budget card
    # under a rate asked of an exam round taken over
    first = brain.answer("작년 12월 추가공채 몇 명 뽑았어요", now=NOW)
    reply = brain.answer("그때 경쟁률은 얼마였어요?", first.context, now=NOW)
    assert reply.intent is None and "경쟁률은 " + NOT_GIVEN in reply.text
    assert "예산" not in reply.text.split("혹시")[0]
    # and never a line that itself says the report lacks something, nor the basis line alone
    lacked = brain.answer("체육관 이용료 얼마예요", now=NOW)
    known = [line for line in lacked.text.splitlines() if line.startswith("업무보고에 있는 내용")]
    assert lacked.intent is None and NOT_GIVEN in lacked.text.splitlines()[0]
    assert all(NOT_GIVEN not in line and "기준)" not in line for line in known)


def test_detail_shows_the_full_card(brain: Brain) -> None:
    first = brain.answer("신임자 과정 언제 시작해요?", now=NOW)
    assert first.detail and len(first.detail) > len(first.text)
    more = brain.answer("자세히", first.context, now=NOW)
    assert more.text == first.detail
    assert brain.answer("자세히", EMPTY_CONTEXT, now=NOW).intent is None  # nothing to expand


def test_shape_keeps_the_answer_line_and_the_lines_the_question_names() -> None:
    card = "\n".join(
        [
            "답입니다.",
            *(f"• 줄 {i}" for i in range(3)),
            "관련 없는 줄",
            "찾는 단어 줄",
            "다른 줄",
            "답입니다.",
            "(2018년 업무보고 기준)",
        ]
    )
    short, full = shape(card, ["찾는단어"], short_lines=3, list_lines=2)
    lines = short.split("\n")
    assert lines[0] == "답입니다." and "찾는 단어 줄" in lines
    assert lines[-1] == "(2018년 업무보고 기준)" and full.count("답입니다.") == 1


def test_shape_leads_with_the_line_that_gives_the_value_asked() -> None:
    card = "\n".join(
        [
            "1주 교육 4기: 퇴직예정자, 120명입니다.",
            "• 과정 계획은 10회 450명입니다.",
            "(2018년 업무보고 기준)",
        ]
    )
    times = re.compile(r"\d+\s*회")
    short, _ = shape(card, ["퇴직"], short_lines=3, list_lines=2, values=(times,))
    assert short.split("\n")[0] == "과정 계획은 10회 450명입니다."
    # a head that gives the value stays first
    short, _ = shape(card, ["퇴직"], short_lines=3, list_lines=2, values=(re.compile(r"\d+명"),))
    assert short.split("\n")[0].startswith("1주 교육 4기")


_PLAIN_DA = re.compile(r"(?<![니])다[.)]?$")


def _nests_brackets(line: str) -> bool:
    depth = 0
    for ch in line:
        depth += (ch == "(") - (ch == ")")
        if depth > 1:
            return True
        depth = max(depth, 0)
    return False


def test_the_bracket_check_itself() -> None:
    assert _nests_brackets("2018년 예산 (’17년 3억(3억원))")
    assert not _nests_brackets("2018년 3월 28일(수) ~ 12월 14일(금) (D-3)")


def test_replies_carry_no_ids_file_names_editor_notes_or_nested_brackets(brain: Brain) -> None:
    with (HERE / "devset.tsv").open(encoding="utf-8") as fh:
        questions = [r["question"] for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
    for q in questions:
        reply = brain.answer(q, now=NOW)
        for text in (reply.text, reply.detail):
            assert ".yaml" not in text and not re.search(r"\b(?:sec|exp|plan)-[a-z0-9-]+", text), q
            for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
                assert not _PLAIN_DA.search(sentence.strip()), (q, sentence)
            for line in text.split("\n"):
                assert not _nests_brackets(line), (q, line)


def test_the_closed_world_holds_the_reports_words_not_its_storage(brain: Brain) -> None:
    # each text of a record is read on its own: the JSON keys are no words of the report, and a
    # question-form title's ending run into the next key ("무엇인가요", "answer") is no noun 가요
    words = brain.understander.report_words
    assert {"answer", "title", "keywords", "가요"}.isdisjoint(words)
    assert {"비전", "분전함", "평가요소"} & words


@pytest.mark.parametrize(
    ("question", "declined"),
    [
        ("신임자 과정 현장체험 어디로 가요?", False),  # 가요: 가다 with its polite ending, no song
        ("신임자 과정 현장체험 가요 몇 곡 불러요?", True),
    ],
)
def test_a_verb_read_as_a_noun_is_no_unknown_word(brain: Brain, question: str, declined: bool) -> None:
    u = brain.understander.understand(question, NOW.date())
    assert ("가요" in u.unknown_words) is declined, u.unknown_words


def test_a_verb_guessed_as_a_name_is_no_unknown_word(brain: Brain) -> None:
    u = brain.understander.understand("저는 근처 살아요 애 보낼 수 있어요?", NOW.date())  # 살다 + 아요
    assert "살아요" not in u.unknown_words and "살아요" not in u.elsewhere, (u.unknown_words, u.elsewhere)
