"""``city311 serve``: the dashboard, portal and Open311 API on one server."""

from __future__ import annotations

import logging
import signal
import socket
import sys
import threading

import click

from city311.access_log import PathOnlyRequestHandler
from city311.app import AppContext
from city311.clitools import handle_errors, pass_app

log = logging.getLogger(__name__)


def check_port_free(host: str, port: int) -> None:
    """Raise ClickException when ``host``:``port`` cannot be bound for serving."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # The server sets the same option, so a port in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({error.strerror}); stop the "
                "program that uses the port or choose another one with --port"
            ) from None


def run_server(app: AppContext, host: str, port: int, with_scheduler: bool) -> None:
    """Serve until interrupted, with the ETL scheduler in-process when asked."""
    from city311.web import create_server

    check_port_free(host, port)
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
