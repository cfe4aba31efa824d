"""Reminders derived from the knowledge base: a pure planner of what is due.

``plan(view, config, subscribers, start, end)`` is a pure function of (knowledge, subscriptions,
time window): it never reads the clock or the database. ``knowledge_view(db)`` prepares the
knowledge side once (dated course sessions and exam events with their topics); the rules (which
day before which date, at what time, with what text) come from ``knowledge/reminders.yaml``.

Every planned message has a stable key, e.g. ``course-start-d1:session:newcomer-8:2018-07-23``
(rule, what, anchor date): the delivery ledger records (user, key), so nothing goes out twice,
and a date changed in the data files yields a new key (the reminder follows the new date), while
a removed event yields no key at all.

Topics a user can subscribe to are strings: ``exam_round:*`` (every round), ``exam_round:<id>``,
``program:<id>`` (with its sub-programs), ``category:<id>``, ``daycare`` and ``notices``. The last
two carry no dated events; staff notices and broadcasts use them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from db import knowledge as kdb
from knowledge.yamlio import KnowledgeYamlError, read_yaml

SEOUL = ZoneInfo("Asia/Seoul")
CONFIG_PATH = Path(__file__).resolve().parent / "reminders.yaml"
WEEKDAYS = "월화수목금토일"

# --- topics ------------------------------------------------------------------------------------

ALL_ROUNDS = "exam_round:*"
DAYCARE = "daycare"
NOTICES = "notices"
TOPIC_KINDS = ("exam_round", "program", "category")
PLAIN_TOPICS = (DAYCARE, NOTICES)


class UnknownTopicError(ValueError):
    """A subscription topic that is malformed or names nothing in the knowledge."""


def topic(kind: str, ref_id: str) -> str:
    """The topic string for a reply topic (``knowledge.reply.Topic``) or a menu choice."""
    return f"{kind}:{ref_id}"


# --- configuration (knowledge/reminders.yaml) ----------------------------------------------------

ANCHORS: dict[str, tuple[str, str]] = {
    # anchor -> (occurrence type, which end of it)
    "session_start": ("session", "start"),
    "application_start": ("application", "start"),
    "application_end": ("application", "end"),
    "written_exam": ("written_exam", "start"),
    "written_result": ("written_result", "start"),
    "personality_test": ("personality_test", "start"),
    "interview_start": ("interview", "start"),
    "interview_end": ("interview", "end"),
    "final_result": ("final_result", "start"),
}
PLACEHOLDERS = frozenset({"title", "date", "period"})
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FIELD_RE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Rule:
    """One reminder rule: ``days_before`` the ``anchor`` date, at ``at``, say ``text``."""

    id: str
    anchor: str
    days_before: int
    at: dt.time
    text: str

    @property
    def occurrence_type(self) -> str:
        return ANCHORS[self.anchor][0]

    @property
    def edge(self) -> str:
        return ANCHORS[self.anchor][1]


@dataclass(frozen=True)
class Defaults:
    daily_push_time: dt.time = dt.time(8, 30)
    quiet_start: dt.time | None = dt.time(22, 0)
    quiet_end: dt.time | None = dt.time(8, 0)
    grace: dt.timedelta = dt.timedelta(hours=6)
    catch_up_days: int = 7
    week_days: int = 7


@dataclass(frozen=True)
class ReminderConfig:
    rules: tuple[Rule, ...]
    defaults: Defaults = Defaults()
    footer: str = ""


class RemindersConfigError(Exception):
    """``reminders.yaml`` is invalid; ``problems`` says where (file:line), which field, and what
    was expected."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def parse_hhmm(text: object) -> dt.time:
    """'08:30' -> time(8, 30); raises ValueError with the expected form."""
    match = _TIME_RE.match(str(text).strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a time; expected HH:MM (24-hour), e.g. 08:30")
    return dt.time(int(match[1]), int(match[2]))


def load_config(path: Path = CONFIG_PATH) -> ReminderConfig:
    """Read and validate ``reminders.yaml``; raise ``RemindersConfigError`` listing every problem."""
    name = path.name
    try:
        raw = read_yaml(path)
    except FileNotFoundError:
        raise RemindersConfigError([f"{path}: file not found"]) from None
    except KnowledgeYamlError as exc:
        where = f"{name}:{exc.line}" if exc.line else name
        raise RemindersConfigError([f"{where}: {exc.message}"]) from None
    return config_from_data(raw, name)


def config_from_data(raw: Any, name: str = "reminders.yaml") -> ReminderConfig:
    """Validate parsed YAML (``knowledge.yamlio`` mappings carry line numbers, plain dicts work)."""
    problems: list[str] = []

    def line_of(container: Any, key: str | int | None = None) -> int | None:
        if isinstance(key, str):
            return getattr(container, "key_lines", {}).get(key) or getattr(container, "line", None)
        if isinstance(key, int):
            lines = getattr(container, "item_lines", None)
            return lines[key] if lines and key < len(lines) else getattr(container, "line", None)
        return getattr(container, "line", None)

    def problem(container: Any, key: str | int | None, path: str, message: str) -> None:
        line = line_of(container, key)
        where = f"{name}:{line}" if line else name
        problems.append(f"{where}: {path}: {message}")

    if not isinstance(raw, Mapping):
        raise RemindersConfigError(
            [f"{name}: expected a mapping with 'defaults', 'footer' and 'rules' at the top level"]
        )
    for key in raw:
        if key not in ("defaults", "footer", "rules"):
            problem(raw, key, key, "unknown key; expected one of defaults, footer, rules")

    defaults = Defaults()
    raw_defaults = raw.get("defaults") or {}
    if not isinstance(raw_defaults, Mapping):
        problem(raw, "defaults", "defaults", "expected a mapping")
        raw_defaults = {}
    values: dict[str, Any] = {}
    for key, value in raw_defaults.items():
        path = f"defaults.{key}"
        if key in ("daily_push_time", "quiet_start", "quiet_end"):
            if value is None and key != "daily_push_time":
                values[key] = None
                continue
            try:
                values[key] = parse_hhmm(value)
            except ValueError as exc:
                problem(raw_defaults, key, path, str(exc))
        elif key == "grace_hours":
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                problem(raw_defaults, key, path, f"{value!r}: expected a number of hours >= 0")
            else:
                values["grace"] = dt.timedelta(hours=value)
        elif key in ("catch_up_days", "week_days"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problem(raw_defaults, key, path, f"{value!r}: expected a whole number >= 1")
            else:
                values[key] = value
        else:
            problem(
                raw_defaults,
                key,
                path,
                "unknown setting; expected daily_push_time, "
                "quiet_start, quiet_end, grace_hours, catch_up_days or week_days",
            )
    if ("quiet_start" in values) != ("quiet_end" in values):
        problem(raw_defaults, None, "defaults", "give both quiet_start and quiet_end, or neither")
    defaults = dataclasses.replace(defaults, **values)

    footer = raw.get("footer", "")
    if not isinstance(footer, str):
        problem(raw, "footer", "footer", "expected text")
        footer = ""

    rules: list[Rule] = []
    raw_rules = raw.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problem(raw, "rules" if "rules" in raw else None, "rules", "expected a non-empty list of rules")
        raw_rules = []
    seen: set[str] = set()
    for i, item in enumerate(raw_rules):
        path = f"rules[{i}]"
        if not isinstance(item, Mapping):
            problem(raw_rules, i, path, "expected a mapping with id, anchor, days_before, at, text")
            continue
        ok = True
        for key in item:
            if key not in ("id", "anchor", "days_before", "at", "text"):
                problem(item, key, f"{path}.{key}", "unknown field; expected id, anchor, days_before, at, text")
                ok = False
        for key in ("id", "anchor", "days_before", "at", "text"):
            if key not in item:
                problem(item, None, f"{path}.{key}", "missing")
                ok = False
        if not ok:
            continue
        rule_id, anchor, days, at, text = (item[k] for k in ("id", "anchor", "days_before", "at", "text"))
        if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
            problem(
                item,
                "id",
                f"{path}.id",
                f"{rule_id!r}: expected lowercase letters, digits and '-', e.g. course-start-d1",
            )
            ok = False
        elif rule_id in seen:
            problem(item, "id", f"{path}.id", f"duplicate rule id {rule_id!r}")
            ok = False
        else:
            seen.add(rule_id)
        if anchor not in ANCHORS:
            problem(item, "anchor", f"{path}.anchor", f"{anchor!r}: expected one of {', '.join(ANCHORS)}")
            ok = False
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
            problem(
                item, "days_before", f"{path}.days_before", f"{days!r}: expected a whole number of days from 0 to 365"
            )
            ok = False
        try:
            at_time = parse_hhmm(at)
        except ValueError as exc:
            problem(item, "at", f"{path}.at", str(exc))
            ok = False
        if not isinstance(text, str) or not text.strip():
            problem(item, "text", f"{path}.text", "expected the message text")
            ok = False
        else:
            unknown = [f for f in _FIELD_RE.findall(text) if f not in PLACEHOLDERS]
            if unknown:
                problem(
                    item,
                    "text",
                    f"{path}.text",
                    f"unknown placeholder {{{unknown[0]}}}; expected {{title}}, {{date}} or {{period}}",
                )
                ok = False
        if ok:
            rules.append(Rule(rule_id, anchor, days, at_time, text))
    if problems:
        raise RemindersConfigError(problems)
    return ReminderConfig(tuple(rules), defaults, footer)


# --- the knowledge side ----------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """A dated thing reminders hang on: a course session or an exam event."""

    kind: str  # "session" | "event"
    ref_id: str  # session id or event id
    type: str  # "session" or the event type (application, written_exam, ...)
    title: str
    start: dt.date
    end: dt.date | None
    topics: frozenset[str]
    source: str = ""

    @property
    def last_day(self) -> dt.date:
        return self.end or self.start

    def anchor(self, edge: str) -> dt.date:
        return self.last_day if edge == "end" else self.start


@dataclass(frozen=True)
class KnowledgeView:
    """What the planner needs from the knowledge: dated occurrences and the topic names."""

    occurrences: tuple[Occurrence, ...]
    topic_names: Mapping[str, str] = field(default_factory=dict)  # topic -> Korean label
    loaded_sha: str = ""

    def topics_of_kind(self, kind: str) -> list[str]:
        return [t for t in self.topic_names if t.startswith(f"{kind}:")]


EVENT_LABELS: dict[str, tuple[str, str]] = {
    # type -> (label of its start, label of its end when it is a window)
    "session": ("교육 시작", "교육 종료"),
    "application": ("원서접수 시작", "원서접수 마감"),
    "written_exam": ("필기시험", "필기시험 종료"),
    "written_result": ("필기 합격자 발표", "필기 합격자 발표 종료"),
    "personality_test": ("인성검사", "인성검사 종료"),
    "interview": ("면접 시작", "면접 종료"),
    "final_result": ("최종 합격자 발표", "최종 합격자 발표 종료"),
}


def _session_title(program_name: str, session_name: str) -> str:
    if program_name.replace(" ", "") in session_name.replace(" ", ""):
        return session_name
    return f"{program_name} {session_name}"


def knowledge_view(db: Database) -> KnowledgeView:
    """Read the dated sessions and exam events (through ``db.knowledge``) into a view."""
    programs = {p.id: p for p in kdb.programs(db)}
    categories = {c.id: c.name for c in kdb.categories(db)}
    rounds = {r.id: r.name for r in kdb.rounds(db)}

    def ancestors(program_id: str) -> list[str]:
        chain, seen = [], set()
        current: str | None = program_id
        while current and current in programs and current not in seen:
            seen.add(current)
            chain.append(current)
            current = programs[current].parent
        return chain

    occurrences: list[Occurrence] = []
    for s in kdb.sessions_starting_between(db, dt.date(1, 1, 1), dt.date(9999, 12, 31)):
        if not s.start or not s.program_id:
            continue
        chain = ancestors(s.program_id)
        program = programs.get(s.program_id)
        topics = {topic("program", p) for p in chain}
        topics |= {topic("category", programs[p].category) for p in chain}
        occurrences.append(
            Occurrence(
                "session",
                s.id,
                "session",
                _session_title(program.name if program else s.program_id, s.name),
                dt.date.fromisoformat(s.start),
                dt.date.fromisoformat(s.end) if s.end else None,
                frozenset(topics),
                s.source,
            )
        )
    for e in kdb.events(db):
        occurrences.append(
            Occurrence(
                "event",
                e.id,
                e.type,
                rounds.get(e.round, e.round),
                dt.date.fromisoformat(e.start),
                dt.date.fromisoformat(e.end) if e.end else None,
                frozenset({topic("exam_round", e.round), ALL_ROUNDS}),
                e.source,
            )
        )
    occurrences.sort(key=lambda o: (o.start, o.kind, o.ref_id))
    names: dict[str, str] = {ALL_ROUNDS: "시험 일정: 모든 회차"}
    names.update({topic("exam_round", rid): f"시험 일정: {n}" for rid, n in rounds.items()})
    names.update({topic("category", cid): f"교육 분야: {n}" for cid, n in categories.items()})
    names.update({topic("program", pid): f"교육과정: {p.name}" for pid, p in programs.items()})
    names[DAYCARE] = "어린이집 소식"
    names[NOTICES] = "공지"
    sha = kdb.knowledge_meta(db).get("knowledge_sha256", "")
    return KnowledgeView(tuple(occurrences), names, sha)


def parse_topic(text: str, view: KnowledgeView) -> str:
    """Validate a topic string (from a button or the command line) against the knowledge."""
    text = text.strip()
    if text in view.topic_names:
        return text
    kind, sep, ref = text.partition(":")
    if text in PLAIN_TOPICS or (sep and kind in TOPIC_KINDS and ref):
        raise UnknownTopicError(f"unknown topic {text!r}: no such {kind or text} in the knowledge")
    raise UnknownTopicError(
        f"unknown topic {text!r}; expected exam_round:<id> (or exam_round:*), program:<id>, "
        "category:<id>, daycare or notices"
    )


def open_topics(view: KnowledgeView, today: dt.date) -> frozenset[str]:
    """The topics one can still subscribe to on ``today``: ``daycare`` and ``notices``, and
    every topic of an exam event or course session that ends today or later. A finished round,
    a cohort that is over, and anything without dates (e.g. 전문가 채용) are not among them: no
    reminder could ever come."""
    return frozenset(PLAIN_TOPICS).union(*(o.topics for o in view.occurrences if o.last_day >= today))


def topic_label(view: KnowledgeView, name: str) -> str:
    return view.topic_names.get(name, f"{name} (지금은 없는 항목)")


# --- subscribers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """A user's reminder settings (``None`` quiet hours: no quiet hours)."""

    daily_push: bool = True
    daily_always: bool = False
    push_time: dt.time = dt.time(8, 30)
    quiet_start: dt.time | None = dt.time(22, 0)
    quiet_end: dt.time | None = dt.time(8, 0)

    @classmethod
    def from_defaults(cls, defaults: Defaults) -> Settings:
        return cls(push_time=defaults.daily_push_time, quiet_start=defaults.quiet_start, quiet_end=defaults.quiet_end)


@dataclass(frozen=True)
class Subscriber:
    """One user's subscriptions: topic -> when it was subscribed (None: since always)."""

    user_id: int
    topics: Mapping[str, dt.datetime | None]
    settings: Settings = Settings()
    chat_id: int | None = None


def everything(view: KnowledgeView, settings: Settings, user_id: int = 0) -> Subscriber:
    """The hypothetical subscriber of every topic, subscribed since always (``--all-topics``)."""
    return Subscriber(user_id, dict.fromkeys(view.topic_names), settings)


# --- time helpers ----------------------------------------------------------------------------


def in_quiet(t: dt.time, start: dt.time | None, end: dt.time | None) -> bool:
    """Is the wall-clock time ``t`` inside quiet hours [start, end) (which may wrap midnight)?"""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def out_of_quiet(at: dt.datetime, start: dt.time | None, end: dt.time | None) -> dt.datetime:
    """``at`` itself, or, if it falls in quiet hours, the moment they end."""
    local = at.astimezone(SEOUL)
    if not in_quiet(local.timetz().replace(tzinfo=None), start, end):
        return at
    assert end is not None  # in_quiet is False without an end
    day = local.date()
    if local.time() >= end:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=SEOUL)


def format_date(day: dt.date) -> str:
    return f"{day.year}. {day.month}. {day.day}.({WEEKDAYS[day.weekday()]})"


def format_period(start: dt.date, end: dt.date | None) -> str:
    if end is None or end == start:
        return format_date(start)
    return f"{format_date(start)} ~ {format_date(end)}"


# --- planning --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A reminder message independent of who gets it, with its nominal time."""

    key: str
    rule_id: str
    occurrence: Occurrence
    anchor: dt.date
    fire_at: dt.datetime
    text: str


@dataclass(frozen=True)
class Due:
    """One message for one user at ``due_at`` (after quiet hours); ``key`` is stable."""

    user_id: int
    chat_id: int | None
    key: str
    kind: str  # "reminder" | "daily"
    due_at: dt.datetime
    text: str
    rule_id: str
    ref: str | None = None  # "session:<id>" / "event:<id>" for reminders
    # Quiet hours that hold a late send of this message (none for a daily push the user chose
    # to get inside their quiet hours).
    quiet: tuple[dt.time | None, dt.time | None] = (None, None)

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "key": self.key,
            "kind": self.kind,
            "rule": self.rule_id,
            "ref": self.ref,
            "due_at": self.due_at.isoformat(timespec="minutes"),
            "text": self.text,
        }


def _with_footer(text: str, footer: str) -> str:
    return f"{text}\n\n{footer}" if footer else text


def reminders_on(view: KnowledgeView, config: ReminderConfig, day: dt.date) -> list[Planned]:
    """Every rule's message whose nominal send date is ``day`` (user-independent)."""
    out: list[Planned] = []
    for rule in config.rules:
        anchor = day + dt.timedelta(days=rule.days_before)
        for occ in view.occurrences:
            if occ.type != rule.occurrence_type or occ.anchor(rule.edge) != anchor:
                continue
            if rule.edge == "end" and occ.end is None:
                continue  # a one-day event has no separate last day
            text = rule.text.format(title=occ.title, date=format_date(anchor), period=format_period(occ.start, occ.end))
            out.append(
                Planned(
                    f"{rule.id}:{occ.kind}:{occ.ref_id}:{anchor.isoformat()}",
                    rule.id,
                    occ,
                    anchor,
                    dt.datetime.combine(day, rule.at, tzinfo=SEOUL),
                    _with_footer(text, config.footer),
                )
            )
    out.sort(key=lambda p: (p.fire_at, p.key))
    return out


def digest(
    view: KnowledgeView, config: ReminderConfig, topics: Collection[str], day: dt.date, *, always: bool = False
) -> str | None:
    """The daily push text for ``topics`` on ``day``: today's and this week's key dates.

    ``None`` when nothing relevant happens (unless ``always``).
    """
    last = day + dt.timedelta(days=config.defaults.week_days - 1)
    today: list[str] = []
    week: list[tuple[dt.date, str]] = []
    for occ in view.occurrences:
        if occ.start > last or occ.last_day < day or not occ.topics & set(topics):
            continue
        labels = EVENT_LABELS.get(occ.type, (occ.type, occ.type))
        marks = [(occ.start, labels[0])]
        if occ.end and occ.end != occ.start:
            marks.append((occ.end, labels[1]))
        for when, label in marks:
            if when == day:
                today.append(f"• {label} — {occ.title}")
            elif day < when <= last:
                week.append((when, f"• {when.month}. {when.day}.({WEEKDAYS[when.weekday()]}) {label} — {occ.title}"))
    if not today and not week and not always:
        return None
    head = f"☀️ {day.month}월 {day.day}일({WEEKDAYS[day.weekday()]}) 구독하신 일정 알림입니다."
    if not today and not week:
        body = "오늘과 이번 주에는 구독하신 일정이 없습니다."
    else:
        week_lines = [line for _, line in sorted(week)]
        body = "\n".join(
            [
                "[오늘]",
                *(today or ["• 예정된 일정이 없습니다."]),
                "",
                f"[이번 주 ({config.defaults.week_days}일 이내)]",
                *(week_lines or ["• 예정된 일정이 없습니다."]),
            ]
        )
    return _with_footer(f"{head}\n\n{body}", config.footer)


def _days(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    first = start.astimezone(SEOUL).date() - dt.timedelta(days=1)  # quiet hours move forward
    last = end.astimezone(SEOUL).date()
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _earliest(times: Iterable[dt.datetime | None]) -> dt.datetime | None:
    """The earliest subscription time; None (subscribed since always) beats any time."""
    earliest: dt.datetime | None = None
    for t in times:
        if t is None:
            return None
        if earliest is None or t < earliest:
            earliest = t
    return earliest


def plan(
    view: KnowledgeView, config: ReminderConfig, subscribers: Iterable[Subscriber], start: dt.datetime, end: dt.datetime
) -> Iterator[Due]:
    """Everything due to ``subscribers`` at a time in ``[start, end)``, per subscriber by time.

    Pure: the same knowledge, subscriptions and window always give the same messages. A
    reminder is due at its rule's time, moved past the user's quiet hours; the daily push at the
    user's own time (what they asked for, so quiet hours do not hold it). Nothing is due from
    before the user subscribed to the topic.

    Built for streams of many subscribers: everything that depends only on the knowledge, the
    window or a settings profile is computed once, and digests are shared between users whose
    topics select the same events.
    """
    days = _days(start, end)
    planned = [
        (p, tuple(p.occurrence.topics), f"{p.occurrence.kind}:{p.occurrence.ref_id}")
        for d in days
        for p in reminders_on(view, config, d)
    ]
    # Per day: the topics that select anything for that day's digest.
    week = dt.timedelta(days=config.defaults.week_days - 1)
    digest_topics = {
        d: frozenset(t for o in view.occurrences if o.start <= d + week and o.last_day >= d for t in o.topics)
        for d in days
    }
    digests: dict[tuple[frozenset[str], dt.date, bool], str | None] = {}
    shifted: dict[tuple[dt.datetime, dt.time | None, dt.time | None], dt.datetime] = {}
    pushes: dict[dt.time, list[tuple[dt.date, dt.datetime]]] = {}
    for sub in subscribers:
        found: list[Due] = []
        settings = sub.settings
        topics = sub.topics
        quiet = (settings.quiet_start, settings.quiet_end)
        for p, occ_topics, ref in planned:
            matched = [topics[t] for t in occ_topics if t in topics]
            if not matched:
                continue
            cache = (p.fire_at, *quiet)
            due_at = shifted.get(cache)
            if due_at is None:
                due_at = shifted[cache] = out_of_quiet(p.fire_at, *quiet)
            if not start <= due_at < end:
                continue
            since = matched[0] if len(matched) == 1 else _earliest(matched)
            if since is not None and due_at < since:
                continue
            found.append(Due(sub.user_id, sub.chat_id, p.key, "reminder", due_at, p.text, p.rule_id, ref, quiet))
        if settings.daily_push and topics:
            moments = pushes.get(settings.push_time)
            if moments is None:
                moments = pushes[settings.push_time] = [
                    (d, at)
                    for d in days
                    if start <= (at := dt.datetime.combine(d, settings.push_time, tzinfo=SEOUL)) < end
                ]
            if moments:
                since_any = _earliest(topics.values())
                push_quiet = (None, None) if in_quiet(settings.push_time, *quiet) else quiet
            for d, due_at in moments:
                if since_any is not None and due_at < since_any:
                    continue
                relevant = digest_topics[d].intersection(topics)
                if not relevant and not settings.daily_always:
                    continue
                cache_key = (relevant, d, settings.daily_always)
                text = digests.get(cache_key, "")
                if text == "":
                    text = digests[cache_key] = digest(view, config, relevant, d, always=settings.daily_always)
                if text is not None:
                    found.append(
                        Due(
                            sub.user_id,
                            sub.chat_id,
                            f"daily:{d.isoformat()}",
                            "daily",
                            due_at,
                            text,
                            "daily",
                            None,
                            push_quiet,
                        )
                    )
        if len(found) > 1:
            found.sort(key=lambda x: (x.due_at, x.key))
        yield from found


def day_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00, next 00:00) of ``day`` in Seoul."""
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SEOUL)
    return start, start + dt.timedelta(days=1)


def wake_times(
    view: KnowledgeView,
    config: ReminderConfig,
    profiles: Iterable[tuple[dt.time, dt.time | None, dt.time | None]],
    start: dt.datetime,
    end: dt.datetime,
) -> list[dt.datetime]:
    """The distinct instants in ``[start, end)`` at which something may fall due, for settings
    profiles (push_time, quiet_start, quiet_end): where the scheduler should wake up."""
    days = _days(start, end)
    fire_times = sorted({p.fire_at for d in days for p in reminders_on(view, config, d)})
    out: set[dt.datetime] = set()
    for push_time, quiet_start, quiet_end in profiles:
        for at in fire_times:
            due = out_of_quiet(at, quiet_start, quiet_end)
            if start <= due < end:
                out.add(due)
        for d in days:
            due = dt.datetime.combine(d, push_time, tzinfo=SEOUL)
            if start <= due < end:
                out.add(due)
    return sorted(out)


def day_plan(
    db: Database, config: ReminderConfig, day: dt.date, *, all_topics: bool = False
) -> tuple[list[Due], dict[tuple[int, str], str]]:
    """What goes out on ``day`` and each message's ledger status, as ``hrdbot reminders`` and
    the console's /reminders show it. ``all_topics``: for one subscriber of every topic."""
    from db import reminders as rdb  # db.reminders imports this module

    view = knowledge_view(db)
    start, end = day_window(day)
    if all_topics:
        subscribers = [everything(view, Settings.from_defaults(config.defaults))]
    else:
        subscribers = rdb.subscribers(db, config.defaults)
    found = list(plan(view, config, subscribers, start, end))
    status = {} if all_topics else rdb.statuses(db, {d.key for d in found})
    return found, status
