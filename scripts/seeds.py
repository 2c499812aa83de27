"""Robustness of each chapter's claim check across seeds: a report, not a test.

    python scripts/seeds.py [--seeds 0 1 2 3 4] [--jobs 2] [notebooks/NN_slug.py ...]

Runs every chapter (or the given ones) in fast mode once per seed, in a fresh kernel, reads the
claim record of each run (also when a row fails) and writes, per chapter and claim row, how many
seeds pass and the range of the measured value to seeds.json. The scoreboard shows it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute import ROOT, chapter_sources, execute  # noqa: E402
from report import records_of  # noqa: E402

SEEDS_JSON = ROOT / "seeds.json"


def run_one(source: Path, seed: int) -> tuple[str, int, dict | None, float]:
    """Run one chapter with one seed in fast mode; return (chapter, seed, claim record or None, seconds)."""
    nb, seconds = execute(source, fast=True, timeout=900, seed=seed, allow_errors=True)
    records = records_of(nb)
    return source.stem[:2], seed, (records[0] if records else None), seconds


def summarise(runs: list[tuple[int, dict | None]]) -> dict:
    """Return the per-row summary of one chapter's runs: passes, seeds and measured values."""
    seeds = [seed for seed, _ in runs]
    complete = [(seed, record) for seed, record in runs if record]
    rows = []
    if complete:
        for i, row in enumerate(complete[0][1]["rows"]):
            values = [(seed, record["rows"][i]) for seed, record in complete if i < len(record["rows"])]
            rows.append(
                {
                    "claim": row["claim"],
                    "passed": sum(r["passed"] for _, r in values),
                    "measured": [r["measured"] for _, r in values],
                }
            )
    return {
        "mode": "fast",
        "seeds": seeds,
        "without_record": [seed for seed, record in runs if not record],  # the run broke before its claim check
        "rows": rows,
        "measured_on": f"{date.today().isoformat()}, {os.cpu_count()}-core {platform.machine()} CPU",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="chapter sources (default: all)")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--jobs", type=int, default=2, help="chapters run at once (default 2, one per core)")
    args = parser.parse_args()
    if any(seed < 0 for seed in args.seeds) or args.jobs < 1:
        sys.exit("seeds must be >= 0 and --jobs >= 1")
    sources = chapter_sources(args.paths)
    jobs = [(source, seed) for source in sources for seed in args.seeds]
    results: dict[str, list] = {}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for chapter, seed, record, seconds in pool.map(run_one, *zip(*jobs)):
            results.setdefault(chapter, []).append((seed, record))
            verdict = "no claim record" if not record else f"{sum(r['passed'] for r in record['rows'])}/{len(record['rows'])} rows pass"
            print(f"{chapter} seed {seed}: {verdict} ({seconds:.0f} s)", flush=True)
    data = json.loads(SEEDS_JSON.read_text()) if SEEDS_JSON.exists() else {}
    for chapter, runs in results.items():
        data[chapter] = summarise(sorted(runs, key=lambda run: run[0]))
    SEEDS_JSON.write_text(json.dumps(dict(sorted(data.items())), indent=2) + "\n")
    print(f"wrote {SEEDS_JSON.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
