"""Rendering: pure functions from replies and knowledge records to Telegram HTML and buttons.

Every piece of user or data text goes through ``escape``. Buttons are plain ``Button`` values
(label, callback data); ``handlers.send`` turns them into inline keyboards and stores callback
data longer than Telegram's 64 bytes. Messages longer than 4096 characters are split at line
boundaries by ``split_html``.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from db import knowledge as kdb
from db.users import AUDIENCES
from knowledge.daycare_check import QUESTIONS, Outcome, Question
from knowledge.reply import Reply
from knowledge.text import EVENT_NAMES, fmt_date, fmt_month, fmt_span

MESSAGE_LIMIT = 4096
PAGE_SIZE = 6
MAX_SUGGESTIONS = 5
BASIS = "2018년 인재개발원 업무보고 기준"

MENU_LABELS: dict[str, str] = {
    "courses": "📚 교육과정",
    "exams": "📝 채용시험 일정",
    "daycare": "🧒 직장어린이집",
    "facility": "🏢 시설 안내",
    "ask": "💬 질문하는 방법",
}
MENUS_BY_AUDIENCE: dict[str | None, tuple[str, ...]] = {
    "staff": ("courses", "daycare", "facility", "ask"),
    "examinee": ("exams", "facility", "ask"),
    "parent": ("daycare", "facility", "ask"),
    "other": ("courses", "exams", "daycare", "facility", "ask"),
    None: ("courses", "exams", "daycare", "facility", "ask"),
}

APOLOGY = "죄송해요, 요청을 처리하다가 문제가 생겼어요. 잠시 후 다시 시도해 주세요."
STALE_BUTTON = "이 버튼은 더 이상 쓸 수 없어요. 메뉴를 다시 열어 주세요."
NOTHING_TO_CANCEL = "지금 진행 중인 작업이 없어요."
CHECK_CANCELLED = "입소 순위 확인을 그만두었어요. 필요하면 /daycare 에서 다시 시작할 수 있어요."
CHECK_OVER = "입소 순위 확인이 끝났거나 취소되었어요. /daycare 에서 다시 시작해 주세요."
UNKNOWN_COMMAND = "모르는 명령이에요. /help 로 명령 목록을 볼 수 있어요."


@dataclass(frozen=True)
class Button:
    label: str
    data: str = ""  # callback data; may exceed 64 bytes (the sender stores it under a short key)
    url: str | None = None  # a link button instead (e.g. a deep link into the private chat)


@dataclass(frozen=True)
class Out:
    """One message to send: Telegram HTML and rows of inline buttons."""

    html: str
    rows: tuple[tuple[Button, ...], ...] = ()


# --- text primitives -------------------------------------------------------------------------


def escape(text: str) -> str:
    """Text for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut_point(line: str, limit: int) -> int:
    """Where to cut an over-long line: at most ``limit`` UTF-16 units, never inside an entity
    or a tag, preferably after a space."""
    units, cut = 0, 0
    for i, ch in enumerate(line):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            break
        cut = i + 1
    space = line.rfind(" ", 0, cut)
    if space > cut // 2:
        cut = space + 1
    amp = line.rfind("&", 0, cut)
    if amp != -1 and ";" not in line[amp:cut]:
        cut = amp
    lt = line.rfind("<", 0, cut)
    if lt > line.rfind(">", 0, cut):
        cut = lt
    return max(cut, 1)


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split HTML text into messages of at most ``limit`` UTF-16 units, at line boundaries.

    Lines are kept whole; a single line longer than the limit is cut (at a space when it can
    be, never inside an entity such as ``&amp;``). Tags are assumed not to span lines.
    Whitespace-only pieces are dropped.
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = []
        while utf16_len(line) > limit:
            cut = _cut_point(line, limit)
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        pieces.append(line)
        for piece in pieces:
            length = utf16_len(piece)
            extra = length + (1 if current else 0)
            if current and size + extra > limit:
                chunks.append("\n".join(current))
                current, size = [], 0
                extra = length
            current.append(piece)
            size += extra
    if current:
        chunks.append("\n".join(current))
    return [c.strip("\n") for c in chunks if c.strip()]


def _messages(text: str, rows: Sequence[Sequence[Button]] = ()) -> list[Out]:
    """Split ``text`` into messages; the buttons go under the last one."""
    parts = split_html(text) or [escape("…")]
    frozen_rows = tuple(tuple(r) for r in rows if r)
    return [Out(p, frozen_rows if i == len(parts) - 1 else ()) for i, p in enumerate(parts)]


def shorten(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _josa_euro(word: str) -> str:
    """'으로' after a final consonant other than ㄹ, else '로'."""
    last = word[-1] if word else ""
    if "가" <= last <= "힣":
        final = (ord(last) - 0xAC00) % 28
        return "으로" if final not in (0, 8) else "로"
    return "로"


def fmt_span_compact(start: str, end: str | None) -> str:
    return fmt_span(start, end, compact=True)


def when_status(start: str, end: str | None, today: dt.date) -> str:
    """Past / ongoing / upcoming, relative to ``today``."""
    first = dt.date.fromisoformat(start)
    last = dt.date.fromisoformat(end) if end else first
    if last < today:
        return "✔ 지난 일정"
    if first <= today:
        return "▶ 진행 중" if last > first else "▶ 오늘"
    return f"⏳ 예정 (D-{(first - today).days})"


def source_line(source: str | None) -> str:
    tail = f" · 출처: {escape(source)}" if source else ""
    return f"<i>※ {BASIS}{tail}</i>"


def _page_of(count: int, page: int, size: int = PAGE_SIZE) -> tuple[int, int]:
    """(page clamped to range, number of pages)."""
    pages = max(1, math.ceil(count / size))
    return min(max(page, 0), pages - 1), pages


def _nav_row(data_for_page: str, page: int, pages: int) -> tuple[Button, ...]:
    row = []
    if page > 0:
        row.append(Button("◀ 이전", data_for_page.format(page=page - 1)))
    if page < pages - 1:
        row.append(Button("다음 ▶", data_for_page.format(page=page + 1)))
    return tuple(row)


# --- free-text replies -----------------------------------------------------------------------


def suggestion_rows(suggestions: Iterable[str]) -> list[tuple[Button, ...]]:
    """One button per suggested question; pressing it asks that question."""
    return [(Button(shorten(s, 48), f"q:{s}"),) for s in list(suggestions)[:MAX_SUGGESTIONS]]


DETAIL_BUTTON = "📄 자세히"


def reply_messages(reply: Reply) -> list[Out]:
    """A core reply: escaped text split into messages, suggestions as buttons on the last, and
    "자세히" when the reply is the short form of a longer card."""
    rows = suggestion_rows(reply.suggestions)
    if reply.detail:
        rows.append((Button(DETAIL_BUTTON, "q:자세히"),))
    return _messages(escape(reply.text), rows)


# --- start, help, ask ------------------------------------------------------------------------


def welcome(first_name: str | None) -> Out:
    name = f", {escape(first_name)}님" if first_name else ""
    text = (
        f"안녕하세요{name}! 서울특별시 인재개발원 안내 챗봇입니다.\n"
        "교육과정, 채용시험 일정, 직장어린이집, 시설 안내를 도와드려요. "
        "궁금한 것을 평소 말투로 물어보셔도 됩니다.\n\n"
        "<b>어떤 분이신가요?</b> 알맞은 메뉴를 보여 드릴게요."
    )
    buttons = [Button(label, f"a:{code}") for code, label in AUDIENCES.items()]
    return Out(text, (tuple(buttons[:2]), tuple(buttons[2:])))


def menu_rows(audience: str | None) -> tuple[tuple[Button, ...], ...]:
    items = MENUS_BY_AUDIENCE.get(audience, MENUS_BY_AUDIENCE[None])
    return tuple((Button(MENU_LABELS[item], f"m:{item}"),) for item in items)


def audience_saved(audience: str) -> Out:
    label = AUDIENCES[audience]
    text = (
        f"<b>{escape(label)}</b>{_josa_euro(label)} 기억할게요. 자주 찾는 메뉴예요.\n"
        "언제든 /help 로 모든 명령을 볼 수 있어요."
    )
    return Out(text, menu_rows(audience))


def help_text(commands: Iterable[tuple[str, str]]) -> Out:
    """``commands`` are (name, Korean description) pairs from the registry."""
    lines = ["<b>사용할 수 있는 명령</b>"]
    lines += [f"/{name} — {escape(description)}" for name, description in commands]
    lines += [
        "",
        "명령 없이 궁금한 것을 문장으로 보내도 돼요. 예: <i>신임자 과정 언제 시작해요?</i>",
        "그룹 대화에서는 저를 @멘션하거나 제 메시지에 답장하거나, "
        "<code>/ask 질문</code>처럼 명령으로 부를 때만 답해요.",
    ]
    return Out("\n".join(lines))


def ask_help(examples: Sequence[str]) -> Out:
    text = (
        "<b>질문하는 방법</b>\n"
        "궁금한 것을 평소 말투로 보내 주세요. 과정 이름, 시험 회차, 날짜를 함께 적으면 더 정확해요.\n"
        '앞 질문에 이어서 "그럼 면접은요?"처럼 짧게 물어도 돼요.\n'
        "그룹 대화에서는 <code>/ask 질문</code>으로 물어보세요.\n\n"
        "아래 예시를 눌러 볼 수도 있어요."
    )
    return Out(text, tuple(suggestion_rows(examples)))


# --- courses ---------------------------------------------------------------------------------


def categories_page(categories: Sequence[kdb.Category], page: int = 0) -> Out:
    page, pages = _page_of(len(categories), page)
    shown = categories[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    text = "<b>📚 교육과정</b>\n분야를 골라 주세요."
    if pages > 1:
        text += f" ({page + 1}/{pages})"
    rows = [(Button(shorten(c.name), f"c:c:{c.id}:0"),) for c in shown]
    rows.append(_nav_row("c:l:{page}", page, pages))
    return Out(text, tuple(r for r in rows if r))


def programs_page(category: kdb.Category, programs: Sequence[kdb.Program], page: int = 0) -> Out:
    page, pages = _page_of(len(programs), page)
    shown = programs[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [f"<b>📚 {escape(category.name)}</b>"]
    if category.summary:
        lines.append(escape(category.summary))
    if programs:
        lines.append(f"과정을 골라 주세요. ({page + 1}/{pages})" if pages > 1 else "과정을 골라 주세요.")
    else:
        lines.append("이 분야에 등록된 과정이 없어요.")
    rows = [(Button(shorten(p.name), f"c:p:{p.id}:{page}"),) for p in shown]
    rows.append(_nav_row(f"c:c:{category.id}:{{page}}", page, pages))
    rows.append((Button("⬅ 분야 목록", "c:l:0"),))
    return Out("\n".join(lines), tuple(r for r in rows if r))


def _session_line(s: kdb.Session, today: dt.date) -> str:
    if s.start:
        when = f"{fmt_span_compact(s.start, s.end)} — {when_status(s.start, s.end, today)}"
    elif s.month:
        when = f"{fmt_month(s.month)} (날짜 미정)"
    else:
        when = "일정 미정"
    extra = []
    if s.headcount:
        extra.append(f"{s.headcount:,}명")
    if s.target:
        extra.append(escape(s.target))
    if s.note:
        extra.append(escape(s.note))
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"• {escape(s.name)}: {when}{tail}"


def program_detail(
    program: kdb.Program,
    sessions: Sequence[kdb.Session],
    children: Sequence[kdb.Program],
    today: dt.date,
    back_page: int = 0,
) -> list[Out]:
    lines = [f"<b>{escape(program.name)}</b>"]
    if program.summary:
        lines.append(escape(program.summary))
    fields = [
        ("대상", program.target),
        ("직급", ", ".join(program.ranks) if program.ranks else None),
        ("기간", program.duration),
        ("방식", program.format),
        (
            "2018년 계획",
            ", ".join(
                x
                for x in (
                    f"{program.sessions_planned:,}회" if program.sessions_planned else "",
                    f"{program.headcount:,}명" if program.headcount else "",
                )
                if x
            )
            or None,
        ),
    ]
    lines += [f"• {name}: {escape(value)}" for name, value in fields if value]
    if program.content:
        lines.append("• 내용: " + escape(", ".join(program.content)))
    if sessions:
        lines += ["", f"<b>기수 일정</b> (오늘 {fmt_date(today.isoformat(), compact=True)} 기준)"]
        lines += [_session_line(s, today) for s in sessions]
    for fact in program.facts:
        lines.append(f"• {escape(fact.label)}: {escape(fact.text)}")
    lines += ["", source_line(program.source)]
    rows: list[tuple[Button, ...]] = [(Button(shorten(c.name), f"c:p:{c.id}:{back_page}"),) for c in children]
    if program.parent:
        rows.append((Button("⬆ 상위 과정", f"c:p:{program.parent}:{back_page}"),))
    rows.append((Button("⬅ 과정 목록", f"c:c:{program.category}:{back_page}"),))
    return _messages("\n".join(lines), rows)


# --- exams -----------------------------------------------------------------------------------


def rounds_menu(rounds: Sequence[kdb.Round]) -> Out:
    text = "<b>📝 2018년 채용시험</b>\n회차를 고르면 일정을 보여 드려요."
    return Out(text, tuple((Button(shorten(r.name), f"x:r:{r.id}"),) for r in rounds))


def round_timeline(rnd: kdb.Round, events: Sequence[kdb.Event], today: dt.date) -> list[Out]:
    lines = [f"<b>📝 {escape(rnd.name)}</b>"]
    facts = []
    if rnd.planned:
        facts.append(f"계획 {rnd.planned:,}명")
    if rnd.hired:
        facts.append(f"채용 {rnd.hired:,}명")
    if rnd.status:
        facts.append(escape(rnd.status))
    if facts:
        lines.append(" · ".join(facts))
    lines += ["", f"<b>일정</b> (오늘 {fmt_date(today.isoformat(), compact=True)} 기준)"]
    if events:
        for e in events:
            label = EVENT_NAMES.get(e.type, e.type)
            note = f" — {escape(e.note)}" if e.note else ""
            lines.append(
                f"{when_status(e.start, e.end, today)} · <b>{escape(label)}</b>: "
                f"{fmt_span_compact(e.start, e.end)}{note}"
            )
    elif rnd.exam_month:
        lines.append(f"날짜가 정해진 일정은 보고서에 없어요. 시험은 {fmt_month(rnd.exam_month)} 예정이에요.")
    else:
        lines.append("날짜가 정해진 일정은 보고서에 없어요.")
    lines += ["", source_line(rnd.source)]
    return _messages("\n".join(lines), [(Button("⬅ 회차 목록", "x:l"),)])


# --- facility --------------------------------------------------------------------------------


def _floors(b: kdb.Building) -> str:
    parts = []
    if b.floors_below:
        parts.append(f"지하 {b.floors_below}층")
    parts.append(f"지상 {b.floors_above}층")
    return ", ".join(parts)


def facility(
    buildings: Sequence[kdb.Building], amenities: Sequence[kdb.Amenity], site_facts: Sequence[kdb.Fact] = ()
) -> list[Out]:
    lines = ["<b>🏢 인재개발원 시설 안내</b>"]
    lines += [escape(f.text) for f in site_facts[:1]]
    if buildings:
        lines += ["", "<b>건물</b>"]
    placed: set[str] = set()
    for b in buildings:
        lines.append(f"• {escape(b.name)} — {_floors(b)}")
        for a in amenities:
            if a.building == b.id:
                placed.add(a.id)
                desc = f": {escape(a.description)}" if a.description else ""
                lines.append(f"   · {escape(a.name)}{desc}")
    rest = [a for a in amenities if a.id not in placed]
    if rest:
        lines += ["", "<b>교육·편의시설</b>"]
        for a in rest:
            desc = f": {escape(a.description)}" if a.description else ""
            lines.append(f"• {escape(a.name)}{desc}")
    source = buildings[0].source if buildings else None
    lines += ["", source_line(source)]
    return _messages("\n".join(lines))


# --- daycare ---------------------------------------------------------------------------------


def _rank_name(p: kdb.Priority) -> str:
    return f"{p.rank}순위"


CHECK_BUTTON = Button("🧒 우리 아이 입소 순위 확인하기", "d:go")


def daycare_rules(
    section: kdb.Section | None, priorities: Sequence[kdb.Priority], check: Button = CHECK_BUTTON
) -> list[Out]:
    """The rules, and ``check``: the button that starts the check (a link to the private chat
    in groups)."""
    name = (section.get("name") if section else None) or "직장어린이집"
    lines = [f"<b>🧒 {escape(name)}</b>"]
    if section and section.get("eligibility"):
        lines.append(f"• 입소 대상: {escape(section.get('eligibility'))}")
    if section and section.get("vacancy"):
        lines.append(f"• 결원이 있을 때: {escape(section.get('vacancy'))}")
    if priorities:
        lines += ["", "<b>입소 우선순위</b> (숫자가 작을수록 먼저예요)"]
        for p in priorities:
            detail = f" — {escape(p.detail)}" if p.detail else ""
            basis = f" (근거: {escape(p.basis)})" if p.basis else ""
            lines.append(f"• <b>{_rank_name(p)}</b> {escape(p.group)}{detail}{basis}")
    lines += [
        "",
        "아래 버튼을 누르면 몇 가지 질문으로 우리 아이의 예상 순위를 알려 드려요.",
        source_line(section.get("source") if section else None),
    ]
    return _messages("\n".join(lines), [(check,)])


def daycare_question(question: Question, answers: dict[str, bool]) -> Out:
    number = len(answers) + 1
    text = (
        f"<b>입소 순위 확인 · 질문 {number}</b>\n{escape(question.text)}\n\n<i>그만두려면 /cancel 을 보내 주세요.</i>"
    )
    return Out(text, ((Button("예", f"d:{question.id}:y"), Button("아니요", f"d:{question.id}:n")),))


def daycare_result(outcome: Outcome, section: kdb.Section | None, answers: dict[str, bool]) -> Out:
    """The verdict first (not eligible, or the rank), then its basis, then the answers given."""
    lines = ["<b>🧒 입소 순위 확인 결과</b>"]
    p = outcome.priority
    vacancy = section.get("vacancy") if section else None
    if not outcome.eligible:
        lines.append("<b>보고서 기준으로는 입소 대상이 아닐 수 있어요.</b>")
        lines.append(
            "직원 자녀가 아닌 아동은 결원이 있을 때에만 입소할 수 있는데, 보고서는 그 기회를 "
            "서울 소재 지역아동에게 준다고 적고 있어요."
        )
        if vacancy:
            lines.append(f"<i>보고서: {escape(vacancy)}</i>")
    elif p is None:
        lines.append("보고서의 우선순위 자료를 찾지 못했어요. /daycare 의 안내를 확인해 주세요.")
    else:
        lines.append(f"예상 순위: <b>{_rank_name(p)}</b> ({escape(p.group)})")
        lines.append(
            f"법적 근거: {escape(p.basis)}"
            if p.basis
            else "법적 근거: 보고서에 이 순위의 법적 근거는 따로 적혀 있지 않아요."
        )
        if p.rank == 0:
            lines.append("가장 높은 순위(최우선)예요.")
        for other in outcome.also_listed:
            lines.append(
                f"보고서는 같은 대상을 {_rank_name(other)}({escape(other.group)})에도 적고 "
                "있지만, 두 순위를 어떻게 구분하는지는 설명하지 않아요. "
                "높은 순위를 기준으로 안내했어요."
            )
        if not outcome.staff_child and vacancy:
            lines += ["", f"직원 자녀가 아닌 아동의 입소: {escape(vacancy)}"]
    lines += ["", "<b>답하신 내용</b>"]
    lines += [f"<i>{escape(q.text)} → {'예' if answers[q.id] else '아니요'}</i>" for q in QUESTIONS if q.id in answers]
    lines += [
        "",
        "<i>이 결과는 보고서에 적힌 기준에 따른 안내이며, 실제 입소는 어린이집의 입소 절차에 따라 결정돼요.</i>",
        source_line(section.get("source") if section else None),
    ]
    return Out("\n".join(lines), ((Button("⬅ 어린이집 안내", "m:daycare"),),))
