"""Read a delimited text file into chunks of columns.

The fast path parses with pyarrow's CSV reader, every column as raw bytes, so
invalid UTF-8 inside a well-formed row cannot stop the read. pyarrow does not
report where in the file a row with the wrong number of fields was, and it
cannot describe such a row when the row is not valid UTF-8. So the first parse
error switches the read to the standard-library ``csv`` module, which restarts
after the rows already returned, decodes invalid bytes as U+FFFD and keeps
exact row numbers. Row numbers count data records from 1
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

from etl.sources.chunk import REPLACEMENT, Chunk
from etl.sources.prefetch import prefetch
from etl.sources.record import RejectedRow

logger = logging.getLogger(__name__)

BLOCK_BYTES = 8 << 20
FALLBACK_ROWS = 50_000

csv.field_size_limit(sys.maxsize)


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
    except pa.ArrowInvalid:
        # The message quotes the bad row as the file has it, possibly as binary
        # bytes, so it is not logged. The csv reader rejects that row with its
        # row number and its text decoded with U+FFFD.
        logger.info("%s: rows pyarrow cannot parse; reading with csv", path)
        yield from _python_chunks(path, delimiter, names, skip=done)


def _arrow_chunks(path: Path, delimiter: str, names: list[str]) -> Iterator[Chunk]:
    """Yield whole record batches; a malformed row raises pyarrow.ArrowInvalid.

    No ``invalid_row_handler`` is set because pyarrow (26.0, in
    ``_handle_invalid_row``) decodes the row's text as strict UTF-8 before
    calling it. On a row of binary bytes that decoding fails inside pyarrow,
    which prints "Exception ignored" to stderr and then fails the read.
    """
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
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    first = 1
    for batch in reader:
        if batch.num_rows == 0:
            continue
        columns = [batch.column(i) for i in range(width)]
        yield Chunk(names, columns, range(first, first + batch.num_rows), [])
        first += batch.num_rows


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
                    raw = join_fields(fields)
                    reason = f"expected {width} fields, found {len(fields)}"
                    if REPLACEMENT in raw:
                        reason += "; the row has bytes that are not UTF-8 text"
                    rejects.append(RejectedRow(number, reason, raw))
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
