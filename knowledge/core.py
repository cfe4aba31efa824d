"""The one core every channel calls: ``Brain.answer(text, context, now=...) -> Reply``."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from rapidfuzz import fuzz, process
from sqlite_utils import Database

from db import knowledge as kdb
from db import ops
from knowledge import morph
from knowledge.answers import Composer, cohort_of
from knowledge.matcher import SOFT_KINDS, Term, make_term
from knowledge.normalize import clean, key, strip_ending
from knowledge.reply import EMPTY_CONTEXT, Context, Reply
from knowledge.retrieve import PassageIndex
from knowledge.text import BASIS, basis, josa
from knowledge.understand import (
    FAMILY,
    MIN_SCORE,
    SUBJECT_KINDS,
    Understander,
    Understanding,
    load_nlu,
    vocabulary_terms,
)

MAX_INPUT = 2000  # characters of a question that are looked at
SMALLTALK_OVER = 3.5  # "사용법 알려줘" is small talk unless a real question scores above this
_WORD_RE = re.compile(r"[가-힣A-Za-z0-9]{2,}")
COVERED_YEARS = frozenset({2017, 2018, 2019})
# Attribute cues that go with any answer ("어떻게 돼요", "누가"): never a sign of a mismatch.
IGNORABLE_CUES = frozenset({"attr.format", "attr.who", "attr.target"})
# Entity kinds a follow-up question may take over from the previous turn.
INHERITABLE = frozenset({"program", "round", "event_type", "building", "amenity", "department",
                         "budget_line", "expert_category", "assessment", "work", "rank",
                         "category", "priority_group"})


_NAME_SPLIT = re.compile(r"[\s·,/()\[\]{}<>「」『』“”\"'’‘~\-]+|및")
_COHORT_NAME = re.compile(r"^(제)?\d+(기|회|차|년|월|일|주|명|개)?$")
VARIANT_WEIGHT = 0.9
SHORT_LINES = 5  # lines of a reply before "자세히"
LIST_LINES = 8  # a list that answers the question is shown whole up to this many items
MORE_HINT = "… (전체 내용은 \"자세히\")"
DETAIL_WORDS = frozenset({"자세히", "자세히알려줘", "자세히요", "더자세히", "더알려줘", "전체보기", "자세히보기"})
NOISE_REPLY = "네, 더 궁금한 점이 있으면 말씀해 주세요. 예: \"신임자 과정 언제 시작해요?\""
# The subject family a concept word brings: a new family means a new question, not a follow-up.
CONCEPT_FAMILY = {
    "course": "course", "promotion": "course", "exam": "exam", "expert": "exam",
    "interview_format": "exam", "daycare": "daycare", "priority": "daycare",
    "facility": "facility", "works": "facility", "budget": "budget", "org": "org",
    "elearning": "elearning", "lms": "elearning", "app": "elearning", "plan": "plan",
    "assessment": "assessment", "vision": "vision", "audit": "audit",
}
GENERIC_RECORDS = 8  # a word in this many records' texts names none of them in particular
# A first sentence that says the report does not give what was asked: not an answer.
_NOT_GIVEN = re.compile(r"업무보고에\s*(?:따로\s*)?(?:나와\s*있지\s*않|없습니다)")


def name_variants(name: str, generic: frozenset[str] = frozenset()) -> list[str]:
    """Shorter names a user may use for a long official name: its words, adjacent word pairs
    and the tails of long compound words ("교육생급식지원" → "급식지원")."""
    words = [w for w in _NAME_SPLIT.split(name) if w]
    out: list[str] = []
    for i, word in enumerate(words):
        out.append(word)
        if i + 1 < len(words):
            out.append(word + words[i + 1])
        hangul = sum(1 for ch in word if "가" <= ch <= "힣")
        if hangul >= 5:
            out += [word[j:] for j in range(1, len(word) - 2)]
    return [v for v in dict.fromkeys(out)
            if (len(v) >= 3 or (v.isascii() and len(v) >= 3)) and key(v) not in generic
            and not _COHORT_NAME.match(v)]


def entity_terms(db: Database, reserved: frozenset[str] = frozenset()) -> list[Term]:
    """Every name and alias of every record the bot can talk about, as matchable terms.

    Besides the written names and aliases, shorter names derived from long official names are
    added when they name exactly one record and are not a word of the vocabulary (``reserved``).
    """
    terms: list[Term | None] = []
    records: list[tuple[str, str, str, tuple[str, ...]]] = []  # kind, value, name, aliases
    for kind, rows in (
        ("program", kdb.programs(db)), ("round", kdb.rounds(db)), ("building", kdb.buildings(db)),
        ("amenity", kdb.amenities(db)), ("department", kdb.departments(db)),
        ("budget_line", kdb.budget_lines(db)), ("expert_category", kdb.expert_categories(db)),
        ("assessment", kdb.assessments(db)), ("work", kdb.works(db)),
        ("category", kdb.categories(db)),
    ):
        records += [(kind, r.id, r.name, tuple(getattr(r, "aliases", ()))) for r in rows]
    for r in kdb.rounds(db):
        if r.kind == "전문가":  # its names also mean "expert recruitment" in general
            terms += [make_term("concept", "expert", n) for n in (r.name, *r.aliases)]
    for p in kdb.programs(db):
        for s in kdb.sessions_of(db, p.id):
            records.append(("session", f"{p.id}|{s.id}", s.name, ()))
    derived: dict[str, set[tuple[str, str]]] = {}
    written: set[str] = set()
    for kind, value, name, aliases in records:
        if kind != "session":
            terms.append(make_term(kind, value, name))
            written.add(key(name))
        for alias in aliases:
            terms.append(make_term(kind, value, alias))
            written.add(key(alias))
        for variant in name_variants(name):
            derived.setdefault(key(variant), set()).add((kind, value))
    texts = [key(t) for t in kdb.record_texts(db).values()]
    for variant_key, owners in derived.items():
        # a word many records use ("운영", "기본경비") names none of them on its own
        if len(owners) == 1 and variant_key not in reserved and variant_key not in written \
                and sum(variant_key in t for t in texts) < GENERIC_RECORDS:
            kind, value = next(iter(owners))
            terms.append(make_term(kind, value, variant_key, VARIANT_WEIGHT))
    org = kdb.section(db, "organisation")
    if org:
        for name in (org.get("name"), *(org.get("aliases") or ())):
            if name:
                terms.append(make_term("self", "organisation", name))
    for topic in kdb.topics(db):
        for word in topic.keywords:
            terms.append(make_term("topic", topic.id, word))
    for p in kdb.priorities(db):
        for word in p.keywords:
            terms.append(make_term("priority_group", str(p.rank), word))
    for i, fact in enumerate(kdb.facts(db)):
        for word in fact.keywords:
            terms.append(make_term("fact", str(i), word))
    return [t for t in terms if t is not None and len(t.key) >= 2]


def knowledge_vocabulary(db: Database) -> tuple[set[str], set[int]]:
    """Words of every text in the knowledge (stems), and the years it mentions."""
    words: set[str] = set()
    years: set[int] = set()
    raw_words: set[str] = set()
    for text in kdb.all_texts(db):
        raw_words.update(_WORD_RE.findall(text))
        for y in re.findall(r"(?<!\d)(20\d{2})(?!\d)", text):
            years.add(int(y))
        for y in re.findall(r"[’'](\d{2})(?!\d)", text):
            years.add(2000 + int(y))
    for raw in raw_words:
        w = clean(raw).replace(" ", "")
        words.add(w)
        words.add(strip_ending(w))
    return words, years


def report_words(db: Database) -> frozenset[str]:
    """Every content word of the knowledge: the closed world a question's words are checked in
    (stored by ``hrdbot load``; built here only for a database loaded before it was)."""
    stored = kdb.vocabulary(db)
    return stored if stored is not None else morph.vocabulary(kdb.all_texts(db))


class Brain:
    """Understands questions and answers them from the database. Build once, call many times."""

    def __init__(self, db: Database, *, log_unanswered: bool = True) -> None:
        self.db = db
        self.nlu = load_nlu()
        vocabulary, years = knowledge_vocabulary(db)
        reserved = frozenset(t.key for t in vocabulary_terms(self.nlu))
        self.understander = Understander(self.nlu, entity_terms(db, reserved), vocabulary,
                                         years | set(COVERED_YEARS),
                                         report_words(db) | frozenset(vocabulary))
        self.composer = Composer(db, self.nlu)
        self.log_unanswered = log_unanswered
        self._cohort_programs: dict[int, set[str]] = {}
        for p in kdb.programs(db):
            for session in kdb.sessions_of(db, p.id):
                number = cohort_of(session.name)
                if number is not None:
                    self._cohort_programs.setdefault(number, set()).add(p.parent or p.id)
        self._record_keys = {ident: key(text) for ident, text in kdb.record_texts(db).items()}
        self.passages = PassageIndex(db)
        self._names: dict[tuple[str, str], set[str]] = {}
        for term in self.understander.matcher.terms:
            self._names.setdefault((term.kind, term.value), set()).add(term.key)
        self._generic_cache: dict[str, bool] = {}
        places = "|".join(re.escape(b.name) for b in kdb.buildings(db)) or "층"
        self._value_of = {
            "attr.location": re.compile(rf"{places}|\d+\s*층|지하|지상|홈페이지|\.kr|현장|센터"),
            "attr.cost": re.compile(r"\d[\d,]*\s*(?:천원|만원|백만원|억|원)"),
            "attr.area": re.compile(r"㎡|평|제곱미터|필지"),
            "attr.schedule": re.compile(r"\d{1,2}월|\d{1,2}\.\s?\d{1,2}\.|상시|수시|매월|상반기|하반기|\d{4}년"),
            "attr.headcount": re.compile(r"\d[\d,]*\s*(?:명|회|개|건|기|차|과정)"),
            "attr.duration": re.compile(r"\d+\s*(?:주|개월|일|박|시간|분|년)|상시|\d{1,2}월"),
        }
        self._suggestion_pool = self.composer.example_questions()
        self._suggestion_keys = [key(s) for s in self._suggestion_pool]

    def answer(self, text: str, context: Context = EMPTY_CONTEXT, *,
               now: dt.datetime) -> Reply:
        """Answer one question. ``now`` is the aware Asia/Seoul time of the question."""
        text = (text or "")[:MAX_INPUT]
        today = now.date()
        if not key(text):
            return Reply("질문을 입력해 주세요. 예: \"신임자 과정 언제 시작해요?\"", None, 0.0,
                         suggestions=tuple(self.nlu["default_suggestions"]), context=context)
        if key(text) in DETAIL_WORDS and context.fresh(now) and context.detail:
            return Reply(context.detail, context.intent, 0.9, dict(context.entities), (), context)
        u = self.understander.understand(text, today)
        if not _asks_anything(u):
            return Reply(NOISE_REPLY, None, 0.0, {}, (), context)
        if context.fresh(now):
            self._inherit(u, context)
        self._program_from_cohort(u)
        self.understander.classify(u)
        if context.fresh(now):
            self._keep_previous_question(u, context)
        if "smalltalk" in u.entities and (u.intent is None or u.score < SMALLTALK_OVER):
            return self.composer.small_talk(u.entities["smalltalk"][0], context)
        decline_reason = self._decline_reason(u)
        if decline_reason is None and u.intent is not None:
            reply = self.composer.compose(u, today)
            if reply is not None:
                missing = self._unanswered_words(u, reply.text)
                first = re.split(r"(?<=[.!?])\s|\n", reply.text.strip(), maxsplit=1)[0]
                if not missing and _NOT_GIVEN.search(first):
                    if self.log_unanswered:
                        ops.log_unanswered(self.db, text.strip()[:500], key(text)[:500], now)
                    return Reply(reply.text, None, 0.0, reply.entities, reply.suggestions,
                                 context, reply.topics)
                if not missing:
                    short, full = shape(reply.text, _question_tokens(u))
                    return Reply(short, u.intent, _confidence(u.score), reply.entities,
                                 reply.suggestions,
                                 Context(u.intent, dict(reply.entities), now, full),
                                 reply.topics, full if full != short else "")
                found = self._retrieve(u, now)
                if found is not None:
                    return found
                return self._not_in_report(text, u, missing, reply.text, now, context)
            decline_reason = "no_data"
        if decline_reason in ("unknown", "unknown_subject", "no_data") and not u.unknown_words:
            found = self._retrieve(u, now, min_words=2)
            if found is not None:
                return found
        if decline_reason == "not_in_report" and u.intent is not None:
            reply = self.composer.compose(u, today)
            return self._not_in_report(text, u, u.unknown_words, reply.text if reply else "",
                                       now, context)
        return self._decline(text, u, decline_reason or "unknown", now, context)

    def _unanswered_words(self, u: Understanding, answer: str) -> list[str]:
        """Words of the question the report knows, but that the chosen answer does not mention:
        uncovered content words, and records named beside the one the intent answers about."""
        spec = self.understander.intent(u.intent or "")
        uses = set(spec.needs) | set(spec.signals) if spec else set()
        words = list(u.elsewhere)
        cues = [(m.start, m.end) for m in u.matches if m.kind in ("attr", "concept", "event_type",
                                                                    "event_any", "rank")]
        for m in u.matches:
            if m.kind in SUBJECT_KINDS and m.kind not in uses and m.kind != "rank" \
                    and m.kind not in SOFT_KINDS \
                    and m.kind not in u.inherited and not _covered(m, cues):
                words.append(u.key[m.start : m.end])
        compact = key(answer)
        own = "".join(self._record_keys.get((kind, str(v)), "")
                      for kind, values in u.entities.items() if isinstance(values, list)
                      for v in values)
        missing = [w for w in dict.fromkeys(words)
                   if w not in compact and w not in own and not self._generic(w)]
        missing += [word for attr, word in u.suffix_attrs.items()
                     if f"attr.{attr}" not in uses and word not in compact]
        # The asked attribute must have a value of its kind in the answer: a place for "어디",
        # a sum for "얼마", a date for "언제" ("신임자 과정 어디서 해요?" has no place to give).
        for m in u.matches:
            pattern = self._value_of.get(f"{m.kind}.{m.value}")
            if pattern is not None and not pattern.search(answer):
                missing.append(u.key[m.start : m.end])
        return missing

    def _retrieve(self, u: Understanding, now: dt.datetime, min_words: int = 1) -> Reply | None:
        """The one fact sentence or table row that accounts for every content word, if any."""
        words: list[tuple[str, ...]] = []
        owners: set[tuple[str, str]] = set()
        for m in u.matches:
            if m.kind in ("attr", "concept", "smalltalk", "self", "oos", "event_any"):
                continue
            forms = {u.key[m.start : m.end]}
            if m.kind not in SOFT_KINDS:
                forms |= self._names.get((m.kind, m.value), set())
                owners.add((m.kind, m.value))
            words.append(tuple(forms))
        words += [(w,) for w in u.elsewhere if not self._generic(w)]
        if len(words) < min_words:
            return None
        passage = self.passages.best(words, owners)
        if passage is None:
            return None
        text = f"{passage.text}\n{basis(passage.source)}"
        entities = _public_entities(u.entities)
        return Reply(text, "fact.answer", _confidence(u.score), entities, (),
                     Context("fact.answer", dict(entities), now))

    def _generic(self, word: str) -> bool:
        """A word of the whole domain ("공무원", "서울시"): many records use it, so it names none."""
        if word not in self._generic_cache:
            n = sum(word in text for text in self._record_keys.values())
            self._generic_cache[word] = n >= GENERIC_RECORDS
        return self._generic_cache[word]

    def _not_in_report(self, text: str, u: Understanding, words: list[str], card: str,
                       now: dt.datetime, context: Context) -> Reply:
        """The record is known but the asked attribute is not in it: say so first."""
        subject = _subject_name(u)
        asked = " ".join(words[:2])
        head = (f"{subject}의 {josa(asked, '은는')} 업무보고에 나와 있지 않습니다." if subject
                else f"{josa(asked, '은는')} 업무보고에 나와 있지 않습니다.")
        lines = [head]
        known = next((line for line in card.splitlines() if line.strip()), "")
        if known:
            lines.append(f"업무보고에 있는 내용: {known}")
        if self.log_unanswered:
            ops.log_unanswered(self.db, text.strip()[:500], key(text)[:500], now)
        suggestions = tuple(self.suggest(text))
        return Reply("\n".join(lines), None, 0.0, _public_entities(u.entities), suggestions,
                     context)

    @staticmethod
    def _keep_previous_question(u: Understanding, context: Context) -> None:
        """"그럼 6급 미래인재는?" after "신임자 과정 몇 명이에요?": a bare new subject asks the
        previous question again."""
        if "date" in u.features or not u.ranking:
            return
        names = [(m.start, m.end) for m in u.matches
                 if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS]
        if not names:
            return  # no new subject: the follow-up ("면접은요?") is read on its own
        if any(m.kind in ("attr", "concept", "event_type", "event_any")
               and not any(s <= m.start and m.end <= e for s, e in names)
               for m in u.matches):
            return  # the new turn asks something of its own ("어린이집 입소 순위 알려줘")
        scores = dict(u.ranking)
        previous = context.intent
        if previous in scores and previous != u.intent and scores[previous] >= u.score - 2.5:
            u.intent = previous  # as confident as the reading it replaces

    def _program_from_cohort(self, u: Understanding) -> None:
        """"9기 교육 언제 끝나?": a cohort number only one program has names that program."""
        if u.cohort is None or "program" in u.entities:
            return
        owners = self._cohort_programs.get(u.cohort, set())
        if len(owners) == 1:
            u.entities["program"] = [next(iter(owners))]
            u.features["program"] = 0.9

    # -- context ---------------------------------------------------------------------------

    def _inherit(self, u: Understanding, context: Context) -> None:
        """Fill what a follow-up leaves out from the previous turn's entities."""
        current_subjects = {k for k in u.entities if k in SUBJECT_KINDS and k not in SOFT_KINDS}
        if current_subjects and not context.entities:
            return
        families_now = {FAMILY.get(k) for k in current_subjects}
        families_now |= {CONCEPT_FAMILY[m.value] for m in u.matches
                         if m.kind == "concept" and m.value in CONCEPT_FAMILY}
        families_now.discard(None)
        ctx_families = {FAMILY.get(k) for k in context.entities if k in SUBJECT_KINDS}
        if families_now and ctx_families and not families_now & ctx_families:
            return
        if "smalltalk" in u.entities or "oos" in u.entities:
            return
        for kind, values in context.entities.items():
            if kind in u.entities or kind not in INHERITABLE:
                continue
            valid = self.understander.known_values.get(kind, set())
            if not isinstance(values, list) or not values or not all(
                    isinstance(v, str) and v in valid for v in values):
                continue
            if kind in SUBJECT_KINDS and current_subjects:
                continue
            u.entities[kind] = u.inherited[kind] = list(values)
            u.features.setdefault(kind, 0.9)

    # -- declining -------------------------------------------------------------------------

    def _decline_reason(self, u: Understanding) -> str | None:
        strong_subject = any(
            m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS and m.score >= 0.999
            and m.length >= 3 for m in u.matches
        )
        if u.out_of_scope and not strong_subject:
            return "out_of_scope"
        if u.out_of_scope and strong_subject and u.unknown_words:
            return "out_of_scope"
        # Figures and dates are for 2017–2019; other years the report mentions (2016 LMS, the
        # 2011–2017 tenure table) are only answered from the topic and fact texts that hold them.
        allowed = self.understander.known_years if u.intent in ("topic.answer", "fact.answer") \
            else COVERED_YEARS
        if any(y not in allowed for y in u.years):
            return "year"
        if "smalltalk" in u.entities and u.intent is None:
            return None
        if u.unknown_words:
            return "not_in_report" if _subject_name(u) and u.intent is not None else "unknown"
        if u.intent is None or u.score < MIN_SCORE:
            return "unknown"
        cue_spans = [(m.start, m.end) for m in u.matches if m.kind in ("attr", "concept")]
        has_specific = any(
            (m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS and m.kind != "rank")
            or m.kind == "event_type"
            # a long free-text keyword counts, unless it is only cue words ("몇 명 뽑나")
            or (m.kind in SOFT_KINDS and m.length >= 4 and not _covered(m, cue_spans))
            for m in u.matches) or bool(u.inherited)
        spec = self.understander.intent(u.intent or "")
        if u.unknown_words and not has_specific and not (spec and spec.open):
            return "unknown_subject"
        if u.unknown_words and len(u.unknown_words) >= 2 and u.score < 4:
            return "unknown_subject"
        if self._asks_something_else(u):
            return "unknown_subject"
        return None

    def _asks_something_else(self, u: Understanding) -> bool:
        """The best intent would answer with its record, but the question asks for something
        the intent does not give ("2차 시험 과목", "어린이집 원비", "구내식당 메뉴")."""
        spec = self.understander.intent(u.intent or "")
        if spec is None:
            return False
        cues = {f for f in u.features if f.startswith("attr.") or f == "date"}
        if any(f in spec.signals or f in spec.needs for f in cues):
            return False
        if not spec.strict:
            return False
        return bool(u.unknown_words) or bool(cues - IGNORABLE_CUES)

    def _decline(self, text: str, u: Understanding, reason: str, now: dt.datetime,
                 context: Context) -> Reply:
        if "smalltalk" in u.entities and reason in ("unknown", "no_data"):
            return self.composer.small_talk(u.entities["smalltalk"][0], context)
        suggestions = self.suggest(text)
        if reason == "year":
            years = ", ".join(f"{y}년" for y in sorted(set(u.years)))
            body = (f"죄송합니다. {years} 정보는 가지고 있지 않습니다. 저는 서울시 인재개발원의 "
                    "2018년 업무보고에 있는 내용(2018년 교육·채용 계획)만 안내할 수 있습니다.")
        elif reason == "out_of_scope":
            body = ("죄송합니다. 그 질문은 제가 안내할 수 있는 범위 밖입니다. 저는 서울시 "
                    "인재개발원의 교육과정, 채용시험, 직장어린이집, 시설 정보만 알고 있습니다.")
        else:
            body = ("죄송합니다. 그 내용은 제가 가진 자료(2018년 업무보고)에서 찾지 못했습니다. "
                    "다르게 물어봐 주시거나 인재개발원에 직접 문의해 주세요.")
        if suggestions:
            body += "\n\n혹시 이것을 찾으셨나요?\n" + "\n".join(f"• {s}" for s in suggestions)
        if self.log_unanswered:
            ops.log_unanswered(self.db, text.strip()[:500], key(text)[:500], now)
        entities = {k: v for k, v in u.entities.items() if k not in ("oos",)}
        return Reply(body, None, 0.0, _public_entities(entities), tuple(suggestions), context)

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` example questions close to ``text``."""
        k = key(text)
        if not k:
            return list(self.nlu["default_suggestions"])[:limit]
        found = process.extract(k, self._suggestion_keys, scorer=fuzz.partial_ratio,
                                processor=None, limit=limit * 3, score_cutoff=45)
        out: list[str] = []
        for _choice, _score, idx in found:
            s = self._suggestion_pool[idx]
            if s not in out:
                out.append(s)
            if len(out) == limit:
                break
        return out or list(self.nlu["default_suggestions"])[:limit]


def _question_tokens(u: Understanding) -> list[str]:
    tokens = [u.key[m.start : m.end] for m in u.matches if m.kind not in ("smalltalk", "self")]
    tokens += list(u.elsewhere)
    if u.cohort is not None:
        tokens.append(f"{u.cohort}기")
    return [t for t in tokens if len(t) >= 2]


def shape(card: str, tokens: list[str] = (), max_lines: int = SHORT_LINES) -> tuple[str, str]:  # type: ignore[assignment]
    """The short reply and the full card: the answer line first, then the supporting lines that
    share the most words with the question, then the basis; repeated lines dropped."""
    lines: list[str] = []
    for line in card.splitlines():
        if line.strip() and line in lines:
            continue
        if not line.strip() and (not lines or not lines[-1].strip()):
            continue
        lines.append(line)
    full = "\n".join(lines).strip()
    basis_line = lines[-1] if lines and lines[-1].startswith(f"({BASIS}") else ""
    body = [line for line in (lines[:-1] if basis_line else lines) if line.strip()]
    bullets = 0  # a list right under the answer line is the answer ("2차 시험 일정", "순위")
    while bullets + 1 < len(body) and body[bullets + 1].startswith("•"):
        bullets += 1
    if bullets <= LIST_LINES:
        max_lines = max(max_lines, bullets + 1)
    if len(body) <= max_lines:
        return full, full
    score = [sum(t in key(line) for t in tokens) for line in body]
    order = sorted(range(1, len(body)), key=lambda i: (-score[i], i))[: max_lines - 1]
    kept = [body[0]] + [body[i] for i in sorted(order)] + [MORE_HINT]
    if basis_line:
        kept.append(basis_line)
    return "\n".join(kept), full


def _asks_anything(u: Understanding) -> bool:
    """Whether a turn has anything of its own to ask ("ㅋㅋㅋ", "ok", "아니요" have not)."""
    return bool(u.unknown_words or u.elsewhere or u.dates or u.cohort is not None or u.years
                or any(m.kind not in ("self",) for m in u.matches))


def _subject_name(u: Understanding) -> str:
    """How the question named its subject (the longest record name matched), or ''."""
    names = [m for m in u.matches if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS
             and m.kind != "rank"]
    if not names:
        return ""
    best = max(names, key=lambda m: (m.length, m.score))
    return best.text


def _covered(m: Any, spans: list[tuple[int, int]]) -> bool:
    """Whether every character of match ``m`` lies inside one of ``spans``."""
    return all(any(s <= i < e for s, e in spans) for i in range(m.start, m.end))


def _public_entities(entities: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entities.items() if k != "smalltalk"}


def _confidence(score: float) -> float:
    return max(0.0, min(1.0, score / 8.0))


class LiveBrain:
    """A Brain that follows ``hrdbot load``: when the knowledge in the database changes (its
    hash in the meta table), the next question after a short interval is answered by a Brain
    rebuilt from the new knowledge. For long-running channels (the Telegram bot)."""

    def __init__(self, db: Database, *, check_every: float = 5.0) -> None:
        self.db = db
        self.check_every = check_every
        self._brain = Brain(db)
        self._sha = kdb.knowledge_meta(db).get("knowledge_sha256")
        self._checked = time.monotonic()

    @property
    def brain(self) -> Brain:
        now = time.monotonic()
        if now - self._checked >= self.check_every:
            self._checked = now
            sha = kdb.knowledge_meta(self.db).get("knowledge_sha256")
            if sha != self._sha:
                self._brain, self._sha = Brain(self.db), sha
        return self._brain

    def answer(self, text: str, context: Context = EMPTY_CONTEXT, *, now: dt.datetime) -> Reply:
        return self.brain.answer(text, context, now=now)

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        return self.brain.suggest(text, limit)
