"""``next_at`` and the state of a case at T taken from it.

The backlog reads the event with ``"at" <= T AND (next_at IS NULL OR next_at >
T)``. These histories have events tied on time and a ``created`` event later
than other events of its case; at every instant around each event the figures
must equal those of the state defined as the last event at or before T in case
order (``arg_max`` over the events, as written below).
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from etl.schema import fill_next_at
from metrics import backlog
from metrics.filters import Filters
from tests.metrics.builder import Case, Event, local, write_warehouse

PW, TR = 1, 2
DEPARTMENTS = [(PW, "PW", "Public Works"), (TR, "TR", "Transportation")]
SERVICE_TYPES = [(1, "pothole", "Pothole", PW), (2, "signal", "Signal", TR)]


def _event(kind, at, status, **fields) -> Event:
    return Event(kind, at, at.date(), status, **fields)


def _cases() -> list[Case]:
    nine, ten, noon = (
        local(2026, 11, 2, 9),
        local(2026, 11, 2, 10),
        local(2026, 11, 2, 12),
    )
    due = local(2026, 11, 2, 11)
    return [
        # Acknowledged an hour before its creation; closed and reopened at the
        # same instant, the reopening with the higher id: open from noon.
        Case(
            1,
            1,
            PW,
            ten,
            ten.date(),
            "in_progress",
            [
                _event("created", ten, "new"),
                _event("acknowledged", nine, "acknowledged"),
                _event("closed", noon, "closed", outcome_after="resolved"),
                _event("reopened", noon, "in_progress"),
            ],
            due_at=due,
            reopen_count=1,
        ),
        # Reopened and closed at the same instant, the closure last: closed.
        Case(
            2,
            2,
            TR,
            nine,
            nine.date(),
            "closed",
            [
                _event("created", nine, "new"),
                _event("closed", ten, "closed", outcome_after="resolved"),
                _event("reopened", noon, "in_progress"),
                _event("closed", noon, "closed", outcome_after="resolved"),
            ],
            closed_at=noon,
            closed_date=noon.date(),
            due_at=due,
            reopen_count=1,
            outcome="resolved",
        ),
        # Transferred at its creation instant, then a due date moved later.
        Case(
            3,
            1,
            PW,
            nine,
            nine.date(),
            "new",
            [
                _event("created", nine, "new"),
                _event("transferred", nine, "new", department_id_after=TR),
                _event(
                    "due_changed",
                    ten,
                    "new",
                    department_id_after=TR,
                    due_at_after=noon + timedelta(hours=3),
                ),
            ],
            due_at=due,
        ),
        # Only a created event, at the instant of the others' ties.
        Case(4, 2, TR, noon, noon.date(), "new", [_event("created", noon, "new")]),
    ]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("next_at") / "ties.duckdb"
    write_warehouse(path, DEPARTMENTS, SERVICE_TYPES, _cases())
    connection = duckdb.connect(str(path), read_only=True)
    yield connection
    connection.close()


def test_next_at_follows_case_order(con):
    rows = con.execute(
        "SELECT case_id, event_id, next_at FROM fact_case_event ORDER BY event_id"
    ).fetchall()
    nine, ten, noon = (
        local(2026, 11, 2, 9),
        local(2026, 11, 2, 10),
        local(2026, 11, 2, 12),
    )
    expected = {
        100: nine,  # created at 10:00; the acknowledgement at 09:00 comes next
        101: noon,
        102: noon,  # tied with the reopening, which has the higher id
        103: None,
        200: ten,
        201: noon,
        202: noon,
        203: None,
        300: nine,
        301: ten,
        302: None,
        400: None,
    }
    assert {event_id: next_at for _, event_id, next_at in rows} == expected


def test_fill_next_at_replaces_stale_values(tmp_path):
    path = tmp_path / "refill.duckdb"
    write_warehouse(path, DEPARTMENTS, SERVICE_TYPES, _cases())
    with duckdb.connect(str(path)) as connection:
        before = connection.execute(
            "SELECT event_id, next_at FROM fact_case_event ORDER BY 1"
        ).fetchall()
        connection.execute("UPDATE fact_case_event SET next_at = now()")
        fill_next_at(connection)
        after = connection.execute(
            "SELECT event_id, next_at FROM fact_case_event ORDER BY 1"
        ).fetchall()
    assert after == before


# The state of each case at T as the last event at or before T in case order.
REPLAYED_OPEN = """
    WITH state AS (
        SELECT e.case_id,
               arg_max({status: e.status_after, department_id: e.department_id_after,
                        due_at: e.due_at_after},
                       {not_created: e.kind <> 'created', moment: e."at",
                        id: e.event_id}) AS s
        FROM fact_case_event e WHERE e."at" <= $as_of GROUP BY e.case_id
    )
    SELECT c.case_id, d.code AS department, state.s.due_at AS due_at
    FROM state JOIN fact_case c USING (case_id)
    JOIN dim_department d ON d.department_id = state.s.department_id
    WHERE c.created_at <= $as_of AND state.s.status <> 'closed'
    ORDER BY c.case_id
"""


def _instants() -> list:
    moments = [local(2026, 11, 2, h) for h in (9, 10, 12)]
    moments.append(local(2026, 11, 2, 11))
    steps = (timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1))
    return sorted({m + step for m in moments for step in steps} | {local(2026, 11, 3)})


@pytest.mark.parametrize("as_of", _instants(), ids=lambda t: t.isoformat())
def test_state_equals_replay(con, as_of):
    filters = Filters(as_of.date(), as_of.date())
    replayed = con.execute(REPLAYED_OPEN, {"as_of": as_of}).fetchall()
    by_department: dict[str, list[int]] = {}
    for _, department, due_at in replayed:
        counts = by_department.setdefault(department, [0, 0])
        counts[0] += 1
        counts[1] += due_at is not None and due_at < as_of
    frame = backlog.state(con, filters, as_of, "department")
    actual = {
        row["key"]: [row["open_backlog"], row["overdue_open"]]
        for row in frame.to_dict("records")
    }
    assert actual == by_department
    overdue = backlog.overdue_list(con, filters, as_of)
    expected_overdue = sorted(
        f"26-{case_id:06d}-0"
        for case_id, _, due_at in replayed
        if due_at is not None and due_at < as_of
    )
    assert sorted(overdue.rows["case_number"]) == expected_overdue
    assert overdue.total == len(expected_overdue)
    aging = backlog.aging(con, filters, as_of)
    assert int(aging["open"].sum()) == len(replayed)


@pytest.mark.parametrize("by", [None, "department", "service_type"])
def test_states_equal_state_at_each_moment(con, by):
    moments = _instants()
    filters = Filters(moments[0].date(), moments[-1].date())
    frames = backlog.states(con, filters, moments, by)
    for moment, frame in zip(moments, frames, strict=True):
        expected = backlog.state(con, filters, moment, by)
        assert frame.to_dict("records") == expected.to_dict("records"), moment


@pytest.fixture
def scenario_con(scenario_path):
    connection = duckdb.connect(str(scenario_path), read_only=True)
    yield connection
    connection.close()


def test_states_in_the_november_scenario(scenario_con):
    filters = Filters(date(2026, 11, 1), date(2026, 11, 30), departments=("TR",))
    moments = [local(2026, 10, 1, 12), local(2026, 11, 5, 12), local(2026, 12, 1)]
    frames = backlog.states(scenario_con, filters, moments, "service_type")
    for moment, frame in zip(moments, frames, strict=True):
        expected = backlog.state(scenario_con, filters, moment, "service_type")
        assert frame.to_dict("records") == expected.to_dict("records"), moment
