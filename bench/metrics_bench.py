"""Time the whole CitiStat figure set on a synthetic warehouse, DuckDB against pandas.

    python -m bench.metrics_bench --cases 1000000

writes a synthetic warehouse (``metrics.synthetic``), then runs two child
processes one after the other on it: one computes every figure with
``metrics.citistat.compute``, the other with the plain pandas reference in
``bench/reference_pandas.py``. Each computes, for a month and for a year, the
figures city-wide and by department, each with the previous period and the
same period a year earlier, as the report does. Each child reports its wall
time per task and its peak resident memory (VmHWM on Linux), which includes
the interpreter and its imported libraries.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

START, END = date(2025, 1, 1), date(2026, 6, 30)
AS_OF = datetime(2026, 7, 1, 4, tzinfo=UTC)  # just after the synthetic horizon
PERIODS = {
    "month": (date(2026, 5, 1), date(2026, 5, 31)),
    "year": (date(2025, 7, 1), date(2026, 6, 30)),
}


def _peak_mib() -> float:
    """Return this process's peak resident memory in MiB.

    Linux's VmHWM belongs to the process image, whereas ``ru_maxrss`` keeps the
    peak from before ``exec``, which in a child is the parent's size at fork.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # the value is in kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_duckdb(path: Path) -> dict:
    import duckdb

    from metrics import citistat
    from metrics.filters import Filters
    from metrics.registry import METRICS

    timings = {}
    con = duckdb.connect(str(path), read_only=True)
    for label, (start, end) in PERIODS.items():
        for by in (None, "department"):
            started = time.perf_counter()
            citistat.compute(
                con,
                Filters(start, end, as_of=AS_OF),
                by=by,
                names=list(METRICS),
            )
            timings[f"{label} {by or 'city'}"] = time.perf_counter() - started
    con.close()
    return timings


def _comparison_periods(start: date, end: date) -> list[tuple[date, date, datetime]]:
    days = (end - start).days + 1
    shift = timedelta(days=days)
    year = start - start.replace(year=start.year - 1)
    return [
        (start, end, AS_OF),
        (start - shift, end - shift, AS_OF - shift),
        (start - year, end - year, AS_OF - year),
    ]


def run_pandas(path: Path) -> dict:
    import duckdb

    from bench.reference_pandas import figures, load_tables

    timings = {}
    started = time.perf_counter()
    con = duckdb.connect(str(path), read_only=True)
    tables = load_tables(con)
    con.close()
    timings["load"] = time.perf_counter() - started
    for label, (start, end) in PERIODS.items():
        for by in (False, True):
            started = time.perf_counter()
            for first, last, as_of in _comparison_periods(start, end):
                figures(tables, first, last, as_of, by_department=by)
                if by:
                    figures(tables, first, last, as_of)  # compute() adds city totals
            timings[f"{label} {'department' if by else 'city'}"] = (
                time.perf_counter() - started
            )
    return timings


def _child(engine: str, path: Path) -> dict:
    command = [sys.executable, "-m", "bench.metrics_bench", "--worker", engine]
    output = subprocess.run(
        command + ["--warehouse", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


def _report(cases: int, build_s: float, results: dict) -> str:
    duck, panda = results["duckdb"], results["pandas"]
    duck_total = sum(duck["timings"].values())
    pandas_total = sum(panda["timings"].values())
    lines = [
        f"cases: {cases:,}; warehouse written in {build_s:.1f} s",
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {_cpu_count()} CPUs",
        f"{'task':<20} {'duckdb s':>9} {'pandas s':>9}",
    ]
    for task in panda["timings"]:
        duck_s = duck["timings"].get(task)
        duck_text = "-" if duck_s is None else f"{duck_s:.2f}"
        lines.append(f"{task:<20} {duck_text:>9} {panda['timings'][task]:>9.2f}")
    lines += [
        f"{'total':<20} {duck_total:>9.2f} {pandas_total:>9.2f}"
        f"   pandas / duckdb = {pandas_total / duck_total:.1f}x",
        f"{'peak memory MiB':<20} {duck['peak_mib']:>9.0f} {panda['peak_mib']:>9.0f}"
        f"   duckdb / pandas = {duck['peak_mib'] / panda['peak_mib']:.2f}",
    ]
    return "\n".join(lines)


def _cpu_count() -> int:
    import os

    return len(os.sched_getaffinity(0))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="Cases to write.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warehouse", type=Path, help="Reuse this DuckDB file.")
    parser.add_argument(
        "--worker", choices=["duckdb", "pandas"], help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)

    if args.worker:
        runner = run_duckdb if args.worker == "duckdb" else run_pandas
        timings = runner(args.warehouse)
        print(json.dumps({"timings": timings, "peak_mib": _peak_mib()}))
        return

    from metrics.synthetic import write_synthetic_warehouse

    with tempfile.TemporaryDirectory() as folder:
        path = args.warehouse or Path(folder) / "bench.duckdb"
        started = time.perf_counter()
        if not path.exists():
            write_synthetic_warehouse(
                path, args.cases, start=START, end=END, seed=args.seed
            )
        build_s = time.perf_counter() - started
        results = {engine: _child(engine, path) for engine in ("duckdb", "pandas")}
    print(_report(args.cases, build_s, results))
    print(json.dumps({"cases": args.cases, **results}))


if __name__ == "__main__":
    main()
