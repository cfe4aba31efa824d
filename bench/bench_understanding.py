"""Understanding benchmark: the dev and test splits side by side, and answer() latency.

Prints, for the development split (tuned on) and the held-out test split (never tuned on), the
accuracy, declines, near misses, dialogue turns, first-line and reply-length figures, by category;
writes per-row verdicts to bench/results/ so a change shows as rows gained and lost. Then
answer() latency p50/p99 on the shipped knowledge and on the knowledge scaled x100 with
synthetic programs, and the cold start of `hrdbot ask`. Figures only; nothing is asserted.

    .venv/bin/python bench/bench_understanding.py [--scale 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import splits  # noqa: E402

from knowledge.core import Brain  # noqa: E402
from knowledge.loader import DATA_DIR  # noqa: E402
from knowledge.reply import EMPTY_CONTEXT  # noqa: E402
from knowledge.store import open_database  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")
RESULTS = ROOT / "bench" / "results"


def split_table(brain: Brain) -> list[str]:
    """The dev splits and test side by side; per-row verdicts to bench/results/<split>.tsv."""
    out = []
    results = {}
    named = [("dev", splits.read_dev())] + [(name, splits.read_split(name)) for name in splits.SPLIT_FILES]
    for name, items in named:
        if not items:
            continue
        verdicts = splits.run(brain, items)
        gained, lost = splits.write_results(verdicts, RESULTS / f"{name}.tsv")
        results[name] = (
            splits.summary(verdicts),
            splits.by_category(verdicts),
            splits.failures(verdicts),
            gained,
            lost,
        )
    rows = [
        ("accuracy (single questions)", "accuracy"),
        ("in scope answered right", "in_scope"),
        ("declinable answered", "declinable_answered"),
        ("near misses answered", "near_miss_answered"),
        ("dialogue turns right", "dialogue_turns"),
        ("asked fact in first line", "fact_first_line"),
        ("median answered reply (chars)", "median_reply"),
    ]
    out.append(f"{'':32s} " + " ".join(f"{name:>8s}" for name in results))
    for label, field in rows:
        cells = []
        for name in results:
            summary = results[name][0]
            if field == "dialogue_turns" and not summary["n_turns"]:
                cells.append(f"{'-':>8s}")  # the dev split has no dialogues
            elif field == "median_reply":
                cells.append(f"{summary[field]:8.0f}")
            else:
                cells.append(f"{summary[field]:8.3f}")
        out.append(f"{label:32s} {' '.join(cells)}")
    for name in results:
        summary, categories, failures, gained, lost = results[name]
        out.append(
            f"\n{name}: {summary['n_singles']} questions, {summary['n_turns']} dialogue turns; "
            f"rows gained {gained}, lost {lost} since the last run (bench/results/{name}.tsv)"
        )
        out.append("  by category: " + ", ".join(f"{k} {a}/{n}" for k, (a, n) in categories.items()))
        out.append("  failures: " + (", ".join(f"{k} {n}" for k, n in failures.most_common()) or "none"))
    return out


def now_for(row: dict[str, str]) -> dt.datetime:
    day = dt.date.fromisoformat(row.get("today") or "2018-07-01")
    return dt.datetime.combine(day, dt.time(12), tzinfo=SEOUL)


def latency(brain: Brain, questions: list[str], repeat: int) -> tuple[float, float]:
    now = dt.datetime(2018, 7, 1, 12, tzinfo=SEOUL)
    samples: list[float] = []
    for _ in range(repeat):
        for q in questions:
            t0 = time.perf_counter()
            brain.answer(q, EMPTY_CONTEXT, now=now)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1]


_SYLLABLES = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호"


def scaled_data_dir(factor: int, out: Path) -> int:
    """Copy the shipped files and add (factor-1) synthetic programs per real one."""
    shutil.copytree(DATA_DIR, out)
    path = out / "programs.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rng = random.Random(42)
    real = data["programs"]
    category = data["categories"][0]["id"]
    synthetic = []
    used: set[str] = set()
    for i in range(len(real) * (factor - 1)):
        while True:
            name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(3, 5)))
            if name not in used:
                used.add(name)
                break
        start = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 330))
        synthetic.append(
            {
                "id": f"synthetic-{i}",
                "name": f"{name} 과정",
                "aliases": [f"{name}교육"],
                "category": category,
                "target": "합성 대상",
                "duration": "1주",
                "headcount": rng.randint(10, 500),
                "source": "synthetic benchmark data",
                "sessions": [
                    {
                        "id": f"synthetic-{i}-1",
                        "name": "제1기",
                        "start": start.isoformat(),
                        "end": (start + dt.timedelta(days=4)).isoformat(),
                        "source": "synthetic benchmark data",
                    }
                ],
            }
        )
    data["programs"] = real + synthetic
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(data["programs"])


def cold_start(db: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, str(ROOT / "bot.py"), "ask", "신임자 과정 언제 시작해요?", "--db", str(db)],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questions = [item.question for item in splits.read_dev()]
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "shipped.db"
        brain = Brain(open_database(db_path), log_unanswered=False)
        print("\n".join(split_table(brain)))
        p50, p99 = latency(brain, questions, args.repeat)
        print(f"\nanswer() latency, shipped knowledge: p50 {p50:.2f} ms, p99 {p99:.2f} ms (target p99 <= 5 ms)")
        n_programs = scaled_data_dir(args.scale, Path(tmp) / "scaled")
        t0 = time.perf_counter()
        scaled = Brain(open_database(Path(tmp) / "scaled.db", data_dir=Path(tmp) / "scaled"), log_unanswered=False)
        build = time.perf_counter() - t0
        p50s, p99s = latency(scaled, questions, 1)
        print(
            f"answer() latency, knowledge x{args.scale} ({n_programs} programs; load+build "
            f"{build:.1f} s): p50 {p50s:.2f} ms, p99 {p99s:.2f} ms (target p99 <= 25 ms)"
        )
        print(f"`hrdbot ask` cold start (median of 5, existing database): {cold_start(db_path):.2f} s (target <= 1 s)")


if __name__ == "__main__":
    main()
