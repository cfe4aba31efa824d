"""Understanding benchmark: accuracy on the development set and answer() latency.

Prints accuracy by intent, the most confused intent pairs, the out-of-scope false-answer rate,
answer() latency p50/p99 on the shipped knowledge and on the knowledge scaled x100 with
synthetic programs, and the cold start of `hrdbot ask`. Figures only; nothing is asserted.

    .venv/bin/python bench/bench_understanding.py [--scale 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import collections
import csv
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

from knowledge.core import Brain  # noqa: E402
from knowledge.loader import DATA_DIR  # noqa: E402
from knowledge.reply import EMPTY_CONTEXT  # noqa: E402
from knowledge.store import open_database  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")
DEVSET = ROOT / "tests" / "devset.tsv"


def read_devset() -> list[dict[str, str]]:
    with DEVSET.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def now_for(row: dict[str, str]) -> dt.datetime:
    day = dt.date.fromisoformat(row.get("today") or "2018-07-01")
    return dt.datetime.combine(day, dt.time(12), tzinfo=SEOUL)


def accuracy(brain: Brain, rows: list[dict[str, str]]) -> None:
    per_intent: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    confused: collections.Counter[tuple[str, str]] = collections.Counter()
    oos_total = oos_answered = 0
    for row in rows:
        reply = brain.answer(row["question"], EMPTY_CONTEXT, now=now_for(row))
        allowed = set(row["intent"].split("|"))
        got = reply.intent or "none"
        if "none" in allowed:
            oos_total += 1
            oos_answered += reply.intent is not None
            continue
        label = row["intent"].split("|")[0]  # the first reading is the row's main intent
        compact = reply.text.replace(" ", "")
        facts_ok = all(f.replace(" ", "") in compact for f in row["expect"].split("|") if f)
        ok = got in allowed and facts_ok
        per_intent[label][0] += ok
        per_intent[label][1] += 1
        if got not in allowed:
            confused[(label, got)] += 1
    total_ok = sum(v[0] for v in per_intent.values())
    total = sum(v[1] for v in per_intent.values())
    print(f"in-scope accuracy: {total_ok}/{total} = {total_ok / max(total, 1):.1%}")
    print(f"out-of-scope answered (false answers): {oos_answered}/{oos_total} = "
          f"{oos_answered / max(oos_total, 1):.1%}")
    print("\naccuracy by intent:")
    for label, (ok, n) in sorted(per_intent.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        print(f"  {label:32s} {ok:3d}/{n:<3d} {ok / n:6.1%}")
    print("\nmost confused (expected -> got):")
    for (want, got), n in confused.most_common(10):
        print(f"  {want} -> {got}: {n}")


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
        synthetic.append({
            "id": f"synthetic-{i}", "name": f"{name} 과정", "aliases": [f"{name}교육"],
            "category": category, "target": "합성 대상", "duration": "1주",
            "headcount": rng.randint(10, 500), "source": "synthetic benchmark data",
            "sessions": [{"id": f"synthetic-{i}-1", "name": "제1기", "start": start.isoformat(),
                          "end": (start + dt.timedelta(days=4)).isoformat(),
                          "source": "synthetic benchmark data"}],
        })
    data["programs"] = real + synthetic
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(data["programs"])


def cold_start(db: Path, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "bot.py"), "ask", "신임자 과정 언제 시작해요?",
                        "--db", str(db)], check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = read_devset()
    questions = [r["question"] for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "shipped.db"
        brain = Brain(open_database(db_path), log_unanswered=False)
        print(f"development set: {len(rows)} questions ({DEVSET.relative_to(ROOT)})\n")
        accuracy(brain, rows)
        p50, p99 = latency(brain, questions, args.repeat)
        print(f"\nanswer() latency, shipped knowledge: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
              f"(target p99 <= 5 ms)")
        n_programs = scaled_data_dir(args.scale, Path(tmp) / "scaled")
        t0 = time.perf_counter()
        scaled = Brain(open_database(Path(tmp) / "scaled.db", data_dir=Path(tmp) / "scaled"),
                       log_unanswered=False)
        build = time.perf_counter() - t0
        p50s, p99s = latency(scaled, questions, 1)
        print(f"answer() latency, knowledge x{args.scale} ({n_programs} programs; load+build "
              f"{build:.1f} s): p50 {p50s:.2f} ms, p99 {p99s:.2f} ms (target p99 <= 25 ms)")
        print(f"`hrdbot ask` cold start (median of 5, existing database): "
              f"{cold_start(db_path):.2f} s (target <= 1 s)")


if __name__ == "__main__":
    main()
