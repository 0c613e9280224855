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


def measure(path: Path) -> tuple[int, int, float, float, float]:
    """Parse ``path`` once; return records, rejects, wall and CPU seconds.

    CPU seconds are given for the whole process (all threads, pyarrow's CSV
    threads included) and for the main thread, which builds the records. They
    vary less than wall time when other programs share the machine.
    """
    records = rejects = 0
    start = time.perf_counter()
    start_process, start_thread = time.process_time(), time.thread_time()
    for item in nyc.read_file(path):
        if isinstance(item, RejectedRow):
            rejects += 1
        else:
            records += 1
    return (
        records,
        rejects,
        time.perf_counter() - start,
        time.process_time() - start_process,
        time.thread_time() - start_thread,
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
            records, rejects, seconds, process, thread = measure(path)
            rows = records + rejects
            print(
                f"run {run}: {records} records, {rejects} rejects; "
                f"wall {seconds:.2f} s ({rows / seconds:,.0f} rows/s); "
                f"CPU {process:.2f} s all threads, {thread:.2f} s main thread "
                f"({rows / thread:,.0f} rows per main-thread CPU second)"
            )


if __name__ == "__main__":
    main()
