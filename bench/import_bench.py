"""Time `city311 import nyc` end to end (parse and write) on a synthetic NYC CSV.

Usage: ``python bench/import_bench.py [--rows N] [--database-url URL]``.

Writes a CSV of N invented rows in the NYC 311 portal layout to a temporary
folder, creates a fresh case store there (SQLite unless --database-url), runs
`city311 init` and then `city311 import nyc` twice in a subprocess, and prints
one JSON object with rows per second for the first import (all inserts) and
the second (all unchanged). Nothing from real exports is read or copied.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HEADER = [
    "Unique Key", "Created Date", "Closed Date", "Agency", "Agency Name",
    "Complaint Type", "Descriptor", "Location Type", "Incident Zip",
    "Incident Address", "Street Name", "Cross Street 1", "Cross Street 2",
    "Intersection Street 1", "Intersection Street 2", "Address Type", "City",
    "Landmark", "Facility Type", "Status", "Due Date", "Resolution Description",
    "Resolution Action Updated Date", "Community Board", "BBL", "Borough",
    "X Coordinate (State Plane)", "Y Coordinate (State Plane)",
    "Open Data Channel Type", "Park Facility Name", "Park Borough",
    "Vehicle Type", "Taxi Company Borough", "Taxi Pick Up Location",
    "Bridge Highway Name", "Bridge Highway Direction", "Road Ramp",
    "Bridge Highway Segment", "Latitude", "Longitude", "Location",
]  # fmt: skip
AGENCIES = [
    (
        "NYPD",
        "New York City Police Department",
        "Noise - Residential",
        "Loud Music/Party",
    ),
    (
        "HPD",
        "Department of Housing Preservation and Development",
        "HEAT/HOT WATER",
        "ENTIRE BUILDING",
    ),
    ("DSNY", "Department of Sanitation", "Dirty Condition", "Trash"),
    ("DOT", "Department of Transportation", "Street Condition", "Pothole"),
    ("DEP", "Department of Environmental Protection", "Water System", "Leak (WA2)"),
]
BOROUGHS = ["MANHATTAN", "BROOKLYN", "QUEENS", "BRONX", "STATEN ISLAND"]
CHANNELS = ["PHONE", "ONLINE", "MOBILE", "UNKNOWN"]
DATE_FORMAT = "%m/%d/%Y %I:%M:%S %p"


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` invented requests in the NYC portal's column layout."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            created = start + timedelta(seconds=i * 37 + rng.randrange(30))
            code, agency, complaint, descriptor = AGENCIES[i % len(AGENCIES)]
            closed = rng.random() < 0.8
            closed_at = created + timedelta(hours=rng.uniform(0.5, 200))
            latitude = 40.55 + rng.random() * 0.3
            longitude = -74.05 + rng.random() * 0.3
            row = dict.fromkeys(HEADER, "")
            row.update(
                {
                    "Unique Key": str(40_000_000 + i),
                    "Created Date": created.strftime(DATE_FORMAT),
                    "Closed Date": closed_at.strftime(DATE_FORMAT) if closed else "",
                    "Agency": code,
                    "Agency Name": agency,
                    "Complaint Type": complaint,
                    "Descriptor": descriptor,
                    "Location Type": "Street/Sidewalk",
                    "Incident Zip": str(10001 + i % 300),
                    "Incident Address": f"{100 + i % 900} TEST AVENUE",
                    "Street Name": "TEST AVENUE",
                    "Address Type": "ADDRESS",
                    "City": BOROUGHS[i % 5],
                    "Status": "Closed" if closed else "Open",
                    "Resolution Description": "The agency responded to the complaint."
                    if closed
                    else "",
                    "Resolution Action Updated Date": closed_at.strftime(DATE_FORMAT)
                    if closed
                    else "",
                    "Community Board": f"0{1 + i % 9} {BOROUGHS[i % 5]}",
                    "Borough": BOROUGHS[i % 5],
                    "Open Data Channel Type": CHANNELS[i % 4],
                    "Park Borough": BOROUGHS[i % 5],
                    "Latitude": f"{latitude:.8f}",
                    "Longitude": f"{longitude:.8f}",
                    "Location": f"({latitude:.8f}, {longitude:.8f})",
                }
            )
            writer.writerow(row.values())


def child_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_city311(env: dict[str, str], *args: str) -> tuple[float, float, dict]:
    """Run one city311 command with --json; return wall and CPU seconds and its
    output. CPU seconds count the command's own process and its threads."""
    cpu_before = child_cpu_seconds()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "city311", *args, "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    cpu = child_cpu_seconds() - cpu_before
    if result.returncode != 0:
        raise SystemExit(f"city311 {' '.join(args)} failed:\n{result.stderr}")
    return seconds, cpu, json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000, help="CSV rows.")
    parser.add_argument("--database-url", default="", help="Case store URL.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="city311-bench-") as folder:
        base = Path(folder)
        csv_path = base / "nyc.csv"
        write_csv(csv_path, args.rows)
        csv_mb = round(csv_path.stat().st_size / 1e6, 1)
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "CITY311_DATA_DIR": str(base / "var"),
            "CITY311_DATABASE_URL": args.database_url,
            "CITY311_LOG_LEVEL": "WARNING",
        }
        run_city311(env, "init")
        first_s, first_cpu, first = run_city311(env, "import", "nyc", str(csv_path))
        second_s, second_cpu, second = run_city311(env, "import", "nyc", str(csv_path))
    print(
        json.dumps(
            {
                "rows": args.rows,
                "database": args.database_url or "sqlite (default file)",
                "csv_mb": csv_mb,
                "first_import": {
                    "seconds": round(first_s, 2),
                    "rows_per_second": round(args.rows / first_s),
                    "cpu_seconds": round(first_cpu, 2),
                    "rows_per_cpu_second": round(args.rows / first_cpu),
                    "counts": first,
                },
                "second_import": {
                    "seconds": round(second_s, 2),
                    "rows_per_second": round(args.rows / second_s),
                    "cpu_seconds": round(second_cpu, 2),
                    "rows_per_cpu_second": round(args.rows / second_cpu),
                    "counts": second,
                },
                "python": platform.python_version(),
                "machine": platform.platform(),
                "cpus": os.cpu_count(),
                "load_average_1m": round(os.getloadavg()[0], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
