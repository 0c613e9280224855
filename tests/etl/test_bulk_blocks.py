"""Blocks of NYC rows written column by column store exactly what records store.

Each test imports the same CSV four ways: as blocks through the ingest process
and in this process (the column paths for new cases), and as records through
the tuple path and the dictionary path. All four must leave identical tables,
counts and rejects.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cases.numbers import format_case_number
from etl.bulk import BulkWriter, write_records
from etl.bulk.columnar import case_numbers
from etl.sources import nyc
from tests.etl.conftest import NEW_YORK
from tests.etl.test_bulk_tuples import NOW, TABLES, store_of, table_rows

HEADER = (
    "Unique Key,Created Date,Closed Date,Agency,Agency Name,Complaint Type,"
    "Descriptor,Status,Due Date,Resolution Description,"
    "Resolution Action Updated Date,Borough,Open Data Channel Type,"
    "Incident Address,Latitude,Longitude\n"
)


def line(
    key="1", created="01/22/2018 09:15:00 AM", closed="", agency="DOT",
    complaint="Street Condition", descriptor="Pothole", status="Open", due="",
    resolution="", updated="", borough="BROOKLYN", channel="PHONE",
    address="1 MAIN ST", lat="40.7", lon="-73.9",
):  # fmt: skip
    fields = [
        key, created, closed, agency, f"Agency {agency}", complaint, descriptor,
        status, due, resolution, updated, borough, channel, address, lat, lon,
    ]  # fmt: skip
    return ",".join(_quoted(field) for field in fields) + "\n"


def _quoted(field: str) -> str:
    if any(c in field for c in ',"\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


AWKWARD = [
    line("1", closed="01/23/2018 10:00:00 AM", status="Closed",
         resolution="The Department observed no evidence of the condition.",
         updated="01/23/2018 10:00:00 AM", due="02/05/2018 10:02:43 AM"),
    line("2", closed="01/21/2018 08:00:00 AM", status="Closed",
         updated="01/21/2018 08:00:00 AM"),  # closed before created
    line("3", closed="01/01/1900 12:00:00 AM", status="Closed"),  # placeholder
    line("4", closed="01/24/2018 10:00:00 AM", status="Open"),  # open, closed date
    line("5", status="Closed", updated="01/25/2018 11:30:00 AM"),  # no closed date
    line("6", status="Closed"),  # no closed date, no update
    line("1", status="Open"),  # repeats the id of row 1
    line("8", status="Assigned", updated="01/22/2018 10:00:00 AM"),
    line("9", status="Assigned"),
    line("10", status="In Progress", updated="01/20/2018 10:00:00 AM"),
    line("11", status="Pending", updated="01/26/2018 07:45:00 PM"),
    line("12", status="Started"),
    line("13", lat="0", lon="0", status="Unassigned"),
    line("14", lat="45.5", lon="-70.1", channel="ONLINE", borough=""),
    line("15", descriptor='Quote " backslash \\ tab \t bell \x07 and \u00fc \u2028',
         address="5 A, B AVE", channel="MOBILE"),
    line("16", created="13/45/2018 09:15:00 AM"),  # rejected: invalid date
    line("17", status="Mystery"),  # rejected: unknown status
    line("", status="Open"),  # rejected: no id
    line("19", complaint=""),  # rejected: no service code
    line("20", address="X" * 301),  # rejected: address too long
    line("21", agency="", complaint="Noise", due="02/05/2018 10:02:43 AM",
         channel="OTHER", lat="", lon=""),
    line("22", created="12/31/2018 11:59:59 PM", closed="01/01/2019 12:30:00 AM",
         status="Closed", updated="01/01/2019 12:30:00 AM", agency="HPD"),
    line("23", created="01/01/2019 12:00:01 AM", status="Open", agency="HPD",
         complaint="HEAT/HOT WATER"),
    line("24", created="03/11/2018 02:30:00 AM", status="Open"),  # DST gap
    line("25", status="Closed", closed="02/30/2018 10:00:00 AM"),  # rejected
]  # fmt: skip


def write_csv(path: Path, lines: list[str], extra: bytes = b"") -> Path:
    path.write_bytes((HEADER + "".join(lines)).encode() + extra)
    return path


def import_each_way(
    tmp_path: Path, files: list[Path], **options
) -> tuple[list[Engine], list[list[dict]], list[list[str]]]:
    """Import ``files`` in turn in each of four ways, and return each store with
    its summaries and rejects.

    The ways: blocks through the ingest process, records by tuples, records by
    dictionaries, and blocks written in this process.
    """
    engines, summaries, rejects = [], [], []
    for name, blocks, tuples, ingest in (
        ("blocks", True, True, True),
        ("tuples", False, True, False),
        ("rows", False, False, False),
        ("blocks-here", True, True, False),
    ):
        engine = store_of(tmp_path, f"{name}.sqlite")
        counts, written = [], []
        for number, path in enumerate(files):
            read = nyc.read_blocks if blocks else nyc.read_file
            summary = write_records(
                engine,
                read(path),
                zone=NEW_YORK,
                rejects_dir=tmp_path / f"rejects-{name}-{number}",
                source="nyc",
                clock=lambda: NOW,
                driver_tuples=tuples,
                ingest_process=ingest,
                **options,
            )
            result = summary.to_dict()
            rejects_file = result.pop("rejects_file")
            result.pop("seconds")
            counts.append(result)
            written.append(
                Path(rejects_file).read_text(encoding="utf-8") if rejects_file else ""
            )
        engines.append(engine)
        summaries.append(counts)
        rejects.append(written)
    return engines, summaries, rejects


def assert_same(engines: list[Engine]) -> None:
    for table in TABLES:
        expected = table_rows(engines[2], table)
        for engine in (engines[0], engines[1], engines[3]):
            assert table_rows(engine, table) == expected, table


@pytest.mark.parametrize("batch_size", [1, 3, 5000])
def test_awkward_rows_match_records(tmp_path, batch_size):
    path = write_csv(
        tmp_path / "nyc.csv",
        AWKWARD,
        extra=b"30,01/22/2018 09:15:00 AM,,DOT,Agency DOT,Street Condition,"
        b"Bad \xff text,Open,,,,QUEENS,PHONE,2 MAIN ST,40.7,-73.9\n",
    )
    engines, summaries, rejects = import_each_way(
        tmp_path, [path, path], batch_size=batch_size
    )
    assert_same(engines)
    assert summaries[0] == summaries[1] == summaries[2] == summaries[3]
    assert rejects[0] == rejects[1] == rejects[2] == rejects[3]
    first, second = summaries[0]
    assert first["read"] == len(AWKWARD) + 1
    assert first["rejected"] == 6
    assert first["inserted"] == first["read"] - first["rejected"]
    # Row 15's bell character (U+0007) flags it unreadable_text.
    assert first["flagged"] == 9
    assert (second["inserted"], second["updated"]) == (0, 0)
    assert second["unchanged"] == first["inserted"]
    assert len(table_rows(engines[0], "case")) == first["inserted"]


def test_update_after_blocks_matches_records(tmp_path):
    first = write_csv(tmp_path / "first.csv", AWKWARD[:15])
    later = [
        line("1", status="Open"),
        line("4", closed="01/27/2018 10:00:00 AM", status="Closed",
             updated="01/27/2018 10:00:00 AM"),
        line("9", status="Pending", updated="01/28/2018 10:00:00 AM"),
        line("40", status="Closed", closed="01/29/2018 10:00:00 AM"),
    ]  # fmt: skip
    second = write_csv(tmp_path / "second.csv", later)
    engines, summaries, _ = import_each_way(tmp_path, [first, second], batch_size=2)
    assert_same(engines)
    assert summaries[0] == summaries[1] == summaries[2] == summaries[3]
    assert summaries[0][1]["inserted"] == 1
    assert summaries[0][1]["updated"] == 3


def test_fractions_of_seconds_and_source_name_match_records(tmp_path):
    lines = [
        line("1", created="2018-01-22T09:15:00.250", status="Closed",
             closed="2018-01-22T10:15:00.000", updated="2018-01-22T10:15:00.5"),
        line("2", created="2018-01-22T09:15:00.000", status="Pending",
             updated="2018-01-23T09:15:00.125", due="2018-01-30T00:00:00.000"),
        line("3", created="2018-01-22T09:15:01.000", status="Open"),
    ]  # fmt: skip
    path = write_csv(tmp_path / "iso.csv", lines)
    engines, summaries, _ = import_each_way(tmp_path, [path], source_name="nyc 'iso'")
    assert_same(engines)
    assert summaries[0] == summaries[1] == summaries[2] == summaries[3]
    assert summaries[0][0]["inserted"] == 3


def test_many_rows_across_blocks_match_records(tmp_path, monkeypatch):
    monkeypatch.setattr("etl.sources.csvread.BLOCK_BYTES", 4096)
    lines = [AWKWARD[i % 15].replace(",", f"{i},", 1) for i in range(400)]
    path = write_csv(tmp_path / "many.csv", lines)
    engines, summaries, rejects = import_each_way(tmp_path, [path], batch_size=37)
    assert_same(engines)
    assert summaries[0] == summaries[1] == summaries[2] == summaries[3]
    assert rejects[0] == rejects[1] == rejects[2] == rejects[3]


def progress_lines(caplog) -> list[str]:
    """Return the per-batch progress messages without their elapsed time."""
    return [
        re.sub(r"in [0-9.]+ s", "in _ s", record.getMessage())
        for record in caplog.records
        if record.name == "etl.bulk" and "rows read" in record.getMessage()
    ]


def test_progress_lines_match_records(tmp_path, caplog):
    path = write_csv(tmp_path / "nyc.csv", AWKWARD)
    lines = []
    for name, read in (("blocks", nyc.read_blocks), ("records", nyc.read_file)):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="etl.bulk"):
            write_records(
                store_of(tmp_path, f"{name}.sqlite"),
                read(path),
                zone=NEW_YORK,
                rejects_dir=tmp_path / f"rejects-{name}",
                source="nyc",
                batch_size=4,
            )
        lines.append(progress_lines(caplog))
    assert lines[0] == lines[1]
    assert len(lines[0]) == 5
    assert lines[0][0] == (
        "import of nyc: 4 rows read in _ s (4 inserted, 0 updated, "
        "0 unchanged, 0 rejected)"
    )


def test_failed_batch_stops_the_import(tmp_path, monkeypatch):
    calls = []
    original = BulkWriter._write_batch

    def fail_second(self, batch):
        calls.append(batch.size)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        original(self, batch)

    monkeypatch.setattr(BulkWriter, "_write_batch", fail_second)
    path = write_csv(tmp_path / "nyc.csv", AWKWARD)
    engine = store_of(tmp_path, "store.sqlite")
    with pytest.raises(RuntimeError, match="disk full"):
        write_records(
            engine,
            nyc.read_blocks(path),
            zone=NEW_YORK,
            rejects_dir=tmp_path / "rejects",
            source="nyc",
            batch_size=3,
        )
    assert calls == [3, 3]
    assert len(table_rows(engine, "case")) == 3


@pytest.mark.parametrize("start", [0, 999_990])
def test_case_numbers_match_format(start):
    years = [2019, 2020, 2019, 2099, 2000, 2019] * 5
    counters = {2019: start, 2020: 5, 2099: 0, 2000: 41}
    expected_counters = dict(counters)

    def reserve(year, count):
        counters[year] += count
        return range(counters[year] - count + 1, counters[year] + 1)

    numbers = case_numbers(years, reserve)
    expected = []
    for year in years:
        expected_counters[year] += 1
        expected.append(format_case_number(year, expected_counters[year]))
    assert numbers == expected


def test_reader_error_keeps_full_batches(tmp_path):
    engine = store_of(tmp_path, "store.sqlite")

    def failing_items():
        yield from nyc.read_file(write_csv(tmp_path / "nyc.csv", AWKWARD[:8]))
        raise ValueError("unreadable file")

    with pytest.raises(ValueError, match="unreadable file"):
        write_records(
            engine,
            failing_items(),
            zone=NEW_YORK,
            rejects_dir=tmp_path / "rejects",
            source="nyc",
            batch_size=3,
        )
    # Eight rows: one repeats an id, so seven are accepted and two full
    # batches of three were complete when reading failed.
    assert len(table_rows(engine, "case")) == 6


def test_future_dates_flagged_like_records(tmp_path):
    from sqlalchemy import select

    from cases.models import Case

    # NOW is 2026-01-05 12:00 UTC, so times after 2026-01-06 12:00 UTC are future.
    lines = [
        line("1", created="01/01/2099 12:00:00 AM", status="Open"),
        line("2", closed="01/06/2026 11:00:00 AM", status="Closed"),
        line("3", created="01/06/2026 06:00:00 AM", status="Open"),
        line("4", closed="01/23/2018 10:00:00 AM", status="Closed"),
    ]
    later = [line("4", closed="01/06/2026 11:00:00 AM", status="Closed")]
    first = write_csv(tmp_path / "first.csv", lines)
    second = write_csv(tmp_path / "second.csv", later)
    engines, summaries, _ = import_each_way(tmp_path, [first], batch_size=2)
    assert_same(engines)
    assert summaries[0] == summaries[1] == summaries[2] == summaries[3]
    assert summaries[0][0]["flagged"] == 2
    with engines[0].connect() as connection:
        stored = dict(connection.execute(select(Case.external_id, Case.flags)).all())
        created = connection.execute(
            select(Case.created_at).where(Case.external_id == "1")
        ).scalar_one()
    assert stored == {"1": "future_date", "2": "future_date", "3": "", "4": ""}
    assert created.year == 2099
    engines, summaries, _ = import_each_way(tmp_path, [first, second])
    assert_same(engines)
    assert summaries[0][1]["updated"] == 1
    assert summaries[0][1]["flagged"] == 1
    with engines[0].connect() as connection:
        flags = connection.execute(
            select(Case.flags).where(Case.external_id == "4")
        ).scalar_one()
    assert flags == "future_date"
