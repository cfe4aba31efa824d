"""Rendering is pure: escaping, splitting at line boundaries, buttons, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from db import knowledge as kdb
from handlers import render
from handlers.render import Button, escape, split_html, utf16_len
from knowledge.reply import Reply

TODAY = dt.date(2018, 8, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>굵게</b>", "&lt;b&gt;굵게&lt;/b&gt;"),
        ("A & B", "A &amp; B"),
        ("\"인용\" 'quote'", "\"인용\" 'quote'"),
        ("평범한 문장", "평범한 문장"),
    ],
)
def test_escape(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_short_text_is_one_message() -> None:
    assert split_html("한 줄\n두 줄") == ["한 줄\n두 줄"]


def test_split_keeps_lines_whole_and_under_the_limit() -> None:
    lines = [f"{i:04d} " + "가" * 95 for i in range(120)]  # 100 chars each, 12,119 in all
    parts = split_html("\n".join(lines))
    assert len(parts) == 3
    assert all(utf16_len(p) <= 4096 for p in parts)
    assert "\n".join(parts).split("\n") == lines  # nothing lost, no line broken


def test_split_counts_utf16_units() -> None:
    line = "😀" * 1500  # 3,000 UTF-16 units
    parts = split_html(f"{line}\n{line}")
    assert parts == [line, line]


def test_over_long_line_is_cut_at_a_space_never_inside_an_entity() -> None:
    words = escape("A&B 가나다 ") * 700  # one line, ~8,400 chars of HTML
    parts = split_html(words)
    assert len(parts) >= 2
    assert all(utf16_len(p) <= 4096 for p in parts)
    for part in parts:
        assert part.count("&") == part.count("&amp;")  # every entity intact
    assert " ".join(parts).split() == words.split()


def test_line_without_spaces_is_cut_hard() -> None:
    parts = split_html("가" * 5000, limit=4096)
    assert [len(p) for p in parts] == [4096, 904]


def test_blank_parts_are_dropped() -> None:
    assert split_html("\n\n\n") == []
    assert split_html("가\n\n\n", limit=2) == ["가"]


def test_reply_is_escaped_split_and_buttons_go_on_the_last_part() -> None:
    text = "\n".join(["<질문> & 답"] * 300)  # about 6,000 characters once escaped
    reply = Reply(text, "x", 1.0, suggestions=("신임자 과정 언제 시작해요?", "면접은요?"))
    outs = render.reply_messages(reply)
    assert len(outs) == 2
    assert all("<질문>" not in o.html and "&lt;질문&gt; &amp; 답" in o.html for o in outs)
    assert outs[0].rows == ()
    assert outs[1].rows == (
        (Button("신임자 과정 언제 시작해요?", "q:신임자 과정 언제 시작해요?"),),
        (Button("면접은요?", "q:면접은요?"),),
    )


def test_reply_without_suggestions_has_no_keyboard() -> None:
    [out] = render.reply_messages(Reply("답", None, 0.0))
    assert out == render.Out("답")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2018-06-23", None, "✔ 지난 일정"),
        ("2018-08-21", None, "▶ 오늘"),
        ("2018-08-20", "2018-08-24", "▶ 진행 중"),
        ("2018-08-22", None, "⏳ 예정 (D-1)"),
        ("2018-10-15", "2018-10-31", "⏳ 예정 (D-55)"),
    ],
)
def test_when_status(start: str, end: str | None, expected: str) -> None:
    assert render.when_status(start, end, TODAY) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2018-07-23", "2018-08-24", "2018. 7. 23.(월) ~ 8. 24.(금)"),
        ("2018-12-31", "2019-01-02", "2018. 12. 31.(월) ~ 2019. 1. 2.(수)"),
        ("2018-08-22", None, "2018. 8. 22.(수)"),
    ],
)
def test_korean_periods(start: str, end: str | None, expected: str) -> None:
    assert render.fmt_span_compact(start, end) == expected


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("staff", "<b>직원</b>으로"),
        ("examinee", "<b>수험생</b>으로"),
        ("parent", "<b>학부모</b>로"),
        ("other", "<b>기타</b>로"),
    ],
)
def test_audience_josa(audience: str, expected: str) -> None:
    assert expected in render.audience_saved(audience).html


def test_menus_are_tailored_to_the_audience() -> None:
    first = [row[0].data for row in render.menu_rows("examinee")]
    assert first[0] == "m:exams" and "m:daycare" not in first
    assert [row[0].data for row in render.menu_rows("parent")][0] == "m:daycare"


def test_pages_and_navigation() -> None:
    cats = [kdb.Category(f"c{i}", f"분야 {i}", "src") for i in range(14)]
    first = render.categories_page(cats, 0)
    assert "(1/3)" in first.html
    assert first.rows[-1] == (Button("다음 ▶", "c:l:1"),)
    middle = render.categories_page(cats, 1)
    assert middle.rows[-1] == (Button("◀ 이전", "c:l:0"), Button("다음 ▶", "c:l:2"))
    last = render.categories_page(cats, 99)  # out of range: the last page
    assert "(3/3)" in last.html and len(last.rows) == 3


def test_data_text_is_escaped_in_menus() -> None:
    category = kdb.Category("x", "<분야>", "src", summary="A & B")
    out = render.programs_page(category, [kdb.Program("p", "과정 <1>", "x", "출처 > 표")])
    assert "&lt;분야&gt;" in out.html and "A &amp; B" in out.html
    assert out.rows[0][0].label == "과정 <1>"  # button labels are plain text, not HTML


def test_program_detail_marks_sessions_relative_to_today() -> None:
    program = kdb.Program("p", "신임자 과정", "c", "Ⅲ-1-1", headcount=2276, sessions_planned=9)
    sessions = [
        kdb.Session("s8", "제8기", "src", start="2018-07-23", end="2018-08-24"),
        kdb.Session("s9", "제9기", "src", start="2018-08-27", end="2018-09-07"),
        kdb.Session("s0", "123기", "src", month="2018-02"),
    ]
    [out] = render.program_detail(program, sessions, [], TODAY, back_page=1)
    assert "• 2018년 계획: 9회, 2,276명" in out.html
    assert "제8기: 2018. 7. 23.(월) ~ 8. 24.(금) — ▶ 진행 중" in out.html
    assert "제9기: 2018. 8. 27.(월) ~ 9. 7.(금) — ⏳ 예정 (D-6)" in out.html
    assert "123기: 2018년 2월 (날짜 미정)" in out.html
    assert out.rows[-1] == (Button("⬅ 과정 목록", "c:c:c:1"),)


def test_help_lists_commands_escaped() -> None:
    out = render.help_text([("start", "시작"), ("ask", "질문 <예시>")])
    assert "/start — 시작" in out.html and "/ask — 질문 &lt;예시&gt;" in out.html


def test_every_shipped_screen_fits_in_one_telegram_message(db: object) -> None:
    """Every menu screen renders within 4096 characters (so it can be edited in place)."""
    screens = [render.categories_page(kdb.categories(db), p) for p in range(2)]
    for category in kdb.categories(db):
        screens.append(render.programs_page(category, kdb.programs(db, category=category.id)))
    for program in kdb.programs(db):
        screens += render.program_detail(
            program, kdb.sessions_of(db, program.id), kdb.programs(db, parent=program.id), TODAY
        )
    for rnd in kdb.rounds(db):
        screens += render.round_timeline(rnd, kdb.events(db, round_id=rnd.id), TODAY)
    screens += render.facility(kdb.buildings(db), kdb.amenities(db))
    screens += render.daycare_rules(kdb.section(db, "daycare"), kdb.priorities(db))
    assert all(0 < utf16_len(s.html) <= 4096 for s in screens)
    assert all(b.label for s in screens for row in s.rows for b in row)
