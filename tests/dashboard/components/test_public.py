"""Public tables and the public case lookup show aggregates and listed fields only."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from cases.views import PublicCase, PublicNote
from dashboard.components.case_lookup import lookup_facts
from dashboard.components.public_tables import PUBLIC_METRICS, public_rows

ZONE = ZoneInfo("America/New_York")


def test_public_rows_flatten_groups():
    details = {
        name: {"value": None, "unit": "fraction", "reason": "insufficient data"}
        for name in PUBLIC_METRICS
    }
    rows = public_rows(
        [{"department": "SAN", "details": details}], "department", {"SAN": "Sanitation"}
    )
    assert rows == [
        {
            "code": "SAN",
            "name": "Sanitation",
            "received": "insufficient data",
            "closed": "insufficient data",
            "on_time_rate": "insufficient data",
            "time_to_close_median_hours": "insufficient data",
        }
    ]


def test_lookup_facts_leave_out_address_and_description():
    case = PublicCase(
        case_number="26-000001-9",
        status="closed",
        open311_status="closed",
        service_type="POTHOLE",
        service_type_name="Pothole",
        department="PW",
        department_name="Public Works",
        created_at=datetime(2026, 11, 2, 15, tzinfo=UTC),
        due_at=None,
        closed_at=datetime(2026, 11, 3, 15, tzinfo=UTC),
        outcome="no_action_needed",
        address="14 Elm St",
        latitude=39.7,
        longitude=-75.5,
        description="my house",
        notes=[PublicNote(datetime(2026, 11, 3, 15, tzinfo=UTC), "Fixed")],
    )
    facts = dict(lookup_facts(case, ZONE))
    assert facts["Status"] == "Closed"
    assert facts["Due"] == "no due date"
    assert facts["Outcome"] == "no action needed"
    text = " ".join(facts.values())
    assert "14 Elm St" not in text
    assert "my house" not in text
