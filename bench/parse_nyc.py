"""Measure how many NYC CSV rows per second the importer parses.

Usage: ``python bench/parse_nyc.py [FILE] [--runs N]``. Without FILE it writes
a 200,000-row synthetic file (bench/make_nyc_csv.py) to a temporary folder.
Only parsing is timed, without any database write.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.make_nyc_csv import main as make_csv  # noqa: E402
from etl.sources import nyc  # noqa: E402
from etl.sources.record import RejectedRow  # noqa: E402


def measure(path: Path) -> tuple[int, int, float, float]:
    """Parse ``path`` once; return records, rejects, wall and CPU seconds.

    CPU seconds are the process's, over all threads, and vary less than wall
    time when other programs share the machine.
    """
    records = rejects = 0
    start, start_cpu = time.perf_counter(), time.process_time()
    for item in nyc.read_file(path):
        if isinstance(item, RejectedRow):
            rejects += 1
        else:
            records += 1
    return (
        records,
        rejects,
        time.perf_counter() - start,
        time.process_time() - start_cpu,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, help="NYC CSV export to parse")
    parser.add_argument("--runs", type=int, default=3, help="number of timed runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.file
        if path is None:
            path = Path(folder) / "nyc.csv"
            make_csv(["make_nyc_csv", str(path), "200000"])
        for run in range(1, args.runs + 1):
            records, rejects, seconds, cpu = measure(path)
            rows = records + rejects
            wall = f"{seconds:.2f} s wall ({rows / seconds:,.0f} rows/s)"
            used = f"{cpu:.2f} s CPU ({rows / cpu:,.0f} rows per CPU second)"
            print(f"run {run}: {records} records, {rejects} rejects, {wall}, {used}")


if __name__ == "__main__":
    main()
