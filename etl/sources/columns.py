"""Turn a chunk's raw columns into the lists a batch needs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.sources.chunk import Chunk

T = TypeVar("T")
logger = logging.getLogger(__name__)


def trimmed(chunk: Chunk, name: str) -> pa.StringArray:
    return pc.utf8_trim_whitespace(chunk.text(name))


def texts(chunk: Chunk, name: str | None, nulls: Sequence[str] = ("",)) -> list[str]:
    """Return the column's trimmed values, with null spellings as ''."""
    if name is None or not chunk.has(name):
        return [""] * chunk.n
    values = trimmed(chunk, name)
    if len(nulls) > 1:
        is_null = pc.is_in(values, value_set=pa.array(list(nulls), pa.string()))
        values = pc.if_else(is_null, "", values)
    return values.to_pylist()


def optional_texts(
    chunk: Chunk, name: str | None, nulls: Sequence[str] = ("",)
) -> list[str | None]:
    """Return the column's trimmed values, with null spellings as None."""
    return [value or None for value in texts(chunk, name, nulls)]


def numbers(chunk: Chunk, name: str | None, nulls: Sequence[str] = ("",)) -> np.ndarray:
    """Return the column as floats; empty and non-numeric values are NaN.

    Non-numeric values are logged with their count, since no flag covers them.
    """
    if name is None or not chunk.has(name):
        return np.full(chunk.n, np.nan)
    values = trimmed(chunk, name)
    is_null = pc.is_in(values, value_set=pa.array(list(nulls), pa.string()))
    values = pc.if_else(is_null, pa.scalar(None, pa.string()), values)
    try:
        floats = pc.cast(values, pa.float64())
    except pa.ArrowInvalid:
        text = pd.Series(values.to_pylist(), dtype=object)
        floats = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        unreadable = int((np.isnan(floats) & text.notna().to_numpy()).sum())
        logger.warning(
            "column %r: %d values are not numbers and read as missing",
            name,
            unreadable,
        )
        return floats
    return floats.fill_null(np.nan).to_numpy(zero_copy_only=False)


def point_pair(chunk: Chunk, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Read "(lat, lon)" text, as Socrata exports write a location, into floats."""
    if not chunk.has(name):
        return np.full(chunk.n, np.nan), np.full(chunk.n, np.nan)
    parts = pc.extract_regex(
        trimmed(chunk, name),
        r"^\(\s*(?P<lat>[-+0-9.eE]+)\s*,\s*(?P<lon>[-+0-9.eE]+)\s*\)$",
    )
    lat = pd.to_numeric(parts.field("lat").to_pandas(), errors="coerce")
    lon = pd.to_numeric(parts.field("lon").to_pandas(), errors="coerce")
    valid = parts.is_valid().to_numpy(zero_copy_only=False)
    return (
        np.where(valid, lat.to_numpy(dtype=float), np.nan),
        np.where(valid, lon.to_numpy(dtype=float), np.nan),
    )


def require(chunk: Chunk, names: Sequence[str], source: str) -> None:
    """Raise ValueError naming the columns a file lacks for ``source``."""
    missing = [name for name in names if not chunk.has(name)]
    if missing:
        raise ValueError(
            f"the file has no column {', '.join(map(repr, missing))}, which the "
            f"{source} format needs; check that the file is a {source} export"
        )


def reject_options(source: str, options: dict[str, object]) -> None:
    """Raise TypeError for an option the format does not take; None is ignored."""
    given = sorted(key for key, value in options.items() if value is not None)
    if given:
        raise TypeError(f"the {source} format takes no option {given[0]!r}; remove it")


def mapped(
    chunk: Chunk,
    name: str | None,
    function: Callable[[str], T],
    nulls: Sequence[str] = ("",),
) -> list[T]:
    """Apply ``function`` once per distinct trimmed value of the column.

    Null spellings reach ``function`` as ''. Dictionary-encoding the column
    first makes this much faster than a per-row lookup on low-cardinality
    columns such as status or agency.
    """
    if name is None or not chunk.has(name):
        return [function("")] * chunk.n
    values = trimmed(chunk, name)
    if len(nulls) > 1:
        is_null = pc.is_in(values, value_set=pa.array(list(nulls), pa.string()))
        values = pc.if_else(is_null, "", values)
    encoded = pc.dictionary_encode(values)
    distinct = encoded.dictionary.to_pylist()
    results = np.empty(len(distinct), dtype=object)
    for i, value in enumerate(distinct):
        results[i] = function(value)
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    return results[indices].tolist()


def looked_up(
    chunk: Chunk, name: str | None, table: dict[str, T], default: T
) -> list[T]:
    """Map the column through ``table`` by trimmed, lower-case value."""
    return mapped(chunk, name, lambda value: table.get(value.lower(), default))
