"""hrdbot: composition root and command line.

Every subcommand reads its configuration here, opens the database (creating it from the shipped
knowledge files when it does not exist) and hands over to the core in ``knowledge/``, the
Telegram edge in ``handlers/`` or the database layer in ``db/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sqlite3
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # imported lazily below, to keep `hrdbot ask` starting fast
    from sqlite_utils import Database

    from console.app import Settings as ConsoleSettings
    from knowledge.reminders import ReminderConfig

SEOUL = ZoneInfo("Asia/Seoul")

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE = 0, 1, 2
TRY_2018 = "--today 2018-07-01"


class CliError(Exception):
    """A known failure: its message (Korean, with the technical detail) is printed, no
    traceback, and the process exits with ``code``."""

    code = EXIT_RUNTIME


class UsageError(CliError):
    """Bad command-line usage or input; exit code 2."""

    code = EXIT_USAGE


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}'은(는) 날짜가 아닙니다. YYYY-MM-DD 형식으로 적어 주세요 (예: 2018-08-21)"
        ) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}': 1 이상의 정수를 적어 주세요")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}': 포트 번호가 아닙니다. 0-65535 사이로 적어 주세요 (예: 8080)")
    return value


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        type=Path,
        default=default,
        help="database file (default: $HRDBOT_DB or ~/.local/share/hrdbot/hrdbot.db)",
    )
    parser.add_argument(
        "--today",
        type=_date,
        default=default,
        metavar="YYYY-MM-DD",
        help="the date the bot takes as today (Asia/Seoul); default: the real "
        f"date. The knowledge is the 2018 plan: try {TRY_2018}",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="show the traceback of a failure",
    )


def today_in_seoul(args: argparse.Namespace) -> dt.date:
    return args.today or dt.datetime.now(SEOUL).date()


def _open_db(args: argparse.Namespace) -> Database:
    """The database (created and loaded on first use); see ``_hint_2018``."""
    from db.schema import default_db_path
    from knowledge.store import open_database

    path = Path(args.db or default_db_path())
    first_run = not path.exists()
    db = open_database(path)
    if first_run:
        _hint_2018(args, db)
    return db


def _hint_2018(args: argparse.Namespace, db: Database) -> None:
    """On the run that creates the database, at the real date after the knowledge's last date:
    say once that the knowledge is the 2018 report and how to try the bot at a 2018 date."""
    if args.today is not None or getattr(args, "now", None) is not None:
        return
    from db import ops

    now = dt.datetime.now(SEOUL)
    last = ops.knowledge_last_date(db)
    if last is None or now.date() <= last:
        return
    print(
        f"안내: 이 챗봇의 지식은 서울시 인재개발원 2018년 업무보고 기준이라, 오늘({now.date()}) "
        f"기준으로는 일정이 모두 지난 일로 답합니다. 2018년의 하루로 시험해 보려면 {TRY_2018} "
        "옵션을 붙이세요.",
        file=sys.stderr,
    )


# --- subcommands ------------------------------------------------------------------------------


def cmd_load(args: argparse.Namespace) -> int:
    """Validate the knowledge files and swap them into the database atomically."""
    from db.schema import default_db_path
    from knowledge.loader import DATA_DIR, KnowledgeError
    from knowledge.store import load_directory

    directory = Path(args.directory) if args.directory else DATA_DIR
    path = args.db or default_db_path()
    try:
        counts = load_directory(path, directory)
    except KnowledgeError as exc:
        raise UsageError(
            *_problems(exc.problems),
            f"{directory}에 문제가 {len(exc.problems)}개 "
            "있어 아무것도 바꾸지 않았습니다 (the database was not changed). "
            "고친 뒤 다시 hrdbot load 하세요.",
        ) from None
    summary = ", ".join(f"{table} {n}" for table, n in counts.items())
    print(f"Loaded {directory} into {path}: {summary}")
    return EXIT_OK


def _problems(problems: Sequence[str]) -> list[str]:
    return [str(p) for p in problems]


def _now(args: argparse.Namespace) -> dt.datetime:
    """The question time: --today at noon Asia/Seoul, else the real time."""
    if args.today:
        return dt.datetime.combine(args.today, dt.time(12, 0), tzinfo=SEOUL)
    return dt.datetime.now(SEOUL)


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or a batch file of questions (JSON Lines out)."""
    import json

    from knowledge.core import Brain
    from knowledge.reply import EMPTY_CONTEXT

    question = " ".join(args.question).strip()
    if args.batch is None and not question:
        raise UsageError(
            '질문을 적어 주세요: hrdbot ask "신임자 과정 언제 시작해요?" (또는 --batch FILE, 표준 입력은 --batch -)'
        )
    if args.batch is not None and args.question:
        raise UsageError("질문과 --batch FILE 중 하나만 주세요")
    if args.conversation and args.batch is None:
        raise UsageError("--conversation 은 --batch FILE 과 함께만 쓸 수 있습니다")
    if args.batch is not None:
        lines = _read_batch(args.batch)
    db = _open_db(args)
    brain = Brain(db)
    now = _now(args)
    if args.batch is None:
        reply = brain.answer(question, EMPTY_CONTEXT, now=now)
        if args.json:
            print(json.dumps(reply.to_json(), ensure_ascii=False))
        else:
            print(reply.text)
        return EXIT_OK
    context = EMPTY_CONTEXT
    for line in lines:
        reply = brain.answer(line, context if args.conversation else EMPTY_CONTEXT, now=now)
        context = reply.context
        print(json.dumps(reply.to_json(), ensure_ascii=False), flush=False)
    sys.stdout.flush()
    return EXIT_OK


def _read_batch(name: str) -> list[str]:
    """The lines of the batch file (``-``: standard input)."""
    try:
        if name == "-":
            return sys.stdin.buffer.read().decode("utf-8").splitlines()
        return Path(name).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UsageError(f"질문 파일이 없습니다: {name} (batch file not found)") from None
    except UnicodeDecodeError:
        raise UsageError(f"질문 파일이 UTF-8 텍스트가 아닙니다: {name} (batch file is not UTF-8 text)") from None
    except IsADirectoryError:
        raise UsageError(f"질문 파일 자리에 폴더를 주셨습니다: {name} (batch file is a directory)") from None
    except OSError as exc:
        raise UsageError(f"질문 파일을 읽을 수 없습니다: {name} ({exc.strerror})") from None


def cmd_chat(args: argparse.Namespace) -> int:
    """Interactive console conversation on the same core (the default without a token)."""
    from knowledge.core import Brain
    from knowledge.reply import EMPTY_CONTEXT

    db = _open_db(args)
    brain = Brain(db)
    print("서울시 인재개발원 안내 챗봇입니다. 질문을 입력하세요 (끝내려면 Ctrl+D 또는 '종료').")
    context = EMPTY_CONTEXT
    while True:
        try:
            text = input("나> ")
        except EOFError:
            print()
            return EXIT_OK
        if text.strip() in ("종료", "exit", "quit", "/quit"):
            return EXIT_OK
        reply = brain.answer(text, context, now=_now(args))
        context = reply.context
        print(f"봇> {reply.text}\n")


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}'은(는) 날짜와 시각이 아닙니다. 예: 2018-08-21T08:29:00+09:00"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=SEOUL)


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot (polling, or webhook with --webhook-url)."""
    import logging

    from handlers import redact
    from handlers.app import build_application, run
    from handlers.clock import StartedClock, SystemClock
    from handlers.config import load_config
    from handlers.features import default_features
    from handlers.state import AppState
    from knowledge.core import LiveBrain

    config = load_config(
        os.environ, Path.cwd(), base_url=args.base_url, webhook_url=args.webhook_url, listen=args.listen, port=args.port
    )
    redact.install(config.token)  # before the first log line and the first request
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.now:
        clock = StartedClock(args.now)
    elif args.today:
        clock = StartedClock(dt.datetime.combine(args.today, dt.datetime.now(SEOUL).timetz()))
    else:
        clock = SystemClock()
    db = _open_db(args)
    features = default_features()
    # The running bot follows `hrdbot load`: a reload is picked up within seconds (at once
    # when the console is served inside the bot, so a save there reaches the next answer).
    brain = LiveBrain(db, check_every=0.0 if args.console_port else 5.0)
    if args.console_port:
        from handlers.console import Embedded

        settings = _console_settings(args, db, clock.now)
        features = default_features(Embedded(settings, args.console_host, args.console_port))
    state = AppState(db=db, brain=brain, clock=clock)
    run(build_application(config, state, features), config)
    return EXIT_OK


def _console_settings(args: argparse.Namespace, db: Database, now: Callable[[], dt.datetime]) -> ConsoleSettings:
    """The console's settings: admins from HRDBOT_ADMINS, where knowledge edits go, the clock."""
    from console.app import Settings
    from db.roles import ADMINS_VAR, RoleError, parse_admins
    from knowledge.core import Brain

    try:
        admins = parse_admins(os.environ.get(ADMINS_VAR))
    except RoleError as exc:
        raise UsageError(str(exc)) from None
    directory = args.knowledge_dir
    if directory is not None and not directory.is_dir():
        raise UsageError(f"--knowledge-dir: {directory} is not a directory")

    def answer(question: str, at: dt.datetime) -> tuple[str, str | None]:
        reply = Brain(db, log_unanswered=False).answer(question, now=at)
        return reply.text, reply.intent

    return Settings(
        db=db, now=now, reminder_config=_reminder_config(None), admins=admins, knowledge_dir=directory, answer=answer
    )


def cmd_console(args: argparse.Namespace) -> int:
    """Serve the staff web console alone; print a one-time login URL."""
    from console.server import serve_forever
    from handlers.clock import StartedClock, SystemClock

    clock = (
        StartedClock(dt.datetime.combine(args.today, dt.datetime.now(SEOUL).timetz())) if args.today else SystemClock()
    )
    db = _open_db(args)
    settings = _console_settings(args, db, clock.now)

    def announce(url: str) -> None:
        print(f"hrdbot console: open {url} (valid 10 minutes, works once)", flush=True)

    try:
        serve_forever(settings, args.host, args.port, announce)
    except OSError as exc:
        raise UsageError(
            f"{args.host}:{args.port}에서 콘솔을 열 수 없습니다. 다른 --host/--port를 "
            f"적어 주세요 (cannot listen on {args.host}:{args.port}: "
            f"{exc.strerror or exc})"
        ) from None
    return EXIT_OK


def cmd_reminders(args: argparse.Namespace) -> int:
    """List the reminders and daily pushes due on a day, sending nothing."""
    import json

    from knowledge import reminders as rk

    config = _reminder_config(args.rules)
    day = args.date or today_in_seoul(args)
    found, status = rk.day_plan(_open_db(args), config, day, all_topics=args.all_topics)
    if args.json:
        print(
            json.dumps(
                {
                    "date": day.isoformat(),
                    "all_topics": bool(args.all_topics),
                    "count": len(found),
                    "reminders": [
                        {
                            **d.to_json(),
                            "user_id": None if args.all_topics else d.user_id,
                            "status": status.get((d.user_id, d.key), "planned"),
                        }
                        for d in found
                    ],
                },
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    who = "a subscriber of every topic (--all-topics)" if args.all_topics else "every subscriber"
    print(f"{day.isoformat()} ({rk.WEEKDAYS[day.weekday()]}): {len(found)} message(s) due to {who}; nothing is sent.")
    for d in found:
        user = "" if args.all_topics else f"user {d.user_id}  "
        state = "" if args.all_topics else f"  [{status.get((d.user_id, d.key), 'planned')}]"
        print(f"\n{d.due_at:%H:%M}  {user}{d.key}{state}")
        print("\n".join(f"    {line}" for line in d.text.splitlines()))
    return EXIT_OK


def _reminder_config(path: Path | None) -> ReminderConfig:
    from knowledge.reminders import CONFIG_PATH, RemindersConfigError, load_config

    try:
        return load_config(path or CONFIG_PATH)
    except RemindersConfigError as exc:
        raise UsageError(
            *_problems(exc.problems),
            "알림 규칙 파일이 올바르지 않아 아무것도 하지 않았습니다 (invalid reminder rules).",
        ) from None


def cmd_calendar(args: argparse.Namespace) -> int:
    """Write an .ics file of the exam events and course sessions in some topics."""
    from db import reminders as rdb
    from db import users
    from knowledge import reminders as rk
    from knowledge.calendar import build_calendar, selected

    if args.user is not None and args.topic:
        raise UsageError("--user ID 와 --topic TOPIC 중 하나만 주세요")
    db = _open_db(args)
    view = rk.knowledge_view(db)
    topics: list[str] | None = None
    if args.user is not None:
        topics = rdb.topics_of(db, args.user)
        if not topics and users.get(db, args.user) is None:
            raise UsageError(
                f"사용자 {args.user}을(를) 모릅니다 (unknown user): 봇과 대화한 적이 "
                "없는 Telegram 사용자 id 입니다. --topic 으로 주제를 고르거나 둘 다 "
                "빼면 전체 일정을 씁니다."
            )
        if not topics:
            raise UsageError(
                f"사용자 {args.user}은(는) 구독한 알림이 없습니다 (user has no "
                "subscriptions). --topic 으로 주제를 고르거나 둘 다 빼면 전체 "
                "일정을 씁니다."
            )
    elif args.topic:
        try:
            topics = [rk.parse_topic(t, view) for t in args.topic]
        except rk.UnknownTopicError as exc:
            raise UsageError(f"--topic: 알 수 없는 알림 주제입니다 ({exc})") from None
    data = build_calendar(view, topics, _now(args))
    count = len(selected(view, topics))
    if args.out == "-":
        sys.stdout.write(data.decode("utf-8"))
        return EXIT_OK
    try:
        Path(args.out).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"{args.out} 에 쓸 수 없습니다 ({exc.strerror})") from None
    print(f"Wrote {count} event(s) to {args.out}")
    return EXIT_OK


def cmd_broadcast(args: argparse.Namespace) -> int:
    """Queue a broadcast for the running bot (it picks it up within a few seconds)."""
    from db import broadcasts as bdb
    from handlers import broadcast_text as btext

    try:
        notice = args.text if args.html else btext.plain_to_html(args.text)
        btext.check_notice(notice)
    except btext.NoticeTextError as exc:
        raise UsageError(f"--text: {exc}") from None
    db = _open_db(args)
    now = _now(args)
    try:
        audience = bdb.parse_audience(args.audience, db)
        at = btext.parse_when(args.at, now) if args.at else None
    except bdb.UnknownAudienceError as exc:  # its text is Korean, then " / " and English
        raise UsageError(f"--audience: {str(exc).split(' / ')[0]}") from None
    except btext.WhenError as exc:
        raise UsageError(f"--at: {exc}") from None
    b = bdb.create(db, text=notice, now=now, audience=audience, state=bdb.QUEUED, scheduled_at=at)
    from db.ops import audit

    audit(db, now, None, "cli.broadcast", f"#{b.id} {audience}")
    count = bdb.count_audience(db, audience)
    when = f"at {at.isoformat(timespec='minutes')}" if at else "as soon as the running bot sees it"
    print(
        f"Queued broadcast #{b.id} to {bdb.audience_label(audience)} ({audience}): "
        f"{count} recipient(s) now; sending {when}."
    )
    return EXIT_OK


def cmd_broadcasts(args: argparse.Namespace) -> int:
    """List broadcasts with their delivery counts."""
    import json

    from db import broadcasts as bdb
    from handlers import broadcast_text as btext

    db = _open_db(args)
    items = bdb.recent(db, args.limit, include_drafts=args.all)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "id": b.id,
                        "state": b.state,
                        "audience": b.audience,
                        "created_at": b.created_at,
                        "scheduled_at": b.scheduled_at,
                        "started_at": b.started_at,
                        "finished_at": b.finished_at,
                        "total": b.total,
                        "sent": b.sent,
                        "blocked": b.blocked,
                        "failed": b.failed,
                        "remaining": b.remaining,
                        "resent": b.resent,
                        "text": b.text,
                    }
                    for b in items
                ],
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    if not items:
        drafts = len(bdb.recent(db, 1, include_drafts=True))
        print("No broadcasts yet, only unfinished drafts (see --all)." if drafts else "No broadcasts yet.")
        return EXIT_OK
    print(
        f"{'id':>4}  {'state':<9} {'audience':<20} {'total':>7} {'sent':>7} {'blocked':>7} "
        f"{'failed':>6} {'left':>7}  when / text"
    )
    for b in items:
        when = b.scheduled_at or b.started_at or b.created_at
        preview = btext.shorten(b.text, 40)
        print(
            f"{b.id:>4}  {b.state:<9} {b.audience or '-':<20} {b.total:>7} {b.sent:>7} "
            f"{b.blocked:>7} {b.failed:>6} {b.remaining:>7}  {when}  {preview}"
        )
    return EXIT_OK


def cmd_image(args: argparse.Namespace) -> int:
    """Write one of the bot's pictures (exams, campus, month) as a PNG file."""
    from pictures.layout import PictureError, parse_month
    from pictures.service import KINDS, PictureCache, png_size, request_for

    if args.kind not in KINDS:
        raise UsageError(
            f"알 수 없는 그림이에요: '{args.kind}'. exams, campus, month 중에서 골라 주세요 (예: hrdbot image exams)."
        )
    if args.month is not None:
        if args.kind != "month":
            raise UsageError("--month 옵션은 month 그림에만 쓸 수 있어요 (예: hrdbot image month --month 2018-07).")
        try:
            parse_month(args.month)
        except PictureError:
            raise UsageError(
                f"--month '{args.month}': 올바른 달이 아니에요. YYYY-MM 형식으로 적어 주세요 (예: 2018-07)."
            ) from None
    if args.out is not None:
        out = Path(args.out)
        if out.is_dir():
            raise UsageError(f"--out '{out}': 폴더예요. 파일 이름을 적어 주세요 (예: {out}/그림.png).")
        if not out.parent.is_dir():
            raise UsageError(f"--out '{out}': 폴더가 없어요 ({out.parent}). 있는 폴더를 적어 주세요.")
    today = today_in_seoul(args)
    request = request_for(_open_db(args), args.kind, today, month=args.month)
    out = Path(args.out) if args.out is not None else Path.cwd() / request.filename
    png = PictureCache().picture(request).png
    try:
        out.write_bytes(png)
    except OSError as exc:
        raise UsageError(f"--out '{out}': 파일을 쓸 수 없어요 ({exc.strerror}). 쓸 수 있는 곳을 적어 주세요.") from None
    width, height = png_size(png)
    print(f"Wrote {out} ({width}x{height} px)")
    print(request.caption)
    return EXIT_OK


class Parser(argparse.ArgumentParser):
    """argparse with its error messages in Korean (the detail kept), exit code 2."""

    _PATTERNS = (
        (re.compile(r"^the following arguments are required: (.*)$"), "필요한 인자가 없습니다: {0}"),
        (re.compile(r"^unrecognized arguments: (.*)$"), "알 수 없는 인자입니다: {0}"),
        (re.compile(r"^argument (\S+): expected one argument$"), "{0}: 값을 하나 적어 주세요"),
        (re.compile(r"^argument (\S+): invalid int value: (.*)$"), "{0}: 정수가 아닙니다: {1}"),
        (
            re.compile(r"^argument (\S+): invalid choice: (.*) \(choose from (.*)\)$"),
            "{0}: 고를 수 없는 값입니다: {1} (가능한 값: {2})",
        ),
        (re.compile(r"^argument (\S+): not allowed with argument (.*)$"), "{0} 와 {1} 는 함께 쓸 수 없습니다"),
        (re.compile(r"^ambiguous option: (.*)$"), "어느 옵션인지 모호합니다: {0}"),
        (re.compile(r"^argument (\S+): (.*)$"), "{0}: {1}"),
    )

    def error(self, message: str) -> NoReturn:
        for pattern, korean in self._PATTERNS:
            match = pattern.match(message)
            if match:
                message = korean.format(*match.groups())
                break
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: 오류: {message}\n도움말: {self.prog} --help\n")


def _subcommand(
    sub: Any, name: str, func: Callable[[argparse.Namespace], int], summary: str
) -> argparse.ArgumentParser:
    """A subcommand parser with its one-line summary (list and --help) and the common options.
    Add the subcommand's own options to the parser it returns."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=summary, description=summary)
    _common(p, suppress=True)
    p.set_defaults(func=func)
    return p


def _knowledge_dir_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--knowledge-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="knowledge folder the console edits (default: the one the database was loaded from, when writable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="hrdbot",
        description="서울시 인재개발원 안내 챗봇 (hrdbot). 명령 없이 실행하면 TELEGRAM_BOT_TOKEN "
        "(환경 변수나 .env)이 있을 때 텔레그램 봇, 없으면 콘솔 대화입니다. "
        f"지식은 2018년 업무보고 기준입니다: 그 시점으로 시험하려면 {TRY_2018}.",
    )
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    p = _subcommand(sub, "load", cmd_load, "지식 파일을 검사한 뒤 데이터베이스에 한 번에 바꿔 넣습니다")
    p.add_argument("directory", nargs="?", help="folder of knowledge YAML files (default: the shipped knowledge/data)")

    p = _subcommand(sub, "run", cmd_run, "텔레그램 봇을 실행합니다 (토큰: TELEGRAM_BOT_TOKEN 또는 .env)")
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="Bot API server base URL, the token is appended (e.g. http://127.0.0.1:8081/bot)",
    )
    p.add_argument(
        "--webhook-url", metavar="URL", help="receive updates by webhook at this public URL instead of polling"
    )
    p.add_argument(
        "--listen", default=None, metavar="ADDR", help="webhook mode: address to listen on (default 127.0.0.1)"
    )
    p.add_argument("--port", type=int, default=None, help="webhook mode: port to listen on (default 8443)")
    p.add_argument(
        "--now",
        type=_instant,
        default=None,
        metavar="ISO-DATETIME",
        help="start the bot's clock at this instant (Asia/Seoul unless given); it runs forward in real time",
    )
    p.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="logging level (default INFO)",
    )
    p.add_argument(
        "--console-port",
        type=_port,
        default=None,
        metavar="N",
        help="also serve the staff web console on this port (same process)",
    )
    p.add_argument(
        "--console-host", default="127.0.0.1", metavar="ADDR", help="address of the console (default 127.0.0.1)"
    )
    _knowledge_dir_option(p)

    p = _subcommand(sub, "console", cmd_console, "직원용 웹 콘솔을 띄웁니다 (일회용 로그인 주소를 출력합니다)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8080, help="port to listen on (default 8080)")
    _knowledge_dir_option(p)

    p = _subcommand(sub, "ask", cmd_ask, "질문 하나(또는 파일의 질문들)에 답합니다")
    p.add_argument("question", nargs="*", help="the question, in Korean")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--batch", metavar="FILE", help="one question per line (- for standard input); JSON Lines out")
    p.add_argument(
        "--conversation", action="store_true", help="with --batch: the lines are one conversation (context carried)"
    )

    _subcommand(sub, "chat", cmd_chat, "콘솔에서 봇과 대화합니다")

    p = _subcommand(sub, "reminders", cmd_reminders, "그날 보낼 알림을 보여 줍니다 (아무것도 보내지 않습니다)")
    p.add_argument(
        "--date", type=_date, default=None, metavar="YYYY-MM-DD", help="the day (default: --today or the real date)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--all-topics",
        action="store_true",
        help="for a hypothetical subscriber of every topic, not the real subscribers",
    )
    p.add_argument(
        "--rules",
        type=Path,
        default=None,
        metavar="FILE",
        help="reminder rules file (default: the shipped knowledge/reminders.yaml)",
    )

    p = _subcommand(sub, "calendar", cmd_calendar, "시험·교육 일정을 캘린더 파일(.ics)로 씁니다")
    p.add_argument("--out", default="-", metavar="FILE", help="output file (default: stdout)")
    p.add_argument("--user", type=int, default=None, metavar="ID", help="the topics this Telegram user subscribed to")
    p.add_argument(
        "--topic",
        action="append",
        default=[],
        metavar="TOPIC",
        help="a topic (exam_round:second, exam_round:*, program:newcomer, "
        "category:leadership); repeatable; default: everything",
    )

    p = _subcommand(sub, "broadcast", cmd_broadcast, "실행 중인 봇이 보낼 공지를 예약합니다 (직원용)")
    p.add_argument("--text", required=True, help="the notice (plain text; see --html)")
    p.add_argument(
        "--html", action="store_true", help="--text is Telegram HTML (<b>, <i>, <u>, <s>, <a href>, <code>, <pre>)"
    )
    p.add_argument(
        "--audience",
        required=True,
        metavar="A",
        help="all (전체), verified (인증 직원: granted or invited, plus staff), "
        "staff (직원 as tapped at /start: self-declared), examinee (수험생), "
        "parent (학부모), other (기타), or topic:<topic> (e.g. topic:notices, "
        "topic:exam_round:* = subscribers of any exam round)",
    )
    p.add_argument(
        "--at",
        metavar="TIME",
        default=None,
        help="send later, Asia/Seoul: '내일 09:00', '2018-08-22 14:30' or ISO 8601 (default: now)",
    )

    p = _subcommand(sub, "broadcasts", cmd_broadcasts, "공지 발송 내역과 건수를 보여 줍니다")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument(
        "--limit", type=_positive_int, default=20, metavar="N", help="how many, newest first, 1 or more (default 20)"
    )
    p.add_argument("--all", action="store_true", help="include unfinished drafts")

    p = _subcommand(sub, "image", cmd_image, "봇이 보내는 그림(시험 일정·캠퍼스·한 달 교육)을 PNG 파일로 씁니다")
    p.add_argument(
        "kind",
        metavar="exams|campus|month",
        help="exams: the year's exam timeline; campus: the buildings floor by floor; "
        "month: the courses running in a month",
    )
    p.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="PNG file to write (default: hrdbot-<picture>-<date>.png in this folder)",
    )
    p.add_argument(
        "--month", default=None, metavar="YYYY-MM", help="month: which month (default: the month of --today)"
    )
    return parser


def _failure(exc: BaseException) -> tuple[list[str], int] | None:
    """The message lines and exit code of a known failure; None for a bug."""

    def cls(module: str, name: str) -> type[BaseException]:
        # Only modules already imported can have raised; importing more would slow `ask`.
        found = getattr(sys.modules.get(module), name, None)
        return found if isinstance(found, type) else _Never

    if isinstance(exc, CliError):
        return [str(a) for a in exc.args], exc.code
    if isinstance(exc, cls("db.schema", "DatabaseOpenError")):
        return [str(exc)], EXIT_USAGE
    if isinstance(exc, cls("knowledge.loader", "KnowledgeError")):
        problems = _problems(exc.problems)  # type: ignore[attr-defined]
        return [
            *problems,
            f"지식 파일에 문제가 {len(problems)}개 있습니다 (knowledge files "
            "are invalid). 고친 뒤 hrdbot load 로 확인하세요.",
        ], EXIT_USAGE
    if isinstance(exc, cls("knowledge.answers.common", "StaleKnowledgeError")):
        return [str(exc)], EXIT_USAGE
    if isinstance(exc, cls("knowledge.understand", "NluError")):
        return [
            str(exc),
            "이해 규칙 파일(knowledge/nlu.yaml)이 올바르지 않습니다. 고친 뒤 다시 실행해 주세요.",
        ], EXIT_USAGE
    if isinstance(exc, cls("knowledge.thesaurus", "ThesaurusError")):
        return [
            str(exc),
            "일상어 사전 파일(knowledge/thesaurus.yaml)이 올바르지 않습니다. 고친 뒤 다시 실행해 주세요.",
        ], EXIT_USAGE
    if isinstance(exc, cls("knowledge.reminders", "RemindersConfigError")):
        return [
            *_problems(exc.problems),  # type: ignore[attr-defined]
            "알림 규칙 파일(knowledge/reminders.yaml)이 올바르지 않습니다.",
        ], EXIT_USAGE
    if isinstance(exc, cls("handlers.config", "ConfigError")):
        text = str(exc)
        if not re.search("[가-힣]", text):  # an English detail: say in Korean what it is
            text = f"환경 설정이 올바르지 않습니다 ({text}). 값을 고친 뒤 다시 실행해 주세요."
        return [text], EXIT_USAGE
    if isinstance(exc, cls("handlers.app", "BotApiRejectedToken")):
        return [
            "Bot API가 토큰을 거부했습니다 (getMe: HTTP 401 Unauthorized 또는 404 Not Found). "
            "TELEGRAM_BOT_TOKEN 이 @BotFather 가 준 토큰인지, --base-url 이 맞는지 "
            "확인해 주세요."
        ], EXIT_USAGE
    if isinstance(exc, cls("handlers.app", "NeverConnected")):
        detail = f" (마지막 오류: {exc.last_error})" if exc.last_error else ""  # type: ignore[attr-defined]
        return [
            f"Bot API에 한 번도 연결하지 못한 채 멈췄습니다{detail}. 네트워크와 --base-url 을 확인해 주세요."
        ], EXIT_RUNTIME
    if isinstance(exc, cls("telegram.error", "TelegramError")):
        return [
            f"Bot API 오류로 봇이 멈췄습니다 ({type(exc).__name__}: {exc.message}). 잠시 뒤 다시 실행해 주세요."
        ], EXIT_RUNTIME  # type: ignore[attr-defined]
    if isinstance(exc, BrokenPipeError):
        return ["출력을 받던 쪽이 먼저 닫혀 나머지를 쓰지 않았습니다 (broken pipe)."], EXIT_RUNTIME
    if isinstance(exc, sqlite3.OperationalError) and any(word in str(exc) for word in ("locked", "readonly", "disk")):
        return [
            f"데이터베이스를 쓸 수 없습니다 ({exc}). 다른 프로세스가 오래 잡고 있거나 디스크·권한 문제입니다."
        ], EXIT_RUNTIME
    return None


class _Never(Exception):
    """Stands in for an exception class whose module was never imported."""


def _report(lines: Sequence[str], exc: BaseException, debug: bool) -> None:
    from handlers import redact

    if debug:
        sys.stderr.write(redact.scrub("".join(traceback.format_exception(exc))))
    *problems, message = lines  # a list of problems (file:line: ...), then what to do
    for line in problems:
        print(redact.scrub(f"오류: {line}"), file=sys.stderr)
    print(redact.scrub(f"hrdbot: 오류: {message}"), file=sys.stderr)


def _quiet_stdout() -> None:
    """After a broken pipe: send what is still buffered nowhere, so exiting stays quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _sqlite_utils_without_numpy() -> None:
    """sqlite-utils imports numpy whenever it is installed (matplotlib brings it, for the
    pictures), which would add about 0.1 s to every `hrdbot ask`; no hrdbot table stores numpy
    values, so sqlite-utils is imported with numpy hidden. numpy stays importable afterwards."""
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del sys.modules["numpy"]


def main(argv: Sequence[str] | None = None) -> int:
    _sqlite_utils_without_numpy()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from handlers.config import token_configured

            chosen = "run" if token_configured(os.environ, Path.cwd()) else "chat"
            args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), chosen])
        code = int(args.func(args))
        sys.stdout.flush()
        return code
    except KeyboardInterrupt:
        return EXIT_OK
    except Exception as exc:
        failure = _failure(exc)
        if failure is None:
            raise  # a bug: the traceback is the report
        if isinstance(exc, BrokenPipeError):
            _quiet_stdout()
        _report(failure[0], exc, getattr(args, "debug", False))
        return failure[1]


if __name__ == "__main__":
    raise SystemExit(main())
