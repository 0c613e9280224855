"""The events derived from a plain record replay to the record's own state."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.projection import encode, rebuild
from etl.bulk.events import ImportEvent, created_after, derive_events, replay
from tests.etl.records import at, make_record

BASE = at("2025-03-02 14:00")
offsets = st.one_of(st.none(), st.integers(min_value=-48, max_value=400))


def shifted(hours):
    return None if hours is None else BASE + timedelta(hours=hours)


@settings(max_examples=300, deadline=None)
@given(
    status=st.sampled_from(["new", "acknowledged", "in_progress", "on_hold", "closed"]),
    closed=offsets,
    first=offsets,
    updated=offsets,
    due=offsets,
)
def test_replay_matches_rebuild(status, closed, first, updated, due):
    record = make_record(
        status=status,
        closed_at=shifted(closed),
        first_response_at=shifted(first),
        updated_at=shifted(updated),
        due_at=shifted(due),
    )
    events = derive_events(record, created_after(record, 1, 2, "", None), None)
    fields, _ = replay(events)
    stored = [
        (i, e.kind, e.at, {"after": encode(e.after)}) for i, e in enumerate(events)
    ]
    assert fields == rebuild(stored)
    assert fields["status"] == status
    if record.first_response_at is not None:
        assert fields["first_response_at"] == record.first_response_at
    if status == "closed" and record.closed_at is not None:
        assert fields["closed_at"] == record.closed_at


def test_replay_befores():
    created = {"status": "new", "created_at": BASE}
    events = [
        ImportEvent("created", BASE, created),
        ImportEvent("closed", at("2025-03-05 10:00"), {"status": "closed"}),
        ImportEvent("acknowledged", at("2025-03-03 10:00"), {"status": "acknowledged"}),
    ]
    fields, befores = replay(events)
    assert fields["status"] == "closed"
    assert fields["first_response_at"] == at("2025-03-03 10:00")
    assert befores[0] == {}
    assert befores[1] == {"status": "acknowledged"}
    assert befores[2] == {"status": "new"}
