"""What every callback of one server shares: context, warehouse reader and clock.

The runtime is stored on the Flask application (``server.extensions``), not in
a module, so two servers in one process never share state and each web worker
process builds its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import flask

from city311.app import AppContext
from dashboard.reader import WarehouseReader
from dashboard.warmup import CacheWarmer

EXTENSION = "city311.dashboard"

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DashboardRuntime:
    context: AppContext
    reader: WarehouseReader
    clock: Clock = system_clock
    warmer: CacheWarmer | None = None

    def now(self) -> datetime:
        """Return the clock's time rounded down to the minute.

        Rounding lets results that depend on "now" (overdue lists) be cached
        for up to a minute.
        """
        return self.clock().replace(second=0, microsecond=0)

    def today(self) -> date:
        """Return today's date in the city's time zone."""
        return self.now().astimezone(self.context.city.timezone).date()


def runtime(server: flask.Flask | None = None) -> DashboardRuntime:
    """Return the runtime of ``server``, or of the application handling the request."""
    app = server or flask.current_app
    return app.extensions[EXTENSION]
