"""File importers: each turns one export format into source records.

``FORMATS`` maps the ``city311 import FORMAT`` names to functions
``read_file(path, **options)`` that yield ``SourceRecord`` or ``RejectedRow``
in file order; ``BLOCK_READERS`` has the same readers yielding blocks of rows
for the formats that support it. ``mapped`` needs ``mapping=Path`` (a TOML
mapping file).
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
from etl.sources.batch import RecordBlock
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

# Formats that can also yield ``RecordBlock``s, which the bulk writer takes
# whole instead of one record at a time.
BLOCK_READERS: dict[str, Callable[..., Iterator[RecordBlock]]] = {
    "nyc": nyc.read_blocks,
}

__all__ = ["BLOCK_READERS", "FORMATS", "RejectedRow", "SourceRecord"]
