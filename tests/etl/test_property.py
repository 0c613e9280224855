"""Property: any interleaving of case-store changes and incremental runs ends in
the same warehouse as one full rebuild, table by table."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cases import schema
from cases.catalogue import sync_catalogue
from cases.db import make_engine, make_session_factory, transaction
from city311.settings import load_settings
from etl import load, segment
from tests.etl.conftest import (
    TEST_CITY,
    CaseWriter,
    Event,
    rebuilt_rows,
    utc,
    warehouse_rows,
)

T0 = utc(2026, 3, 1, 12)
TYPES = ("POTHOLE", "WATER_MAIN", "HOUSING", "INFO")

operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.sampled_from(TYPES)),
        st.tuples(
            st.sampled_from(
                ["ack", "close", "reopen", "transfer", "note", "late_close"]
            ),
            st.integers(min_value=0, max_value=50),
        ),
        st.tuples(st.just("run"), st.just(0)),
    ),
    min_size=1,
    max_size=25,
)


def apply(writer: CaseWriter, state: dict, operation, now) -> None:
    """Apply one operation to the case store, keeping each case's lifecycle valid."""
    kind, argument = operation
    if kind == "create":
        case_id = len(state) + 1
        writer.write(
            case_id,
            [writer.created(now, argument, due_at=now + timedelta(days=2))],
            now,
        )
        state[case_id] = "new"
        return
    if not state:
        return
    case_id = sorted(state)[argument % len(state)]
    status = state[case_id]
    if kind == "ack" and status == "new":
        event = Event("acknowledged", now, {"status": "acknowledged"})
        state[case_id] = "acknowledged"
    elif kind in ("close", "late_close") and status != "closed":
        # An imported closure may be dated before it reaches the case store.
        at = now - timedelta(hours=30) if kind == "late_close" else now
        event = Event("closed", at, {"status": "closed", "outcome": "resolved"})
        state[case_id] = "closed"
    elif kind == "reopen" and status == "closed":
        event = Event(
            "reopened",
            now,
            {"status": "in_progress", "outcome": None, "parent_id": None},
        )
        state[case_id] = "in_progress"
    elif kind == "transfer" and status != "closed":
        event = Event(
            "transferred", now, {"department_id": writer.department_ids["LI"]}
        )
    elif kind == "note":
        event = Event("public_note", now, {}, public=True, note="update")
    else:
        return
    writer.write(case_id, [event], now)


@pytest.mark.slow
@hypothesis_settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=operations,
    gaps=st.lists(st.integers(min_value=1, max_value=600), min_size=25, max_size=25),
    compact_after=st.sampled_from([1, 50_000]),
)
def test_incremental_runs_equal_full_rebuild(city, steps, gaps, compact_after):
    saved = segment.COMPACT_MIN_CASES
    segment.COMPACT_MIN_CASES = compact_after
    try:
        with tempfile.TemporaryDirectory() as folder:
            check_interleaving(Path(folder), city, steps, gaps)
    finally:
        segment.COMPACT_MIN_CASES = saved


def check_interleaving(folder: Path, city, steps, gaps) -> None:
    url = f"sqlite:///{folder / 'cases.sqlite'}"
    settings = load_settings(
        {"data_dir": str(folder / "var"), "database_url": url, "city": str(TEST_CITY)},
        environ={},
    )
    engine = make_engine(url)
    try:
        schema.upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            sync_catalogue(session, city)
        writer = CaseWriter(engine)
        state: dict[int, str] = {}
        now = T0
        for operation, gap in zip(steps, gaps, strict=False):
            now += timedelta(minutes=gap)
            if operation[0] == "run":
                load.run(settings, engine, city)
            else:
                apply(writer, state, operation, now)
        load.run(settings, engine, city)
        assert warehouse_rows(settings) == rebuilt_rows(
            settings, engine, city, folder / "full"
        )
    finally:
        engine.dispose()
