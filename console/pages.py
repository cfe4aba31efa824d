"""The console's pages: each handler reads the request, calls ``db/`` or the knowledge editor,
and renders a template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from aiohttp import web

from console import knowledge_edit as ked
from console.app import COOKIE, SETTINGS, WHO, Settings, Who, audit, form, render
from db import broadcasts as bdb
from db import console as cdb
from db import ops, roles
from handlers import broadcast_text as btext
from knowledge import reminders as rk
from knowledge.loader import KnowledgeError

WEEKDAYS = "월화수목금토일"
PAGE_SIZE = 50
MAX_USER_ID = 2**63 - 1  # SQLite INTEGER


def _settings(request: web.Request) -> Settings:
    return request.app[SETTINGS]


def _who(request: web.Request) -> Who:
    return request[WHO]


def _see_other(location: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(location)


# --- sign-in ---------------------------------------------------------------------------------


async def login(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    token = request.query.get("token", "")
    now = s.now()
    ok, user_id = cdb.use_login_token(s.db, token, now) if token else (False, None)
    if not ok:
        return render(
            request,
            "refused.html",
            status=403,
            message="이 로그인 주소는 이미 쓰였거나 만료되었어요 (10분, 한 번만 쓸 수 "
            "있어요). 봇에게 /console 을 보내 새 주소를 받아 주세요.",
        )
    sid, session = cdb.create_session(s.db, user_id, now)
    response = web.Response(status=303, headers={"Location": "/"})
    response.set_cookie(
        COOKIE,
        sid,
        max_age=int(cdb.SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=s.secure_cookie,
    )
    who = "local operator" if user_id is None else f"tg:{user_id}"
    ops.audit(s.db, now, user_id, "console.login", f"session until {session.expires_at} ({who})")
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    cdb.end_session(s.db, request.cookies.get(COOKIE, ""))
    response = render(request, "refused.html", status=200, message="로그아웃했어요.")
    response.del_cookie(COOKIE, path="/")
    return response


# --- dashboard -------------------------------------------------------------------------------


def _chart(days: list[tuple[str, int, int]]) -> dict[str, Any]:
    """Bars for an inline SVG: answered (bottom) and declined (top) per day."""
    top = max([a + d for _, a, d in days] + [1])
    bars = []
    for i, (day, answered, declined) in enumerate(days):
        ha, hd = 100 * answered / top, 100 * declined / top
        bars.append(
            {
                "x": 10 + i * 40,
                "day": day,
                "label": day.split("(")[0],
                "answered": answered,
                "declined": declined,
                "ya": 110 - ha,
                "ha": ha,
                "yd": 110 - ha - hd,
                "hd": hd,
            }
        )
    return {"bars": bars, "top": top}


async def dashboard(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    now = s.now()
    today = now.date()
    week = [today - dt.timedelta(days=6 - i) for i in range(7)]
    counts = cdb.question_days(s.db, week[0], today)
    days = [(f"{d.month}/{d.day}({WEEKDAYS[d.weekday()]})", *counts.get(d.isoformat(), (0, 0))) for d in week]
    today_counts = counts.get(today.isoformat(), (0, 0))
    week_counts = (sum(a for _, a, _ in days), sum(d for _, _, d in days))
    due = {}
    for label, day in (("오늘", today), ("내일", today + dt.timedelta(days=1))):
        found, _ = rk.day_plan(s.db, s.reminder_config, day)
        due[label] = (day, len(found))
    return render(
        request,
        "dashboard.html",
        today=today,
        today_counts=today_counts,
        week_counts=week_counts,
        chart=_chart(days),
        top=cdb.top_declined(s.db, 5),
        topics=cdb.subscribers_by_topic(s.db)[:10],
        active=bdb.active(s.db),
        due=due,
    )


# --- unanswered ------------------------------------------------------------------------------


async def unanswered(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    show = request.query.get("show") or None
    if show is not None and show not in cdb.MARKS:
        show = None
    try:
        page = max(0, int(request.query.get("page", "0")))
    except ValueError:
        page = 0
    groups = cdb.unanswered_groups(s.db, mark=show, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
    directory, _why = ked.knowledge_dir(s.db, s.knowledge_dir)
    wrong = cdb.wrong_answers(s.db, 20) if show is None else []
    return render(
        request,
        "unanswered.html",
        groups=groups,
        wrong=wrong,
        show=show,
        page=page,
        more=len(groups) == PAGE_SIZE,
        editable=directory is not None,
    )


async def alias_form(request: web.Request) -> web.StreamResponse:
    """Pick the record a declined question should have been about."""
    s = _settings(request)
    directory = _directory(request)
    g = cdb.group(s.db, request.query.get("group", ""))
    if g is None:
        raise web.HTTPNotFound(text="그런 질문 묶음이 없어요")
    return render(request, "alias_form.html", g=g, targets=ked.alias_targets(directory))


async def unanswered_mark(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    values = form(request)
    status, group = values.get("status", ""), values.get("group", "")
    if status not in (cdb.OUT_OF_SCOPE, cdb.LATER) or not group:
        return render(request, "refused.html", status=400, message="표시할 질문 묶음이나 표시 종류가 올바르지 않아요.")
    cdb.mark(s.db, group, status, _who(request).author, s.now())
    audit(request, f"console.unanswered.{status}", group)
    raise _see_other("/unanswered")


async def unanswered_alias(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    values = form(request)
    group, phrase, target = values.get("group", ""), values.get("phrase", ""), values.get("target", "")
    question = values.get("question", "") or phrase
    directory, why = ked.knowledge_dir(s.db, s.knowledge_dir)
    if directory is None:
        return render(request, "refused.html", status=409, message=f"지식 파일을 고칠 수 없어요: {why}")
    now = s.now()
    try:
        file, label, new_text = ked.add_word(directory, target, phrase)
        ked.save(s.db, directory, file, new_text, author=_who(request).author, now=now, note=f"표현 추가: {phrase}")
    except ked.EditError as exc:
        return render(
            request,
            "alias_result.html",
            status=400,
            error=str(exc),
            problems=[],
            question=question,
            phrase=phrase,
            label="",
            reply=None,
        )
    except KnowledgeError as exc:
        return render(
            request,
            "alias_result.html",
            status=400,
            error="검증에 실패해 아무것도 바꾸지 않았어요.",
            problems=[str(p) for p in exc.problems],
            question=question,
            phrase=phrase,
            label="",
            reply=None,
        )
    s.on_knowledge_saved()
    if group:
        cdb.mark(s.db, group, cdb.RESOLVED, _who(request).author, now)
    audit(request, "console.alias", f"'{phrase}' → {target}")
    reply = s.answer(question, now) if s.answer else None
    return render(
        request,
        "alias_result.html",
        error=None,
        problems=[],
        question=question,
        phrase=phrase,
        label=label,
        reply=reply,
    )


# --- knowledge -------------------------------------------------------------------------------


def _directory(request: web.Request) -> Path:
    directory, why = ked.knowledge_dir(_settings(request).db, _settings(request).knowledge_dir)
    if directory is None:
        raise web.HTTPConflict(text=f"지식 파일을 고칠 수 없어요: {why}")
    return directory


async def knowledge(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    directory, why = ked.knowledge_dir(s.db, s.knowledge_dir)
    files = ked.list_files(directory) if directory else []
    return render(
        request, "knowledge.html", files=files, directory=directory, why=why, versions=cdb.versions(s.db, limit=20)
    )


def _address(request: web.Request) -> tuple[str, str, int | None]:
    file, key, index = (request.match_info["file"], request.match_info["key"], request.match_info["index"])
    try:
        return file, key, (None if index == "-" else int(index))
    except ValueError:
        raise web.HTTPNotFound(text="그런 항목이 없어요") from None


def _is_new(request: web.Request) -> bool:
    return request.match_info["index"] == "new"


async def record(request: web.Request) -> web.StreamResponse:
    directory = _directory(request)
    file, key = request.match_info["file"], request.match_info["key"]
    try:
        if _is_new(request):
            index, spec, rec = None, ked.record_spec(file, key, 0), {}
        else:
            file, key, index = _address(request)
            spec = ked.record_spec(file, key, index)
            rec = ked.view_record(directory, file, key, index)
    except ked.EditError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    return render(
        request,
        "record.html",
        file=file,
        key=key,
        index="new" if _is_new(request) else index,
        fields=ked.form_fields(spec, rec),
        errors=[],
        diff=None,
        base=ked.file_digest(directory / file),
        saved=request.query.get("saved"),
    )


async def record_post(request: web.Request) -> web.StreamResponse:
    """Preview (validate and show the diff) or save an edited record."""
    s = _settings(request)
    directory = _directory(request)
    values = form(request)
    try:
        if _is_new(request):
            file, key = request.match_info["file"], request.match_info["key"]
            doc, rec, index = ked.new_record(directory, file, key)
            spec = ked.record_spec(file, key, index)
        else:
            file, key, index = _address(request)
            spec = ked.record_spec(file, key, index)
            doc, rec = ked.load_record(directory, file, key, index)
    except ked.EditError as exc:
        raise web.HTTPNotFound(text=str(exc)) from None
    shown: int | str | None = "new" if _is_new(request) else index
    fields = ked.form_fields(spec, rec, values)
    old_text = (directory / file).read_text(encoding="utf-8")
    ked.apply_form(spec, rec, values)
    new_text = ked.dump(doc)
    base = values.get("base", "")

    def again(status: int, errors: list[str], diff: Any = None) -> web.Response:
        return render(
            request,
            "record.html",
            status=status,
            file=file,
            key=key,
            index=shown,
            fields=fields,
            errors=errors,
            diff=diff,
            base=base,
            saved=None,
        )

    try:
        if values.get("action") == "save":
            ked.save(
                s.db,
                directory,
                file,
                new_text,
                author=_who(request).author,
                now=s.now(),
                note=f"{key} #{index if index is not None else '-'} {'추가' if _is_new(request) else '수정'}",
                base_digest=base,
            )
        else:
            ked.check(directory, file, new_text)
    except KnowledgeError as exc:
        by_field, rest = ked.field_errors(exc.problems, file, key, index)
        for f in fields:
            f.errors = by_field.get(f.name, [])
        return again(400, rest or ["위 칸의 오류를 고쳐 주세요. 파일과 데이터베이스는 바뀌지 않았어요."])
    except ked.EditError as exc:
        return again(409, [str(exc)])
    if values.get("action") != "save":
        changes = ked.diff(old_text, new_text, file)
        return again(200, [] if changes else ["바뀐 내용이 없어요."], diff=changes)
    s.on_knowledge_saved()
    audit(request, "console.knowledge.save", f"{file} {key} #{index}")
    raise _see_other(f"/knowledge/{file}/{key}/{'-' if index is None else index}?saved=1")


async def version_view(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    v = _version(request)
    directory, _why = ked.knowledge_dir(s.db, s.knowledge_dir)
    current = (directory / v.file).read_text(encoding="utf-8") if directory else ""
    return render(request, "version.html", v=v, diff=ked.diff(current, v.content, v.file), errors=[])


def _version(request: web.Request) -> cdb.Version:
    try:
        v = cdb.version(_settings(request).db, int(request.match_info["id"]))
    except ValueError:
        v = None
    if v is None:
        raise web.HTTPNotFound(text="그런 버전이 없어요")
    return v


async def version_restore(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    v = _version(request)
    directory = _directory(request)
    try:
        ked.save(
            s.db, directory, v.file, v.content, author=_who(request).author, now=s.now(), note=f"버전 #{v.id} 되돌리기"
        )
    except KnowledgeError as exc:
        return render(request, "version.html", status=400, v=v, diff=[], errors=[str(p) for p in exc.problems])
    s.on_knowledge_saved()
    audit(request, "console.knowledge.restore", f"{v.file} version #{v.id}")
    raise _see_other("/knowledge")


# --- broadcasts ------------------------------------------------------------------------------


AUDIENCE_CHOICES = [
    ("all", "전체"),
    ("staff", "직원"),
    ("examinee", "수험생"),
    ("parent", "학부모"),
    ("other", "기타"),
    ("topic:notices", "공지 구독자"),
    ("topic:exam_round:*", "시험 일정 구독자"),
    ("topic:daycare", "어린이집 알림 구독자"),
]


def _broadcast_page(
    request: web.Request,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    preview: str | None = None,
    count: int | None = None,
    queued: bdb.Broadcast | None = None,
) -> web.Response:
    s = _settings(request)
    return render(
        request,
        "broadcasts.html",
        status=status,
        items=bdb.recent(s.db, 30),
        choices=AUDIENCE_CHOICES,
        errors=errors or {},
        values=values or {},
        preview=preview,
        count=count,
        queued=queued,
    )


async def broadcasts(request: web.Request) -> web.StreamResponse:
    return _broadcast_page(request)


async def broadcasts_post(request: web.Request) -> web.StreamResponse:
    """Compose: preview (action=preview) or queue the notice (the default)."""
    s = _settings(request)
    values = form(request)
    now = s.now()
    errors: dict[str, str] = {}
    notice = audience = None
    at = None
    try:
        notice = btext.check_notice(btext.plain_to_html(values.get("text", "").strip()))
    except btext.NoticeTextError as exc:
        errors["text"] = str(exc)
    try:
        audience = bdb.parse_audience(values.get("audience", ""), s.db)
    except bdb.UnknownAudienceError as exc:
        errors["audience"] = str(exc)
    if values.get("at", "").strip():
        try:
            at = btext.parse_when(values["at"].strip().replace("T", " "), now)
        except btext.WhenError as exc:
            errors["at"] = str(exc)
    if errors or notice is None or audience is None:
        return _broadcast_page(request, status=400, errors=errors, values=values)
    count = bdb.count_audience(s.db, audience)
    if values.get("action") == "preview":
        return _broadcast_page(request, values=values, preview=notice, count=count)
    b = bdb.create(
        s.db,
        text=notice,
        now=now,
        author_id=_who(request).user_id,
        audience=audience,
        state=bdb.QUEUED,
        scheduled_at=at,
    )
    audit(request, "console.broadcast", f"#{b.id} {audience}")
    return _broadcast_page(request, queued=b, count=count)


def _broadcast(request: web.Request) -> bdb.Broadcast:
    try:
        return bdb.get(_settings(request).db, int(request.match_info["id"]))
    except (ValueError, bdb.NoSuchBroadcastError):
        raise web.HTTPNotFound(text="그런 공지가 없어요") from None


async def broadcast_report(request: web.Request) -> web.StreamResponse:
    b = _broadcast(request)
    counts = bdb.delivery_counts(_settings(request).db, b.id)
    return render(request, "broadcast.html", b=b, counts=counts, error=None)


async def broadcast_cancel(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    b = _broadcast(request)
    try:
        bdb.cancel(s.db, b.id, s.now())
    except bdb.BroadcastStateError as exc:
        return render(
            request, "broadcast.html", status=409, b=b, counts=bdb.delivery_counts(s.db, b.id), error=str(exc)
        )
    audit(request, "console.broadcast.cancel", f"#{b.id}")
    raise _see_other(f"/broadcasts/{b.id}")


# --- reminders, audit, roles -----------------------------------------------------------------


async def reminders(request: web.Request) -> web.StreamResponse:
    s = _settings(request)
    text = request.query.get("date", "")
    error = None
    day = s.now().date()
    if text:
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            error = f"'{text}' 는 날짜가 아니에요. YYYY-MM-DD 로 적어 주세요 (예: 2018-08-21)."
    all_topics = request.query.get("all_topics") == "1"
    found, status = rk.day_plan(s.db, s.reminder_config, day, all_topics=all_topics)
    return render(
        request,
        "reminders.html",
        status=400 if error else 200,
        day=day,
        error=error,
        weekday=WEEKDAYS[day.weekday()],
        found=found,
        ledger=status,
        all_topics=all_topics,
    )


async def audit_page(request: web.Request) -> web.StreamResponse:
    try:
        page = max(0, int(request.query.get("page", "0")))
    except ValueError:
        page = 0
    entries = cdb.audit_entries(_settings(request).db, 100, page * 100)
    return render(request, "audit.html", entries=entries, page=page, more=len(entries) == 100)


def _admin_only(request: web.Request) -> web.Response | None:
    if not _who(request).admin:
        return render(request, "refused.html", status=403, message="이 페이지는 관리자만 볼 수 있어요.")
    return None


async def roles_page(request: web.Request, *, error: str | None = None, status: int = 200) -> web.StreamResponse:
    refused = _admin_only(request)
    if refused:
        return refused
    s = _settings(request)
    return render(
        request,
        "roles.html",
        status=status,
        grants=roles.grants(s.db),
        env_admins=sorted(s.admins),
        users=cdb.known_users(s.db, 50),
        error=error,
    )


async def roles_post(request: web.Request) -> web.StreamResponse:
    refused = _admin_only(request)
    if refused:
        return refused
    s = _settings(request)
    values = form(request)
    action = request.match_info["action"]
    try:
        user_id = roles.parse_user_id(values.get("user_id"))
        verified = (values.get("role") or "").strip() == roles.VERIFIED
        role = roles.VERIFIED if verified else roles.parse_role(values.get("role"))
        if user_id > MAX_USER_ID:
            raise roles.RoleError(f"사용자 id 가 너무 커요 (받은 값: {user_id}). 텔레그램 사용자 id 를 적어 주세요.")
    except roles.RoleError as exc:
        return await roles_page(request, error=str(exc), status=400)
    if action == "grant" and verified:
        roles.grant_verified(s.db, user_id, by=_who(request).user_id, now=s.now())
    elif action == "grant":
        roles.grant(s.db, user_id, role, by=_who(request).user_id, now=s.now())
    elif verified:
        roles.revoke_verified(s.db, user_id)
    else:
        roles.revoke(s.db, user_id, role)
    audit(request, f"console.roles.{action}", f"{role} {user_id}")
    raise _see_other("/roles")


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/login", login)
    r.add_post("/logout", logout)
    r.add_get("/", dashboard)
    r.add_get("/unanswered", unanswered)
    r.add_post("/unanswered/mark", unanswered_mark)
    r.add_get("/unanswered/alias", alias_form)
    r.add_post("/unanswered/alias", unanswered_alias)
    r.add_get("/knowledge", knowledge)
    r.add_get("/knowledge/versions/{id}", version_view)
    r.add_post("/knowledge/versions/{id}/restore", version_restore)
    r.add_get("/knowledge/{file}/{key}/{index}", record)
    r.add_post("/knowledge/{file}/{key}/{index}", record_post)
    r.add_get("/broadcasts", broadcasts)
    r.add_post("/broadcasts", broadcasts_post)
    r.add_get("/broadcasts/{id}", broadcast_report)
    r.add_post("/broadcasts/{id}/cancel", broadcast_cancel)
    r.add_get("/reminders", reminders)
    r.add_get("/audit", audit_page)
    r.add_get("/roles", roles_page)
    r.add_post("/roles/{action:grant|revoke}", roles_post)
