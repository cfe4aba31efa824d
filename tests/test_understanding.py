"""The core on the shipped knowledge: intents, entities, answers, context and declining."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from knowledge.core import Brain
from knowledge.normalize import fits_particle, key, particle_stems, particles_only, strip_ending, to_jamo
from knowledge.reply import EMPTY_CONTEXT, Context
from knowledge.store import open_database

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2018, 7, 1, 12, 0, tzinfo=SEOUL)


@pytest.fixture(scope="module")
def brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    db = open_database(Path(tmp_path_factory.mktemp("core")) / "hrdbot.db")
    return Brain(db)


def test_jamo_decomposition_makes_one_letter_typos_small() -> None:
    assert to_jamo("집") == "ㅈㅣㅂ"
    assert to_jamo("짚") == "ㅈㅣㅍ"
    assert to_jamo("A1") == "A1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("신임자 과정", "신임자과정"),
        ("  LMS ", "lms"),
        ("e-러닝!!", "e러닝"),
        ("２차", "2차"),
        ("언제\t시작\n해요?", "언제시작해요"),
    ],
)
def test_key_is_spacing_and_width_insensitive(text: str, expected: str) -> None:
    assert key(text) == expected


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("면접은", "면접"),
        ("어린이집에서", "어린이집"),
        ("일정이요", "일정이"),
        ("가", "가"),
        ("예산이", "예산"),
        ("나이", "나이"),  # 이, 을, 은, 과 follow a final consonant: after a vowel, no particle
        ("나이가", "나이"),
        ("오후을", "오후을"),
    ],
)
def test_strip_ending(word: str, stem: str) -> None:
    assert strip_ending(word) == stem


@pytest.mark.parametrize(
    ("stem", "particle", "fits"),
    [
        ("수", "랑", True),
        ("나", "이", False),
        ("응시", "은", False),
        ("시험", "은", True),
        ("아이", "으로", False),
        ("", "가", False),
    ],
)
def test_a_particle_fits_its_stem_by_the_stems_last_sound(stem: str, particle: str, fits: bool) -> None:
    assert fits_particle(stem, particle) is fits


def test_particle_stems_keep_a_stem_of_one_letter_but_only_where_the_particle_fits() -> None:
    assert "수" in particle_stems("수랑")  # the bound noun 수 + 랑
    assert "나" not in particle_stems("나이")  # 이 follows no vowel: 나이 is one noun
    assert "시험" in particle_stems("시험은")


@pytest.mark.parametrize(
    ("rest", "only"),
    [("에서", True), ("이에요", True), ("고", True), ("임", True), ("야", True), ("목이", False), ("정", False)],
)
def test_what_follows_a_noun_may_be_the_copula_run_into_it(rest: str, only: bool) -> None:
    assert particles_only(rest) is only  # "몇 개고" = 개 + 이고, "몇 개임", "뭐야"


@pytest.mark.parametrize(
    ("question", "intent", "facts"),
    [
        ("신임자 과정 언제 시작해요?", "program.schedule", ["2018년7월23일"]),
        ("신임자과정언제시작해요", "program.schedule", ["7월23일"]),
        ("신임자 괒ㅇ 일졍 알려줘", "program.schedule", ["7월23일"]),
        ("신임자 과정 8기 언제 끝나요", "program.schedule", ["8월24일"]),
        ("9기는 언제 해?", None, []),
        ("6급 미래인재 양성과정 몇 명이에요", "program.headcount", ["190명"]),
        ("하반기 6급미래인재 언제까지임", "program.schedule", ["2019년1월16일"]),
        ("팀장 됐는데 받아야 할 교육 있어요?", "program.recommend", ["팀장"]),
        ("7급 승진자 교육 있나요", None, ["7~8급"]),
        ("2차 필기 합격자 발표 언제임?", "exam.schedule", ["2018년8월22일"]),
        ("2회 공채 최종 발표는?", "exam.schedule", ["11월14일"]),
        ("경력경쟁 면졉 일정", "exam.schedule", ["12월17일"]),
        ("3차 원서접수 언제예요", "exam.schedule", ["8월2일", "8월6일"]),
        ("2차 필기 응시율 몇 프로였어요?", "exam.figures", ["54.7%"]),
        ("어린이짚 입소 순위", "daycare.priority", ["0순위", "영유아보육법제28조"]),
        ("한부모 가정은 몇순위예요?", "daycare.priority", ["1순위"]),
        ("배움관 몇층이야", "facility.building", ["지하1층", "지상3층"]),
        ("역량평가 담당 부서는?", "org.department", ["인재채용과"]),
        ("LMS 뭐예요", "elearning.info", ["LMS"]),
        ("이러닝 어떻게 들어요?", "elearning.info", ["hrd.seoul.go.kr"]),
        ("인재개발원 비전이 뭐예요", "vision.info", ["시민에봉사하고소통하는"]),
        ("5급 역량평가 평가역량 뭐뭐 있어요", "assessment.info", ["정책기획", "협의조정"]),
        ("올해 세출예산 얼마예요?", "budget.info", ["15,073,737"]),
        # phrasings outside the development set
        ("9기 교육 언제 끝남?", "program.schedule", ["9월7일"]),
        ("과장님 리더십 교육 몇 명 들어요", "program.headcount", ["30명"]),
        ("급식비 예산", "budget.info", ["499,272"]),
        ("감사 지적 몇건", "topic.answer", ["18건"]),
        ("12월에 무슨 시험 발표 있어요", "exam.schedule", ["12월28일"]),
        ("퇴직 앞둔 공무원 교육 있나요", "program.recommend", ["인생설계"]),
        ("3차 최종합격 발표 언제야?", "exam.schedule", ["12월28일"]),
        ("일반 아동은 몇 순위", "daycare.priority", ["3순위"]),
        ("경채 면접 언제부터 언제까지", "exam.schedule", ["12월17일", "12월21일"]),
    ],
)
def test_answers(brain: Brain, question: str, intent: str | None, facts: list[str]) -> None:
    reply = brain.answer(question, now=NOW)
    if intent is not None:
        assert reply.intent == intent, reply.text
    compact = reply.text.replace(" ", "")
    for fact in facts:
        assert fact.replace(" ", "") in compact, reply.text
    if intent is not None:
        assert "2018년 업무보고 기준" in reply.text
        assert reply.confidence > 0


def test_past_dates_are_marked(brain: Brain) -> None:
    reply = brain.answer("2차 필기시험 언제였어요?", now=dt.datetime(2018, 9, 1, 9, tzinfo=SEOUL))
    assert "이미 지난 일정입니다" in reply.text
    future = brain.answer("2차 필기시험 언제", now=dt.datetime(2018, 6, 1, 9, tzinfo=SEOUL))
    assert "이미 지난" not in future.text


@pytest.mark.parametrize(
    "question",
    [
        "오늘 날씨 어때?",
        "국가직 9급 시험 언제야",
        "경기도 공무원 시험 일정 알려줘",
        "바리스타 과정 언제 시작해요?",
        "2020년 신임자 과정 일정",
        "삼성전자 주가 알려줘",
        "근처 맛집 추천해줘",
        "코딩 부트캠프 있나요",
        "부산시 공무원 채용 일정",
        "인재개발원 주차 가능해요?",
        "2021년 교육 계획 알려줘",
        "어린이집 원비 얼마예요?",
        "2차 시험 과목 뭐야",
        "내 필기 점수 알려줘",
    ],
)
def test_out_of_scope_is_declined_with_suggestions(brain: Brain, question: str) -> None:
    reply = brain.answer(question, now=NOW)
    assert reply.intent is None, reply.text
    assert reply.confidence == 0.0
    # a plain decline apologises; a near miss says first what the report does not give
    assert "죄송합니다" in reply.text or "업무보고에 나와 있지 않습니다" in reply.text.split("\n")[0]
    assert 1 <= len(reply.suggestions) <= 3
    assert "혹시 이것을 찾으셨나요?" in reply.text


def test_declined_questions_are_logged_with_a_count(brain: Brain) -> None:
    for _ in range(3):
        brain.answer("잠실 야구장 가는 법", now=NOW)
    rows = brain.db.execute(
        "SELECT count, first_seen FROM unanswered WHERE text = ?", ["잠실 야구장 가는 법"]
    ).fetchall()
    assert rows and rows[0][0] == 3 and rows[0][1].startswith("2018-07-01")


@pytest.mark.parametrize(
    ("first", "follow_up", "intent", "fact"),
    [
        ("2차 필기 합격자 발표 언제예요?", "면접은요?", "exam.schedule", "10월15일"),
        ("신임자 과정 언제 시작해요?", "그럼 기간은?", "program.duration", "5주"),
        ("창의관은 어떤 건물이에요?", "거기 몇 층이에요?", "facility.building", "지상5층"),
        ("3차 시험 인성검사 언제?", "최종 발표는?", "exam.schedule", "12월28일"),
    ],
)
def test_follow_up_uses_previous_turn(brain: Brain, first: str, follow_up: str, intent: str, fact: str) -> None:
    r1 = brain.answer(first, now=NOW)
    assert r1.intent is not None
    r2 = brain.answer(follow_up, r1.context, now=NOW + dt.timedelta(minutes=1))
    assert r2.intent == intent, r2.text
    assert fact in r2.text.replace(" ", "")


def test_context_expires(brain: Brain) -> None:
    r1 = brain.answer("2차 필기 합격자 발표 언제예요?", now=NOW)
    later = brain.answer("면접은요?", r1.context, now=NOW + dt.timedelta(hours=2))
    # Without the round the bot lists every round's interview, not just the 2회 one.
    assert "경력경쟁" in later.text


def test_context_is_per_conversation(brain: Brain) -> None:
    fresh = brain.answer("그럼 기간은?", EMPTY_CONTEXT, now=NOW)
    assert fresh.intent is None


def test_reply_json_contract(brain: Brain) -> None:
    data = brain.answer("신임자 과정 언제 시작해요?", now=NOW).to_json()
    assert set(data) == {"reply", "intent", "confidence", "entities", "suggestions"}
    assert data["entities"]["program"] == ["newcomer"]
    declined = brain.answer("오늘 날씨", now=NOW).to_json()
    assert declined["intent"] is None and declined["suggestions"]


def test_small_talk(brain: Brain) -> None:
    # a greeting or a thanks answers no question: a light reply with no intent (the --json contract)
    greeting, thanks = brain.answer("안녕하세요", now=NOW), brain.answer("감사합니다!", now=NOW)
    assert greeting.intent is None and "인재개발원" in greeting.text
    assert thanks.intent is None and "다행입니다" in thanks.text
    assert brain.answer("도움말", now=NOW).intent == "smalltalk.help"


def test_empty_input(brain: Brain) -> None:
    for text in ("", "   ", "?!", "\n\t"):
        reply = brain.answer(text, now=NOW)
        assert reply.intent is None and reply.text


def test_context_dataclass_freshness() -> None:
    ctx = Context("exam.schedule", {"round": ["second"]}, NOW)
    assert ctx.fresh(NOW + dt.timedelta(minutes=29))
    assert not ctx.fresh(NOW + dt.timedelta(minutes=31))
    assert not EMPTY_CONTEXT.fresh(NOW)


def test_live_brain_follows_a_reload(tmp_path: Path) -> None:
    """After `hrdbot load` with a changed date, the running bot answers with the new date."""
    import shutil

    import bot
    from knowledge.core import LiveBrain
    from knowledge.loader import DATA_DIR

    db_path = tmp_path / "live.db"
    live = LiveBrain(open_database(db_path), check_every=0.0)
    assert "8월 22일" in live.answer("2차 필기 합격자 발표 언제예요?", now=NOW).text
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    exams = data / "exams.yaml"
    exams.write_text(exams.read_text(encoding="utf-8").replace("2018-08-22", "2018-08-23"), encoding="utf-8")
    assert bot.main(["load", str(data), "--db", str(db_path)]) == 0
    assert "8월 23일" in live.answer("2차 필기 합격자 발표 언제예요?", now=NOW).text


def test_a_bare_new_subject_asks_the_previous_question_again(brain: Brain) -> None:
    r1 = brain.answer("신임자 과정 몇 명이에요?", now=NOW)
    r2 = brain.answer("그럼 6급 미래인재는?", r1.context, now=NOW)
    assert r2.intent == "program.headcount" and "190명" in r2.text
    r3 = brain.answer("어린이집 입소 순위 알려줘", r2.context, now=NOW)
    assert r3.intent == "daycare.priority"


def test_an_exam_follow_up_after_a_course_question_is_about_exams(brain: Brain) -> None:
    r1 = brain.answer("신임자 과정 언제 시작해요?", now=NOW)
    r2 = brain.answer("면접은요?", r1.context, now=NOW)
    assert r2.intent == "exam.schedule" and "면접" in r2.text
