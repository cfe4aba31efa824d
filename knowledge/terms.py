"""What the matcher and the coverage gate know, built from the database once per knowledge load:
the terms that name records (with shorter names derived from long official ones), the words of the
knowledge and the years it mentions."""

from __future__ import annotations

import re

from sqlite_utils import Database

from db import knowledge as kdb
from knowledge import morph
from knowledge.matcher import Term, make_term
from knowledge.normalize import clean, key, strip_ending

_WORD_RE = re.compile(r"[가-힣A-Za-z0-9]{2,}")
_NAME_SPLIT = re.compile(r"[\s·,/()\[\]{}<>「」『』“”\"'’‘~\-]+|및")
_COHORT_NAME = re.compile(r"^(제)?\d+(기|회|차|년|월|일|주|명|개)?$")


def name_variants(name: str, generic: frozenset[str] = frozenset()) -> list[str]:
    """Shorter names a user may use for a long official name: its words, adjacent word pairs
    and the tails of long compound words ("교육생급식지원" → "급식지원")."""
    words = [w for w in _NAME_SPLIT.split(name) if w]
    out: list[str] = []
    if "(" in name and len(words) == 2:
        out.append(words[1] + words[0])  # its bracketed qualifier said first ("메트로폴리스 교통과정")
    for i, word in enumerate(words):
        out.append(word)
        if len(word) >= 4 and word.endswith("시"):
            out.append(word[:-1])  # a city said without its suffix ("키예프시" → "키예프")
        # (not with a word that only counts or lists: "교육 (총 40회)" holds no name "교육총")
        lone = any(w in ("총", "등", "외", "각") for w in words[i : i + 2])
        if i + 1 < len(words) and not lone:
            out.append(word + words[i + 1])
            if re.match(r"제\d", word):  # "제2회 공개경쟁" is also said "2회 공개경쟁"
                out.append(word[1:] + words[i + 1])
        hangul = sum(1 for ch in word if "가" <= ch <= "힣")
        if hangul >= 5:
            out += [word[j:] for j in range(1, len(word) - 2)]
    return [
        v
        for v in dict.fromkeys(out)
        if (len(v) >= 3 or (v.isascii() and len(v) >= 3)) and key(v) not in generic and not _COHORT_NAME.match(v)
    ]


def _ends_in_a_noun(word: str) -> bool:
    """Whether a shorter name ends as a name does, not in a noun made a verb or an adjective
    ("가능한" of "바로 적용 가능한 보고서 1일 특강" is no name of it). (MeCab misreads a lone
    noun now and then, "보고서" as 보 + 고서, so only this suffix, which it reads reliably, counts.)"""
    parts = morph.analyse(word)
    # (nor a word for the people a record serves: "교육생" of "장애인 교육생 편의시설 개선")
    people = len(parts) == 2 and parts[-1].pos == "XSN" and parts[-1].surface in ("생", "자")
    return not parts or not (parts[-1].pos.startswith(("XSA", "XSV")) or people)


def entity_terms(
    db: Database,
    reserved: frozenset[str] = frozenset(),
    *,
    variant_weight: float = 0.9,
    generic_records: int = 8,
    heads: tuple[str, ...] = (),
) -> list[Term]:
    """Every name and alias of every record the bot can talk about, as matchable terms.

    Besides the written names and aliases, shorter names derived from long official names are
    added when they name exactly one record and are not a word of the vocabulary (``reserved``);
    so is a course's name or alias without the word for a course it ends in (``heads``:
    "퇴직준비교육" → "퇴직준비", said of its "2주 과정" too).
    """
    terms: list[Term | None] = []
    records: list[tuple[str, str, str, tuple[str, ...]]] = []  # kind, value, name, aliases
    for kind, rows in kdb.named_records(db):
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
        if kind == "program":
            for written_name in (name, *aliases):
                k = key(written_name)
                for head in (key(h) for h in heads):
                    if head and k.endswith(head) and len(k) - len(head) >= 3:
                        derived.setdefault(k[: -len(head)], set()).add((kind, value))
    texts = [key(t) for t in kdb.record_texts(db).values()]
    # records of one kind whose names differ only in their punctuation
    by_name: dict[tuple[str, str], str] = {}
    one_of: dict[tuple[str, str], str] = {}  # a record → the first of its kind with its name
    for kind, value, name, _ in records:
        bare = re.sub(r"[^가-힣A-Za-z0-9]", "", name)
        one_of[(kind, value)] = by_name.setdefault((kind, bare), value)
    # (a half of the year is a word of the vocabulary too: "하반기 과정" names no one cohort)
    common = reserved | {"상반기", "하반기"}
    for variant_key, owners in derived.items():
        # a cohort named as its program ("2018 국제연수정책포럼" 제1기) is no second owner
        programs = {v for k, v in owners if k == "program"}
        owners = {(k, v) for k, v in owners if not (k == "session" and v.split("|", 1)[0] in programs)}
        # one business in two tables ("인재원청사 보수·보강" in the 세출 table and the section's
        # own) is still one owner: its shorter names name both
        same = len({(k, one_of.get((k, v), v)) for k, v in owners}) == 1
        # a word many records use ("운영", "기본경비") names none of them on its own
        if (
            (len(owners) == 1 or same)
            and variant_key not in reserved
            # (nor two words of the vocabulary side by side: "보수공사" of "옥상 방수 보수 공사"
            # names a kind of works, not that one)
            and not any(variant_key[:i] in common and variant_key[i:] in common for i in range(2, len(variant_key) - 1))
            and variant_key not in written
            and not variant_key.endswith("등")  # ("전문경력관등": a list's "etc." ends no name)
            and sum(variant_key in t for t in texts) < generic_records
            and _ends_in_a_noun(variant_key)
        ):
            for kind, value in sorted(owners):
                terms.append(make_term(kind, value, variant_key, variant_weight))
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
    return [t for t in terms if t is not None and t.key]


def word_forms(db: Database) -> tuple[set[str], set[int]]:
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
