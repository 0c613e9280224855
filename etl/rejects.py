"""The rejects file of one import: every row that could not be stored, with why."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path
from typing import TextIO

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def rejects_path(rejects_dir: Path, source: str, started_at: datetime) -> Path:
    """Return ``<rejects_dir>/<source>-<UTC timestamp>.csv`` with a file-safe source."""
    safe = _UNSAFE.sub("_", source).strip("_") or "import"
    return rejects_dir / f"{safe}-{started_at.strftime('%Y%m%dT%H%M%S%fZ')}.csv"


class RejectsFile:
    """A CSV of ``row_number, reason, raw``, created at the first rejected row."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: TextIO | None = None
        self._writer = None

    def write(self, row_number: int, reason: str, raw: str) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["row_number", "reason", "raw"])
        self._writer.writerow([row_number, reason, raw])
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    @property
    def written_path(self) -> Path | None:
        """The file's path, or None when no row was rejected."""
        return self.path if self.count else None
