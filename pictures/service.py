"""Picture requests from the database, and the in-memory cache of rendered pictures.

A ``Request`` is built on the caller's thread (it reads the database) and carries the layout,
the caption and the cache key; ``PictureCache.picture(request)`` renders it, or returns the copy
rendered earlier for the same key, and may run on a worker thread (it touches no database).
The key names the knowledge version (the sha256 of the loaded files), the date the picture
depends on and the highlight, so a reload or a new day makes a new picture.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

from sqlite_utils import Database

from db import knowledge as kdb
from pictures import layout as lay
from pictures.layout import Campus, MonthCalendar, PictureError, Timeline

KINDS = ("exams", "campus", "month")


@dataclass(frozen=True)
class Request:
    kind: str
    key: str
    layout: Timeline | Campus | MonthCalendar
    caption: str
    filename: str


@dataclass(frozen=True)
class Picture:
    key: str
    png: bytes
    caption: str
    filename: str


def knowledge_version(db: Database) -> str:
    return (kdb.knowledge_meta(db).get("knowledge_sha256") or "none")[:16]


def exams_request(
    db: Database, today: dt.date, *, highlight: Collection[str] = (), round_id: str | None = None
) -> Request:
    """The year's exam timeline (one round's row with ``round_id``); ``highlight``: round ids
    to mark (a subscriber's rounds)."""
    rounds = kdb.rounds(db)
    marked = sorted({r for r in highlight if any(x.id == r for x in rounds)})
    tl = lay.timeline(rounds, kdb.events(db), today, highlight=marked, only_round=round_id)
    what = round_id or "all"
    key = f"exams:{knowledge_version(db)}:{today.isoformat()}:{what}:{','.join(marked)}"
    return Request("exams", key, tl, tl.caption, f"hrdbot-exams-{today.isoformat()}.png")


def campus_request(db: Database, *, building: str | None = None, floor: int | None = None) -> Request:
    """The campus sections; ``building`` (and ``floor``) highlighted."""
    c = lay.campus(
        kdb.buildings(db), kdb.amenities(db), kdb.works(db), kdb.section(db, "site"), building=building, floor=floor
    )
    mark = f"{building or ''}:{'' if floor is None else floor}"
    key = f"campus:{knowledge_version(db)}:{mark}"
    return Request("campus", key, c, c.caption, "hrdbot-campus.png")


def month_request(db: Database, month: str | None, today: dt.date) -> Request:
    """The courses running in ``month`` ('YYYY-MM'; default: today's month)."""
    year, mon = lay.parse_month(month) if month else (today.year, today.month)
    first = dt.date(year, mon, 1)
    last = dt.date(year + mon // 12, mon % 12 + 1, 1) - dt.timedelta(days=1)
    sessions = kdb.sessions_between(db, first, last)
    ym = f"{year:04d}-{mon:02d}"
    undated = kdb.sessions_of_month(db, ym)
    ids = {s.program_id for s in [*sessions, *undated] if s.program_id}
    names = {p.id: p.name for p in (kdb.program(db, i) for i in sorted(ids)) if p is not None}
    cal = lay.month_calendar(year, mon, sessions, names, today, undated=undated)
    key = f"month:{knowledge_version(db)}:{ym}:{today.isoformat()}"
    return Request("month", key, cal, cal.caption, f"hrdbot-month-{ym}.png")


def request_for(db: Database, kind: str, today: dt.date, *, month: str | None = None) -> Request:
    """The picture ``kind`` ('exams', 'campus' or 'month') for the command line."""
    if kind == "exams":
        return exams_request(db, today)
    if kind == "campus":
        return campus_request(db)
    if kind == "month":
        return month_request(db, month, today)
    raise PictureError(f"unknown picture: {kind!r}; expected one of {', '.join(KINDS)}")


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 24:
        raise PictureError("not a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


class PictureCache:
    """Rendered pictures by key, least recently used dropped first."""

    def __init__(self, maxsize: int = 32) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[str, Picture] = OrderedDict()
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        self.renders = 0

    def cached(self, key: str) -> Picture | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def picture(self, request: Request) -> Picture:
        """The rendered picture of ``request``; requests arriving together for a picture not
        yet cached wait for the one render (matplotlib draws one picture at a time anyway)."""
        found = self.cached(request.key)
        if found is not None:
            return found
        from pictures.draw import render_png

        with self._render_lock:
            found = self.cached(request.key)
            if found is not None:
                return found
            made = Picture(request.key, render_png(request.layout), request.caption, request.filename)
        with self._lock:
            self.renders += 1
            self._items[request.key] = made
            self._items.move_to_end(request.key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return made
