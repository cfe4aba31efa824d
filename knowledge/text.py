"""Korean wording shared by every channel: dates, periods, amounts, particles, event names."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.knowledge import Session

BASIS = "2018년 업무보고 기준"
WEEKDAYS = "월화수목금토일"
EVENT_NAMES = {
    "application": "원서접수",
    "written_exam": "필기시험",
    "written_result": "필기 합격자 발표",
    "personality_test": "인성검사",
    "interview": "면접시험",
    "final_result": "최종 합격자 발표",
}


def fmt_date(iso: str, *, year: bool = True, compact: bool = False) -> str:
    """'2018-07-17' → '2018년 7월 17일(화)', or compact '2018. 7. 17.(화)' for menus."""
    d = dt.date.fromisoformat(iso)
    if compact:
        head = f"{d.year}. {d.month}. {d.day}." if year else f"{d.month}. {d.day}."
    else:
        head = f"{d.year}년 {d.month}월 {d.day}일" if year else f"{d.month}월 {d.day}일"
    return f"{head}({WEEKDAYS[d.weekday()]})"


def fmt_span(start: str, end: str | None, *, compact: bool = False) -> str:
    if not end or end == start:
        return fmt_date(start, compact=compact)
    same_year = start[:4] == end[:4]
    return f"{fmt_date(start, compact=compact)} ~ {fmt_date(end, year=not same_year, compact=compact)}"


def fmt_month(ym: str) -> str:
    y, m = ym.split("-")
    return f"{int(y)}년 {int(m)}월"


def cohort_detail(s: Session, *, headcount: bool = True) -> str:
    """A cohort's line as a fact says it: its dates (or month), headcount, target and note."""
    when = fmt_span(s.start, s.end) if s.start else (fmt_month(s.month) if s.month else "")
    count = f"{s.headcount:,}명" if headcount and s.headcount else ""
    return ", ".join(x for x in (when, count, s.target or "", s.note or "") if x)


def when_note(start: str, end: str | None, today: dt.date) -> str:
    """'이미 지난 일정입니다' / '진행 중' / 'D-n' relative to ``today``."""
    s = dt.date.fromisoformat(start)
    e = dt.date.fromisoformat(end) if end else s
    if e < today:
        return "이미 지난 일정입니다"
    if s <= today <= e:
        return "현재 진행 중입니다" if e != s else "오늘입니다"
    return f"D-{(s - today).days}"


def josa(word: str, pair: str) -> str:
    """``word`` with the particle of ``pair`` ('은는', '이가', '을를', '과와') that fits its last
    syllable (the first of the pair after a final consonant)."""
    last = word.rstrip(")]’' ")[-1:] or " "
    code = ord(last) - 0xAC00
    has_final = code % 28 != 0 if 0 <= code <= 11171 else last in "013678"
    return word + (pair[0] if has_final else pair[1])


def num(n: int | float | None, unit: str = "") -> str:
    if n is None:
        return "-"
    text = f"{n:,}" if isinstance(n, int) else f"{n:,.1f}".rstrip("0").rstrip(".")
    return text + unit


def won(thousands: int | None, *, words: bool = True) -> str:
    """An amount in 천원 as the report writes it, with Korean words beside it (1,816,633천원(18억
    1,663만원)); ``words=False`` leaves the words out, for the figures that only support the answer."""
    if thousands is None:
        return "-"
    if not words:
        return f"{thousands:,}천원"
    sign = "-" if thousands < 0 else ""
    man = abs(thousands) // 10  # 만원
    eok, rest = divmod(man, 10000)
    parts = []
    if eok:
        parts.append(f"{eok:,}억")
    if rest:
        parts.append(f"{rest:,}만")
    words = " ".join(parts) + "원" if parts else f"{abs(thousands):,}천원"
    return f"{sign}{abs(thousands):,}천원({sign}{words})"


_SECTION_NUMBER = re.compile(r"^([ⅠⅡⅢⅣⅤ]-\d+(?:-\d+)*) ")


def with_status(answer: str, status: str | None) -> str:
    """An audit item's answer with its status, unless the answer says it already ("… 추진상황:
    추진완료.")."""
    return answer + (f" 추진상황: {status}." if status and status not in answer else "")


def cite(source: str) -> str:
    """A source path as a reply cites it: the report section of each place, a numbered one by its
    number, without the table and row names the answer already says ("Ⅲ-1-1 신임자 과정 운영 강화 >
    예산집행 현황" → "Ⅲ-1-1"; "Ⅰ-일반현황 > 시설" → "Ⅰ-일반현황")."""
    heads = (part.split(" > ")[0].strip() for part in source.split(";"))
    numbered = (m.group(1) if (m := _SECTION_NUMBER.match(head)) else head for head in heads)
    return ", ".join(dict.fromkeys(head for head in numbered if head))


def basis(source: str | None = None) -> str:
    return f"({BASIS}" + (f" · 출처 {cite(source)})" if source else ")")


# Ranks as the report writes them: alone ("5급"), in a list ("7·9급", "4·5급", "9,7급") or a range ("6~9급")
_RANKS = re.compile(r"\d(?:\s*[~∼·,-]\s*\d)*\s*급")


def ranks_written(text: str) -> frozenset[int]:
    """Every rank ``text`` speaks of ("6~9급 신임" → 6, 7, 8, 9; "제2회 7·9급 공채" → 7, 9)."""
    out: set[int] = set()
    for group in _RANKS.finditer(text):
        numbers = [int(n) for n in re.findall(r"\d", group.group(0))]
        if re.search(r"[~∼-]", group.group(0)):
            out.update(range(min(numbers), max(numbers) + 1))
        else:
            out.update(numbers)
    return frozenset(out)
