"""The shipped knowledge files speak to users politely and never leak editor bookkeeping.

Every text field that can reach a user (every ``Str`` field of the schema except ``editor_note``,
``source`` and ``id``; ``Ref`` and ``Enum`` fields hold ids and codes, not text) is checked:

* no plain -다 sentence ending ("…적혀 있다.", "…다르다 (…)"); polite endings are 니다 / 요, and
  noun-phrase list items ("상반기 1회 84명 교육 실시") are fine;
* no clipped editor endings ("일자 미기재", "교육 일자 없음.", "잘못 표기됨");
* no record ids of the knowledge (``exp-newcomer``, ``sec-lms`` …) and no ``.yaml`` file names.

Notes for data editors belong in ``editor_note``, which the bot never shows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from db import knowledge as kdb
from knowledge.loader import DATA_DIR, iter_files
from knowledge.schema import COUNTS, FILES, ListOf, Rec, Spec, Str
from knowledge.yamlio import read_yaml

HIDDEN_FIELDS = {"editor_note", "source", "id"}

# A plain -다 ending: 다 not preceded by 니 (합니다, 입니다, 습니다), followed by the end of a
# sentence: a full stop, a closing bracket or quote, the end of the text, or a following
# parenthesis / dash that starts a remark ("…다르다 (sec-…)").
PLAIN_DA = re.compile(r"(?<!니)다(?=\s*(?:[.)」\"'”’]|$|\(|—|;))")
# Clipped endings of notes written for editors.
CLIPPED = re.compile(r"(?:미기재|없음|있음|표기됨|적음|않음)(?=\s*(?:[.)」(]|$|;))")
YAML_NAME = re.compile(r"[\w-]+\.ya?ml\b", re.IGNORECASE)


def user_strings(spec: Spec, value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field path, text) of every user-visible string in ``value`` described by ``spec``."""
    if isinstance(spec, Rec) and isinstance(value, dict):
        for name, sub in spec.fields.items():
            if name not in HIDDEN_FIELDS and name in value:
                yield from user_strings(sub, value[name], f"{path}.{name}")
    elif isinstance(spec, ListOf) and isinstance(value, list):
        for i, item in enumerate(value):
            yield from user_strings(spec.item, item, f"{path}[{i}]")
    elif type(spec) is Str and isinstance(value, str):
        yield path, value


def shipped(data_dir: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for path in iter_files(data_dir):
        out += user_strings(FILES[path.name], read_yaml(path), path.name)
    return out


def record_ids(data_dir: Path) -> set[str]:
    """Every hyphenated id in the files (single words like 'first' are also ordinary English)."""
    ids: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            rid = value.get("id")
            if isinstance(rid, str) and "-" in rid:
                ids.add(rid)
            for sub in value.values():
                walk(sub)
        elif isinstance(value, list):
            for sub in value:
                walk(sub)

    for path in iter_files(data_dir):
        walk(read_yaml(path))
    return ids


def problems(texts: list[tuple[str, str]], ids: set[str]) -> list[str]:
    id_pattern = (
        re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(ids, key=len, reverse=True))) + r")(?![\w-])")
        if ids
        else None
    )
    found = []
    for where, text in texts:
        for pattern, what in (
            (PLAIN_DA, "plain -다 ending"),
            (CLIPPED, "clipped editor ending"),
            (YAML_NAME, "file name"),
            (id_pattern, "record id"),
        ):
            hit = pattern.search(text) if pattern else None
            if hit:
                found.append(f"{where}: {what} at {text[max(0, hit.start() - 20) : hit.end() + 5]!r}")
    return found


def test_shipped_user_text_is_polite_and_clean():
    texts = shipped(DATA_DIR)
    assert len(texts) > 500  # the walk reached the files
    found = problems(texts, record_ids(DATA_DIR))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("보고서에 설명은 없다.", True),
        ("기수 번호가 다른 체계로 적혀 있다", True),
        ("이 표(772,045)와 다르다 (sec-elearning-ops 참고).", True),
        ("답했다.", True),
        ("2주 운영. 일자 미기재", True),
        ("보고서에 교육 일자 없음.", True),
        ("세출예산 표의 줄(exp-newcomer)과 같습니다.", True),
        ("상세는 elearning.yaml 에 있습니다.", True),
        ("날짜는 업무보고에 나와 있지 않습니다.", False),
        ("업무보고의 다른 부분에는 6,200명으로 나와 있어요.", False),
        ("상반기 1회 84명 교육 실시", False),
        ("다양한 방법으로 평가를 실시하고 있습니다.", False),
        ("e-러닝 (인재개발원 홈페이지 hrd.seoul.go.kr 접속, 자기주도 자율학습, 상시)", False),
    ],
)
def test_the_check_itself(text, bad):
    assert bool(problems([("x", text)], {"exp-newcomer", "sec-elearning-ops"})) is bad


def all_specs(spec: Spec) -> Iterator[Rec]:
    if isinstance(spec, Rec):
        yield spec
        for sub in spec.fields.values():
            yield from all_specs(sub)
    elif isinstance(spec, ListOf):
        yield from all_specs(spec.item)


def test_every_record_may_carry_an_editor_note():
    """Except a plan row's yearly figures, which reach the bot as a plain mapping."""
    records = [r for spec in FILES.values() for sub in spec.fields.values() for r in all_specs(sub) if r is not COUNTS]
    assert len(records) > 15
    assert all("editor_note" in r.fields for r in records)


def editor_notes(data_dir: Path) -> list[str]:
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("editor_note"), str):
                found.append(value["editor_note"])
            for sub in value.values():
                walk(sub)
        elif isinstance(value, list):
            for sub in value:
                walk(sub)

    for path in iter_files(data_dir):
        walk(read_yaml(path))
    return found


def test_editor_notes_never_reach_what_the_bot_reads(db):
    """The dataclasses the answers are built from have no editor_note, and no field of any record
    read back from the loaded database carries an editor note's text."""
    classes = [c for c in vars(kdb).values() if dataclasses.is_dataclass(c) and c.__module__ == kdb.__name__]
    assert len(classes) > 10
    assert not [c.__name__ for c in classes if "editor_note" in {f.name for f in dataclasses.fields(c)}]
    notes = set(editor_notes(DATA_DIR))
    assert len(notes) > 50

    def values(obj: Any) -> Iterator[str]:
        if isinstance(obj, str):
            yield obj
        elif dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                yield from values(getattr(obj, f.name))
        elif isinstance(obj, (list, tuple)):
            for x in obj:
                yield from values(x)
        elif isinstance(obj, dict):
            for x in obj.values():
                yield from values(x)

    records: list[Any] = []
    for query in (
        kdb.programs,
        kdb.rounds,
        kdb.departments,
        kdb.buildings,
        kdb.amenities,
        kdb.works,
        kdb.priorities,
        kdb.budget_lines,
        kdb.plan_rows,
        kdb.assessments,
        kdb.topics,
        kdb.expert_categories,
        kdb.categories,
        kdb.facts,
        kdb.events,
    ):
        records += query(db)
    records += [s for p in kdb.programs(db) for s in kdb.sessions_of(db, p.id)]
    shown = {v for r in records for v in values(r)}
    assert len(shown) > 500
    assert not notes & shown, sorted(notes & shown)
