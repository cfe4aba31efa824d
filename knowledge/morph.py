"""Korean morphological analysis (MeCab with mecab-ko-dic) aligned to the matching key.

The matcher works on a spacing-free key (``normalize.key``); the coverage gate needs to know which
*content words* of a question (nouns, roots, foreign words) nothing accounts for. MeCab splits a
question into morphemes; each is mapped back to its span in the key so that it can be compared
with the spans of matched terms.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from knowledge.normalize import clean

# Parts of speech that carry what a question is about. Verbs and adjectives are left out on
# purpose: in a question they say what is asked ("있나요", "알려줘", "늘었어"), and the thing asked
# about is a noun beside them.
CONTENT_POS = frozenset({"NNG", "NNP", "SL", "XR", "UNKNOWN"})


@dataclass(frozen=True)
class Morpheme:
    surface: str
    pos: str  # first tag of a compound tag ("VV+EF" → "VV")
    start: int  # span in the key
    end: int
    dictionary: bool  # MeCab knew the word (not an unknown-word guess)
    parts: tuple[str, ...] = ()  # parts of a dictionary compound ("수강료" → 수강, 료)
    action: bool = False  # a noun of action ("도입", "해결"): a verb in a noun's clothes
    word: tuple[int, int] = (0, 0)  # span of the space-delimited word it belongs to

    @property
    def content(self) -> bool:
        # (an affix standing as a word of its own is a noun MeCab misread: "서울 비 와요")
        return self.pos in CONTENT_POS or (self.pos in ("XPN", "XSN") and self.word == (self.start, self.end))


@lru_cache(maxsize=1)
def _tagger() -> Any:
    import mecab  # python-mecab-ko; imported on first use (13 ms)

    return mecab.MeCab()


@lru_cache(maxsize=8192)
def analyse(text: str) -> tuple[Morpheme, ...]:
    """The morphemes of ``text`` with their spans in ``normalize.key(text)``."""
    cleaned = clean(text)
    compact = cleaned.replace(" ", "")
    out: list[Morpheme] = []
    cursor = 0
    words: list[tuple[int, int]] = []
    pos_in_key = 0
    for w in cleaned.split(" "):
        words.append((pos_in_key, pos_in_key + len(w)))
        pos_in_key += len(w)
    starts = [w[0] for w in words]
    for token in _tagger().parse(cleaned):
        surface = token.surface.replace(" ", "")
        if not surface:
            continue
        idx = compact.find(surface, cursor)
        if idx < 0:
            continue
        cursor = idx + len(surface)
        feature = token.feature
        pos = (feature.pos or "UNKNOWN").split("+")[0]
        parts: tuple[str, ...] = ()
        if feature.type == "Compound" and feature.expression:
            parts = tuple(p.split("/")[0] for p in feature.expression.split("+"))
        word = words[bisect.bisect_right(starts, idx) - 1] if words else (idx, cursor)
        out.append(
            Morpheme(surface, pos, idx, cursor, feature.pos != "UNKNOWN", parts, feature.semantic == "행위", word)
        )
    # A noun made a verb ("도입했어", "부담해"): it says what is asked, like any verb.
    for i, m in enumerate(out[:-1]):
        after = out[i + 1]
        if after.pos in ("XSV", "XSA") and after.word == m.word and not m.action:
            out[i] = replace(m, action=True)
        if m.pos == "XR" and after.pos == "XSA" and after.word == m.word and m.word != out[-1].word:
            # a root made an adjective that describes something named ("빽빽하다는 민원"): it
            # describes, like any adjective; as the question's own predicate ("깨끗해요?") it
            # asks a property, which the report must give
            out[i] = replace(m, pos="VA", action=True)
    return tuple(out)


def vocabulary(texts: list[str]) -> frozenset[str]:
    """The content words (two letters or more) of ``texts``, as matching keys."""
    words: set[str] = set()
    for text in texts:
        words |= {clean(w).replace(" ", "") for w in nouns(text)}
    return frozenset(w for w in words if len(w) >= 2)


def nouns(text: str) -> set[str]:
    """Content words of ``text`` (for building the report's vocabulary)."""
    found: set[str] = set()
    for m in analyse(text):
        if m.content:
            found.add(m.surface)
            found.update(p for p in m.parts if len(p) >= 2)
    return found
