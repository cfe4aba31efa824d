"""hrdbot: composition root and command line.

Every subcommand reads its configuration here, opens the database (creating it from the shipped
knowledge files when it does not exist) and hands over to the core in ``knowledge/``, the
Telegram edge in ``handlers/`` or the database layer in ``db/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # imported lazily below, to keep `hrdbot ask` starting fast
    from sqlite_utils import Database

    from console.app import Settings as ConsoleSettings
    from knowledge.reminders import ReminderConfig

SEOUL = ZoneInfo("Asia/Seoul")

EXIT_OK, EXIT_RUNTIME, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line usage or configuration; shown to the user with exit code 2."""


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; expected YYYY-MM-DD, e.g. 2018-08-21"
        ) from None


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port; expected 0-65535, e.g. 8080")
    return value


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", type=Path, default=default,
                        help="database file (default: $HRDBOT_DB or ~/.local/share/hrdbot/hrdbot.db)")
    parser.add_argument("--today", type=_date, default=default, metavar="YYYY-MM-DD",
                        help="the date the bot takes as today (Asia/Seoul); default: the real date")


def today_in_seoul(args: argparse.Namespace) -> dt.date:
    return args.today or dt.datetime.now(SEOUL).date()


def _open_db(args: argparse.Namespace) -> Database:
    from db.schema import default_db_path
    from knowledge.store import open_database

    return open_database(args.db or default_db_path())


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
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) in {directory}; the database was not changed.",
              file=sys.stderr)
        return EXIT_USAGE
    summary = ", ".join(f"{table} {n}" for table, n in counts.items())
    print(f"Loaded {directory} into {path}: {summary}")
    return EXIT_OK


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

    if args.batch is None and not args.question:
        raise UsageError('give a question (hrdbot ask "신임자 과정 언제 시작해요?") or --batch FILE')
    if args.batch is not None and args.question:
        raise UsageError("give either a question or --batch FILE, not both")
    if args.conversation and args.batch is None:
        raise UsageError("--conversation only applies to --batch FILE")
    if args.batch is not None:
        try:
            lines = Path(args.batch).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise UsageError(f"batch file not found: {args.batch}") from None
        except UnicodeDecodeError:
            raise UsageError(f"batch file is not UTF-8 text: {args.batch}") from None
        except IsADirectoryError:
            raise UsageError(f"batch file is a directory: {args.batch}") from None
    db = _open_db(args)
    brain = Brain(db)
    now = _now(args)
    if args.batch is None:
        reply = brain.answer(" ".join(args.question), EMPTY_CONTEXT, now=now)
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
            f"'{text}' is not a date and time; expected e.g. 2018-08-21T08:29:00+09:00"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=SEOUL)


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Telegram bot (polling, or webhook with --webhook-url)."""
    import logging

    from handlers import redact
    from handlers.app import build_application, run
    from handlers.clock import StartedClock, SystemClock
    from handlers.config import ConfigError, load_config
    from handlers.features import default_features
    from handlers.state import AppState
    from knowledge.loader import KnowledgeError

    try:
        config = load_config(os.environ, Path.cwd(), base_url=args.base_url,
                             webhook_url=args.webhook_url, listen=args.listen, port=args.port)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redact.install(config.token)
    if args.now:
        clock = StartedClock(args.now)
    elif args.today:
        clock = StartedClock(dt.datetime.combine(args.today, dt.datetime.now(SEOUL).timetz()))
    else:
        clock = SystemClock()
    try:
        db = _open_db(args)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from knowledge.core import LiveBrain
    from knowledge.reminders import RemindersConfigError

    try:
        features = default_features()
    except RemindersConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:  # a feature's settings (HRDBOT_ADMINS, HRDBOT_BROADCAST_RATE)
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
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


def _console_settings(args: argparse.Namespace, db: Database, now: Callable[[], dt.datetime]
                      ) -> ConsoleSettings:
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

    return Settings(db=db, now=now, reminder_config=_reminder_config(None), admins=admins,
                    knowledge_dir=directory, answer=answer)


def cmd_console(args: argparse.Namespace) -> int:
    """Serve the staff web console alone; print a one-time login URL."""
    from console.server import serve_forever
    from handlers.clock import StartedClock, SystemClock
    from knowledge.loader import KnowledgeError

    clock = (StartedClock(dt.datetime.combine(args.today, dt.datetime.now(SEOUL).timetz()))
             if args.today else SystemClock())
    try:
        db = _open_db(args)
    except KnowledgeError as exc:
        raise UsageError("the shipped knowledge files are invalid:\n  "
                         + "\n  ".join(str(p) for p in exc.problems)) from None
    settings = _console_settings(args, db, clock.now)

    def announce(url: str) -> None:
        print(f"hrdbot console: open {url} (valid 10 minutes, works once)", flush=True)

    try:
        serve_forever(settings, args.host, args.port, announce)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return EXIT_OK


def cmd_reminders(args: argparse.Namespace) -> int:
    """List the reminders and daily pushes due on a day, sending nothing."""
    import json

    from knowledge import reminders as rk

    config = _reminder_config(args.rules)
    day = args.date or today_in_seoul(args)
    found, status = rk.day_plan(_open_db(args), config, day, all_topics=args.all_topics)
    if args.json:
        print(json.dumps({
            "date": day.isoformat(),
            "all_topics": bool(args.all_topics),
            "count": len(found),
            "reminders": [
                {**d.to_json(), "user_id": None if args.all_topics else d.user_id,
                 "status": status.get((d.user_id, d.key), "planned")}
                for d in found
            ],
        }, ensure_ascii=False))
        return EXIT_OK
    who = ("a subscriber of every topic (--all-topics)" if args.all_topics
           else "every subscriber")
    print(f"{day.isoformat()} ({rk.WEEKDAYS[day.weekday()]}): {len(found)} message(s) due to "
          f"{who}; nothing is sent.")
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
        raise UsageError("invalid reminder rules; nothing was done:\n  "
                         + "\n  ".join(exc.problems)) from None


def cmd_calendar(args: argparse.Namespace) -> int:
    """Write an .ics file of the exam events and course sessions in some topics."""
    from db import reminders as rdb
    from knowledge import reminders as rk
    from knowledge.calendar import build_calendar, selected

    if args.user is not None and args.topic:
        raise UsageError("give either --user ID or --topic TOPIC, not both")
    db = _open_db(args)
    view = rk.knowledge_view(db)
    topics: list[str] | None = None
    if args.user is not None:
        topics = rdb.topics_of(db, args.user)
        if not topics:
            raise UsageError(f"user {args.user} has no subscriptions")
    elif args.topic:
        try:
            topics = [rk.parse_topic(t, view) for t in args.topic]
        except rk.UnknownTopicError as exc:
            raise UsageError(str(exc)) from None
    data = build_calendar(view, topics, _now(args))
    count = len(selected(view, topics))
    if args.out == "-":
        sys.stdout.write(data.decode("utf-8"))
        return EXIT_OK
    try:
        Path(args.out).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror}") from None
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
    except bdb.UnknownAudienceError as exc:
        raise UsageError(f"--audience: {exc}") from None
    except btext.WhenError as exc:
        raise UsageError(f"--at: {exc}") from None
    b = bdb.create(db, text=notice, now=now, audience=audience, state=bdb.QUEUED,
                   scheduled_at=at)
    from db.ops import audit

    audit(db, now, None, "cli.broadcast", f"#{b.id} {audience}")
    count = bdb.count_audience(db, audience)
    when = f"at {at.isoformat(timespec='minutes')}" if at else "as soon as the running bot sees it"
    print(f"Queued broadcast #{b.id} to {bdb.audience_label(audience)} ({audience}): "
          f"{count} recipient(s) now; sending {when}.")
    return EXIT_OK


def cmd_broadcasts(args: argparse.Namespace) -> int:
    """List broadcasts with their delivery counts."""
    import json

    from db import broadcasts as bdb
    from handlers import broadcast_text as btext

    items = bdb.recent(_open_db(args), args.limit, include_drafts=args.all)
    if args.json:
        print(json.dumps([{
            "id": b.id, "state": b.state, "audience": b.audience, "created_at": b.created_at,
            "scheduled_at": b.scheduled_at, "started_at": b.started_at,
            "finished_at": b.finished_at, "total": b.total, "sent": b.sent,
            "blocked": b.blocked, "failed": b.failed, "remaining": b.remaining,
            "resent": b.resent, "text": b.text,
        } for b in items], ensure_ascii=False))
        return EXIT_OK
    if not items:
        print("No broadcasts yet.")
        return EXIT_OK
    print(f"{'id':>4}  {'state':<9} {'audience':<20} {'total':>7} {'sent':>7} {'blocked':>7} "
          f"{'failed':>6} {'left':>7}  when / text")
    for b in items:
        when = b.scheduled_at or b.started_at or b.created_at
        preview = btext.shorten(b.text, 40)
        print(f"{b.id:>4}  {b.state:<9} {b.audience or '-':<20} {b.total:>7} {b.sent:>7} "
              f"{b.blocked:>7} {b.failed:>6} {b.remaining:>7}  {when}  {preview}")
    return EXIT_OK


def cmd_image(args: argparse.Namespace) -> int:
    """Write one of the bot's pictures (exams, campus, month) as a PNG file."""
    from pictures.layout import PictureError, parse_month
    from pictures.service import KINDS, PictureCache, png_size, request_for

    if args.kind not in KINDS:
        raise UsageError(f"알 수 없는 그림이에요: '{args.kind}'. exams, campus, month 중에서 골라 "
                         "주세요 (예: hrdbot image exams).")
    if args.month is not None:
        if args.kind != "month":
            raise UsageError("--month 옵션은 month 그림에만 쓸 수 있어요 (예: hrdbot image month "
                             "--month 2018-07).")
        try:
            parse_month(args.month)
        except PictureError:
            raise UsageError(f"--month '{args.month}': 올바른 달이 아니에요. YYYY-MM 형식으로 "
                             "적어 주세요 (예: 2018-07).") from None
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
        raise UsageError(f"--out '{out}': 파일을 쓸 수 없어요 ({exc.strerror}). 쓸 수 있는 곳을 "
                         "적어 주세요.") from None
    width, height = png_size(png)
    print(f"Wrote {out} ({width}x{height} px)")
    print(request.caption)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hrdbot",
        description="서울시 인재개발원 안내 챗봇 (hrdbot). Without a command: the Telegram bot "
                    "when TELEGRAM_BOT_TOKEN is set, otherwise the console chat.",
    )
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("load", help="validate knowledge files and load them into the database")
    p.add_argument("directory", nargs="?", help="folder of knowledge YAML files "
                   "(default: the shipped knowledge/data)")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("run", help="run the Telegram bot (token from TELEGRAM_BOT_TOKEN or .env)")
    p.add_argument("--base-url", metavar="URL",
                   help="Bot API server base URL, the token is appended "
                        "(e.g. http://127.0.0.1:8081/bot)")
    p.add_argument("--webhook-url", metavar="URL",
                   help="receive updates by webhook at this public URL instead of polling")
    p.add_argument("--listen", default=None, metavar="ADDR",
                   help="webhook mode: address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None,
                   help="webhook mode: port to listen on (default 8443)")
    p.add_argument("--now", type=_instant, default=None, metavar="ISO-DATETIME",
                   help="start the bot's clock at this instant (Asia/Seoul unless given); "
                        "it runs forward in real time")
    p.add_argument("--log-level", default="INFO", help="logging level (default INFO)")
    p.add_argument("--console-port", type=_port, default=None, metavar="N",
                   help="also serve the staff web console on this port (same process)")
    p.add_argument("--console-host", default="127.0.0.1", metavar="ADDR",
                   help="address of the console (default 127.0.0.1)")
    p.add_argument("--knowledge-dir", type=Path, default=None, metavar="DIR",
                   help="knowledge folder the console edits (default: the one the database "
                        "was loaded from)")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("console", help="serve the staff web console (prints a login URL)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8080, help="port to listen on (default 8080)")
    p.add_argument("--knowledge-dir", type=Path, default=None, metavar="DIR",
                   help="knowledge folder the console edits (default: the one the database "
                        "was loaded from, when writable)")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_console)

    p = sub.add_parser("ask", help="answer a question (or a batch file of questions)")
    p.add_argument("question", nargs="*", help="the question, in Korean")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--batch", metavar="FILE", help="one question per line; JSON Lines out")
    p.add_argument("--conversation", action="store_true",
                   help="with --batch: the lines are one conversation (context carried)")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="interactive console chat")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("reminders", help="list the reminders due on a day (sends nothing)")
    p.add_argument("--date", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="the day (default: --today or the real date)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--all-topics", action="store_true",
                   help="for a hypothetical subscriber of every topic, not the real subscribers")
    p.add_argument("--rules", type=Path, default=None, metavar="FILE",
                   help="reminder rules file (default: the shipped knowledge/reminders.yaml)")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_reminders)

    p = sub.add_parser("calendar", help="write an .ics calendar of exam and course dates")
    p.add_argument("--out", default="-", metavar="FILE", help="output file (default: stdout)")
    p.add_argument("--user", type=int, default=None, metavar="ID",
                   help="the topics this Telegram user subscribed to")
    p.add_argument("--topic", action="append", default=[], metavar="TOPIC",
                   help="a topic (exam_round:second, exam_round:*, program:newcomer, "
                        "category:leadership); repeatable; default: everything")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_calendar)

    p = sub.add_parser("broadcast", help="queue a staff broadcast for the running bot")
    p.add_argument("--text", required=True, help="the notice (plain text; see --html)")
    p.add_argument("--html", action="store_true",
                   help="--text is Telegram HTML (<b>, <i>, <u>, <s>, <a href>, <code>, <pre>)")
    p.add_argument("--audience", required=True, metavar="A",
                   help="all (전체), staff (직원), examinee (수험생), parent (학부모), other "
                        "(기타), or topic:<topic> (e.g. topic:notices, topic:exam_round:*)")
    p.add_argument("--at", metavar="TIME", default=None,
                   help="send later, Asia/Seoul: '내일 09:00', '2018-08-22 14:30' or ISO 8601 "
                        "(default: now)")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_broadcast)

    p = sub.add_parser("broadcasts", help="list broadcasts with their delivery counts")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--limit", type=int, default=20, help="how many, newest first (default 20)")
    p.add_argument("--all", action="store_true", help="include unfinished drafts")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_broadcasts)

    p = sub.add_parser("image", help="write a picture the bot sends (exams, campus, month) as PNG")
    p.add_argument("kind", metavar="exams|campus|month",
                   help="exams: the year's exam timeline; campus: the buildings floor by floor; "
                        "month: the courses running in a month")
    p.add_argument("--out", default=None, metavar="FILE",
                   help="PNG file to write (default: hrdbot-<picture>-<date>.png in this folder)")
    p.add_argument("--month", default=None, metavar="YYYY-MM",
                   help="month: which month (default: the month of --today)")
    _common(p, suppress=True)
    p.set_defaults(func=cmd_image)
    return parser


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
    if args.command is None:
        chosen = "run" if os.environ.get("TELEGRAM_BOT_TOKEN") else "chat"
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), chosen])
    if not hasattr(args, "func"):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
