"""Decide whether an incremental run has anything to publish.

A run re-reads the overlap window behind the watermark, so it always reads a
few cases the current snapshot already has. A new version would contain the
same rows when three things hold, and the run then publishes nothing:

- every case read has the ``updated_at`` the snapshot stores;
- the departments and service types equal the snapshot's dimensions;
- the snapshot was published on the same city-local date, because
  ``dim_date`` reaches the date of its run.

NOTE: the city configuration (holidays, business hours, districts) is not
compared. An edit to it reaches the warehouse with the next run that publishes,
or at once with ``city311 etl run --full``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

import duckdb

from etl import warehouse
from etl.extract import Changes

log = logging.getLogger(__name__)

CHANGED_CASES_SQL = """
    SELECT count(*) FROM read_case AS r
        ANTI JOIN fact_case AS f
        ON f.case_id = r.id AND f.updated_at = r.updated_at::TIMESTAMPTZ
"""
# EXCEPT ALL compares whole rows, and treats two NULLs as equal.
CHANGED_ROWS_SQL = """
    SELECT count(*) FROM (
        (SELECT * FROM {read} EXCEPT ALL SELECT * FROM {stored})
        UNION ALL
        (SELECT * FROM {stored} EXCEPT ALL SELECT * FROM {read})
    )
"""
LAST_PUBLISHED_SQL = "SELECT max(started_at) FROM etl_run WHERE status = 'succeeded'"


def nothing_to_publish(
    settings,
    changes: Changes,
    today: date,
    timezone: ZoneInfo,
    failed_runs: Sequence[int] = (),
) -> bool:
    """Return True when the current snapshot already contains everything read.

    ``today`` is the run's city-local date. ``failed_runs`` are the ids of
    earlier runs that failed or were interrupted; each must be in the
    snapshot's ``etl_run`` already. A snapshot that cannot be read returns
    False, so the run builds a new version and reports the error there.
    """
    try:
        with warehouse.open_snapshot(settings) as connection:
            if not _lists_runs(connection, failed_runs):
                return False
            return _matches_snapshot(connection, changes, today, timezone)
    except (warehouse.WarehouseError, duckdb.Error, OSError, ValueError) as error:
        log.warning("could not compare the run with the current snapshot: %s", error)
        return False


def _matches_snapshot(connection, changes: Changes, today: date, timezone) -> bool:
    last_published = connection.execute(LAST_PUBLISHED_SQL).fetchall()[0][0]
    if last_published is None or last_published.astimezone(timezone).date() != today:
        return False
    connection.register("read_case", changes.cases.select(["id", "updated_at"]))
    connection.register("read_department", changes.departments)
    connection.register("read_service_type", changes.service_types)
    counts = (
        _count(connection, CHANGED_CASES_SQL),
        _count(
            connection,
            CHANGED_ROWS_SQL.format(read="read_department", stored="dim_department"),
        ),
        _count(
            connection,
            CHANGED_ROWS_SQL.format(
                read="read_service_type", stored="dim_service_type"
            ),
        ),
    )
    return counts == (0, 0, 0)


def _lists_runs(connection, run_ids: Sequence[int]) -> bool:
    if not run_ids:
        return True
    listed = connection.execute(
        "SELECT count(DISTINCT run_id) FROM etl_run WHERE list_contains($ids, run_id)",
        {"ids": list(run_ids)},
    ).fetchall()[0][0]
    return listed == len(set(run_ids))


def _count(connection, sql: str) -> int:
    return connection.execute(sql).fetchall()[0][0]
