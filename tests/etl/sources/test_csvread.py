from __future__ import annotations

import random

import pytest

from etl.sources.csvread import read_chunks, read_header


def rows_of(path, **options):
    """Return [(row_number, {column: text})] and the rejects of a file."""
    rows, rejects = [], []
    for chunk in read_chunks(path, **options):
        columns = {name: chunk.values(name) for name in chunk.names}
        for i, number in enumerate(chunk.row_numbers):
            rows.append((number, {name: values[i] for name, values in columns.items()}))
        rejects.extend(chunk.rejects)
    return rows, rejects


def test_header_without_bom(write):
    path = write("a.csv", "\ufeffid,name\n1,x\n")
    assert read_header(path, ",") == ["id", "name"]


def test_bom_crlf_no_final_newline(write):
    path = write("a.csv", "\ufeffid,name\r\n1,x\r\n2,y")
    rows, rejects = rows_of(path)
    assert rows == [(1, {"id": "1", "name": "x"}), (2, {"id": "2", "name": "y"})]
    assert rejects == []


def test_embedded_newline_counts_once(write):
    path = write("a.csv", 'id,note\n1,"two\nlines"\n2,plain\n')
    rows, _ = rows_of(path)
    assert [number for number, _ in rows] == [1, 2]
    assert rows[0][1]["note"] == "two\nlines"


def test_blank_lines_are_not_rows(write):
    path = write("a.csv", "id,name\n1,x\n\n2,y\n")
    rows, _ = rows_of(path)
    assert [number for number, _ in rows] == [1, 2]


def test_ragged_row_rejected_in_place(write):
    path = write("a.csv", 'id,name\n1,x\n2\n3,"multi\nline"\n4,y,extra\n5,z\n')
    rows, rejects = rows_of(path)
    assert [number for number, _ in rows] == [1, 3, 5]
    assert rows[1][1]["name"] == "multi\nline"
    assert [(r.row_number, r.reason) for r in rejects] == [
        (2, "expected 2 fields, found 1"),
        (4, "expected 2 fields, found 3"),
    ]
    assert rejects[1].raw == "4,y,extra"


def test_ragged_row_after_first_chunk(write, monkeypatch):
    import etl.sources.csvread as csvread

    monkeypatch.setattr(csvread, "BLOCK_BYTES", 64)
    monkeypatch.setattr(csvread, "FALLBACK_ROWS", 3)
    lines = [f"{i},name{i}" for i in range(1, 41)]
    lines[30] = "31"
    path = write("a.csv", "id,name\n" + "\n".join(lines) + "\n")
    rows, rejects = rows_of(path)
    numbers = [number for number, _ in rows]
    assert numbers == [i for i in range(1, 41) if i != 31]
    assert all(row["id"] == str(number) for number, row in rows)
    assert [r.row_number for r in rejects] == [31]


def test_invalid_utf8_is_replaced_and_marked(write):
    path = write("a.csv", b"id,name\n1,caf\xe9\n2,ok\n")
    chunks = list(read_chunks(path))
    assert chunks[0].values("name") == ["caf\ufffd", "ok"]
    assert chunks[0].unreadable.tolist() == [True, False]


def test_replacement_character_marked(write):
    path = write("a.csv", "id,name\n1,at\ufffd55 Main\n2,ok\n")
    chunk = next(read_chunks(path))
    chunk.values("name")
    assert chunk.unreadable.tolist() == [True, False]


def test_control_characters_kept_and_marked(write):
    path = write("a.csv", "id,name\n1,12 Main\x01St\n2,a\x7fb\n3,tab\there\n")
    chunk = next(read_chunks(path))
    assert chunk.values("name") == ["12 Main\x01St", "a\x7fb", "tab\there"]
    assert chunk.unreadable.tolist() == [True, True, False]


def test_unread_column_not_marked(write):
    path = write("a.csv", "id,name\n1,at\ufffd55 Main\n")
    chunk = next(read_chunks(path))
    chunk.values("id")
    assert chunk.unreadable.tolist() == [False]


def test_tab_delimiter(write):
    path = write("a.tsv", 'id\tname\n1\tsays "hi", ok\n')
    rows, _ = rows_of(path, delimiter="\t")
    assert rows == [(1, {"id": "1", "name": 'says "hi", ok'})]


def test_normalize_header(write):
    path = write("a.csv", "Unique Key,Created Date\n1,x\n")
    chunk = next(read_chunks(path, normalize=str.lower))
    assert chunk.names == ["unique key", "created date"]


def test_header_only_file(write):
    assert rows_of(write("a.csv", "id,name\n")) == ([], [])


def test_single_row_without_newline(write):
    rows, _ = rows_of(write("a.csv", 'id,name\n1,"x\ny"'))
    assert rows == [(1, {"id": "1", "name": "x\ny"})]


def test_header_with_newline(write):
    rows, _ = rows_of(write("a.csv", '"case\nid",name\n1,x\n'))
    assert rows == [(1, {"case\nid": "1", "name": "x"})]


def test_binary_file_rejected_with_clear_error(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ValueError, match="not a text CSV file"):
        read_header(path, ",")


def garbage_bytes(size: int, seed: int = 311) -> bytes:
    """Return ``size`` random bytes without a double quote.

    An unbalanced quote would make the rest of the file one quoted field,
    which no CSV reader can split again, so the test keeps quotes out.
    """
    rng = random.Random(seed)
    return bytes(
        rng.choice([b for b in range(256) if b != ord('"')]) for _ in range(size)
    )


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_binary_block_mid_file_rejected(write, capfd, delimiter):
    # Eight fields, so that no line of the random bytes splits into a full row.
    names = ["id", "name", "a", "b", "c", "d", "e", "f"]
    lines = [
        delimiter.join([str(i), f"name {i}", "1", "2", "3", "4", "5", "6"]) + "\n"
        for i in range(1, 7001)
    ]
    content = (
        (delimiter.join(names) + "\n").encode()
        + "".join(lines[:3500]).encode()
        + garbage_bytes(3000)
        + b"\n"
        + "".join(lines[3500:]).encode()
    )
    path = write("a.csv", content)
    rows, rejects = rows_of(path, delimiter=delimiter)
    numbers = [number for number, _ in rows]
    assert len(rows) == 7000
    assert numbers[:3500] == list(range(1, 3501))
    assert [row["id"] for _, row in rows] == [str(i) for i in range(1, 7001)]
    assert rejects
    garbage_numbers = [r.row_number for r in rejects]
    assert garbage_numbers == list(range(3501, 3501 + len(rejects)))
    assert numbers[3500] > garbage_numbers[-1]
    assert all(isinstance(r.raw, str) for r in rejects)
    assert any("\ufffd" in r.raw for r in rejects)
    assert any("not UTF-8" in r.reason for r in rejects)
    assert "Exception ignored" not in capfd.readouterr().err
