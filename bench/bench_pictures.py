"""Benchmark: the pictures, cold and cached, and what they cost `hrdbot ask`. Figures only.

    .venv/bin/python bench/bench_pictures.py [--runs 7] [--ask-runs 10]

- *first picture of a process*: a fresh interpreter imports matplotlib, registers the font and
  renders the exam timeline (what the first /exams after start-up would pay without the
  bot's start-up warm-up);
- *cold render*: each picture rendered anew in a warm process (layout from SQLite + drawing);
- *cached*: the same request again (layout from SQLite + cache hit), as every further send of
  the day does when Telegram's file_id is not yet known;
- *hrdbot ask cold start*: `python bot.py ask ...` N times as shipped, interleaved with N runs
  that hide matplotlib and numpy (the environment before the pictures' dependencies were
  installed); medians. Also whether `ask` imports matplotlib, numpy or pictures at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.store import open_database  # noqa: E402
from pictures import service  # noqa: E402

TODAY = dt.date(2018, 7, 1)
QUESTION = "2차 시험 일정 알려주세요"


def pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (Hangul takes two)."""
    return text + " " * max(0, width - sum(2 if ord(c) >= 0x1100 else 1 for c in text))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def first_picture(db_path: Path) -> float:
    code = (
        "import datetime as dt, sys, time; t = time.perf_counter(); "
        "from knowledge.store import open_database; from pictures import service; "
        "db = open_database(sys.argv[1]); "
        "service.PictureCache().picture(service.exams_request(db, dt.date(2018, 7, 1))); "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db_path)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def ask_once(db_path: Path, hide: bool) -> float:
    prelude = "import sys; sys.modules.update(dict.fromkeys(['matplotlib', 'numpy'])); " if hide else "import sys; "
    code = prelude + f"import bot; bot.main(['ask', {QUESTION!r}, '--db', sys.argv[1]])"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(db_path)], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def ask_imports(db_path: Path) -> list[str]:
    code = (
        f"import json, sys, bot; bot.main(['ask', {QUESTION!r}, '--db', sys.argv[1]]); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'matplotlib', 'numpy', 'PIL', 'pictures'})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db_path)], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7, help="renders per picture (median)")
    parser.add_argument("--ask-runs", type=int, default=10, help="`hrdbot ask` runs per variant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        db = open_database(db_path)
        print(f"first picture of a process (import matplotlib + font + exams): {ms(first_picture(db_path))}")
        requests: dict[str, Callable[[], service.Request]] = {
            "exams (2018-07-01)": lambda: service.exams_request(db, TODAY),
            "exams, subscriber": lambda: service.exams_request(db, TODAY, highlight={"second"}),
            "campus": lambda: service.campus_request(db),
            "campus, 배움관 2층": lambda: service.campus_request(db, building="baeum", floor=2),
            "month (2018-07)": lambda: service.month_request(db, "2018-07", TODAY),
        }
        service.PictureCache().picture(requests["exams (2018-07-01)"]())  # load matplotlib
        print(f"\n{'picture':<22} {'cold render':>12} {'cached':>12} {'PNG':>9}  (medians of {args.runs})")
        for name, make in requests.items():
            cold, hot = [], []
            size = 0
            for _ in range(args.runs):
                cache = service.PictureCache()
                t0 = time.perf_counter()
                size = len(cache.picture(make()).png)
                cold.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                cache.picture(make())
                hot.append(time.perf_counter() - t0)
                assert cache.renders == 1
            print(
                f"{pad(name, 22)} {ms(statistics.median(cold)):>12} "
                f"{ms(statistics.median(hot)):>12} {size / 1024:7.0f} kB"
            )
        db.close()

        shipped, before = [], []
        for _ in range(args.ask_runs):  # interleaved, so load on the machine hits both alike
            shipped.append(ask_once(db_path, hide=False))
            before.append(ask_once(db_path, hide=True))
        print(f"\nhrdbot ask cold start, median of {args.ask_runs}:")
        print(f"  as shipped                               {ms(statistics.median(shipped))}")
        print(f"  matplotlib and numpy hidden (as before)  {ms(statistics.median(before))}")
        print(f"  libraries of the pictures imported by ask: {ask_imports(db_path) or 'none'}")


if __name__ == "__main__":
    main()
