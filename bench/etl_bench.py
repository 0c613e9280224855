"""Time the ETL: a full load of N generated cases, then incremental runs.

    python bench/etl_bench.py --cases 1000000 [--changes 1000] [--runs 3]
        [--folder /tmp/city311-etl-bench] [--keep]

Generates N cases with their events straight into a SQLite case store, with
bulk inserts through the DBAPI and no service layer. Then runs a full load and
``--runs`` incremental runs. Before each incremental run ``--changes`` random
cases get one new event and a new ``updated_at``. Prints one JSON object with
the timings. Every
timed run includes publication. ``cpu_s`` is this process's CPU time (DuckDB's
threads included), which is less sensitive than wall time to other load on a
shared machine. The case store is reused when it already has N cases, so a
rerun skips the generation; delete the folder after changing the generator.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from cases import schema  # noqa: E402
from cases.catalogue import sync_catalogue  # noqa: E402
from cases.city import load_city  # noqa: E402
from cases.db import make_engine, make_session_factory, transaction  # noqa: E402
from city311.settings import load_settings  # noqa: E402
from etl import load  # noqa: E402

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
INSERT_BATCH = 100_000


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
    args = parser.parse_args()

    settings = load_settings({"data_dir": str(args.folder / f"n{args.cases}")})
    city = load_city(settings.city)
    engine = make_engine(settings.database_url)
    generated_s = ensure_case_store(settings, engine, city, args.cases, args.seed)
    shutil.rmtree(settings.warehouse_dir, ignore_errors=True)

    started, cpu = time.perf_counter(), time.process_time()
    load.run(settings, engine, city, full=True)
    full_s = time.perf_counter() - started
    full_cpu_s = time.process_time() - cpu
    incremental = []
    rng = random.Random(args.seed + 1)
    for _ in range(args.runs):
        change_cases(settings, args.cases, args.changes, rng)
        started, cpu = time.perf_counter(), time.process_time()
        summary = load.run(settings, engine, city)
        incremental.append(
            {
                "seconds": round(time.perf_counter() - started, 3),
                "cpu_s": round(time.process_time() - cpu, 3),
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
                "load_average": os.getloadavg(),
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
    rng = random.Random(seed)
    connection = sqlite3.connect(sqlite_path(settings))
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    types = connection.execute(
        "SELECT id, department_id, kind, sla_value FROM service_type"
    ).fetchall()
    # History ends 30 days ago, so a run's overlap window never reaches it.
    now = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=30)
    start = now - timedelta(days=365 * 5)
    case_rows, event_rows = [], []
    event_id = 0
    for case_id in range(1, cases + 1):
        event_id = _one_case(
            rng, case_id, event_id, types, start, now, case_rows, event_rows
        )
        if len(case_rows) >= INSERT_BATCH:
            _insert(connection, case_rows, event_rows)
            case_rows, event_rows = [], []
    _insert(connection, case_rows, event_rows)
    connection.close()


def _one_case(rng, case_id, event_id, types, start, now, case_rows, event_rows):
    type_id, department_id, kind, sla_days = rng.choice(types)
    created = start + timedelta(
        seconds=rng.randrange(int((now - start).total_seconds()))
    )
    due = created + timedelta(days=sla_days or 0) if sla_days else None
    events = [
        (
            "created",
            created,
            {
                "status": "new",
                "department_id": department_id,
                "service_type_id": type_id,
                "due_at": due and due.isoformat() + "+00:00",
            },
        )
    ]
    first_response = closed = None
    status, outcome = "new", None
    if rng.random() < 0.85:
        first_response = created + timedelta(hours=rng.uniform(0.1, 48))
        events.append(("acknowledged", first_response, {"status": "acknowledged"}))
        status = "acknowledged"
        if rng.random() < 0.8:
            closed = first_response + timedelta(hours=rng.uniform(1, 400))
            outcome = "resolved" if rng.random() < 0.9 else "no_action_needed"
            events.append(("closed", closed, {"status": "closed", "outcome": outcome}))
            status = "closed"
    updated = max(at for _, at, _ in events)
    case_rows.append(
        (
            case_id,
            f"B{case_id:010d}",
            type_id,
            department_id,
            kind,
            "web",
            "",
            0,
            "{}",
            str(rng.randint(1, 8)),
            "normal",
            status,
            outcome,
            "bench",
            created.strftime(SQLITE_TIME),
            first_response and first_response.strftime(SQLITE_TIME),
            due and due.strftime(SQLITE_TIME),
            closed and closed.strftime(SQLITE_TIME),
            updated.strftime(SQLITE_TIME),
            0,
            "",
            1,
        )
    )
    for event_kind, at, after in events:
        event_id += 1
        stamp = at.strftime(SQLITE_TIME)
        event_rows.append(
            (
                event_id,
                case_id,
                event_kind,
                stamp,
                stamp,
                "system",
                json.dumps({"before": {}, "after": after}),
                0,
            )
        )
    return event_id


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
