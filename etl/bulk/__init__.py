"""The bulk path from imported records into the case store."""

from etl.bulk.events import HistoryRecord, ImportEvent
from etl.bulk.writer import BulkWriter, ImportSummary, write_records

__all__ = [
    "BulkWriter",
    "HistoryRecord",
    "ImportEvent",
    "ImportSummary",
    "write_records",
]
