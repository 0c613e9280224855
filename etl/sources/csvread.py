"""Read a delimited text file into chunks of columns.

The fast path parses with pyarrow's CSV reader, every column as raw bytes, so
invalid UTF-8 cannot stop the read. pyarrow does not report where in the file a
row with the wrong number of fields was. So the first such row switches the
read to the standard-library ``csv`` module, which restarts after the rows
already returned and keeps exact row numbers. Row numbers count data records from 1
(the header excluded); a record with embedded newlines counts once; blank lines
are not records.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from etl.sources.chunk import Chunk
from etl.sources.prefetch import prefetch
from etl.sources.record import RejectedRow

logger = logging.getLogger(__name__)

BLOCK_BYTES = 8 << 20
FALLBACK_ROWS = 50_000

csv.field_size_limit(sys.maxsize)


class _RaggedFile(Exception):
    """A row with the wrong number of fields was seen by pyarrow."""


def check_text_file(path: Path) -> None:
    """Raise ValueError when the file starts with bytes no CSV export contains.

    A NUL byte in the first 64 KiB means a binary file, such as a spreadsheet
    or an archive, was given by mistake. Reading it as CSV would produce noise.
    """
    with path.open("rb") as handle:
        if b"\x00" in handle.read(65536):
            raise ValueError(
                f"{path} is not a text CSV file (it contains NUL bytes); "
                "export the data as CSV and import that file"
            )


def read_header(path: Path, delimiter: str) -> list[str]:
    """Return the header fields, without a byte-order mark."""
    check_text_file(path)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        for fields in csv.reader(handle, delimiter=delimiter):
            if fields:
                return fields
    raise ValueError(f"{path}: the file is empty; expected a header row")


def read_chunks(
    path: Path,
    delimiter: str = ",",
    normalize: Callable[[str], str] = str,
) -> Iterator[Chunk]:
    """Yield the file's data rows in chunks, in file order.

    ``normalize`` turns header names into the names the caller looks up.
    """
    header = read_header(path, delimiter)
    names = [normalize(name) for name in header]
    done = 0
    try:
        for chunk in prefetch(_arrow_chunks(path, delimiter, names)):
            done += chunk.n
            yield chunk
    except _RaggedFile:
        logger.info("%s: rows with the wrong field count; reading with csv", path)
        yield from _python_chunks(path, delimiter, names, skip=done)


def _arrow_chunks(path: Path, delimiter: str, names: list[str]) -> Iterator[Chunk]:
    ragged: list[int] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        ragged.append(row.actual_columns)
        return "skip"

    width = len(names)
    types = {f"f{i}": pa.binary() for i in range(width)}
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=list(types),
            skip_rows_after_names=1,  # the header, parsed with its quoting
            use_threads=True,
            block_size=BLOCK_BYTES,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            newlines_in_values=True,
            invalid_row_handler=on_invalid_row,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    first = 1
    for batch in reader:
        if ragged:
            raise _RaggedFile
        if batch.num_rows == 0:
            continue
        columns = [batch.column(i) for i in range(width)]
        yield Chunk(names, columns, range(first, first + batch.num_rows), [])
        first += batch.num_rows
    if ragged:
        raise _RaggedFile


def _python_chunks(
    path: Path, delimiter: str, names: list[str], skip: int
) -> Iterator[Chunk]:
    """Read with the csv module, skipping the first ``skip`` records."""
    width = len(names)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        records = (
            fields for fields in csv.reader(handle, delimiter=delimiter) if fields
        )
        next(records, None)
        numbered = enumerate(records, start=1)
        for _ in itertools.islice(numbered, skip):
            pass
        while True:
            block = list(itertools.islice(numbered, FALLBACK_ROWS))
            if not block:
                return
            rows: list[list[str]] = []
            numbers: list[int] = []
            rejects: list[RejectedRow] = []
            for number, fields in block:
                if len(fields) == width:
                    rows.append(fields)
                    numbers.append(number)
                else:
                    reason = f"expected {width} fields, found {len(fields)}"
                    rejects.append(RejectedRow(number, reason, join_fields(fields)))
            columns = [
                pa.array(list(values), pa.string())
                for values in zip(*rows, strict=True)
            ] or [pa.array([], pa.string()) for _ in range(width)]
            yield Chunk(names, columns, numbers, rejects)


def join_fields(fields: list[str], delimiter: str = ",") -> str:
    """Write fields back as one CSV line, for a rejected row's raw text."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="").writerow(fields)
    return out.getvalue()
