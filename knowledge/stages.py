"""The pure stages between reading a question and composing its answer.

``Understander.understand`` reads (text, today) into an ``Understanding``; then

- ``resolve`` fills what a follow-up leaves out from the previous turn, and a cohort number's
  program;
- ``Understander.classify`` ranks the intents;
- ``follow_up`` keeps the previous question for a bare new subject ("그럼 6급은?");
- ``decide`` says why the bot must decline, or None;
- after composing, ``Accounting.missing`` lists what the question asks that the answer does not
  give (the coverage gate at the level of the chosen record).

Each stage returns a new value; none touches the database or the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from knowledge.matcher import SOFT_KINDS, Match, covered
from knowledge.normalize import key
from knowledge.reply import Context
from knowledge.shape import asked_noun, full_years
from knowledge.text import BASIS, ranks_written
from knowledge.understand import (
    FAMILY,
    RELATIVE_YEARS,
    SUBJECT_KINDS,
    NluError,
    Understander,
    Understanding,
    asks_next,
    counting_units,
    halves_named,
    told_part_end,
)

# Attribute cues that go with any answer ("어떻게 돼요", "누가"): never a sign of a mismatch.
IGNORABLE_CUES = frozenset(
    {
        "attr.format",
        "attr.who",
        "attr.target",
        "attr.degree",
        "attr.day",
        "attr.person",
        "attr.weekday",
        "attr.criteria",
    }
)
# Entity kinds a follow-up question may take over from the previous turn.
INHERITABLE = frozenset(
    {
        "program",
        "round",
        "event_type",
        "building",
        "amenity",
        "department",
        "budget_line",
        "expert_category",
        "assessment",
        "work",
        "rank",
        "category",
        "priority_group",
        "plan_row",
        "session",
    }
)
# The subject family a concept word brings: a new family means a new question, not a follow-up.
# (Money and departments are asked of any subject: "예산은요?", "담당 부서는?" go on with it.)
CONCEPT_FAMILY = {
    "course": "course",
    "promotion": "course",
    "exam": "exam",
    "expert": "exam",
    "interview_format": "exam",
    "daycare": "daycare",
    "priority": "daycare",
    "facility": "facility",
    "works": "facility",
    "elearning": "elearning",
    "lms": "elearning",
    "app": "elearning",
    "plan": "course",  # the plan is of the courses: "올해 몇 명 교육 계획이에요?" of one goes on with it
    "assessment": "assessment",
    "vision": "vision",
    "audit": "audit",
}
# Concepts whose words other fields use too ("대상", "누가", "보낼"): no new field of their own,
# but after an answer of their field they go on with it ("직원 아니어도 보낼 수 있나요")
_FIELD_WHEN_GOING_ON = {"eligibility": "daycare"}
CUE_KINDS = ("attr", "concept", "event_type", "event_any", "rank")
# A cost cue that is a question word asks for a sum ("얼마"); one that names the topic ("비용 부담해?")
# may be asked yes or no.
_QUESTION_WORD = re.compile(r"몇|얼마|언제|어디|며칠|몇일|어느|무슨")
# a question word of any kind: a follow-up with one asks its own thing
_ASKS_ITS_OWN = re.compile(rf"{_QUESTION_WORD.pattern}|뭐|무엇|어떤|어떻|어땠|누구|누가|왜")


def asks_its_own(text: str) -> bool:
    """Whether a text holds a question word of its own ("언제", "무슨", "누가")."""
    return _ASKS_ITS_OWN.search(text) is not None


_ASKS_BEING = re.compile(r"있(?:어요|나요|나|니|어|습니까|을까요|는지)\s*\??\s*$")
_NOT_VALUES = frozenset({"attr.degree", "attr.format", "attr.who", "attr.target"})


@dataclass(frozen=True)
class Thresholds:
    """Scoring thresholds, from nlu.yaml's ``thresholds``."""

    min_intent_score: float
    small_talk_over: float
    follow_up_margin: float
    runner_up_margin: float
    generic_records: int
    derived_name_weight: float
    short_reply_lines: int
    list_reply_lines: int

    @classmethod
    def from_nlu(cls, nlu: dict[str, Any]) -> Thresholds:
        return cls(**{name: nlu["thresholds"][name] for name in cls.__dataclass_fields__})


def asks_anything(u: Understanding) -> bool:
    """Whether a turn has anything of its own to ask ("ㅋㅋㅋ", "ok", "아니요" have not)."""
    return bool(
        u.unknown_words
        or u.elsewhere
        or u.dates
        or u.cohort is not None
        or u.years
        or u.counters  # "몇 살부터 받아요": a count in a unit is asked
        or any(m.kind != "self" for m in u.matches)
    )


def _any_of(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)")


@dataclass(frozen=True)
class Turns:
    """How a turn inside a conversation is read when it names nothing (nlu.yaml ``turns``)."""

    question: re.Pattern[str]
    request: re.Pattern[str]
    remark: re.Pattern[str]
    noise: frozenset[str]
    pointing: re.Pattern[str]
    topic: re.Pattern[str]
    referring: re.Pattern[str]
    opener: re.Pattern[str]  # a greeting or thanks said before the turn, and the turn after it

    @classmethod
    def from_nlu(cls, nlu: dict[str, Any]) -> Turns:
        spec = nlu.get("turns") or {}
        if not isinstance(spec, dict) or not all(
            isinstance(v, list) and all(isinstance(w, str) and w for w in v) for v in spec.values()
        ):
            raise NluError(f"nlu.yaml: 'turns' must map names to lists of words, got {spec!r}")
        endings = _any_of(list(spec.get("remark_endings") or ())).pattern
        asking = _any_of(list(spec.get("question_endings") or ())).pattern
        return cls(
            # a question word anywhere, or a closing ending that asks ("가도 되나", "있니"; not the
            # remark "그렇구나")
            re.compile(rf"{_any_of(list(spec.get('question_words') or ())).pattern}|[가-힣](?<!구)(?:{asking})\s*$"),
            _any_of(list(spec.get("request_words") or ())),
            re.compile(rf"(?:{endings}|[ㅋㅎ]+|[!~.]+)\s*$"),
            frozenset(spec.get("noise_words") or ()),
            _any_of(list(spec.get("pointing_words") or ())),
            re.compile(rf"[가-힣](?:{_any_of(list(spec.get('topic_endings') or ())).pattern})\s*$"),
            # (a word of its own, not the start of another: "그게" in "그게 언제", not "그거래")
            re.compile(rf"(?<![가-힣])(?:{_any_of(list(spec.get('referring_words') or ())).pattern})"),
            _opener(nlu),
        )

    def past_lead_in(self, text: str) -> str | None:
        """The turn after the words that only lead into it ("혹시 그 중 전문경력관은" → "그 중
        전문경력관은"), or None when it has none (or nothing after them)."""
        led = _LEAD_IN.match(text) or _JAMO_LEAD_IN.match(text)
        rest = text[led.end() :] if led else ""
        return rest if len(re.findall(r"[가-힣A-Za-z0-9]", rest)) >= 2 else None

    def opened(self, text: str) -> str | None:
        """The turn after a greeting or thanks that opens it ("안녕하세요 카이로 워크숍엔 …"), or None."""
        m = self.opener.match(text)
        return m.group(1) if m else None

    def may_ask(self, text: str) -> bool:
        """Whether a turn may ask something: a question, a request, or a closing ending that asks
        ("주차장 있어요"; not "좋은 아침입니다")."""
        return self.is_question(text) or bool(self.request.search(text) or _ASKING_ENDING.search(text))

    def is_question(self, text: str) -> bool:
        """A short turn that asks something although it names nothing ("남은건?", "진행중인건 무슨
        분야?"): a question mark or a question word, or a bare topic ("남은건", "착수보고회는": a
        phrase ending in its topic particle asks about it), and a word that is not noise."""
        words = [w for w in re.findall(r"[가-힣]{2,}", text) if w not in self.noise]
        return bool(words) and bool(self.question.search(text) or self.topic.search(text))

    def is_remark(self, text: str) -> bool:
        """A comment on the answer before, not a question ("ㅋㅋ 계획보다 많이 뽑았네")."""
        stripped = text.strip()
        return (
            not self.question.search(stripped)
            and not self.request.search(stripped)
            and bool(self.remark.search(stripped))
        )


def _opener(nlu: dict[str, Any]) -> re.Pattern[str]:
    """A greeting or thanks of ``nlu``'s small talk said first, then the rest of the turn."""
    small_talk = nlu.get("small_talk") or {}
    words = [
        w
        for name in ("greeting", "thanks")
        for w in ((small_talk.get(name) or {}).get("words") or ())
        if re.search(r"[가-힣]{2,}|[a-z]{2,}", w)
    ]
    return re.compile(rf"\s*(?:{_any_of(words).pattern})[\s,.!~^ㅎㅋ]+(.+)", re.IGNORECASE | re.DOTALL)


_COUNT_ASKED = re.compile(r"몇|얼마")


def resolve(
    u: Understanding,
    context: Context,
    *,
    fresh: bool,
    known_values: dict[str, set[str]],
    cohort_programs: dict[int, set[str]],
    rank_siblings: dict[tuple[str, str], str] | None = None,
    rank_programs: dict[str, str] | None = None,
    pointing: re.Pattern[str] | None = None,
    concept_asks: dict[str, set[str]] | None = None,
    record_holds: Callable[[str, str, str], bool] = lambda kind, value, word: True,
) -> Understanding:
    """Fill what a follow-up leaves out from the previous turn, and the program a cohort number
    names ("9기 교육 언제 끝나?")."""
    entities = {k: list(v) for k, v in u.entities.items()}
    features = dict(u.features)
    inherited: dict[str, list[str]] = {}
    said = context.entities.get("program")
    if fresh and isinstance(said, list) and len(said) == 1 and entities.get("program"):
        # a course named only in part ("4차산업" of "4차 산업혁명 이해"), right after a course whose
        # own text holds those words (the 6급 course's "4차 산업혁명 대응 교과"), is a part of it
        loose = [m for m in u.matches if m.kind == "program" and not m.exact]
        if (
            loose
            and not any(m.kind == "program" and m.exact for m in u.matches)
            and all(record_holds("program", said[0], u.key[m.start : m.end]) for m in loose)
        ):
            entities["program"] = list(said)
            inherited["program"] = list(said)
    if fresh and _continues(u, context):
        current_subjects = current_subjects_of(u)
        if current_subjects == {"rank"} and context.intent != "program.recommend":
            current_subjects = set()  # "5급은요?": the same subject, for another rank
        # after an audit topic, a turn naming only a rank asks the same topic ("7급은?")
        topic_too = context.intent == "topic.answer" and not current_subjects - {"rank"}
        # "거기 몇 명이에요?" points at what the last answer brought in (the department), not at
        # the subject it was about; "예산은요?" goes on with the subject
        pointed = bool(context.focus) and pointing is not None and pointing.search(u.text) is not None
        own_concepts = {f for f in u.features if f.startswith("concept.")}
        # the turn's own words a cohort carried over must hold; a half of the year is one, though
        # many records use it
        own_words = [*u.elsewhere, *halves_named(u)]
        # a fact or finding found only by a keyword that asks ("몇 명") is no record of the turn's
        # own: "몇명 규모에요" after a fact goes on with it
        asking = {(m.start, m.end) for m in u.matches if m.kind == "attr" and _COUNT_ASKED.search(m.text)}
        for kind in SOFT_KINDS & set(entities) & set(context.entities):
            if asking and all((m.start, m.end) in asking for m in u.matches if m.kind == kind):
                del entities[kind]
                features.pop(kind, None)
        for kind, values in context.entities.items():
            if kind in entities or (kind not in INHERITABLE and not (topic_too and kind == "topic")):
                continue
            if kind == "budget_line" and (
                own_concepts - {"concept.budget", "concept.org"}
                or (
                    ("concept.org" in own_concepts or "attr.who" in u.features)
                    and any(not record_holds(kind, v, w) for v in values for w in u.elsewhere)
                )
            ):
                # a budget line goes on with money or who runs it, not "입소 기준" of its building,
                # nor with who does a thing it does not hold ("교재 만드는 과는 어디예요")
                continue
            if kind == "session" and any(not record_holds(kind, v, w) for v in values for w in own_words):
                continue  # "하반기엔 몇 명" after one cohort in May asks of the program, not of it
            if topic_too and kind != "topic" and "topic" in context.entities:
                continue  # the finding answered is the subject, not a word it was found by ("필기")
            if any((kind, v) in u.left_out for v in values):
                continue  # "운동장 말고 다른 시설은": not the amenity just spoken of
            valid = known_values.get(kind, set())
            if not isinstance(values, list) or not values or not all(isinstance(v, str) and v in valid for v in values):
                continue
            if kind in SUBJECT_KINDS and (current_subjects or (pointed and kind not in context.focus)):
                continue
            if kind == "event_type" and current_subjects - {"round", "rank"}:
                continue  # an exam's event is no part of a question about a course it names ("이러닝은")
            if (kind in SUBJECT_KINDS or kind == "plan_row") and "whole" in u.features:
                continue  # "전체 교육계획은요" after one course (or plan row) asks the whole, not it
            entities[kind] = inherited[kind] = list(values)
            features.setdefault(kind, 0.9)
        ranks = u.entities.get("rank", [])
        if current_subjects_of(u) == {"rank"} and len(ranks) == 1 and inherited.get("program"):
            # "과장은요?" after the team leaders' course asks the same of the managers' course (the
            # course the last answer was about, beside the program it belongs to)
            siblings = {s for p in inherited["program"] if (s := (rank_siblings or {}).get((p, ranks[0])))}
            if len(siblings) == 1:
                entities["program"] = inherited["program"] = list(siblings)
        own_events = u.entities.get("event_type", [])
        said = context.entities.get("event_type")
        other_round = "round" in u.entities and u.entities.get("round") != context.entities.get("round")
        if (
            len(own_events) > 1
            and isinstance(said, list)
            and said
            and set(said) < set(own_events)
            and not other_round  # "1회 공채 합격자 발표는?" after 2회's written result: either of 1회's
        ):
            # "발표나면 …" after the written exam's announcement: the announcement just spoken of
            entities["event_type"] = [e for e in own_events if e in said]
        if "program" in inherited and "category" in inherited:
            # the course itself goes on, not the field it was found by ("수강 인원은요?")
            del entities["category"], inherited["category"]
            features.pop("category", None)
    own_concepts = any(f.startswith("concept.") for f in u.features)
    if (
        fresh
        and context.concepts
        and not own_concepts
        # a rank alone ("7급은요?") asks the same of that rank, as with a record
        and not (current_subjects_of(u) - ({"rank"} if context.intent != "program.recommend" else set()))
        and "topic" not in inherited  # an audit finding taken over is the subject, not "시험" in general
        and _continues(u, context)
    ):
        # what the turn asks that some answer is for ("제일 많이 깎인 건" is asked of any)
        asks = concept_asks or {}
        own_asks = {f for f in u.features if f.startswith("attr.")} & set().union(*asks.values())
        for concept in context.concepts:  # "상반기엔?" after an e-learning answer
            answers = asks.get(concept)
            if own_asks and answers and not own_asks & answers:
                continue  # "하반기 계획은" (a headcount) after a budget answer: not the budget's
            features.setdefault(concept, 0.9)
    elif fresh and context.concepts and own_concepts and not current_subjects_of(u) and _continues(u, context):
        # "우선순위는요?" after a daycare question: the concepts of the same field go on with it
        own = {
            CONCEPT_FAMILY.get(c) or _FIELD_WHEN_GOING_ON.get(c)
            for f in u.features
            if f.startswith("concept.") and (c := f.split(".", 1)[1])
        } - {None}
        for concept in context.concepts:
            if CONCEPT_FAMILY.get(concept.split(".", 1)[1]) in own:
                features.setdefault(concept, 0.9)
    own_asks = {f for f in u.features if f.startswith("attr.")}
    if (
        fresh
        and own_asks <= {"attr.most"}
        and not current_subjects_of(u)
        # (a question word asks its own thing; an event named asks its date, as ever: "면접은?";
        # "설문 결과 있어요?" asks whether a thing is there)
        and not _ASKS_ITS_OWN.search(u.text)
        and not _ASKS_BEING.search(u.text)
        and "event_type" not in u.entities
        # ("전산 실습도 하나요" after the course's length asks of a thing of its own, not the length)
        and not u.actions
        and _continues(u, context)
    ):
        # "원래 계획은?" after "몇 명 뽑았어요": what the last turn asked, asked again; "제일 낮은
        # 건?": the figure the last turn ranked, ranked again
        # (a turn that names a time of its own, "하반기엔", asks no date again)
        timed = bool(u.years) or bool(halves_named(u))
        for asked in context.asks:
            if not (timed and asked in DATE_ASKS):
                features.setdefault(asked, 0.9)
    cohort = u.cohort
    if (
        fresh and cohort is None and isinstance(context.entities.get("cohort"), int) and "program" in inherited
    ):  # "끝나는 날은?" after "8기는요?"
        cohort = context.entities["cohort"]
        inherited["cohort"] = [str(cohort)]
    elif (
        fresh
        and cohort is None
        and isinstance(context.entities.get("next_from"), int)
        and "program" in inherited
        and asks_next(u)
        and _AFTER_THAT.search(u.text)
    ):  # "그 다음 기수는?" after a course's card that told of its next cohort (a bare "다음 기수는?"
        # asks the next to come, which is the one it told of)
        cohort = context.entities["next_from"]
        inherited["cohort"] = [str(cohort)]
    if cohort is not None and "program" not in entities:
        owners = cohort_programs.get(cohort, set())
        if len(owners) == 1:
            entities["program"] = [next(iter(owners))]
            features["program"] = 0.9
    named = {(rank_programs or {}).get(r) for r in entities.get("rank", [])}
    if (
        "program" not in entities
        and len(named) == 1
        and None not in named
        and any(f.startswith("attr.") for f in features)
        and features.get("rank", 0.0) >= 0.9  # said (nearly) as written, not a typo's guess ("…입니다")
        and current_subjects_of(u) == {"rank"}
        # (a rank that qualifies an exam the question names asks no course: "신규 공채 몇 명")
        and "concept.exam" not in features
    ):
        # a rank whose courses are one program names it, when something is asked of it ("퇴직
        # 앞둔 사람 교육 몇 명 받아요"); "퇴직자 교육 있어요?" still lists the courses for the rank
        entities["program"] = [str(named.pop())]
        features["program"] = 1.0
    return replace(u, entities=entities, features=features, inherited=inherited, cohort=cohort)


def concepts_of(u: Understanding, understander: Understander | None = None) -> tuple[str, ...]:
    """The concepts a turn is about (its own or taken over), for the next turn's context: those
    its answer's intent reads, when it reads any ("저 직원 아니고 주민인데 못 보내요?" is about the
    daycare's priority, not the centre's staff)."""
    concepts = sorted(f for f in u.features if f.startswith("concept."))
    spec = understander.intent(u.intent or "") if understander is not None else None
    uses = {n for n in (*spec.needs, *(s for s, w in spec.signals.items() if w > 0))} if spec else set()
    if not any(n.startswith("concept.") for n in uses) or any(n in SOFT_KINDS for n in uses):
        return tuple(concepts)  # (a free text is about any of its words)
    return tuple(c for c in concepts if c in uses)


def focus_of(u: Understanding, answered: dict[str, Any]) -> tuple[str, ...]:
    """The subject kinds an answer brought in that the question did not name."""
    return tuple(sorted(k for k in answered if k in SUBJECT_KINDS and k not in SOFT_KINDS and k not in u.entities))


def current_subjects_of(u: Understanding) -> set[str]:
    return {k for k in u.entities if k in SUBJECT_KINDS and k not in SOFT_KINDS}


def _continues(u: Understanding, context: Context) -> bool:
    """Whether the turn can lean on the previous one: it names no subject of another family."""
    current_subjects = current_subjects_of(u) - {"rank"}  # a rank alone qualifies, it names nothing
    if current_subjects and not context.entities:
        return False
    families_now = {FAMILY.get(k) for k in current_subjects}
    families_now |= {CONCEPT_FAMILY[m.value] for m in u.matches if m.kind == "concept" and m.value in CONCEPT_FAMILY}
    families_now.discard(None)
    if "self" in u.entities and any(m.kind == "concept" and m.value == "org" for m in u.matches):
        # "인재개발원 직원은 몇 명": the centre's own organisation, a subject of its own (its
        # departments are asked of any subject: "담당 부서는?")
        families_now.add("org")
    if "self" in u.entities and current_subjects <= {"self"} and families_now:
        # "인재개발원 안에 건물이 몇 동": the centre's own buildings (courses, budget), not the one
        # the last turn was about
        return False
    # (a rank the last turn named qualified its subject, it was no subject of its own)
    ctx_families = {FAMILY.get(k) for k in context.entities if k in SUBJECT_KINDS and k != "rank"}
    ctx_families |= {CONCEPT_FAMILY.get(c.split(".", 1)[1]) for c in context.concepts}
    if families_now and ctx_families and not families_now & ctx_families:
        return False
    return "smalltalk" not in u.entities


def asks_aside(u: Understanding, context: Context) -> bool:
    """Whether a turn asks, of the subject the conversation is about, something of another field
    ("거기 숙소도 줘요?" in talk of a course): a record of that field it names, and the report
    cannot answer it, is only the nearest guess, and the next turn goes on with the subject."""
    talked = {FAMILY.get(k, k) for k in context.entities if k in SUBJECT_KINDS and k != "rank"}
    named = {FAMILY.get(k, k) for k in current_subjects_of(u) if k != "rank"}
    return bool(talked and named and not talked & named)


def follow_up(u: Understanding, context: Context, *, fresh: bool, margin: float) -> Understanding:
    """ "그럼 6급 미래인재는?" after "신임자 과정 몇 명이에요?": a bare new subject asks the previous
    question again."""
    if not fresh or "date" in u.features or not u.ranking:
        return u
    names = [(m.start, m.end) for m in u.matches if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS]
    scores = dict(u.ranking)
    previous = context.intent
    if (
        not names
        and asks_next(u)
        and previous in scores
        and not any(m.kind in ("attr", "concept", "event_type", "event_any") for m in u.matches)
    ):
        return replace(u, intent=previous)  # "그 다음은?": the last question, of what comes next
    if current_subjects_of(u) - set(u.inherited) == {"rank"} and "program" in u.inherited and previous in scores:
        return replace(u, intent=previous)  # "7~8급은?" after a course's headcount: the same, of its sibling
    if not names:
        return u  # no new subject: the follow-up ("면접은요?") is read on its own
    if _ASKS_IF_THERE_IS.search(u.text):
        return u  # "드론 교육도 있어요?" asks whether there is one, not the last question of it
    if _ONLY_OF.search(u.text) and previous in scores and previous != u.intent:
        return replace(u, intent=previous)  # "공채 경채만 하면?": the last question, of those only
    if any(
        m.kind in ("attr", "concept", "event_type", "event_any")
        and not any(s <= m.start and m.end <= e for s, e in names)
        for m in u.matches
    ):
        return u  # the new turn asks something of its own ("어린이집 입소 순위 알려줘")
    if previous in scores and previous != u.intent and scores[previous] >= u.score - margin:
        return replace(u, intent=previous)  # as confident as the reading it replaces
    if previous == "plan.overview" and "plan_row" in context.entities and previous != u.intent:
        # "이러닝은요" after a row of the training plan: the same row of the plan for what it names
        entities = {k: v for k, v in u.entities.items() if k != "plan_row"}
        inherited = {k: v for k, v in u.inherited.items() if k != "plan_row"}
        return replace(u, intent=previous, entities=entities, inherited=inherited)
    return u


def decide(
    u: Understanding, understander: Understander, *, covered_years: frozenset[int], min_score: float
) -> str | None:
    """Why the bot must decline (a reason code), or None when it may answer."""
    # Figures and dates are for the report's years; other years the report mentions (2016 LMS,
    # the 2011–2017 tenure table) are only answered from the topic and fact texts that hold them.
    allowed = understander.known_years if u.intent in ("topic.answer", "fact.answer") else covered_years
    if any(y not in allowed for y in u.years):
        return "year"
    if "smalltalk" in u.entities and u.intent is None:
        return None
    if u.unknown_words:
        return "not_in_report" if subject_name(u) and u.intent is not None else "unknown"
    if u.intent is None or u.score < min_score:
        return "unknown"
    spec = understander.intent(u.intent)
    if spec is not None and spec.strict and _asks_something_else(u, spec.signals):
        return "unknown_subject"
    return None


def _asks_something_else(u: Understanding, signals: dict[str, float]) -> bool:
    """A strict intent answers with its record, but the question asks for an attribute the intent
    does not give ("2차 시험 과목", "구내식당 메뉴")."""
    cues = {f for f in u.features if f.startswith("attr.") or f == "date"}
    if any(f in signals for f in cues):
        return False
    return bool(u.unknown_words) or bool(cues - IGNORABLE_CUES)


class Accounting:
    """The coverage gate at the level of the chosen record: what a question asks that its answer
    does not give. Built once per knowledge load."""

    def __init__(
        self,
        record_keys: dict[tuple[str, str], str],
        places: list[str],
        generic_records: int,
        counters: dict[str, list[str]] | None = None,
        split: Callable[[str], list[str] | None] = lambda word: None,  # into two or more words
        year: int = 0,  # the report's year
        persons: list[str] | None = None,  # people "누구예요" may ask the name of
        exactly: list[str] | None = None,  # words that ask a date to the day ("정확히 언제")
        confirms: list[str] | None = None,  # words that ask a statement be confirmed ("맞아요?")
        origins: list[str] | None = None,  # the places the cohorts of international courses were for
        offices: list[str] | None = None,  # the departments: where to ask, not where a thing is
        written: Iterable[str] = (),  # the records' texts as written (without their aliases)
        names: dict[tuple[str, str], str] | None = None,  # the records' names, by (kind, id)
    ) -> None:
        self.names = names or {}
        self.year = year
        self.confirms = _any_of(list(confirms or ()))
        self.person = _any_of(list(persons or ()))
        self.exactly = _any_of(list(exactly or ()))
        self.record_keys = record_keys
        self._named_by_noun: dict[str, bool] = {}
        self._written_words = frozenset(w for text in written for w in re.findall(r"[가-힣]{3,}", text))
        self.split = split  # a word as a sequence of the report's words, or None
        # the units an answer may give a "몇 <unit>" count in ("몇 번" → 회, 번, 차)
        self.counter_units = {unit: units for unit, units in (counters or {}).items()}
        # "과정당", "1인당": a unit of counting and 당 ask a figure per unit
        units = {u for u in counting_units({"counters": self.counter_units}) if u.isalpha()}
        self.per_unit = re.compile(rf"({_any_of(sorted(units)).pattern})당")
        # "팀별로 몇 명씩": a figure for each unit, which the unit's whole total is not
        self.each_unit = re.compile(rf"(?<![가-힣])({_any_of(sorted(units)).pattern})별로?(?=.*씩)")
        self.generic_records = generic_records
        self._holding: dict[str, int] = {}
        place = "|".join(re.escape(p) for p in [*places, *(offices or ())]) or "층"
        site = (
            r"\d+\s*층|(?<![가-힣])지(?:하|상)(?![가-힣])|(?<![가-힣])지(?:하|상)\s*\d|홈페이지|\.kr|"
            r"[가-힣0-9]{2,}(?:연구원|위원회|사업단|재단|공사|공단|협회|대학교|연구소|캠퍼스|수련원|센터)|"
            # a bureau ("행정국"), a public university as the report abbreviates it ("시립대"; a
            # word that merely ends in 대, "공감대", "확대", is no place)
            r"[가-힣]{2,}국(?![가-힣])|[가-힣]{0,2}립대(?:학교)?(?=['’\")\s,]|$)"
        )
        # "장소", "몇 층": a place where a thing is, which a department to ask is not
        self.site = re.compile("|".join([*(re.escape(p) for p in places), site]))
        # What a value of each asked attribute looks like in an answer.
        self.value_of = {
            # a place, the department to ask, or the body that did it ("어디서 했어요": 서울연구원)
            "attr.location": re.compile(rf"{place}|{site}"),
            # a rule of choosing or admitting: ranks, limits, conditions
            # (not the terms of a hire, "채용 조건": pay and service, not who may apply)
            "attr.criteria": re.compile(r"요건|(?<!채용)(?<!채용\s)조건|순위|이내|자격(?!증)|우선"),
            # an address: a web address, or a street and number (a building's name is none)
            "attr.address": re.compile(r"\.kr|\.com|www\.|https?://|[가-힣]+(?:로|길)\s*\d+"),
            "attr.cost": re.compile(r"\d[\d,]*\s*(?:천원|만원|백만원|억|원)"),
            "attr.area": re.compile(r"㎡|평|제곱미터|필지"),
            # a budget's spending expected by the year's end, as the answers give it
            "attr.forecast": re.compile(r"(?:연말|년말)\s*집행\s*예상|예상\s*집행"),
            # who does it: a department (one of the places), or a body ("자치구는 시험장 확보 …")
            "attr.who": re.compile(
                # (not the owner of what is asked: "인재개발원의 비전")
                rf"{place}|인재개발원(?!의)|자치구|[가-힣]{{2,}}(?:담당관|개발원|위원회|사업단|연구원)(?![가-힣])|"
                # a unit the report names in brackets ("'5월, 교통정책과'", "'1월, 시립대'")
                r"[가-힣]{3,}(?:과|팀)(?=['’)\]])|(?<=월,\s)[^'’)\s]{2,}(?=['’)])"
            ),
            # where a course's people came from: a place its cohorts were for ("타슈켄트")
            "attr.origin": _any_of(list(origins or ())),
            # how many applied or sat, and where: a figure said with the words for it ("응시
            # 67,959명", "140개 시험장"); a hiring plan's figures are none
            "attr.count_figures": re.compile(
                r"(?:응시|접수|시험장|시험실)\D{0,6}[\d,]+|[\d,]+\s*(?:개\s*)?(?:시험장|시험실)|응시율"
            ),
            # the series of posts an exam recruits: answers give them as "채용직렬: …"
            "attr.series": re.compile(r"직렬|직류"),
            # a year alone is a date too ("’16년 면접제도 강화"), but the report's own year is
            # mostly the label of what it reports ("2018년 계획", "2018년 당직실 개선 공사"): it
            # dates a thing only as a time said of it ("2018년에", "2018년부터", "2018년 중")
            "attr.schedule": re.compile(
                r"\d{1,2}월|(?<![\d’'])\d{1,2}\.\s?\d{1,2}\.(?!\s*(?:원인행위\s*)?기준)|"
                + _ALWAYS
                + "|상반기(?!\\s*(?:추진\\s*)?실적)|하반기(?!\\s*계획)|"
                + rf"’\d{{2}}년|(?!{year}년)\d{{4}}년(?!\s*(?:업무보고|계획|예산|교육계획|채용계획))|"
                + rf"{year}년(?=\s*(?:에|부터|까지|중|말|초|내|안|\d|[상하]반기))"
            ),
            # "(6.30. 원인행위 기준)" is the date a figure was counted, not a date of the thing asked
            "attr.day": re.compile(
                # ("’18.6.30. 기준": a year and a month, then the date a figure was counted on)
                r"\d{1,2}월\s*\d{1,2}일|(?<![\d’'])\d{1,2}\.\s?\d{1,2}\.(?!\s*(?:원인행위\s*)?기준)|\d{4}-\d{2}-\d{2}|"
                + _ALWAYS
            ),
            "attr.example": re.compile(r"[가-힣A-Za-z0-9」)]\s*등(?=[\s,.)]|$|의|을|이|으로|에서)"),
            "attr.hours": re.compile(r"\d{1,2}\s*시(?![가-힣])|\d{1,2}:\d{2}"),
            # days of the week ("주2회(수, 금)"), not the weekday of one date ("3월 28일(수)")
            "attr.weekday": re.compile(r"(?:[월화수목금토일]\s*[,·]\s*)+[월화수목금토일]|매주\s*[월화수목금토일]"),
            # a person's name and title (the report names none)
            "attr.person": re.compile(
                # (not a word that describes the title: "경험이 풍부한 강사")
                r"(?<![가-힣])[가-힣]{2,4}(?<![한은는의인된할을를이가])\s*"
                r"(?:원장|과장|팀장|강사|교수|위원장|위원|주무관|사무관|박사|씨)(?:님)?(?![가-힣])"
            ),
            "attr.headcount": re.compile(
                NUMBER + r"\s*(?:명|회|개|가지|건|기|차|과정|대|곳|동|층|부|장|면|권|분야|필지|팀|과)"
            ),
            # how a thing is done: an answer that names its way ("채용방법은 서류전형 및 면접",
            # "교육방식: 1일 집합교육")
            "attr.format": re.compile(r"방법|방식|형식|형태|전형|기법"),
            # a cause or an aim ("…을 위해", "…때문", "…하도록", "…을 차단하는")
            "attr.reason": re.compile(
                r"위해|위한|때문|따라|따른|인해|인한|목적|도록|고자|차단|방지|해소|요구|지적|필요"
            ),
            # (not a date's day, "6월 23일", nor a year of four digits, "2018년": they date a thing)
            "attr.duration": re.compile(
                r"(?<!\d)(?<!월)(?<!월\s)\d+\s*(?:주|개월|일|박|시간|분)|(?<![\d’'])\d{1,2}\s*년|상시|\d{1,2}월"
            ),
            # a law by its name or article ("영유아보육법 제28조", "지방공무원법 제25조의5")
            "attr.law": re.compile(r"[가-힣]{2,}법(?![가-힣])|제\s*\d+\s*조|조례|시행령|시행규칙"),
            "attr.article": re.compile(r"제\s*\d+\s*조"),
        }
        # an answer that speaks of money at all: a sum, or the words for it
        self.cost_spoken_of = re.compile(rf"{self.value_of['attr.cost'].pattern}|비용|예산|부담")

    def records_holding(self, word: str) -> int:
        """How many records hold ``word`` (a cohort's text is in its program's: counted once)."""
        if word not in self._holding:
            self._holding[word] = sum(word in text for (kind, _), text in self.record_keys.items() if kind != "session")
        return self._holding[word]

    def generic(self, word: str) -> bool:
        """A word of the whole domain ("공무원", "서울시"): many records use it, so it names none."""
        return self.records_holding(word) >= self.generic_records

    def missing(self, u: Understanding, uses: set[str], answer: str) -> list[str]:
        """Words of the question that the answer and its records do not account for: content
        words the report knows but the answer lacks, records named beside the one the intent
        answers about, and a suffix's attribute the intent does not give ("수강료")."""
        # (a concept the intent does not answer about covers no building read at the same words:
        # "어린이집에 cctv" names the daycare's building beside the security works)
        buildings = {(m.start, m.end) for m in u.matches if m.kind == "building"}
        cues = [
            (m.start, m.end)
            for m in u.matches
            if m.kind in CUE_KINDS
            and (m.kind != "concept" or f"concept.{m.value}" in uses or (m.start, m.end) not in buildings)
        ]
        # words read as the record the intent answers about name no other record as well
        # ("5급 역량평가": the assessment, and its budget line)
        cues += [(m.start, m.end) for m in u.matches if m.kind in uses and m.kind in SUBJECT_KINDS]
        words = list(u.elsewhere)
        beside = [
            m
            for m in u.matches
            if m.kind in SUBJECT_KINDS
            and m.kind not in uses
            and m.kind != "rank"
            and m.kind not in SOFT_KINDS
            and m.kind not in u.inherited
            and not covered(m, cues)
        ]
        words += [u.key[m.start : m.end] for m in beside]
        # a keyword naming what the question is about ("다른 시도랑 맞추라는 건": the finding)
        words += [u.key[m.start : m.end] for m in u.matches if m.kind not in uses and self.names_topic(u, m)]
        # the line citing the report ("(2018년 업무보고 기준 · 출처 …)") says nothing asked
        compact = key("\n".join(line for line in answer.splitlines() if not line.startswith(f"({BASIS}")))
        # A record a keyword pointed at accounts for words only when the answer shows it (the
        # keyword is in the answer): "원장" of an audit topic accounts for nothing under a
        # building's card.
        # (as a word of the answer, not across two of its words: "시험일" is not in "시험 일정")
        spaced = " ".join(
            key(w) for line in answer.splitlines() if not line.startswith(f"({BASIS}") for w in line.split()
        )
        shown = {
            (m.kind, m.value)
            for m in u.matches
            if any(form in spaced for form in (" ".join(key(w) for w in m.text.split()), u.key[m.start : m.end]))
        }
        own = "".join(
            self.record_keys.get((kind, str(v)), "")
            for kind, values in u.entities.items()
            if isinstance(values, list)
            for v in values
            if kind in uses or kind not in SOFT_KINDS or (kind, v) in shown
        )

        # (a sum asked is of what the answer says it of: a word only the record holds names a
        # part whose sum is not given, "미래인재 예산 중에 국제반 어학교육비")
        holding = compact if "cost" in u.suffix_attrs and "attr.cost" in u.features else f"{compact}\n{own}"

        def shown(word: str) -> bool:
            # in the answer or its records, also as the words it is made of ("외국공무원" for the
            # record "외국도시공무원 초청연수")
            return self.generic(word) or self.holds(word, holding)

        missing = [w for w in dict.fromkeys(words) if not shown(w)]
        # a record named beside the one answered about is accounted for by the answer (by any of
        # the words that named it), not by its own record ("창의관 몇 층에 도서실": the building's
        # floors say nothing of the library)
        used = "".join(
            self.record_keys.get((k, str(v)), "")
            for k in uses
            if isinstance(u.entities.get(k), list)
            for v in u.entities[k]
        )
        named_as: dict[tuple[str, str], list[str]] = {}
        for m in u.matches:
            named_as.setdefault((m.kind, m.value), []).append(u.key[m.start : m.end])
        unshown = [
            w
            for m in beside
            if (w := u.key[m.start : m.end]) not in missing
            and not self.generic(w)
            and not any(self.holds(form, f"{compact}\n{used}") for form in named_as[(m.kind, m.value)])
        ]
        # a rank asked of a record must be one it is for ("7급 역량평가": the assessments are of
        # 4급 and 5급), as the answer or its records write it, alone or in a range ("6~9급")
        missing += [
            m.text
            for m in _asked_ranks(u)
            if "rank" not in uses and "rank" not in u.inherited and not rank_fits(m.text, f"{answer}\n{own}")
        ]
        missing += [
            u.suffix_nouns.get(attr, word)
            for attr, word in u.suffix_attrs.items()
            if f"attr.{attr}" not in uses
            and not self.holds(key(word), compact)
            # "용역비" under a works item that gives its cost ("167백만원")
            and not ((value := self.value_of.get(f"attr.{attr}")) is not None and value.search(answer))
        ]
        # an attribute the intent gives is of the thing its word names ("인쇄비" is the cost of
        # 인쇄): that thing must be in the answer too
        missing += [
            u.suffix_nouns.get(attr, word)
            for attr, word in u.suffix_attrs.items()
            if f"attr.{attr}" in uses
            and len(stem := key(word)[:-1]) >= 2
            # (a fee, "보육료", is what users pay: a budget line of 보육 is none unless it names it)
            and not shown(key(word) if key(word).endswith("료") else stem)
        ]
        # (what else the question asks that the report lacks is said first: "식비" of the course,
        # not the course under the cafeteria's card)
        return missing or unshown

    def record_holds(self, kind: str, value: str, word: str) -> bool:
        """Whether the text of record (``kind``, ``value``) holds ``word`` (a matching key)."""
        return word in self.record_keys.get((kind, value), "")

    def names_topic(self, u: Understanding, m: Match) -> bool:
        """Whether a keyword of a free-text record, said as written, long and used by few records,
        names what the question is about ("다른 시도"), rather than merely pointing at a record."""
        cues = [(c.start, c.end) for c in u.matches if c.kind in CUE_KINDS]
        return (
            m.kind in SOFT_KINDS
            and m.exact
            and m.length >= 4
            and not self.generic(u.key[m.start : m.end])
            and not covered(m, cues)
        )

    def holds(self, word: str, compact: str) -> bool:
        """Whether a text (as a matching key) holds ``word``: as it is, as the report's words it
        is made of ("계획수립" in "계획을 수립하여"), or as two words written together
        ("소방공무원": 소방직 공무원)."""
        if word in compact:
            return True
        parts = [p for p in (self.split(word) or []) if len(p) >= 2]
        if len(parts) >= 2 and all(p in compact for p in parts):
            return True
        if any(word[:i] in compact and word[i:] in compact for i in range(2, len(word) - 1)):
            return True
        # a word said of a thing the text counts ("지하층": 지하 1층)
        return any(re.search(rf"{re.escape(word[:i])}\d+{re.escape(word[i:])}", compact) for i in range(1, len(word)))

    def unanswered_values(self, u: Understanding, answer: str) -> list[str]:
        """The question words whose value (a place for "어디", a date for "언제") the answer lacks,
        the years other than the report's that the answer does not speak of ("2019년 예산"), and a
        year the question ties to a word that the answer ties to another year ("2018년 행정사무감사"
        answered by the 2017 one)."""
        asked = self.asked(u)
        missing = [word for word, pattern in asked if not pattern.search(answer)]
        body = "\n".join(line for line in answer.splitlines() if not line.startswith("("))  # not the basis
        # a sum asked of a part the answer only lists ("재산임대 수입은 얼마": 재산임대 is one of
        # the kinds of a revenue line whose sum is given): the sum must be said of it
        told = sentences(body)
        sums = [p for _, p in asked if p is self.value_of["attr.cost"]]
        if sums and not missing:
            missing += [
                w
                for w in [*u.elsewhere, *(key(x) for x in u.suffix_attrs.values())]
                if not self.generic(w)
                and w in key(body)
                and not any(w in key(x) and all(p.search(x) for p in sums) for x in told)
            ]
        # a value asked of what a keyword names ("제주도 문화탐방 날짜"): when the answer speaks of
        # it, the value must be said of it, in one sentence, not of the course around it
        # (an answer that is the keyword's own record says it of it throughout)
        family = (u.intent or "").split(".")[0]
        own = {u.key[m.start : m.end] for m in u.matches if m.kind == family}
        named = {w: m.text for m in u.matches if self.names_topic(u, m) and (w := u.key[m.start : m.end]) not in own}
        named.update({h: h for h in self.halves_asked(u, [p for _, p in asked])})
        if named and asked and not missing:
            missing += [
                f"{said} {asked_noun(asked[0][0])}"  # "50플러스캠퍼스 날짜"
                for w, said in named.items()
                if w in key(body) and not any(w in key(x) and any(p.search(x) for _, p in asked) for x in told)
            ]
        if not missing:
            missing += self._counts_of_others(u, body, asked)
        if not missing and u.counters:
            missing += only_as_examples(u, body)
        if not missing:
            missing += part_of_a_count(u, body)
        if not missing and u.intent == "budget.info" and not u.features.keys() & _MONEY_ASKS:
            # a budget line's card gives money only: who the line's programme is for is not in it
            # ("HRD역량강화프로그램은 누구 대상이에요")
            missing += ["대상" for m in u.matches if m.kind == "attr" and m.value == "target"][:1]
        return missing + self.years_of_others(u, body)

    def years_of_others(self, u: Understanding, body: str) -> list[str]:
        """The years the question ties to a word that the text ties to another year only
        ("2018년 행정사무감사" told of the 2017 one)."""
        out: list[str] = []
        for m in _YEAR_WORD.finditer(u.text):
            year, word = m.group(1), m.group(2)[:2]
            said = {y for y, _ in re.findall(rf"(\d{{4}})년\s*({re.escape(word)})", body)}
            if said and year not in said and not year_written(int(year)).search(body):
                out.append(f"{year}년")
        # a year asked of a series the text gives year by year, without that year ("2018년 한 부서
        # 평균재직기간": 2011년 2년4개월, …, 2017년 2년10개월)
        series = set(re.findall(r"(?<!\d)(\d{4})년\s*[\d,.]+\s*(?:[년개명회%원]|천원|억)", full_years(body)))
        if len(series) >= 3:
            out += [f"{y}년 수치" for y in dict.fromkeys(u.years) if str(y) not in series and f"{y}년" not in out]
        return out

    def _counts_of_others(self, u: Understanding, body: str, asked: list[tuple[str, re.Pattern[str]]]) -> list[str]:
        """The counts asked of a part that the answer gives only of others or of the whole: of
        the people one role names ("필기 합격자 몇 명": 응시 67,959명 is no count of 합격자), and
        of one rank of a record for several ("2회 공채 9급은 몇 명": its 1,971명 is all ranks')."""
        out: list[str] = []
        items = _items(body)
        for word, unit in self.counted_heads(u) if u.counters else []:
            pattern = self._count_in(unit)
            if not any(any(s in key(x) for s in (word, word[:-1])) and pattern.search(key(x)) for x in items):
                out.append(f"{word} 수")
        counts = [p for w, p in asked if w.startswith("몇") or p is self.value_of["attr.headcount"]]
        out += self.units_of_others(u, body)
        # (unless the rank is what names the record: "7급 공채 몇 명")
        if out or not counts or subject_match(u) is None or len(ranks_written(body)) < 2:
            return out
        for m in _asked_ranks(u):
            if "rank" in u.inherited or not (r := re.match(r"\d", m.text)):
                continue
            if not any(int(r.group(0)) in ranks_written(x) and any(p.search(x) for p in counts) for x in items):
                out.append(f"{m.text} 인원")
        return out

    def units_of_others(self, u: Understanding, body: str) -> list[str]:
        """A count of the units of a department the question names ("인재채용과는 팀이 몇 개"),
        when no item of ``body`` says it of that department (the centre's "14팀" is not its)."""
        units = _UNITS_COUNTED.search(u.text)
        named = [key(m.text) for m in u.matches if m.kind == "department" and "department" not in u.inherited]
        # ("거긴 팀이 몇 개야" after a department's duties: the department talked about)
        named += [key(n) for d in u.inherited.get("department", []) if (n := self.names.get(("department", d)))]
        if units is None or not named:
            return []
        unit = units.group(1) or units.group(2)
        said = named[0]
        items = _items(body)
        if any(said in key(x) and re.search(rf"\d+\s*{unit}", x) for x in items):
            return []
        return [f"{unit} 수"]

    def halves_asked(self, u: Understanding, values: list[re.Pattern[str]]) -> list[str]:
        """The half of the year a question asks a value of ("하반기엔 어느 나라"): the answer must
        say the value of that half, not the first half's cohorts. (Not when the value asked, one
        of ``values``, is a time: "하반기 언제" asks when within it.)"""
        if not values or any(p is self.value_of["attr.schedule"] or p is self.value_of["attr.day"] for p in values):
            return []
        return halves_named(u)

    def counted_heads(self, u: Understanding) -> list[tuple[str, str]]:
        """The words a question counts ("합격자 몇 명" → 합격자), with their unit, when they are
        words of the report that name neither the subject nor the whole domain."""
        out = []
        names = [(m.start, m.end) for m in u.matches if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS]
        for m in _COUNTED_HEAD.finditer(u.text):
            word, after = key(m.group(1)), key(m.group(2))
            unit = next((c for c in sorted(u.counters, key=len, reverse=True) if after.startswith(c)), "")
            if not unit or len(word) < 3 or word[-1] not in _PERSON_SUFFIX or self.generic(word):
                continue
            at = u.key.find(word)
            if any(s <= at < e for s, e in names) or not self.records_holding(word):
                continue
            out.append((word, unit))
        return out

    def asked(self, u: Understanding) -> list[tuple[str, re.Pattern[str]]]:
        """The values a question asks for, as (question word, what a value looks like)."""
        # the other values asked, as said (a typo-tolerant cue is no guess of another question)
        other = {f"attr.{m.value}" for m in u.matches if m.kind == "attr" and m.exact} - _NOT_VALUES - {"attr.cost"}
        figures = {a for a in other if a in self.value_of} - {"attr.reason"}
        counted = [(f"몇 {unit}", self._count_in(unit)) for unit in u.counters]
        # a word read as a narrower attribute too ("무슨 요일": weekday, not any date) asks that one
        narrower = {(m.start, m.end) for m in u.matches if m.kind == "attr" and m.value in ("weekday", "day")}
        # a year written out ("2019년 예산") that is not the report's must be the answer's too
        years = [
            (f"{y}년", year_written(y))
            for y in dict.fromkeys(u.years)
            if y != self.year
            and (
                re.search(rf"{y}|[’']\s*{y % 100:02d}|(?<!\d){y % 100:02d}\s*년", u.text)
                or self._year_asked(u)  # "내년 필기 날짜는", not "내년 퇴직인데 교육 있어요?"
            )
        ]
        in_year = [_date_in(int(word[:4])) for word, _ in years]
        # "필기 날짜 다른 시도랑 같아진다던데 맞아요?" asks whether a statement holds, not a date:
        # its cue words name what the statement is about; only a question word asks a value
        confirming = self.confirms.search(u.text) is not None and not _QUESTION_WORD.search(u.text)
        # "비용은 본인이 내요?" names the cost without asking a sum: the answer must speak of it
        named_cost = [
            (u.key[m.start : m.end], self.cost_spoken_of)
            for m in u.matches
            if m.kind == "attr" and m.value == "cost" and m.exact and not _QUESTION_WORD.search(m.text) and not other
        ]
        # "과정당 개발비", "1인당 얼마": a figure per unit, which a total is not
        cost_word = u.suffix_attrs.get("cost", "")  # "과정당 개발비" says per what, and what
        per_unit = (
            [
                # (or for one of them: "1회 125명")
                (
                    f"{m.group(0)} {cost_word}".strip(),
                    re.compile(rf"{m.group(1)}\s*당|(?<![\d,])1\s*{m.group(1)}\s*[\d,]+"),
                )
                for m in self.per_unit.finditer(u.key)
            ]
            + [
                # "한 끼 얼마", "한 달에 얼마": the cost of one of a unit, which a total is not
                (f"1{unit}당 금액", re.compile(rf"{unit}\s*당|(?<![\d,])(?:1|한)\s*{unit}\s*(?:에\s*)?[\d,]+"))
                for unit in (m.group(1) for m in _ONE_UNIT_COST.finditer(u.text))
            ]
            + [
                # each one named with its figure ("인재양성과 37명"), not a count of them ("14팀")
                (f"{m.group(1)}별 인원", re.compile(rf"[가-힣]{{2,}}{m.group(1)}\s*[(:]?\s*\d"))
                for m in self.each_unit.finditer(u.text)
            ]
        )
        # "몇 명씩 들어가요": a count for each of something ("1회 125명", "5명씩"), not a total
        each = [
            (
                f"몇 {m.group(1)}씩",
                re.compile(
                    rf"[\d,]+\s*{m.group(1)}\s*씩|당\s*[\d,]+\s*{m.group(1)}|{m.group(1)}\s*당|"
                    rf"(?<![\d,])(?:1|한)\s*(?:회|반|조|기|팀|번)\s*(?:에\s*)?[\d,]+\s*{m.group(1)}"
                ),
            )
            for m in _EACH_COUNTED.finditer(u.text)
            # (not of each of the things named: "국내반 국제반 각각 몇 명씩", "직급별로 몇 명씩")
            if not _EACH_OF_NAMED.search(u.text)
        ][:1]
        # "순위가 몇 번째": a place in an order ("3순위"), not a count
        ordinal = [("몇 번째", _ORDINAL)] if _ASKS_ORDINAL.search(u.text) else []
        # "3개 과정이 뭐뭐에요", "과정 목록": the names of the things, which a count of them is not
        listed = [("목록", _LISTED)] if _ASKS_NAMES.search(u.text) or which_of_its_own(u.text) else []
        # "면접 질문 뭐 나와요": the questions themselves, which only a quoted one gives
        listed += [("질문 내용", _QUOTED_ITEM)] if _ASKS_ITEMS_SAID.search(u.text) else []
        # "응시율 얼마였어요": a rate is asked, which only a percentage gives
        rates = [
            (m.group(0), _PERCENT)
            for m in _RATE_WORD.finditer(u.text)
            if _QUESTION_WORD.search(u.text) and not confirming
        ][:1]
        # "일주일에 몇 번": a count per week or month is said per week or month ("주2회", "매월"),
        # and "일주일" read as a date cue there asks no date
        periods = [(key(m.group(0)), label, pattern) for rx, pattern, label in _PER_PERIOD if (m := rx.search(u.text))]
        per_period = [(label, pattern) for _, label, pattern in periods]
        period_words = {said for said, _, _ in periods}
        # "12월 며칠이었어요": a day of that month, which a date of another month is not
        month_day = [
            (f"{n}월 날짜", re.compile(rf"(?<!\d){n}\s*월\s*\d{{1,2}}\s*일|(?<![\d’'.])0?{n}\.\s?\d{{1,2}}\."))
            for n in dict.fromkeys(_MONTH_DAY_ASKED.findall(u.text))
        ][:1]
        return (
            years
            + month_day
            + counted
            + named_cost[:1]
            + per_unit[:1]
            + per_period[:1]
            + each
            + rates
            + ordinal
            + listed
            + [
                (self._word_asked(u, m), self._value_asked(u, m, pattern, in_year[0] if in_year else None))
                for m in u.matches
                if (pattern := self.value_of.get(f"{m.kind}.{m.value}")) is not None
                and not confirming
                # "왜 이렇게 낮아요, 몇 %?" asks the figure; only "왜" asked alone asks a cause
                # ("인원 줄어든 이유가 뭐야" names the figure, asks its cause)
                and not (m.value == "reason" and (counted or rates or (figures and re.search(r"몇|얼마", u.text))))
                and not (m.value == "schedule" and (m.start, m.end) in narrower)
                and not (m.value == "schedule" and any(u.key[m.start : m.end] in w for w in period_words))
                and not (ordinal and m.value == "headcount" and u.key[m.start : m.end] in ("몇번", "몇"))
                # of the exam figures, those of people ("응시자", "접수인원") ask a figure; "시험장"
                # names a thing ("시험장 확보는 누가"), and "몇 군데" is asked by its counter
                and not (
                    m.value == "count_figures"
                    and not re.search(r"(?:자|인원|율)$", u.key[m.start : m.end])
                    and not re.match(r"(?:사람|인원|명수|수)", u.key[m.end :])  # "원서 낸 사람"
                )
                # "몇 개" counted in its own units is asked once: not again as any headcount ("53명")
                and not (m.value == "headcount" and counted and u.key[m.start : m.end].startswith("몇"))
                # "얼마" asks a sum only when it asks nothing else ("응시율 얼마야" asks a rate)
                and (m.value != "cost" or (_QUESTION_WORD.search(m.text) and not other))
                # "직렬이 어디까지예요" asks how far the thing named reaches, not a place
                and not (m.value == "location" and _HOW_FAR_IS.search(u.key))
                # "어떤 방식으로" asks the way; "어떻게 돼요" asks nothing of the kind
                and (m.value != "format" or key(m.text) != "어떻게")
                # "무슨 직렬로 뽑아요" asks which series; "9급 행정 직렬 시험 언제" names one
                and (m.value != "series" or _asked_next_to(u.key, m))
                # "인재양성과 담당업무" asks what the department named does, not who does it
                and (m.value != "who" or "department" not in u.entities)
                # "누구예요" asks a person when a person is named ("강사는 누구예요"), not a group
                # ("1순위 누구야") or who may attend ("대상이 누구예요")
                and (
                    m.value != "person"
                    or self._name_of(u) is not None  # "팀 이름" asks the teams' names
                    or key(m.text).startswith("누가")  # "누가 강의해요", "누가 나와요": who does it
                    or (
                        self.person.search(u.text) is not None
                        and not any(
                            t.kind == "attr" and t.value == "target" and not (m.start <= t.start and t.end <= m.end)
                            for t in u.matches
                        )
                    )
                )
            ]
        )

    def _name_of(self, u: Understanding) -> str | None:
        """The noun whose names a question asks ("팀 이름", "4개 기관 이름이 뭐예요"): an answer
        must give names ending in it. Only a noun the report names things by a word ending in
        (출연기관, 평정위원): "건물 이름" asks for the buildings, whose names end in 관."""
        named = _NAME_OF.search(u.text)
        if named is None:
            return None
        noun = named.group(1)
        if noun in ("팀", "과"):
            return noun  # the units of the centre: the report names its 과 and none of its 팀
        if len(noun) < 2 or any(m.kind == "concept" and u.key[m.start : m.end] == noun for m in u.matches):
            return None  # "과정 이름": a kind of record, whose names are its records' own
        if noun not in self._named_by_noun:
            # (a word of its own, a particle at most after the noun: not "있는 건물입니다")
            name = re.compile(rf"[가-힣]{{2,}}{re.escape(noun)}[가-힣]?")
            self._named_by_noun[noun] = any(name.fullmatch(w) for w in self._written_words)
        return noun if self._named_by_noun[noun] else None

    def _word_asked(self, u: Understanding, m: Match) -> str:
        """The question's word for what a cue asks; a name asked with a person's title is that
        person's name ("과장님 이름" → "과장 이름", not the name of the department asked about)."""
        word = u.key[m.start : m.end]
        noun = _WHICH.sub("", word)
        if len(noun) >= 2 and noun != word:  # "무슨직렬" asks 직렬
            return noun
        if m.value == "person":
            title = self.person.search(u.text)
            if title is not None:  # "강사는 누구예요" asks the lecturer's name
                return f"{title.group(0)} {word if word in ('이름', '성함') else '이름'}"
            named = self._name_of(u)
            if named is not None:
                return f"{named} {word}"  # "팀 이름"
        if m.value == "count_figures" and word.endswith("자"):
            return f"{word} 수"  # the number of those who applied is what is asked
        if m.value == "count_figures" and u.key[m.end :].startswith("사람"):
            return f"{m.text} 사람 수"  # "원서 낸 사람"
        return word

    def _value_asked(
        self, u: Understanding, m: Match, pattern: re.Pattern[str], in_year: re.Pattern[str] | None
    ) -> re.Pattern[str]:
        """What the value a cue asks looks like in this question, narrower than the cue's own."""
        if m.value == "cost" and key(m.text) == "얼마" and not of_money(u):
            # "평균 얼마였어요" of a tenure: how much of what is spoken of, not a sum of money
            return _QUANTITY
        said_at = u.text.find(m.text) if m.value == "example" else -1
        before = re.search(r"([가-힣]{2,})\s*(?:의\s*)?$", u.text[:said_at]) if said_at >= 0 else None
        if before is not None:
            # "분야 예시": a list, to 등, said with the kind it lists ("노동조사요원 등 25개 분야")
            noun = re.escape(before.group(1))
            return re.compile(rf"{noun}[^.\n]*?{pattern.pattern}|{pattern.pattern}[^.\n]{{0,15}}?{noun}")
        if m.value == "duration" and m.exact and (unit := _LENGTH_UNIT.search(key(m.text))) is not None:
            # "몇 분", "몇 시간": a length in that unit, not a date ("6월 23일") nor weeks
            return _LENGTHS[unit.group(0)]
        if m.value == "location" and _HOW_FAR.search(u.key):
            return _STATUS  # "어디까지 진행됐어요" asks how far it has got, not where
        if m.value == "location":
            return self._place_of(u)
        named = self._name_of(u)
        if m.value == "person" and named is not None and self.person.search(u.text) is None:
            return re.compile(rf"[가-힣]{{2,}}{named}(?![가-힣])")  # "팀 이름": 인재기획팀 …
        if (
            m.value == "headcount"
            and not u.counters  # "몇 과정" asks a count whatever the answer
            and (u.intent or "").startswith("budget.")
            and "attr.cost" in self.value_of
        ):
            return self.value_of["attr.cost"]  # "세입예산 규모": the size of a budget is a sum
        if in_year is not None and f"{m.kind}.{m.value}" in DATE_ASKS:
            return in_year  # "내년 필기 날짜는": a date of that year, not any date of a text about it
        if m.value == "schedule" and self.exactly.search(u.text):
            return self.value_of["attr.day"]  # "정확히 언제": a day, not a half-year or a month
        if m.value == "schedule" and re.fullmatch(r"몇월(?:달)?", key(m.text)):
            return _A_MONTH  # "몇 월에 해요": a month (or a day of one), not a year
        if m.value == "weekday" and (u.intent or "").startswith("exam."):
            # "발표 무슨 요일이에요": an exam event's weekday is that of its date; a course's
            # weekdays are the days of the week it runs
            return _one_day_or(pattern)
        return pattern

    def _place_of(self, u: Understanding) -> re.Pattern[str]:
        """What answers "어디" of this question: a place, or a named one of the kind of place the
        question speaks of ("수련원이 어디예요" → 다산수련원)."""
        # (a word of the name of the subject taken over names it, no kind of place: "포럼 장소는요"
        # after the forum asks where the forum is, not which forum)
        taken = [key(self.names.get((k, str(v)), "")) for k, vs in u.inherited.items() for v in vs]
        kinds = [w for w in u.elsewhere if len(w) >= 2 and not any(w in n for n in taken)]
        # a cue other than "어디" ("장소", "위치", "몇 층", "어느 건물") asks where the thing itself is
        where = any(
            m.kind == "attr" and m.value == "location" and not key(m.text).startswith("어디") for m in u.matches
        ) or bool(_PLACE_WHERE.search(u.text))
        if _BY_WHOM.search(u.key) and not where:
            # "문제출제는 어디서 해요": the body that does it ("인재개발원은 … 문제출제 … 를 맡고")
            return self.value_of["attr.who"]
        base = self.site if where else self.value_of["attr.location"]
        if not kinds:
            return base
        named = "|".join(re.escape(w) for w in kinds)
        # "어디 지침이 근거예요" asks which of the kind: its name may be written apart from the kind
        # ("보건복지부 지침"; not a word with its particle, "비용과 건물")
        which = [w for w in kinds if re.search(rf"(?:어디|어느)\s*{re.escape(w)}", u.text)]
        apart = "|".join(re.escape(w) for w in which)
        spaced = rf"|[가-힣]{{2,}}(?<![과와은는이가을를의에도로])\s(?:{apart})" if which else ""
        return re.compile(rf"{base.pattern}|[가-힣]{{2,}}(?:{named}){spaced}")

    def _year_asked(self, u: Understanding) -> bool:
        """Whether a year named relative to today ("내년") is in the clause that asks a value, or
        is all the turn asks ("작년엔요?")."""
        bare = _LEAD_FILLER.sub("", u.key)  # ("그럼 작년엔요?" is "작년엔요?")
        if any(len(w) > 1 and w in bare and len(bare.replace(w, "")) <= 3 for w in RELATIVE_YEARS):
            return True
        cues = [
            u.key[m.start : m.end]
            for m in u.matches
            # an exam event asks its date ("내년 필기 날짜는")
            if (m.kind == "attr" and f"attr.{m.value}" in self.value_of) or m.kind == "event_type"
        ] + ["몇"]
        return any(
            any(len(w) > 1 and w in part for w in RELATIVE_YEARS) and any(c in part for c in cues)
            for part in clauses(u.text)
        )

    def _count_in(self, unit: str) -> re.Pattern[str]:
        units = self.counter_units.get(unit) or [unit]
        # a number of years is no year ("경력 몇 년": not 2018년 nor ’17년)
        calendar = r"(?<![’'‘\d])(?!(?:19|20)\d\d\s*년)" if "년" in units else ""
        return re.compile(calendar + NUMBER + r"\s*(?:개\s*)?(?:" + "|".join(re.escape(x) for x in units) + ")")

    def asked_values(self, u: Understanding) -> list[re.Pattern[str]]:
        return [pattern for _, pattern in self.asked(u)]


# Words that only lead into a turn ("그럼 작년엔요?", "아 근데 …", "ㅇㅇ 그리고 …")
LEAD_IN_WORDS = (
    *("아", "음", "어", "오", "혹시", "참", "그럼", "그러면", "그리고", "근데", "그런데", "그래서"),
    *("별개로", "참고로", "덧붙여", "덧붙여서"),  # (a turn set apart from, or added to, the last)
    *("다른 얘긴데", "다른얘긴데", "딴 얘긴데", "딴얘긴데", "다른 질문인데", "다른질문인데"),
    *("ㅇㅇ", "ㅇㅋ", "네", "넵", "예", "응", "웅"),  # (acknowledgements said before a turn)
)
_LEAD_FILLER = re.compile(rf"^(?:{'|'.join(LEAD_IN_WORDS)})+")  # (in a key, where no space sets them apart)
# ... said apart in a turn; a syllable before another that stands alone, but for 그/이/저, is a
# word cut in two or a number, not a lead-in ("네 개 기관", "예 산")
_LEAD_IN = re.compile(rf"\s*(?:(?:{'|'.join(LEAD_IN_WORDS)})[\s,.~!]+(?!(?![그이저])[가-힣](?:[\s?.!,~]|$)))+")
# ... or letters of a lead-in typed on to the next word ("ㅇㅋ감사요"): loose letters end a word
_JAMO_LEAD_IN = re.compile(
    rf"\s*(?:{'|'.join(w for w in LEAD_IN_WORDS if all('ㄱ' <= ch <= 'ㅣ' for ch in w))})+(?=[가-힣])"
)
# A closing ending that may ask ("…있어요", "…하나여", "…뭐임")
_ASKING_ENDING = re.compile(r"(?:요|까|나|니|냐|죠|임|여)\s*[?.!~]*\s*$")

# "상시", "수시", "매월" as words of their own: not "상시학습" (a programme's name) nor "누수시설"
_ALWAYS = r"(?<![가-힣])(?:상시|수시|매월|매주)(?!학습|설)"


def _asked_next_to(k: str, m: Match) -> bool:
    """Whether a question word asks the cue itself: in it or just before it ("무슨 직렬"), or
    just after it ("직렬이 뭐예요")."""
    return bool(_ASKS_BEFORE.search(k[max(0, m.start - 2) : m.end])) or bool(_ASKS_AFTER.match(k, m.end))


# "시험장 어디임", "강의실은 어디": 어디 of a place (a word ending in 장, 실, 소, 터) asks where
# it is, which an office that runs it is not
_PLACE_WHERE = re.compile(
    r"[가-힣](?:장|실|소|터)\s*(?:은|는|이|가)?\s*어디"
    # (or where a thing is seen: "공고는 어디서 봐요" asks a site, no office)
    r"|어디\s*(?:서|에서)\s*(?:봐|보|볼|확인|찾|검색)"
)

# "팀 이름": the names of the organisation's units, which end in the unit ("인재기획과")
_NAME_OF = re.compile(r"(?<![가-힣])([가-힣]{1,4}?)(?:들)?(?:의)?\s*(?:이름|명칭)")
# "어디서 해요", "어디에서 맡아요": where a thing is done is also who does it
_BY_WHOM = re.compile(r"어디(?:서|에서)(?:해|하|맡|담당|준비|만들|처리|내|정해|결정)")
# Where a sentence of the report's polite style ends inside a line ("…했습니다. 그리고 …")
SENTENCE_END = re.compile(r"(?<=[다요]\.)\s+")


# a figure said with its unit, three digits or more (not a round's number, "2회", nor a year)
_QUOTED_FIGURE = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+|\d{3,})(?=\s*(?:회|명|개|과정|천원|원|%|곳|건|시간))")


def quoted_figures(text: str) -> list[str]:
    """The figures a question quotes ("386회", "2,984명"), without their commas."""
    return [m.group(1).replace(",", "") for m in _QUOTED_FIGURE.finditer(text)]


def figures_unsaid(u: Understanding, answer: str) -> list[str]:
    """The figures the question quotes ("386회라는데 e러닝도 포함이에요?") that the answer does
    not say: what the question asks about is a passage that says them."""
    plain = re.sub(r"(?<=\d),(?=\d)", "", answer)
    return [f for f in quoted_figures(u.text) if not re.search(rf"(?<![\d.]){f}(?![\d])", plain)]


def part_of_a_count(u: Understanding, body: str) -> list[str]:
    """A count asked of a part of a counted whole ("217명 중에 7급은 몇 명", "28명 중 여직원은
    몇 명"): the answer must give a count in what it says of that part, not the whole's."""
    out = []
    for m in _PART_OF_COUNT.finditer(u.text):
        part = key(m.group(1))
        if len(part) < 2:
            continue
        said = re.compile(re.escape(part) + r"\D{0,4}\d")  # ("국내반 69, 국제반 28")
        if not any(part in key(x) and (re.search(r"\d[\d,]*\s*명", x) or said.search(key(x))) for x in _items(body)):
            out.append(f"{part} 인원")
    return out


def only_as_examples(u: Understanding, body: str) -> list[str]:
    """The words a count is asked of that the answer names only as an example of a group
    ("노동조사요원 등 25개 분야 27명"): the group's figure is no count of that one."""
    out = []
    for w in u.elsewhere:
        said = [m.end() for m in spelt(w).finditer(body)]
        if re.search(re.escape(w) + r"(?:이나|나|이랑|랑)?(?:같은|같이|처럼|등)", u.key):
            continue  # (the question's own example: "노동조사요원 같은 분야가 몇 개")
        if len(w) >= 3 and said and all(re.match(r"\s*(?:등|외)(?![가-힣])", body[at:]) for at in said):
            out.append(f"{w} 인원" if "명" in u.counters else f"{w} 수")
    return out


@lru_cache(maxsize=4096)
def spelt(name: str) -> re.Pattern[str]:
    """A name (a matching key) as a text may write it, spaced or not."""
    return re.compile(r"\s*".join(re.escape(ch) for ch in name), re.IGNORECASE)


# the attributes a question of money asks
_MONEY_ASKS = frozenset(
    {"attr.cost", "attr.rate", "attr.forecast", "attr.increase", "attr.decrease", "attr.change", "attr.share"}
)
# "217명 중에 7급은 몇 명", "28명 중 여직원은 몇명": a part of a whole counted, asked
_PART_OF_COUNT = re.compile(r"\d[\d,]*\s*명\s*중(?:에서|에)?\s*([가-힣0-9]+?)(?:은|는|이|가|도)?\s*몇\s*명")


def _items(body: str) -> list[str]:
    """The items of an answer: each line cut at its list commas and sentence ends."""
    return [x for line in body.splitlines() for x in _ITEM_END.split(line) if x.strip()]


def sentences(text: str) -> list[str]:
    """The sentences of an answer, line by line, each line without its bullet."""
    return [x for line in text.splitlines() for x in SENTENCE_END.split(line.strip().lstrip("• ")) if x.strip()]


# a month, or a day of one ("11월", "’18.10.15.", "10. 15."), or a half of the year
_A_MONTH = re.compile(r"\d{1,2}\s*월|(?<![\d’'])\d{1,2}\.\s?\d{1,2}\.|[’']\d{2}\.\s?\d{1,2}\.|상반기|하반기|매월")
_HOW_FAR = re.compile(r"어디까지(?:진행|됐|되었|돼|왔|했|추진|나왔)")
_HOW_FAR_IS = re.compile(r"어디까지(?:예요|에요|인가요|인지|이에요|야|임|죠|일까|입니까|인데)")
_STATUS = re.compile(r"진행\s*중|완료|추진|착수|예정|검토|단계")
_WHICH = re.compile(r"무슨|어떤|어느|무엇|뭔")  # ask which one of the noun after them
_ASKS_BEFORE = re.compile(rf"{_QUESTION_WORD.pattern}|{_WHICH.pattern}")  # ask the noun after them
_ASKS_AFTER = re.compile(r"[이가은는을를]?(?:뭐|무엇|어떻게|어떤|어디)")


def _asked_ranks(u: Understanding) -> list[Match]:
    """The ranks a question asks of, not the asker's own said before a subject of its own ("9급
    합격한 신규인데 신임자 과정 몇 주": the course's length, whatever the asker's rank)."""
    told_end = len(key(u.text[: told_part_end(u.text)]))
    ranks = [m for m in u.matches if m.kind == "rank"]
    subject_after = any(m.kind in SUBJECT_KINDS and m.kind != "rank" and m.start >= told_end for m in u.matches)
    return [m for m in ranks if not (told_end and subject_after and m.end <= told_end)]


_EACH_COUNTED = re.compile(r"몇\s*(명|개|곳|권|대)\s*씩")
_EACH_OF_NAMED = re.compile(r"각각|각자|별로|[가-힣]별(?![가-힣])|[가-힣](?:이랑|랑|하고|와|과)\s|및")
# a length asked in its unit, and what a length in it looks like
_LENGTH_UNIT = re.compile(r"(?<=몇)(?:분|시간)$")
_LENGTHS = {
    "분": re.compile(r"\d+\s*분(?![가-힣])|\d+\s*시간"),
    # (a day's course is hours too: "1일 집합교육", not the date "6월 23일")
    "시간": re.compile(
        r"\d+\s*시간|\d+\s*분(?![가-힣])|\d{1,2}\s*:\s*\d{2}\s*[~\-]|(?<![월\d])(?<!월\s)\d+\s*일(?=\s|$|[,.)]|입니|이며|이고|간|동안|짜리)"
    ),
}


# a count of the units of the organisation asked ("팀이 몇 개", "몇 개 팀"; "그 과 몇 명" counts
# the department's people, not its units)
_UNITS_COUNTED = re.compile(
    r"(?<![가-힣])(팀|과)\s*(?:이|가|은|는|도)?\s*몇(?!\s*(?:명|분|회|번|시|년|월|일|층|주|%))"
    r"|몇\s*(?:개\s*)?(팀|과)(?![정목제장업])"
)
# "공채 경채만 하면?", "IT만요": the last question asked again of what it names only
_ONLY_OF = re.compile(r"[가-힣A-Za-z0-9]만\s*(?:하면|치면|보면|따지면|합치면)?\s*(?:요|은요|이요)?\s*[?？]*\s*$")
_ASKS_IF_THERE_IS = re.compile(r"[도은는]\s*있(?:어|나|습|음|니|는지|을까)")
_ASKS_ORDINAL = re.compile(r"몇\s*번\s*째")
# words that ask the names of several things, and what a list of names looks like: two or more
# named items, by commas or middle dots, numbered, or as list lines
_ASKS_NAMES = re.compile(r"뭐\s*뭐|무엇\s*무엇|목록|리스트|제목")
# the items of a test asked themselves ("면접 질문 뭐 나와요", "기출 문제 알려주세요"), and one quoted
_ASKS_ITEMS_SAID = re.compile(
    r"(?:질문|문항|기출|(?:시험|필기)\s*문제)\s*(?:은|는|이|가|을|를|으로|로)?\s*(?:뭐|무엇|어떤|예시|좀|알려|나와|나오)"
)
_QUOTED_ITEM = re.compile(r"[「'“\"‘][^」'”\"’\n]{4,60}[」'”\"’]")
_WHICH_OF_NAMED = re.compile(
    r"(?:무슨|어떤|어느)\s*([가-힣]{2,}?)(?:들)?"
    r"(?:이에요|예요|이야|인가요|인지|이죠|일까요|이|가|을|를|은|는|으로|로)?\s*[?.!]*$"
)


def which_of_its_own(text: str) -> str | None:
    """ "자격증 과정은 무슨 자격증이에요": which of the things the question has named (자격증)
    asks their names, which a count of them is not; None when it asks no such thing."""
    m = _WHICH_OF_NAMED.search(text.strip())
    return m.group(1) if m is not None and m.group(1) in text[: m.start()] else None


_MONTH_DAY_ASKED = re.compile(r"(?<!\d)(\d{1,2})\s*월\s*(?:며칠|몇\s*일|몇일|언제)")
_AFTER_THAT = re.compile(r"그\s*(?:다음|담)|그\s*뒤|그\s*후|이후|그\s*이후")
_LISTED = re.compile(
    r"[가-힣A-Za-z」'’\"][^,·\n\d]{0,20}(?:,\s*|(?<=\S)·)[가-힣A-Za-z「'‘\"]{2}|[①②③]|\n\s*•[^\n]*\n\s*•"
    r"|(?:[월화수목금토일]\s*[,·]\s*)+[월화수목금토일](?![가-힣])"  # days of the week ("수, 금")
)
_ORDINAL = re.compile(r"\d+\s*(?:번째|순위|위|등|째)")
# a word for a rate ("응시율", "집행률", "증감률") and what a rate looks like in an answer
_RATE_WORD = re.compile(r"[가-힣]{1,6}[율률](?=[은는이가을를도만요]|[\s?.!]|$)")
_PERCENT = re.compile(r"\d\s*%|퍼센트|%p")


def of_money(u: Understanding) -> bool:
    """Whether the question speaks of money: a word of money ("수입", "예산"), a budget reading
    or record, or a cost suffix ("교육비 얼마예요"); "평균 얼마였어요" of a tenure does not."""
    return (
        _MONEY.search(u.text) is not None
        or (u.intent or "").startswith("budget.")
        or any(k in u.entities for k in ("budget_line", "work"))
        or "cost" in u.suffix_attrs
    )


# words that make "얼마" ask a sum of money, and what any other amount looks like
_MONEY = re.compile(
    # (원 of money, not of 민원 or 인원)
    r"예산|비용|금액|돈|(?:\d|[십백천만억])\s*원|(?<![가-힣])원(?![가-힣])|수당|급여|연봉|보수|요금|가격|값|료|비(?![가-힣])|집행|수입|세입|세출|빌리|빌려|대여|임대|내야|내요|내나|들어|드나|들었|잡혀|잡혔|잡힌|편성"
)
_QUANTITY = re.compile(r"\d[\d,.]*\s*(?:[가-힣%㎡]|$)")
# the cost of one of a unit ("한끼 얼마", "1인 얼마예요")
_ONE_UNIT_COST = re.compile(r"(?<![가-힣\d])(?:한|1)\s*([가-힣])(?:에|당)?\s*(?:얼마|가격|비용|값)")
# a count asked per week or per month, and what such a count looks like in an answer
_PER_PERIOD = [
    (re.compile(r"(?:일주일|한\s*주|매주)(?:에|마다)?\s*몇"), re.compile(r"주\s*\d+\s*(?:회|번|일)|매주"), "주당 횟수"),
    (re.compile(r"(?:한\s*달|매달|매월)(?:에|마다)?\s*몇"), re.compile(r"월\s*\d+\s*(?:회|번)|매월"), "월별 횟수"),
]
# the word a question counts and the unit it counts in ("합격자는 몇 명", "응시자 몇명")
_COUNTED_HEAD = re.compile(r"([가-힣A-Za-z]{2,}?)(?:은|는|이|가|도|만)?\s*몇\s*([가-힣]+)")
# where one item of an answer's line ends ("원서접수 124,259명, 응시 67,959명")
_ITEM_END = re.compile(r",\s|;\s|(?<=[다요]\.)\s+")
# a noun of the people one role names ("합격자", "응시자"): a count of others is none of them
_PERSON_SUFFIX = "자"


def _one_day_or(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern``, or the weekday of one date ("8월 22일(수)")."""
    return re.compile(rf"(?:{pattern.pattern})|\d{{1,2}}일\s*\([월화수목금토일]\)")


# the attributes that ask a date: when, which day, until when
DATE_ASKS = frozenset({"attr.schedule", "attr.day", "attr.end"})


def _date_in(year: int) -> re.Pattern[str]:
    """A month or day of ``year`` as a reply writes it ("2019년 3월", "’19. 3.")."""
    return re.compile(rf"(?:{year}\s*년|[’']{year % 100:02d}\s*(?:년|\.))\s*\d{{1,2}}\s*(?:월|\.)")


def year_written(year: int) -> re.Pattern[str]:
    """A year as a reply writes it: 2017 or the report's ’17."""
    return re.compile(rf"{year}|[’']{year % 100:02d}")


# A count in digits, or in Korean numerals ("목표는 네 가지입니다")
# a number in digits or a native number word ("3", "세")
NUMBER = r"(?:\d[\d,.]*|(?<![가-힣])(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열))"

# A year the question ties to the word after it ("2018년 행정사무감사")
_YEAR_WORD = re.compile(r"(\d{4})년\s*(?:도\s*)?([가-힣]{2,})")

# Where one clause of a question ends and another begins: punctuation, or a connective ending
# ("언제 시작하고 교재는 주나요", "접수는 했는데 발표는 언제").
_CLAUSE_END = re.compile(r"[?!.,;~]+\s*|(?<=[가-힣])(?:고|는데|은데|인데|던데|지만|면서|며|구요|고요)\s+")


def clauses(text: str) -> list[str]:
    """The clauses of a question, as matching keys."""
    return [k for k in (key(part) for part in _CLAUSE_END.split(text)) if k]


def apart(text: str, words: list[str], cues: list[str]) -> bool:
    """Whether every one of ``words`` is in a clause that holds none of ``cues``: the question
    asks two things, and ``cues`` belong to the other one."""
    parts = clauses(text)

    def where(word: str) -> int | None:
        k = key(word)
        return next((i for i, part in enumerate(parts) if k and k in part), None)

    cue_at = {where(c) for c in cues}
    word_at = [where(w) for w in words]
    return len(parts) > 1 and None not in cue_at and all(i is not None and i not in cue_at for i in word_at)


def subject_match(u: Understanding, exclude: set[str] | frozenset[str] = frozenset()) -> Match | None:
    """The match naming the question's subject (the longest record name matched, but none whose
    words are in ``exclude``), if any."""
    names = [
        m
        for m in u.matches
        if m.kind in SUBJECT_KINDS
        and m.kind not in SOFT_KINDS
        and m.kind != "rank"
        and u.key[m.start : m.end] not in exclude
    ]
    return max(names, key=lambda m: (m.length, m.score)) if names else None


def subject_name(u: Understanding) -> str:
    """How the question named its subject (the longest record name matched), or ''."""
    m = subject_match(u)
    return m.text if m is not None else ""


def rank_fits(rank: str, text: str) -> bool:
    """Whether ``text`` speaks of the rank ``rank`` ("7급"): as such, or in a range or list of
    ranks ("6~9급", "7·9급", "4·5급"). A text naming no rank at all fits every rank."""
    m = re.match(r"(\d)", rank)
    if m is None:
        return True
    written = ranks_written(text)
    return not written or int(m.group(1)) in written


# a number with a unit that names one of several ("3단계", "4기", "2주", "9급", "2차")
_NUMBERED = re.compile(r"(?<![\d.])\d+\s*(?:단계|기|급|주|차|회)")


def question_tokens(u: Understanding) -> list[str]:
    """The question's own words, for choosing the supporting lines of a reply."""
    tokens = [u.key[m.start : m.end] for m in u.matches if m.kind not in ("smalltalk", "self")]
    tokens += list(u.elsewhere)
    # a number the question says with its unit ("3단계", "2주") picks the line that says it
    tokens += [key(m.group(0)) for m in _NUMBERED.finditer(u.text)]
    if u.cohort is not None:
        tokens.append(f"{u.cohort}기")
    return [t for t in tokens if len(t) >= 2]
