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
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

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


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", type=Path, default=default,
                        help="database file (default: $HRDBOT_DB or ~/.local/share/hrdbot/hrdbot.db)")
    parser.add_argument("--today", type=_date, default=default, metavar="YYYY-MM-DD",
                        help="the date the bot takes as today (Asia/Seoul); default: the real date")


def today_in_seoul(args: argparse.Namespace) -> dt.date:
    return args.today or dt.datetime.now(SEOUL).date()


def _open_db(args: argparse.Namespace):  # noqa: ANN202 - sqlite_utils.Database
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
