"""The C column reader: instants, batch edges, odd values and clear errors."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pyarrow as pa
import pytest

from etl import sqlite_columns, sqlite_reader
from etl.sqlite_reader import TIMESTAMP, Query, ReaderError
from tests.conftest import require_sqlite_columns


@pytest.fixture(autouse=True)
def _extension() -> None:
    require_sqlite_columns()


AT = {"at": TIMESTAMP}


def store(tmp_path, values, column_type: str = "") -> str:
    """Write ``values`` into table item(at) of a new store and return its path."""
    database = str(tmp_path / "store.sqlite")
    connection = sqlite3.connect(database)
    connection.execute(f"CREATE TABLE item (id INTEGER PRIMARY KEY, at {column_type})")
    connection.executemany("INSERT INTO item (at) VALUES (?)", [(v,) for v in values])
    connection.commit()
    connection.close()
    return database


def read(database: str, query: Query) -> pa.Table:
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        ((table,),) = sqlite_columns.read_in_threads(database, connection, [[query]])
    finally:
        connection.close()
    return table


VALID_INSTANTS = {
    "2026-03-01 09:00:00.000000": datetime(2026, 3, 1, 9),
    "2026-03-01T09:00:00": datetime(2026, 3, 1, 9),
    "2026-03-01 09:00": datetime(2026, 3, 1, 9),
    "2026-03-01 09": datetime(2026, 3, 1, 9),
    "2026-03-01T09": datetime(2026, 3, 1, 9),
    "2026-03-01": datetime(2026, 3, 1),
    "2026-03-01 09:00:00.5": datetime(2026, 3, 1, 9, 0, 0, 500000),
    "2026-03-01 09:00:00.000001": datetime(2026, 3, 1, 9, 0, 0, 1),
    "1969-12-31 23:59:59.999999": datetime(1969, 12, 31, 23, 59, 59, 999999),
    "1900-03-01 00:00:00": datetime(1900, 3, 1),
    "2024-02-29 12:00:00": datetime(2024, 2, 29, 12),
    "2000-02-29 23:59:59": datetime(2000, 2, 29, 23, 59, 59),
    "0001-01-01 00:00:00": datetime(1, 1, 1),
    "9999-12-31 23:59:59.999999": datetime(9999, 12, 31, 23, 59, 59, 999999),
}


def test_reads_instants_of_every_accepted_form(tmp_path):
    database = store(tmp_path, [*VALID_INSTANTS, None], "DATETIME")
    table = read(database, Query("SELECT at FROM item ORDER BY id", (), AT))
    assert table.column("at").to_pylist() == [*VALID_INSTANTS.values(), None]


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30 00:00:00",
        "1900-02-29 00:00:00",
        "2026-13-01 00:00:00",
        "2026-03-01 24:00:00",
        "2026-03-01 09:60:00",
        "2026-03-01 09:00:60",
        "2026-03-01 09:00:00.1234567",
        "2026-03-01 09:00:00+01:00",
        "2026-03-01 09:00:00Z",
        "2026-03-01T09:00:00.000Z",
        "2026-03-01Z",
        "2026-03-01 09:",
        "2026-03-01 09:00:",
        "2026-03-01 9:00:00",
        "01/03/2026",
        "",
        1772355600,
    ],
)
def test_rejects_text_not_an_instant(tmp_path, value):
    database = store(tmp_path, ["2026-03-01 09:00:00", value], "DATETIME")
    query = Query("SELECT at FROM item ORDER BY id", (), AT)
    with pytest.raises(
        ReaderError, match="result column at of row 2 contains .* not a valid instant"
    ):
        read(database, query)


@pytest.mark.parametrize(
    "value",
    [
        *VALID_INSTANTS,
        "2026-03-01 09:00:00Z",
        "2026-03-01 09",
        "2026-03-01 09:00:00.123456789",
        "2026-03-01 9:00",
    ],
)
def test_instants_read_as_sqlite3(tmp_path, value):
    """The C reader accepts an instant exactly when the sqlite3 path does.

    Incremental runs and small stores read through the sqlite3 path, so a
    value that only one reader accepts fails some runs and not others.
    """
    database = store(tmp_path, [value], "DATETIME")
    connection = sqlite3.connect(database)
    try:
        expected = sqlite_reader.read_cursor(
            connection.cursor(), Query("SELECT CAST(at AS BLOB) FROM item", (), AT)
        )
    except pa.ArrowInvalid:
        expected = None
    finally:
        connection.close()
    query = Query("SELECT at FROM item", (), AT)
    if expected is None:
        with pytest.raises(ReaderError, match="not a valid instant"):
            read(database, query)
    else:
        assert read(database, query).equals(expected)


@pytest.mark.parametrize(
    "rows",
    [
        0,
        1,
        sqlite_columns.BATCH_ROWS - 1,
        sqlite_columns.BATCH_ROWS,
        sqlite_columns.BATCH_ROWS + 1,
        3 * sqlite_columns.BATCH_ROWS + 7,
    ],
)
def test_batch_edges_read_as_sqlite3(tmp_path, rows):
    values = [None if i % 7 == 0 else f"{'x' * (i % 13)}é{i}" for i in range(rows)]
    database = store(tmp_path, values)
    query = Query(
        "SELECT id, at FROM item ORDER BY id", (), {"id": pa.int64(), "at": pa.string()}
    )
    table = read(database, query)
    connection = sqlite3.connect(database)
    expected = sqlite_reader.read_cursor(
        connection.cursor(),
        Query("SELECT id, CAST(at AS BLOB) FROM item ORDER BY id", (), query.columns),
    )
    connection.close()
    assert table.num_rows == rows
    assert table.equals(expected)


def test_reads_large_values_and_nul_bytes(tmp_path):
    large = "ü" * 3_000_000
    database = store(tmp_path, [large, b"a\x00b", ""])
    query = Query("SELECT at FROM item ORDER BY id", (), {"at": pa.binary()})
    assert read(database, query).column("at").to_pylist() == [
        large.encode(),
        b"a\x00b",
        b"",
    ]


def test_rejects_invalid_utf8_in_text_column(tmp_path):
    database = store(tmp_path, ["cafe", b"caf\xe9"])
    query = Query(
        "SELECT id, at FROM item ORDER BY id", (), {"id": pa.int64(), "at": pa.string()}
    )
    with pytest.raises(
        ReaderError, match=r"column at \(id 2\) contains b'caf\\xe9'.*UTF8"
    ):
        read(database, query)


@pytest.mark.parametrize(
    ("arrow_type", "message"),
    [
        (pa.int64(), "TEXT value 'one' where an integer is expected"),
        (pa.float64(), "TEXT value 'one' where a number is expected"),
    ],
)
def test_rejects_text_in_number_column(tmp_path, arrow_type, message):
    database = store(tmp_path, [1, "one"])
    query = Query("SELECT at FROM item ORDER BY id", (), {"at": arrow_type})
    with pytest.raises(ReaderError, match=f"column at of row 2 contains the {message}"):
        read(database, query)


def test_error_names_id_of_row(tmp_path):
    database = store(tmp_path, ["2026-03-01", "2026-03-01 09:00:00Z"], "DATETIME")
    query = Query("SELECT id, at FROM item ORDER BY id", (), {"id": pa.int64(), **AT})
    with pytest.raises(ReaderError, match=r"column at of row 2 \(id 2\) contains"):
        read(database, query)


# Run in a child process under an address-space limit, so that the reader's
# buffers cannot grow to hold the rows.
OUT_OF_MEMORY_SCRIPT = """
import resource, sqlite3, sys
import pyarrow as pa
from etl import sqlite_columns
from etl.sqlite_reader import Query, ReaderError

database = sys.argv[1]
with open("/proc/self/status") as status:
    size = next(int(line.split()[1]) for line in status if line.startswith("VmSize"))
limit = (size << 10) + (150 << 20)
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
connection = sqlite3.connect(database, isolation_level=None)
query = Query("SELECT at FROM item", (), {"at": pa.string()})
try:
    sqlite_columns.read_in_threads(database, connection, [[query]])
except ReaderError as error:
    print(error)
"""


def test_out_of_memory_raises(tmp_path):
    """A failed allocation while the GIL is released raises, not crashes."""
    import subprocess
    import sys

    database = str(tmp_path / "store.sqlite")
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, at TEXT)")
    connection.executemany(
        "INSERT INTO item (at) VALUES (printf('%.*c', ?, 'x'))", [(40_000_000,)] * 8
    )
    connection.commit()
    connection.close()
    result = subprocess.run(
        [sys.executable, "-c", OUT_OF_MEMORY_SCRIPT, database],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "out of memory" in result.stdout


def test_reads_integers_as_floats_and_booleans(tmp_path):
    database = store(tmp_path, [1, 0, 2.5, None])
    query = Query(
        "SELECT at, at AS flag FROM item WHERE at IS NULL OR at <> 2.5 ORDER BY id",
        (),
        {"at": pa.float64(), "flag": pa.bool_()},
    )
    table = read(database, query)
    assert table.column("at").to_pylist() == [1.0, 0.0, None]
    assert table.column("flag").to_pylist() == [True, False, None]


def test_binds_each_parameter_type(tmp_path):
    database = store(tmp_path, ["a"])
    parameters = (None, 7, True, 2.5, "text ✓", b"\x00\x01")
    sql = "SELECT ? AS n, ? AS i, ? AS b, ? AS f, ? AS t, ? AS y FROM item"
    columns = {
        "n": pa.int64(),
        "i": pa.int64(),
        "b": pa.bool_(),
        "f": pa.float64(),
        "t": pa.string(),
        "y": pa.binary(),
    }
    row = read(database, Query(sql, parameters, columns)).to_pylist()
    assert row == [
        {"n": None, "i": 7, "b": True, "f": 2.5, "t": "text ✓", "y": b"\x00\x01"}
    ]


def test_rejects_parameter_of_unknown_type(tmp_path):
    database = store(tmp_path, ["a"])
    query = Query(
        "SELECT ? AS x FROM item", (datetime(2026, 1, 1),), {"x": pa.string()}
    )
    with pytest.raises(TypeError, match="cannot bind a parameter of type datetime"):
        read(database, query)


def test_rejects_kinds_not_matching_columns(tmp_path):
    from etl import _sqlite_columns

    database = store(tmp_path, ["a"])
    connection = _sqlite_columns.open(sqlite_reader.file_uri(database))
    try:
        with pytest.raises(ValueError, match="returns 2 columns but the kinds are 'b'"):
            _sqlite_columns.query(connection, "SELECT id, at FROM item", "b", ())
        assert _sqlite_columns.fetch(connection, 10) is None
        with pytest.raises(ValueError, match="max_rows must be at least 1"):
            _sqlite_columns.fetch(connection, 0)
    finally:
        _sqlite_columns.close(connection)
    with pytest.raises(ValueError, match="the SQLite connection is closed"):
        _sqlite_columns.execute(connection, "SELECT 1")


def unavailable_reason(monkeypatch, caplog) -> str:
    """Run available() afresh under the test's patches; return what it logged."""
    sqlite_columns.available.cache_clear()
    try:
        with caplog.at_level("INFO", logger="etl.sqlite_columns"):
            assert not sqlite_columns.available()
    finally:
        monkeypatch.undo()
        sqlite_columns.available.cache_clear()
    return caplog.text


def test_unavailable_when_libraries_differ(monkeypatch, caplog):
    from etl import _sqlite_columns

    monkeypatch.setattr(_sqlite_columns, "library_address", lambda: 1)
    reason = unavailable_reason(monkeypatch, caplog)
    assert "carries its own SQLite library" in reason
    caplog.clear()
    with caplog.at_level("INFO", logger="etl.sqlite_columns"):
        assert sqlite_columns.available()
    assert caplog.text == ""


def test_unavailable_when_not_built(monkeypatch, caplog):
    import sys

    import etl

    # A None entry in sys.modules makes the import raise ImportError once the
    # package no longer has the module as an attribute.
    monkeypatch.delattr(etl, "_sqlite_columns", raising=False)
    monkeypatch.setitem(sys.modules, "etl._sqlite_columns", None)
    reason = unavailable_reason(monkeypatch, caplog)
    assert "is not built" in reason
    assert "libsqlite3-dev" in reason
