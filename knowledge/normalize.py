"""Korean text normalisation for matching.

Users type with spacing errors, typos, casual endings and abbreviations. Matching therefore works
on a *key*: NFKC, case-folded, punctuation and spaces removed, abbreviations expanded; and for
fuzzy comparison on its *jamo* form, where each Hangul syllable is decomposed into its letters so
that a one-letter typo (어린이짚 → 어린이집) costs one edit instead of a whole syllable.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HANGUL_BASE, _HANGUL_LAST = 0xAC00, 0xD7A3
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = (
    "",
    "ㄱ",
    "ㄲ",
    "ㄳ",
    "ㄴ",
    "ㄵ",
    "ㄶ",
    "ㄷ",
    "ㄹ",
    "ㄺ",
    "ㄻ",
    "ㄼ",
    "ㄽ",
    "ㄾ",
    "ㄿ",
    "ㅀ",
    "ㅁ",
    "ㅂ",
    "ㅄ",
    "ㅅ",
    "ㅆ",
    "ㅇ",
    "ㅈ",
    "ㅊ",
    "ㅋ",
    "ㅌ",
    "ㅍ",
    "ㅎ",
)

# Everything that is not a letter or digit separates words (keeps Hangul, Latin, digits, '~').
_NON_WORD = re.compile(r"[^\w~·]+", re.UNICODE)
_SPACES = re.compile(r"\s+")

# Trailing particles and endings that do not change what is asked, longest first. Stripped from
# the end of each word for the residual-word analysis (never from entity names themselves).
ENDINGS: tuple[str, ...] = tuple(
    sorted(
        {
            "인가요",
            "인가여",
            "인가",
            "인데요",
            "이에요",
            "이예요",
            "예요",
            "에요",
            "입니까",
            "입니다",
            "이죠",
            "이지요",
            "나요",
            "까요",
            "가요",
            "세요",
            "해요",
            "해여",
            "했어요",
            "돼요",
            "되나요",
            "되요",
            "할까요",
            "있나요",
            "있어요",
            "있음",
            "없나요",
            "인지",
            "언제야",
            "언제임",
            "이야",
            "이냐",
            "냐",
            "니",
            "임",
            "음",
            "었음",
            "았음",
            "였음",
            "했음",
            "함",
            "됨",
            "슴",
            "요",
            "여",
            "죠",
            "지",
            "야",
            "에서는",
            "에서",
            "에게",
            "한테",
            "으로",
            "로",
            "부터",
            "까지",
            "이랑",
            "랑",
            "하고",
            "와",
            "과",
            "은",
            "는",
            "이",
            "가",
            "을",
            "를",
            "에",
            "엔",  # 에는, said short ("상반기엔")
            "의",
            "도",
            "만",
            "좀",
        },
        key=len,
        reverse=True,
    )
)


@lru_cache(maxsize=65536)
def to_jamo(text: str) -> str:
    """Decompose Hangul syllables into compatibility jamo; other characters pass through."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        if _HANGUL_BASE <= code <= _HANGUL_LAST:
            index = code - _HANGUL_BASE
            out.append(_CHO[index // 588])
            out.append(_JUNG[(index % 588) // 28])
            jong = _JONG[index % 28]
            if jong:
                out.append(jong)
        else:
            out.append(ch)
    return "".join(out)


def clean(text: str) -> str:
    """NFKC, case-fold, control characters and punctuation to single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    # the percent sign is a word ("몇%로" asks a percentage), not punctuation to drop
    text = text.replace("%", " 퍼센트 ")
    # control and format characters are no word characters: _NON_WORD turns them into spaces
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def key(text: str) -> str:
    """Spacing-insensitive matching key: cleaned text with spaces removed."""
    return clean(text).replace(" ", "")


def words(text: str) -> list[str]:
    return clean(text).split()


_ENDING_SET = frozenset(ENDINGS)
_ENDING_LENGTHS = sorted({len(e) for e in ENDINGS}, reverse=True)


# Particles whose form follows a final consonant: after a syllable that ends in a vowel they are
# 가, 를, 는, 와, 로, so "나이" is one noun, not 나 + 이.
_AFTER_CONSONANT = frozenset({"이", "을", "은", "과"})


def _ends_in_vowel(syllable: str) -> bool:
    code = ord(syllable) - _HANGUL_BASE
    return 0 <= code <= _HANGUL_LAST - _HANGUL_BASE and code % 28 == 0


def fits_particle(stem: str, particle: str) -> bool:
    """Whether ``particle`` may follow ``stem`` (not 이, 을, 은, 과 or a form in 으 after a vowel)."""
    return bool(stem) and not ((particle in _AFTER_CONSONANT or particle.startswith("으")) and _ends_in_vowel(stem[-1]))


def strip_ending(word: str) -> str:
    """Remove one trailing particle/ending (the longest) if something meaningful remains."""
    for n in _ENDING_LENGTHS:
        if len(word) > n and word[-n:] in _ENDING_SET:
            if not fits_particle(word[:-n], word[-n:]):
                continue
            return word[:-n]
    return word


def _without_final_n(syllable: str) -> str | None:
    """The syllable without its final ㄴ ("핸" → "해"), or None when it ends in no ㄴ."""
    code = ord(syllable) - _HANGUL_BASE
    return chr(ord(syllable) - 4) if 0 <= code <= _HANGUL_LAST - _HANGUL_BASE and code % 28 == 4 else None


def topic_stem(word: str) -> str:
    """A word that ends in a vowel with the topic particle run into it ("올핸" = 올해 + 는,
    "거긴" = 거기 + 는), else ``word``."""
    bare = _without_final_n(word[-1]) if len(word) >= 2 else None
    return word[:-1] + bare if bare else word


def copula_stem(word: str) -> str:
    """A noun that ends in a vowel with the copula run into it ("얘긴데" = 얘기 + 인데, "어딘데"
    = 어디 + 인데), else ``word``."""
    for tail in ("데요", "데"):
        if len(word) > len(tail) + 1 and word.endswith(tail):
            stem = word[: -len(tail)]
            # (not the copula written out: "과정인데")
            if stem[-1] != "인" and (bare := _without_final_n(stem[-1])):
                return stem[:-1] + bare
    return word


def is_hangul(ch: str) -> bool:
    return _HANGUL_BASE <= ord(ch) <= _HANGUL_LAST


def is_ending(text: str) -> bool:
    """Whether ``text`` is made only of listed particles and endings ("이에요", "은요")."""
    for _ in range(4):
        if not text:
            return True
        stripped = strip_ending(text)
        if stripped == text:
            return text in _ENDING_SET
        text = stripped
    return False


# Particles a noun takes ("폰으로도", "감소율까지"), longest first.
PARTICLES: tuple[str, ...] = tuple(
    sorted(
        [
            "이나",
            "나",
            "이랑",
            "랑",
            "하고",
            "와",
            "과",
            "으로",
            "로",
            "에서",
            "에게",
            "한테",
            "께",
            "에",
            "의",
            "을",
            "를",
            "은",
            "는",
            "이",
            "가",
            "도",
            "만",
            "까지",
            "부터",
            "처럼",
            "보다",
            "마다",
            "요",
            "이요",
        ],
        key=len,
        reverse=True,
    )
)
# the copula with its ending ("소관인가요", "대상인데요", "전문가였어요")
_COPULA = re.compile(
    r"^(?:인가요?|인가|인데요?|인지|인지요|였어요?|이었어요?|였나요?|이었나요?|였죠|이었죠|예요|이에요|일까요?|"
    # the copula run into a noun that ends in a vowel ("몇 개고" = 개이고, "뭐야", "몇 개임")
    r"(?:이)?(?:고요?|지만|라서|라고|야|냐|임|죠|지요))$"
)
# A noun made a verb ("감소했는지", "증가된"): the noun is still the word.
_LIGHT_VERB = ("하", "했", "해", "함", "되", "된", "됐", "됩", "됨", "돼")


def without_particles(word: str) -> list[str]:
    """``word`` with one, two or three trailing particles taken off ("상반기에는" → 상반기에,
    상반기), longest first; every candidate keeps at least two letters."""
    out: list[str] = []
    for _ in range(3):
        p = next((p for p in PARTICLES if word.endswith(p) and len(word) - len(p) >= 2), "")
        if not p:
            break
        word = word[: -len(p)]
        out.append(word)
    return out


def particle_stems(word: str) -> list[str]:
    """What is left of ``word`` with one particle that fits it taken off, a stem of one letter
    too ("수랑" → 수; "나이" is no 나 + 이)."""
    return [word[: -len(p)] for p in PARTICLES if word.endswith(p) and fits_particle(word[: -len(p)], p)]


def particles_only(rest: str) -> bool:
    """Whether what follows a noun is only particles and an ending, or makes it a verb
    ("으로도", "까지", "했는지")."""
    if rest.startswith(_LIGHT_VERB) or _COPULA.match(rest):
        return True
    for _ in range(3):
        p = next((p for p in PARTICLES if rest.startswith(p)), "")
        if not p:
            break
        rest = rest[len(p) :]
    return is_ending(rest)
