"""The bulk writer on SQLite and PostgreSQL: counts, upserts, events, rejects."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.lookup import find_case
from cases.models import Case, CaseAlias, CaseEvent, Department, ServiceType
from cases.numbers import normalize_case_number
from cases.projection import PROJECTED_FIELDS, rebuild
from etl.sources.record import RejectedRow
from tests.etl.records import at, make_record


def cases_by_external_id(engine) -> dict[str, Case]:
    with Session(engine) as session:
        return {c.external_id: c for c in session.scalars(select(Case)).unique()}


def events_of(engine, case_id: int) -> list[CaseEvent]:
    with Session(engine) as session:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id)
        return list(session.scalars(query.order_by(CaseEvent.at, CaseEvent.id)))


def assert_projections_match_events(engine) -> None:
    with Session(engine) as session:
        for case in session.scalars(select(Case)).unique():
            events = session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case.id)
            ).all()
            rebuilt = rebuild((e.id, e.kind, e.at, e.data) for e in events)
            stored = {name: getattr(case, name) for name in PROJECTED_FIELDS}
            assert stored == rebuilt, case.external_id


def test_insert_counts(write):
    items = [
        make_record("A1", 1),
        make_record("A2", 2, status="closed", closed_at=at("2025-03-04 10:00")),
        RejectedRow(3, "created date missing", "A3,,DPW"),
    ]
    summary = write(items)
    assert summary.read == 3
    assert summary.inserted == 2
    assert summary.updated == 0
    assert summary.unchanged == 0
    assert summary.rejected == 1
    assert summary.flagged == 0


def test_reimport_is_noop(write, engine):
    items = lambda: [  # noqa: E731
        make_record("A1", 1, first_response_at=at("2025-03-02 15:00")),
        make_record("A2", 2, status="closed", closed_at=at("2025-03-04 10:00")),
        make_record("A3", 3, status="in_progress", updated_at=at("2025-03-05 09:00")),
        make_record("A4", 4, status="on_hold", updated_at=at("2025-03-05 09:00")),
    ]
    write(items())
    before = {
        k: (c.version, c.updated_at) for k, c in cases_by_external_id(engine).items()
    }
    second = write(items(), now=datetime(2030, 1, 1, tzinfo=UTC))
    assert second.inserted == 0
    assert second.updated == 0
    assert second.unchanged == 4
    after = {
        k: (c.version, c.updated_at) for k, c in cases_by_external_id(engine).items()
    }
    assert after == before


def test_new_case_fields(write, engine):
    record = make_record(
        "A1",
        status="closed",
        closed_at=at("2025-03-04 10:00"),
        due_at=at("2025-03-09 14:00"),
        first_response_at=at("2025-03-03 08:00"),
        outcome="resolved",
        channel="phone",
        district="D2",
        description="Deep hole",
    )
    write([record], now=at("2025-12-01 00:00"))
    case = cases_by_external_id(engine)["A1"]
    assert case.status == "closed"
    assert case.outcome == "resolved"
    assert case.closed_at == at("2025-03-04 10:00")
    assert case.due_at == at("2025-03-09 14:00")
    assert case.first_response_at == at("2025-03-03 08:00")
    assert case.created_at == at("2025-03-02 14:00")
    assert case.updated_at == at("2025-12-01 00:00")
    assert case.channel == "phone"
    assert case.district == "D2"
    assert case.source == "testcity"
    assert case.version == 1
    kinds = [e.kind for e in events_of(engine, case.id)]
    assert kinds == ["created", "acknowledged", "closed"]


def test_newer_export_closes(write, engine):
    write([make_record("A1")])
    closed = make_record(
        "A1",
        status="closed",
        closed_at=at("2025-03-06 12:00"),
        outcome="resolved",
        updated_at=at("2025-03-06 12:00"),
    )
    summary = write([closed], now=at("2025-04-01 00:00"))
    assert summary.updated == 1
    case = cases_by_external_id(engine)["A1"]
    assert case.status == "closed"
    assert case.closed_at == at("2025-03-06 12:00")
    assert case.version == 2
    assert case.updated_at == at("2025-04-01 00:00")
    assert [e.kind for e in events_of(engine, case.id)] == ["created", "closed"]
    assert write([closed]).unchanged == 1


def test_newer_export_reopens(write, engine):
    write([make_record("A1", status="closed", closed_at=at("2025-03-04 10:00"))])
    reopened = make_record(
        "A1", status="in_progress", updated_at=at("2025-03-10 09:00")
    )
    assert write([reopened]).updated == 1
    case = cases_by_external_id(engine)["A1"]
    assert case.status == "in_progress"
    assert case.closed_at is None
    assert case.reopen_count == 1
    kinds = [e.kind for e in events_of(engine, case.id)]
    assert kinds == ["created", "closed", "reopened"]
    assert write([reopened]).unchanged == 1


def test_new_closed_date(write, engine):
    write([make_record("A1", status="closed", closed_at=at("2025-03-04 10:00"))])
    later = make_record("A1", status="closed", closed_at=at("2025-03-20 10:00"))
    assert write([later]).updated == 1
    case = cases_by_external_id(engine)["A1"]
    assert case.closed_at == at("2025-03-20 10:00")
    assert write([later]).unchanged == 1


def test_changed_type_update(write, engine):
    write([make_record("A1")])
    changed = make_record(
        "A1",
        service_code="sidewalk",
        service_name="Sidewalk repair",
        address="102 Main St",
        updated_at=at("2025-03-03 09:00"),
    )
    assert write([changed]).updated == 1
    case = cases_by_external_id(engine)["A1"]
    assert case.service_type.code == "sidewalk"
    assert case.address == "102 Main St"
    update = events_of(engine, case.id)[-1]
    assert update.kind == "imported_update"
    assert update.at == at("2025-03-03 09:00")
    assert update.data["before"]["address"] == "100 Main St"
    assert update.data["after"]["address"] == "102 Main St"
    assert update.data["after"]["service_type_id"] == case.service_type_id
    assert write([changed]).unchanged == 1


def test_late_update_keeps_closure(write, engine):
    write([make_record("A1", status="closed", closed_at=at("2025-03-10 10:00"))])
    late = make_record("A1", status="in_progress", updated_at=at("2025-03-05 09:00"))
    assert write([late]).updated == 1
    case = cases_by_external_id(engine)["A1"]
    assert case.status == "closed"
    assert case.closed_at == at("2025-03-10 10:00")
    events = events_of(engine, case.id)
    assert [e.kind for e in events] == ["created", "status_changed", "closed"]
    assert events[1].at == at("2025-03-05 09:00")
    again = write([late])
    assert again.unchanged == 1
    assert again.updated == 0
    assert_projections_match_events(engine)


def test_rejects_file(write, tmp_path):
    items = [
        make_record("A1", 1),
        RejectedRow(2, "created date 'soon' is not a date", "A2,soon,DPW"),
        make_record("A3", 3, status="finished"),
        make_record("A1", 4),
    ]
    summary = write(items)
    assert summary.read == 4
    assert summary.inserted == 1
    assert summary.rejected == 3
    assert summary.rejects_file.parent == tmp_path / "rejects"
    assert summary.rejects_file.name.startswith("testcity-")
    with summary.rejects_file.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["row_number", "reason", "raw"]
    assert rows[1] == ["2", "created date 'soon' is not a date", "A2,soon,DPW"]
    assert rows[2][0] == "3"
    assert "status 'finished'" in rows[2][1]
    assert rows[3][0] == "4"
    assert "repeats an earlier row" in rows[3][1]


def test_no_rejects_no_file(write):
    assert write([make_record("A1")]).rejects_file is None


def test_flags_stored(write, engine):
    items = [
        make_record(
            "A1",
            status="closed",
            closed_at=at("2025-03-01 10:00"),
            flags={"closed_before_created"},
        ),
        make_record("A2", flags={"zero_coordinates", "missing_location"}),
        make_record("A3"),
    ]
    summary = write(items)
    assert summary.flagged == 2
    cases = cases_by_external_id(engine)
    assert cases["A1"].flags == "closed_before_created"
    assert cases["A1"].status == "closed"
    assert cases["A2"].flags == "missing_location,zero_coordinates"
    assert cases["A3"].flags == ""


def test_unknown_flag_rejected(write):
    summary = write([make_record("A1", flags={"looks_odd"})])
    assert summary.rejected == 1
    assert summary.inserted == 0


def test_alias_lookup(write, engine):
    write([make_record("311-77"), make_record("A2")])
    with Session(engine) as session:
        case = find_case(session, "311-77")
        assert case.external_id == "311-77"
        aliases = session.scalars(select(CaseAlias.alias)).all()
    assert sorted(aliases) == ["311-77", "A2"]


def test_case_numbers_unique_valid(write, engine):
    items = [
        make_record(f"N{i}", i, created_at=at(f"{2024 + i % 2}-06-0{1 + i % 5} 12:00"))
        for i in range(1, 13)
    ]
    items.append(make_record("NY", 13, created_at=at("2025-01-01 03:00")))
    write(items, batch_size=5)
    cases = cases_by_external_id(engine)
    numbers = [c.case_number for c in cases.values()]
    assert len(set(numbers)) == 13
    for number in numbers:
        assert normalize_case_number(number) == number
    assert cases["N1"].case_number.startswith("25-")
    assert cases["N2"].case_number.startswith("24-")
    # 03:00 UTC on 1 January is still the old year in New York.
    assert cases["NY"].case_number.startswith("24-")
    with Session(engine) as session:
        found = find_case(session, cases["N3"].case_number.replace("-", ""))
        assert found.external_id == "N3"


def test_projection_equals_rebuild(write, engine):
    items = [
        make_record("A1"),
        make_record("A2", status="acknowledged"),
        make_record("A3", status="on_hold", first_response_at=at("2025-03-02 16:00")),
        make_record(
            "A4",
            status="closed",
            closed_at=at("2025-03-02 15:00"),
            first_response_at=at("2025-03-03 15:00"),
        ),
        make_record("A5", status="in_progress", closed_at=at("2025-03-04 10:00")),
        make_record("A6", status="closed"),
        make_record(
            "A7",
            status="closed",
            closed_at=at("2025-03-05 10:00"),
            outcome="duplicate",
            parent_external_id="A1",
        ),
    ]
    write(items, batch_size=3)
    first = cases_by_external_id(engine)
    assert first["A5"].closed_at == at("2025-03-04 10:00")
    assert first["A5"].status == "in_progress"
    newer = [
        make_record("A1", status="closed", closed_at=at("2025-03-09 10:00")),
        make_record("A4", status="new", updated_at=at("2025-03-04 10:00")),
        make_record("A5", status="on_hold", updated_at=at("2025-03-06 10:00")),
    ]
    write(newer)
    assert_projections_match_events(engine)
    cases = cases_by_external_id(engine)
    assert cases["A7"].parent_id == cases["A1"].id
    assert cases["A5"].closed_at is None
    assert cases["A5"].status == "on_hold"
    assert cases["A4"].status == "new"
    assert cases["A4"].reopen_count == 1
    assert cases["A6"].closed_at == at("2025-03-02 14:00")


def test_catalogue_from_codes(write, engine):
    with Session(engine) as session, session.begin():
        dpw = Department(code="DPW", name="Department of Public Works", source="config")
        session.add(dpw)
        session.flush()
        session.add(
            ServiceType(
                code="pothole",
                name="Pothole repair",
                department_id=dpw.id,
                sla_value=3,
                sla_unit="business_days",
            )
        )
    items = [
        make_record("A1"),
        make_record(
            "A2",
            service_code="noise",
            service_name="Noise",
            department_code="NYPD",
            department_name="Police",
        ),
        make_record("A3", service_code="graffiti", service_name="Graffiti"),
    ]
    summary = write(items)
    assert summary.created_departments == 1
    assert summary.created_service_types == 2
    with Session(engine) as session:
        departments = {d.code: d for d in session.scalars(select(Department))}
        types = {t.code: t for t in session.scalars(select(ServiceType)).unique()}
    assert departments["DPW"].name == "Department of Public Works"
    assert departments["NYPD"].name == "Police"
    assert departments["NYPD"].source == "testcity"
    assert types["pothole"].name == "Pothole repair"
    assert types["pothole"].sla_value == 3
    assert types["noise"].sla_value is None
    assert types["noise"].department.code == "NYPD"
    assert types["graffiti"].source == "testcity"


def test_configured_type_sla(write, engine):
    class Configured:
        name = "Graffiti removal"
        department = "DPW"
        kind = "service_request"

        class sla:  # noqa: N801
            value = 5
            unit = "calendar_days"

    write(
        [make_record("A1", service_code="graffiti")],
        configured_types={"graffiti": Configured},
    )
    with Session(engine) as session:
        graffiti = session.scalar(
            select(ServiceType).where(ServiceType.code == "graffiti")
        )
        assert graffiti.sla_value == 5
        assert graffiti.sla_unit == "calendar_days"
        assert graffiti.name == "Graffiti removal"


def test_source_name_override(write, engine):
    write([make_record("A1")], source_name="nyc-2024")
    case = cases_by_external_id(engine)["A1"]
    assert case.source == "nyc-2024"
    # The same id from another source is another case.
    assert write([make_record("A1")]).inserted == 1


@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_batch_sizes_same_result(write, engine, batch_size):
    items = [
        make_record(
            f"B{i}",
            i,
            status="closed" if i % 2 else "new",
            closed_at=at("2025-03-05 10:00") if i % 2 else None,
        )
        for i in range(1, 8)
    ]
    summary = write(items, batch_size=batch_size)
    assert summary.inserted == 7
    assert sum(c.status == "closed" for c in cases_by_external_id(engine).values()) == 4


def test_long_district_kept(write, engine):
    district = "Greater Wilshire Neighborhood Council " + "x" * 60
    summary = write([make_record("A1", 1, district=district)])
    assert summary.rejected == 0
    assert cases_by_external_id(engine)["A1"].district == district


def test_district_over_200_rejected(write):
    summary = write([make_record("A1", 1, district="x" * 201)])
    assert summary.rejected == 1
    assert summary.inserted == 0
