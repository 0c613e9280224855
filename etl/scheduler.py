"""Scheduled ETL runs with APScheduler 3.11.

``city311 etl schedule`` runs a ``BlockingScheduler`` in its own process;
``city311 serve --with-scheduler`` calls ``start_background_scheduler`` to run
the same job in a thread of the web server. Either way the job runs at start and
then every ``settings.etl_interval_minutes``. ``max_instances=1`` and
``coalesce=True`` keep one run per scheduler, and the file lock in ``etl.lock``
keeps one run across processes: a run that finds the lock taken is skipped and
logged, not queued.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from etl import load

log = logging.getLogger(__name__)

JOB_ID = "etl-run"


class ScheduledRun:
    """The scheduler's job: one incremental run with an engine and city kept alive."""

    def __init__(self, settings) -> None:
        from city311.app import AppContext

        self.app = AppContext(settings)

    def __call__(self) -> None:
        try:
            load.run(self.app.settings, self.app.engine, self.app.city)
        except load.EtlRunError:
            pass  # load.run logged the error with the run id
        except Exception:
            log.exception("scheduled ETL run could not start")


def add_etl_job(scheduler: BaseScheduler, settings) -> None:
    scheduler.add_job(
        ScheduledRun(settings),
        "interval",
        minutes=settings.etl_interval_minutes,
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),
    )


def run_blocking_scheduler(settings) -> None:
    """Run scheduled ETL runs in this process until it is interrupted."""
    scheduler = BlockingScheduler(timezone=UTC)
    add_etl_job(scheduler, settings)
    log.info(
        "ETL scheduler started: a run every %d minutes", settings.etl_interval_minutes
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("ETL scheduler stopped")


def start_background_scheduler(settings) -> BackgroundScheduler:
    """Start scheduled ETL runs in a background thread; call ``shutdown()`` to stop."""
    scheduler = BackgroundScheduler(timezone=UTC)
    add_etl_job(scheduler, settings)
    scheduler.start()
    log.info(
        "ETL background scheduler started: a run every %d minutes",
        settings.etl_interval_minutes,
    )
    return scheduler
