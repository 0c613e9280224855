"""The ``created`` event of a new plain case, built from its case row.

The tuple path (in the importing process) and the ingest process both build
the created events of new block rows here, from the case columns as SQLite
stores them, so their data text is the same byte for byte. The text is what
``cases.projection.encode`` and orjson give for the event's ``after`` fields.
Only numpy, pyarrow and orjson are imported, because the ingest process must
not load the sqlite3 module.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

_HEAD = '{"before":{},"after":{"status":"new","service_type_id":%s,"department_id":%s'
_REST = (
    ',"kind":"service_request","channel":%s,"description":%s,'
    '"description_public":false,"attributes":{},"priority":"normal",'
    '"created_at":%s,"reopen_count":0,"flags":%s%s%s%s%s%s%s}}'
)
# Magnitudes of floats whose Arrow text equals orjson's, apart from a ".0".
_PLAIN_FLOATS = (1e-4, 1e9)
# Characters that orjson escapes in a string (RE2 syntax).
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'
# The case columns ``created_event_data`` and ``created_events`` read.
CASE_FIELDS = (
    "id",
    "service_type_id",
    "department_id",
    "channel",
    "description",
    "created_at",
    "flags",
    "address",
    "latitude",
    "longitude",
    "district",
    "due_at",
    "closed_at",
    "status",
    "updated_at",
    "source",
)


def created_event_data(cases: pa.Table) -> pa.Array:
    """Return the data text of each case's ``created`` event.

    Instants are SQLite's text, ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC. The
    closing time is part of the event only for a case that is not closed,
    where the source gave one.
    """
    status = cases.column("status")
    closed = cases.column("closed_at")
    is_closed = pc.equal(status, "closed").fill_null(False)
    open_closed = pc.if_else(is_closed, pa.scalar(None, pa.string()), closed)
    values = [
        json_strings(cases.column("channel")),
        json_strings(cases.column("description")),
        _json_instants(cases.column("created_at")),
        json_strings(cases.column("flags")),
        _keyed("address", json_strings(cases.column("address"))),
        _keyed("latitude", _json_floats(cases.column("latitude"))),
        _keyed("longitude", _json_floats(cases.column("longitude"))),
        _keyed("district", json_strings(cases.column("district"))),
        _keyed("due_at", _json_instants(cases.column("due_at"))),
        _keyed("closed_at", _json_instants(open_closed)),
    ]
    values = [
        pc.cast(cases.column("service_type_id"), pa.string()),
        pc.cast(cases.column("department_id"), pa.string()),
        *values,
    ]
    pieces = (_HEAD + _REST).split("%s")
    parts: list[Any] = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        parts += [value, piece]
    return pc.binary_join_element_wise(*parts, "")


def created_events(cases: pa.Table, others: pa.Table) -> pa.Table:
    """Return every case's ``created`` event followed by its ``others``, in
    case order; ``others`` has the event table's columns."""
    n = cases.num_rows
    created = pa.table(
        {
            "case_id": cases.column("id"),
            "kind": pa.array(["created"] * n, pa.string()),
            "at": cases.column("created_at"),
            "recorded_at": cases.column("updated_at"),
            "actor": pc.binary_join_element_wise("import:", cases.column("source"), ""),
            "data": created_event_data(cases),
            "note": pa.nulls(n, pa.string()),
            "public": pa.array(np.zeros(n, dtype=np.int64)),
        }
    )
    events = pa.concat_tables([created, others.select(created.column_names)])
    # A stable sort keeps each case's created event before its others.
    order = np.argsort(events.column("case_id").to_numpy(), kind="stable")
    return events.take(pa.array(order))


def json_strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Return each string as orjson writes it; null stays null.

    orjson escapes only the quote, the backslash and characters below U+0020,
    so other strings are only put in quotes.
    """
    quoted = pc.binary_join_element_wise('"', values, '"', "")
    escape = pc.match_substring_regex(values, _NEEDS_ESCAPE).fill_null(False)
    if not pc.any(escape).as_py():
        return quoted
    texts = quoted.to_pylist()
    originals = values.to_pylist()
    for i in np.flatnonzero(escape.to_numpy(zero_copy_only=False)).tolist():
        texts[i] = orjson.dumps(originals[i]).decode()
    return pa.array(texts, pa.string())


def _json_instants(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Turn SQLite instant text into JSON as orjson writes an aware UTC
    datetime: ISO 8601 with ``+00:00``, microseconds only where not 0."""
    iso = pc.replace_substring(texts, " ", "T", max_replacements=1)
    whole = pc.ends_with(iso, ".000000").fill_null(False)
    iso = pc.if_else(whole, pc.utf8_slice_codeunits(iso, 0, 19), iso)
    return pc.binary_join_element_wise('"', iso, '+00:00"', "")


def _json_floats(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Return each float as orjson writes it; null stays null.

    For magnitudes from 1e-4 up to 1e9, Arrow's cast writes the same shortest
    decimal form as orjson, except that it leaves out the ``.0`` of a whole
    number, which is added here. Other values (zero, NaN, infinity and
    magnitudes where either writes an exponent) go through orjson. A test
    compares the result with orjson over magnitudes from 1e-8 to 1e17.
    """
    texts = pc.cast(values, pa.string())
    whole = pc.invert(pc.match_substring_regex(texts, "[.eE]")).fill_null(False)
    texts = pc.if_else(whole, pc.binary_join_element_wise(texts, ".0", ""), texts)
    magnitude = pc.abs(values)
    plain = pc.and_(
        pc.greater_equal(magnitude, _PLAIN_FLOATS[0]),
        pc.less(magnitude, _PLAIN_FLOATS[1]),
    ).fill_null(True)
    if pc.all(plain).as_py():
        return texts
    exact = texts.to_pylist()
    numbers = values.to_pylist()
    for i in np.flatnonzero(~plain.to_numpy(zero_copy_only=False)).tolist():
        exact[i] = orjson.dumps(numbers[i]).decode()
    return pa.array(exact, pa.string())


def _keyed(name: str, texts: pa.Array) -> pa.Array:
    """Return ``,"name":text`` per row, or '' where the value is absent."""
    keyed = pc.binary_join_element_wise(f',"{name}":', texts, "")
    return pc.if_else(pc.is_null(texts), "", keyed)
