"""Named pause points in an ETL run, so tests can kill the process at a known step.

With ``CITY311_ETL_PAUSE_AT=<step>`` set, a run that reaches ``pause_point(step)``
creates the file ``<data_dir>/etl-paused-<step>`` and sleeps for
``CITY311_ETL_PAUSE_SECONDS`` seconds, or until it is killed when that is unset.
Without ``CITY311_ETL_PAUSE_AT`` a pause point does nothing.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

log = logging.getLogger(__name__)

PAUSE_ENV = "CITY311_ETL_PAUSE_AT"
PAUSE_SECONDS_ENV = "CITY311_ETL_PAUSE_SECONDS"
STEPS = (
    "extracted",  # changes read from the case store, nothing written
    "segment_written",  # new segment file closed in tmp/
    "segment_moved",  # segment file moved into segments/, no manifest yet
    "manifest_written",  # manifest written, CURRENT not yet replaced
    "published",  # CURRENT replaced, run log not yet updated
)


def pause_point(step: str, data_dir: Path) -> None:
    if os.environ.get(PAUSE_ENV) != step:
        return
    marker = Path(data_dir) / f"etl-paused-{step}"
    marker.write_text(str(os.getpid()))
    log.warning("ETL paused at step %s (pid %d) for a test", step, os.getpid())
    seconds = os.environ.get(PAUSE_SECONDS_ENV)
    if seconds:
        time.sleep(float(seconds))
        return
    while True:
        time.sleep(3600)
