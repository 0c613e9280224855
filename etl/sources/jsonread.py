"""Read a JSON array of flat objects (a Socrata SODA export) into chunks.

Keys may be absent from some objects: the columns are the union of keys in the
order first seen, and an absent key reads as an empty string. Nested values
are kept as their JSON text. Row numbers are 1-based positions in the array.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from etl.sources.chunk import Chunk
from etl.sources.record import RejectedRow

CHUNK_ROWS = 50_000


def read_json_chunks(
    path: Path, normalize: Callable[[str], str] = str
) -> Iterator[Chunk]:
    """Yield the array's objects in chunks; a non-object element is rejected."""
    # TODO: json.load reads the whole file into memory; stream large exports.
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        try:
            items = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: invalid JSON ({error})") from None
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a JSON array of objects at the top level")
    keys: dict[str, None] = {}
    for item in items:
        if isinstance(item, dict):
            keys.update(dict.fromkeys(item))
    names = [normalize(key) for key in keys]
    for start in range(0, len(items), CHUNK_ROWS):
        yield _chunk(items[start : start + CHUNK_ROWS], start, list(keys), names)


def _chunk(items: list, start: int, keys: list[str], names: list[str]) -> Chunk:
    numbers: list[int] = []
    objects: list[dict] = []
    rejects: list[RejectedRow] = []
    for offset, item in enumerate(items, start=start + 1):
        if isinstance(item, dict):
            numbers.append(offset)
            objects.append(item)
        else:
            reason = f"expected a JSON object, found {type(item).__name__}"
            rejects.append(RejectedRow(offset, reason, json.dumps(item)))
    columns = [
        pa.array([_text(item.get(key)) for item in objects], pa.string())
        for key in keys
    ]
    return Chunk(names, columns, numbers, rejects)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)
