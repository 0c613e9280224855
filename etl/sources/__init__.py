"""File importers: each turns one export format into source records.

``FORMATS`` maps the ``city311 import FORMAT`` names to functions
``read_file(path, **options)`` that yield ``SourceRecord`` or ``RejectedRow``
in file order. ``mapped`` needs ``mapping=Path`` (a TOML mapping file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from etl.sources import (
    baltimore,
    boston,
    kansas_city,
    la,
    mapped,
    nyc,
    open311_tsv,
    sf,
)
from etl.sources.record import RejectedRow, SourceRecord

FORMATS: dict[str, Callable[..., Iterator[SourceRecord | RejectedRow]]] = {
    "nyc": nyc.read_file,
    "boston": boston.read_file,
    "sf": sf.read_file,
    "la": la.read_file,
    "baltimore": baltimore.read_file,
    "kansas-city": kansas_city.read_file,
    "open311-tsv": open311_tsv.read_file,
    "mapped": mapped.read_file,
}

__all__ = ["FORMATS", "RejectedRow", "SourceRecord"]
