"""A reader process for publication tests: query the current snapshot in a loop.

    python -m tests.etl.reader DATA_DIR STOP_FILE RESULT_FILE

Each iteration opens the current snapshot, counts fact_case and fact_case_event
rows and compares them with the counts the snapshot's own etl_run row records.
It stops when STOP_FILE exists and writes a JSON summary to RESULT_FILE.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from city311.settings import load_settings
from etl import warehouse

COUNTS_SQL = """
SELECT
    (SELECT count(*) FROM fact_case),
    (SELECT count(*) FROM fact_case_event),
    r.fact_case_rows, r.fact_case_event_rows, r.snapshot
FROM etl_run AS r
WHERE r.status = 'succeeded'
ORDER BY r.run_id DESC
LIMIT 1
"""


def main(data_dir: str, stop_file: str, result_file: str) -> None:
    settings = load_settings({"data_dir": data_dir}, environ={})
    reads, errors, mismatches, versions = 0, [], [], set()
    while not Path(stop_file).exists():
        try:
            with warehouse.open_snapshot(settings) as connection:
                cases, events, run_cases, run_events, version = connection.execute(
                    COUNTS_SQL
                ).fetchall()[0]
            reads += 1
            versions.add(version)
            if (cases, events) != (run_cases, run_events):
                mismatches.append([version, cases, events, run_cases, run_events])
        except Exception as error:  # noqa: BLE001 - every failure is what we count
            errors.append(f"{type(error).__name__}: {error}")
        time.sleep(0.005)
    Path(result_file).write_text(
        json.dumps(
            {
                "reads": reads,
                "errors": errors[:20],
                "error_count": len(errors),
                "mismatches": mismatches[:20],
                "versions": sorted(versions),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:4])
