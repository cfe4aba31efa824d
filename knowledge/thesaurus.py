"""Everyday words for the report's own words, read before anything else.

The report is a closed world: its vocabulary is the only one the coverage gate accepts. People
ask in their own words ("동네" for 지역, "인강" for 이러닝), and a word the report never uses makes
the bot say it does not know. ``thesaurus.yaml`` maps such everyday words onto the report's word
they mean; ``Thesaurus.rewrite`` puts the report's word in their place, so every later stage
(matching, the gate, retrieval) sees the report's vocabulary. A word that means something the report
does not have (수강료, 엘리베이터) has no entry, and is still declined.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from knowledge import morph
from knowledge.normalize import clean, particles_only, strip_ending
from knowledge.yamlio import KnowledgeYamlError, read_yaml

THESAURUS_FILE = Path(__file__).resolve().parent / "thesaurus.yaml"
_TOKEN = re.compile(r"[\w~·]+", re.UNICODE)


class ThesaurusError(ValueError):
    """A thesaurus file that cannot be used, with the reason."""


def load_thesaurus(path: Path | None = None) -> dict[str, list[str]]:
    """``{report word: [everyday words]}``; a clear ``ThesaurusError`` for a malformed file."""
    path = path or THESAURUS_FILE
    try:
        # the knowledge files' reader: a key written twice is an error, not a silent overwrite
        data: Any = read_yaml(path)
    except OSError as exc:
        raise ThesaurusError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except KnowledgeYamlError as exc:
        raise ThesaurusError(f"{path}: not valid YAML (line {exc.line}: {exc.message})") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ThesaurusError(f"{path}: expected a mapping of report words to lists of everyday words")
    out: dict[str, list[str]] = {}
    for word, synonyms in data.items():
        if not isinstance(word, str) or not clean(word):
            raise ThesaurusError(f"{path}: a key is not a word: {word!r}")
        if not isinstance(synonyms, list) or not all(isinstance(s, str) and clean(s) for s in synonyms):
            raise ThesaurusError(f"{path}: '{word}' must map to a list of words, got {synonyms!r}")
        out[word] = synonyms
    return out


_NOUNS = frozenset({"NNG", "NNP"})
# what an abbreviation may read as to be no word of the language: names and bound nouns, or
# nouns glued to affixes ("역평" is a place name to MeCab, "최합" 최+합), never a verb or ending
_NO_WORD = frozenset({"NNP", "NNG", "NR", "NNB", "NNBC", "XPN", "XSN"})


def abbreviations(words: Iterable[str]) -> dict[str, list[str]]:
    """People shorten a compound of the report to the first syllable of each of its nouns
    (역량평가 → 역평, 최종합격 → 최합): ``{compound: [its abbreviation]}`` for the compounds of two or
    three nouns among ``words``, in the thesaurus's shape. An abbreviation two compounds share, or
    one the language already has as a word ("행운" of 행정운영, "보기"), is left out."""
    found: dict[str, set[str]] = {}
    for word in {w.strip() for w in words}:
        if not re.fullmatch(r"[가-힣]{4,8}", word):
            continue
        read = morph.analyse(word)
        parts = [m.surface for m in read]
        if not (
            2 <= len(parts) <= 3
            and all(m.pos in _NOUNS for m in read)
            and all(len(p) >= 2 for p in parts[:-1])
            and (len(parts) == 3 or len(parts[-1]) >= 2)
        ):
            continue
        found.setdefault("".join(p[0] for p in parts), set()).add(word)
    out: dict[str, list[str]] = {}
    for short, targets in found.items():
        read = morph.analyse(short)
        if len(targets) == 1 and all(m.pos in _NO_WORD for m in read) and not (len(read) == 1 and read[0].pos == "NNG"):
            out.setdefault(next(iter(targets)), []).append(short)
    return out


def _a_word_then_a_particle(word: str, n: int) -> bool:
    """Whether the analyser reads ``word[:n]`` as a noun of its own followed by a particle, in a
    word typed without spaces ("폰으로도돼": 폰 + 으로도 …; not "애로사항", one noun 애로)."""
    read = morph.analyse(word)
    return any(
        m.end == n and m.start == 0 and m.pos.startswith("NN") and i + 1 < len(read) and read[i + 1].pos.startswith("J")
        for i, m in enumerate(read)
    )


class Thesaurus:
    """Everyday word → the report's word, for words the report itself does not use."""

    def __init__(self, entries: dict[str, list[str]], known: frozenset[str]) -> None:
        """``known``: words (matching keys) the bot already understands; they are never rewritten,
        and a report word nothing knows is no target."""
        self.single: dict[str, str] = {}
        phrases: dict[str, str] = {}
        for target, synonyms in entries.items():
            canonical = clean(target)
            for synonym in synonyms:
                form = clean(synonym)
                if form.replace(" ", "") in known or form == canonical:
                    continue
                if " " in form:
                    phrases.setdefault(form, canonical)
                else:
                    self.single.setdefault(form, canonical)
        self.known = known
        self.phrases = sorted(phrases.items(), key=lambda kv: -len(kv[0]))
        self._phrase_rx = (
            re.compile(
                r"(?<![\w~·])(?:"
                + "|".join(r"\s*".join(re.escape(w) for w in p.split(" ")) for p, _ in self.phrases)
                + ")"
            )
            if self.phrases
            else None
        )
        self._longest = max((len(w) for w in self.single), default=0)

    def __len__(self) -> int:
        return len(self.single) + len(self.phrases)

    def rewrite(self, text: str) -> str:
        """``text`` with everyday words replaced by the report's words (the rest unchanged)."""
        if not self.single and self._phrase_rx is None:
            return text
        folded = unicodedata.normalize("NFKC", text).casefold()
        if self._phrase_rx is not None:
            folded = self._phrase_rx.sub(self._phrase_target, folded)
        rewritten = _TOKEN.sub(self._word_target, folded)
        return rewritten if rewritten != unicodedata.normalize("NFKC", text).casefold() else text

    def _phrase_target(self, m: re.Match[str]) -> str:
        found = re.sub(r"\s+", "", m.group(0))
        return next((t for p, t in self.phrases if p.replace(" ", "") == found), m.group(0))

    def _word_target(self, m: re.Match[str]) -> str:
        word = m.group(0)
        if word in self.single:  # a form listed as it is ("담엔"), though its stem is a word of the report
            return self.single[word]
        if word in self.known or strip_ending(word) in self.known:
            return word
        for n in range(min(len(word), self._longest), 0, -1):
            target = self.single.get(word[:n])
            if target is not None and (particles_only(word[n:]) or _a_word_then_a_particle(word, n)):
                return target + word[n:]
        return word
