"""New cases of a block as Arrow tables, for the ingest process (SQLite).

The tables hold the same values ``columnar.insert`` writes, column by column,
except what only the writing transaction can decide. ``id`` is the case's
position in the batch (0, 1, ...), events and aliases refer to that position,
and ``case_number`` is missing. The ingest process adds the largest stored
case id to the positions and numbers the cases by their ``year`` column, which
it drops before inserting (see ``etl.bulk.ingest_worker``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from etl.bulk.columnar import INSTANT_FIELDS, BlockColumns, picked_case_values
from etl.bulk.created_json import created_events

# Values every new plain case shares, as ``columnar.insert`` writes them.
_SHARED_CASE_VALUES: dict[str, tuple[Any, pa.DataType]] = {
    "kind": ("service_request", pa.string()),
    "description_public": (0, pa.int64()),
    "attributes": ("{}", pa.string()),
    "priority": ("normal", pa.string()),
    "parent_id": (None, pa.int64()),
    "assignee": (None, pa.string()),
    "reopen_count": (0, pa.int64()),
    "version": (1, pa.int64()),
}
_CASE_TYPES: dict[str, pa.DataType] = {
    "service_type_id": pa.int64(),
    "department_id": pa.int64(),
    "latitude": pa.float64(),
    "longitude": pa.float64(),
}


@dataclass
class FreshTables:
    """The rows of one batch's new cases, with ids relative to the batch."""

    cases: pa.Table
    aliases: pa.Table
    events: pa.Table

    @classmethod
    def joined(cls, parts: list[FreshTables]) -> FreshTables:
        """Join the tables of a batch's parts, whose ids do not overlap."""
        return cls(
            pa.concat_tables([part.cases for part in parts]),
            pa.concat_tables([part.aliases for part in parts]),
            pa.concat_tables([part.events for part in parts]),
        )


def fresh_tables(
    columns: BlockColumns,
    positions: Sequence[int],
    years: Sequence[int],
    type_id: Callable[[str], int],
    department_id: Callable[[str], int],
    source: str,
    now_text: str,
    first_id: int = 0,
) -> FreshTables:
    """Build the tables of the rows at ``positions``; ``years`` number them.

    Case ids count from ``first_id``, for a batch built from several blocks.
    """
    n = len(positions)
    values = picked_case_values(
        columns, positions, type_id, department_id, instants=False
    )
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    rows = pa.array(positions, pa.int64())
    shared = dict(_SHARED_CASE_VALUES, source=(source, pa.string()))
    shared["updated_at"] = (now_text, pa.string())
    arrays: dict[str, pa.Array] = {"id": pa.array(ids)}
    for name, column in values.items():
        arrays[name] = pa.array(column, _CASE_TYPES.get(name, pa.string()))
    for name in INSTANT_FIELDS:
        arrays[name] = columns.arrow_text(name, rows)
    for name, (value, arrow_type) in shared.items():
        arrays[name] = pa.array([value] * n, arrow_type)
    arrays["year"] = pa.array(years, pa.int64())
    cases = pa.table(arrays)
    aliases = pa.table(
        {"alias": arrays["external_id"], "case_id": arrays["id"]},
    )
    events = created_events(
        cases, _other_events(columns, positions, ids, source, now_text)
    )
    return FreshTables(cases, aliases, events)


def _other_events(
    columns: BlockColumns,
    positions: Sequence[int],
    ids: np.ndarray,
    source: str,
    now_text: str,
) -> pa.Table:
    """Return the one event after ``created`` of each case that has one."""
    kinds = [columns.extra_kind[i] for i in positions]
    extra = [n for n, kind in enumerate(kinds) if kind is not None]
    chosen = [positions[n] for n in extra]
    count = len(extra)
    at = columns.arrow_text("extra_at", pa.array(chosen, pa.int64()))
    return pa.table(
        {
            "case_id": pa.array(ids[extra] if count else [], pa.int64()),
            "kind": pa.array([kinds[n] for n in extra], pa.string()),
            "at": at,
            "recorded_at": pa.array([now_text] * count, pa.string()),
            "actor": pa.array([f"import:{source}"] * count, pa.string()),
            "data": pa.array([columns.extra_data[i] for i in chosen], pa.string()),
            "note": pa.array([columns.extra_note[i] for i in chosen], pa.string()),
            "public": pa.array(np.zeros(count, dtype=np.int64)),
        }
    )
