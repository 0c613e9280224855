"""Helpers for importer tests: write small invented files and read them back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from etl.sources.record import RejectedRow, SourceRecord


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in tmp_path and return its path."""

    def write_file(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write_file


def split(items) -> tuple[list[SourceRecord], list[RejectedRow]]:
    """Split an importer's output into records and rejects."""
    records, rejects = [], []
    for item in items:
        (rejects if isinstance(item, RejectedRow) else records).append(item)
    return records, rejects
