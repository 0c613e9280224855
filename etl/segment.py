"""Write the segment file of a new warehouse version from the previous one plus changes.

A run writes either a delta segment or a new base segment. A delta contains the
previous delta's cases plus the changed ones and sits beside the unchanged base.
A new base contains every case. It is written on a full rebuild, on the first
run, and when the delta has grown past ``compaction_threshold``, which keeps
the readers' merge and the per-run copy small. Both kinds contain complete
dimension tables and the ``etl_run`` history.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import transform, warehouse
from etl.extract import Changes
from etl.local_dates import LOCAL_DATE_SQL
from etl.publish import temp_path
from etl.schema import CASE_TABLES, EVENT_STORAGE_ORDER, WHOLE_TABLES, create_tables
from etl.warehouse import Manifest

# A delta is folded into a new base when it contains more cases than this, or
# more than COMPACT_FRACTION of the base's cases, whichever is larger.
log = logging.getLogger(__name__)

COMPACT_MIN_CASES = 50_000
COMPACT_FRACTION = 0.05


def compaction_threshold(base_cases: int) -> int:
    return max(COMPACT_MIN_CASES, int(base_cases * COMPACT_FRACTION))


@dataclass
class RunCounts:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0


@dataclass
class BuiltSegment:
    manifest: Manifest
    file: Path
    counts: RunCounts
    watermark_updated_at: datetime | None
    watermark_case_id: int | None
    fact_case_rows: int
    fact_case_event_rows: int


@dataclass
class RunInfo:
    """Facts about a run that its segment records in ``etl_run``."""

    run_id: int
    version: str
    started_at: datetime
    full_rebuild: bool
    today: date  # city-local date of the run
    earlier_failures: list[dict]
    previous_watermark: tuple[datetime | None, int | None]


def build_segment(
    settings, city, changes: Changes, previous: Manifest | None, run: RunInfo
) -> BuiltSegment:
    """Write the new segment into tmp/ and close it; nothing is published here."""
    base_mode = previous is None or run.full_rebuild
    role = "base" if base_mode else "delta"
    file = temp_path(settings, f"{run.version}-{role}.duckdb")
    connection = duckdb.connect(str(file))
    try:
        connection.execute("SET TimeZone = 'UTC'")
        # Row order inside a table carries no meaning here; letting DuckDB
        # insert in parallel is faster.
        connection.execute("SET preserve_insertion_order = false")
        create_tables(connection)
        _attach_previous(settings, connection, previous, run.full_rebuild)
        _register_raw(connection, changes)
        transform.create_day_offsets(connection, city.timezone)
        # A full load derives every row once, through views, straight into the
        # segment, which holds only the rows read.
        full_load = base_mode
        transform.stage(connection, full=full_load)
        found_districts = _write_calendar(
            connection, city, run.today, incremental=not full_load
        )
        transform.derive_fact_case(connection, full=full_load)
        if full_load:
            _write_fresh_case_tables(connection)
            counts = _count_changes(connection, changes, has_previous=False)
        else:
            counts = _count_changes(connection, changes, has_previous=True)
            if _delta_cases(connection) > compaction_threshold(previous.base_cases):
                base_mode = True
            _write_case_tables(connection, base_mode)
        _write_dimensions(connection, city, found_districts)
        built = _finish(connection, run, counts, base_mode, previous, file)
    finally:
        connection.close()
    if built.file != file:
        file.rename(built.file)
    return built


def _attach_previous(settings, connection, previous: Manifest | None, full: bool):
    """Attach the previous version read-only and define ``prev_<table>`` views.

    Without a previous version, and for the case tables of a full rebuild, the
    views are empty, so the SQL below reads the same either way. A full rebuild
    keeps the ``etl_run`` history when the previous version can be read.
    """
    attached = previous is not None and _try_attach(
        settings, connection, previous, full
    )
    delta = "prev_delta" if attached and previous.delta is not None else None
    for table in (*WHOLE_TABLES, *CASE_TABLES, "segment_case"):
        if not attached or (full and table != "etl_run"):
            body = f"SELECT * FROM main.{table} WHERE false"
        elif table == "segment_case":
            body = f"SELECT * FROM {delta or 'prev_base'}.segment_case"
        else:
            body = warehouse.merged_table_sql(table, "prev_base", delta)
        connection.execute(f"CREATE TEMP VIEW prev_{table} AS {body}")


def _try_attach(settings, connection, previous: Manifest, full: bool) -> bool:
    folder = warehouse.path(settings, warehouse.SEGMENTS_DIR)
    try:
        connection.execute(
            f"ATTACH '{folder / previous.base}' AS prev_base (READ_ONLY)"
        )
        if previous.delta is not None:
            connection.execute(
                f"ATTACH '{folder / previous.delta}' AS prev_delta (READ_ONLY)"
            )
    except duckdb.Error as error:
        if not full:
            raise
        log.warning(
            "previous snapshot %s is unreadable (%s); the full rebuild starts "
            "a new etl_run history",
            previous.version,
            error,
        )
        return False
    return True


def _register_raw(connection, changes: Changes) -> None:
    connection.register("raw_case", changes.cases)
    connection.register("raw_event", changes.events)
    connection.register("raw_department", changes.departments)
    connection.register("raw_service_type", changes.service_types)


def _write_calendar(connection, city, today: date, incremental: bool) -> list[str]:
    """Fill dim_date over every case's dates and today; return the districts seen.

    A full load reads the earliest creation and latest closure of the raw
    cases. The local date only grows with the instant, so their local dates
    bound every case's. An incremental run widens the previous
    version's date range and district list with the changed cases, so its cost
    follows the changes. The range and the list then never shrink: a case whose
    creation date moves later, or whose district changes, leaves the old values
    until the next full rebuild, which the warehouse contract allows for
    dim_date ("covering at least").
    """
    if incremental:
        sql = """
            SELECT min(created_date), max(closed_date),
                list(DISTINCT district) FILTER (WHERE district IS NOT NULL),
                (SELECT min(date) FROM prev_dim_date),
                (SELECT max(date) FROM prev_dim_date),
                (SELECT list(district) FROM prev_dim_geography)
            FROM stage_case
        """
    else:
        first_date = LOCAL_DATE_SQL.format(instant="b.first_at", offset="f")
        last_date = LOCAL_DATE_SQL.format(instant="b.last_at", offset="l")
        sql = f"""
            WITH bounds AS (
                SELECT min(created_at) AS first_at, max(closed_at) AS last_at,
                    list(DISTINCT district) FILTER (WHERE district IS NOT NULL)
                        AS districts
                FROM raw_case
            )
            SELECT {first_date}, {last_date}, b.districts, NULL, NULL, NULL
            FROM bounds AS b
            LEFT JOIN day_offset AS f ON f.utc_date = b.first_at::DATE
            LEFT JOIN day_offset AS l ON l.utc_date = b.last_at::DATE
        """
    first, last, districts, prev_first, prev_last, prev_districts = _row(
        connection, sql
    )
    for bound in (first, last):
        # DuckDB returns a date outside Python's years 1 to 9999 as text.
        if bound is not None and not isinstance(bound, date):
            raise ValueError(
                f"a case's local date {bound} is outside the years 1 to 9999 that "
                "the warehouse calendar covers; correct that case's created_at or "
                "closed_at in the case store"
            )
    first = min(d for d in (first, prev_first, today) if d is not None)
    last = max(d for d in (last, prev_last, today) if d is not None)
    from cases.sla import BusinessCalendar

    transform.insert_columns(
        connection,
        "main.dim_date",
        transform.calendar_columns(BusinessCalendar(city), first, last),
    )
    return sorted(set(districts or []) | set(prev_districts or []))


def _count_changes(connection, changes: Changes, has_previous: bool) -> RunCounts:
    """Count the cases read by outcome and drop the unchanged ones from the new rows.

    The overlap window re-reads cases the previous version already has. The
    case store sets ``updated_at`` on every write to a case or its events, so a
    case whose ``updated_at`` equals the stored one is unchanged, and writing it
    again would only grow the delta. Comparing two columns instead of whole
    rows keeps the scan of the previous version narrow. A change to the
    derivation itself therefore needs a full rebuild to reach old cases.
    """
    read = changes.cases.num_rows
    flagged = _row(connection, "SELECT count(*) FROM new_fact_case WHERE flags <> ''")
    if not has_previous:
        return RunCounts(read=read, inserted=read, flagged=flagged[0])
    connection.execute(
        """
        CREATE TEMP TABLE previous_case AS
        SELECT p.case_id, p.updated_at FROM prev_fact_case AS p
            SEMI JOIN new_fact_case AS n ON p.case_id = n.case_id
        """
    )
    connection.execute(
        """
        CREATE TEMP TABLE unchanged_case AS
        SELECT n.case_id FROM new_fact_case AS n
            JOIN previous_case AS p
            ON n.case_id = p.case_id AND n.updated_at = p.updated_at
        """
    )
    existing, unchanged = _row(
        connection,
        "SELECT (SELECT count(*) FROM previous_case), "
        "(SELECT count(*) FROM unchanged_case)",
    )
    for table in CASE_TABLES:
        connection.execute(
            f"DELETE FROM new_{table} "
            "WHERE case_id IN (SELECT case_id FROM unchanged_case)"
        )
    return RunCounts(
        read=read,
        inserted=read - existing,
        updated=existing - unchanged,
        unchanged=unchanged,
        flagged=flagged[0],
    )


def _delta_cases(connection) -> int:
    return _row(
        connection,
        """
        SELECT count(*) FROM (
            SELECT case_id FROM prev_segment_case
            UNION SELECT case_id FROM new_fact_case)
        """,
    )[0]


def _write_case_tables(connection, base_mode: bool) -> None:
    """Insert fact rows: all cases in a base, changed ones since the base in a delta."""
    source = "prev" if base_mode else "prev_delta_only"
    if not base_mode:
        for table in CASE_TABLES:
            body = (
                f"SELECT * FROM prev_delta.{table}"
                if _has_catalog(connection, "prev_delta")
                else f"SELECT * FROM main.{table} WHERE false"
            )
            connection.execute(f"CREATE TEMP VIEW prev_delta_only_{table} AS {body}")
        connection.execute(
            """
            INSERT INTO main.segment_case
            SELECT case_id FROM prev_segment_case
            UNION SELECT case_id FROM new_fact_case
            """
        )
    for table in CASE_TABLES:
        order = "ORDER BY " + EVENT_STORAGE_ORDER if table == "fact_case_event" else ""
        connection.execute(
            f"""
            INSERT INTO main.{table}
            SELECT * FROM (
                SELECT t.* FROM {source}_{table} AS t
                    ANTI JOIN new_fact_case AS n ON t.case_id = n.case_id
                UNION ALL
                SELECT * FROM new_{table}
            ) {order}
            """
        )


def _write_fresh_case_tables(connection) -> None:
    """Insert the derived rows of a full load, then point ``new_fact_case`` at them.

    The later statements of the run read ``new_fact_case``, and reading the
    inserted table spares them deriving every case again.
    """
    for table in CASE_TABLES:
        order = "ORDER BY " + EVENT_STORAGE_ORDER if table == "fact_case_event" else ""
        connection.execute(
            f"INSERT INTO main.{table} SELECT * FROM new_{table} {order}"
        )
    connection.execute(
        "CREATE OR REPLACE TEMP VIEW new_fact_case AS SELECT * FROM main.fact_case"
    )


def _row(connection, sql: str, parameters=None) -> tuple | None:
    """Return the first row; fetching all leaves no unfinished result behind."""
    rows = connection.execute(sql, parameters).fetchall()
    return rows[0] if rows else None


def _has_catalog(connection, name: str) -> bool:
    return bool(
        _row(
            connection,
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?",
            [name],
        )[0]
    )


def _write_dimensions(connection, city, found_districts: list[str]) -> None:
    connection.execute(
        "INSERT INTO main.dim_department "
        "SELECT id, code, name, source FROM raw_department ORDER BY id"
    )
    connection.execute(
        "INSERT INTO main.dim_service_type SELECT id, code, name, department_id, "
        "kind, sla_value, sla_unit, needs_location, source FROM raw_service_type "
        "ORDER BY id"
    )
    transform.insert_columns(
        connection,
        "main.dim_geography",
        transform.geography_columns(city, found_districts),
    )


def _finish(
    connection, run: RunInfo, counts: RunCounts, base_mode, previous, file: Path
) -> BuiltSegment:
    """Record the run in etl_run and return what the publisher needs."""
    watermark_at, watermark_id = _new_watermark(connection, run)
    case_rows, event_rows = _version_row_counts(connection, base_mode, counts)
    _write_runs(
        connection, run, counts, watermark_at, watermark_id, case_rows, event_rows
    )
    if base_mode:
        base_name, delta_name = f"{run.version}-base.duckdb", None
        base_cases, delta_cases = case_rows, 0
    else:
        base_name, delta_name = previous.base, f"{run.version}-delta.duckdb"
        base_cases = previous.base_cases
        delta_cases = _row(connection, "SELECT count(*) FROM main.segment_case")[0]
    manifest = Manifest(
        version=run.version,
        base=base_name,
        delta=delta_name,
        base_cases=base_cases,
        delta_cases=delta_cases,
        published_at=time.time(),
    )
    return BuiltSegment(
        manifest=manifest,
        file=file.with_name(delta_name or base_name),
        counts=counts,
        watermark_updated_at=watermark_at,
        watermark_case_id=watermark_id,
        fact_case_rows=case_rows,
        fact_case_event_rows=event_rows,
    )


def _new_watermark(connection, run: RunInfo) -> tuple[datetime | None, int | None]:
    """Return the highest (updated_at, case_id) written, never below the previous.

    Cases re-read in the overlap window may all be older than the previous
    watermark, so the watermark never moves back.
    """
    newest = _row(
        connection,
        "SELECT updated_at, case_id FROM new_fact_case "
        "ORDER BY updated_at DESC, case_id DESC LIMIT 1",
    )
    candidates = [w for w in (newest, run.previous_watermark) if w and w[0]]
    return max(candidates, default=(None, None))


def _version_row_counts(connection, base_mode: bool, counts: RunCounts):
    """Count fact_case and fact_case_event rows of the new version.

    A base segment is counted directly. For a delta the counts follow from the
    previous version's counts and the changed cases, which reads only the
    case_id column of the previous events.
    """
    if base_mode:
        return _row(
            connection,
            "SELECT (SELECT count(*) FROM main.fact_case), "
            "(SELECT count(*) FROM main.fact_case_event)",
        )
    previous_cases, previous_events, replaced_events, new_events = _row(
        connection,
        """
        SELECT r.fact_case_rows, r.fact_case_event_rows,
            (SELECT count(*) FROM prev_fact_case_event AS p
                SEMI JOIN new_fact_case AS n ON p.case_id = n.case_id),
            (SELECT count(*) FROM new_fact_case_event)
        FROM prev_etl_run AS r
        WHERE r.status = 'succeeded'
        ORDER BY r.run_id DESC
        LIMIT 1
        """,
    )
    return (
        previous_cases + counts.inserted,
        previous_events - replaced_events + new_events,
    )


def _write_runs(connection, run, counts, watermark_at, watermark_id, cases, events):
    connection.execute("INSERT INTO main.etl_run SELECT * FROM prev_etl_run")
    known = {
        row[0]
        for row in connection.execute("SELECT run_id FROM main.etl_run").fetchall()
    }
    failures = [row for row in run.earlier_failures if row["run_id"] not in known]
    if failures:
        connection.register("failed_runs", pa.Table.from_pylist(failures))
        connection.execute(
            "INSERT INTO main.etl_run BY NAME "
            "SELECT run_id, started_at, finished_at, status, full_rebuild, error "
            "FROM failed_runs"
        )
        connection.unregister("failed_runs")
    connection.execute(
        """
        INSERT INTO main.etl_run VALUES (
            $run_id, $started_at, $finished_at, 'succeeded', $full, $read, $inserted,
            $updated, $rejected, $watermark_at, $watermark_id, $cases, $events,
            $snapshot, NULL, $unchanged, $flagged)
        """,
        {
            "run_id": run.run_id,
            "started_at": run.started_at,
            "finished_at": datetime.now(UTC),
            "full": run.full_rebuild,
            "read": counts.read,
            "inserted": counts.inserted,
            "updated": counts.updated,
            "rejected": counts.rejected,
            "watermark_at": watermark_at,
            "watermark_id": watermark_id,
            "cases": cases,
            "events": events,
            "snapshot": run.version,
            "unchanged": counts.unchanged,
            "flagged": counts.flagged,
        },
    )
