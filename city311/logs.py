"""Logging set-up for commands and servers: one format, to standard error."""

from __future__ import annotations

import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Send city311 log records at ``level`` and above to standard error."""
    logging.basicConfig(format=LOG_FORMAT, level=logging.WARNING, force=True)
    for name in ("city311", "cases", "etl", "metrics", "dashboard"):
        logging.getLogger(name).setLevel(level)
