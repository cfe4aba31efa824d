"""The staff console over HTTP: sign-in, sessions, CSRF, roles, and every page, on a real SQLite
file and a real copy of the knowledge files (aiohttp's test server; no mocks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlite_utils import Database

from console.app import COOKIE, Settings, build_app
from db import broadcasts as bdb
from db import console as cdb
from db import roles
from db.schema import connect
from knowledge.core import Brain
from knowledge.reminders import CONFIG_PATH, day_plan, load_config
from knowledge.store import load_directory

SEOUL = ZoneInfo("Asia/Seoul")
START = dt.datetime(2018, 7, 1, 10, 0, tzinfo=SEOUL)
STAFF, ADMIN, STRANGER = 501, 502, 503
EVENT = "/knowledge/exams.yaml/events/3"  # second-written-result, 2018-08-22
DECLINED = "뉴비과정 언제 시작해요?"


class Clock:
    def __init__(self) -> None:
        self.at = START

    def now(self) -> dt.datetime:
        return self.at


@pytest.fixture
def site(tmp_path: Path, data_copy: Path) -> tuple[Database, Path, Clock]:
    path = tmp_path / "console.db"
    load_directory(path, data_copy)
    return connect(path), data_copy, Clock()


def settings_for(db: Database, clock: Clock, **kw: Any) -> Settings:
    def answer(question: str, at: dt.datetime) -> tuple[str, str | None]:
        reply = Brain(db, log_unanswered=False).answer(question, now=at)
        return reply.text, reply.intent

    return Settings(
        db=db, now=clock.now, reminder_config=load_config(CONFIG_PATH), admins=frozenset({ADMIN}), answer=answer, **kw
    )


@pytest.fixture
async def client(site: tuple[Database, Path, Clock]) -> AsyncIterator[TestClient]:
    db, _dir, clock = site
    async with TestClient(TestServer(build_app(settings_for(db, clock)))) as c:
        yield c


async def sign_in(client: TestClient, db: Database, user_id: int | None = None) -> str:
    """Sign in with a fresh login token; return the session's CSRF token."""
    token = cdb.create_login_token(db, user_id, START)
    resp = await client.get(f"/login?token={token}", allow_redirects=False)
    assert resp.status == 303, await resp.text()
    page = await (await client.get("/broadcasts")).text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def fingerprint(db: Database, directory: Path) -> tuple[str, ...]:
    files = tuple(hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.yaml")))
    dump = hashlib.sha256("\n".join(db.conn.iterdump()).encode()).hexdigest()
    return (*files, dump)


def fields_of(page: str) -> dict[str, str]:
    """The record form's current values (inputs, selects and textareas)."""
    out = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<input id="in-(\w+)" name="\w+"(?: type="\w+")?(?: step="\w+")? value="([^"]*)"', page)
    }
    for m in re.finditer(r'<select id="in-(\w+)".*?</select>', page, re.S):
        chosen = re.search(r"<option selected>([^<]*)</option>", m.group(0))
        out[m.group(1)] = chosen.group(1) if chosen else ""
    for m in re.finditer(r'<textarea id="in-(\w+)"[^>]*>(.*?)</textarea>', page, re.S):
        out[m.group(1)] = m.group(2)
    import html

    return {k: html.unescape(v) for k, v in out.items()}


# --- sign-in and sessions --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/unanswered", "/knowledge", "/broadcasts", "/reminders", "/audit", "/roles", EVENT, "/broadcasts/1"]
)
async def test_every_page_needs_a_session(client: TestClient, path: str) -> None:
    resp = await client.get(path)
    assert resp.status == 401
    assert "로그인이 필요해요" in await resp.text()


async def test_a_login_url_works_once_and_sets_a_strict_http_only_cookie(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    token = cdb.create_login_token(db, None, START)
    resp = await client.get(f"/login?token={token}", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Max-Age=" in cookie
    assert (await client.get("/unanswered")).status == 200
    client.session.cookie_jar.clear()
    again = await client.get(f"/login?token={token}", allow_redirects=False)
    assert again.status == 403 and "이미 쓰였거나 만료" in await again.text()
    assert (await client.get("/unanswered")).status == 401


@pytest.mark.parametrize("token", ["", "x", "' OR 1=1 --", "a" * 5000, "%00"])
async def test_malformed_login_tokens_are_refused(client: TestClient, token: str) -> None:
    resp = await client.get("/login", params={"token": token}, allow_redirects=False)
    assert resp.status == 403
    assert COOKIE not in resp.cookies


async def test_login_tokens_expire_after_ten_minutes_and_sessions_expire(client: TestClient, site: Any) -> None:
    db, _dir, clock = site
    token = cdb.create_login_token(db, None, START)
    clock.at = START + dt.timedelta(minutes=10, seconds=1)
    assert (await client.get(f"/login?token={token}", allow_redirects=False)).status == 403
    clock.at = START
    await sign_in(client, db)
    clock.at = START + cdb.SESSION_TTL + dt.timedelta(seconds=1)
    assert (await client.get("/")).status == 401


async def test_a_forged_session_cookie_is_refused(client: TestClient) -> None:
    client.session.cookie_jar.update_cookies({COOKIE: "made-up"})
    assert (await client.get("/")).status == 401


async def test_logout_ends_the_session(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    csrf = await sign_in(client, db)
    assert (await client.post("/logout", data={"csrf": csrf})).status == 200
    assert (await client.get("/")).status == 401


# --- roles -----------------------------------------------------------------------------------


async def test_staff_sessions_follow_the_role_on_every_request(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    roles.grant(db, STAFF, roles.STAFF, by=ADMIN, now=START)
    await sign_in(client, db, STAFF)
    assert (await client.get("/unanswered")).status == 200
    resp = await client.get("/roles")
    assert resp.status == 403 and "관리자만" in await resp.text()
    roles.revoke(db, STAFF, roles.STAFF)
    assert (await client.get("/unanswered")).status == 403
    assert (await client.get("/unanswered")).status == 401  # the session was ended


async def test_a_link_for_a_user_without_a_role_opens_nothing(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    token = cdb.create_login_token(db, STRANGER, START)
    await client.get(f"/login?token={token}", allow_redirects=False)
    assert (await client.get("/")).status == 403


async def test_admins_grant_and_revoke_with_audit(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    csrf = await sign_in(client, db, ADMIN)
    resp = await client.post("/roles/grant", data={"csrf": csrf, "user_id": str(STAFF), "role": "staff"})
    assert resp.status == 200 and str(STAFF) in await resp.text()
    assert roles.is_staff(db, STAFF)
    await client.post("/roles/revoke", data={"csrf": csrf, "user_id": str(STAFF), "role": "staff"})
    assert not roles.is_staff(db, STAFF)
    actions = [(e.action, e.user_id) for e in cdb.audit_entries(db)]
    assert ("console.roles.grant", ADMIN) in actions and ("console.roles.revoke", ADMIN) in actions


async def test_admins_verify_employees_on_the_roles_page(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    csrf = await sign_in(client, db, ADMIN)
    resp = await client.post("/roles/grant", data={"csrf": csrf, "user_id": str(STRANGER), "role": "verified"})
    assert resp.status == 200 and "🔒 인증 직원" in await resp.text()
    assert roles.is_verified(db, STRANGER) and not roles.is_staff(db, STRANGER)
    await client.post("/roles/revoke", data={"csrf": csrf, "user_id": str(STRANGER), "role": "verified"})
    assert not roles.is_verified(db, STRANGER)


@pytest.mark.parametrize(
    "user_id, role", [("abc", "staff"), ("-5", "staff"), ("", "staff"), ("7", "owner"), ("9" * 40, "staff")]
)
async def test_bad_role_forms_are_refused_and_change_nothing(
    client: TestClient, site: Any, user_id: str, role: str
) -> None:
    db, _dir, _clock = site
    csrf = await sign_in(client, db, ADMIN)
    before = roles.grants(db)
    resp = await client.post("/roles/grant", data={"csrf": csrf, "user_id": user_id, "role": role})
    assert resp.status == 400 and 'id="errors"' in await resp.text()
    assert roles.grants(db) == before


# --- CSRF and broadcasts ---------------------------------------------------------------------


@pytest.mark.parametrize("csrf", [None, "", "wrong"])
async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, site: Any, csrf: str | None
) -> None:
    db, directory, _clock = site
    await sign_in(client, db)
    before = fingerprint(db, directory)
    data = {"text": "공지입니다", "audience": "all"}
    if csrf is not None:
        data["csrf"] = csrf
    resp = await client.post("/broadcasts", data=data)
    assert resp.status == 403
    assert fingerprint(db, directory) == before
    assert bdb.recent(db, include_drafts=True) == []


async def test_compose_preview_then_queue_a_notice(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    csrf = await sign_in(client, db)
    form = {"csrf": csrf, "text": "내일 <교육> 안내입니다", "audience": "all", "action": "preview"}
    preview = await (await client.post("/broadcasts", data=form)).text()
    assert "내일 &lt;교육&gt; 안내입니다" in preview and bdb.recent(db) == []
    resp = await client.post("/broadcasts", data={**form, "action": "send", "at": "2018-07-02 09:00"})
    assert resp.status == 200 and 'id="queued"' in await resp.text()
    [b] = bdb.recent(db)
    assert b.state == bdb.QUEUED and b.audience == "all"
    assert b.text == "내일 &lt;교육&gt; 안내입니다" and b.scheduled_at == "2018-07-02T09:00:00+09:00"
    report = await (await client.get(f"/broadcasts/{b.id}")).text()
    assert 'id="report"' in report
    await client.post(f"/broadcasts/{b.id}/cancel", data={"csrf": csrf})
    assert bdb.get(db, b.id).state == bdb.CANCELLED
    assert {"console.broadcast", "console.broadcast.cancel"} <= {e.action for e in cdb.audit_entries(db)}


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("text", "   ", "비어"),
        ("text", "가" * 5000, "4,096자"),
        ("audience", "everyone!", "모르는 대상"),
        ("audience", "topic:exam_round:nope", "모르는 구독 주제"),
        ("at", "어제쯤", ""),
        ("at", "2018-06-30 09:00", ""),
    ],
)
async def test_bad_notice_fields_are_shown_by_the_field_and_queue_nothing(
    client: TestClient, site: Any, field: str, value: str, words: str
) -> None:
    db, _dir, _clock = site
    csrf = await sign_in(client, db)
    form = {"csrf": csrf, "text": "공지", "audience": "all", field: value}
    resp = await client.post("/broadcasts", data=form)
    page = await resp.text()
    assert resp.status == 400
    error = re.search(r'class="field-error">([^<]*)<', page).group(1)
    assert words in error
    assert bdb.recent(db, include_drafts=True) == []


@pytest.mark.parametrize("path", ["/broadcasts/999", "/broadcasts/abc"])
async def test_unknown_broadcasts_are_not_found(client: TestClient, site: Any, path: str) -> None:
    await sign_in(client, site[0])
    assert (await client.get(path)).status == 404


# --- unanswered ------------------------------------------------------------------------------


async def test_a_declined_question_is_listed_and_an_alias_makes_it_answered(client: TestClient, site: Any) -> None:
    db, directory, _clock = site
    reply = Brain(db).answer(DECLINED, now=START)
    assert reply.intent is None
    csrf = await sign_in(client, db)
    page = await (await client.get("/unanswered")).text()
    assert DECLINED in page
    group = cdb.unanswered_groups(db)[0].normalized
    form_page = await (await client.get("/unanswered/alias", params={"group": group})).text()
    target = re.search(r'<option value="(programs\.yaml\|programs\|\d+)">[^<]*newcomer ', form_page)
    resp = await client.post(
        "/unanswered/alias",
        data={"csrf": csrf, "group": group, "question": DECLINED, "phrase": "뉴비과정", "target": target.group(1)},
    )
    result = await resp.text()
    assert resp.status == 200, result
    assert 'id="new-answer"' in result and "신임자" in result
    assert "뉴비과정" in (directory / "programs.yaml").read_text(encoding="utf-8")
    assert Brain(db).answer(DECLINED, now=START).intent is not None
    assert DECLINED not in await (await client.get("/unanswered")).text()  # resolved
    assert [v.file for v in cdb.versions(db)] == ["programs.yaml", "programs.yaml"]


@pytest.mark.parametrize(
    "target, phrase",
    [
        ("programs.yaml|programs|9999", "뉴비"),
        ("nope.yaml|x|0", "뉴비"),
        ("garbage", "뉴비"),
        ("programs.yaml|programs|0", "   "),
        ("exams.yaml|events|0", "뉴비"),
    ],
)
async def test_bad_alias_forms_change_nothing(client: TestClient, site: Any, target: str, phrase: str) -> None:
    db, directory, _clock = site
    csrf = await sign_in(client, db)
    before = fingerprint(db, directory)
    resp = await client.post("/unanswered/alias", data={"csrf": csrf, "group": "", "phrase": phrase, "target": target})
    assert resp.status == 400 and 'id="errors"' in await resp.text()
    assert fingerprint(db, directory) == before


async def test_marking_out_of_scope_and_later(client: TestClient, site: Any) -> None:
    db, _dir, clock = site
    brain = Brain(db)
    brain.answer("오늘 서울 날씨 어때요?", now=START)
    brain.answer(DECLINED, now=START)
    csrf = await sign_in(client, db)
    groups = {g.example: g.normalized for g in cdb.unanswered_groups(db)}
    await client.post(
        "/unanswered/mark", data={"csrf": csrf, "status": "out_of_scope", "group": groups["오늘 서울 날씨 어때요?"]}
    )
    await client.post("/unanswered/mark", data={"csrf": csrf, "status": "later", "group": groups[DECLINED]})
    assert cdb.unanswered_groups(db) == []
    assert "날씨" in await (await client.get("/unanswered?show=out_of_scope")).text()
    brain.answer(DECLINED, now=START + dt.timedelta(hours=1))  # asked again: back on the list
    brain.answer("오늘 서울 날씨 어때요?", now=START + dt.timedelta(hours=1))
    assert [g.example for g in cdb.unanswered_groups(db)] == [DECLINED]
    bad = await client.post("/unanswered/mark", data={"csrf": csrf, "status": "delete", "group": "x"})
    assert bad.status == 400


# --- knowledge -------------------------------------------------------------------------------


async def test_knowledge_lists_every_file_and_the_record_form_follows_the_schema(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    await sign_in(client, db)
    page = await (await client.get("/knowledge")).text()
    for name in ("exams.yaml", "programs.yaml", "daycare.yaml", "topics.yaml"):
        assert f'<b class="filename">{name}</b>' in page
    form = await (await client.get(EVENT)).text()
    assert 'id="in-start" name="start" type="date" value="2018-08-22"' in form
    assert '<select id="in-type"' in form
    program = await (await client.get("/knowledge/programs.yaml/programs/0")).text()
    assert 'type="number"' in program and 'class="list"' in program


@pytest.mark.parametrize(
    "path",
    [
        "/knowledge/nope.yaml/x/0",
        "/knowledge/exams.yaml/events/999",
        "/knowledge/exams.yaml/events/abc",
        "/knowledge/exams.yaml/nope/0",
        "/knowledge/versions/999",
        "/knowledge/versions/x",
    ],
)
async def test_unknown_records_are_not_found(client: TestClient, site: Any, path: str) -> None:
    await sign_in(client, site[0])
    assert (await client.get(path)).status == 404


async def edit_event(client: TestClient, csrf: str, action: str, **changes: str) -> tuple[int, str]:
    form = fields_of(await (await client.get(EVENT)).text())
    page = await (await client.get(EVENT)).text()
    base = re.search(r'name="base" value="([^"]+)"', page).group(1)
    resp = await client.post(EVENT, data={**form, **changes, "csrf": csrf, "base": base, "action": action})
    return resp.status, await resp.text()


@pytest.mark.parametrize(
    "value, words",
    [
        ("2018-13-45", "impossible date '2018-13-45'"),
        ("22 Aug", "expected a date YYYY-MM-DD, got '22 Aug'"),
        ("", "is empty; expected a date YYYY-MM-DD"),
    ],
)
async def test_a_bad_date_changes_nothing_and_is_shown_by_the_field(
    client: TestClient, site: Any, value: str, words: str
) -> None:
    db, directory, _clock = site
    csrf = await sign_in(client, db)
    before = fingerprint(db, directory)
    for action in ("preview", "save"):
        status, page = await edit_event(client, csrf, action, start=value)
        assert status == 400
        field = re.search(r'id="field-start">(.*?)</div>', page, re.S).group(1)
        assert words.replace("'", "&#39;") in field
        assert fingerprint(db, directory) == before


async def test_end_before_start_is_shown_by_the_end_field(client: TestClient, site: Any) -> None:
    db, directory, _clock = site
    csrf = await sign_in(client, db)
    status, page = await edit_event(client, csrf, "save", end="2018-08-01")
    field = re.search(r'id="field-end">(.*?)</div>', page, re.S).group(1)
    assert status == 400 and "ends (2018-08-01) before it starts (2018-08-22)" in field


async def test_editing_an_exam_date_changes_the_answer_and_the_reminder_plan(client: TestClient, site: Any) -> None:
    db, directory, _clock = site
    question = "2차 필기 합격자 발표 언제예요?"
    config = load_config(CONFIG_PATH)

    def refs(day: dt.date) -> list[str | None]:
        return [d.ref for d in day_plan(db, config, day, all_topics=True)[0]]

    assert "8월 22일" in Brain(db).answer(question, now=START).text
    assert "event:second-written-result" in refs(dt.date(2018, 8, 22))
    original = (directory / "exams.yaml").read_text(encoding="utf-8")
    csrf = await sign_in(client, db)
    status, preview = await edit_event(client, csrf, "preview", start="2018-08-29")
    assert status == 200 and "-    start: 2018-08-22" in preview and "+    start: 2018-08-29" in preview
    status, _page = await edit_event(client, csrf, "save", start="2018-08-29")
    assert status == 200
    text = (directory / "exams.yaml").read_text(encoding="utf-8")
    assert text == original.replace("start: 2018-08-22", "start: 2018-08-29")  # comments kept
    assert "8월 29일" in Brain(db).answer(question, now=START).text
    assert "event:second-written-result" in refs(dt.date(2018, 8, 29))
    assert "event:second-written-result" not in refs(dt.date(2018, 8, 22))
    [new, old] = cdb.versions(db, "exams.yaml")
    assert new.author == "로컬 운영자" and old.author == "원본 파일"
    # Restore the original version: the file and the answer come back.
    await client.post(f"/knowledge/versions/{old.id}/restore", data={"csrf": csrf})
    assert (directory / "exams.yaml").read_text(encoding="utf-8") == original
    assert "8월 22일" in Brain(db).answer(question, now=START).text
    assert "console.knowledge.restore" in {e.action for e in cdb.audit_entries(db)}


async def test_a_save_from_a_stale_form_is_refused(client: TestClient, site: Any) -> None:
    db, directory, _clock = site
    csrf = await sign_in(client, db)
    form = fields_of(await (await client.get(EVENT)).text())
    path = directory / "exams.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    before = fingerprint(db, directory)
    resp = await client.post(
        EVENT, data={**form, "start": "2018-08-29", "csrf": csrf, "base": "0" * 64, "action": "save"}
    )
    assert resp.status == 409 and "바뀌었어요" in await resp.text()
    assert fingerprint(db, directory) == before


async def test_without_a_writable_knowledge_folder_editing_is_off(tmp_path: Path, site: Any) -> None:
    db, _dir, clock = site
    with db.conn:
        db.conn.execute("UPDATE meta SET value = ? WHERE key = 'loaded_from'", (str(tmp_path / "missing"),))
    async with TestClient(TestServer(build_app(settings_for(db, clock)))) as c:
        await sign_in(c, db)
        page = await (await c.get("/knowledge")).text()
        assert "--knowledge-dir" in page
        assert (await c.get(EVENT)).status == 409


# --- the other pages -------------------------------------------------------------------------


async def test_dashboard_counts_and_chart(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    cdb.count_question(db, START.date(), answered=True)
    cdb.count_question(db, START.date(), answered=False)
    Brain(db).answer(DECLINED, now=START)
    await sign_in(client, db)
    page = await (await client.get("/")).text()
    assert "<svg" in page and DECLINED in page and "답변 1 · 못함 1" in page


@pytest.mark.parametrize(
    "query, status",
    [
        ("", 200),
        ("?date=2018-08-22", 200),
        ("?date=2018-08-22&all_topics=1", 200),
        ("?date=nope", 400),
        ("?date=2018-02-30", 400),
    ],
)
async def test_reminders_page(client: TestClient, site: Any, query: str, status: int) -> None:
    await sign_in(client, site[0])
    resp = await client.get("/reminders" + query)
    assert resp.status == status
    if "all_topics" in query:
        assert "second-written-result" in await resp.text()


async def test_audit_page_shows_who_did_what(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    await sign_in(client, db)
    page = await (await client.get("/audit")).text()
    assert "console.login" in page


async def test_user_text_is_escaped_everywhere(client: TestClient, site: Any) -> None:
    db, _dir, _clock = site
    Brain(db).answer("<script>alert(1)</script> 뭐야", now=START)
    await sign_in(client, db)
    for path in ("/", "/unanswered"):
        page = await (await client.get(path)).text()
        assert "<script>alert" not in page and "&lt;script&gt;" in page


async def test_adding_a_2019_exam_event_as_a_new_record(client: TestClient, site: Any) -> None:
    from db import knowledge as kdb

    db, directory, _clock = site
    csrf = await sign_in(client, db)
    listing = await (await client.get("/knowledge")).text()
    assert 'href="/knowledge/exams.yaml/events/new"' in listing
    form = await (await client.get("/knowledge/exams.yaml/events/new")).text()
    base = re.search(r'name="base" value="([^"]+)"', form).group(1)
    before = fingerprint(db, directory)
    bad = await client.post(
        "/knowledge/exams.yaml/events/new",
        data={"csrf": csrf, "base": base, "id": "2019-first-written", "action": "save"},
    )
    page = await bad.text()
    assert bad.status == 400 and "missing required field &#39;round&#39;" in page
    assert fingerprint(db, directory) == before
    good = {
        "csrf": csrf,
        "base": base,
        "id": "y2019-first-written",
        "round": "first",
        "type": "written_exam",
        "start": "2019-04-06",
        "source": "2019년 시험계획 공고",
    }
    preview = await (await client.post("/knowledge/exams.yaml/events/new", data={**good, "action": "preview"})).text()
    assert "+  - id: y2019-first-written" in preview
    saved = await client.post("/knowledge/exams.yaml/events/new", data={**good, "action": "save"})
    assert saved.status == 200 and 'id="saved"' in await saved.text()
    assert "/knowledge/exams.yaml/events/12" in str(saved.url)
    assert any(e.id == "y2019-first-written" and e.start == "2019-04-06" for e in kdb.events(db, round_id="first"))
    text = (directory / "exams.yaml").read_text(encoding="utf-8")
    assert text.count("# 출처: 2018년 인재개발원 업무보고") == 1  # comments kept
