"""Editing the knowledge files from the console, safely.

A record's form is generated from ``knowledge.schema``. An edit is applied to the YAML text with
ruamel.yaml's round-trip mode (comments, key order and quoting kept), the whole file set is
validated in a temporary copy with ``knowledge.loader.validate`` (the words ``hrdbot load``
uses), and only then is the real file replaced atomically and the knowledge swapped into the
database. On any error neither the file nor the database changes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from sqlite_utils import Database

from db import console as cdb
from db import knowledge as kdb
from knowledge.loader import Knowledge, Problem, validate
from knowledge.schema import FILES, Bool, Date, Enum, Int, ListOf, Month, Num, Rec, Spec
from knowledge.store import swap_in
from knowledge.yamlio import KnowledgeYamlError, read_yaml

LONG_TEXT = 60
ORIGINAL_AUTHOR = "원본 파일"


class EditError(Exception):
    """An edit that cannot be applied (unknown file, record or field; a stale form)."""


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


# --- where the files are ---------------------------------------------------------------------


def knowledge_dir(db: Database, configured: Path | None) -> tuple[Path | None, str]:
    """The directory the console edits, and why: ``--knowledge-dir`` when given, else the
    directory the database was loaded from when it is writable; None when there is none."""
    if configured is not None:
        return configured, "--knowledge-dir"
    loaded = kdb.knowledge_meta(db).get("loaded_from")
    if loaded and Path(loaded).is_dir() and os.access(loaded, os.W_OK):
        return Path(loaded), "the directory the database was loaded from"
    return None, (
        f"the database was loaded from {loaded or '(unknown)'}, which is not a "
        "writable directory; start the console with --knowledge-dir DIR"
    )


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- listing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    key: str
    index: int | None  # None: a single-record section
    label: str
    detail: str


@dataclass(frozen=True)
class FileView:
    name: str
    records: list[RecordRow]
    error: str | None = None
    lists: tuple[str, ...] = ()  # keys of record lists a new record can be added to


_cache: dict[Path, tuple[tuple[int, int], Any]] = {}


def _parsed(path: Path) -> Any:
    """The file parsed by the loader's fast reader, cached by modification time and size."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    hit = _cache.get(path)
    if hit and hit[0] == stamp:
        return hit[1]
    data = read_yaml(path)
    _cache[path] = (stamp, data)
    return data


def _label(item: Any, index: int) -> tuple[str, str]:
    if not isinstance(item, dict):
        return f"#{index + 1}", ""
    ident = item.get("id", item.get("rank", item.get("round", f"#{index + 1}")))
    name = item.get("name") or item.get("title") or item.get("group") or item.get("type") or ""
    extra = " ".join(str(item[k]) for k in ("start", "end") if item.get(k))
    return str(ident), " ".join(p for p in (str(name), extra) if p)


def list_files(directory: Path) -> list[FileView]:
    out = []
    for name, spec in FILES.items():
        path = directory / name
        try:
            data = _parsed(path)
        except (OSError, KnowledgeYamlError) as exc:
            out.append(FileView(name, [], f"읽을 수 없어요: {exc}"))
            continue
        rows: list[RecordRow] = []
        for key, sub in spec.fields.items():
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(sub, ListOf) and isinstance(sub.item, Rec):
                for i, item in enumerate(value or []):
                    label, detail = _label(item, i)
                    rows.append(RecordRow(key, i, label, detail))
            elif value is not None:
                rows.append(RecordRow(key, None, key, ""))
        lists = tuple(k for k, sub in spec.fields.items() if isinstance(sub, ListOf) and isinstance(sub.item, Rec))
        out.append(FileView(name, rows, None, lists))
    return out


def alias_targets(directory: Path) -> list[tuple[str, str, str]]:
    """(value for the form, group label, record label) of every record that has aliases or
    keywords, for "이 질문을 ○○ 항목의 표현으로 추가"."""
    out = []
    for name, spec in FILES.items():
        try:
            data = _parsed(directory / name)
        except (OSError, KnowledgeYamlError):
            continue
        for key, sub in spec.fields.items():
            if not (isinstance(sub, ListOf) and isinstance(sub.item, Rec) and sub.item.kind):
                continue
            word_field = _word_field(sub.item)
            if word_field is None:
                continue
            for i, item in enumerate((data or {}).get(key) or []):
                label, detail = _label(item, i)
                out.append((f"{name}|{key}|{i}", f"{name} · {key}", f"{label} {detail}".strip()))
    return out


def _word_field(spec: Rec) -> str | None:
    for name in ("aliases", "keywords"):
        if isinstance(spec.fields.get(name), ListOf):
            return name
    return None


# --- the form --------------------------------------------------------------------------------


@dataclass
class FieldView:
    name: str
    widget: str  # text, textarea, number, decimal, date, month, select, bool, list, readonly
    value: str
    required: bool
    doc: str
    choices: tuple[str, ...] = ()
    errors: list[str] = field(default_factory=list)


def record_spec(file: str, key: str, index: int | None) -> Rec:
    spec = FILES.get(file)
    if spec is None or key not in spec.fields:
        raise EditError(f"알 수 없는 항목이에요: {file} {key}")
    sub = spec.fields[key]
    if index is None:
        if not isinstance(sub, Rec):
            raise EditError(f"{key} 는 목록이에요; 항목 번호가 필요해요")
        return sub
    if not (isinstance(sub, ListOf) and isinstance(sub.item, Rec)):
        raise EditError(f"{key} 는 목록이 아니에요")
    return sub.item


def _widget(spec: Spec, value: Any) -> str:
    if isinstance(spec, (Enum,)):
        return "select"
    if isinstance(spec, Bool):
        return "bool"
    if isinstance(spec, Int):
        return "number"
    if isinstance(spec, Num):
        return "decimal"
    if isinstance(spec, Date):
        return "date"
    if isinstance(spec, Month):
        return "month"
    if isinstance(spec, ListOf):
        return "list" if not isinstance(spec.item, Rec) else "readonly"
    if isinstance(spec, Rec):
        return "readonly"
    text = "" if value is None else str(value)
    return "textarea" if len(text) > LONG_TEXT or "\n" in text else "text"


def _show(value: Any, widget: str) -> str:
    if value is None:
        return ""
    if widget == "list":
        return "\n".join(str(v) for v in value)
    if widget == "bool":
        return "true" if value is True else "false" if value is False else str(value)
    if widget == "readonly":
        buf = io.StringIO()
        _yaml().dump(_plain(value), buf)
        return buf.getvalue()
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def load_record(directory: Path, file: str, key: str, index: int | None) -> tuple[Any, Any]:
    """(the round-trip document, the record in it)."""
    path = directory / file
    try:
        doc = _yaml().load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EditError(f"{file} 를 읽을 수 없어요: {exc.strerror}") from None
    return doc, _pick(doc, file, key, index)


def view_record(directory: Path, file: str, key: str, index: int | None) -> Any:
    """The record as the loader's fast reader parses it (cached): for showing the form."""
    try:
        data = _parsed(directory / file)
    except (OSError, KnowledgeYamlError) as exc:
        raise EditError(f"{file} 를 읽을 수 없어요: {exc}") from None
    return _pick(data, file, key, index)


def _pick(data: Any, file: str, key: str, index: int | None) -> Any:
    """The record ``key`` (or item ``index`` of the list ``key``) of a parsed file. Round-trip
    documents are dicts and lists too, so both readers share this."""
    section = data.get(key) if isinstance(data, dict) else None
    if index is None:
        record = section
    elif isinstance(section, list) and 0 <= index < len(section):
        record = section[index]
    else:
        record = None
    if not isinstance(record, dict):
        raise EditError(f"{file} 에 그 항목({key} #{index})이 없어요")
    return record


def new_record(directory: Path, file: str, key: str) -> tuple[Any, Any, int]:
    """(the round-trip document, a new empty record appended to ``key``, its index)."""
    record_spec(file, key, 0)  # raises EditError unless ``key`` is a list of records
    path = directory / file
    try:
        doc = _yaml().load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EditError(f"{file} 를 읽을 수 없어요: {exc.strerror}") from None
    section = doc.get(key) if isinstance(doc, CommentedMap) else None
    if section is None:
        section = doc[key] = CommentedSeq()
    if not isinstance(section, CommentedSeq):
        raise EditError(f"{file} 의 {key} 가 목록이 아니에요")
    record = CommentedMap()
    section.append(record)
    return doc, record, len(section) - 1


def form_fields(spec: Rec, record: Any, values: dict[str, str] | None = None) -> list[FieldView]:
    """The fields of a record's form: its current values, or ``values`` as the user typed."""
    out = []
    for name, sub in spec.fields.items():
        current = record.get(name) if record is not None else None
        widget = _widget(sub, current)
        shown = values[name] if values is not None and name in values else _show(current, widget)
        choices = sub.choices if isinstance(sub, Enum) else ()
        doc = sub.doc or ""
        if isinstance(sub, ListOf) and widget == "list":
            doc = (doc + " — 한 줄에 하나씩").strip(" —")
        out.append(FieldView(name, widget, shown, name in spec.required, doc, choices))
    return out


def _convert(spec: Spec, text: str) -> Any:
    """The typed value of a form field; what does not convert stays text so the validator
    reports it in its own words."""
    if isinstance(spec, Int):
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(spec, Num):
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                continue
        return text
    if isinstance(spec, Bool):
        return {"true": True, "false": False}.get(text.lower(), text)
    if isinstance(spec, Date):
        try:
            return dt.date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else text
        except ValueError:
            return text
    return text


def apply_form(spec: Rec, record: Any, values: dict[str, str]) -> None:
    """Write the form's values into the round-trip record, changing only what changed."""
    for name, sub in spec.fields.items():
        if name not in values or _widget(sub, record.get(name)) == "readonly":
            continue
        raw = values[name].replace("\r\n", "\n")
        if isinstance(sub, ListOf):
            items = [_convert(sub.item, line.strip()) for line in raw.split("\n") if line.strip()]
            current = record.get(name)
            if not items and name not in spec.required:
                record.pop(name, None)
            elif isinstance(current, CommentedSeq):
                if list(current) != items:
                    current[:] = items
            else:
                seq = CommentedSeq(items)
                seq.fa.set_flow_style()
                record[name] = seq
            continue
        text = raw.strip()
        if not text:
            if name in spec.required:
                record[name] = None
            else:
                record.pop(name, None)
            continue
        value = _convert(sub, text)
        current = record.get(name)
        if current is not None and _show(current, _widget(sub, current)) == str(value) and type(current) is not str:
            continue  # same value; keep its original form (folded text, quoting)
        if isinstance(current, str) and str(current) == str(value) and isinstance(value, str):
            continue
        record[name] = value


def dump(doc: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    return buf.getvalue()


def add_word(directory: Path, target: str, phrase: str) -> tuple[str, str, str]:
    """Add ``phrase`` to the aliases (or keywords) of the record named by ``target``
    ("file|key|index"); returns (file, the record's label, the new file text)."""
    try:
        file, key, index_text = target.split("|")
        index = int(index_text)
    except ValueError:
        raise EditError("고를 수 있는 항목이 아니에요") from None
    spec = record_spec(file, key, index)
    word_field = _word_field(spec)
    if word_field is None or not spec.kind:
        raise EditError("그 항목에는 표현을 더할 수 없어요")
    phrase = " ".join(phrase.split())
    if not phrase:
        raise EditError("추가할 표현이 비어 있어요")
    doc, record = load_record(directory, file, key, index)
    words = record.get(word_field)
    if isinstance(words, CommentedSeq):
        if phrase in words:
            raise EditError(f"'{phrase}' 는 이미 그 항목의 표현이에요")
        words.append(phrase)
    else:
        seq = CommentedSeq([phrase])
        seq.fa.set_flow_style()
        record[word_field] = seq
    label = str(record.get("name") or record.get("title") or record.get("id"))
    return file, label, dump(doc)


# --- validating and saving -------------------------------------------------------------------


def check(directory: Path, file: str, new_text: str) -> Knowledge:
    """Validate the whole file set with ``file`` replaced by ``new_text``, in a temporary copy;
    raises KnowledgeError. Nothing under ``directory`` is written."""
    with tempfile.TemporaryDirectory(prefix="hrdbot-console-") as tmp:
        for path in directory.glob("*.yaml"):
            shutil.copyfile(path, Path(tmp) / path.name)
        (Path(tmp) / file).write_text(new_text, encoding="utf-8")
        return validate(tmp)


def field_errors(
    problems: list[Problem], file: str, key: str, index: int | None
) -> tuple[dict[str, list[str]], list[str]]:
    """Problems split into those of one field of the record (by field name) and the rest
    (shown above the form, in full as ``hrdbot load`` prints them)."""
    prefix = f"{key}[{index}]." if index is not None else f"{key}."
    by_field: dict[str, list[str]] = {}
    rest: list[str] = []
    for p in problems:
        if p.file == file and p.path.startswith(prefix):
            name = re.split(r"[.\[]", p.path[len(prefix) :], maxsplit=1)[0]
            by_field.setdefault(name, []).append(p.message)
        else:
            rest.append(str(p))
    return by_field, rest


def diff(old: str, new: str, file: str) -> list[tuple[str, str]]:
    """Unified diff lines with their kind (add, del, hunk, ctx) for the preview."""
    out = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), f"{file} (지금)", f"{file} (저장 후)", n=2, lineterm=""
    ):
        kind = (
            "hunk"
            if line.startswith("@@")
            else "add"
            if line.startswith("+")
            else "del"
            if line.startswith("-")
            else "ctx"
        )
        out.append((kind, line))
    return out


def save(
    db: Database,
    directory: Path,
    file: str,
    new_text: str,
    *,
    author: str,
    now: dt.datetime,
    note: str,
    base_digest: str | None = None,
) -> Knowledge:
    """Validate, keep versions, replace the file atomically and load the knowledge; raises
    KnowledgeError (nothing changed) or EditError (the file changed since the form was shown)."""
    path = directory / file
    old_bytes = path.read_bytes()
    if base_digest is not None and hashlib.sha256(old_bytes).hexdigest() != base_digest:
        raise EditError(f"{file} 가 그 사이에 바뀌었어요. 다시 열어서 고쳐 주세요.")
    kb = check(directory, file, new_text)
    if not cdb.has_versions(db, file):
        cdb.add_version(db, file, old_bytes.decode("utf-8"), ORIGINAL_AUTHOR, now, "콘솔에서 처음 고치기 전의 파일")
    _write_atomically(path, new_text.encode("utf-8"))
    try:
        swap_in(db, kb, directory)
    except BaseException:
        _write_atomically(path, old_bytes)
        raise
    cdb.add_version(db, file, new_text, author, now, note)
    _cache.pop(path, None)
    return kb


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
