"""Turning a question into an intent and entities (no database access, no answer text)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from knowledge import morph
from knowledge.matcher import EXACT_ONLY_KINDS, SOFT_KINDS, Match, Matcher, Term, covered, make_term
from knowledge.normalize import (
    ENDINGS,
    PARTICLES,
    clean,
    copula_stem,
    is_ending,
    is_hangul,
    key,
    particle_stems,
    particles_only,
    strip_ending,
    to_jamo,
    topic_stem,
    without_particles,
)
from knowledge.text import josa
from knowledge.thesaurus import Thesaurus, abbreviations
from knowledge.yamlio import KnowledgeYamlError, read_yaml

NLU_FILE = Path(__file__).resolve().parent / "nlu.yaml"

# Entity kinds that name what a question is about (as opposed to modifiers such as an event
# type or an attribute). Used for context carry-over and for the out-of-scope decision.
SUBJECT_KINDS = frozenset(
    {
        "program",
        "round",
        "building",
        "amenity",
        "department",
        "topic",
        "budget_line",
        "expert_category",
        "assessment",
        "work",
        "priority_group",
        "rank",
        "category",
        "fact",
    }
)
FAMILY = {
    "program": "course",
    "rank": "course",
    "category": "course",
    "session": "course",
    "round": "exam",
    "event_type": "exam",
    "expert_category": "exam",
    "building": "facility",
    "amenity": "facility",
    "work": "facility",
    "priority_group": "daycare",
}
# (two digits and 년 followed by a word of length is a number of years: "30년 넘게 근무")
_YEAR_RE = re.compile(
    r"(?<!\d)(20\d{2}|19\d{2})\s*년?|[’'‘`](\d{2})(?!\d)"
    r"|(?<!\d)(\d{2})\s*년(?!\s*\d)(?!\s*(?:넘|이상|동안|간|째|가까이|정도|만에|이내|이하|근무|차))"
)
_COHORT_RE = re.compile(r"(?:제\s*)?(\d{1,3})\s*기(?![가-힣]{0,0}\d)")
_MONTH_DAY_RE = re.compile(r"(?<!\d)(\d{1,2})\s*월\s*(?:(\d{1,2})\s*일)?")
_ENDING_SET = frozenset(ENDINGS)
_JAMO_START, _JAMO_END = 0x1100, 0x318F  # conjoining and compatibility jamo
_NUMBERISH = re.compile(r"^(제)?\d+[가-힣a-z]{0,3}$")
# Prefixes of the whole or of each, written onto a noun ("총면적", "전직원", "각과정", "매회차")
_WHOLE_OF = frozenset("총전각매")
_RELATIVE = {
    "오늘": ("day", 0),
    "금일": ("day", 0),
    "내일": ("day", 1),
    "모레": ("day", 2),
    "어제": ("day", -1),
    "이번주": ("week", 0),
    "금주": ("week", 0),
    "다음주": ("week", 1),
    "담주": ("week", 1),
    "지난주": ("week", -1),
    "저번주": ("week", -1),
    "이번달": ("month", 0),
    "이달": ("month", 0),
    "금월": ("month", 0),
    "다음달": ("month", 1),
    "담달": ("month", 1),
    "지난달": ("month", -1),
    "저번달": ("month", -1),
}
# Years named relative to today: they select the year a figure is for, not a date range.
RELATIVE_YEARS = {"올해": 0, "금년": 0, "올": 0, "내년": 1, "작년": -1, "지난해": -1, "전년": -1}
# "6/23", and "6.23" (two digits of day: "1.5배" is no date)
_SLASH_DATE_RE = re.compile(r"(?<![\d/.])(\d{1,2})\s*(?:/\s*(\d{1,2})|\.(\d{2}))(?![\d/%]|\.\d)")


@dataclass(frozen=True)
class IntentSpec:
    id: str
    needs: tuple[str, ...]
    signals: dict[str, float]
    base: float = 0.0
    # A strict intent answers only what its signals name: asked anything else about its
    # record ("어린이집 원비"), the bot declines rather than answer with a near miss.
    strict: bool = False
    # An open intent looks its subject up in the records' own words ("교재발간 담당"), so a word
    # that is no entity is what it searches for, not a sign of an unknown subject.
    open: bool = False


@dataclass(frozen=True)
class Understanding:
    """What was understood of one question."""

    text: str
    key: str
    matches: list[Match]
    features: dict[str, float]  # feature -> strength (0..1)
    entities: dict[str, list[str]]
    dates: tuple[dt.date, dt.date] | None
    years: list[int]
    cohort: int | None
    unknown_words: list[str]
    out_of_scope: bool
    # Content words the report knows but no matched term covers: the chosen record's answer must
    # account for them, or the question asks something the record does not give.
    elsewhere: list[str] = field(default_factory=list)
    # Attributes asked by a suffix on a known word ("수강료" asks a cost, "면접관" a person),
    # with the word that asked it.
    suffix_attrs: dict[str, str] = field(default_factory=dict)
    # ... and the noun each asks of, as a reply names it: the run of nouns the suffix ends, after
    # any record named ("신임자과정수강료는": 수강료; "어느부서일이야": 부서일)
    suffix_nouns: dict[str, str] = field(default_factory=dict)
    intent: str | None = None
    score: float = 0.0
    ranking: list[tuple[str, float]] = field(default_factory=list)
    inherited: dict[str, list[str]] = field(default_factory=dict)
    # The units a "몇" asks a count in ("몇 살" → 살, "몇 대" → 대): the answer must give a number
    # in that unit.
    counters: tuple[str, ...] = ()
    # Nouns of action the question asks with ("도입됐어요", "신설했나요"), not part of a name: the
    # gate lets them pass as everyday verbs, but a date asked of one is the action's date.
    actions: tuple[str, ...] = ()
    # Records the question names to leave out ("운동장 말고 다른 시설"): no follow-up takes them over.
    left_out: tuple[tuple[str, str], ...] = ()


class NluError(ValueError):
    """nlu.yaml cannot be used, with the reason."""


def load_nlu(path: Path | None = None) -> dict[str, Any]:
    path = path or NLU_FILE
    try:
        # the knowledge files' reader: a key written twice is an error, not a silent overwrite
        data = read_yaml(path)
    except OSError as exc:
        raise NluError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except KnowledgeYamlError as exc:
        raise NluError(f"{path}: not valid YAML (line {exc.line}: {exc.message})") from exc
    if not isinstance(data, dict) or "intents" not in data:
        raise NluError(f"{path}: expected a mapping with 'intents'")
    for name in _WORD_LISTS:
        *parents, last = name.split(".")
        where: Any = data
        for part in parents:
            where = where.get(part) if isinstance(where, dict) else None
        words = where.get(last) if isinstance(where, dict) else None
        if words is not None and not (isinstance(words, list) and all(isinstance(w, str) and w.strip() for w in words)):
            raise NluError(f"{path}: '{name}' must be a list of words, got {words!r}")
    return data


# The plain lists of words in nlu.yaml, each read as a set of words
_WORD_LISTS = (
    "confirm_words",
    "exact_words",
    "person_words",
    "sum_words",
    "whole_words",
    "org_units",
    "attending_verbs",
    "function_words",
    "source_words",
    "default_suggestions",
    "span.day_words",
    "span.after",
    "span.before",
)


def _with_particles(phrase: str) -> list[str]:
    """A phrase of two words as written, and with the particle Korean puts after its first word
    ("퇴직 앞둔" → "퇴직을 앞둔", "퇴직이 앞둔" is never said but harms nothing)."""
    words = phrase.split()
    if len(words) != 2 or len(words[0]) < 2 or not is_hangul(words[0][-1]):
        return [phrase]
    first, rest = words
    return [phrase, *(f"{josa(first, pair)} {rest}" for pair in ("을를", "이가", "은는"))]


def vocabulary_terms(nlu: dict[str, Any]) -> list[Term]:
    """Terms from nlu.yaml: event types, ranks, concepts, attributes, small talk, out of scope.
    A rank's phrase of two words is also read with a particle after its first word ("퇴직을 앞둔")."""
    terms: list[Term | None] = []
    for etype, words in nlu["event_types"].items():
        terms += [make_term("event_type", etype, w) for w in words]
    for group in nlu.get("ambiguous_events", []):
        terms += [make_term("event_any", ",".join(group["types"]), w) for w in group["words"]]
    for rank, words in nlu["ranks"].items():
        terms += [make_term("rank", rank, v) for w in words for v in _with_particles(w)]
    for concept, words in nlu["concepts"].items():
        terms += [make_term("concept", concept, w) for w in words]
    for attr, words in nlu["attributes"].items():
        terms += [make_term("attr", attr, w) for w in words]
    for name, spec in nlu["small_talk"].items():
        terms += [make_term("smalltalk", name, w) for w in spec["words"]]
    return [t for t in terms if t is not None]


class Understander:
    """Intent and entity recognition over prepared terms (pure once built)."""

    def __init__(
        self,
        nlu: dict[str, Any],
        entity_terms: list[Term],
        vocabulary: set[str],
        known_years: set[int],
        report_words: frozenset[str] = frozenset(),
        *,
        year: int,
        thesaurus: dict[str, list[str]] | None = None,
        line_programs: dict[str, str] | None = None,
        cohort_targets: dict[tuple[str, str], str] | None = None,
    ) -> None:
        self.year = year  # the report's year: dates without one ("8/22", "10월") are in it
        # the program whose business a budget line funds ("리더십 교육과정 운영(9개)" → 리더십 교육)
        self.line_programs = line_programs or {}
        self.nlu = nlu
        self.function_words = (
            frozenset(key(w) for w in nlu.get("function_words") or ())
            | frozenset(_RELATIVE)
            | frozenset(RELATIVE_YEARS)
            # units of counting ("필지", "호", "군데") name nothing asked about
            | counting_units(nlu)
        )
        self.source_words = frozenset(key(w) for w in nlu.get("source_words") or ())
        self.org_units = frozenset(key(w) for w in nlu.get("org_units") or ())
        self.whole_words = tuple(key(w) for w in nlu.get("whole_words") or ())
        self.attending_verbs = tuple(key(w) for w in nlu.get("attending_verbs") or ())
        # words that ask ("언제", "어디"): MeCab knows some of their typos as rare nouns ("언재")
        turns = nlu.get("turns") if isinstance(nlu.get("turns"), dict) else {}
        self.question_words = frozenset(key(w) for w in turns.get("question_words") or () if isinstance(w, str))
        span = nlu.get("span") or {}
        self.day_words = frozenset(key(w) for w in span.get("day_words") or ())
        self.span_words = tuple(key(w) for w in span.get("after") or ())
        self.span_nouns = tuple(key(w) for w in span.get("before") or ())
        self.suffixes = {key(sfx): attr for attr, sfxs in (nlu.get("attribute_suffixes") or {}).items() for sfx in sfxs}
        self.intents = [
            IntentSpec(
                iid,
                tuple(spec["needs"]),
                dict(spec.get("signals") or {}),
                float(spec.get("base", 0.0)),
                bool(spec.get("strict", False)),
                bool(spec.get("open", False)),
            )
            for iid, spec in nlu["intents"].items()
        ]
        # every cue and kind the intents of one field read ("org": 부서, 담당, 인원 …)
        self.family_uses: dict[str, frozenset[str]] = {}
        for spec in self.intents:
            family = spec.id.split(".")[0]
            self.family_uses[family] = self.family_uses.get(family, frozenset()) | {*spec.needs, *spec.signals}
        # the attributes the intents a concept leads to answer ("예산" → 금액, 집행률, …)
        self.concept_asks: dict[str, set[str]] = {}
        for spec in self.intents:
            for need in (n for n in spec.needs if n.startswith("concept.")):
                asks = {s for s, w in spec.signals.items() if s.startswith("attr.") and w > 0}
                self.concept_asks.setdefault(need, set()).update(asks)
        self._topic_keywords = [t for t in entity_terms if t.kind == "topic"]
        # the rounds the report numbers ("제2회"), by their number
        self._numbered_rounds = {
            int(found.group(1)): t
            for t in entity_terms
            if t.kind == "round" and (found := re.fullmatch(r"제(\d+)회", t.key))
        }
        # the words the audit is named by ("시의회 행감": the council is who audits): said with
        # a finding asked, they name no finding of their own
        self._audit_words = frozenset(key(w) for phrase in nlu["concepts"].get("audit", ()) for w in phrase.split())
        # a name of one syllable ("과", "팀", "앱") is matched only where the analyser reads it as a
        # noun standing alone, never inside another word or as a particle ("교육과 연수")
        # (cue words of one syllable, "층", "돈", stay with the matcher: they ask, inside any word)
        self.syllable_terms: dict[str, list[Term]] = {}
        for t in vocabulary_terms(nlu):
            if len(t.key) == 1 and t.kind == "concept":
                self.syllable_terms.setdefault(t.key, []).append(t)
        for t in entity_terms:  # a syllable a concept names is that concept ("앱")
            if len(t.key) == 1 and all(c.kind != "concept" for c in self.syllable_terms.get(t.key, [])):
                self.syllable_terms.setdefault(t.key, []).append(t)
        entity_terms = [t for t in entity_terms if len(t.key) >= 2]
        self.matcher = Matcher(
            [t for t in vocabulary_terms(nlu) if len(t.key) >= 2 or t.kind != "concept"] + entity_terms,
            known_words=frozenset(w for w in (*vocabulary, *self.function_words) if len(w) >= 2),
        )
        self.vocabulary = vocabulary | {t.key for t in self.matcher.terms} | set(_RELATIVE) | set(RELATIVE_YEARS)
        self.vocab_list = sorted(w for w in self.vocabulary if len(w) >= 2)
        self.vocab_jamo = [to_jamo(w) for w in self.vocab_list]
        # small talk words ("메뉴", "도움") are no vocabulary of the knowledge
        cue_terms = [t for t in vocabulary_terms(nlu) if t.kind != "smalltalk"]
        nlu_words = {t.key for t in cue_terms}
        self.cue_words = frozenset(nlu_words)
        # the attributes each cue word asks, for cues inside a longer event name ("필기 언제")
        self.cue_attrs: dict[str, set[str]] = {}
        for t in cue_terms:
            if t.kind == "attr":
                self.cue_attrs.setdefault(t.key, set()).add(t.value)
        for t in cue_terms:
            nlu_words |= morph.nouns(t.text)
        self.report_words = frozenset(
            w for w in report_words | nlu_words | {t.key for t in entity_terms} if len(w) >= 2
        )
        self.counter_words = sorted((key(c) for c in nlu.get("counters") or {}), key=len, reverse=True)
        # the words a run written without spaces is spaced into, and the thesaurus's everyday ones
        self._spacing_words = (
            self.report_words
            | frozenset(self.vocabulary)
            | self.function_words
            | frozenset(key(w) for target, said in (thesaurus or {}).items() for w in (target, *said))
        )
        # the thesaurus's words first, then the abbreviations of the compounds the bot knows
        shortened = abbreviations(t.text for t in self.matcher.terms if " " not in t.text.strip())
        self.thesaurus = Thesaurus(
            {**shortened, **(thesaurus or {})}, self.report_words | frozenset(self.vocabulary) | self.function_words
        )
        self.known_years = known_years
        self.known_values: dict[str, set[str]] = {}
        for term in self.matcher.terms:
            for value in term.value.split(",") if term.kind == "event_any" else [term.value]:
                kind = "event_type" if term.kind == "event_any" else term.kind
                # a cohort's term names its program too ("program|session"); its entity is the cohort
                self.known_values.setdefault(kind, set()).add(value.split("|", 1)[-1])
        # the cohort of a program whose people an exam round names ((신임자 과정, 1회 공채) → 제8기,
        # for "’18년 1회 공채자"), read from the cohorts' targets (``cohort_targets``: by
        # (program id, cohort id))
        self.cohort_rounds = {
            (program_id, m.value): session_id
            for (program_id, session_id), target in (cohort_targets or {}).items()
            for m in self.matcher.find(key(target))
            if m.kind == "round" and m.exact
        }

    def _named_through(
        self, matches: list[Match], entities: dict[str, list[str]], features: dict[str, float]
    ) -> list[Match]:
        """Records a question names through another (``entities`` and ``features`` are updated;
        the matches left are returned): an exam round that names the people of a course's cohort
        ("1회 공채 합격자인데 신임자 과정 언제": the cohort, not the exam's events), and a budget line
        named without asking of money (the business it funds, "리더십 교육과정 운영 인원")."""
        rounds = entities.get("round", [])
        cohorts = {self.cohort_rounds.get((p, r)) for p in entities.get("program", []) for r in rounds} - {None}
        if len(rounds) == 1 and len(cohorts) == 1 and "session" not in entities:
            entities["session"] = [str(cohorts.pop())]
            features["session"] = 1.0
            for kind in ("round", "event_type"):
                entities.pop(kind, None)
                features.pop(kind, None)
            spans = [(m.start, m.end) for m in matches if m.kind == "round"]
            for m in matches:
                if m.kind == "concept" and covered(m, spans):
                    features.pop(f"concept.{m.value}", None)
            matches = [
                m
                for m in matches
                if m.kind not in ("round", "event_type", "event_any")
                and not (m.kind == "concept" and covered(m, spans))
            ]
        if (
            "budget_line" in entities
            and "program" not in entities
            and not features.keys() & {"concept.budget", "attr.cost", "attr.rate"}
        ):
            funded = {self.line_programs.get(v) for v in entities["budget_line"]} - {None}
            if len(funded) == 1:
                entities["program"] = [str(funded.pop())]
                features["program"] = features.pop("budget_line", 1.0)
                del entities["budget_line"]
        return matches

    def _asks_which_unit(
        self, matches: list[Match], analysed: tuple[morph.Morpheme, ...], entities: dict[str, list[str]]
    ) -> bool:
        """Whether a question naming a unit of the organisation (부서, 과, 팀) asks which unit does
        something: by "어디" ("교육계획 세우는 부서는 어디예요"; its 위치 is a question of place, and
        so is "어디" of a building), or by naming the unit last, after what it does
        ("교육통합관리시스템 운영 부서는?")."""
        units = [m for m in matches if m.kind == "concept" and key(m.text) in self.org_units]
        if not units:
            return False
        where = [m for m in matches if m.kind == "attr" and m.value == "location"]
        if where and all(key(m.text).startswith("어디") for m in where) and not {"building", "amenity"} & set(entities):
            return True
        nouns = [a for a in analysed if a.pos.startswith("NN")]
        return (
            bool(nouns)
            and len({(m.start, m.end) for m in matches}) > 1
            and any(m.start <= nouns[-1].start < m.end for m in units)
        )

    def _how_long(self, m: Match, k: str) -> Match:
        """A question word of a day followed by a word of span asks a length ("며칠짜리", "며칠간"),
        not a date; so does one asked of a span ("사업기간 며칠이에요")."""
        before = k[: m.start]
        if (
            m.kind == "attr"
            and m.value in ("day", "schedule")
            and key(m.text) in self.day_words
            and (
                any(k.startswith(w, m.end) for w in self.span_words)
                or any(before.removesuffix(p).endswith(w) for w in self.span_nouns for p in ("", "이", "은", "는"))
            )
        ):
            return replace(m, value="duration")
        return m

    def _syllable_matches(self, analysed: tuple[morph.Morpheme, ...], found: list[Match]) -> list[Match]:
        """Names of one syllable, where a word is that noun alone or with its particles ("과가")."""
        out: list[Match] = []
        for i, m in enumerate(analysed):
            terms = self.syllable_terms.get(m.surface)
            if not terms or m.pos != "NNG" or not m.dictionary or m.end - m.start != 1 or m.start != m.word[0]:
                continue
            rest = [n for n in analysed[i + 1 :] if n.word == m.word]
            if any(not n.pos.startswith(("J", "VCP", "E")) for n in rest):
                continue
            covered = any(f.start < m.end and m.start < f.end for f in found)  # by a longer name
            out += [
                Match(t.kind, t.value, t.text, m.start, m.end, 1.0) for t in terms if t.kind == "concept" or not covered
            ]
        return out

    def _rounds_by_number(self, k: str, found: list[Match]) -> list[Match]:
        """A round said by its number alone ("이번 2회 원서 낸 사람", "2회 응시율"), where the
        question asks of an exam (its event or figures) and names no round: "N회" right before
        what is asked of it, or after 이번/지난/제, is the round, not a count ("공채 2회 봐요")."""
        if any(m.kind == "round" for m in found):
            return []
        exam = [m for m in found if m.kind in _EVENTS or (m.kind == "attr" and m.value in _EXAM_ATTRS)]
        if not exam:
            return []
        out = []
        for said in _ROUND_NUMBER.finditer(k):
            term = self._numbered_rounds.get(int(said.group(2)))
            if term is None or any(m.start < said.end() and said.start(2) < m.end for m in found):
                continue
            if said.group(1) or any(m.start == said.end() for m in exam):
                out.append(Match(term.kind, term.value, term.text, said.start(), said.end(), 1.0))
        return out

    # -- features -----------------------------------------------------------------------------

    def understand(self, text: str, today: dt.date) -> Understanding:
        text = self.thesaurus.rewrite(text)  # everyday words become the report's ("동네" → 지역)
        k = key(text)
        analysed = morph.analyse(text)
        words = {(m.start, m.end) for m in analysed if m.dictionary and m.pos == "NNG" and m.end - m.start == 2}
        nouns = [
            (m.start, m.end)
            for m in analysed
            if m.dictionary
            and m.pos.startswith("NN")
            and (m.surface in self.report_words or (len(m.surface) >= 2 and m.surface in self.function_words))
        ]
        # A correctly spelt word of the language is never a typo of a term ("점수" is no "접수"),
        # nor is a typo read across a word of the report ("설문에서": 문에 is no "문의").
        # A term inside a longer word of the language is no mention of it ("수수료" holds "수료").
        longer = [
            (m.start, m.end) for m in analysed if m.dictionary and m.pos in ("NNG", "NNP") and m.end - m.start >= 3
        ]

        # A keyword of two syllables followed, in the same word, by a noun of its own is that
        # noun's modifier ("일반행정" is an administration, not 일반 영유아).
        modifiers = {
            (a.start, a.end)
            for a, b in zip(analysed, analysed[1:], strict=False)
            if a.word == b.word
            and a.pos == b.pos == "NNG"
            and b.end - b.start >= 2
            and a.end == b.start
            and b.surface not in self.function_words  # "설문결과" is about the survey
        }

        def inside_a_word(m: Match) -> bool:
            if m.kind in EXACT_ONLY_KINDS and m.length == 2 and (m.start, m.end) in modifiers:
                return True
            for s, e in longer:
                if s <= m.start and m.end <= e and (s, e) != (m.start, m.end):
                    # "급식비" is 급식 + the cost suffix; "수수료" is no 수 + 수료
                    return not (s == m.start and k[m.end : e] in self.suffixes)
            return False

        # A noun and the particle after it, inside a longer word ("운전직은": 직 + 은): no typo of
        # a term read across them ("직원"), the particle being no letter of a word.
        noun_particles = {
            (a.start, b.end)
            for a, b in zip(analysed, analysed[1:], strict=False)
            if a.word == b.word
            and a.start > a.word[0]
            and a.pos.startswith("NN")
            and b.pos.startswith("J")
            and a.end == b.start
        }
        spaces = _boundaries(clean(text))
        ending_starts = {
            a.start
            for i, a in enumerate(analysed)
            if a.pos in ("EP", "ETN", "ETM", "EC") and a.start > a.word[0] and i and analysed[i - 1].pos.startswith("V")
        }
        matches = [
            m
            for m in self.matcher.find(k, spaces)
            if (
                m.exact
                or (
                    # (MeCab knows some typos of question words as rare nouns: "언재" is 언제)
                    ((m.start, m.end) not in words or key(m.text) in self.question_words)
                    and not any(s < m.start < e or s < m.end < e for s, e in nouns)
                    and k[m.start : m.end] not in self.function_words  # "그거" is no typo of "근거"
                    and (m.start, m.end) not in noun_particles
                    # words of the report written right, side by side ("운영기간"), are no typo of
                    # a cue word ("운영시간")
                    and not (m.kind == "attr" and _report_nouns_only(analysed, m.start, m.end, self.report_words))
                    # a unit counted ("몇 달짜리", "4개가") is said as it is: no typo of "날짜", "개강"
                    and not (
                        m.start > 0
                        and (k[m.start - 1] == "몇" or k[m.start - 1].isdigit())
                        and any(k.startswith(w, m.start) for w in self.counter_words)
                    )
                )
            )
            and not inside_a_word(m)
            # a cue word never starts in a verb's ending ("알려주시기": 시 + 기, no 시기); a name
            # spelt out stays, as MeCab misreads some ("담신임자과정": 담 + 신 …)
            and not (m.kind in ("attr", "concept") and m.start in ending_starts)
            # nor is a verb with its ending a typo of a cue noun ("넓어졌어요": no "넓이")
            and not (
                m.kind == "attr" and not m.exact and _verb_and_ending_in(analysed, m.start, m.end) and _a_noun(m.text)
            )
            # nor is a part of a verb's stem a typo of a cue ("떨어지면": no "어집", the daycare)
            and not (
                m.kind in ("attr", "concept")
                and not m.exact
                and any(a.pos in ("VV", "VA") and a.start < m.start and m.end <= a.end for a in analysed)
            )
            # nor is a number's order of magnitude a typo of a unit ("몇 백만원": no "몇 분")
            and not (m.kind == "attr" and not m.exact and _MAGNITUDE.search(k, m.start, m.end + 1))
        ]
        # "그 사업 예산은": the noun a demonstrative points with is the subject before, not the
        # head of a name read across the space after it ("사업예산", the total of all business)
        pointed = {
            a.end for a in analysed if a.pos == "MM" and a.surface in ("그", "이", "저") and a.word == (a.start, a.end)
        }
        matches = [
            m
            for m in matches
            if not (
                m.start in pointed
                and m.kind not in ("attr", "concept")
                and any(m.start < b < m.end for b in spaces)
                and " " not in m.text  # ("그 1회 시험": a name written with its space is one)
            )
        ]
        # Two names that overlap, neither holding the other ("승진 역량이해교육": the category
        # "승진 역량" and the course "역량이해교육"): the one read across the user's space that
        # ends inside the next word is read across what the other names as a whole.
        names = [m for m in matches if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS]
        word_ends = {a.word[1] for a in analysed} | {len(k)}
        ending_ends = {n.end for n in analysed if n.pos.startswith(("J", "E"))}  # particles, endings
        morpheme_starts = {n.start for n in analysed}
        crossing = {
            id(a)
            for a in names
            for b in names
            if a.start < b.start < a.end < b.end
            and any(a.start < sp < a.end for sp in spaces)
            and a.end not in word_ends | ending_ends
            and b.start in morpheme_starts
        }
        matches = [m for m in matches if id(m) not in crossing]
        matches += self._syllable_matches(analysed, matches)
        matches += self._rounds_by_number(k, matches)
        # what the asker says of themselves ("교육담당인데요 …", "합격했는데 …") asks nothing: its
        # cue words ("담당") are no attribute asked, its actions ("합격") none the answer must hold
        told_end = len(key(text[: told_part_end(text)]))
        matches = [m for m in matches if not (m.kind == "attr" and m.end <= told_end)]
        # ... nor what it quotes before asking of it ("교육기간 짧다고 지적받은 거 어떻게 조치했어요":
        # the length is what was said, how it was dealt with is asked)
        quoted = [q.end() for q in _QUOTED.finditer(k)]
        if quoted and any(m.kind == "attr" and m.start >= quoted[-1] for m in matches):
            matches = [m for m in matches if not (m.kind == "attr" and m.end <= quoted[-1])]
        # ... nor does what it says after its question ("의무실 있어요? 아프면 어디 가나 해서")
        asked_part = asked_text(text)
        if asked_part != text:
            asked_end = len(key(asked_part))
            matches = [m for m in matches if not (m.kind == "attr" and m.start >= asked_end)]
        # "필기 붙었는데", "면접 통과하면": a sitting passed is known by its result
        matches = [
            replace(m, value=_RESULT_OF[m.value])
            if m.kind == "event_type" and m.value in _RESULT_OF and _PASSED.match(k, m.end)
            else m
            for m in matches
        ]
        # "필기 봤는데 합격자 발표 언제": the event the asker went through is not the one asked
        gone_through = [m.value for m in matches if m.kind == "event_type" and m.end <= told_end]
        if any(m.kind in _EVENTS and m.start >= told_end for m in matches):
            matches = [m for m in matches if not (m.kind in _EVENTS and m.end <= told_end)]
        # "인사팀인데요 조직 어떻게 돼요": a keyword of the asker's own situation names no finding
        if told_end and any(m.kind != "attr" and m.start >= told_end for m in matches):
            matches = [m for m in matches if not (m.kind in SOFT_KINDS and m.end <= told_end)]
        matches = [self._how_long(m, k) for m in matches]
        matches = [r for m in matches if (r := _minutes_or_persons(m, k)) is not None]
        matches = self._doer_asked(matches, analysed)
        matches = _one_reading_of_shared_cues(matches)
        # "운동장 말고 다른 시설": a record named to be left out is not what is asked about
        left_out = tuple((m.kind, m.value) for m in matches if m.kind in SUBJECT_KINDS and _LEFT_OUT.match(k, m.end))
        # "시설 뭐 있어요, 도서실이나 의무실 같은 거": records given as examples of the kind
        # asked are no subject; the kind is (its answer must still hold them)
        if any(m.kind == "concept" for m in matches):
            left_out += tuple(
                (m.kind, m.value)
                for m in matches
                if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS and _AS_EXAMPLE.match(k, m.end)
            )
        matches = [m for m in matches if (m.kind, m.value) not in left_out]
        features: dict[str, float] = {}
        entities: dict[str, list[str]] = {}
        ambiguous: list[str] = []  # "합격자 발표": either announcement, unless one is named
        for m in matches:
            if m.kind in ("concept", "attr"):
                name = f"{m.kind}.{m.value}"
                features[name] = max(features.get(name, 0.0), m.score)
                continue
            if m.kind == "session":
                program_id, session_id = m.value.split("|", 1)
                _add(entities, "program", program_id)
                _add(entities, "session", session_id)
                features["program"] = max(features.get("program", 0.0), m.score)
                features["session"] = 1.0
                continue
            if m.kind == "event_any":
                ambiguous.extend(m.value.split(","))
                features["event_type"] = max(features.get("event_type", 0.0), 0.8 * m.score)
                continue
            _add(entities, m.kind, m.value)
            strength = m.score
            if m.kind in SOFT_KINDS and not any(
                c.kind in ("concept", "attr") and c.start == m.start and c.end == m.end for c in matches
            ):
                # A long, specific keyword ("시험일 통일") is stronger evidence than a short one,
                # unless it is just a cue word of the vocabulary ("교육통합시스템").
                strength *= min(2.0, max(0.5, m.length / 3))
            features[m.kind] = max(features.get(m.kind, 0.0), strength)
        for m in matches:
            if m.kind in ("event_type", "event_any"):  # "면접 일정" asks the schedule too
                span = k[m.start : m.end]
                for cue, attrs in self.cue_attrs.items():
                    # the cue closes the event's name ("필기 언제"); "응시원서" asks no 응시 figures
                    if len(cue) >= 2 and span.endswith(cue) and span != cue:
                        for attr in attrs:
                            features.setdefault(f"attr.{attr}", m.score)
        if any(m.kind == "attr" and m.value == "who" and _WITH.match(k, m.end) for m in matches):
            # "어느 부서랑 했어요" asks the partner it was done with, not the unit that runs it
            features.pop("attr.who", None)
        if "concept.org" in features and self._asks_which_unit(matches, analysed, entities):
            features.setdefault("attr.who", features["concept.org"])
        whole = any(w in k for w in self.whole_words)
        if whole:
            features["whole"] = 1.0  # "전체 교육계획은요": the whole, not the one spoken of before
        if "attr.format" in features and any(m.kind == "event_type" and m.value == "interview" for m in matches):
            # "면접은 어떤 방식이에요": the interview's way, said apart, as "면접 방식" says it
            features.setdefault("concept.interview_format", features["attr.format"])
        counters = self._counters(k)
        counts_courses = "과정" in counters  # "인재원은 올해 몇 과정이에요"
        # "교육인원 계획은 총 몇 명": the people of all the courses, as planned or as a whole
        trainees_whole = (whole or "계획" in k) and any(
            m.kind == "attr" and m.value == "headcount" and "교육" in m.text for m in matches
        )
        if (
            (whole or "attr.headcount" in features)
            and ("concept.course" in features or counts_courses or trainees_whole)
            and not entities.keys() & {"program", "category", "rank", "session"}
        ):
            # "올해 교육과정 전체 몇 개예요", "교육과정 몇 개 있어요": all the courses, counted, are
            # the year's training plan
            features.setdefault("concept.plan", features.get("concept.course", 1.0))
        if ambiguous and gone_through:
            # ... but the announcement asked is the one that follows it ("필기 봤는데 합격자 발표":
            # the written exam's, not the final one)
            order = list(self.nlu["event_types"])
            after = max((order.index(t) for t in gone_through if t in order), default=-1)
            following = [t for t in ambiguous if t in order and order.index(t) > after]
            ambiguous = [min(following, key=order.index)] if following else ambiguous
        if ambiguous and "event_type" not in entities:
            for etype in ambiguous:
                _add(entities, "event_type", etype)
        audit_cues = {(m.start, m.end) for m in matches if m.kind == "concept" and m.value == "audit"}
        if audit_cues:
            audit_cues |= {
                (m.start, m.end) for m in matches if m.kind == "topic" and k[m.start : m.end] in self._audit_words
            }
        # (a finding named only by a word for the audit itself, "행감", is no finding asked about)
        by_audit_word = [m for m in matches if m.kind == "topic" and (m.start, m.end) in audit_cues]
        if "concept.audit" in features and (
            "topic" not in entities or len(by_audit_word) == sum(m.kind == "topic" for m in matches)
        ):
            # "감사 지적 중에 어린이집 관련": the findings about a thing the question names, though
            # its name ("어린이집", a building) hid the findings' keyword
            named = [(m.start, m.end) for m in matches if m.kind not in ("concept", "attr", "topic")]
            found: list[str] = []
            for t in self._topic_keywords:
                at = k.find(t.key)
                # a keyword inside a longer name read already is no mention ("위탁" of 민간위탁)
                inside = any(s <= at and at + len(t.key) <= e and e - s > len(t.key) for s, e in named)
                if at >= 0 and len(t.key) >= 2 and not inside and (at, at + len(t.key)) not in audit_cues:
                    found.append(t.value)
            if found:
                entities["topic"] = list(dict.fromkeys(found))
                features["topic"] = max(features.get("topic", 0.0), 1.0)
        elif "concept.audit" in features and by_audit_word and "topic" in entities:
            # a finding named beside the word for the audit ("행정사무감사에서 평정위원이 몇 명이라고
            # 지적"): that finding is asked, not the audit's summary the word names
            said = {m.value for m in by_audit_word} - {
                m.value for m in matches if m.kind == "topic" and (m.start, m.end) not in audit_cues
            }
            kept = [t for t in entities["topic"] if t not in said]
            if kept:
                entities["topic"] = kept

        cleaned = clean(text)
        dates = self._dates(cleaned, today, raw=text)
        # (a date in what the asker says of themselves asks nothing: "내년 6월 퇴직하는데 …")
        told_at = told_part_end(text)
        if dates and (not told_at or self._dates(clean(text[told_at:]), today, raw=text[told_at:])):
            features["date"] = 1.0
        # (nor a year: "내년 말 퇴직을 앞둔 사람입니다. … 3기 일정을 알고 싶습니다")
        asked_part = clean(text[told_at:]) if told_at else cleaned
        years = self._years(asked_part)
        compact = asked_part.replace(" ", "")
        years += [today.year + off for word, off in RELATIVE_YEARS.items() if len(word) > 1 and word in compact]
        cohort_match = _COHORT_RE.search(cleaned)
        cohort = int(cohort_match.group(1)) if cohort_match else None
        if cohort is not None:
            features["session"] = 1.0
        unknown, elsewhere, suffix_attrs, suffix_nouns = self.coverage(text, matches, k)
        # What the asker says of themselves before the question ("의원실입니다.", "워킹맘인데요,")
        # is no part of what is asked: only the last sentence's words must be accounted for.
        asked = _asked_sentences(text, self.question_words)
        if asked != [(0, len(k))]:
            unknown = [w for w in unknown if any(_within(k, w, span) for span in asked)]
            elsewhere = [w for w in elsewhere if any(_within(k, w, span) for span in asked)]
        # ... nor is the clause it ends with "…인데" before a question with a subject of its own
        # ("아버지가 내년 퇴직이신데 퇴직예정자 교육 대상이 …": not the father's)
        if told_end and any(m.kind in SUBJECT_KINDS and m.start >= told_end for m in matches):
            unknown = [w for w in unknown if _within(k, w, (told_end, len(k)))]
            elsewhere = [w for w in elsewhere if _within(k, w, (told_end, len(k)))]
        oos = "oos" in entities
        matches = self._named_through(matches, entities, features)
        return Understanding(
            text,
            k,
            matches,
            features,
            entities,
            dates,
            years,
            cohort,
            unknown,
            oos,
            elsewhere,
            suffix_attrs,
            suffix_nouns,
            counters=counters,
            actions=self._actions(analysed, matches, told_end),
            left_out=left_out,
        )

    def _actions(self, analysed: tuple[morph.Morpheme, ...], matches: list[Match], after: int = 0) -> tuple[str, ...]:
        """The nouns of action of the question (from ``after`` on, in the key) that no name holds
        and no vocabulary knows."""
        return tuple(
            dict.fromkeys(
                m.surface
                for m in analysed
                if m.action
                and m.start >= after
                and m.pos == "NNG"
                and len(m.surface) >= 2
                and m.surface not in self.function_words
                and m.surface not in self.cue_words
                and not any(x.start <= m.start and m.end <= x.end for x in matches)
            )
        )

    def _counters(self, k: str) -> tuple[str, ...]:
        """The units of Korean right after "몇" ("몇 살", "몇대야", "몇 곳"), longest first."""
        found = []
        for i, ch in enumerate(k):
            if ch == "몇":
                unit = next((u for u in self.counter_words if k.startswith(u, i + 1)), None)
                if unit == "년" and k.startswith(("도", "부터", "에"), i + 2):
                    continue  # "몇 년도", "몇 년부터", "몇 년에" ask which year, not how many
                if unit == "번" and k.startswith("째", i + 2):
                    continue  # "몇 번째" asks which place in an order, not how many
                if unit:
                    found.append(unit)
        return tuple(found)

    def _doer_asked(self, matches: list[Match], analysed: tuple[morph.Morpheme, ...]) -> list[Match]:
        """ "누가" before a verb of taking part asks who may ("누가 들어요"); before any other verb
        it asks who did the thing ("비전은 누가 정했어요"), which only a department or body answers."""
        verbs = {a.start: a.surface for a in analysed if a.pos in ("VV", "VA", "XSV") or a.action}
        out: list[Match] = []
        for m in matches:
            verb = verbs.get(m.end)
            asks_who = (m.kind, m.value) in (("attr", "target"), ("concept", "eligibility")) and key(m.text) == "누가"
            if not asks_who or verb is None or verb.startswith(self.attending_verbs):
                out.append(m)
            elif m.kind == "attr":
                out.append(replace(m, value="who"))
        return out

    def _dates(self, cleaned: str, today: dt.date, raw: str = "") -> tuple[dt.date, dt.date] | None:
        compact = cleaned.replace(" ", "")
        for word, (unit, offset) in _RELATIVE.items():
            if word in compact:
                return _relative_range(today, unit, offset)
        slash = _SLASH_DATE_RE.search(raw)
        if slash:
            try:
                day = dt.date(self.year, int(slash.group(1)), int(slash.group(2) or slash.group(3)))
            except ValueError:
                return None
            return day, day
        m = _MONTH_DAY_RE.search(cleaned)
        if m:
            month = int(m.group(1))
            if not 1 <= month <= 12:
                return None
            year = self._years(cleaned)
            y = year[0] if year else self.year
            if m.group(2):
                try:
                    day = dt.date(y, month, int(m.group(2)))
                except ValueError:
                    return None
                return day, day
            first = dt.date(y, month, 1)
            last = dt.date(y + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
            return first, last
        return None

    def _years(self, cleaned: str) -> list[int]:
        years = []
        for m in _YEAR_RE.finditer(cleaned):
            if m.group(1):
                years.append(int(m.group(1)))
            elif m.group(2):
                years.append(2000 + int(m.group(2)))
            elif m.group(3):
                years.append(2000 + int(m.group(3)))
        return years

    def coverage(
        self, text: str, matches: list[Match], k: str
    ) -> tuple[list[str], list[str], dict[str, str], dict[str, str]]:
        """The content words of ``text`` that nothing accounts for.

        Returns (foreign, elsewhere, suffix_attrs, suffix_nouns): words neither the report, the
        vocabulary nor Korean function words know (수강료, 엘리베이터); words the report knows but
        no matched term covers (the chosen record must then account for them); the attributes
        asked by a noun suffix, with the word that asked each and the noun it asks of.
        """
        covered = [False] * len(k)
        audited = any(m.kind == "concept" and m.value == "audit" for m in matches)
        named = [False] * len(k)  # what names a record ("신임자과정수강료": 신임자 과정)
        for m in matches:
            if m.kind not in ("attr", "concept", "smalltalk", *SOFT_KINDS):
                named[m.start : m.end] = [True] * (min(m.end, len(k)) - m.start)
        for m in matches:
            # Keywords of free-text records and small talk point at records, they do not account
            # for a word: the record they lead to must ("메뉴" is the bot's menu only when
            # nothing else is asked). (A word the audit is named by is the audit's, when a
            # finding is asked: "시의회에서 지적한 거".)
            if m.kind == "smalltalk" or (
                m.kind in SOFT_KINDS and not (audited and k[m.start : m.end] in self._audit_words)
            ):
                continue
            for i in range(m.start, min(m.end, len(k))):
                covered[i] = True
        if audited:
            # who audited, said on its own when a finding is asked ("의회에서 지적받은 거"): the audit's
            for word in (w for w in self._audit_words if len(w) >= 2):
                for found in re.finditer(re.escape(word), k):
                    covered[found.start() : found.end()] = [True] * len(word)
        foreign: list[tuple[int, int]] = []
        elsewhere: list[str] = []
        suffix_attrs: dict[str, str] = {}
        suffix_nouns: dict[str, str] = {}
        analysed = morph.analyse(text)
        for i, m in enumerate(analysed):
            # (MeCab reads some as a verb of one syllable: "참가비" → 참가 + 비다)
            misread = (
                m.pos in ("VV", "VA")
                and i > 0
                and analysed[i - 1].pos.startswith("NN")
                and analysed[i - 1].word == m.word
            )
            if (
                (m.pos in ("XSN", "XPN") or misread)
                and m.surface in self.suffixes
                and m.start > m.word[0]
                and m.end <= len(k)
                and not any(covered[m.start : m.end])
                # "공무원" is a word of the report, not 공무 + a person suffix
                and not (i and k[analysed[i - 1].start : m.end] in self.report_words)
            ):
                # a noun suffix the matched terms do not explain ("참가비" → 참가 + 비)
                suffix_attrs[self.suffixes[m.surface]] = k[m.word[0] : m.end]
                suffix_nouns[self.suffixes[m.surface]] = k[_noun_start(analysed, i, named) : m.end]
                continue
            if not m.content or m.end > len(k):
                continue
            rate = self._rate_unknown(analysed, i, covered, k)
            if rate is not None:
                foreign.append(rate)  # "경쟁률": a rate of a known word the report never gives
                continue
            if (
                m.pos == "NNP"
                and m.surface.endswith("하")
                and len(m.surface) >= 3
                and m.surface[:-1] in self.report_words
                and i + 1 < len(analysed)
                and analysed[i + 1].pos in ("VCP", "EP")
            ):
                continue  # MeCab's guess of a name for a verb ("이수하였습니까": 이수 + 하다)
            marks = covered[m.start : m.end]
            if all(marks):
                continue
            # what ends the word is taken off only where a morpheme ends ("조치결과" is no 조치결 + 과)
            ends = {n.end for n in analysed if n.word == m.word}
            # (a determiner written onto the noun is no part of it: "딴얘긴데" is 딴 얘기 + 인데)
            lead = m.start if all(n.pos == "MM" for n in analysed[:i] if n.word == m.word) else m.word[0]
            raw = k[lead : m.word[1]]
            whole = strip_ending(raw)
            if lead + len(whole) not in ends and raw in self.report_words:
                whole = raw
            # "상반기에는": the word with its particles off, even when the report also writes it
            # with them ("상반기에")
            whole = next(
                (w for w in reversed(without_particles(whole)) if w in self.report_words and lead + len(w) in ends),
                whole,
            )
            if len(whole) > 2 and whole.endswith("들") and whole[:-1] in self.report_words:
                whole = whole[:-1]  # a plural is its noun ("공무원들": 공무원)
            # a word of the report with a word for the report after it ("계획표": the plan's table)
            head = next(
                (whole[: -len(w)] for w in self.source_words if whole.endswith(w) and len(whole) > len(w) + 1), ""
            )
            if (
                head in self.report_words
                and head not in self.function_words
                and not all(covered[lead : lead + len(head)])
            ):
                if not m.action:
                    elsewhere.append(head)
                continue
            if (
                whole in self.function_words
                or whole in self.source_words
                # a matched term with a word for the report after it ("교육계획표": the plan's
                # table) names where a figure is written, as 표 alone does ("편성표" is no 편성)
                or any(
                    whole.endswith(w) and all(covered[lead : lead + len(whole) - len(w)])
                    for w in self.source_words
                    if len(whole) > len(w) + 1
                )
                or whole in self.cue_words
                or copula_stem(whole) in self.function_words
                or topic_stem(whole) in self.function_words
            ):
                continue
            if all(covered[lead : lead + len(whole)]):
                continue  # the word is a matched term with a particle MeCab read into a noun ("인재원에")
            if whole in self.report_words:  # the word as the user spaced it ("선수학습도")
                # Read partly as another term ("자격증" holds the cue "자격", "경기도" the tail of
                # "(타 시·)도 공무원"), the word itself is still to be accounted for.
                if not (m.action and not any(covered[lead : lead + len(whole)])):
                    elsewhere.append(whole)
                continue
            parts = [n for n in analysed if n.word == m.word and n.pos == "NNG" and n.content]
            if (
                len(parts) >= 2
                and all(
                    len(n.surface) >= 2 and n.surface in self.report_words and n.surface not in self.function_words
                    for n in parts
                )
                and not any(covered[m.word[0] : m.word[1]])
                and not any(n.action for n in parts)
            ):
                # "일반행정": a compound of the report's words it never writes together is asked
                # as one, and the answer must show all of it, not just words many records use
                if m is parts[0]:
                    elsewhere.append(whole)
                continue
            # a closing ending read as a noun ("해요"), or one mistyped ("알려주세오", "언제에여")
            closing = m.end == len(k) and (
                _only_endings(m.surface) or (m.start > m.word[0] and _ending_typo(m.surface))
            )
            if closing or any(_JAMO_START <= ord(ch) <= _JAMO_END for ch in m.surface):
                continue  # (or a typing accident: a loose letter)
            if _contracted_verb(m.surface) and (
                m.pos == "NNP"
                or re.search(
                    re.escape(m.surface) + r"\s*(?:[?.!~]|$)" + "|" + re.escape(m.surface) + _ASKING_AFTER, text
                )
            ):
                # a verb MeCab read as a noun at a sentence's end ("어디 가요?": 가다, no song), or
                # before only a word of asking ("어디 가요 궁금해요"), or guessed a name ("근처 살아요")
                continue
            rest = "".join(ch for ch, c in zip(m.surface, marks, strict=False) if not c)
            if any(marks) and (rest in self.function_words or is_ending(rest) or rest in _CONNECTIVES):
                continue
            if any(marks) and marks[0] and particles_only(k[m.end - len(rest) : m.word[1]]):
                continue  # a particle MeCab read into a noun ("몇일부터": 몇 + 일부 + 터, not 일부)
            if any(marks) and m.dictionary and m.surface in self.report_words:
                # a word of the report that a typo-tolerant match only grazed ("퇴직인데": 직인 ≈
                # 직원): the word itself is what is asked about
                if not m.action:
                    elsewhere.append(m.surface)
                continue
            word = m.surface if not any(marks) else rest
            # (a suffix ends a noun: "같은날" is 같은 + 날, the same day, no date of 같은)
            after_a_noun = i == 0 or not analysed[i - 1].pos.startswith(("VV", "VA", "E", "J"))
            attr = self._suffix_attr(m, word, covered, k) if after_a_noun else ""
            if attr:
                suffix_attrs[attr] = k[m.word[0] : m.end]
                suffix_nouns[attr] = k[_noun_start(analysed, i, named) : m.end]
                continue
            if (
                word in self.function_words
                # a bound noun with a particle MeCab read as one noun ("응시자수랑": 수 + 랑)
                or any(stem in self.function_words for stem in particle_stems(word))
                or _NUMBERISH.match(word)
                or not _has_letters(word)
                or (len(word) == 1 and word.isascii())  # "u-지식여행", "e-러닝"
            ):
                continue
            verdict = self._account(word, m, k)
            if verdict == "foreign" and whole[:1] in _WHOLE_OF and len(whole) >= 3:
                # "총면적", "각과정": a word of the vocabulary or the report, of the whole or each
                rest = whole[1:]
                if rest in self.cue_words:
                    continue
                if rest in self.report_words:
                    elsewhere.append(rest)
                    continue
            if verdict == "foreign" and len(whole) >= 4:
                parts = self.segment(whole)  # MeCab cut an unspaced word badly ("가독성")
                if parts is not None:
                    elsewhere += [w for w in parts if w not in self.function_words]
                    continue
            if verdict == "known" and not m.action:
                elsewhere.append(word)
            elif verdict == "foreign":
                if foreign and foreign[-1][1] == m.start:
                    foreign[-1] = (foreign[-1][0], m.end)  # "빔" + "프로젝터": one word
                else:
                    foreign.append((m.start, m.end))
        foreign += self._adverb_inside_a_noun(analysed, covered, k)
        return [k[s:e] for s, e in foreign], list(dict.fromkeys(elsewhere)), suffix_attrs, suffix_nouns

    def _adverb_inside_a_noun(
        self, analysed: tuple[morph.Morpheme, ...], covered: list[bool], k: str
    ) -> list[tuple[int, int]]:
        """Nouns written together that MeCab cut around an adverb ("행정안전부": 행정 + 안 + 전부):
        the whole is one word, which the report must know."""
        out = []
        for i in range(1, len(analysed) - 1):
            a, m, b = analysed[i - 1], analysed[i], analysed[i + 1]
            if not (
                m.pos == "MAG"
                and a.word == m.word == b.word
                and a.end == m.start
                and m.end == b.start
                and a.pos.startswith("NN")
                and (b.pos.startswith("NN") or b.pos == "MAG")
                # (the word ends there, but for its particles)
                and all(n.pos.startswith("J") for n in analysed[i + 2 :] if n.word == m.word)
            ):
                continue
            start = _noun_start(analysed, i - 1)
            end = b.end
            whole = k[start:end]
            if (
                end <= len(k)
                and not all(covered[start:end])
                and whole not in self.report_words
                and not self._typo_of_vocab(whole)
            ):
                out.append((start, end))
        return out

    def _rate_unknown(
        self, analysed: tuple[morph.Morpheme, ...], i: int, covered: list[bool], k: str
    ) -> tuple[int, int] | None:
        """The span of a rate named by a noun and 률/율 ("경쟁률") that neither the report nor the
        vocabulary has, in either spelling; None for any other word."""
        m = analysed[i]
        after = analysed[i + 1] if i + 1 < len(analysed) else None
        if after is None or after.pos != "XSN" or after.surface not in ("률", "율") or after.word != m.word:
            return None
        if any(covered[m.start : after.end]):
            return None
        # (of any noun of the run of nouns it ends: "집행 예상률" is the report's 예상 집행률)
        heads = [m.surface]
        for n in reversed(analysed[:i]):
            if not n.pos.startswith("NN"):
                break
            heads.append(n.surface)
        rates = [f"{h}{tail}" for h in heads for tail in ("률", "율")]
        if any(r in self.report_words or r in self.vocabulary for r in rates):
            return None
        return m.start, after.end

    def _suffix_attr(self, m: morph.Morpheme, word: str, covered: list[bool], k: str) -> str:
        """The attribute a noun suffix asks ("운영비" → cost), when the rest of the word is known."""
        if (
            m.parts
            and len(m.parts) == 2
            and m.parts[1] in self.suffixes
            and (m.parts[0] in self.report_words or covered[m.start])
        ):
            return self.suffixes[m.parts[1]]
        if (
            len(word) == 1
            and word in self.suffixes
            and m.start > m.word[0]
            and (covered[m.start - 1] or k[m.word[0] : m.start] in self.report_words)
        ):
            return self.suffixes[word]
        return ""

    def _account(self, word: str, m: morph.Morpheme, k: str) -> str:
        """'known' (a word of the report or the vocabulary), 'typo' (one letter from one) or
        'foreign'."""
        if len(word) >= 2 and word in self.report_words:
            return "known"
        if m.parts and all(len(p) >= 2 and p in self.report_words for p in m.parts):
            return "known"
        whole = strip_ending(k[m.word[0] : m.word[1]]) or word
        fragment = m.end - m.start == 1 or not m.dictionary
        if whole != word and (len(whole) >= 3 or fragment) and self._typo_of_vocab(whole):
            return "typo"  # a misspelt word that MeCab cut into pieces ("퇴즉" → 퇴/즉)
        if len(word) == 1:
            return "foreign"
        if len(word) >= 3 and (not m.dictionary or len(word) >= 4) and self._typo_of_vocab(word):
            return "typo"
        return "foreign"

    def respaced(self, text: str) -> str:
        """``text`` with its long runs written without spaces ("하반기공채필합발표언제임") spaced
        into the words the report, the vocabulary and Korean function words know, their particles
        and endings kept on them; the text as it was when no such run is found."""
        return _LONG_RUN.sub(lambda m: self._spaced(m.group(0)), text)

    def _spaced(self, run: str) -> str:
        n = len(run)
        known = self._spacing_words
        # best[i]: (cost, pieces) of run[:i]; a known word costs 1, a particle or an ending kept
        # on the word before 0.1, an unknown letter 3 (kept on the word before too)
        best: list[tuple[float, list[str]] | None] = [None] * (n + 1)
        best[0] = (0.0, [])
        for i in range(n):
            if best[i] is None:
                continue
            cost, pieces = best[i]  # type: ignore[misc]
            steps: list[tuple[int, float, bool]] = []
            for j in range(min(n, i + 10), i, -1):
                piece = run[i:j]
                if len(piece) >= 2 and piece in known:  # (a letter alone is too often part of a word)
                    steps.append((j, 1.0, True))
                if pieces and j - i <= 5 and (is_ending(piece) or piece in _PARTICLE_SET):
                    steps.append((j, 0.1, False))
            number = re.match(r"\d+(?:기|회|급|명|주|개|차|월|일|년|시간)?", run[i:])
            if number:
                steps.append((i + number.end(), 1.0, True))  # "9기", "2주", "2018년"
            steps.append((i + 1, 3.0, False))
            for j, add, new_word in steps:
                piece = run[i:j]
                spaced = [*pieces, piece] if new_word or not pieces else [*pieces[:-1], pieces[-1] + piece]
                if best[j] is None or cost + add < best[j][0]:  # type: ignore[index]
                    best[j] = (cost + add, spaced)
        found = best[n]
        if found is None or not all(self._a_known_word(piece) for piece in found[1][:-1]):
            return run  # (a word nothing knows inside the run: no spacing is sure, and none is made)
        return " ".join(found[1])

    def _a_known_word(self, piece: str) -> bool:
        """Whether a spaced piece is a known word, or a number, with only particles or endings after."""
        for i in range(len(piece), 0, -1):
            head, rest = piece[:i], piece[i:]
            if (head in self._spacing_words or re.fullmatch(r"\d+[가-힣]?", head)) and (
                not rest or is_ending(rest) or rest in _PARTICLE_SET
            ):
                return True
        return False

    def stem_of_suffixed(self, word: str) -> str:
        """A word without the attribute suffix it ends in ("운영비" → 운영), or the word."""
        for n in (2, 1):
            if len(word) > n and word[-n:] in self.suffixes:
                return word[:-n]
        return word

    def segment(self, word: str, *, whole: bool = True) -> list[str] | None:
        """``word`` as a sequence of known words (and a trailing ending), or None; with
        ``whole=False`` as two or more of them even when the word itself is known."""
        n = len(word)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            if best[i] is None:
                continue
            if is_ending(word[i:]):
                return best[i]
            for j in range(min(n, i + 10), i + 1, -1):
                piece = word[i:j]
                if not whole and piece == word:
                    continue
                if (piece in self.report_words or piece in self.function_words) and best[j] is None:
                    best[j] = [*best[i], piece]
        return best[n]

    def _typo_of_vocab(self, word: str) -> bool:
        """One letter away from a word of the vocabulary (어린이짚, 교육게획)."""
        jamo = to_jamo(word)
        n = len(jamo)
        if n < 4:
            return False
        cutoff = 100.0 * (1 - 1 / n) - 0.01
        return (
            process.extractOne(jamo, self.vocab_jamo, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff)
            is not None
        )

    # -- intent ---------------------------------------------------------------------------------

    def intent(self, intent_id: str) -> IntentSpec | None:
        return next((spec for spec in self.intents if spec.id == intent_id), None)

    def classify(self, u: Understanding) -> Understanding:
        ranking: list[tuple[str, float]] = []
        present = dict(u.features)
        for kind in u.entities:
            present.setdefault(kind, 1.0)
        # Named records, read as written (not from a derived short name or a typo).
        # (Budget lines are names of money: a question naming one without asking about money
        # is about the business itself, not its budget.)
        subject_matches = [
            m
            for m in u.matches
            if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS and m.kind != "budget_line" and m.score >= 0.95
        ]
        # a rank whose courses are one program named that program ("퇴직 앞둔 … 교육"): the rank
        # explains a reading of the program
        by_rank = (
            "program" in u.entities
            and "program" not in u.inherited
            and not any(m.kind in ("program", "session") for m in u.matches)
        )
        concept_at = {}
        for m in u.matches:
            if m.kind == "concept":
                concept_at.setdefault((m.start, m.end), set()).add(f"concept.{m.value}")
        for spec in self.intents:
            if not any(n in present for n in spec.needs):
                continue
            score = spec.base + sum(w * present.get(sig, 0.0) for sig, w in spec.signals.items())
            # A need met by a specific entity is stronger than one met by a concept only.
            score += max(
                (1.5 if n in SUBJECT_KINDS and n not in SOFT_KINDS else 1.0) * present[n]
                for n in spec.needs
                if n in present
            )
            # A question naming a specific record ("신임자 교육 e-러닝 선수학습") is about that
            # record, not about a concept that merely appears in it.
            uses = set(spec.needs) | set(spec.signals)
            # A concept at the end of a name is what the name is ("인재개발원 어린이집");
            # one inside it only qualifies it ("인재채용과" is no exam).
            unexplained = [
                m
                for m in subject_matches
                if m.kind not in uses
                and not (by_rank and m.kind == "rank" and "program" in spec.needs)
                and not any(
                    names & set(spec.needs)
                    for (start, end), names in concept_at.items()
                    if m.start <= start and end == m.end
                )
            ]
            if unexplained and len(unexplained) == len(subject_matches) and not spec.open:
                score -= 2.0
            ranking.append((spec.id, score))
        # of readings scored alike, the one that uses more of the concepts the question names
        # ("감사 지적 중에 어린이집": the audit finding, not the building)
        # ... and first the one that answers the attribute asked ("타슈켄트 연수 몇 명": the
        # headcount, not the schedule its cohort's name also points to)
        named = {f for f in u.features if f.startswith("concept.")}
        asked = {f for f in u.features if f.startswith("attr.")}
        used = {spec.id: len(named & (set(spec.needs) | set(spec.signals))) for spec in self.intents}
        answers = {spec.id: len(asked & {s for s, w in spec.signals.items() if w > 0}) for spec in self.intents}
        ranking.sort(key=lambda x: (-x[1], -answers.get(x[0], 0), -used.get(x[0], 0)))
        if not ranking:
            return replace(u, ranking=[], intent=None, score=0.0)
        return replace(u, ranking=ranking, intent=ranking[0][0], score=ranking[0][1])


# Endings of verbs and adjectives ("늘었어요", "됐나요", "작다는"): predicates say what is asked
# about something, they are not the unknown subject of a question.
_PREDICATE_END = re.compile(
    r"(었|았|였|했|됐|겠|시|셨|줘|줬|래|대|는데|는지|니까|다는|라는|다고|냐고|려면|으면|면서|"
    r"하는|되는|있는|없는|받는|듣는|가는|오는|할|될|을|ㄹ|는|한|된|던|어|아|여|해|돼|지|고|게|다|면|"
    r"은거|는거|던거|거|건|걸|워|줘|봐|써|던데|은데|는데)$"
)


# ... or a clause that tells the asker's situation ("기자인데요 …", "아버지가 퇴직 앞두셨는데 …")
_SENTENCE_END = re.compile(
    # (a run of ㅠ/ㅜ/ㅋ/ㅎ between words ends a sentence too: "언제나요 ㅠ 기다리다 지침"; also as the
    # conjoining jamo NFKC makes of them when the thesaurus has rewritten the text)
    r"[.!?。]+\s*|\s+[ㅠㅜㅋㅎ\u1172\u116e\u110f\u1112]{1,}\s+|(?<=요),\s*|(?:(?<=인데)|(?<=는데)|(?<=은데))요?,?\s+|"
    # ... or a polite sentence the question follows with "그럼" ("… 가정이에요 그럼 몇 순위예요")
    r"(?<=요)\s+(?=(?:그럼|그러면|그러니까|그래서)\s)"
)
# a sitting and the announcement of who passed it; and a word for having passed, after the
# sitting and its particle ("필기는 붙었어요")
_RESULT_OF = {"written_exam": "written_result", "interview": "final_result"}
_PASSED = re.compile(r"(?:은|는|이|가|도|만|에서|에)?(?:붙|합격|통과|패스|됐|되었|되면)")
# a clause or sentence that tells the asker's situation before the question ("…담당인데요 …",
# "구청 교육담당입니다. …")
_TOLD = re.compile(r"(?:(?:인데|는데|은데|신데)요?,?|(?<=[가-힣])[.。])\s+(?=\S)")


def told_part_end(text: str) -> int:
    """Where what the asker says of themselves ends and the question begins ("9급 필기
    봤는데요 결과 언제 나와요": after 봤는데요), as an index in ``text``; 0 when it says nothing first."""
    told = [m.end() for m in _TOLD.finditer(text)]
    return told[-1] if told else 0


_AS_EXAMPLE = re.compile(r"(?:(?:이나|나|이랑|랑|하고)[가-힣]{0,6}?)?(?:같은|같이|처럼|등등|따위)")
_LEFT_OUT = re.compile(
    r"(?:은|는|을|를|이|가)?(?:말고|빼고|제외하고|말구|이외에|외에|아니어도|아니라도|아니면|아닌데|아닌)"
)
_EVENTS = ("event_type", "event_any")
_EXAM_ATTRS = frozenset({"count_figures", "series"})
_PARTICLE_SET = frozenset(PARTICLES)
# what may follow a question's own end: words of asking and feeling ("궁금해요", "좀 알려줘",
# "알려주실 수 있나요?", "부탁드려요", "ㅠㅠ")
_ASKING_AFTER = r"(?:\s+(?:좀|궁금\S*|알려\S*|답변\S*|부탁\S*|수|있나요\S*|ㅠ+|ㅜ+|[?.!~]+))+\s*$"
# a run of five letters or more written without a space ("하반기공채필합발표언제임")
_LONG_RUN = re.compile(r"[가-힣0-9]{5,}")
# "몇 백만원", "몇 천": a count of a number's order of magnitude
_MAGNITUDE = re.compile(r"몇\s*[십백천만억]")


def _verb_and_ending_in(analysed: tuple[morph.Morpheme, ...], start: int, end: int) -> bool:
    """Whether the span holds a verb's stem and, after it, an ending of its own ("넓" + "어")."""
    inside = [a for a in analysed if start <= a.start and a.end <= end]
    return any(
        a.pos in ("VV", "VA") and b.pos in ("EC", "EF", "EP") and a.end == b.start
        for a, b in zip(inside, inside[1:], strict=False)
    )


@lru_cache(maxsize=4096)
def _a_noun(term: str) -> bool:
    """Whether a term of nlu.yaml is a noun ("넓이"), not a verb's form ("늘었")."""
    analysed = morph.analyse(term)
    return bool(analysed) and analysed[0].pos.startswith("NN")


def _minutes_or_persons(m: Match, k: str) -> Match | None:
    """ "몇 분" counts minutes, or people politely ("몇 분 계세요"); in "몇 분야" it is the start of
    the unit 분야 and asks no length."""
    if m.kind != "attr" or m.value != "duration" or not key(m.text).endswith("분"):
        return m
    after = k[m.end :]
    if after.startswith("야"):
        return None
    if after.startswith(("계", "이세", "이신", "이나계", "정도계")):
        return replace(m, value="headcount")
    return m


# a quoted clause ("짧다고 지적받은", "늘린다던데"): what someone said, not what is asked
_QUOTED = re.compile(r"[가-힣](?:다|라|냐)고(?=[가-힣])")
_ROUND_NUMBER = re.compile(r"(이번|지난|저번|제)?(?<!\d)(\d{1,2})회(?!차)")
_DATE_ATTRS = frozenset({"schedule", "day", "weekday", "end"})


def _one_reading_of_shared_cues(matches: list[Match]) -> list[Match]:
    """A cue word of two attributes ("수료": its date, or how many completed it) asks the one
    that another cue of the question asks too ("수료한 사람 몇 명": the count)."""
    attrs = [m for m in matches if m.kind == "attr"]
    spans: dict[tuple[int, int], set[str]] = {}
    for m in attrs:
        spans.setdefault((m.start, m.end), set()).add(m.value)
    drop: set[tuple[int, int, str]] = set()
    for span, values in spans.items():
        if len(values) < 2 or values <= _DATE_ATTRS:
            continue  # ("날짜": a date and a day, the narrower read where it is asked)
        elsewhere = {m.value for m in attrs if (m.start, m.end) != span}
        backed = values & elsewhere
        if backed:
            drop |= {(*span, v) for v in values - backed}
    return [m for m in matches if (m.start, m.end, m.value) not in drop or m.kind != "attr"]


def _report_nouns_only(
    analysed: tuple[morph.Morpheme, ...], start: int, end: int, report_words: frozenset[str]
) -> bool:
    """Whether the span ``start``..``end`` is made of two or more whole nouns of the dictionary,
    each a word of the report."""
    inside = [a for a in analysed if start <= a.start and a.end <= end]
    return (
        len(inside) >= 2
        and inside[0].start == start
        and inside[-1].end == end
        and all(a.end == b.start for a, b in zip(inside, inside[1:], strict=False))
        and all(
            a.dictionary and a.pos.startswith("NN") and len(a.surface) >= 2 and a.surface in report_words
            for a in inside
        )
    )


def asked_text(text: str) -> str:
    """The text without what follows its questions to say why they are asked ("의무실
    있어요? 교육 중에 아프면 어디 가나 해서" → "의무실 있어요?")."""
    if "?" in text and _EXPLAINING.search(text[text.rindex("?") + 1 :]):
        return text[: text.rindex("?") + 1]
    return text


# the end of a clause that says why the asker asks ("…어디 가나 해서", "…찾으려구요")
_EXPLAINING = re.compile(r"(?:해서|라서|어서|아서|거든요?|려고요?|려구요?|길래|니까)\s*[.~!ㅎㅠ]*\s*$")


def _asked_sentences(text: str, question_words: frozenset[str]) -> list[tuple[int, int]]:
    """The spans, in the matching key, of the sentences that ask: those ending in a question
    mark, else those with a question word ("발표 언제나요 ㅠ 기다리다 지침"), else the last one
    ("…인데요, 몇 순위예요?" / "숙소 있어요? 1박2일인데")."""
    spans: list[tuple[int, int, bool, bool]] = []
    reasons: set[int] = set()  # sentences that only give a reason ("…직원이 있어서요")
    pos, at = 0, 0
    for m in [*_SENTENCE_END.finditer(text), None]:
        end = m.start() if m else len(text)
        compact = key(text[at:end])
        if compact:
            asks = any(w and w in compact for w in question_words)
            if _REASON_END.search(text[at:end]):
                reasons.add(len(spans))
            spans.append((pos, pos + len(compact), bool(m and "?" in m.group(0)), asks))
            pos += len(compact)
        at = m.end() if m else len(text)
    if len(spans) < 2:
        return [(0, pos)]
    asking = [(start, end) for start, end, question, _ in spans if question]
    worded = [(start, end) for start, end, _, asks in spans if asks]
    told = [span[:2] for i, span in enumerate(spans) if i not in reasons] or [spans[-1][:2]]
    return asking or worded or [told[-1]]


# A sentence that gives the reason for asking ("저희 부서에 휠체어 쓰는 직원이 있어서요"). Unlike
# _EXPLAINING, a polite "…서요" counts: between sentences it tells a reason, while after a
# question mark it often says the question again ("어디서 받아요? 장소가 궁금해서요").
_REASON_END = re.compile(r"(?:(?<!어디)(?<!에)서|거든|니까)요?\s*[.!~]*\s*$")


def _within(k: str, word: str, span: tuple[int, int]) -> bool:
    i = k.find(word, span[0])
    return i >= 0 and i + len(word) <= span[1]


def _boundaries(cleaned: str) -> frozenset[int]:
    """Positions in the spacing-free key where the cleaned text had a space."""
    out, pos = set(), 0
    for word in cleaned.split(" "):
        pos += len(word)
        out.add(pos)
    return frozenset(out)


# the short endings, letter by letter, by length: what a mistyped ending is compared with
_SHORT_ENDINGS = {n: [to_jamo(e) for e in _ENDING_SET if len(e) == n] for n in (1, 2, 3)}


def _noun_start(analysed: tuple[morph.Morpheme, ...], i: int, named: list[bool] | None = None) -> int:
    """Where the run of nouns that ends at morpheme ``i`` starts within its word, after any
    matched term: the noun a suffix asks of, not the whole unspaced sentence before it
    ("교재발간은어느부서일이야": 부서일; "신임자과정수강료는": 수강료)."""
    j = i
    while (
        j > 0
        and analysed[j - 1].word == analysed[i].word
        and analysed[j - 1].end == analysed[j].start
        and not (named and any(named[analysed[j - 1].start : analysed[j - 1].end]))
        # (a count asked stays with its noun: "몇일날" asks a date)
        and (analysed[j - 1].pos != "MM" or analysed[j - 1].surface == "몇")
        and not analysed[j - 1].pos.startswith(("J", "E", "V", "XSV", "XSA", "MAG", "SF", "SP", "SS", "SE", "SO"))
    ):
        j -= 1
    return analysed[j].start


def _contracted_verb(word: str) -> bool:
    """Whether ``word`` is a verb with the polite ending run into it ("가요" = 가다 + 아요, "살아요"
    = 살다 + 아요), as the analyser reads its stem with the plain ending."""
    if len(word) < 2 or word[-1] != "요":
        return False
    stems = [word[:-1]] + ([word[:-2]] if len(word) >= 3 and word[-2] in "아어여" else [])
    for stem in stems:
        plain = morph.analyse(stem + "다")
        if len(stem) <= 2 and plain and plain[0].surface == stem and plain[0].pos in ("VV", "VA"):
            return True
    return False


def _ending_typo(text: str) -> bool:
    """Whether ``text`` is a listed ending with one letter mistyped ("세오" for 세요, "에여")."""
    typed = to_jamo(text)
    return any(Levenshtein.distance(typed, e, score_cutoff=1) <= 1 for e in _SHORT_ENDINGS.get(len(text), ()))


def _only_endings(text: str) -> bool:
    """Whether ``text`` is nothing but particles and endings ("이에요", "이야", "은요")."""
    for _ in range(4):
        if not text or text in _ENDING_SET:
            return True
        stripped = strip_ending(text)
        if stripped == text:
            return len(text) == 1
        text = stripped
    return False


def is_predicate(word: str) -> bool:
    """Whether ``word`` looks like a conjugated verb or adjective rather than a noun."""
    if _PREDICATE_END.search(word):
        return True
    # Conjugated verbs end in an open syllable with ㅓ/ㅕ/ㅝ ("다녀", "세워", "가져").
    last = word[-1:]
    if last and "가" <= last <= "힣":
        code = ord(last) - 0xAC00
        return code % 28 == 0 and (code % 588) // 28 in (4, 6, 14, 10)
    return False


def _has_letters(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


def _add(entities: dict[str, list[str]], kind: str, value: str) -> None:
    values = entities.setdefault(kind, [])
    if value not in values:
        values.append(value)


def _relative_range(today: dt.date, unit: str, offset: int) -> tuple[dt.date, dt.date]:
    if unit == "day":
        day = today + dt.timedelta(days=offset)
        return day, day
    if unit == "week":
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=offset)
        return monday, monday + dt.timedelta(days=6)
    if unit == "month":
        month_index = today.year * 12 + today.month - 1 + offset
        year, month = divmod(month_index, 12)
        first = dt.date(year, month + 1, 1)
        nxt = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
        return first, nxt - dt.timedelta(days=1)
    year = today.year + offset
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# "다음 주", "다음 달", "다음에" speak of time, not of what comes after the last answer
# ("다음에" is "later", except before a verb that qualifies a noun: "다음에 시작하는 과정")
_NEXT = re.compile(
    r"다음(?!\s*(?:주|달|번|해|년|날|에))|다음에\s*[가-힣]+(?:는|할)\s|그\s*뒤|그\s*후|끝나(?:면|고)|마치(?:면|고)|남은\s*(?:단계|일정|절차)"
)


# Particles of company ("어느 부서랑 했어요": with which unit)
_WITH = re.compile(r"(?:이랑|랑|와|과|하고)(?:함께|같이)?(?:했|한|해|진행|협력|협업)")

# Endings that join a term to the next clause ("몇 개고 팀은 몇 개", "몇 명이고")
_CONNECTIVES = frozenset({"고", "이고", "씩", "예요", "인데", "이나"})


def counting_units(nlu: dict[str, Any]) -> frozenset[str]:
    """Every unit of counting nlu.yaml's ``counters`` name, with the units each counts in ("주",
    "개월", "%"), as matching keys."""
    return frozenset(key(u) for unit, units in (nlu.get("counters") or {}).items() for u in (unit, *units) if key(u))


_HALVES = ("상반기", "하반기")


def halves_named(u: Understanding) -> list[str]:
    """The halves of the year a question names ("하반기엔", "상반기 실적")."""
    return [h for h in _HALVES if h in u.key]


def asks_next(u: Understanding) -> bool:
    """Whether a question asks what comes after ("그 다음은?", "그 뒤 일정은")."""
    return _NEXT.search(u.text) is not None


def next_at(u: Understanding) -> int | None:
    """Where, in the question's matching key, it asks what comes after; None when it does not."""
    m = _NEXT.search(u.key)
    return m.start() if m else None


__all__ = [
    "Understander",
    "Understanding",
    "told_part_end",
    "load_nlu",
    "counting_units",
    "halves_named",
    "SUBJECT_KINDS",
    "FAMILY",
]
