"""Time the ETL: a full load of N generated cases, then incremental runs.

    python bench/etl_bench.py --cases 1000000 [--changes 1000] [--runs 3]
        [--folder /tmp/city311-etl-bench] [--generate-only]

Generates N cases with their events straight into a SQLite case store, with
bulk inserts through the DBAPI and no service layer. Then runs a full load and
``--runs`` incremental runs. Before each incremental run ``--changes`` random
cases get one new event and a new ``updated_at``. Prints one JSON object with
the timings. Every timed run includes publication. ``cpu_s`` is the CPU time
of this process (DuckDB's threads included) and of the reader processes of a
full load, which is less sensitive than wall time to other load on a shared
machine. The case store is reused when it already has N cases, so a rerun
skips the generation; delete the folder after changing the generator.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from itertools import repeat
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from cases import schema  # noqa: E402
from cases.catalogue import sync_catalogue  # noqa: E402
from cases.city import load_city  # noqa: E402
from cases.db import make_engine, make_session_factory, transaction  # noqa: E402
from city311.settings import load_settings  # noqa: E402
from etl import load  # noqa: E402

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
CHUNK_CASES = 200_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="Cases to generate.")
    parser.add_argument(
        "--changes", type=int, default=1000, help="Cases changed per incremental run."
    )
    parser.add_argument("--runs", type=int, default=3, help="Incremental runs.")
    parser.add_argument(
        "--folder",
        type=Path,
        default=Path("/tmp/city311-etl-bench"),
        help="Data folder for the case store and the warehouse.",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="Generate the case store (unless present) and exit without timing.",
    )
    args = parser.parse_args()

    settings = load_settings({"data_dir": str(args.folder / f"n{args.cases}")})
    city = load_city(settings.city)
    engine = make_engine(settings.database_url)
    generated_s = ensure_case_store(settings, engine, city, args.cases, args.seed)
    if args.generate_only:
        print(json.dumps({"cases": args.cases, "generate_s": generated_s}))
        return
    shutil.rmtree(settings.warehouse_dir, ignore_errors=True)

    full_load_average = os.getloadavg()[0]
    started, cpu = time.perf_counter(), cpu_seconds()
    load.run(settings, engine, city, full=True)
    full_s = time.perf_counter() - started
    full_cpu_s = cpu_seconds() - cpu
    incremental = []
    rng = random.Random(args.seed + 1)
    for _ in range(args.runs):
        change_cases(settings, args.cases, args.changes, rng)
        load_average = os.getloadavg()[0]
        started, cpu = time.perf_counter(), cpu_seconds()
        summary = load.run(settings, engine, city)
        incremental.append(
            {
                "load_average_before": load_average,
                "seconds": round(time.perf_counter() - started, 3),
                "cpu_s": round(cpu_seconds() - cpu, 3),
                "read": summary.read,
                "updated": summary.updated,
            }
        )
    print(
        json.dumps(
            {
                "machine": platform.uname()._asdict(),
                "cases": args.cases,
                "events": event_count(settings),
                "generate_s": generated_s,
                "load_average_after": os.getloadavg(),
                "full_load_average_before": full_load_average,
                "full_load_s": round(full_s, 3),
                "full_cpu_s": round(full_cpu_s, 3),
                "full_cases_per_s": round(args.cases / full_s),
                "changes_per_run": args.changes,
                "incremental_runs": incremental,
                "warehouse_mb": round(folder_size(settings.warehouse_dir) / 1e6, 1),
            },
            indent=2,
        )
    )


def cpu_seconds() -> float:
    """Return the CPU time of this process and of its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sqlite_path(settings) -> str:
    return settings.database_url.removeprefix("sqlite:///")


def event_count(settings) -> int:
    with sqlite3.connect(sqlite_path(settings)) as connection:
        return connection.execute("SELECT count(*) FROM case_event").fetchone()[0]


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def ensure_case_store(settings, engine, city, cases: int, seed: int) -> float | None:
    """Generate the case store unless it already contains ``cases`` cases."""
    schema.upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        sync_catalogue(session, city)
    with sqlite3.connect(sqlite_path(settings)) as connection:
        existing = connection.execute('SELECT count(*) FROM "case"').fetchone()[0]
    if existing == cases:
        return None
    if existing:
        raise SystemExit(
            f"{sqlite_path(settings)} has {existing} cases, not {cases}; "
            "delete it or choose another --folder"
        )
    started = time.perf_counter()
    generate(settings, cases, seed)
    return round(time.perf_counter() - started, 1)


def generate(settings, cases: int, seed: int) -> None:
    """Insert ``cases`` cases and their events, CHUNK_CASES at a time.

    Values are drawn with numpy per chunk and formatted column by column. The
    secondary indexes of the case and event tables are dropped first and
    created again from their stored DDL at the end, because one sort per index
    is much faster than keeping it up to date row by row. The unique
    constraints stay; their keys arrive in ascending order.
    """
    rng = np.random.default_rng(seed)
    connection = sqlite3.connect(sqlite_path(settings))
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-1000000")
    types = connection.execute(
        "SELECT id, department_id, kind, sla_value FROM service_type ORDER BY id"
    ).fetchall()
    index_sql = [
        row[0]
        for row in connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('case', 'case_event')"
        )
    ]
    for sql in index_sql:
        connection.execute("DROP INDEX " + sql.split()[2])
    # History ends 30 days ago, so a run's overlap window never reaches it.
    now = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=30)
    start = now - timedelta(days=365 * 5)
    event_id = 0
    for first in range(1, cases + 1, CHUNK_CASES):
        count = min(CHUNK_CASES, cases + 1 - first)
        case_rows, event_rows = _chunk(rng, first, count, event_id, types, start, now)
        event_id += len(event_rows)
        _insert(connection, case_rows, event_rows)
    for sql in index_sql:
        connection.execute(sql)
    connection.commit()
    connection.close()


def _chunk(rng, first: int, count: int, event_id: int, types, start, now):
    """Return the case rows and event rows of cases ``first`` .. ``first+count-1``.

    Each case is created at a uniform time over the history; 85% are
    acknowledged within 48 hours, and 80% of those are closed within 400 hours
    after that, 90% of them as resolved.
    """
    type_ids, department_ids, kinds, sla_days = zip(*types, strict=True)
    sla = np.array([s or 0 for s in sla_days], dtype=np.float64)
    pick = rng.integers(0, len(types), count)
    start_us = _epoch_us(start)
    span_s = int((now - start).total_seconds())
    created = start_us + rng.integers(0, span_s, count) * 1_000_000
    has_due = sla[pick] > 0
    due = created + np.round(sla[pick] * 86_400e6).astype(np.int64)
    acknowledged = rng.random(count) < 0.85
    first_response = created + (rng.uniform(0.1, 48, count) * 3600e6).astype(np.int64)
    closed = acknowledged & (rng.random(count) < 0.8)
    closed_at = first_response + (rng.uniform(1, 400, count) * 3600e6).astype(np.int64)
    resolved = rng.random(count) < 0.9
    districts = rng.integers(1, 9, count)
    updated = np.where(
        closed, closed_at, np.where(acknowledged, first_response, created)
    )

    ids = range(first, first + count)
    pick_list = pick.tolist()
    type_column = [type_ids[i] for i in pick_list]
    department_column = [department_ids[i] for i in pick_list]
    status = np.where(closed, "closed", np.where(acknowledged, "acknowledged", "new"))
    outcome = np.where(resolved, "resolved", "no_action_needed")
    outcome_column = _masked(outcome.tolist(), closed)
    created_text = _sqlite_times(created)
    first_response_text = _sqlite_times(first_response)
    closed_text = _sqlite_times(closed_at)
    due_text = _masked(_sqlite_times(due), has_due)
    case_rows = zip(
        ids,
        [f"B{case_id:010d}" for case_id in ids],
        type_column,
        department_column,
        [kinds[i] for i in pick_list],
        repeat("web"),
        repeat(""),
        repeat(0),
        repeat("{}"),
        map(str, districts.tolist()),
        repeat("normal"),
        status.tolist(),
        outcome_column,
        repeat("bench"),
        created_text,
        _masked(first_response_text, acknowledged),
        due_text,
        _masked(closed_text, closed),
        _sqlite_times(updated),
        repeat(0),
        repeat(""),
        repeat(1),
    )

    # Events: creation, acknowledgement, closure, numbered case by case.
    per_case = 1 + acknowledged.astype(np.int64) + closed.astype(np.int64)
    first_event = event_id + 1 + np.concatenate(([0], np.cumsum(per_case)[:-1]))
    due_json = [
        "null" if text is None else f'"{text.replace(" ", "T")}+00:00"'
        for text in due_text
    ]
    created_data = [
        '{"before": {}, "after": {"status": "new", "department_id": '
        f'{department}, "service_type_id": {type_id}, "due_at": {due}}}}}'
        for department, type_id, due in zip(
            department_column, type_column, due_json, strict=True
        )
    ]
    closed_data = np.where(
        resolved,
        '{"before": {}, "after": {"status": "closed", "outcome": "resolved"}}',
        '{"before": {}, "after": {"status": "closed", "outcome": "no_action_needed"}}',
    ).tolist()
    kinds_of_events = [
        ("created", first_event, np.ones(count, bool), created_text, created_data),
        (
            "acknowledged",
            first_event + 1,
            acknowledged,
            first_response_text,
            ['{"before": {}, "after": {"status": "acknowledged"}}'] * count,
        ),
        ("closed", first_event + 2, closed, closed_text, closed_data),
    ]
    event_rows = []
    for kind, event_ids, present, times, data in kinds_of_events:
        for event, case_id, keep, at, body in zip(
            event_ids.tolist(), ids, present.tolist(), times, data, strict=True
        ):
            if keep:
                event_rows.append((event, case_id, kind, at, at, "system", body, 0))
    event_rows.sort()
    return list(case_rows), event_rows


def _epoch_us(value: datetime) -> int:
    return (value - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def _sqlite_times(epoch_us: np.ndarray) -> list[str]:
    """Format microseconds since the epoch as SQLite's naive UTC text."""
    text = np.datetime_as_string(epoch_us.astype("datetime64[us]"), unit="us")
    # Fixed-width UTF-32 strings: replace the "T" at offset 10 with a space.
    text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
    return text.tolist()


def _masked(values: list, present: np.ndarray) -> list:
    return [
        v if keep else None for v, keep in zip(values, present.tolist(), strict=True)
    ]


def _insert(connection, case_rows, event_rows) -> None:
    connection.executemany(
        'INSERT INTO "case" (id, case_number, service_type_id, department_id, kind, '
        "channel, description, description_public, attributes, district, priority, "
        "status, outcome, source, created_at, first_response_at, due_at, closed_at, "
        "updated_at, reopen_count, flags, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        case_rows,
    )
    connection.executemany(
        "INSERT INTO case_event (id, case_id, kind, at, recorded_at, actor, data, "
        "public) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        event_rows,
    )
    connection.commit()


def change_cases(settings, cases: int, changes: int, rng: random.Random) -> None:
    """Append a public note to ``changes`` random cases and bump their updated_at."""
    now = datetime.now(UTC).replace(tzinfo=None).strftime(SQLITE_TIME)
    chosen = rng.sample(range(1, cases + 1), min(changes, cases))
    with sqlite3.connect(sqlite_path(settings)) as connection:
        next_id = connection.execute("SELECT max(id) FROM case_event").fetchone()[0]
        connection.executemany(
            "INSERT INTO case_event (id, case_id, kind, at, recorded_at, actor, data, "
            "public, note) VALUES (?, ?, 'public_note', ?, ?, 'system', "
            "'{\"before\": {}, \"after\": {}}', 1, 'bench note')",
            [(next_id + i + 1, case_id, now, now) for i, case_id in enumerate(chosen)],
        )
        connection.executemany(
            'UPDATE "case" SET updated_at = ?, version = version + 1 WHERE id = ?',
            [(now, case_id) for case_id in chosen],
        )


if __name__ == "__main__":
    main()
