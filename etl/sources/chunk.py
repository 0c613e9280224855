"""A block of data rows held as columns, with text access that tracks bad text."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.sources.record import RejectedRow

REPLACEMENT = "\ufffd"
_REPLACEMENT_BYTES = REPLACEMENT.encode()
# C0 control characters other than tab, line feed and carriage return, and DEL.
# Case intake rejects them all, and XML 1.0 cannot carry those below U+0020.
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


class Chunk:
    """Data rows of one file region; ``rejects`` are rows of that region that
    could not be split into the header's fields.

    Columns are pyarrow arrays of bytes or strings. Reading a column as text
    decodes invalid UTF-8 with U+FFFD and marks, in ``unreadable``, every row
    whose text read so far contains U+FFFD or a control character. The text
    itself is kept as the source gave it.
    """

    def __init__(
        self,
        names: list[str],
        columns: list[pa.Array],
        row_numbers: Sequence[int],
        rejects: list[RejectedRow],
    ) -> None:
        self.names = names
        self.index = {name: i for i, name in reversed(list(enumerate(names)))}
        self.columns = columns
        self.row_numbers = row_numbers
        self.rejects = rejects
        self.n = len(row_numbers)
        self.unreadable = np.zeros(self.n, dtype=bool)
        self._text: dict[str, pa.StringArray] = {}

    def has(self, name: str) -> bool:
        return name in self.index

    def text(self, name: str) -> pa.StringArray:
        """Return the column as strings; a missing column raises KeyError."""
        cached = self._text.get(name)
        if cached is not None:
            return cached
        column = self.columns[self.index[name]]
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        strings = _decode(column)
        data = strings.buffers()[2]
        raw = data.to_pybytes() if data is not None else b""
        if _REPLACEMENT_BYTES in raw:
            hits = pc.match_substring(strings, REPLACEMENT).fill_null(False)
            self.unreadable |= hits.to_numpy(zero_copy_only=False)
        # bytes.translate finds the characters faster than re.search on a column.
        if len(raw.translate(None, _CONTROL_BYTES)) != len(raw):
            hits = pc.match_substring_regex(strings, CONTROL_PATTERN).fill_null(False)
            self.unreadable |= hits.to_numpy(zero_copy_only=False)
        self._text[name] = strings
        return strings

    def values(self, name: str) -> list[str]:
        """Return the column as a list of Python strings."""
        return self.text(name).to_pylist()

    def raw_row(self, position: int) -> str:
        """Return row ``position`` of the chunk as a comma-joined line."""
        from etl.sources.csvread import join_fields

        fields = [_to_str(column[position].as_py()) for column in self.columns]
        return join_fields(fields)


def _decode(column: pa.Array) -> pa.StringArray:
    if pa.types.is_string(column.type):
        return column
    try:
        return column.cast(pa.string())
    except pa.ArrowInvalid:
        decoded = [_to_str(value) for value in column.to_pylist()]
        return pa.array(decoded, pa.string())


def _to_str(value: bytes | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value
