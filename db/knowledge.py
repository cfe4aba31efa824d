"""Knowledge tables: the atomic swap on load, and the queries the bot uses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlite_utils import Database

from db.schema import AUX_KNOWLEDGE_TABLES, KNOWLEDGE_TABLES
from knowledge.loader import Knowledge

# Column names that differ from the record's field names (SQL keywords).
_COLUMN_FIELD = {"grp": "group", "tbl": "table"}
_ALIAS_FIELDS = ("aliases", "keywords")


def replace_knowledge(
    db: Database,
    kb: Knowledge,
    *,
    loaded_from: str = "",
    vocabulary: Iterable[str] = (),
    files_digest: str = "",
    shipped: bool = False,
) -> dict[str, int]:
    """Swap every knowledge table for the contents of ``kb`` in one transaction.

    Operational tables are not touched. Returns the row count per table.
    """
    counts: dict[str, int] = {}
    conn = db.conn
    with conn:
        conn.execute("SAVEPOINT knowledge_swap")
        for table in (*KNOWLEDGE_TABLES, *AUX_KNOWLEDGE_TABLES):
            conn.execute(f'DELETE FROM "{table}"')  # noqa: S608 - fixed table names
        for table, columns in KNOWLEDGE_TABLES.items():
            rows = kb.of(table)
            placeholders = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{c}"' for c in columns)
            conn.executemany(
                f'INSERT INTO "{table}" ({names}, data, source) '  # noqa: S608
                f"VALUES ({placeholders}, ?, ?)",
                [
                    (
                        *(r.get(_COLUMN_FIELD.get(c, c)) for c in columns),
                        json.dumps(r, ensure_ascii=False),
                        r.get("source"),
                    )
                    for r in rows
                ],
            )
            counts[table] = len(rows)
        conn.executemany(
            "INSERT INTO sections (key, data) VALUES (?, ?)",
            [(k, json.dumps(v, ensure_ascii=False)) for k, v in kb.sections.items()],
        )
        conn.executemany(
            "INSERT INTO facts (owner_kind, owner_id, label, text, keywords, source) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    f["owner_kind"],
                    f["owner_id"],
                    f["label"],
                    f["text"],
                    json.dumps(f.get("keywords") or [], ensure_ascii=False),
                    f.get("source"),
                )
                for f in kb.facts
            ],
        )
        alias_rows = [
            (kind, str(r["id"]), alias)
            for kind, rows in kb.records.items()
            for r in rows
            if "id" in r
            for name in _ALIAS_FIELDS
            for alias in r.get(name) or []
        ]
        conn.executemany("INSERT INTO aliases (kind, ref_id, alias) VALUES (?, ?, ?)", alias_rows)
        for r in kb.sections.get("written_exam_stats") or []:
            conn.execute(
                "INSERT INTO exam_stats (round, data, source) VALUES (?, ?, ?)",
                (r["round"], json.dumps(r, ensure_ascii=False), r.get("source")),
            )
        digest = hashlib.sha256(
            json.dumps([kb.records, kb.sections, kb.facts], ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest()
        for key, value in (
            ("knowledge_sha256", digest),
            ("loaded_from", loaded_from),
            ("files_sha256", files_digest),  # the raw files it was loaded from, to tell an upgrade
            # loaded on open from a checkout's shipped files, not by hand (``hrdbot load DIR``)
            ("loaded_shipped", "1" if shipped else ""),
            ("vocabulary", json.dumps(sorted(vocabulary), ensure_ascii=False)),
            ("loaded_at", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
        ):
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        conn.execute("RELEASE knowledge_swap")
    counts["facts"] = len(kb.facts)
    counts["aliases"] = len(alias_rows)
    return counts


def is_loaded(db: Database) -> bool:
    row = db.execute("SELECT value FROM meta WHERE key = 'knowledge_sha256'").fetchone()
    return row is not None


def vocabulary(db: Database) -> frozenset[str] | None:
    """The content words of the knowledge, as stored by the last load (None if not stored)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'vocabulary'").fetchone()
    words = json.loads(row[0]) if row else []
    return frozenset(words) if words else None


def knowledge_meta(db: Database) -> dict[str, str]:
    return {k: v for k, v in db.execute("SELECT key, value FROM meta").fetchall()}


# --- dataclasses ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    label: str
    text: str
    source: str | None = None
    keywords: tuple[str, ...] = ()
    owner_kind: str = ""
    owner_id: str = ""


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    source: str
    aliases: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True)
class Session:
    id: str
    name: str
    source: str
    program_id: str | None = None
    start: str | None = None
    end: str | None = None
    month: str | None = None
    headcount: int | None = None
    target: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    category: str
    source: str
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    summary: str | None = None
    target: str | None = None
    ranks: tuple[str, ...] = ()
    duration: str | None = None
    format: str | None = None
    sessions_planned: int | None = None
    headcount: int | None = None
    content: tuple[str, ...] = ()
    budget_line: str | None = None
    sessions: tuple[Session, ...] = ()
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class PlanRow:
    id: str
    mode: str
    area: str
    category: str
    y2017: dict[str, Any]
    y2018: dict[str, Any]
    source: str
    note: str | None = None


@dataclass(frozen=True)
class Department:
    id: str
    name: str
    headcount: int
    duties: tuple[str, ...]
    source: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Building:
    id: str
    name: str
    floors_above: int
    source: str
    aliases: tuple[str, ...] = ()
    floors_below: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Amenity:
    id: str
    name: str
    source: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    building: str | None = None
    floor: int | None = None  # 1 = ground floor, -1 = first basement


@dataclass(frozen=True)
class Work:
    id: str
    name: str
    status: str
    source: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    start: str | None = None
    end: str | None = None
    start_month: str | None = None
    end_month: str | None = None
    cost_million_krw: float | None = None
    buildings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Round:
    id: str
    name: str
    kind: str
    source: str
    aliases: tuple[str, ...] = ()
    planned: int | None = None
    hired: int | None = None
    status: str | None = None
    series: str | None = None
    exam_month: str | None = None
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Event:
    id: str
    round: str
    type: str
    start: str
    source: str
    end: str | None = None
    note: str | None = None

    @property
    def last_day(self) -> str:
        return self.end or self.start


@dataclass(frozen=True)
class ExpertCategory:
    id: str
    name: str
    planned: int
    source: str
    aliases: tuple[str, ...] = ()
    cadence: str | None = None
    rounds: str | None = None


@dataclass(frozen=True)
class ExamStats:
    round: str
    source: str
    date: str | None = None
    sites: int | None = None
    rooms: int | None = None
    applications: int | None = None
    applicants: int | None = None
    turnout_pct: float | None = None
    planned: int | None = None


@dataclass(frozen=True)
class Priority:
    rank: int
    group: str
    source: str
    detail: str | None = None
    basis: str | None = None
    keywords: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class BudgetLine:
    id: str
    name: str
    source: str
    aliases: tuple[str, ...] = ()
    table: str | None = None
    group: str | None = None
    y2017: int | None = None
    y2018: int | None = None
    change: int | None = None
    change_pct: float | None = None
    executed: int | None = None
    executed_pct: float | None = None
    spent: int | None = None
    spent_pct: float | None = None
    year_end_forecast: int | None = None
    year_end_pct: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class Assessment:
    id: str
    name: str
    source: str
    aliases: tuple[str, ...] = ()
    target: str | None = None
    rounds_planned: int | None = None
    headcount_planned: int | None = None
    competencies: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    answer: str
    source: str
    keywords: tuple[str, ...] = ()
    status: str | None = None
    finding: str | None = None


@dataclass(frozen=True)
class Section:
    """A single-record part of a file (organisation overview, site, daycare, e-learning ...)."""

    key: str
    data: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    @property
    def facts(self) -> tuple[Fact, ...]:
        return tuple(_make(Fact, f) for f in self.data.get("facts") or [])


T = TypeVar("T")


def _make(cls: type[T], data: dict[str, Any]) -> T:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in data or data[f.name] is None:
            continue
        value = data[f.name]
        if f.name == "sessions":
            value = tuple(_make(Session, s) for s in value)
        elif f.name == "facts":
            value = tuple(_make(Fact, x) for x in value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def _rows(db: Database, cls: type[T], sql: str, params: Iterable[Any] = ()) -> list[T]:
    return [_make(cls, json.loads(row[0])) for row in db.execute(sql, list(params)).fetchall()]


# --- queries ---------------------------------------------------------------------------------


def categories(db: Database) -> list[Category]:
    return _rows(db, Category, "SELECT data FROM categories ORDER BY rowid")


def programs(
    db: Database,
    *,
    category: str | None = None,
    parent: str | None = None,
    top_level: bool = False,
    limit: int | None = None,
) -> list[Program]:
    sql, params = "SELECT data FROM programs WHERE 1=1", []
    if category is not None:
        sql += " AND category = ?"
        params.append(category)
    if parent is not None:
        sql += " AND parent = ?"
        params.append(parent)
    if top_level:
        sql += " AND parent IS NULL"
    sql += " ORDER BY rowid"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return _rows(db, Program, sql, params)


def count_programs(db: Database, *, category: str | None = None, top_level: bool = False) -> int:
    sql, params = "SELECT count(*) FROM programs WHERE 1=1", []
    if category is not None:
        sql += " AND category = ?"
        params.append(category)
    if top_level:
        sql += " AND parent IS NULL"
    return int(db.execute(sql, params).fetchone()[0])


def program(db: Database, program_id: str) -> Program | None:
    found = _rows(db, Program, "SELECT data FROM programs WHERE id = ?", [program_id])
    return found[0] if found else None


def programs_by_name(db: Database, name: str) -> list[Program]:
    """Programs whose name or an alias contains ``name`` (exact text, spacing ignored)."""
    needle = name.replace(" ", "")
    ids = [
        r[0]
        for r in db.execute(
            "SELECT id FROM programs WHERE replace(name, ' ', '') LIKE ? "
            "UNION SELECT ref_id FROM aliases WHERE kind = 'programs' "
            "AND replace(alias, ' ', '') LIKE ?",
            [f"%{needle}%", f"%{needle}%"],
        ).fetchall()
    ]
    return [p for p in (program(db, i) for i in ids) if p is not None]


def programs_for_rank(db: Database, rank: str) -> list[Program]:
    """Programs whose ``ranks`` list names ``rank`` (e.g. '5급', '팀장')."""
    return _rows(
        db,
        Program,
        "SELECT data FROM programs WHERE EXISTS (SELECT 1 FROM json_each(programs.data, "
        "'$.ranks') WHERE value = ?) ORDER BY rowid",
        [rank],
    )


def sessions_between(
    db: Database, start: dt.date, end: dt.date, program_id: str | None = None, limit: int = 1000
) -> list[Session]:
    """Sessions running at any time in [start, end] (inclusive)."""
    sql = 'SELECT data FROM sessions WHERE start IS NOT NULL AND start <= ? AND coalesce("end", start) >= ?'
    params: list[Any] = [end.isoformat(), start.isoformat()]
    if program_id:
        sql += " AND program_id = ?"
        params.append(program_id)
    params.append(limit)
    return _rows(
        db,
        Session,
        sql.replace("SELECT data", "SELECT json_set(data, '$.program_id', program_id)") + " ORDER BY start LIMIT ?",
        params,
    )


def sessions_starting_between(db: Database, start: dt.date, end: dt.date) -> list[Session]:
    return _rows(
        db,
        Session,
        "SELECT json_set(data, '$.program_id', program_id) FROM sessions WHERE start BETWEEN ? AND ? ORDER BY start",
        [start.isoformat(), end.isoformat()],
    )


def sessions_of(db: Database, program_id: str) -> list[Session]:
    return _rows(
        db,
        Session,
        "SELECT json_set(data, '$.program_id', program_id) FROM sessions "
        "WHERE program_id = ? ORDER BY coalesce(start, month, ''), rowid",
        [program_id],
    )


def rounds(db: Database) -> list[Round]:
    return _rows(db, Round, "SELECT data FROM rounds ORDER BY rowid")


def round_(db: Database, round_id: str) -> Round | None:
    found = _rows(db, Round, "SELECT data FROM rounds WHERE id = ?", [round_id])
    return found[0] if found else None


def events(
    db: Database,
    *,
    round_id: str | None = None,
    type_: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[Event]:
    """Exam events filtered by round, type and/or a date range (events overlapping it)."""
    sql, params = "SELECT data FROM events WHERE 1=1", []
    if round_id:
        sql += " AND round = ?"
        params.append(round_id)
    if type_:
        sql += " AND type = ?"
        params.append(type_)
    if start:
        sql += ' AND coalesce("end", start) >= ?'
        params.append(start.isoformat())
    if end:
        sql += " AND start <= ?"
        params.append(end.isoformat())
    return _rows(db, Event, sql + " ORDER BY start, rowid", params)


def exam_stats(db: Database, round_id: str | None = None) -> list[ExamStats]:
    sql, params = "SELECT data FROM exam_stats", []
    if round_id:
        sql += " WHERE round = ?"
        params.append(round_id)
    return _rows(db, ExamStats, sql, params)


def expert_categories(db: Database) -> list[ExpertCategory]:
    return _rows(db, ExpertCategory, "SELECT data FROM expert_categories ORDER BY rowid")


def buildings(db: Database) -> list[Building]:
    return _rows(db, Building, "SELECT data FROM buildings ORDER BY rowid")


def amenities(db: Database, building: str | None = None) -> list[Amenity]:
    if building:
        return _rows(db, Amenity, "SELECT data FROM amenities WHERE building = ? ORDER BY rowid", [building])
    return _rows(db, Amenity, "SELECT data FROM amenities ORDER BY rowid")


def works(db: Database, status: str | None = None) -> list[Work]:
    if status:
        return _rows(db, Work, "SELECT data FROM works WHERE status = ? ORDER BY rowid", [status])
    return _rows(db, Work, "SELECT data FROM works ORDER BY rowid")


def departments(db: Database) -> list[Department]:
    return _rows(db, Department, "SELECT data FROM departments ORDER BY rowid")


def departments_by_duty(db: Database, word: str) -> list[Department]:
    """Departments whose duties or keywords mention ``word`` (spacing ignored)."""
    needle = f"%{word.replace(' ', '')}%"
    return _rows(
        db,
        Department,
        "SELECT data FROM departments WHERE EXISTS (SELECT 1 FROM json_each(departments.data, "
        "'$.duties') WHERE replace(value, ' ', '') LIKE ?) OR EXISTS (SELECT 1 FROM "
        "json_each(departments.data, '$.keywords') WHERE replace(value, ' ', '') LIKE ?) "
        "ORDER BY rowid",
        [needle, needle],
    )


def priorities(db: Database) -> list[Priority]:
    return _rows(db, Priority, "SELECT data FROM priorities ORDER BY rank")


def budget_lines(db: Database, table: str | None = None) -> list[BudgetLine]:
    if table:
        return _rows(db, BudgetLine, "SELECT data FROM budget WHERE tbl = ? ORDER BY rowid", [table])
    return _rows(db, BudgetLine, "SELECT data FROM budget ORDER BY rowid")


def budget_line(db: Database, line_id: str) -> BudgetLine | None:
    found = _rows(db, BudgetLine, "SELECT data FROM budget WHERE id = ?", [line_id])
    return found[0] if found else None


def plan_rows(db: Database) -> list[PlanRow]:
    return _rows(db, PlanRow, "SELECT data FROM plan_rows ORDER BY rowid")


def assessments(db: Database) -> list[Assessment]:
    return _rows(db, Assessment, "SELECT data FROM assessments ORDER BY rowid")


def topics(db: Database) -> list[Topic]:
    return _rows(db, Topic, "SELECT data FROM topics ORDER BY rowid")


def section(db: Database, key: str) -> Section | None:
    row = db.execute("SELECT data FROM sections WHERE key = ?", [key]).fetchone()
    return Section(key, json.loads(row[0])) if row else None


def facts(db: Database, owner_kind: str | None = None, owner_id: str | None = None) -> list[Fact]:
    sql, params = ("SELECT label, text, source, keywords, owner_kind, owner_id FROM facts WHERE 1=1"), []
    if owner_kind:
        sql += " AND owner_kind = ?"
        params.append(owner_kind)
    if owner_id:
        sql += " AND owner_id = ?"
        params.append(owner_id)
    return [
        Fact(label, text, source, tuple(json.loads(kw)), ok, oi)
        for label, text, source, kw, ok, oi in db.execute(sql + " ORDER BY id", params)
    ]


def aliases(db: Database, kind: str | None = None) -> list[tuple[str, str, str]]:
    """(kind, id, alias) rows for entity matching."""
    if kind:
        return [tuple(r) for r in db.execute("SELECT kind, ref_id, alias FROM aliases WHERE kind = ?", [kind])]
    return [tuple(r) for r in db.execute("SELECT kind, ref_id, alias FROM aliases")]


def all_texts(db: Database) -> list[str]:
    """Every stored text of the knowledge: each text a record holds, one by one (not the record's
    JSON, whose keys and quotes are no words of the report), and facts as label and text."""
    texts: list[str] = []
    for table in (*KNOWLEDGE_TABLES, "sections"):
        for (data,) in db.execute(f'SELECT data FROM "{table}"'):  # noqa: S608
            texts += shown_strings(json.loads(data))
    texts += [f"{label} {text}" for label, text in db.execute("SELECT label, text FROM facts")]
    return texts


def shown_strings(value: Any) -> list[str]:
    """Each text a record holds, as far as users may see it (no editor notes), one by one."""
    return _strings(_without_editor_notes(value))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


# Entity kinds of the understanding and the tables their records live in.
ENTITY_TABLES = {
    "program": "programs",
    "round": "rounds",
    "building": "buildings",
    "amenity": "amenities",
    "department": "departments",
    "budget_line": "budget",
    "expert_category": "expert_categories",
    "assessment": "assessments",
    "work": "works",
    "category": "categories",
    "topic": "topics",
}


def named_records(db: Database) -> list[tuple[str, list[Any]]]:
    """Every record a question can name, by entity kind: (kind, rows with ``id``, ``name`` and
    ``aliases``). One list for the terms, the names a reply shows and follow-ups."""
    return [
        ("program", programs(db)),
        ("round", rounds(db)),
        ("building", buildings(db)),
        ("amenity", amenities(db)),
        ("department", departments(db)),
        ("budget_line", budget_lines(db)),
        ("expert_category", expert_categories(db)),
        ("assessment", assessments(db)),
        ("work", works(db)),
        ("category", categories(db)),
    ]


def _without_editor_notes(value: Any, also: frozenset[str] = frozenset()) -> Any:
    """A stored record without its ``editor_note`` fields (words for data editors only), nor the
    fields named in ``also``."""
    if isinstance(value, dict):
        return {k: _without_editor_notes(v, also) for k, v in value.items() if k != "editor_note" and k not in also}
    if isinstance(value, list):
        return [_without_editor_notes(v, also) for v in value]
    return value


def _shown(data: str, also: frozenset[str] = frozenset()) -> str:
    return shown_text(json.loads(data), also)


def shown_text(value: Any, also: frozenset[str] = frozenset()) -> str:
    """A record as text, as far as users may see it (no editor notes; nor the fields in ``also``)."""
    return json.dumps(_without_editor_notes(value, also), ensure_ascii=False)


def record_texts(db: Database, *, aliases: bool = True) -> dict[tuple[str, str], str]:
    """Every record's own text (its stored data and its facts), by (entity kind, id): what the
    record can account for in a question about it; with ``aliases`` false, without the other
    names it goes by nor the keywords it is found by (what the record's own text says of a name,
    not that it is one)."""
    drop = frozenset() if aliases else frozenset({"aliases", "keywords"})
    out: dict[tuple[str, str], str] = {}
    for kind, table in ENTITY_TABLES.items():
        for rid, data in db.execute(f'SELECT id, data FROM "{table}"'):  # noqa: S608
            out[(kind, str(rid))] = _shown(data, drop)
    owners = {v: k for k, v in ENTITY_TABLES.items()}
    for owner_kind, owner_id, label, text in db.execute("SELECT owner_kind, owner_id, label, text FROM facts"):
        kind = owners.get(owner_kind)
        if kind:
            out[(kind, owner_id)] = out.get((kind, owner_id), "") + f" {label} {text}"
    for session_id, program_id, data in db.execute("SELECT id, program_id, data FROM sessions"):
        out[("program", program_id)] = out.get(("program", program_id), "") + " " + _shown(data, drop)
        out[("session", session_id)] = _shown(data, drop)
    for round_id, data in db.execute('SELECT round, data FROM "events"'):
        out[("round", round_id)] = out.get(("round", round_id), "") + " " + _shown(data, drop)
    return out


def sessions_of_month(db: Database, month: str) -> list[Session]:
    """Sessions the data places in ``month`` ('YYYY-MM') without dates."""
    return _rows(
        db,
        Session,
        "SELECT json_set(data, '$.program_id', program_id) FROM sessions "
        "WHERE start IS NULL AND month = ? ORDER BY rowid",
        [month],
    )
