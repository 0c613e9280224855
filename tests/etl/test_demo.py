"""The demo city: deterministic by seed, about 35,000 cases a year, seasonal."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from cases import schema
from cases.catalogue import sync_catalogue
from cases.city import load_city
from cases.db import make_engine
from cases.models import Case
from cases.projection import PROJECTED_FIELDS
from city311.cli import main
from etl.bulk import write_records
from etl.demo.commands import history_cutoff
from etl.demo.generate import DemoOptions, generate_history

CUTOFF = datetime(2026, 6, 30, 16, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def city():
    return load_city("wilmington")


@pytest.fixture(scope="module")
def one_year(city):
    return generate_history(city, DemoOptions(years=1, seed=11, cutoff=CUTOFF))


def store_cases(engine, city, records, tmp_path: Path) -> dict[str, tuple]:
    with Session(engine) as session, session.begin():
        sync_catalogue(session, city)
    write_records(
        engine,
        records,
        zone=city.timezone,
        rejects_dir=tmp_path / "rejects",
        source="demo",
        configured_types=city.service_types,
    )
    with Session(engine) as session:
        rows = session.scalars(select(Case)).unique()
        return {
            c.external_id: (c.case_number, *(getattr(c, f) for f in PROJECTED_FIELDS))
            for c in rows
        }


def test_demo_same_seed_same_store(engine, city, tmp_path):
    options = DemoOptions(years=1, seed=5, cutoff=CUTOFF, annual=1500)
    first = store_cases(engine, city, generate_history(city, options), tmp_path)
    other = make_engine(f"sqlite:///{tmp_path / 'second.sqlite'}")
    schema.upgrade(other)
    second = store_cases(other, city, generate_history(city, options), tmp_path)
    other.dispose()
    assert len(first) > 1000
    assert first == second


def test_demo_other_seed_differs(city):
    small = {"years": 1, "cutoff": CUTOFF, "annual": 500}
    first = generate_history(city, DemoOptions(seed=1, **small))
    second = generate_history(city, DemoOptions(seed=2, **small))
    assert [r.created_at for r in first] != [r.created_at for r in second]


def test_demo_rerun_unchanged(engine, city, tmp_path):
    records = lambda: generate_history(  # noqa: E731
        city, DemoOptions(years=1, seed=3, cutoff=CUTOFF, annual=400)
    )
    store_cases(engine, city, records(), tmp_path)
    summary = write_records(
        engine,
        records(),
        zone=city.timezone,
        rejects_dir=tmp_path / "rejects",
        source="demo",
    )
    assert summary.inserted == 0
    assert summary.updated == 0
    assert summary.unchanged == summary.read


def test_demo_yearly_volume(one_year):
    assert 31_500 <= len(one_year) <= 38_500


def count_months(records, code: str, months: set[int], zone) -> int:
    return sum(
        1
        for r in records
        if r.service_code == code and r.created_at.astimezone(zone).month in months
    )


def test_demo_seasonality(one_year, city):
    zone = city.timezone
    spring, summer, fall, winter = {3, 4, 5}, {6, 7, 8}, {9, 10, 11}, {12, 1, 2}
    assert count_months(one_year, "POTHOLE", spring, zone) > 1.5 * count_months(
        one_year, "POTHOLE", fall, zone
    )
    assert count_months(one_year, "SNOW_ICE", winter, zone) > 5 * count_months(
        one_year, "SNOW_ICE", summer, zone
    )
    assert count_months(one_year, "HIGH_GRASS", summer, zone) > 3 * count_months(
        one_year, "HIGH_GRASS", winter, zone
    )
    assert count_months(one_year, "MISSED_YARD_WASTE", fall, zone) > 1.5 * count_months(
        one_year, "MISSED_YARD_WASTE", spring, zone
    )


def test_demo_phone_in_call_hours(one_year, city):
    hours = city.call_center_hours
    for record in one_year:
        if record.channel != "phone":
            continue
        local = record.created_at.astimezone(city.timezone)
        assert local.weekday() in hours.weekdays
        assert hours.start <= local.time() <= hours.end


def test_demo_channel_mix(one_year):
    channels = Counter(r.channel for r in one_year)
    assert set(channels) == {"phone", "web", "mobile", "email", "walk-in"}
    assert channels["web"] > channels["email"]


def test_demo_open_and_overdue(one_year):
    open_cases = [r for r in one_year if not any(e.kind == "closed" for e in r.events)]
    overdue = [r for r in open_cases if r.due_at is not None and r.due_at < CUTOFF]
    assert len(open_cases) > 100
    assert len(overdue) > 10


def test_demo_duplicates_near_parent(one_year):
    ids = {r.external_id: r for r in one_year}
    duplicates = [
        (r, e)
        for r in one_year
        for e in r.events
        if e.after.get("outcome") == "duplicate"
    ]
    assert len(duplicates) > 1000
    for record, event in duplicates:
        parent = ids[event.after["parent_id"][1]]
        assert parent.service_code == record.service_code
        assert parent.created_at < record.created_at
        assert abs(parent.latitude - record.latitude) < 0.002


def test_demo_flags_and_districts(one_year, city):
    flags = Counter(flag for r in one_year for flag in r.flags)
    assert flags["zero_coordinates"] > 0
    assert flags["missing_location"] > 0
    assert flags["closed_before_created"] > 0
    bounds = city.bounds
    for record in one_year:
        if record.flags:
            continue
        assert record.district in city.districts
        assert bounds.contains(record.latitude, record.longitude)


def test_cutoff_past_day(city):
    now = datetime(2026, 12, 4, 16, 20, tzinfo=UTC)
    cutoff = history_cutoff(date(2026, 11, 30), city.timezone, now)
    assert cutoff == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_cutoff_today_is_hour(city):
    now = datetime(2026, 12, 4, 16, 20, 33, tzinfo=UTC)
    assert history_cutoff(None, city.timezone, now) == datetime(
        2026, 12, 4, 16, 0, tzinfo=UTC
    )
    assert history_cutoff(date(2026, 12, 4), city.timezone, now) == datetime(
        2026, 12, 4, 16, 0, tzinfo=UTC
    )


def test_demo_command_json(tmp_path, database_url):
    env = {
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_DATABASE_URL": database_url,
        "CITY311_CITY": "wilmington",
    }
    args = ["demo-data", "--years", "1", "--seed", "4", "--end", "2026-06-30", "--json"]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["read"] == payload["inserted"]
    assert 31_500 <= payload["inserted"] <= 38_500
    assert payload["rejected"] == 0
    assert payload["cutoff"] == "2026-07-01T04:00:00+00:00"
    engine = make_engine(database_url)
    with Session(engine) as session:
        numbers = session.scalars(select(Case.case_number)).all()
    engine.dispose()
    assert len(set(numbers)) == payload["inserted"]
