"""A newer export with damaged characters does not overwrite readable stored text."""

from __future__ import annotations

import json

import pytest

from cases.quality import UNREADABLE_TEXT
from etl.bulk.damaged import is_damaged_copy
from tests.etl.records import at, make_record
from tests.etl.sources.test_nyc import PORTAL_HEADER
from tests.etl.test_bulk import cases_by_external_id, events_of
from tests.etl.test_import_nyc_command import cli  # noqa: F401

R = "\ufffd"  # U+FFFD, the replacement character


@pytest.mark.parametrize(
    ("new", "stored"),
    [
        (f"Caf{R}", "Café"),
        (f"Caf{R}{R}", "Café"),  # one character read as two bad bytes
        (f"{R}", "é"),
        (f"Stra{R}e {R}", "Straße ü"),
        (f"A{R}B{R}C", "AxxByC"),
        (f"{R}ber {R}", "Über ñ"),
        (f"B{R}B", "BxyzB"),
    ],
)
def test_damaged_copies(new, stored):
    assert is_damaged_copy(new, stored)


@pytest.mark.parametrize(
    ("new", "stored"),
    [
        (f"Caf{R}", "Caf"),  # a run replaces at least one character
        (f"Bar{R}", "Café"),
        (f"Caf{R} St", "Café Street"),
        (f"A{R}B{R}C", "AxBC"),
        (f"A{R}A", "A"),
        (f"Caf{R}", f"Caf{R}"),  # the stored text is no better
        ("Café", "Cafe"),  # no U+FFFD: an ordinary change
        (f"Caf{R}", None),
        (None, "Café"),
        ("", "Café"),
    ],
)
def test_not_damaged_copies(new, stored):
    assert not is_damaged_copy(new, stored)


def damaged(external_id: str, text: str, **fields):
    return make_record(external_id, flags={UNREADABLE_TEXT}, description=text, **fields)


def test_damaged_reexport_keeps_text(write, engine):
    write([make_record("A1", description="Bache frente al café", address="1 Peña St")])
    summary = write(
        [damaged("A1", f"Bache frente al caf{R}", address=f"1 Pe{R}a St")],
        now=at("2025-06-01 00:00"),
    )
    assert (summary.unchanged, summary.updated, summary.damaged_text_kept) == (1, 0, 1)
    case = cases_by_external_id(engine)["A1"]
    assert case.description == "Bache frente al café"
    assert case.address == "1 Peña St"
    assert case.flags == ""
    assert case.version == 1


def test_damaged_reexport_applies_closure(write, engine):
    write([make_record("A1", description="Bache frente al café")])
    closed = damaged(
        "A1",
        f"Bache frente al caf{R}",
        status="closed",
        closed_at=at("2025-03-06 12:00"),
        outcome="resolved",
        updated_at=at("2025-03-06 12:00"),
    )
    summary = write([closed], now=at("2025-06-01 00:00"))
    assert (summary.updated, summary.damaged_text_kept) == (1, 1)
    case = cases_by_external_id(engine)["A1"]
    assert case.status == "closed"
    assert case.description == "Bache frente al café"
    assert case.flags == ""
    assert [e.kind for e in events_of(engine, case.id)] == ["created", "closed"]


def test_different_damaged_text_stored(write, engine):
    write([make_record("A1", description="Bache frente al café")])
    summary = write([damaged("A1", f"Farola rota en la plaza {R}")])
    assert (summary.updated, summary.damaged_text_kept) == (1, 0)
    case = cases_by_external_id(engine)["A1"]
    assert case.description == f"Farola rota en la plaza {R}"
    assert case.flags == UNREADABLE_TEXT


def test_flag_kept_for_other_damage(write, engine):
    write([make_record("A1", description="Bache frente al café")])
    summary = write([damaged("A1", f"Bache frente al caf{R}", address=f"9 New {R} Rd")])
    assert (summary.updated, summary.damaged_text_kept) == (1, 1)
    case = cases_by_external_id(engine)["A1"]
    assert case.description == "Bache frente al café"
    assert case.address == f"9 New {R} Rd"
    assert case.flags == UNREADABLE_TEXT


def portal_line(key: str, address: str) -> str:
    return (
        f"{key},01/22/2018 09:15:00 AM,01/23/2018 10:00:00 AM,DOT,"
        "Department of Things,Street Condition,Pothole,Closed,,"
        '"Fixed.",01/23/2018 10:00:00 AM,BROOKLYN,PHONE,'
        f'"{address}",40.7,-73.9\n'
    )


def test_cp1252_reexport_of_a_utf8_file(cli, tmp_path):  # noqa: F811
    text = (
        PORTAL_HEADER
        + portal_line("501", "12 AVENIDA DE LA PEÑA")
        + portal_line("502", "3 MAIN ST")
    )
    first = tmp_path / "utf8.csv"
    first.write_text(text, encoding="utf-8")
    again = tmp_path / "cp1252.csv"
    again.write_text(text, encoding="cp1252")
    assert cli("import", "nyc", str(first)).exit_code == 0

    result = cli("import", "nyc", str(again), "--json")
    payload = json.loads(result.stdout)
    assert (payload["unchanged"], payload["updated"]) == (2, 0)
    assert payload["damaged_text_kept"] == 1
    lookup = json.loads(cli("case", "lookup", "501", "--json").stdout)
    assert lookup["address"] == "12 AVENIDA DE LA PEÑA"

    plain = cli("import", "nyc", str(again))
    assert "Kept the stored text of 1 cases" in plain.stdout
