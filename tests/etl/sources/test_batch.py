from __future__ import annotations

from etl.sources import csvread, nyc

from .test_nyc import PORTAL_HEADER, row


def test_duplicate_across_chunks(write, monkeypatch):
    monkeypatch.setattr(csvread, "BLOCK_BYTES", 256)
    created, closed = "01/22/2018 09:15:00 AM", "01/23/2018 09:15:00 AM"
    rows = [row(i, created, closed) for i in range(1, 30)]
    rows.append(row(3, created, closed))
    records = list(nyc.read_file(write("nyc.csv", PORTAL_HEADER + "".join(rows))))
    assert [r.row_number for r in records] == list(range(1, 31))
    assert records[-1].flags == {"duplicate_id"}
    assert all(r.flags == set() for r in records[:-1])


def test_rejects_keep_file_order(write):
    rows = [
        row(1, "01/22/2018 09:15:00 AM"),
        "2,short\n",
        row("", "01/22/2018 09:15:00 AM"),
        row(4, "01/22/2018 09:15:00 AM"),
    ]
    items = list(nyc.read_file(write("nyc.csv", PORTAL_HEADER + "".join(rows))))
    assert [item.row_number for item in items] == [1, 2, 3, 4]
    assert [type(item).__name__ for item in items] == [
        "SourceRecord", "RejectedRow", "RejectedRow", "SourceRecord",
    ]  # fmt: skip
