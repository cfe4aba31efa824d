"""Validate the knowledge files against ``knowledge.schema`` and turn them into table rows.

Run ``python -m knowledge.loader [DIR]`` to validate without touching any database.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.schema import (
    FILES,
    Bool,
    Date,
    Enum,
    Int,
    ListOf,
    Month,
    Num,
    Rec,
    Ref,
    Spec,
    Str,
    describe,
)
from knowledge.yamlio import KnowledgeYamlError, read_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field_part = f" {self.path}:" if self.path else ""
        return f"{where}:{field_part} {self.message}"


class KnowledgeError(Exception):
    """The knowledge files are invalid; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Record:
    kind: str
    data: dict[str, Any]
    file: str
    line: int
    path: str
    owner: tuple[str, str] | None = None  # (kind, id) of the enclosing record, if nested


@dataclass
class Knowledge:
    """Validated knowledge: records by kind, single-record sections, and labelled facts."""

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)
    facts: list[dict[str, Any]] = field(default_factory=list)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.records.get(kind, [])


class _Validator:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.records: list[Record] = []
        self.refs: list[tuple[Ref, str, str, int, str]] = []  # spec, value, file, line, path
        self.facts: list[tuple[dict[str, Any], str, int, str]] = []  # fact, file, line, path

    def problem(self, file: str, line: int | None, path: str, message: str) -> None:
        self.problems.append(Problem(file, line, path, message))

    def check(self, spec: Spec, value: Any, file: str, line: int, path: str) -> Any:
        """Return the cleaned value (dates as ISO text) or None after recording a problem."""
        if value is None:
            self.problem(file, line, path, f"is empty; expected {describe(spec)}")
            return None
        if isinstance(spec, Rec):
            return self._check_rec(spec, value, file, line, path)
        if isinstance(spec, ListOf):
            if not isinstance(value, list):
                self.problem(file, line, path, f"expected {describe(spec)}, got {_show(value)}")
                return None
            if len(value) < spec.min_items:
                self.problem(file, line, path, f"expected at least {spec.min_items} item(s)")
            lines = getattr(value, "item_lines", [line] * len(value))
            return [
                self.check(spec.item, item, file, item_line, f"{path}[{i}]")
                for i, (item, item_line) in enumerate(zip(value, lines, strict=True))
            ]
        if isinstance(spec, (Str, Enum, Ref)):
            if isinstance(value, (bool, dict, list)) or not isinstance(value, (str, int, float)):
                self.problem(file, line, path, f"expected {describe(spec)}, got {_show(value)}")
                return None
            text = str(value).strip()
            if not text:
                self.problem(file, line, path, f"is empty; expected {describe(spec)}")
                return None
            if isinstance(spec, Enum) and text not in spec.choices:
                self.problem(file, line, path, f"expected {describe(spec)}, got {text!r}")
                return None
            if isinstance(spec, Ref):
                self.refs.append((spec, text, file, line, path))
            return text
        if isinstance(spec, Int):
            if isinstance(value, bool) or not isinstance(value, int):
                self.problem(file, line, path, f"expected {describe(spec)}, got {_show(value)}")
                return None
            if spec.minimum is not None and value < spec.minimum:
                self.problem(file, line, path, f"expected a number ≥ {spec.minimum}, got {value}")
                return None
            return value
        if isinstance(spec, Num):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.problem(file, line, path, f"expected {describe(spec)}, got {_show(value)}")
                return None
            return value
        if isinstance(spec, Bool):
            if not isinstance(value, bool):
                self.problem(file, line, path, f"expected {describe(spec)}, got {_show(value)}")
                return None
            return value
        if isinstance(spec, Date):
            return self._check_date(value, file, line, path)
        if isinstance(spec, Month):
            text = str(value)
            if not _MONTH_RE.match(text) or not 1 <= int(text[5:]) <= 12:
                self.problem(file, line, path, f"expected {describe(spec)}, got {text!r}")
                return None
            return text
        raise TypeError(f"unknown spec {spec!r}")  # pragma: no cover - schema bug

    def _check_date(self, value: Any, file: str, line: int, path: str) -> str | None:
        text = str(value)
        if not _DATE_RE.match(text):
            self.problem(file, line, path, f"expected a date YYYY-MM-DD, got {text!r}")
            return None
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError as exc:
            self.problem(file, line, path, f"impossible date {text!r} ({exc}); expected YYYY-MM-DD")
            return None

    def _check_rec(self, spec: Rec, value: Any, file: str, line: int, path: str) -> Any:
        if not isinstance(value, dict):
            self.problem(
                file,
                line,
                path or "(top level)",
                f"expected a mapping with fields {', '.join(spec.fields)}, got {_show(value)}",
            )
            return None
        key_lines = getattr(value, "key_lines", {})
        rec_line = getattr(value, "line", line)
        clean: dict[str, Any] = {}
        for key, item in value.items():
            item_line = key_lines.get(key, rec_line)
            sub = f"{path}.{key}" if path else key
            if key not in spec.fields:
                close = difflib.get_close_matches(key, list(spec.fields), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.problem(file, item_line, sub, f"unknown field '{key}'{hint}; allowed: {', '.join(spec.fields)}")
                continue
            clean[key] = self.check(spec.fields[key], item, file, item_line, sub)
        for name in spec.required:
            if name not in value:
                self.problem(
                    file,
                    rec_line,
                    f"{path}.{name}" if path else name,
                    f"missing required field '{name}' ({describe(spec.fields[name])})",
                )
        if spec.kind and isinstance(clean.get("id"), str) and not _ID_RE.match(clean["id"]):
            self.problem(
                file,
                key_lines.get("id", rec_line),
                f"{path}.id",
                f"expected lowercase letters, digits and '-', got {clean['id']!r}",
            )
        if spec.span:
            start, end = (clean.get(spec.span[0]), clean.get(spec.span[1]))
            if start and end and end < start:
                self.problem(
                    file,
                    key_lines.get(spec.span[1], rec_line),
                    f"{path}.{spec.span[1]}",
                    f"ends ({end}) before it starts ({start}); expected a date on or after {start}",
                )
        if spec.kind:
            self.records.append(Record(spec.kind, clean, file, rec_line, path))
        elif "label" in spec.fields and "text" in spec.fields:
            self.facts.append((clean, file, rec_line, path))
        return clean


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    return f"{type(value).__name__} {value!r}"


def iter_files(directory: Path) -> Iterator[Path]:
    yield from sorted(directory.glob("*.yaml"))


def validate(directory: Path | str = DATA_DIR) -> Knowledge:
    """Validate every knowledge file in ``directory``; raise KnowledgeError listing all problems."""
    directory = Path(directory)
    v = _Validator()
    if not directory.is_dir():
        raise KnowledgeError([Problem(str(directory), None, "", "is not a directory")])
    present = {p.name: p for p in iter_files(directory)}
    for name in present:
        if name not in FILES:
            v.problem(name, None, "", f"unknown knowledge file; expected one of {', '.join(FILES)}")
    for name in FILES:
        if name not in present:
            v.problem(name, None, "", f"missing knowledge file in {directory}")
    cleaned: dict[str, dict[str, Any]] = {}
    for name, spec in FILES.items():
        if name not in present:
            continue
        try:
            data = read_yaml(present[name])
        except KnowledgeYamlError as exc:
            v.problem(name, exc.line, "", exc.message)
            continue
        if data is None:
            v.problem(name, None, "", "is empty")
            continue
        result = v.check(spec, data, name, getattr(data, "line", 1), "")
        if result is not None:
            cleaned[name] = result
    _check_ids_and_refs(v)
    if v.problems:
        raise KnowledgeError(v.problems)
    return _assemble(v, cleaned)


def _check_ids_and_refs(v: _Validator) -> None:
    seen: dict[tuple[str, str], Record] = {}
    for rec in v.records:
        rid = rec.data.get("id")
        if rid is None:
            rid = str(rec.data.get("rank")) if "rank" in rec.data else None
        if rid is None:
            continue
        key = (rec.kind, rid)
        if key in seen:
            first = seen[key]
            v.problem(
                rec.file,
                rec.line,
                f"{rec.path}.id",
                f"duplicate id '{rid}' (already used at {first.file}:{first.line}); "
                "expected an id unique among " + rec.kind,
            )
        else:
            seen[key] = rec
    ids: dict[str, set[str]] = {}
    for kind, rid in seen:
        ids.setdefault(kind, set()).add(rid)
    for spec, value, file, line, path in v.refs:
        if value not in ids.get(spec.kind, set()):
            known = sorted(ids.get(spec.kind, set()))
            close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            v.problem(
                file,
                line,
                path,
                f"refers to unknown {spec.kind} '{value}'{hint}; expected one of "
                + ", ".join(known[:12])
                + (" ..." if len(known) > 12 else ""),
            )


def _assemble(v: _Validator, cleaned: dict[str, dict[str, Any]]) -> Knowledge:
    kb = Knowledge()
    nested_parent: dict[int, tuple[str, str]] = {}
    for rec in v.records:
        kb.records.setdefault(rec.kind, []).append(rec.data)
        for sub in rec.data.get("sessions") or []:
            nested_parent[id(sub)] = (rec.kind, rec.data["id"])
    for session in kb.of("sessions"):
        owner = nested_parent.get(id(session))
        session["program_id"] = owner[1] if owner else None
    for file_name, content in cleaned.items():
        for key, value in content.items():
            spec = FILES[file_name].fields[key]
            if not (isinstance(spec, ListOf) and isinstance(spec.item, Rec) and spec.item.kind):
                kb.sections[key] = value  # top-level keys are unique across files (schema)
    owners = _fact_owners(cleaned)
    for fact, file, line, _path in v.facts:
        owner_kind, owner_id = owners.get(id(fact), ("section", file.removesuffix(".yaml")))
        kb.facts.append({**fact, "owner_kind": owner_kind, "owner_id": owner_id, "file": file, "line": line})
    return kb


def _fact_owners(cleaned: dict[str, dict[str, Any]]) -> dict[int, tuple[str, str]]:
    owners: dict[int, tuple[str, str]] = {}
    for content in cleaned.values():
        for key, value in content.items():
            items = value if isinstance(value, list) else [value]
            for item in items:
                # Only records with an id own their facts; the facts of a single-record section
                # belong to ("section", file stem), set in _assemble.
                if not isinstance(item, dict) or "id" not in item:
                    continue
                for fact in item.get("facts") or []:
                    owners[id(fact)] = (key, str(item["id"]))
    return owners


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else DATA_DIR
    try:
        kb = validate(directory)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing was loaded.", file=sys.stderr)
        return 2
    counts = ", ".join(f"{k} {len(v)}" for k, v in sorted(kb.records.items()))
    print(f"OK: {counts}, facts {len(kb.facts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
