"""Build the demo city's history: drafts by day and type, then events per case.

The same city, seed and cutoff give the same records in the same order, so
the same case numbers.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from cases.quality import CLOSED_BEFORE_CREATED, MISSING_LOCATION, ZERO_COORDINATES
from cases.sla import BusinessCalendar, compute_due_at
from etl.bulk import HistoryRecord, ImportEvent
from etl.demo import lifecycle, places, timing, volumes
from etl.demo.departments import department_profiles
from etl.demo.lifecycle import Draft

log = logging.getLogger(__name__)

SOURCE = "demo"
DUPLICATE_SHARE = 0.05
FLAG_SHARE = 0.001  # of cases, for each of the three data-quality problems


@dataclass(frozen=True)
class DemoOptions:
    """``cutoff`` is the history's "now" (aware); ``years`` of cases end there."""

    years: int
    seed: int
    cutoff: datetime
    annual: int = volumes.ANNUAL_CASES


def generate_history(city, options: DemoOptions) -> list[HistoryRecord]:
    """Return the demo records in creation order."""
    rng = np.random.default_rng(options.seed)
    types = [t for t in city.service_types.values() if t.active]
    calendar = BusinessCalendar(city)
    drafts = _draft_cases(city, types, calendar, options, rng)
    drafts.sort(key=lambda d: d.created_at)
    for number, draft in enumerate(drafts, start=1):
        draft.external_id = f"DEMO-{number:07d}"

    shares: dict[str, float] = defaultdict(float)
    for draft in drafts:
        shares[types[draft.type_index].department] += 1
    profiles = department_profiles(shares, rng)
    departments = sorted(city.departments)
    records = []
    for row_number, draft in enumerate(drafts, start=1):
        service_type = types[draft.type_index]
        if draft.parent is not None:
            events = lifecycle.duplicate_events(draft, rng)
        else:
            others = [code for code in departments if code != service_type.department]
            profile = profiles[service_type.department]
            events = lifecycle.case_events(draft, profile, others, rng)
        if CLOSED_BEFORE_CREATED in draft.flags:
            events = _closed_before_created(draft)
        kept = [event for event in events if event.at <= options.cutoff]
        records.append(_record(row_number, draft, service_type, city, kept))
    log.info("demo history of %s: %d cases", city.name, len(records))
    return records


def _draft_cases(city, types, calendar, options, rng) -> list[Draft]:
    zone = city.timezone
    last_day = options.cutoff.astimezone(zone).date()
    first_day = last_day - timedelta(days=round(365.25 * options.years) - 1)
    days = [
        first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)
    ]
    seasons = [volumes.season_of(t.code, t.name) for t in types]
    weights = volumes.type_weights([t.kind for t in types], rng)
    counts = volumes.daily_counts(days, seasons, weights, rng, options.annual)
    districts = sorted(city.districts)
    hours = city.call_center_hours
    drafts: list[Draft] = []
    for day_index, day in enumerate(days):
        staffed = _call_center_open(day, hours, calendar)
        for type_index in np.flatnonzero(counts[day_index]):
            count = int(counts[day_index, type_index])
            channels = timing.pick_channels(count, staffed, rng)
            for channel in channels:
                created = timing.arrival_time(
                    day, channel, (hours.start, hours.end), zone, rng
                )
                if created > options.cutoff:
                    continue
                location = places.draw_location(city, districts, rng)
                draft = Draft(created, int(type_index), channel, *location)
                draft.due_at = compute_due_at(created, types[type_index].sla, calendar)
                drafts.append(draft)
    drafts.extend(_duplicates(drafts, types, calendar, options, rng))
    _add_flags(drafts, types, rng)
    return drafts


def _call_center_open(day: date, hours, calendar: BusinessCalendar) -> bool:
    if day.weekday() not in hours.weekdays:
        return False
    return hours.open_on_holidays or not calendar.is_holiday(day)


def _duplicates(drafts, types, calendar, options, rng) -> list[Draft]:
    """Draw reports of the same problem: same type, close by, soon after."""
    chosen = rng.choice(
        len(drafts), size=int(len(drafts) * DUPLICATE_SHARE), replace=False
    )
    children = []
    for index in sorted(chosen):
        parent = drafts[index]
        created = parent.created_at + timedelta(
            hours=float(rng.exponential(20.0)) + 0.2
        )
        if created > options.cutoff or parent.latitude is None:
            continue
        latitude, longitude = places.near(parent.latitude, parent.longitude, rng)
        channel = timing.pick_channels(1, False, rng)[0]
        child = Draft(
            created,
            parent.type_index,
            channel,
            latitude,
            longitude,
            parent.district,
            parent.address,
            parent=parent,
        )
        child.due_at = compute_due_at(created, types[parent.type_index].sla, calendar)
        children.append(child)
    return children


def _add_flags(drafts: list[Draft], types, rng: np.random.Generator) -> None:
    """Give a handful of cases the data-quality problems real exports have.

    Duplicates and their parents are left alone, so a duplicate stays near its
    parent.
    """
    parents = {id(d.parent) for d in drafts if d.parent is not None}
    candidates = [d for d in drafts if d.parent is None and id(d) not in parents]
    size = max(1, int(len(drafts) * FLAG_SHARE))
    for flag in (ZERO_COORDINATES, MISSING_LOCATION, CLOSED_BEFORE_CREATED):
        for index in rng.choice(len(candidates), size=size, replace=False):
            draft = candidates[int(index)]
            draft.flags.add(flag)
            if flag == ZERO_COORDINATES:
                draft.latitude, draft.longitude = 0.0, 0.0
            elif flag == MISSING_LOCATION:
                draft.latitude = draft.longitude = draft.address = None


def _closed_before_created(draft: Draft) -> list[ImportEvent]:
    """Return a closure dated before creation, as clock or entry errors produce."""
    at = draft.created_at - timedelta(hours=3)
    return [ImportEvent("closed", at, {"status": "closed", "outcome": "resolved"})]


def _record(row_number, draft: Draft, service_type, city, events) -> HistoryRecord:
    department = city.departments[service_type.department]
    return HistoryRecord(
        row_number=row_number,
        source=SOURCE,
        external_id=draft.external_id,
        service_code=service_type.code,
        service_name=service_type.name,
        department_code=department.code,
        department_name=department.name,
        status="new",
        created_at=draft.created_at,
        due_at=draft.due_at,
        channel=draft.channel,
        description=f"{service_type.name} (synthetic demo case)",
        address=draft.address,
        latitude=draft.latitude,
        longitude=draft.longitude,
        district=draft.district,
        kind=service_type.kind,
        flags=set(draft.flags),
        events=events,
    )
