"""Progress of a bulk import: a tqdm bar on a terminal, else one log line per batch."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from tqdm import tqdm

log = logging.getLogger("etl.bulk")


class Progress:
    """Report the rows read so far after each written batch."""

    def __init__(self, summary: Any) -> None:
        self.summary = summary
        self.started = time.perf_counter()
        self._shown = 0
        self.bar = (
            tqdm(desc=f"import {summary.source}", unit=" rows", file=sys.stderr)
            if sys.stderr.isatty()
            else None
        )

    def batch_written(
        self, read: int | None = None, rejected: int | None = None
    ) -> None:
        """Report a written batch; ``read`` and ``rejected`` are the counts as
        the batch was completed, when the reader has moved on since."""
        summary = self.summary
        read = summary.read if read is None else read
        rejected = summary.rejected if rejected is None else rejected
        if self.bar is not None:
            self.bar.update(read - self._shown)
            self._shown = read
            return
        elapsed = time.perf_counter() - self.started
        log.info(
            "import of %s: %d rows read in %.1f s (%d inserted, %d updated, "
            "%d unchanged, %d rejected)",
            summary.source,
            read,
            elapsed,
            summary.inserted,
            summary.updated,
            summary.unchanged,
            rejected,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
