"""The one core every channel calls: ``Brain.answer(text, context, now=...) -> Reply``.

A question goes through pure stages (``knowledge.stages``): read → resolve → classify →
follow_up → decide → compose → account, and the reply is shaped (``knowledge.shape``)."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from rapidfuzz import fuzz, process
from sqlite_utils import Database

from db import knowledge as kdb
from db import ops
from knowledge import shape as shapes
from knowledge import stages
from knowledge.answers import Composer, cohort_of
from knowledge.answers.common import Composed, report_year
from knowledge.matcher import SOFT_KINDS
from knowledge.normalize import key, strip_ending, without_particles
from knowledge.reply import EMPTY_CONTEXT, Context, Reply
from knowledge.retrieve import Passage, PassageIndex
from knowledge.terms import entity_terms, report_words, word_forms
from knowledge.text import BASIS, basis
from knowledge.thesaurus import load_thesaurus
from knowledge.understand import (
    SUBJECT_KINDS,
    Understander,
    Understanding,
    load_nlu,
    told_part_end,
    vocabulary_terms,
)

MAX_INPUT = 2000  # characters of a question that are looked at
# A first sentence that says the report does not give what was asked: not an answer.
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s|\n")


class Brain:
    """Understands questions and answers them from the database. Build once, call many times."""

    def __init__(self, db: Database, *, log_unanswered: bool = True) -> None:
        self.db = db
        self.nlu = load_nlu()
        self.limits = stages.Thresholds.from_nlu(self.nlu)
        self.composer = Composer(db, self.nlu)
        self.year = report_year(self.composer.kb)
        self.covered_years = frozenset({self.year - 1, self.year, self.year + 1})
        vocabulary, years = word_forms(db)
        reserved = frozenset(t.key for t in vocabulary_terms(self.nlu))
        # the words for a course ("교육", "과정"): a name without one is still the course's, and a
        # cost of one (교육비) is no budget line's
        course_words = tuple((self.nlu.get("concepts") or {}).get("course") or ())
        self._course_heads = frozenset(key(w) for w in course_words)
        terms = entity_terms(
            db,
            reserved,
            variant_weight=self.limits.derived_name_weight,
            generic_records=self.limits.generic_records,
            heads=course_words,
        )
        self.understander = Understander(
            self.nlu,
            terms,
            vocabulary,
            years | self.covered_years,
            report_words(db) | frozenset(vocabulary),
            year=self.year,
            thesaurus=load_thesaurus(),
            line_programs={p.budget_line: p.id for p in kdb.programs(db) if p.budget_line},
            cohort_targets={
                (p.id, s.id): s.target for p in kdb.programs(db) for s in kdb.sessions_of(db, p.id) if s.target
            },
        )
        self.log_unanswered = log_unanswered
        self._cohort_programs: dict[int, set[str]] = {}
        # "과장은요?" after the team leaders' course: the course beside it for that rank
        by_parent: dict[str, list[kdb.Program]] = {}
        for p in kdb.programs(db):
            if p.parent:
                by_parent.setdefault(p.parent, []).append(p)
        # "포럼은 언제" after the overseas officials' course: the words of its courses' names
        self._course_words = {
            parent: [(c.id, key(" ".join((c.name, *c.aliases)))) for c in children]
            for parent, children in by_parent.items()
        }
        self._rank_siblings: dict[tuple[str, str], str] = {}
        # (a course's rank as the data writes it, "5급 승진대상자", is the rank named "5급")
        rank_names = [str(r) for r in (self.nlu.get("ranks") or {})]
        ranks_of = {
            c.id: set(c.ranks) | {n for n in rank_names for r in c.ranks if r != n and r.startswith(n)}
            for children in by_parent.values()
            for c in children
        }
        for children in by_parent.values():
            for rank in {r for c in children for r in ranks_of[c.id]}:
                having = [c.id for c in children if rank in ranks_of[c.id]]
                if len(having) == 1:
                    for c in children:
                        self._rank_siblings[(c.id, rank)] = having[0]
        # "1회 공채 합격자들은 언제 교육받아요": the cohorts' targets, and the rounds' names
        self._session_targets: dict[str, list[tuple[str, str]]] = {}
        self._round_aliases = {r.id: (r.name, *r.aliases) for r in kdb.rounds(db)}
        # "메트로폴리스는?" after one cohort of the international course: the words of its cohorts' names
        self._session_words: dict[str, list[tuple[str, str]]] = {}
        for p in kdb.programs(db):
            for session in kdb.sessions_of(db, p.id):
                self._session_words.setdefault(p.id, []).append((session.id, key(session.name)))
                if session.target:
                    self._session_targets.setdefault(p.id, []).append((session.id, key(session.target)))
                number = cohort_of(session.name)
                if number is not None:
                    self._cohort_programs.setdefault(number, set()).add(p.parent or p.id)
        texts = kdb.record_texts(db, aliases=False)
        display = {(kind, str(r.id)): r.name for kind, rows in kdb.named_records(db) for r in rows}
        self.accounting = stages.Accounting(
            {ident: key(text) for ident, text in kdb.record_texts(db).items()},
            [b.name for b in kdb.buildings(db)],  # the places
            self.limits.generic_records,
            self.nlu.get("counters") or {},
            lambda word: self.understander.segment(word, whole=False),
            self.year,
            self.nlu.get("person_words") or [],
            self.nlu.get("exact_words") or [],
            self.nlu.get("confirm_words") or [],
            _origins(db),
            # for "어디에 문의" or "어디서 해요", the department is the answer
            [d.name for d in kdb.departments(db)],
            texts.values(),
            display,
        )
        # values few sentences give (a weekday, an hour): one asked alone of the subject taken
        # over is found in the last answer
        self._rare_values = frozenset(
            self.accounting.value_of[a].pattern for a in ("attr.weekday", "attr.hours") if a in self.accounting.value_of
        )
        self.turns = stages.Turns.from_nlu(self.nlu)
        self.passages = PassageIndex(db, self.year)
        self._names: dict[tuple[str, str], set[str]] = {}
        for term in self.understander.matcher.terms:
            self._names.setdefault((term.kind, term.value), set()).add(term.key)
        self._display = display
        # the plan's ways of training (집합교육, e-러닝), as matching keys with their short forms
        modes = sorted({key(row.mode) for row in kdb.plan_rows(db) if row.mode})
        self._modes = {m: (m, m.removesuffix("교육")) for m in modes}
        self._others_cache: dict[tuple[str, frozenset[str]], str] = {}
        # the names of records that are a part of them: written in the record only as an item of
        # a list ("채용직렬: 기술계고졸자, 연구지도직 등" of the 3차 경력경쟁)
        self._part_names: set[tuple[str, str, str]] = set()
        for term in self.understander.matcher.terms:
            if term.kind not in SUBJECT_KINDS or term.kind in SOFT_KINDS or term.kind == "rank":
                continue
            if term.key in key(self._display.get((term.kind, term.value), "")):
                continue
            text = texts.get((term.kind, term.value), "")
            forms = _series_forms(term.key)
            found = [x for f in forms for x in stages.spelt(f).finditer(text)]
            items = _list_items(text, forms)
            if found and len(items) == len(found):
                self._part_names.add((term.kind, term.value, term.key))
        # "퇴직 앞둔 사람 교육 몇 명": a rank whose courses are one program names that program
        ranks = {t.value for t in self.understander.matcher.terms if t.kind == "rank"}
        self._rank_programs = {r: p for r in sorted(ranks) if (p := self.composer.program_of_rank(r))}
        # the values a follow-up may take over: the records the terms name, and the plan-table
        # rows an answer was about (no question names them by a term)
        self._known_values = {**self.understander.known_values, "plan_row": {r.id for r in kdb.plan_rows(db)}}
        self._suggestion_pool = self.composer.example_questions()
        self._suggestion_keys = [key(s) for s in self._suggestion_pool]

    def answer(self, text: str, context: Context = EMPTY_CONTEXT, *, now: dt.datetime) -> Reply:
        """Answer one question. ``now`` is the aware Asia/Seoul time of the question."""
        reply = self._answer(text, context, now=now)
        if reply.intent is None:
            reply = self._asked_in_parts(text, context, now) or reply
        if reply.intent is None and (spaced := self.understander.respaced(text)) != text:
            # a long run typed without spaces, misread: read again, spaced into known words
            again = self._answer(spaced, context, now=now)
            reply = again if again.intent is not None else reply
        # the report's short years ("’19년도부터") are written out for the reader ("2019년도부터")
        return replace(reply, text=shapes.full_years(reply.text), detail=shapes.full_years(reply.detail))

    def _asked_in_parts(self, text: str, context: Context, now: dt.datetime) -> Reply | None:
        """Two questions in one message ("무슨 요일에 해요? 하루짜리임?") that the report cannot
        answer as one: each answered in turn, the later ones going on from the earlier. None
        unless every part is answered (what one part cannot answer may be what the whole asks:
        "…어디서 봐요? 장소가")."""
        parts = [p for p in _QUESTION_PARTS.split((text or "")[:MAX_INPUT]) if key(p)]
        if len(parts) < 2:
            # or two questions joined by 고, each with its question word ("발표 언제였고 무슨 직렬이었어요")
            parts = [p for p in _JOINED_QUESTIONS.split((text or "")[:MAX_INPUT]) if key(p)]
            if len(parts) < 2 or not all(stages.asks_its_own(p) for p in parts):
                return None
        answered: list[Reply] = []
        turn = context
        for part in parts:
            reply = self._answer(part, turn, now=now)
            if reply.intent is None or shapes.SAYS_MISSING.search(_FIRST_SENTENCE.split(reply.text.strip(), 1)[0]):
                return None
            answered.append(reply)
            turn = reply.context
        joined = "\n\n".join(r.text for r in answered)
        return replace(answered[0], text=joined, context=replace(turn, detail=joined), suggestions=(), detail="")

    def _answer(self, text: str, context: Context, *, now: dt.datetime) -> Reply:
        text = (text or "")[:MAX_INPUT]
        today = now.date()
        fresh = context.fresh(now)
        if not key(text):
            return Reply(
                shapes.EMPTY_QUESTION, None, 0.0, suggestions=tuple(self.nlu["default_suggestions"]), context=context
            )
        if key(text) in shapes.DETAIL_WORDS and fresh and context.detail:
            return Reply(context.detail, context.intent, 0.9, dict(context.entities), (), context)
        led = self.turns.past_lead_in(text)
        if led is not None:  # "혹시 그 중 전문경력관은", "ㅇㅇ 그리고 작년엔?"
            return self._answer(led, context, now=now)
        rest = self.turns.opened(text)
        if rest is not None:
            # "안녕하세요 카이로 워크숍엔 누가 갔어요": a greeting (or thanks) before a question
            # opens it; the question is what is answered ("안녕하세요 좋은 아침입니다" asks none)
            reply = self._answer(rest, context, now=now)
            if (
                reply.intent is not None
                or self.turns.may_ask(rest)
                or shapes.SAYS_MISSING.search(reply.text.split("\n", 1)[0])
            ):
                return reply
        u = self.understander.understand(text, today)
        if not stages.asks_anything(u) and not (fresh and self.turns.is_question(text)):
            return Reply(shapes.NOISE_REPLY, None, 0.0, {}, (), context)
        if fresh and self.turns.is_remark(text):  # "계획보다 많이 뽑았네": a comment, not a question
            return Reply(shapes.NOISE_REPLY, None, 0.0, {}, (), context)
        u = replace(u, left_out=u.left_out + self._of_another_mode(u, context))
        if fresh:
            u = self._by_way_of(u, context)
        u = stages.resolve(
            u,
            context,
            fresh=fresh,
            known_values=self._known_values,
            cohort_programs=self._cohort_programs,
            rank_siblings=self._rank_siblings,
            rank_programs=self._rank_programs,
            pointing=self.turns.pointing,
            concept_asks=self.understander.concept_asks,
            record_holds=self.accounting.record_holds,
        )
        said = self._asked_of_last_answer(text, u, context, now) if fresh else None
        if said is not None:
            return said
        u = self._words_of_named(u)
        u = self._trainees_of_round(u)
        u = self.understander.classify(self._event_meant(self._cohorts_named(self._course_named(u)), today))
        u = stages.follow_up(u, context, fresh=fresh, margin=self.limits.follow_up_margin)
        if self._named_in_part(u):
            # "계획 수립일이 언제였죠" after an answer that tells of the plan: a few letters of a
            # long record name ("…교육훈련계획수립") are no new subject when the last answer says it
            said = self._from_last_answer(u, context, now)
            if said is not None:
                return said
        if (
            (u.intent is None or u.score < self.limits.min_intent_score)
            and fresh
            and context.intent not in (None, "fact.answer")
            and (u.inherited or context.concepts)
            and not u.unknown_words
            and (u.counters or self.turns.is_question(text))
        ):
            # "몇 필지?" right after an answer about the site: the same question, asked of it
            u = replace(u, intent=context.intent, score=self.limits.min_intent_score)
        # ("엑셀에서 vlookup 어떻게 써요" asks how to use something else: no help with the bot)
        if (
            "smalltalk" in u.entities
            and (u.intent is None or u.score < self.limits.small_talk_over)
            and not self._help_with_else(u)
        ):
            return self.composer.small_talk(u.entities["smalltalk"][0], context)
        reason = stages.decide(
            u, self.understander, covered_years=self.covered_years, min_score=self.limits.min_intent_score
        )
        if (
            reason == "unknown"
            and u.unknown_words
            and u.intent is not None
            and any(kind in SUBJECT_KINDS for kind in u.inherited)
            and self.turns.is_question(text)
        ):
            # a word the report lacks, asked of the subject taken over ("근거 법이 뭐에요" after a
            # daycare answer) is a question about it; "ok" asks nothing
            reason = "not_in_report"
        if reason is None and u.intent is not None:
            composed = self.composer.compose(u, today)
            if composed is not None:
                u, composed = self._best_reading(u, composed, today)
                u, composed = self._reading_before(u, composed, context, today)
                return self._answered(text, u, composed, now, context)
            reason = "no_data"
        if reason in ("unknown", "unknown_subject", "no_data") and not u.unknown_words:
            found = self._retrieve(u, now, min_words=2)
            if found is not None:
                return found
        if reason == "unknown_subject" and u.intent is not None and stages.current_subjects_of(u):
            # a record it knows, asked what its answer does not give ("면접 장소는 어디예요"):
            # said so plainly, rather than the general "I could not find it"
            composed = self.composer.compose(u, today)
            missing = self._unanswered(u, composed.text) if composed is not None else []
            if composed is not None and missing:
                return self._not_in_report(text, u, missing, composed, now, context)
        if reason == "not_in_report" and u.intent is not None:
            composed = self.composer.compose(u, today)
            held = self._holding(u, composed, today)
            if held is not None:
                # the answer itself holds the word ("무슨 법" → 영유아보육법)
                return self._answered(text, *held, now, context)
            partial = self._partial(u, composed, u.unknown_words, now) if composed else None
            if partial is not None:
                return partial
            return self._not_in_report(text, u, u.unknown_words, composed, now, context)
        if reason == "unknown" and not u.unknown_words and self.turns.is_question(text):
            said = self._from_last_answer(u, context, now, yes_no=True)
            if said is not None:
                return said
        return self._decline(text, u, reason or "unknown", now, context)

    def _asked_of_last_answer(self, text: str, u: Understanding, context: Context, now: dt.datetime) -> Reply | None:
        """A turn asked of what the last answer said, with no subject of its own: by a word that
        refers back ("그건", "각각"), a date asked of a thing done or since when ("언제 시험부터
        적용됐어", "언제부터 바뀐 거예요"; a word such as 시험 in it names no subject), or a thing
        the last answer named, pointed at with 그 ("그 네 개 기관이 어디어디예요?"). Its sentence
        that gives the value; for a thing pointed at, else plainly that the report does not."""
        if (
            _OF_THOSE.match(text)
            and not any(m.kind == "attr" for m in u.matches)
            and not stages.asks_its_own(text)
            # (a word the report never uses is in no sentence of it: "그중에 코딩 과정도 있어요?")
            and not u.unknown_words
        ):
            # "그 중 전문경력관은" after a list with a figure for each: the item of the last answer
            # (a value asked of it, "그중 집행률은?", or a question of its own, "그중 건의사항은
            # 뭐였어", is asked of its own record)
            said = self._from_last_answer(u, context, now, yes_no=True)
            if said is not None:
                return said
        if stages.current_subjects_of(u) - set(u.inherited):
            return None
        past = [y for y in u.years if y < self.year]
        if past and u.inherited and not u.elsewhere and context.detail:
            # "작년엔 몇 명이었어요?" after an answer whose figure it gave beside last year's
            # ("2,984명 (2017년 2,630명)"): that sentence, not a new reading of the year alone
            first = _FIRST_SENTENCE.split(context.detail.strip(), maxsplit=1)[0]
            # (only a count at most is asked, in the unit the figure is given in)
            unit = rf"\s*(?:{'|'.join(map(re.escape, u.counters))})" if u.counters else ""
            other = [f for f in u.features if f.startswith(("attr.", "concept.")) and f != "attr.headcount"]
            if not other and re.search(rf"(?:{stages.year_written(past[0]).pattern})년\s*[\d,]+{unit}", first):
                return self._said_again(first, u, context, now)
        done_when = (u.actions or "부터" in u.key) and u.features.keys() & stages.DATE_ASKS
        if context.intent in ("topic.answer", "fact.answer") and (self.turns.referring.search(text) or done_when):
            said = self._from_last_answer(u, context, now, yes_no=True)
            if said is not None:
                return said
        pointed = self._pointed_at(text, u, context)
        if pointed is None:
            return None
        shown, noun = pointed
        said = self._from_last_answer(replace(u, elsewhere=[*u.elsewhere, noun]), context, now)
        if said is not None:
            return said
        # a fact of the report that holds what the turn asks of it ("그 용역 계약은 언제":
        # "2018. 4. 23. 용역 계약"), though the last answer did not show it
        found = self._retrieve(replace(u, elsewhere=[*u.elsewhere, noun]), now, min_words=2)
        if found is not None:
            return found
        asked = [w for w, _ in self.accounting.asked(u)]
        self._log(text, now)
        suggestions = self.suggest(text)
        body = shapes.with_suggestions(shapes.lacks(shown, asked[:1]), suggestions)
        return Reply(body, None, 0.0, {}, tuple(suggestions), context)

    def _pointed_at(self, text: str, u: Understanding, context: Context) -> tuple[str, str] | None:
        """The thing a turn points at with 그 that the last answer named and the turn asks a value
        of ("그 네 개 기관이 어디어디예요?" after "주변 4개 기관"): as the turn says it, and its noun;
        None when the turn names a subject of its own or points at nothing the last answer said."""
        m = _POINTED.search(text)
        if m is None or not context.detail:
            return None
        noun = strip_ending(key(m.group(2)))
        if len(noun) < 2 or noun in self.understander.function_words or noun not in key(context.detail):
            return None
        # "아까 그 시험": the kind of thing the last answer was about points at its subject, which
        # the turn goes on with, not at a thing the answer merely named
        spec = self.understander.intent(context.intent or "")
        kinds = {*context.concepts, *((*spec.needs, *spec.signals) if spec else ())}
        if any(
            m.kind == "concept" and u.key[m.start : m.end] == noun and f"concept.{m.value}" in kinds for m in u.matches
        ):
            return None
        if not self.accounting.asked_values(u):
            return None
        return f"{m.group(1) or ''}{noun}", noun

    def _by_way_of(self, u: Understanding, context: Context) -> Understanding:
        """A record named only as the way the last turn's subject is had ("이러닝으로도 나와요?"
        after a course): the course goes on, and the way, as its record writes it, is a word its
        answer must hold."""
        named = SUBJECT_KINDS - SOFT_KINDS
        said = [(k, str(v)) for k, vs in context.entities.items() if k in named and isinstance(vs, list) for v in vs]
        ways = [m for m in u.matches if m.kind in named and _BY_WAY_OF.match(u.key, m.end)]
        if len(said) != 1 or not ways or any(m.kind in named and m not in ways for m in u.matches):
            return u
        if any((m.kind, m.value) in said for m in ways):
            return u
        text = self.accounting.record_keys.get(said[0], "")
        words = []
        for m in ways:
            forms = sorted(
                self._names.get((m.kind, m.value), set()) | {u.key[m.start : m.end]}, key=lambda f: (-len(f), f)
            )
            words.append(next((f for f in forms if f in text), u.key[m.start : m.end]))
        spans = [(m.start, m.end) for m in ways]
        kinds = {m.kind for m in ways}
        return replace(
            u,
            matches=[m for m in u.matches if (m.start, m.end) not in spans],
            entities={k: v for k, v in u.entities.items() if k not in kinds},
            features={f: w for f, w in u.features.items() if f not in kinds and not f.startswith("concept.")},
            elsewhere=[*u.elsewhere, *words],
        )

    def _of_another_mode(self, u: Understanding, context: Context) -> tuple[tuple[str, str], ...]:
        """The records of the last turn that a turn naming a way of training of the plan leaves
        behind: one of the other way ("집합교육 인원은?" after e-러닝: the classroom courses, not
        e-러닝 again), or one of no way at all ("IT 집합교육은 몇 회" after a course: the plan's row)."""
        said = {m for m, forms in self._modes.items() if any(f in u.key for f in forms)}
        out: list[tuple[str, str]] = []
        for kind, values in context.entities.items():
            for v in values if isinstance(values, list) else ():
                name = key(self._display.get((kind, str(v)), ""))
                own = {m for m, forms in self._modes.items() if any(f in name for f in forms)}
                if said and not said & own:
                    out.append((kind, str(v)))
        return tuple(out)

    @staticmethod
    def _help_with_else(u: Understanding) -> bool:
        """Whether a request for help names something the report does not know ("엑셀에서 vlookup
        어떻게 써요"): help with another thing, which the bot's menu is not."""
        said = "".join(u.key[m.start : m.end] for m in u.matches if m.kind == "smalltalk")
        # (or something the report has: "의회 기능 교육" is a course's content, not the bot's)
        return u.entities.get("smalltalk", [""])[0] == "help" and any(
            w not in said for w in [*u.unknown_words, *u.elsewhere]
        )

    def _words_of_named(self, u: Understanding) -> Understanding:
        """A shorter name derived for a record that is a word of another record the question names
        in full ("미래인재 과정 공직가치 현장교육": 공직가치 is in the course's own text, no category
        beside it): a word of that record, which its answer must account for."""
        named = {
            (m.kind, m.value)
            for m in u.matches
            if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS and m.kind != "rank" and m.exact and m.score >= 1.0
        }
        drop = [
            m
            for m in u.matches
            if m.kind in SUBJECT_KINDS
            and m.kind not in SOFT_KINDS
            and m.score < 1.0
            and (m.kind, m.value) not in named
            and m.kind not in u.inherited
            and any(k != m.kind and self.accounting.record_holds(k, v, u.key[m.start : m.end]) for k, v in named)
        ]
        if not drop:
            return u
        matches = [m for m in u.matches if m not in drop]
        kept = {(m.kind, m.value) for m in matches}
        gone = {(m.kind, m.value) for m in drop} - kept
        entities = {k: [v for v in vs if (k, v) not in gone] for k, vs in u.entities.items()}
        entities = {k: vs for k, vs in entities.items() if vs}
        features = {f: w for f, w in u.features.items() if f in entities or f not in {k for k, _ in gone}}
        words = [u.key[m.start : m.end] for m in drop]
        return replace(
            u,
            matches=matches,
            entities=entities,
            features=features,
            elsewhere=list(dict.fromkeys([*u.elsewhere, *words])),
        )

    def _course_named(self, u: Understanding) -> Understanding:
        """A word the turn says that only one course of the program taken over has in its name
        names that course ("포럼은 언제" after the overseas officials' course → its forum)."""
        taken = u.inherited.get("program") or []
        if len(taken) != 1 or not u.elsewhere:
            return u
        named = {
            c for w in u.elsewhere for c, words in self._course_words.get(taken[0], []) if len(w) >= 2 and w in words
        }
        if len(named) != 1:
            return u
        program = list(named)
        return replace(u, entities={**u.entities, "program": program}, inherited={**u.inherited, "program": program})

    def _trainees_of_round(self, u: Understanding) -> Understanding:
        """ "1회 공채 합격자들은 언제 교육받아요": an exam round named with a course (and no course
        named) asks of the cohort whose trainees that round's passers are (신임자 과정 제8기,
        "’18년 1회 공채자"), not of the round's own dates."""
        rounds = [m for m in u.matches if m.kind == "round"]
        if (
            len(rounds) != 1
            or "round" in u.inherited
            # (a course said, or its cohort asked: "몇 기로 들어가요")
            or ("concept.course" not in u.features and not _COHORT_ASKED.search(u.text))
            or any(k in u.entities for k in ("program", "session"))
        ):
            return u
        said = {key(w) for w in self._round_aliases.get(rounds[0].value, ()) if len(key(w)) >= 3}
        cohorts = [
            (program, session)
            for program, sessions in self._session_targets.items()
            for session, target in sessions
            if any(w in target for w in said)
        ]
        if len(cohorts) != 1:
            return u
        program, session = cohorts[0]
        kept = [m for m in u.matches if m.kind not in ("round", "event_type", "event_any")]
        return replace(
            u,
            matches=kept,
            entities={
                **{k: v for k, v in u.entities.items() if k not in ("round", "event_type")},
                "program": [program],
                "session": [session],
            },
            features={
                **{f: w for f, w in u.features.items() if f not in ("round", "event_type", "concept.exam")},
                "program": 1.0,
                "session": 1.0,
            },
        )

    def _cohorts_named(self, u: Understanding) -> Understanding:
        """A word the turn says that some cohorts of the program taken over have in their names,
        and not all, names those cohorts ("메트로폴리스는?" after its WeGO course → the two
        Metropolis courses; "1주짜리는" after any cohort of the retirement course → its 1주 cohorts),
        rather than a free-text keyword the same word is."""
        taken = u.inherited.get("program") or []
        if len(taken) != 1 or ("session" in u.entities and "session" not in u.inherited):
            return u  # (a cohort named by the turn itself)
        cohorts = self._session_words.get(taken[0], [])
        said = (
            [u.key[m.start : m.end] for m in u.matches if m.kind in SOFT_KINDS] + list(u.elsewhere)
            if "session" in u.inherited
            else []
        )
        # (a length the cohorts' names hold names them too, after any cohort of the course:
        # "1주짜리는" → its 1주 cohorts)
        said += re.findall(r"(?<!\d)\d+주", u.key)
        for word in (w for w in said if len(w) >= 3 or re.fullmatch(r"\d+주", w)):
            named = [c for c, name in cohorts if word in name]
            if named and len(named) < len(cohorts):
                soft = {m.kind for m in u.matches if m.kind in SOFT_KINDS and u.key[m.start : m.end] == word}
                entities = {k: v for k, v in u.entities.items() if k not in soft}
                return replace(
                    u,
                    entities={**entities, "session": named},
                    inherited={**u.inherited, "session": named},
                    matches=[m for m in u.matches if not (m.kind in soft and u.key[m.start : m.end] == word)],
                    features={f: w for f, w in u.features.items() if f not in soft},
                    # (the cohort carried over is not among those the word names)
                    cohort=u.cohort if "session" in u.inherited else None,
                )
        return u

    def _event_meant(self, u: Understanding, today: dt.date) -> Understanding:
        """A follow-up that names no event of its own, read with the event taken over said
        before it: "결과는 언제 나와요" after the written exam is "필기 결과" (its announcement)."""
        taken = u.inherited.get("event_type") or []
        asked = u.text
        events = [m for m in u.matches if m.kind in ("event_type", "event_any")]
        if not taken:
            # or the event the asker has been through ("9급 필기 봤는데요 결과 언제 나와요")
            cut = told_part_end(u.text)
            if not cut or any(m.end > len(key(u.text[:cut])) for m in events):
                return u
            taken, asked = [m.value for m in events if m.kind == "event_type"][:1], u.text[cut:]
        elif events:
            return u
        if len(taken) != 1:
            return u
        head = ((self.nlu.get("event_types") or {}).get(taken[0]) or [""])[0]
        if not head:
            return u
        meant = set(self.understander.understand(f"{head} {asked}", today).entities.get("event_type", []))
        if len(meant) != 1 or meant == set(taken):
            return u
        events = list(meant)
        return replace(
            u, entities={**u.entities, "event_type": events}, inherited={**u.inherited, "event_type": events}
        )

    def _unanswered(self, u: Understanding, answer: str) -> list[str]:
        """The values the question asks that the answer lacks; the subject's own name is no value
        ("주변 기관이 어디어디예요" of the daycare: "어린이집" in the answer is no place)."""
        return (
            self.accounting.unanswered_values(u, self._without_names(u, answer))
            or self._parts_counted(u, answer)
            or _members_unlisted(u.text, answer)
            or self._years_unsaid(u, answer)
        )

    def _years_unsaid(self, u: Understanding, answer: str) -> list[str]:
        """A year other than the report's, asked of a figure ("작년 예산이랑 비교하면"), that the
        answer never mentions: its figures are of the report's year only."""
        return [
            f"{y}년"
            for y in dict.fromkeys(u.years)
            if y < self.year and not stages.year_written(y).search(answer) and not _CHANGE_SAID.search(answer)
        ][:1]

    def _parts_counted(self, u: Understanding, answer: str) -> list[str]:
        """A count of people asked of a record named by a part of it ("연구지도직은 몇 명": the
        3차 경력경쟁, among whose series it is listed): the answer must give it in what it says
        of that part; the record's own count is the whole's. Likewise a count or a sum asked of a
        part the answer only lists among others ("재산임대" of 경상적세외수입)."""
        people = bool({"명", "사람"} & set(u.counters)) or "인원" in u.key
        # a sum: asked by a word of cost or budget, of a budget reading, or by "얼마" of money
        money = (
            bool({"attr.cost", "concept.budget"} & set(u.features))
            or (u.intent or "").startswith("budget.")
            or ("얼마" in u.text and stages.of_money(u))
        )
        if not people and not money:
            return []
        patterns = self.accounting.asked_values(u)
        out: list[str] = []
        for m in u.matches if people else []:
            said = u.key[m.start : m.end]
            if (m.kind, m.value, said) not in self._part_names:
                continue
            items = [item for _, _, item in _list_items(answer, _series_forms(said), listed=False)]
            if not any(all(p.search(item) for p in patterns) for item in items):
                out.append("인원")  # (said of the part: "기술계고졸자의 인원은 …")
        # a word of the question the answer has only as an item of a list, with no figure in it
        # ("시·자치구·소방직 공무원", "재산임대, 사용료, 수수료"): the count or sum it gives is
        # of the whole list
        for word in u.elsewhere:
            if len(word) < 2 or self.accounting.generic(word) or out:
                continue
            anywhere = _list_items(answer, [word], listed=False)
            listed = _list_items(answer, [word], marks=",、·")
            if anywhere and len(listed) == len(anywhere) and not any(re.search(r"\d", i) for _, _, i in listed):
                out.append(f"{word} {'인원' if people else '금액'}")
        return out

    def _without_names(self, u: Understanding, text: str) -> str:
        names = [self._display[(k, v)] for k, vs in u.entities.items() for v in vs if (k, v) in self._display]
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, " ")
        return text

    def _holding(self, u: Understanding, composed: Any, today: dt.date) -> tuple[Understanding, Any] | None:
        """The reading whose answer holds every word nothing else accounts for: the best one, else
        another reading of the same field ("입소 결정은 무슨 법 따라서": the priority rules cite
        영유아보육법, the admission answer does not)."""

        # the subject's own name is no answer ("무슨 장비" of 교육훈련장비확충)
        def holds(c: Any) -> bool:
            text = self._without_names(u, c.text) if c is not None else ""
            return c is not None and all(self.accounting.holds(key(w), key(text)) for w in u.unknown_words)

        if holds(composed):
            return replace(u, unknown_words=[]), composed
        return next(((o, a) for o, a in self._other_readings(replace(u, unknown_words=[]), today) if holds(a)), None)

    def _other_readings(
        self, u: Understanding, today: dt.date, within: float | None = None, limit: int | None = None
    ) -> Iterator[tuple[Understanding, Any]]:
        """The readings of the same field after the best one (up to ``limit``, scored ``within``
        of it), each that the gate lets pass, with its answer."""
        family = u.intent.split(".")[0] if u.intent else ""
        for intent, score in u.ranking[1 : None if limit is None else 1 + limit]:
            if not intent.startswith(f"{family}.") or (within is not None and score < u.score - within):
                continue
            other = replace(u, intent=intent, score=score)
            if stages.decide(other, self.understander, covered_years=self.covered_years, min_score=0.0):
                continue
            alternative = self.composer.compose(other, today)
            if alternative is not None:
                yield other, alternative

    def _reading_before(
        self, u: Understanding, composed: Any, context: Context, today: dt.date
    ) -> tuple[Understanding, Any]:
        """A follow-up whose words its own reading's answer lacks but the last turn's reading of
        the same subject holds ("직원이 어느 기관까지임" after the daycare's priority rules: the
        "주변 4개 기관 직원" of the rules, not the daycare's building)."""
        unsaid = [w for w in u.elsewhere if len(w) >= 2 and w not in key(composed.text)]
        if not unsaid or not u.inherited or context.intent in (None, u.intent):
            return u, composed
        other = replace(u, intent=context.intent, score=u.score)
        if stages.decide(other, self.understander, covered_years=self.covered_years, min_score=0.0):
            return u, composed
        alternative = self.composer.compose(other, today)
        if (
            alternative is None
            or not all(w in key(alternative.text) for w in unsaid)
            or self._unanswered(other, alternative.text)
        ):
            return u, composed
        return other, alternative

    def _reads_what_is_named(self, u: Understanding, other: Understanding) -> bool:
        """Whether a reading is about a record the question names (the list of every course holds
        the words of one course's trip, but is no answer about that course)."""
        named = {k for k in u.entities if k in SUBJECT_KINDS}
        spec = self.understander.intent(other.intent or "")
        return not named or (spec is not None and bool(named & (set(spec.needs) | set(spec.signals))))

    def _best_reading(self, u: Understanding, composed: Any, today: dt.date) -> tuple[Understanding, Any]:
        """The best reading, unless its answer lacks the value asked ("몇 명") and a reading of
        the same record scored as well gives it ("핵심가치 교육 몇 명 대상이에요": the headcount,
        not the target group)."""
        first = _FIRST_SENTENCE.split(composed.text.strip(), maxsplit=1)[0]
        unsaid = [w for w in u.elsewhere if not self.accounting.generic(w) and w not in key(composed.text)]
        if unsaid and not shapes.SAYS_MISSING.search(first):
            # a word the record holds but this answer does not show ("2회 공채에 사회복지직도
            # 포함이에요?": the series is in the round's figures, not its schedule)
            for other, alternative in self._other_readings(u, today, self.limits.follow_up_margin, limit=2):
                if (
                    all(w in key(alternative.text) for w in unsaid)
                    and not self._unanswered(other, alternative.text)
                    and self._reads_what_is_named(u, other)
                ):
                    return other, alternative
        if not self._unanswered(u, composed.text) or shapes.SAYS_MISSING.search(first):
            return u, composed  # (an answer that says the report lacks the value is one)
        facts = u.entities.get("fact", [])
        if u.intent == "fact.answer" and len(facts) > 1:
            # of the facts the question's words point at, the one that gives the value asked
            # ("시험장 몇 곳": the exam's figures, not the fact about who runs it)
            for fact in facts[1:]:
                other = replace(u, entities={**u.entities, "fact": [fact]})
                alternative = self.composer.compose(other, today)
                if alternative is not None and not self._unanswered(other, alternative.text):
                    return other, alternative
        for other, alternative in self._other_readings(u, today, self.limits.runner_up_margin, limit=2):
            if not self._unanswered(other, alternative.text) and self._reads_what_is_named(u, other):
                return other, alternative
        return u, composed

    def _answered(self, text: str, u: Understanding, composed: Any, now: dt.datetime, context: Context) -> Reply:
        """The composed card, if it accounts for the whole question; else a fact that does, or an
        honest "the report does not give it"."""
        spec = self.understander.intent(u.intent or "")
        uses = set(spec.needs) | set(spec.signals) if spec else set()
        words = self.accounting.missing(u, uses, composed.text)
        if spec is not None and spec.open:
            # who does a thing: the answer must speak of the thing ("시험장 설치는 누가": a
            # department whose duties say nothing of 설치 is no answer)
            compact = key(composed.text)
            own = self.understander.family_uses.get((u.intent or "").split(".")[0], frozenset())
            unshown = [
                u.key[m.start : m.end]
                for m in u.matches
                if m.kind == "concept"
                and f"concept.{m.value}" not in own
                and not any(n in compact for n in self._names.get(("concept", m.value), {u.key[m.start : m.end]}))
            ]
            found = self._retrieve(u, now, also=tuple(unshown)) if unshown else None
            if found is not None:
                return found  # the fact that says who does it ("자치구는 … 시험장 설치")
            words += unshown
        lacking = self._says_it_lacks(u, composed.text) if not words else None
        if lacking is not None and not composed.text.startswith(lacking):
            # the card itself says the report does not give what is asked ("4급 역량평가 자체의
            # 시행 횟수나 인원은 업무보고에 나와 있지 않습니다"): that leads, not a figure of another
            composed = replace(composed, text=f"{lacking}\n{composed.text}")
        first = _FIRST_SENTENCE.split(composed.text.strip(), maxsplit=1)[0]
        if not words and shapes.SAYS_MISSING.search(first):
            composed = self._line_that_gives(u, composed)
            first = _FIRST_SENTENCE.split(composed.text.strip(), maxsplit=1)[0]
        if not words and shapes.SAYS_MISSING.search(first):  # the composer itself says the report lacks it
            # a rank's course may give it in a line of its own ("6급 과정에 4차산업혁명 교과 몇
            # 시간": the 6급 course's line, not the 4차 산업혁명 course's missing length)
            ranks = [m.text for m in u.matches if m.kind == "rank" and "rank" not in u.inherited]
            found = self._retrieve(u, now, min_words=2) if ranks else None
            if found is not None and any(r in found.text for r in ranks):
                return found
            self._log(text, now)
            suggestions = tuple(self.suggest(text))
            return Reply(
                shapes.with_suggestions("\n".join(shapes.distinct_lines(composed.text)).strip(), list(suggestions)),
                None,
                0.0,
                composed.entities,
                suggestions,
                self._context_after_lack(u, context, now),
                composed.topics,
            )
        missing = words or self._unanswered(u, composed.text)
        # (a date or a doer asked of an action: "언제 도입됐어요" is no question of the next test
        # date, "시험장 확보는 누가 맡아요" none of the department that runs the exams)
        compact = key(composed.text)
        actions = (
            [a for a in u.actions if not self.accounting.holds(a, compact)]
            if u.features.keys() & {"attr.schedule", "attr.who"}
            else []
        )
        if not missing and not u.actions and _SINCE_WHEN_DONE.search(u.text):
            # "5분 스피치 언제부터 했어?": since when a thing has been done asks when it began, as
            # "언제 도입됐어요" does, not its next date
            for word in _BEGINNINGS:
                found = self._retrieve(u, now, also=(word,))
                if found is not None:
                    return found
        if not missing and actions:
            # "인적성 검사 언제 도입됐어요": the card of the next test date says nothing of an
            # introduction; a fact that holds the question's action too answers it
            found = self._retrieve(u, now, also=tuple(actions))
            # (of two actions, one may be the report's word and the other the asker's: "통일하는
            # 거 언제부터 적용돼요": the fact says 통일, not 적용)
            for action in actions if found is None and len(actions) > 1 else ():
                found = self._retrieve(u, now, also=(action,))
                if found is not None:
                    break
            if found is None and u.inherited:
                # a thing done that the subject talked about does not hold is asked on its own
                # ("시험장 확보는 어디서 맡아요" after the 2nd round's figures)
                found = self._retrieve(replace(u, inherited={}), now, also=tuple(actions))
            if found is not None:
                return found
        # a length required of an action ("몇 년 근무해야"): the card's length of another thing
        # (the course's 6개월) is none of it; a fact that holds the action may answer it
        lengths = [c for c in u.counters if c in _TIME_UNITS] if _REQUIRED.search(u.text) else []
        counted = [a for a in u.actions if not self.accounting.holds(a, compact)] if lengths else []
        if not missing and counted:
            missing = [f"{counted[0]} {shapes.asked_noun('몇 ' + lengths[0])}"]
        if not missing and stages.figures_unsaid(u, composed.text):
            found = self._retrieve(u, now)
            if found is not None:
                return found
        if missing:
            found = self._retrieve(u, now, also=tuple(counted))
            if found is not None:
                return found
            # (a doer or date asked of a thing the card does not speak of is no part answered:
            # "참가비 받나요? 누가 부담해요" is not answered by the department that runs the course)
            partial = self._partial(u, composed, words, now) if words and not actions else None
            if partial is not None:
                return partial
            return self._not_in_report(text, u, missing, composed, now, context)
        return self._reply(u, composed, now)

    def _says_it_lacks(self, u: Understanding, card: str) -> str | None:
        """A sentence of the card that says the report does not give the attribute asked, when
        the card's head does not give it either."""
        patterns = self.accounting.asked_values(u)
        head = card.strip().split("\n", 1)[0]
        if not patterns or any(p.search(head) for p in patterns):
            return None
        asked = {m.value for m in u.matches if m.kind == "attr" and m.exact}
        names = {w for a in asked for w in self._names.get(("attr", a), set()) if len(w) >= 2}
        # (of the subject asked about, by one of its names: not a note on one of its cohorts)
        subjects = {
            w
            for k in SUBJECT_KINDS
            for v in u.entities.get(k, [])
            for w in self._names.get((k, v), set())
            if len(w) >= 2
        }
        for sentence in stages.sentences(card):
            compact = key(sentence)
            if (
                shapes.SAYS_MISSING.search(sentence)
                and any(w in compact for w in names)
                and any(w in compact for w in subjects)
            ):
                return sentence.split(": ", 1)[-1] if ": " in sentence[:20] else sentence
        return None

    def _line_that_gives(self, u: Understanding, composed: Any) -> Any:
        """A card whose head says the record lacks the asked value but whose line about what the
        question names gives it ("제주도 가는거 몇 박": not the course's length, the trip's "2박3일"):
        that line leads instead of the head."""
        patterns = self.accounting.asked_values(u)
        named = [
            w
            for m in u.matches
            if m.kind in SOFT_KINDS and m.exact and not self.accounting.generic(w := u.key[m.start : m.end])
        ]
        lines = composed.text.strip().split("\n")
        if not patterns or not named:
            return composed
        for line in lines[1:]:
            compact = key(line)
            said = line.split(": ", 1)[-1]  # what the line says, not its label ("… (상반기): …")
            if all(p.search(said) for p in patterns) and any(w in compact for w in named):
                rest = [x for x in lines[1:] if x != line]
                return replace(composed, text="\n".join([line.removeprefix("• "), *rest]))
        return composed

    def _partial(self, u: Understanding, composed: Any, words: list[str], now: dt.datetime) -> Reply | None:
        """A question of two parts ("8기 언제 시작하고 교재는 주나요?"): when the answer gives
        every value the question asks, and the words the report lacks are all in the other
        clause, the answer first, then one line saying what the report does not give."""
        # only what the question says in so many words (a typo-tolerant cue is no evidence)
        fuzzy = {u.key[m.start : m.end] for m in u.matches if not m.exact}
        asked = [(w, p) for w, p in self.accounting.asked(u) if key(w) in u.key and w not in fuzzy]
        if not asked or not words or not all(p.search(composed.text) for _, p in asked):
            return None
        if not stages.apart(u.text, words, [w for w, _ in asked]):
            return None
        reply = self._reply(u, composed, now)
        return replace(reply, text=shapes.with_note(reply.text, shapes.lacks("", words)))

    def _reply(self, u: Understanding, composed: Any, now: dt.datetime) -> Reply:
        short, full = shapes.shape(
            composed.text,
            stages.question_tokens(u) + self._attribute_words(u),
            self.limits.short_reply_lines,
            self.limits.list_reply_lines,
            tuple(self.accounting.asked_values(u)),
            self._attribute_named(u),
            (*u.elsewhere, *u.actions),
        )
        return Reply(
            short,
            u.intent,
            _confidence(u.score),
            composed.entities,
            composed.suggestions,
            Context(
                u.intent,
                self._entities_answered(u, composed.entities),
                now,
                full,
                stages.concepts_of(u, self.understander),
                stages.focus_of(u, composed.entities),
                tuple(sorted(f for f in u.features if f.startswith("attr."))),
            ),
            composed.topics,
            full if full != short else "",
        )

    def _entities_answered(self, u: Understanding, entities: dict[str, Any]) -> dict[str, Any]:
        """What the answer was about, for the next turn: not the exam's events when its intent
        reads none ("그 합격자들 신임자 교육은 언제": the course's dates, not the results, so
        "몇 명이에요?" next asks of the course)."""
        spec = self.understander.intent(u.intent or "")
        if spec is None:
            return dict(entities)
        uses = set(spec.needs) | set(spec.signals)
        return {k: v for k, v in entities.items() if k != "event_type" or k in uses}

    def _attribute_named(self, u: Understanding) -> list[str]:
        """The words naming, as written, an attribute the answer's intent is asked by ("집행률" of
        a budget answer; not "기간" of "교육 기간 언제까지", which a schedule answers by its end)."""
        spec = self.understander.intent(u.intent) if u.intent else None
        answers = {s for s, w in spec.signals.items() if w > 0} if spec else set()
        return [
            key(m.text)
            for m in u.matches
            if m.kind == "attr" and f"attr.{m.value}" in answers and m.exact and len(key(m.text)) >= 2
        ]

    def _attribute_words(self, u: Understanding) -> list[str]:
        """Every word of the attributes a question asks ("썼어요" asks 집행: 집행액, 집행률 ...),
        so that the line holding the asked attribute is kept in a short reply."""
        asked = {m.value for m in u.matches if m.kind == "attr" and m.value not in ("degree", "who", "target")}
        return sorted({w for a in asked for w in self._names.get(("attr", a), set()) if len(w) >= 2})

    def _retrieve(
        self, u: Understanding, now: dt.datetime, min_words: int = 1, also: tuple[str, ...] = ()
    ) -> Reply | None:
        """The one fact sentence or table row that accounts for every content word, if any."""
        words: list[tuple[str, ...]] = []
        about: list[tuple[str, ...]] = []
        owners: set[tuple[str, str]] = set()
        for m in u.matches:
            if m.kind == "concept":  # the fact is about what the question names ("공채": an exam)
                about.append(tuple(self._names.get(("concept", m.value), {u.key[m.start : m.end]})))
                continue
            if m.kind == "attr" and m.value in _NAMED_ATTRIBUTES and not self.turns.question.search(m.text):
                # "필기 과목 뭐에요": the fact must speak of the subjects, whatever word it uses (a
                # question phrase such as "뭐 배워" names nothing the fact must hold)
                about.append(tuple(w for w in self._names.get(("attr", m.value), set()) if len(w) >= 2))
                continue
            # cue words ask, keywords of free-text records only point: neither must be in the fact;
            # but in a follow-up a keyword is what the question asks of the subject it took over
            # ("시범운영은 언제" after the LMS budget)
            if m.kind in SOFT_KINDS and self.accounting.names_topic(u, m):
                words.append((u.key[m.start : m.end],))  # "다른 시도": the fact must speak of it
                continue
            if m.kind in SOFT_KINDS and u.inherited and m.exact:
                word = u.key[m.start : m.end]
                if not self.accounting.generic(word) and not self.turns.question.search(m.text):
                    words.append((word,))
                continue
            if m.kind in ("attr", "smalltalk", "self", "event_any", *SOFT_KINDS):
                continue
            forms = {u.key[m.start : m.end]} | self._names.get((m.kind, m.value), set())
            # a course's name without its word for a course ("it과정" → "it"): a fact writes it
            # apart ("e-러닝 IT는 21개 과정")
            forms |= {
                f[: -len(h)]
                for f in list(forms)
                for h in self._course_heads
                if m.kind in ("program", "session") and f.endswith(h) and len(f) - len(h) >= 2
            }
            owners.add((m.kind, m.value))
            words.append(tuple(forms))
        words += [(w,) for w in u.elsewhere if not self.accounting.generic(w)]
        # a compound of the report's words ("미래대응"), should no passage write it together, is
        # asked as its words (the report's "미래환경 변화대응")
        compounds = {
            w: parts
            for w in u.elsewhere
            if not self.accounting.generic(w)
            and len(parts := [p for p in (self.accounting.split(w) or []) if len(p) >= 2]) >= 2
        }
        words += [(w,) for w in also]
        words += [(f,) for f in stages.quoted_figures(u.text)]  # ("386회라는데": a passage that says it)
        # two keywords of one record, said as written ("출제", "채점"): each is a word of the fact
        said = {
            (m.value, w)
            for m in u.matches
            if m.kind in SOFT_KINDS and m.exact and not self.accounting.generic(w := u.key[m.start : m.end])
        }
        per_record = Counter(value for value, _ in said)
        words += [(w,) for value, w in sorted(said) if per_record[value] >= 2 and (w,) not in words]
        words += [(w, w[:-1]) for w, _ in self.accounting.counted_heads(u)]  # "응시자 몇 명": 응시(자)
        # a follow-up's fact is about the subject it took over ("경기도는요?" after a question
        # about Seoul's exam is no question about raters' pay)
        inherited = [(kind, v) for kind, values in u.inherited.items() for v in values if (kind, v) in self._names]
        owners |= set(inherited)
        matched_concepts = {m.value for m in u.matches if m.kind == "concept"}
        carried = [
            tuple(self._names[("concept", f.split(".", 1)[1])])
            for f in u.features
            if f.startswith("concept.")
            and f.split(".", 1)[1] not in matched_concepts
            and ("concept", f.split(".", 1)[1]) in self._names
        ]
        patterns = self.accounting.asked_values(u)
        words += [(h,) for h in self.accounting.halves_asked(u, patterns)]  # "하반기엔 어느 나라": of that half
        head = ""
        for attr, word in u.suffix_attrs.items():
            stem = self.understander.stem_of_suffixed(word)
            if attr == "cost" and len(stem) >= 2 and stem not in self._course_heads:
                # "운영비" is the cost of 운영: the budget line named after that activity (its
                # name ends in it, "직장보육시설운영"). A fee such as "보육료" names no line, nor
                # does the cost of a course to its trainee ("교육비": 교육 is every course).
                words.append((stem,))
                head = stem
            else:
                words.append((word,))
        if len(words) < min_words:
            # a word many records use is still a word of the question when it says little else
            # ("신규채용시험에서 자치구는 뭘 맡아요": 자치구)
            words += [(w,) for w in u.elsewhere if self.accounting.generic(w) and len(w) >= 2]
        if len(words) < min_words and min_words > 1:
            # when no reading answers at all, so is the action it names ("퇴직 전 교육에 제주도
            # 가는 거": 퇴직), and a year other than the report's ("2019년부터 뭐가 바뀌어요")
            words += [(a,) for a in u.actions if (a,) not in words]
            words += [(f"{y}년", str(y)) for y in dict.fromkeys(u.years) if y != self.year]
            # and a keyword of a record said as written that no cue word reads ("채점")
            cues = [(c.start, c.end) for c in u.matches if c.kind in ("attr", "concept")]
            words += [
                (w,)
                for m in u.matches
                if m.kind in SOFT_KINDS
                and m.exact
                and not any(s <= m.start and m.end <= e for s, e in cues)
                and (w := u.key[m.start : m.end],) not in words
            ]
        # One word of its own that few records use, with the value asked, is enough ("채점은
        # 어디서 해요"); not a record's own name, which has its own answers ("필기시험 과목").
        # (a keyword naming the topic is often a word of its own too; two matches of one record
        # give the same forms, in whatever order their set gave them)
        words = list({frozenset(forms): forms for forms in words}.values())
        one_asked = (
            len(words) == 1
            and not owners
            and bool(patterns)
            and len(words[0][0]) >= 2
            and not self.accounting.generic(words[0][0])
        )
        # (a follow-up asking a value of the subject taken over names no word of its own: "무슨
        # 요일에 해요?" after the course's dates)
        if len(words) < min_words and not (inherited and patterns and min_words == 1) and not one_asked:
            return None
        # a turn with no word of its own asks of the subject taken over: a passage of its section
        # about another record is none of it ("어디서 해?" after the forum's date is not where the
        # Cairo workshop was); with words of its own, any passage of the section may answer
        about += [
            tuple(self._names[owner] | (self.passages.sections.get(owner, set()) if words else set()))
            for owner in inherited
        ]

        # (a word many records use is still one a fact read with its record's name must say
        # itself: "6급 국내반 복지 행정 분야 몇 명" is no question of the cohort's 69)
        generic_words = [w for w in u.elsewhere if len(w) >= 2 and self.accounting.generic(w)]

        # the deeds the question word asks of ("언제 설립됐어요", "어느 과에서 주관"), said next to it
        deeds = [a for a in u.actions if (a,) in words and _next_to_a_cue(u, a)]

        def best(about: list[tuple[str, ...]], owned: bool = False) -> Passage | None:
            return self.passages.best(
                words + about,
                owners,
                accept=lambda text: (
                    all(p.search(self._without_names(u, text)) for p in patterns)
                    and not self.accounting.units_of_others(u, text)
                    and not self.accounting.years_of_others(u, text)
                    and not self._said_of_a_group(u, text, patterns)
                    and not self._parts_counted(u, text)
                    and not _members_unlisted(u.text, text)
                    and not (u.counters and stages.only_as_examples(u, text))
                    and not stages.part_of_a_count(u, text)
                    and (not owned or all(w in key(text) for w in generic_words))
                    # (one word is enough only where the value asked is said of it: "경기도 70만원"
                    # in a list of other bodies' pay says nothing of whom 경기도 recruits)
                    and (not one_asked or _said_together(words[0], patterns, text, self.accounting.holds))
                    # (the value asked of a deed is said next to it: "언제 설립" is no year of
                    # another sentence's clause that names "설립 목적")
                    and all(_said_near(a, patterns, text) for a in deeds)
                ),
                kinds=frozenset({"budget_line"}) if head else None,
                head=head,
                tokens=tuple(stages.question_tokens(u)),
                owned=owned,
            )

        # (a fact is read with its record's name only when no passage holds every word itself)
        passage = best(about + carried) or best(about + carried, owned=True)
        if passage is None and compounds:
            words = [
                split
                for forms in words
                for split in (
                    [(part,) for part in compounds[forms[0]]] if len(forms) == 1 and forms[0] in compounds else [forms]
                )
            ]
            passage = best(about + carried) or best(about + carried, owned=True)
        if passage is None and carried and words and inherited:
            # a word of its own asks about the subject taken over, not about the kind of the
            # last answer ("시범운영은 언제" after the LMS budget: no budget passage holds it)
            passage = best(about)
        # (the actions asked with must be in the fact itself, not merely in its owner's record)
        if passage is None or not all(self.accounting.holds(a, key(passage.text)) for a in also):
            return None
        entities = _public_entities(u.entities)
        text = f"{passage.text}\n{basis(passage.source)}"
        return Reply(
            text,
            "fact.answer",
            _confidence(u.score),
            entities,
            (),
            Context("fact.answer", dict(entities), now, text, stages.concepts_of(u)),
        )

    def _names_of_others(self, kind: str, values: frozenset[str]) -> str:
        """A pattern of the names of the records of ``kind`` other than ``values``, as a text may
        write them (built once per question's records, not per passage looked at)."""
        found = self._others_cache.get((kind, values))
        if found is None:
            found = self._others_cache[(kind, values)] = "|".join(
                stages.spelt(n).pattern
                for (k, v), names in self._names.items()
                if k == kind and v not in values
                for n in names
                if len(n) >= 2
            )
        return found

    def _said_of_a_group(self, u: Understanding, text: str, patterns: list[re.Pattern[str]]) -> bool:
        """Whether a text names the record asked about only as an item of a list of records of
        its kind, and gives the value asked outside that item ("배움관 연면적": the 16,657㎡ of
        "4개동 …: 배움관(지하1층, 지상3층), 창의관(지상5층), …", which is all four buildings')."""
        figures = {"attr.area", "attr.cost", "attr.headcount", "attr.rate"}
        if not patterns or not (u.counters or figures & u.features.keys()):
            return False  # (a figure asked: a list of names asked is answered by the list)
        for kind, values in u.entities.items():
            if kind not in SUBJECT_KINDS or kind in SOFT_KINDS or kind == "rank" or not isinstance(values, list):
                continue
            others = self._names_of_others(kind, frozenset(values))
            if not others:
                continue
            for value in values:
                for name in (n for n in self._names.get((kind, value), set()) if len(n) >= 2):
                    for m in stages.spelt(name).finditer(text):
                        # the item: the name and what it says in brackets right after it
                        item = re.match(r"\s*\([^()]*\)", text[m.end() :])
                        end = m.end() + (item.end() if item else 0)
                        listed = re.match(rf"\s*[,、]\s*(?:{others})", text[end:]) or re.search(
                            rf"(?:{others})(?:\s*\([^()]*\))?\s*[,、]\s*$", text[: m.start()]
                        )
                        if listed and not all(p.search(text[m.start() : end]) for p in patterns):
                            return True
        return False

    def _named_in_part(self, u: Understanding) -> bool:
        """Whether the question names its subjects only by a small part of their names, none of
        them a name or alias written for the record ("2차" is one; "계획수립" is a few letters of
        "…교육훈련계획수립")."""
        named = [
            m
            for m in u.matches
            if m.kind in SUBJECT_KINDS and m.kind not in SOFT_KINDS and m.kind != "rank" and m.kind not in u.inherited
        ]
        return bool(named) and all(
            not m.exact
            and (m.kind, m.value) in self._display
            and 2 * (m.end - m.start) < len(key(self._display[(m.kind, m.value)]))
            for m in named
        )

    def _from_last_answer(
        self, u: Understanding, context: Context, now: dt.datetime, *, yes_no: bool = False
    ) -> Reply | None:
        """A follow-up about something the last answer said ("공지는 언제 했어요?" after an answer
        that tells of the notice): its sentence that holds the question's words and the asked
        value; with ``yes_no``, a question asking no value ("부부 같이 가도 되나" after the trip
        for couples) is answered by the sentence that holds its words."""
        if not context.detail or not context.fresh(now):
            return None
        words = [w for w in u.elsewhere if len(w) >= 2]
        cues = {(m.start, m.end) for m in u.matches if m.kind == "attr"}  # ("몇 명", a fact's keyword too)
        words += [
            u.key[m.start : m.end]
            for m in u.matches
            if m.kind not in ("attr", "concept", "smalltalk", "self", "event_any")
            and m.end - m.start >= 2
            and (m.start, m.end) not in cues
        ]
        patterns = self.accounting.asked_values(u)
        # the question's words and the value asked; with ``yes_no``, either alone ("몇 년 앞까지
        # 보는 거예요": the value; "부부 같이 가도 되나": the words); a value of a kind few
        # sentences give, asked of the subject taken over, alone too ("무슨 요일에 해요": 주2회(수, 금))
        rare = [p for p in patterns if p.pattern in self._rare_values]
        if not (words and patterns or yes_no and (words or patterns) or (u.inherited and rare and not words)):
            return None
        for sentence in stages.sentences(context.detail):
            compact = key(sentence)
            # (a sentence saying the report lacks what it names answers nothing of it)
            if (
                all(self.accounting.holds(key(w), compact) for w in words)
                and all(p.search(sentence) for p in patterns)
                and not shapes.SAYS_MISSING.search(sentence)
                and not _members_unlisted(u.text, sentence)
            ):
                return self._said_again(sentence, u, context, now)
        return None

    def _said_again(self, sentence: str, u: Understanding, context: Context, now: dt.datetime) -> Reply:
        """A sentence of the last answer, said again with the line citing the report, as the
        answer to a follow-up about it."""
        cited = [line.strip() for line in context.detail.splitlines() if line.strip().startswith("(")]
        body = sentence + (f"\n{cited[-1]}" if cited else "")
        return Reply(body, context.intent, _confidence(u.score), dict(context.entities), (), replace(context, at=now))

    def _not_in_report(
        self,
        text: str,
        u: Understanding,
        words: list[str],
        composed: Composed | None,
        now: dt.datetime,
        context: Context,
    ) -> Reply:
        """The record is known but the asked attribute is not in it: say so first."""
        # (a word the report never uses is in no sentence of the last answer: "방수공사 한 업체")
        said = None if u.unknown_words else self._from_last_answer(u, context, now)
        if said is not None:
            return said
        self._log(text, now)
        suggestions = self.suggest(text)
        # a letter the report lacks is said as the word it ends ("면접장", not "장")
        shown = [_word_ending_in(u.text, w) if len(w) == 1 else w for w in words]
        which = stages.which_of_its_own(u.text)
        if which and [key(w) for w in shown] == [key(which)]:
            shown = [f"{which}의 종류"]  # ("무슨 자격증이에요": not the certificates themselves)
        subject = self._subject_said(u, words)
        at = {w: u.text.find(w) for w in (subject, *shown)}
        named = {u.key[m.start : m.end] for m in u.matches if m.kind in SUBJECT_KINDS and m.kind != "rank"}
        if len(shown) == 1 and subject and key(shown[0]) in named and -1 < at[shown[0]] < at[subject]:
            # a record named before the thing it lacks, said in the question's order: "배움관
            # 엘리베이터" → 배움관의 엘리베이터
            subject, shown = shown[0], [subject]
        if not subject and "attr.who" in u.features and shown and {key(w) for w in shown} <= named:
            # who did a thing named ("비전은 누가 정했어요"): the doer is lacking, not the thing
            shown = [f"{'·'.join(shown)}의 담당자"]
        card = composed.text if composed is not None else ""
        if subject and composed is not None and not self._card_is_of_subject(u, composed, missing=words):
            card = ""  # (the budget's card under "그때 경쟁률은" after an exam round says nothing of it)
        body = shapes.with_suggestions(shapes.not_in_report(subject, shown, card), suggestions)
        entities = _public_entities(u.entities)
        return Reply(body, None, 0.0, entities, tuple(suggestions), self._context_after_lack(u, context, now))

    def _card_is_of_subject(self, u: Understanding, card: Composed, missing: list[str]) -> bool:
        """Whether the card a reply would quote as what is known is of a record the question
        named or took over: a card of another record is no line of what is known of it."""
        lacking = {key(w) for w in missing}
        records = [
            (m.kind, m.value) for m in u.matches if m.kind in SUBJECT_KINDS and u.key[m.start : m.end] not in lacking
        ]
        records += [(kind, v) for kind, values in u.inherited.items() for v in values]
        names = {n for r in records for n in self._names.get(r, ())}
        names |= {u.key[m.start : m.end] for m in u.matches if (m.kind, m.value) in records}
        topics = {("round" if t.kind == "exam_round" else t.kind, t.ref_id) for t in card.topics}
        if topics & set(records):
            return True
        compact = key(card.text)
        return not names or any(len(n) >= 2 and n in compact for n in names)

    def _context_after_lack(self, u: Understanding, context: Context, now: dt.datetime) -> Context:
        """The context after a reply that the report does not give what was asked of a known
        record: the conversation is now about that record ("끝나는 날은요?" goes on with it, and
        with its cohort: "그 다음 기수는?" after "8기 합숙이에요?"), unless the turn only asked
        something aside of the subject talked about."""
        if u.intent is None or not stages.current_subjects_of(u):
            return context
        if context.fresh(now) and stages.asks_aside(u, context):
            return context
        entities = _public_entities(u.entities)
        kept = {**entities, "cohort": u.cohort} if u.cohort is not None else entities
        return Context(u.intent, dict(kept), now, "", stages.concepts_of(u))

    def _subject_said(self, u: Understanding, missing: tuple[str, ...] | list[str] = ()) -> str:
        """How a reply names the question's subject: as the question named it, by the record's
        own name when the question matched only part of a word of it ("러닝콘텐츠"), or, in a
        follow-up, by the record taken over; never a record it says the report lacks
        ("배움관의 체육시설", not "체육시설의 체육시설")."""
        named = stages.subject_match(u, exclude={key(w) for w in missing})
        if named is not None:
            shown = self._display.get((named.kind, named.value), "")
            inside_a_word = key(named.text) in key(shown) and not re.search(
                rf"(?:^|[\s·(-]){re.escape(named.text)}", shown
            )
            return shown if inside_a_word else named.text
        return next(
            (
                self._display[(kind, v)]
                for kind, values in u.inherited.items()
                for v in values
                if (kind, v) in self._display
            ),
            "",
        )

    def _decline(self, text: str, u: Understanding, reason: str, now: dt.datetime, context: Context) -> Reply:
        if "smalltalk" in u.entities and reason in ("unknown", "no_data") and not self._help_with_else(u):
            return self.composer.small_talk(u.entities["smalltalk"][0], context)
        said = self._from_last_answer(u, context, now) if reason != "year" else None
        if said is not None:
            return said
        suggestions = self.suggest(text)
        if reason == "year":
            years = ", ".join(f"{y}년" for y in sorted(set(u.years)))
            body = shapes.OTHER_YEAR.format(years=years, year=self.year)
        else:
            body = shapes.NOT_FOUND.format(year=self.year)
        self._log(text, now)
        return Reply(
            shapes.with_suggestions(body, suggestions),
            None,
            0.0,
            _public_entities(u.entities),
            tuple(suggestions),
            context,
        )

    def _log(self, text: str, now: dt.datetime) -> None:
        if self.log_unanswered:
            ops.log_unanswered(self.db, text.strip()[:500], key(text)[:500], now)

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """Up to ``limit`` example questions close to ``text``."""
        k = key(text)
        if not k:
            return list(self.nlu["default_suggestions"])[:limit]
        found = process.extract(
            k, self._suggestion_keys, scorer=fuzz.partial_ratio, processor=None, limit=limit * 3, score_cutoff=45
        )
        out: list[str] = []
        for _choice, _score, idx in found:
            s = self._suggestion_pool[idx]
            if s not in out:
                out.append(s)
            if len(out) == limit:
                break
        return out or list(self.nlu["default_suggestions"])[:limit]


# units of time a length is counted in ("몇 년", "몇 주")
_TIME_UNITS = frozenset({"년", "개월", "달", "주", "일", "시간", "박"})
# what must be so for the asker ("근무해야", "이상 돼야"): a length required of them
_REQUIRED = re.compile(r"(?:해|돼|되|있어|있)야|이상")

# where one question of a message ends and the next begins ("…해요? 하루짜리임?")
_QUESTION_PARTS = re.compile(r"(?<=\?)\s*")
_JOINED_QUESTIONS = re.compile(r"(?<=[가-힣]고)\s+(?=\S)")

# Attributes a fact names in words rather than shows as a value: the fact must hold one of them.
_NAMED_ATTRIBUTES = frozenset({"content"})
# "언제부터 했어요", "언제부터 생긴 거예요": since when a thing has been done, in the past
_SINCE_WHEN_DONE = re.compile(r"언제\s*부터\s*(?:\S+\s*)?(?:했|생겼|생긴|생기|됐|되었|시작했|시작됐|시작된)")
# the report's words for a thing's beginning
_BEGINNINGS = ("도입", "시작", "시행")


# 그 and the noun it points at, with a count before it ("그 네 개 기관이", "그 4개 기관")
_POINTED = re.compile(rf"(?<![가-힣])그\s+({stages.NUMBER}\s*(?:개|곳|가지)\s*)?([가-힣]{{2,}})")


def _origins(db: Database) -> list[str]:
    """The places the cohorts of international courses were for, as their targets name them first
    ("타슈켄트 (우수정책 해외진출 전략도시 대상 협력연수)" → 타슈켄트)."""
    words: list[list[str]] = [
        (s.target or "").split("(")[0].split()
        for p in kdb.programs(db)
        if p.category == "international"
        for s in kdb.sessions_of(db, p.id)
    ]
    # a word several cohorts' targets share ("국제기구 … 회원도시") names no one place
    counts = Counter(w for ws in words for w in set(ws))
    return sorted({w for ws in words for w in ws if counts[w] == 1})


# A thing named as the way another is had ("이러닝으로도", "모바일로도")
_BY_WAY_OF = re.compile(r"(?:으로|로)도")
# A turn asking of a part of what the last answer listed ("그 중 전문경력관은", "이 중에 IT는")
_OF_THOSE = re.compile(r"\s*(?:그|이)\s*(?:중|가운데)")
# a cohort asked ("몇 기로 들어가요", "몇기예요?"), not a word that starts with 기 ("몇 기관")
_COHORT_ASKED = re.compile(r"몇\s*기(?:[로에는]|(?![가-힣]))")
# Words asking for the members of a set, one by one ("4개 기관이 어디어디야", "18개 직류 전부 뭐야")
_MEMBERS = re.compile(r"뭐뭐|어디어디|누구누구|무엇무엇|전부|목록|리스트|명단|각각|하나하나|이름|제목|명칭")
_WHICH_KIND = re.compile(r"(?<![가-힣])(?:무슨|어떤|어느)(?![가-힣])")
# a number of things the question counts ("6개 과정", "25개 분야", "6회")
_SET_OF = re.compile(r"(?<![\d,.])(\d{1,3})\s*(개|곳|회|가지|분야|과정|기관|직류|과목)\s*([가-힣]{2,})?")
# where a list is cut short before its count ("고졸자, 운전 등 18개 직류": two of the eighteen)
_CUT_SHORT = r"등\s*(?:[가-힣]+\s+)?\d+\s*(?:개\s*)?{noun}"


def _members_unlisted(question: str, answer: str) -> list[str]:
    """The members of a set the question asks one by one, when the answer gives fewer of them
    than it counts ("주변 4개 기관 어디어디": "인재개발원 등 주변 4개 기관" names one): the
    report gives the count, not the list."""
    if re.search(r"몇|얼마", question):
        return []
    counted = [m for m in _SET_OF.finditer(question) if int(m.group(1)) >= 2]
    # "무슨/어떤" asks the members only of a set the question counts ("3개 과정이 무슨 자격증")
    if not _MEMBERS.search(question) and not (counted and _WHICH_KIND.search(question)):
        return []
    if counted:
        number, unit, after = counted[0].groups()
        stems = without_particles(after) if after else []
        noun = unit if unit not in ("개", "곳", "회", "가지") else (stems[-1] if stems else after or "")
        if noun and re.search(_CUT_SHORT.format(noun=re.escape(noun)).replace(r"\d+", number), answer):
            return ["목록"]
        lines = [line for line in answer.splitlines() if not line.startswith(f"({BASIS}")]
        items = max(max(map(_items_listed, lines), default=0), answer.count("\n•") + 1)
        return ["목록"] if items < int(number) else []
    for word in set(re.findall(r"[가-힣]{2,}", question)):
        stem = next(iter(without_particles(word)), word)  # ("직류가" → 직류)
        if re.search(_CUT_SHORT.format(noun=re.escape(stem)), answer):
            return ["목록"]
    return []


def _said_together(
    forms: tuple[str, ...], patterns: list[re.Pattern[str]], text: str, holds: Callable[[str, str], bool]
) -> bool:
    """Whether one sentence of ``text`` holds a form of the word and every value asked, or its
    label ("타 시·도와 필기시험일자 통일: …") names the word, and so the whole passage is of it."""
    label = text.split(": ", 1)[0] if ": " in text[:80] else ""
    if label and any(holds(f, key(label)) for f in forms):
        return True
    for part in re.split(r"(?<=[.!?])\s|\n", text):
        if any(holds(f, key(part)) for f in forms) and all(p.search(part) for p in patterns):
            return True
    return False


def _next_to_a_cue(u: Understanding, word: str, reach: int = 4) -> bool:
    """Whether ``word`` is written within ``reach`` letters of a cue word of the question."""
    spots = [m.start() for m in re.finditer(re.escape(word), u.key)]
    cues = [(m.start, m.end) for m in u.matches if m.kind == "attr"]
    return any(s - reach <= spot + len(word) and spot <= e + reach for spot in spots for s, e in cues)


def _said_near(word: str, patterns: list[re.Pattern[str]], text: str, reach: int = 30) -> bool:
    """Whether every value asked is written within ``reach`` letters of ``word`` in ``text``."""
    spots = [m.start() for m in re.finditer(re.escape(word), text)]
    return not patterns or any(
        all(any(v.start() - reach <= spot <= v.end() + reach for v in p.finditer(text)) for p in patterns)
        for spot in spots
    )


# a figure with its unit: a part that starts with one, and one that ends in one ("3개 과정")
_FIGURE = r"[\d,.]+\s*(?:개|회|명|%|천원|만원|원|년|월|일|곳|실|과정|시간|주)"
_A_FIGURE = re.compile(rf"\s*[+\-]?{_FIGURE}(?![가-힣])")
_ENDS_IN_A_FIGURE = re.compile(rf"{_FIGURE}(?:\s*과정)?\W*$")


def _items_listed(line: str) -> int:
    """The most items of one list in ``line``: numbered ones ("① …, ② …"), or short parts between
    commas, the first and the last of which may run on into the sentence ("평가역량은 정책기획,
    성과지향, 변화관리입니다" is three)."""
    parts = re.split(r",(?!\d)|(?<!\d),|[、·/;]|\s및\s", line)  # (not "13,000")
    # (a figure is no item: "7개 과정, 26회, 1,480명" lists no courses)
    items = [
        not _ENDS_IN_A_FIGURE.search(part)
        if i == 0
        else not _A_FIGURE.match(part) and (i == len(parts) - 1 or len(part.strip()) <= 25)
        for i, part in enumerate(parts)
    ]
    most = len(parts[:2])
    run = 0
    for item in items:
        run = run + 1 if item else 0
        most = max(most, run)
    return max(most, len(re.findall(r"[①-⑳]", line)))


def _series_forms(name: str) -> list[str]:
    """A name, and the name of a job series without its 직 ("운전직": "운전 등 18개 직류")."""
    return [name, *([name[:-1]] if name.endswith("직") and len(name) >= 3 else [])]


# a change from last year said ("전년 대비", "증감액", "증 49시간")
_CHANGE_SAID = re.compile(r"전년|증감|작년|(?<![가-힣])[증감]\s*\d")
_ITEM_BOUND = re.compile(r"(?<!\d),|,(?!\d)|[、(:—\n]|[.!?]\s")


def _list_items(text: str, forms: list[str], listed: bool = True, marks: str = ",、") -> list[tuple[int, int, str]]:
    """Where a text writes one of ``forms`` as an item of a list ("…, 연구지도직 등"; with ``marks``
    ",、·" also "시·자치구·소방직"), or with ``listed`` false anywhere, with the item (the clause it
    is in, up to the next comma)."""
    out = []
    for form in forms:
        for x in stages.spelt(form).finditer(text):
            start, end = x.start(), x.end()
            in_list = re.search(rf"[{marks}]\s*$", text[:start]) or re.match(rf"\s*(?:등|[{marks}])", text[end:])
            if listed and not in_list:
                continue
            # (a comma inside a figure, "1,071", ends no item; a sentence's end does)
            bounds = [b.end() for b in _ITEM_BOUND.finditer(text, 0, start)]
            lead = bounds[-1] if bounds else 0
            tail = re.search(r"(?<!\d),|,(?!\d)|[、)\n]|등", text[end:])
            out.append((start, end, text[lead : end + (tail.start() if tail else len(text) - end)]))
    return out


def _word_ending_in(text: str, letter: str) -> str:
    """The word of ``text`` that ``letter`` ends, particles off ("면접장은" → 면접장), or the
    letter when no longer word ends in it."""
    for raw in text.split():
        word = re.sub(r"[^가-힣A-Za-z0-9]", "", raw)
        for stem in (word, *without_particles(word)):
            if len(stem) > 1 and stem.endswith(letter):
                return stem
    return letter


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
