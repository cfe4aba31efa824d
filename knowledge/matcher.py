"""Finding known terms (entity names, aliases, cue words) in a question.

A pure structure over prepared terms: exact matches are found by looking up every substring of
the spacing-free question in a dict (cost independent of how many terms there are); one-jamo
typos are found with rapidfuzz on the jamo forms of the few terms that share syllable bigrams
with the question.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from knowledge.normalize import is_hangul, key, particles_only, strip_ending, to_jamo

MAX_QUERY = 300  # characters of a question that are matched; the rest is ignored
# Words that must be typed as they are: out-of-scope markers and small talk would otherwise
# turn ordinary words into false alarms ("언제임" is not "게임").
# Free-text keywords (topics, facts, daycare groups) are exact too, except topic and fact
# keywords of four letters or more: short phrases such as "인재개발원 직원" have typo
# neighbours that are different questions ("인재개발원 원장").
EXACT_ONLY_KINDS = frozenset({"oos", "smalltalk", "topic", "fact", "priority_group"})
# Two-syllable words are fuzzy-matched only for the cue vocabulary (면졉 → 면접, 일졍 → 일정).
SHORT_FUZZY_KINDS = frozenset({"event_type", "attr", "concept", "rank"})


@dataclass(frozen=True)
class Term:
    """One way of naming something: ``kind`` and ``value`` say what (e.g. program/newcomer)."""

    kind: str
    value: str
    text: str
    key: str
    jamo: str
    weight: float = 1.0  # below 1 for names derived from a record's name rather than written


@dataclass(frozen=True)
class Match:
    kind: str
    value: str
    text: str  # the term as written in the data
    start: int  # span in the question's key
    end: int
    score: float  # 1.0 exact; below for typo matches

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def exact(self) -> bool:
        """Spelt exactly as a term of full weight (no typo, no derived short name)."""
        return self.score >= _EXACT


def make_term(kind: str, value: str, text: str, weight: float = 1.0) -> Term | None:
    k = key(text)
    if not k:
        return None
    return Term(kind, value, text, k, to_jamo(k), weight)


def _non_hangul(text: str) -> str:
    return "".join(ch for ch in text if not is_hangul(ch))


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _jamo_offsets(text: str) -> tuple[str, list[int]]:
    """Jamo form of ``text`` and, for each jamo, the index of the character it came from."""
    jamo: list[str] = []
    owner: list[int] = []
    for i, ch in enumerate(text):
        part = to_jamo(ch)
        jamo.append(part)
        owner.extend([i] * len(part))
    return "".join(jamo), owner


class Matcher:
    """Finds terms in questions. Build once per knowledge load; ``find`` is pure."""

    def __init__(self, terms: list[Term], *, known_words: frozenset[str] = frozenset()) -> None:
        # A correctly spelt word is never read as a typo of another ("면적" is not "면접").
        self.known_words = known_words
        self.exact: dict[str, list[Term]] = defaultdict(list)
        seen: set[tuple[str, str, str]] = set()
        self.terms: list[Term] = []
        for term in terms:
            ident = (term.kind, term.value, term.key)
            if ident in seen:
                continue
            seen.add(ident)
            self.terms.append(term)
            self.exact[term.key].append(term)
        self.max_len = max((len(k) for k in self.exact), default=0)
        self.spaced_keys = frozenset(t.key for t in terms if " " in t.text)
        # Fuzzy matching only for all-Hangul terms of 2+ syllables: one-syllable words are
        # too ambiguous. Candidates are found through shared syllable bigrams (3+ syllables)
        # or a shared syllable (2 syllables), so the cost does not grow with every term.
        self.fuzzy: list[Term] = [
            t
            for t in self.terms
            if (t.kind not in EXACT_ONLY_KINDS or (t.kind in SOFT_KINDS and len(t.key) >= 3 and t.key.isalpha()))
            and sum(is_hangul(c) for c in t.key) >= 2
            and (len(t.key) >= 3 or (t.kind in SHORT_FUZZY_KINDS and all(is_hangul(c) for c in t.key)))
        ]
        # Candidates: terms sharing enough syllable bigrams with the question (one typo breaks
        # at most two), or, for words of up to four syllables, all but one syllable.
        self.bigram_index: dict[str, list[int]] = defaultdict(list)
        self.syllable_index: dict[str, list[int]] = defaultdict(list)
        self.needed: list[int] = []
        self.needed_syllables: list[int] = []
        for idx, term in enumerate(self.fuzzy):
            grams = _bigrams(term.key) if len(term.key) >= 3 else set()
            for gram in grams:
                self.bigram_index[gram].append(idx)
            self.needed.append(max(1, len(grams) - 2) if grams else 10**6)
            syllables = set(term.key) if len(term.key) <= 4 else set()
            for syllable in syllables:
                self.syllable_index[syllable].append(idx)
            self.needed_syllables.append(max(1, len(syllables) - 1) if syllables else 10**6)

    def find(self, query_key: str, boundaries: frozenset[int] = frozenset()) -> list[Match]:
        """All term matches in ``query_key`` (a ``normalize.key``), overlaps resolved.

        ``boundaries`` are the positions in the key where the user put a space; a typo match
        never spans one (unless the term itself has a space there).
        """
        q = query_key[:MAX_QUERY]
        found: list[Match] = []
        for i in range(len(q)):
            for j in range(i + 1, min(len(q), i + self.max_len) + 1):
                for term in self.exact.get(q[i:j], ()):
                    found.append(Match(term.kind, term.value, term.text, i, j, term.weight))
        # A two-letter term read across the user's space joins two words ("준비 교육" has
        # no "비교").
        found = [
            m
            for m in found
            if q[m.start : m.end] in self.spaced_keys
            or not any(m.start < b < m.end for b in boundaries)
            or (m.length > 2 and not _splits_a_word(q, m, boundaries))
        ]
        # Never read a typo into text that already is a correctly spelt term ("보직기간" holds no
        # "조직"), nor across the edge of a name ("경쟁원서" holds no "정원").
        spelt = [(m.start, m.end) for m in found]
        spelt_terms = list(found)
        names = [m for m in found if m.kind not in CUE_KINDS and m.kind not in SOFT_KINDS]
        found.extend(
            m
            for m in self._fuzzy(q, boundaries)
            if not any(s <= m.start and m.end <= e for s, e in spelt)
            and not _stretches_a_spelt_term(q, m, boundaries, spelt_terms)
            and not any(
                n.start < m.end and m.start < n.end and not (m.start <= n.start and n.end <= m.end) for n in names
            )
            # nor stretch a name spelt as written into a typo of a longer name of the same record
            # ("키예프 스마트시티": 키예프 as written, not "키예프스" ≈ 키예프시)
            and not any(
                (n.kind, n.value) == (m.kind, m.value)
                and n.kind != "event_type"
                and m.start <= n.start
                and n.end <= m.end
                for n in names
            )
            # nor read a typo into the letters of another name of its kind spelt as written
            # ("하반기 경채": 경채 as written, not a typo of 하반기 공채)
            and not any(
                n.kind == m.kind and m.start <= n.start and n.end <= m.end and _typo_within(q, m, n) for n in names
            )
        )
        # Of two matches that cross, one that takes only the first letter of a word yields to one
        # that starts there and ends where the word does ("어느 과목이": 과목, not "어느 과").
        ragged = [
            m
            for m in found
            if _takes_one_letter(q, m, boundaries)
            and any(m.start < n.start < m.end < n.end and not _ends_inside_word(q, n, boundaries) for n in found)
        ]
        return _resolve([m for m in found if m not in ragged])

    def _fuzzy(self, q: str, boundaries: frozenset[int]) -> list[Match]:
        if len(q) < 2 or not self.fuzzy:
            return []
        counts: Counter[int] = Counter()
        for gram in _bigrams(q):
            posting = self.bigram_index.get(gram)
            if posting:
                counts.update(posting)
        syllable_counts: Counter[int] = Counter()
        for syllable in set(q):
            posting = self.syllable_index.get(syllable)
            if posting:
                syllable_counts.update(posting)
        candidates = {i for i, n in counts.items() if n >= self.needed[i]}
        candidates |= {i for i, n in syllable_counts.items() if n >= self.needed_syllables[i]}
        if not candidates:
            return []
        q_jamo, owner = _jamo_offsets(q)
        # the user's own words that are spelt right (each a span of the key), for every candidate
        edges = sorted({0, len(q), *boundaries})
        spelt = [(a, b, q[a:b]) for a, b in zip(edges, edges[1:], strict=False) if q[a:b] in self.known_words]
        out: list[Match] = []
        for idx in candidates:
            term = self.fuzzy[idx]
            if term.key in q:
                continue
            n = len(term.jamo)
            if n < 5:
                continue
            edits = 1 if n < 15 else 2
            cutoff = 100.0 * (1 - edits / n) - 0.01
            res = fuzz.partial_ratio_alignment(term.jamo, q_jamo, score_cutoff=cutoff)
            if res is None:
                continue
            # Whole syllables only: widen the aligned span to the syllables it touches and score
            # again, so a typo in the last letter (어린이짐) counts but a word is never taken
            # from the middle of another syllable.
            lo = owner[res.dest_start]
            hi = owner[max(res.dest_start, res.dest_end - 1)] + 1
            best = self._best_window(term, q, lo, hi, cutoff)
            if best is None:
                continue
            start, end, score = best
            # A word typo-matched across the user's space is two words, not one, unless it starts
            # where the user's word starts ("리더쉽 교육" is one name, "자치구가 시험" holds none).
            inner = sum(start < b < end for b in boundaries)
            if (
                " " not in term.text
                and inner
                and (len(term.key) <= 3 or (start > 0 and start not in boundaries) or inner > 1)
            ):
                continue  # (nor across two spaces: "언제 다 지어져요" holds no "언제까지")
            # A typo is in the stem of the user's word, never in its ending: "언제인가요" holds no
            # typo of 인강 nor of 제일 (the stem is 언제).
            if _into_the_ending(q, start, end, boundaries):
                continue
            # A two-syllable word inside the user's word keeps its first syllable: "하는거" holds
            # no typo of 근거 ("2차면졉" still holds 면접).
            if len(term.key) == 2 and start > 0 and start not in boundaries and q[start] != term.key[0]:
                continue
            # Digits and Latin letters must be typed as they are: 2차 is not a typo of 3차.
            if _non_hangul(q[start:end]) != _non_hangul(term.key):
                continue
            # (nor a whole word of the user's spelt right and no part of the term: "그럼 운영" holds
            # 그럼, no typo of 프로그램운영)
            if self._is_known(q, start, end, term.key) or any(
                start <= a and b <= end and len(w) >= 2 and w not in term.key for a, b, w in spelt
            ):
                continue
            out.append(Match(term.kind, term.value, term.text, start, end, term.weight * score / 100.0))
        return out

    @staticmethod
    def _best_window(term: Term, q: str, lo: int, hi: int, cutoff: float) -> tuple[int, int, float] | None:
        """The whole-syllable span near the aligned region [lo, hi) that is one typo away from
        the term (alignment may start a syllable early when several spans score alike)."""
        best: tuple[int, int, float] | None = None
        n = len(term.key)
        for length in (n, n - 1, n + 1):
            if length < 1:
                continue
            for start in range(max(0, lo - 1), min(len(q) - length, hi) + 1):
                span_jamo = to_jamo(q[start : start + length])
                score = fuzz.ratio(term.jamo, span_jamo, score_cutoff=cutoff)
                # One typo is one letter: a different word ("우선" for "예산") is two or more.
                if (
                    score
                    and Levenshtein.distance(term.jamo, span_jamo, score_cutoff=1) <= 1
                    and (best is None or score > best[2])
                ):
                    best = (start, start + length, score)
        return best

    def _is_known(self, q: str, start: int, end: int, term_key: str) -> bool:
        """Whether the typo candidate q[start:end] (give or take a syllable at either edge) is a
        correctly spelt word other than a part of the term itself, or such a word and its particle
        ("어디가" is 어디 + 가, no typo of "어디 과")."""
        for i, j in ((start, end), (start, end - 1), (start + 1, end), (start + 1, end - 1)):
            part = q[i:j]
            if len(part) >= 2 and part not in term_key and (part in self.exact or part in self.known_words):
                return True
        return any(
            (q[start:i] in self.exact or q[start:i] in self.known_words) and particles_only(q[i:end])
            for i in range(start + 2, end)
        )


# Keyword matches of free-text records: they never hide the words inside them, so that
# "입소 순위" (a topic keyword) still counts as the cue word "순위".
SOFT_KINDS = frozenset({"topic", "fact"})
_EXACT = 0.999  # the score of a term spelt exactly as written
CUE_KINDS = frozenset({"concept", "attr"})


def covered(m: Match, spans: list[tuple[int, int]]) -> bool:
    """Whether every character of match ``m`` lies inside one of ``spans``."""
    return all(any(s <= i < e for s, e in spans) for i in range(m.start, m.end))


def _into_the_ending(q: str, start: int, end: int, boundaries: frozenset[int]) -> bool:
    """Whether a typo candidate ending at ``end`` reaches into the ending (two syllables or more)
    of the user's word it starts in: the stem is what is left once endings are taken off."""
    word_start = max((b for b in boundaries if b <= start), default=0)
    word_end = min((b for b in boundaries if b > start), default=len(q))
    stem = q[word_start:word_end]
    for _ in range(3):
        shorter = strip_ending(stem)
        if shorter == stem:
            break
        stem = shorter
    # (an ending of one syllable may be a typo's last letter: "면졉")
    return end > word_start + len(stem) and word_end - word_start - len(stem) >= 2


def _typo_within(q: str, m: Match, n: Match) -> bool:
    """Whether every letter in which the typo match ``m`` differs from its term lies inside the
    exact match ``n``."""
    ops = SequenceMatcher(None, q[m.start : m.end], key(m.text), autojunk=False).get_opcodes()
    changed = [(m.start + i1, m.start + i2) for tag, i1, i2, _, _ in ops if tag != "equal"]
    # (a letter left out falls between two: inside the name only when both sides are)
    return bool(changed) and all(
        n.start < i1 < n.end if i1 == i2 else n.start <= i1 and i2 <= n.end for i1, i2 in changed
    )


def _splits_a_word(q: str, m: Match, boundaries: frozenset[int]) -> bool:
    """Whether a term read across the user's space takes the start of the next word and leaves
    more than particles ("시험 실제로" holds no "시험실"; "신임자 과정에" holds "신임자과정")."""
    inner = sorted(b for b in boundaries if m.start < b < m.end)
    if not re.fullmatch(r"[가-힣]{2,}", q[m.start : inner[0]]):
        # ("e-러닝" is one word, typed with a hyphen; but a term that takes only the last letter
        # of the word before splits it: "확총 예산" holds no "총예산")
        return m.start > 0 and m.start not in boundaries and re.fullmatch(r"[가-힣]", q[m.start : inner[0]]) is not None
    end = min((b for b in boundaries if b >= m.end), default=len(q))
    taken = m.end - inner[-1]
    return end > m.end and taken <= end - m.end and not particles_only(q[m.end : end])


def _stretches_a_spelt_term(q: str, m: Match, boundaries: frozenset[int], spelt: list[Match]) -> bool:
    """Whether a typo reading stretches a word spelt right as the same term across the user's
    space into part of the next word ("공채 경쟁률" holds 공채, no typo of 공개경쟁 leaving 률)."""
    space = min((x for x in boundaries if m.start < x < m.end), default=-1)
    return _ends_inside_word(q, m, boundaries) and any(
        (n.kind, n.value, n.start, n.end) == (m.kind, m.value, m.start, space) for n in spelt
    )


def _takes_one_letter(q: str, m: Match, boundaries: frozenset[int]) -> bool:
    """Whether a match ends one letter into a word that goes on with more than particles."""
    return m.end - 1 in boundaries and _ends_inside_word(q, m, boundaries)


def _ends_inside_word(q: str, m: Match, boundaries: frozenset[int]) -> bool:
    """Whether the user's word goes on after a match with more than particles and an ending."""
    end = min((b for b in boundaries if b >= m.end), default=len(q))
    return end > m.end and not particles_only(q[m.end : end])


def _resolve(matches: list[Match]) -> list[Match]:
    """Drop matches strictly inside a longer (or better) match; keep equal spans of other kinds."""
    ordered = sorted(matches, key=lambda m: (-m.length, -m.score, m.kind in SOFT_KINDS, m.start))
    kept: list[Match] = []
    for m in ordered:
        shadowed = any(
            k.kind not in SOFT_KINDS
            and k.start <= m.start
            and m.end <= k.end
            # a name never hides the concept inside it ("인재개발원 어린이집" is still about the
            # daycare), but it does hide question words ("승진대상자 교육" asks no 대상)
            and not (m.kind == "concept" and k.kind not in CUE_KINDS)
            # a free-text keyword that only repeats a name or cue word adds nothing
            and (k.length > m.length or k.score > m.score or (m.kind in SOFT_KINDS and k.kind not in CUE_KINDS))
            # a typo-tolerant reading of a cue never hides a name spelt exactly ("면접마" ≈ "면접 뭐")
            and not (not k.exact and m.exact and k.kind in CUE_KINDS and m.kind not in CUE_KINDS)
            for k in kept
        )
        if shadowed:
            continue
        if any(k.kind == m.kind and k.value == m.value and k.start == m.start and k.end == m.end for k in kept):
            continue
        kept.append(m)
    return sorted(kept, key=lambda m: (m.start, -m.length))
