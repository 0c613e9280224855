"""Records with an explicit event list: holds, transfers, reopenings, parents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.models import Case, CaseEvent, Department
from etl.bulk import HistoryRecord, ImportEvent
from tests.etl.records import at


def history(external_id: str, events: list[ImportEvent], **fields) -> HistoryRecord:
    values = {
        "row_number": 1,
        "source": "demo",
        "external_id": external_id,
        "service_code": "pothole",
        "service_name": "Pothole",
        "department_code": "DPW",
        "department_name": "Public Works",
        "status": "new",
        "created_at": at("2025-03-02 14:00"),
        "events": events,
    }
    values.update(fields)
    return HistoryRecord(**values)


def test_history_events_stored(write, engine):
    with Session(engine) as session, session.begin():
        session.add(Department(code="PRK", name="Parks", source="config"))
    parent = history(
        "P1",
        [
            ImportEvent(
                "closed",
                at("2025-03-04 10:00"),
                {"status": "closed", "outcome": "resolved"},
            )
        ],
    )
    child = history(
        "C1",
        [
            ImportEvent(
                "acknowledged", at("2025-03-02 15:00"), {"status": "acknowledged"}
            ),
            ImportEvent("assigned", at("2025-03-02 16:00"), {"assignee": "crew 4"}),
            ImportEvent(
                "status_changed",
                at("2025-03-03 09:00"),
                {"status": "on_hold", "hold_started_at": at("2025-03-03 09:00")},
            ),
            ImportEvent(
                "status_changed",
                at("2025-03-03 12:00"),
                {"status": "in_progress", "hold_started_at": None},
            ),
            ImportEvent(
                "closed",
                at("2025-03-04 11:00"),
                {
                    "status": "closed",
                    "outcome": "duplicate",
                    "parent_id": ("external_id", "P1"),
                },
            ),
            ImportEvent(
                "reopened",
                at("2025-03-05 11:00"),
                {"status": "in_progress", "outcome": None, "parent_id": None},
            ),
            ImportEvent("transferred", at("2025-03-05 12:00"), {"assignee": None}),
        ],
    )
    summary = write([parent, child], source="demo")
    assert summary.inserted == 2
    with Session(engine) as session:
        cases = {c.external_id: c for c in session.scalars(select(Case)).unique()}
        kinds = session.scalars(
            select(CaseEvent.kind)
            .where(CaseEvent.case_id == cases["C1"].id)
            .order_by(CaseEvent.at)
        ).all()
    assert cases["C1"].status == "in_progress"
    assert cases["C1"].reopen_count == 1
    assert cases["C1"].first_response_at == at("2025-03-02 15:00")
    assert cases["C1"].closed_at is None
    assert cases["C1"].assignee is None
    assert kinds[0] == "created"
    assert kinds[-1] == "transferred"
    assert write([parent, child], source="demo").unchanged == 2


def test_history_grows(write, engine):
    opened = history("H1", [])
    write([opened], source="demo")
    closed = history(
        "H1",
        [
            ImportEvent(
                "closed",
                at("2025-03-04 10:00"),
                {"status": "closed", "outcome": "resolved"},
            )
        ],
    )
    summary = write([closed], source="demo")
    assert summary.updated == 1
    with Session(engine) as session:
        case = session.scalars(select(Case)).unique().one()
    assert case.status == "closed"
    assert case.version == 2
    assert write([closed], source="demo").unchanged == 1
