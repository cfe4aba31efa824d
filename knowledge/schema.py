"""Declarative schema of the knowledge files under ``knowledge/data/``.

Every file is a YAML mapping; each top-level key is described here. The validator in
``knowledge.loader`` walks the parsed YAML against these specs and reports the file, the line,
the field path and what was expected. Staff extend the data by following the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Spec:
    """Base of all field specs. ``doc`` says what is expected in an error message."""

    doc: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Str(Spec):
    doc: str = "text"


@dataclass(frozen=True)
class Int(Spec):
    doc: str = "a whole number"
    minimum: int | None = 0


@dataclass(frozen=True)
class Num(Spec):
    doc: str = "a number"


@dataclass(frozen=True)
class Bool(Spec):
    doc: str = "true or false"


@dataclass(frozen=True)
class Date(Spec):
    doc: str = "a date YYYY-MM-DD"


@dataclass(frozen=True)
class Month(Spec):
    doc: str = "a month YYYY-MM"


@dataclass(frozen=True)
class Enum(Spec):
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ref(Spec):
    """The id of a record of another kind (``programs``, ``rounds``, ``buildings`` ...)."""

    kind: str = ""


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec = field(default_factory=Str)
    min_items: int = 0


@dataclass(frozen=True)
class Rec(Spec):
    """A mapping with known fields. ``required`` names the mandatory ones.

    ``kind`` makes the record addressable: its ``id`` must be unique within the kind across all
    files, and ``Ref(kind)`` fields elsewhere must name an existing id. ``span`` names a pair of
    date fields (start, end) whose order is checked.
    """

    fields: dict[str, Spec] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    kind: str | None = None
    span: tuple[str, str] | None = None


# ``note`` (and descriptions, fact texts, answers) are shown to users as they stand, so they are
# polite Korean; remarks for the people who edit the files go to ``editor_note``, which every
# record may carry and which the bot never shows (the db.knowledge dataclasses have no such field).
NOTE = Str(doc="a remark for users, in polite Korean (합니다/해요)")
EDITOR_NOTE = Str(doc="a remark for data editors (source critique, bookkeeping); never shown to users")


def _rec(kind: str | None, required: tuple[str, ...], span: tuple[str, str] | None = None, /, **fields: Spec) -> Rec:
    return Rec(fields={**fields, "editor_note": EDITOR_NOTE}, required=required, kind=kind, span=span)


SOURCE = Str(doc="where in the 2018 work report this comes from, e.g. 'Ⅲ-1-1 신임자 과정 > 향후계획'")
ID = Str(doc="a unique id of lowercase letters, digits and '-'")
ALIASES = ListOf(Str(), doc="a list of other names users type")
PERIOD = Enum(
    choices=("2017", "2018", "2019", "2018-상반기", "2018-하반기"),
    doc="one of 2017, 2018, 2019, 2018-상반기, 2018-하반기",
)

# A labelled fact: anything the report says about a record that has no field of its own.
FACT = _rec(
    None,
    ("label", "text", "source"),
    label=Str(doc="a short Korean label, e.g. '상반기 실적'"),
    text=Str(doc="the fact as the report states it, in Korean"),
    keywords=ALIASES,
    source=SOURCE,
)
FACTS = ListOf(FACT)

# A stand-alone topic with its own question words: vision, audit follow-ups, misc facts.
TOPIC = _rec(
    "topics",
    ("id", "title", "answer", "source"),
    id=ID,
    title=Str(doc="the question or topic, in Korean"),
    # an audit item's finding: what the council pointed out or asked for ("무엇을 지적받았어요")
    finding=Str(doc="what the audit found or asked for, in polite Korean, from the report"),
    answer=Str(doc="the answer, in polite Korean, from the report"),
    keywords=ALIASES,
    status=Str(doc="e.g. 추진완료, 검토완료"),
    source=SOURCE,
)

# The figures of one year in a plan row: not a record, so no editor_note (the row has one).
COUNTS = Rec(fields={"courses": Int(), "sessions": Int(), "trainees": Int(), "note": NOTE})

SESSION = _rec(
    "sessions",
    ("id", "name", "source"),
    ("start", "end"),
    id=ID,
    name=Str(doc="the cohort name, e.g. '제8기'"),
    start=Date(),
    end=Date(),
    month=Month(doc="YYYY-MM when only the month is known"),
    headcount=Int(),
    target=Str(),
    note=NOTE,
    source=SOURCE,
)

PROGRAM = _rec(
    "programs",
    ("id", "name", "category", "source"),
    id=ID,
    name=Str(doc="the official program name"),
    aliases=ALIASES,
    category=Ref(kind="categories", doc="the id of a category in programs.yaml"),
    parent=Ref(kind="programs", doc="the id of the program this is a part of"),
    summary=Str(doc="one sentence: what the program is for"),
    target=Str(doc="who takes it"),
    ranks=ListOf(Str(), doc="ranks/positions it is meant for, e.g. ['5급', '팀장']"),
    duration=Str(doc="as the report states it, e.g. '5주'"),
    format=Str(doc="e.g. 집합교육, e-러닝, 1일 집합교육"),
    sessions_planned=Int(doc="number of sessions (회) planned for 2018"),
    headcount=Int(doc="trainees planned for 2018"),
    content=ListOf(Str()),
    budget_line=Ref(kind="budget", doc="the id of a budget line in budget.yaml"),
    sessions=ListOf(SESSION),
    facts=FACTS,
    source=SOURCE,
)

CATEGORY = _rec(
    "categories", ("id", "name", "source"), id=ID, name=Str(), aliases=ALIASES, summary=Str(), source=SOURCE
)

PLAN_ROW = _rec(
    "plan_rows",
    ("id", "mode", "area", "category", "y2017", "y2018", "source"),
    id=ID,
    mode=Enum(choices=("전체", "집합교육", "e-러닝"), doc="전체, 집합교육 or e-러닝"),
    area=Str(doc="e.g. 기본역량, 리더십역량, 직무역량, 개인학습, 소계"),
    category=Str(doc="e.g. 핵심가치, 인문소양, 직급, 직위, 공통, 전문, 글로벌, IT"),
    y2017=COUNTS,
    y2018=COUNTS,
    note=NOTE,
    source=SOURCE,
)

DEPARTMENT = _rec(
    "departments",
    ("id", "name", "headcount", "duties", "source"),
    id=ID,
    name=Str(),
    aliases=ALIASES,
    headcount=Int(),
    duties=ListOf(Str(), min_items=1),
    keywords=ALIASES,
    source=SOURCE,
)

BUILDING = _rec(
    "buildings",
    ("id", "name", "floors_above", "source"),
    id=ID,
    name=Str(),
    aliases=ALIASES,
    floors_above=Int(doc="number of floors above ground"),
    floors_below=Int(doc="number of basement floors"),
    note=NOTE,
    source=SOURCE,
)

AMENITY = _rec(
    "amenities",
    ("id", "name", "source"),
    id=ID,
    name=Str(),
    aliases=ALIASES,
    description=Str(),
    building=Ref(kind="buildings"),
    floor=Int(minimum=None, doc="a floor number (1 = ground floor, -1 = first basement)"),
    source=SOURCE,
)

WORK = _rec(
    "works",
    ("id", "name", "status", "source"),
    ("start", "end"),
    id=ID,
    name=Str(),
    aliases=ALIASES,
    description=Str(),
    status=Enum(choices=("완료", "진행중", "예정"), doc="완료, 진행중 or 예정"),
    start=Date(),
    end=Date(),
    start_month=Month(),
    end_month=Month(),
    cost_million_krw=Num(doc="cost in 백만원"),
    buildings=ListOf(Ref(kind="buildings")),
    source=SOURCE,
)

ROUND = _rec(
    "rounds",
    ("id", "name", "kind", "source"),
    id=ID,
    name=Str(),
    aliases=ALIASES,
    kind=Enum(choices=("공개경쟁", "경력경쟁", "전문가"), doc="공개경쟁, 경력경쟁 or 전문가"),
    planned=Int(doc="planned hires (채용계획)"),
    hired=Int(doc="people hired (채용인원); leave out while 진행중"),
    status=Enum(choices=("완료", "진행중", "수시"), doc="완료, 진행중 or 수시"),
    series=Str(doc="job series (채용직렬)"),
    exam_month=Month(),
    facts=FACTS,
    source=SOURCE,
)

EVENT_TYPES = ("application", "written_exam", "written_result", "personality_test", "interview", "final_result")
EVENT = _rec(
    "events",
    ("id", "round", "type", "start", "source"),
    ("start", "end"),
    id=ID,
    round=Ref(kind="rounds"),
    type=Enum(choices=EVENT_TYPES, doc="one of " + ", ".join(EVENT_TYPES)),
    start=Date(),
    end=Date(doc="last day, for a window"),
    note=NOTE,
    source=SOURCE,
)

EXPERT = _rec(
    "expert_categories",
    ("id", "name", "planned", "source"),
    id=ID,
    name=Str(),
    aliases=ALIASES,
    planned=Int(),
    cadence=Str(),
    rounds=Str(doc="how many rounds, as the report says, e.g. '12회'"),
    source=SOURCE,
)

EXAM_STATS = _rec(
    None,
    ("round", "source"),
    round=Ref(kind="rounds"),
    date=Date(),
    sites=Int(),
    rooms=Int(),
    applications=Int(),
    applicants=Int(),
    turnout_pct=Num(),
    planned=Int(),
    source=SOURCE,
)

PRIORITY = _rec(
    "priorities",
    ("rank", "group", "source"),
    rank=Int(doc="0 (highest) to 3"),
    group=Str(),
    detail=Str(),
    basis=Str(doc="the legal basis, if any"),
    keywords=ALIASES,
    note=NOTE,
    source=SOURCE,
)

BUDGET_LINE = _rec(
    "budget",
    ("id", "name", "source"),
    id=ID,
    name=Str(),
    aliases=ALIASES,
    table=Enum(choices=("revenue", "expenditure", "section"), doc="revenue, expenditure (the 세출 table) or section"),
    group=Str(doc="e.g. 사업예산, 행정운영경비"),
    y2017=Int(doc="2017 budget in 천원"),
    y2018=Int(doc="2018 budget in 천원"),
    change=Int(doc="change in 천원 (negative for a decrease)", minimum=None),
    change_pct=Num(),
    executed=Int(doc="executed (원인행위) in 천원"),
    executed_pct=Num(),
    spent=Int(doc="spent (지출액) in 천원"),
    spent_pct=Num(),
    year_end_forecast=Int(doc="'18년말 집행예상액 in 천원"),
    year_end_pct=Num(),
    note=NOTE,
    source=SOURCE,
)

ASSESSMENT = _rec(
    "assessments",
    ("id", "name", "source"),
    id=ID,
    name=Str(),
    aliases=ALIASES,
    target=Str(),
    rounds_planned=Int(),
    headcount_planned=Int(),
    competencies=ListOf(Str()),
    facts=FACTS,
    source=SOURCE,
)

LEARNING = _rec(
    None,
    ("site", "source"),
    site=Str(),
    target=Str(),
    courses=Int(),
    trainees_planned=Int(),
    app=Str(),
    live_channel=Str(),
    method=Str(),
    facts=FACTS,
    source=SOURCE,
)


def _file(**fields: Spec) -> Rec:
    return Rec(fields=fields, required=())


FILES: dict[str, Rec] = {
    "organisation.yaml": _file(
        organisation=_rec(
            None,
            ("name", "report_year", "source"),
            name=Str(),
            report_year=Int(doc="the year the work report covers, e.g. 2018"),
            aliases=ListOf(Str()),
            departments=Int(),
            teams=Int(),
            staff=Int(),
            facts=FACTS,
            source=SOURCE,
        ),
        departments=ListOf(DEPARTMENT, min_items=1),
    ),
    "facilities.yaml": _file(
        site=_rec(
            None,
            ("source",),
            parcels=Int(),
            area_m2=Int(),
            area_pyeong=Int(),
            building_count=Int(),
            floor_area_m2=Int(),
            floor_area_pyeong=Int(),
            facts=FACTS,
            source=SOURCE,
        ),
        buildings=ListOf(BUILDING, min_items=1),
        amenities=ListOf(AMENITY),
        works=ListOf(WORK),
    ),
    "training_plan.yaml": _file(
        plan_rows=ListOf(PLAN_ROW, min_items=1),
    ),
    "programs.yaml": _file(
        categories=ListOf(CATEGORY, min_items=1),
        programs=ListOf(PROGRAM, min_items=1),
    ),
    "exams.yaml": _file(
        recruitment=_rec(
            None,
            ("source",),
            planned_total=Int(),
            planned_2017=Int(),
            open_rounds=Int(),
            open_total=Int(),
            open_2017=Int(),
            open_total_note=Str(),
            facts=FACTS,
            source=SOURCE,
        ),
        rounds=ListOf(ROUND, min_items=1),
        events=ListOf(EVENT),
        written_exam_stats=ListOf(EXAM_STATS),
        expert_categories=ListOf(EXPERT),
    ),
    "assessment.yaml": _file(assessments=ListOf(ASSESSMENT, min_items=1)),
    "daycare.yaml": _file(
        daycare=_rec(
            None,
            ("name", "eligibility", "vacancy", "source"),
            name=Str(),
            building=Ref(kind="buildings"),
            eligibility=Str(),
            vacancy=Str(),
            facts=FACTS,
            source=SOURCE,
        ),
        priorities=ListOf(PRIORITY, min_items=1),
    ),
    "elearning.yaml": _file(elearning=LEARNING),
    "budget.yaml": _file(budget=ListOf(BUDGET_LINE, min_items=1)),
    "topics.yaml": _file(topics=ListOf(TOPIC)),
}


_section_keys = [key for spec in FILES.values() for key in spec.fields]
if len(_section_keys) != len(set(_section_keys)):  # pragma: no cover - schema bug
    raise ValueError("top-level keys of the knowledge files must be unique across files")


def describe(spec: Spec) -> str:
    """What a value of this spec looks like, for error messages."""
    if isinstance(spec, Enum):
        return spec.doc or "one of " + ", ".join(spec.choices)
    if isinstance(spec, Ref):
        return spec.doc or f"the id of an existing {spec.kind} record"
    if isinstance(spec, ListOf):
        return f"a list of {describe(spec.item)}"
    if isinstance(spec, Rec):
        return "a mapping with fields " + ", ".join(spec.fields)
    return spec.doc
