"""The staff console: an aiohttp web application with server-rendered Korean pages.

``build_app(settings)`` returns the ``web.Application``; ``bot.py`` serves it alone
(``hrdbot console``) or inside the bot process (``hrdbot run --console-port``). Every page but
``/login`` needs a session cookie (HttpOnly, SameSite=Strict, expiring); the role behind the
session is checked again on every request; every POST must carry the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web
from sqlite_utils import Database

from db import broadcasts as bdb
from db import console as cdb
from db import ops, roles
from knowledge.reminders import ReminderConfig

log = logging.getLogger("hrdbot.console")

COOKIE = "hrdbot_console"
STATIC_DIR = Path(__file__).parent / "static"
PAGE_SIZE = 50
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Settings:
    """What the console needs, built in ``bot.py``."""

    db: Database
    now: Callable[[], dt.datetime]
    reminder_config: ReminderConfig
    admins: frozenset[int] = frozenset()
    knowledge_dir: Path | None = None  # --knowledge-dir; default: where the db was loaded from
    secure_cookie: bool = False  # set when served behind HTTPS
    answer: Callable[[str, dt.datetime], tuple[str, str | None]] | None = None
    on_knowledge_saved: Callable[[], None] = field(default=lambda: None)


@dataclass(frozen=True)
class Who:
    """The signed-in person: a Telegram user (staff/admin) or the local operator."""

    user_id: int | None
    admin: bool
    csrf: str

    @property
    def author(self) -> str:
        return "로컬 운영자" if self.user_id is None else f"tg:{self.user_id}"


SETTINGS = web.AppKey("settings", Settings)
WHO = web.RequestKey("who", Who)
FORM = web.RequestKey("form", dict)
TEMPLATES = web.AppKey("templates", jinja2.Environment)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("console", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["short"] = lambda s, n=19: (s or "")[:n].replace("T", " ")
    env.filters["audience"] = bdb.audience_label
    env.filters["state"] = bdb.state_label
    return env


def render(request: web.Request, name: str, *, status: int = 200, **ctx: Any) -> web.Response:
    env = request.app[TEMPLATES]
    who: Who | None = request.get(WHO)
    html = env.get_template(name).render(who=who, path=request.path, **ctx)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def _refuse(request: web.Request, status: int, message: str) -> web.Response:
    return render(request, "refused.html", status=status, message=message)


def _check_role(settings: Settings, user_id: int | None) -> bool | None:
    """True for an admin, False for staff, None when the role is gone."""
    if user_id is None:
        return True  # the operator who started `hrdbot console` has the database itself
    if roles.is_admin(settings.db, user_id, settings.admins):
        return True
    if roles.is_staff(settings.db, user_id, settings.admins):
        return False
    return None


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Session, role and CSRF checks before any page (except /login and /static)."""
    if request.path == "/login" or request.path.startswith("/static/"):
        return await handler(request)
    settings = request.app[SETTINGS]
    sid = request.cookies.get(COOKIE, "")
    session = cdb.session(settings.db, sid, settings.now()) if sid else None
    if session is None:
        return _refuse(
            request,
            401,
            "로그인이 필요해요. 봇에게 /console 을 보내거나 hrdbot console 이 알려 준 주소로 들어와 주세요.",
        )
    admin = _check_role(settings, session.user_id)
    if admin is None:
        cdb.end_session(settings.db, sid)
        return _refuse(request, 403, "직원 권한이 없어요. 관리자에게 문의해 주세요.")
    request[WHO] = Who(session.user_id, admin, session.csrf)
    if request.method == "POST":
        form = await request.post()
        token = form.get("csrf")
        if not isinstance(token, str) or not hmac.compare_digest(token, session.csrf):
            return _refuse(
                request, 403, "요청을 확인할 수 없어요 (CSRF 토큰 없음). 페이지를 새로 고친 뒤 다시 해 주세요."
            )
        request[FORM] = {k: v for k, v in form.items() if isinstance(v, str)}
    return await handler(request)


def form(request: web.Request) -> dict[str, str]:
    return dict(request.get(FORM) or {})


def audit(request: web.Request, action: str, detail: str = "") -> None:
    settings = request.app[SETTINGS]
    who: Who = request[WHO]
    ops.audit(settings.db, settings.now(), who.user_id, action, f"{detail} (by {who.author})".strip())


def build_app(settings: Settings) -> web.Application:
    from console import pages

    app = web.Application(middlewares=[guard], client_max_size=2 * 1024 * 1024)
    app[SETTINGS] = settings
    app[TEMPLATES] = _environment()
    pages.add_routes(app)
    app.router.add_static("/static/", STATIC_DIR)
    return app


def login_url(base: str, token: str) -> str:
    return f"{base.rstrip('/')}/login?token={token}"
