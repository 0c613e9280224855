"""The case operations on SQLite and PostgreSQL, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from cases.errors import (
    ConflictError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from cases.intake import NewCase, Requester
from cases.models import Case, CaseAlias, CaseEvent
from cases.numbers import InvalidCaseNumber, normalize_case_number
from cases.roles import Actor

POTHOLE = NewCase(
    service_type="POTHOLE",
    description="Deep pothole in the right lane",
    address="800 N French St",
    latitude=39.7459,
    longitude=-75.5466,
    channel="phone",
    requester=Requester("Pat Example", "pat@example.org", "302-555-0100"),
)


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_file_assigns_number_and_due_date(service):
    detail = service.file(POTHOLE)
    assert normalize_case_number(detail.case_number) == detail.case_number
    assert detail.case_number.startswith("26-000001-")
    assert detail.status == "new"
    assert detail.department == "PW"
    # Filed Tuesday 10:00 local; 3 business days -> Friday 17:00 EDT = 21:00 UTC.
    assert detail.due_at == datetime(2026, 6, 5, 21, 0, tzinfo=UTC)
    assert [event.kind for event in detail.events] == ["created"]
    assert detail.requester_phone == "302-555-0100"


def test_numbers_follow_sequence(service):
    first = service.file(POTHOLE).case_number
    second = service.file(POTHOLE).case_number
    assert first[3:9] == "000001"
    assert second[3:9] == "000002"


def test_type_without_sla_has_no_due_date(service):
    detail = service.file(
        NewCase(service_type="INFO", description="Hours of the library?")
    )
    assert detail.due_at is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"service_type": "NOPE"}, "service_type", "unknown or inactive"),
        ({"description": "   "}, "description", "empty"),
        ({"description": "x" * 4001}, "description", "4001 characters"),
        ({"latitude": 95.0}, "latitude", "out of range"),
        ({"longitude": -200.0}, "longitude", "out of range"),
        ({"latitude": 39.74, "longitude": None}, "location", "both latitude"),
        ({"latitude": 40.7, "longitude": -74.0}, "location", "outside the city"),
        (
            {"address": None, "latitude": None, "longitude": None},
            "location",
            "needs a location",
        ),
        ({"channel": "fax"}, "channel", "unknown"),
        ({"address": "x" * 301}, "address", "301 characters"),
        ({"description": "bell \x07 in text"}, "description", "control characters"),
        (
            {"requester": Requester(name="n" * 201)},
            "name",
            "201 characters",
        ),
        *[
            ({"requester": Requester(phone=phone)}, "phone", "at least 7 digits")
            for phone in ["-------", "(((( ))))", ".......", "+1 (302) 55", "x"]
        ],
    ],
)
def test_file_rejects_bad_input(service, sessions, changes, field, message):
    fields = {**POTHOLE.__dict__, **changes}
    with pytest.raises(ValidationError, match=message) as error:
        service.file(NewCase(**fields))
    assert error.value.field == field
    assert count(sessions, Case) == 0
    assert count(sessions, CaseEvent) == 0


@pytest.mark.parametrize(
    "phone", ["3025550100", "+1 (302) 555-0100", "302.555.0100", "555 0100"]
)
def test_file_accepts_phone_formats(service, phone):
    requester = Requester(phone=phone)
    detail = service.file(NewCase(**{**POTHOLE.__dict__, "requester": requester}))
    assert detail.requester_phone == phone


def test_lifecycle_records_each_event(service, clock):
    number = service.file(POTHOLE).case_number
    clock.advance(hours=1)
    service.acknowledge(number)
    clock.advance(hours=1)
    service.assign(number, "crew 4")
    service.start(number)
    service.hold(number, reason="waiting for utility mark-out")
    clock.advance(hours=5)
    service.resume(number)
    clock.advance(hours=2)
    detail = service.close(number, "resolved", note="patched")
    assert detail.status == "closed"
    assert detail.outcome == "resolved"
    assert detail.first_response_at == datetime(2026, 6, 2, 15, 0, tzinfo=UTC)
    assert detail.closed_at == datetime(2026, 6, 2, 23, 0, tzinfo=UTC)
    kinds = [event.kind for event in detail.events]
    assert kinds == [
        "created",
        "acknowledged",
        "assigned",
        "status_changed",
        "status_changed",
        "status_changed",
        "closed",
    ]


def test_invalid_transition_names_case_status_action(service):
    number = service.file(POTHOLE).case_number
    with pytest.raises(InvalidTransitionError) as error:
        service.reopen(number)
    assert str(error.value).startswith(f"case {number}: cannot reopen, status is new")
    with pytest.raises(InvalidTransitionError, match="cannot resume, status is new"):
        service.resume(number)


def test_closed_case_refuses_changes_until_reopened(service, clock):
    number = service.file(POTHOLE).case_number
    service.close(number, "resolved")
    with pytest.raises(InvalidTransitionError, match="reopen it first"):
        service.assign(number, "crew 1")
    clock.advance(days=1)
    detail = service.reopen(number, reason="came back")
    assert detail.status == "in_progress"
    assert detail.reopen_count == 1
    assert detail.closed_at is None


def test_close_rejects_unknown_outcome(service, sessions):
    number = service.file(POTHOLE).case_number
    with pytest.raises(ValidationError, match="outcome 'fixed' is unknown"):
        service.close(number, "fixed")
    assert service.show(number).status == "new"


def test_merge_rules(service):
    parent = service.file(POTHOLE).case_number
    child = service.file(POTHOLE).case_number
    grandchild = service.file(POTHOLE).case_number
    with pytest.raises(ValidationError, match="duplicate of itself"):
        service.merge(child, child)
    merged = service.merge(child, parent)
    assert merged.outcome == "duplicate"
    assert merged.parent_case_number == parent
    with pytest.raises(ValidationError, match="is itself a duplicate"):
        service.merge(grandchild, child)
    with pytest.raises(ValidationError, match="needs the parent"):
        service.close(grandchild, "duplicate")


def test_merge_records_event_on_parent(service):
    parent = service.file(POTHOLE).case_number
    child = service.file(POTHOLE).case_number
    service.merge(child, parent, actor=Actor("pat", "staff", "PW"))
    events = service.show(parent).events
    assert [event.kind for event in events] == ["created", "duplicate_attached"]
    assert events[-1].note == f"case {child} attached as a duplicate"
    assert events[-1].actor == "staff:pat"
    assert events[-1].public is False


def test_close_as_duplicate_records_event_on_parent(service):
    parent = service.file(POTHOLE).case_number
    child = service.file(POTHOLE).case_number
    service.close(child, "duplicate", parent=parent)
    events = service.show(parent).events
    assert [event.kind for event in events] == ["created", "duplicate_attached"]
    assert events[-1].note == f"case {child} attached as a duplicate"


def test_closing_parent_closes_open_children(service, sessions, clock):
    parent = service.file(POTHOLE).case_number
    child = service.file(POTHOLE).case_number
    with sessions.begin() as session:
        parent_id = session.scalar(select(Case.id).where(Case.case_number == parent))
        session.execute(
            Case.__table__.update()
            .where(Case.case_number == child)
            .values(parent_id=parent_id)
        )
    clock.advance(hours=3)
    service.close(parent, "resolved")
    detail = service.show(child)
    assert detail.status == "closed"
    assert detail.outcome == "duplicate"
    assert detail.closed_at == clock.now


def test_change_type_recomputes_due_date(service):
    number = service.file(POTHOLE).case_number
    detail = service.change_type(number, "STREETLIGHT")
    # 10 business days from Tuesday 2026-06-02 -> Tuesday 2026-06-16 17:00 EDT.
    assert detail.due_at == datetime(2026, 6, 16, 21, 0, tzinfo=UTC)
    assert detail.service_type == "STREETLIGHT"
    assert detail.events[-1].kind == "service_type_changed"


def test_transfer_changes_department(service):
    number = service.file(POTHOLE).case_number
    detail = service.transfer(number, "LI", reason="housing issue")
    assert detail.department == "LI"
    with pytest.raises(NotFoundError, match="department 'XX' not found"):
        service.transfer(number, "XX")


def test_public_view_hides_personal_data(service):
    number = service.file(POTHOLE).case_number
    service.add_note(number, "Caller Pat said the crew was rude", public=False)
    service.add_note(number, "Crew scheduled for Thursday", public=True)
    public = service.lookup(number).to_dict()
    text = repr(public)
    assert "Pat" not in text
    assert "pat@example.org" not in text
    assert "555-0100" not in text
    assert "rude" not in text
    assert public["description"] is None
    assert [note["text"] for note in public["notes"]] == ["Crew scheduled for Thursday"]


def test_public_view_removes_contact_details(service):
    typed = "Jo Smith, jo.smith@example.org or 302.555.0188, saw it on 6/1"
    fields = {**POTHOLE.__dict__, "description": typed, "description_public": True}
    number = service.file(NewCase(**fields)).case_number
    public = service.lookup(number).description
    assert public == "Jo Smith, [removed] or [removed], saw it on 6/1"
    assert service.show(number).description == typed


def test_lookup_distinguishes_invalid_from_unknown(service):
    number = service.file(POTHOLE).case_number
    digits = number.replace("-", "")
    typo = digits[:-2] + str((int(digits[-2]) + 1) % 10) + digits[-1]
    with pytest.raises(InvalidCaseNumber, match="check digit"):
        service.lookup(typo)
    with pytest.raises(NotFoundError, match="not found"):
        service.lookup("26-000999-" + str(_valid_check("26000999")))
    assert service.lookup(number.replace("-", " ")).case_number == number


def _valid_check(digits: str) -> int:
    from cases.numbers import damm_check_digit

    return damm_check_digit(digits)


def test_lookup_by_alias(service, sessions):
    number = service.file(POTHOLE).case_number
    with sessions.begin() as session:
        case_id = session.scalar(select(Case.id).where(Case.case_number == number))
        session.add(CaseAlias(alias="101004113298", case_id=case_id))
    assert service.lookup("101004113298").case_number == number


def test_stale_version_is_a_conflict(service):
    detail = service.file(POTHOLE)
    service.assign(detail.case_number, "crew 1", expected_version=detail.version)
    with pytest.raises(ConflictError, match="reload and try again"):
        service.assign(detail.case_number, "crew 2", expected_version=detail.version)
    assert service.show(detail.case_number).assignee == "crew 1"


def test_concurrent_sessions_second_save_conflicts(service, sessions):
    from sqlalchemy.orm.exc import StaleDataError

    number = service.file(POTHOLE).case_number
    first, second = sessions(), sessions()
    try:
        row_a = first.scalar(select(Case).where(Case.case_number == number))
        first.commit()  # both agents read, then edit outside a transaction
        row_b = second.scalar(select(Case).where(Case.case_number == number))
        second.commit()
        row_a.assignee = "crew A"
        first.commit()
        row_b.assignee = "crew B"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()
    assert service.show(number).assignee == "crew A"


def test_staff_limited_to_own_department(service):
    number = service.file(POTHOLE).case_number
    other = Actor("lee", "staff", "LI")
    own = Actor("kim", "staff", "PW")
    with pytest.raises(PermissionDeniedError, match="belongs to department PW"):
        service.acknowledge(number, actor=other)
    assert service.acknowledge(number, actor=own).events[-1].actor == "staff:kim"
    with pytest.raises(PermissionDeniedError, match="role agent may not close"):
        service.close(number, "resolved", actor=Actor("ana", "agent"))
