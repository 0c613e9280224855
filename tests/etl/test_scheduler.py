"""The scheduler: job options, an in-process background run, and skipping."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from etl import lock, scheduler, warehouse
from tests.etl.conftest import utc

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_job_options(settings):
    background = BackgroundScheduler()
    scheduler.add_etl_job(background, settings)
    job = background.get_job(scheduler.JOB_ID)
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.trigger.interval == timedelta(minutes=5)


def test_background_scheduler_runs(settings, writer):
    writer.write(
        1, [writer.created(utc(2026, 6, 1, 12), "POTHOLE")], utc(2026, 6, 1, 12)
    )
    background = scheduler.start_background_scheduler(settings)
    try:
        deadline = time.monotonic() + 60
        while warehouse.current_version(settings) is None:
            assert time.monotonic() < deadline, "the scheduled run never published"
            time.sleep(0.1)
    finally:
        background.shutdown(wait=True)
    with warehouse.open_snapshot(settings) as connection:
        assert connection.execute("SELECT count(*) FROM fact_case").fetchall() == [(1,)]


def test_scheduled_run_skips_while_locked(settings, writer, caplog):
    job = scheduler.ScheduledRun(settings)
    with caplog.at_level(logging.INFO, logger="etl"), lock.try_lock(settings):
        job()
    assert warehouse.current_version(settings) is None
    assert "ETL run skipped: another run holds" in caplog.text


def test_scheduled_run_logs_failure(settings, writer, caplog, monkeypatch):
    from etl import transform

    def broken(connection, full):
        raise RuntimeError("no space left")

    monkeypatch.setattr(transform, "derive_fact_case", broken)
    job = scheduler.ScheduledRun(settings)
    with caplog.at_level(logging.INFO, logger="etl"):
        job()  # the scheduler thread must survive a failed run
    assert "ETL run 1 failed: RuntimeError: no space left" in caplog.text
    assert warehouse.current_version(settings) is None
