"""``city311 serve``: the dashboard, portal and Open311 API on one server."""

from __future__ import annotations

import logging
import signal
import sys
import threading

import click

from city311.access_log import PathOnlyRequestHandler
from city311.app import AppContext
from city311.clitools import handle_errors, pass_app

log = logging.getLogger(__name__)


def run_server(app: AppContext, host: str, port: int, with_scheduler: bool) -> None:
    """Serve until interrupted, with the ETL scheduler in-process when asked."""
    from city311.web import create_server

    server = create_server(app.settings)
    scheduler = None
    if with_scheduler:
        from etl.scheduler import start_background_scheduler

        scheduler = start_background_scheduler(app.settings)
    # SIGTERM (a service manager stopping the server) unwinds like Ctrl+C, so
    # the scheduler is shut down and the stop is logged.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
    log.info("serving on http://%s:%d", host, port)
    try:
        server.run(
            host=host,
            port=port,
            threaded=True,
            request_handler=PathOnlyRequestHandler,
        )
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        log.info("server on %s:%d stopped", host, port)


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option("--port", default=8050, show_default=True, type=int, help="TCP port.")
@click.option(
    "--with-scheduler",
    is_flag=True,
    help="Also run the scheduled ETL inside this process (single-process demo).",
)
@pass_app
@handle_errors
def serve(app: AppContext, host: str, port: int, with_scheduler: bool) -> None:
    """Serve the dashboard, the resident portal and the Open311 API."""
    run_server(app, host, port, with_scheduler)
