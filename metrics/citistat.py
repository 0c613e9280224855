"""CitiStat figures through one entry point for the dashboard, notebooks and reports.

``compute`` returns every headline figure (or those asked for) for a period. Each
comes with the previous period of equal length, the same period a year earlier,
the target, the score and the number of cases behind it. A null value comes with
the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pandas as pd

from metrics import backlog, quality, timeliness, volume
from metrics.filters import Comparison, Filters, comparison_periods, period_as_of
from metrics.query import DATE_BREAKDOWNS, fetch, normalize_by
from metrics.registry import (
    HEADLINE,
    INSUFFICIENT_DATA,
    LOWER,
    NEUTRAL,
    POINT_IN_TIME,
    metric,
)
from metrics.targets import TargetSource, score, target_for

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Return the current instant in UTC; the default clock of ``compute``."""
    return datetime.now(UTC)


def _state(con, filters: Filters, by: str | None, as_of: datetime) -> pd.DataFrame:
    if by in DATE_BREAKDOWNS:
        return pd.DataFrame({"key": pd.Series([], dtype=object)})
    return backlog.state(con, filters, as_of, by)


FAMILIES: dict[str, Callable[..., pd.DataFrame]] = {
    "throughput": lambda con, f, by, at: volume.throughput(con, f, by),
    "closures": lambda con, f, by, at: timeliness.closures(con, f, by),
    "first_response": lambda con, f, by, at: timeliness.first_response(con, f, by),
    "state": _state,
    "quality": lambda con, f, by, at: quality.counts(con, f, by),
}


Rows = dict[Any, dict[str, Any]]


def _records(frame: pd.DataFrame) -> Rows:
    """Map each row's ``key`` to the row's other columns as Python values."""
    rows: Rows = {}
    for record in frame.to_dict("records"):
        rows[_plain(record.pop("key"))] = record
    return rows


def _key_order(key: Any) -> tuple[bool, Any]:
    return key is None, key


def _family_rows(
    con,
    filters: Filters,
    by: str | None,
    as_of: datetime,
    names: Iterable[str],
    known: dict[str, Rows] | None = None,
) -> Rows:
    """Run each family the figures need once and join their rows on ``key``.

    ``known`` contains the rows of families already computed for this period.
    A group missing from a family lacks that family's columns. Keys come in
    order, a null key last.
    """
    merged: Rows = {}
    for family in dict.fromkeys(metric(name).family for name in names):
        if known and family in known:
            rows = known[family]
        else:
            rows = _records(FAMILIES[family](con, filters, by, as_of))
        for key, row in rows.items():
            merged.setdefault(key, {}).update(row)
    return {key: merged[key] for key in sorted(merged, key=_key_order)}


def _plain(value: Any) -> Any:
    """Convert a pandas or numpy scalar to a JSON-ready Python value."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


# The comparison periods ``compute`` can take besides the period itself.
COMPARISONS = ("previous", "year_earlier")


@dataclass(frozen=True)
class _Request:
    """Options shared by every group of one ``compute`` call."""

    names: tuple[str, ...]
    city: TargetSource | None
    min_n: int | None
    dated: bool = False
    # The comparison periods to compute: "previous", "year_earlier", both or none.
    comparisons: frozenset[str] = frozenset(COMPARISONS)
    # True when the figures cover part of a department or of the city (some
    # service types, channels or districts): count targets do not apply.
    partial: bool = False

    def min_cases(self, name: str) -> int:
        own = metric(name).min_n
        return own if self.min_n is None or own == 0 else self.min_n


# Stands for a comparison period that ends before the warehouse's first case,
# so even a count is unknown there rather than 0.
BEFORE_DATA = object()


def _value(
    request: _Request, name: str, row: dict[str, Any] | None
) -> tuple[Any, int, str | None]:
    """Return ``(value, n, reason)`` for one figure of one group."""
    if row is BEFORE_DATA:
        return None, 0, "before the first case in the warehouse"
    definition = metric(name)
    minimum = request.min_cases(name)
    n = 0 if row is None else int(_plain(row.get(definition.n_column)) or 0)
    value = None if row is None else _plain(row.get(name))
    if minimum == 0:
        return (value if value is not None else 0), n, None
    if n == 0 or value is None:
        return None, n, definition.empty_reason
    if n < minimum:
        return None, n, INSUFFICIENT_DATA
    return value, n, None


def _detail(
    request: _Request,
    name: str,
    rows: tuple[dict[str, Any] | None, ...],
    department: str | None,
) -> dict[str, Any]:
    """Describe one figure of one group: rows are current, previous, year earlier."""
    current, previous, year_earlier = (_value(request, name, row) for row in rows)
    value, n, reason = current
    if request.dated and name in POINT_IN_TIME:
        value, reason = None, "not defined per week or month; use backlog_series"
        previous = year_earlier = (None, 0, None)
    target = target_for(request.city, name, department)
    if request.partial and metric(name).unit == "cases":
        # A backlog or overdue target is set for a whole department or city;
        # rates and durations are held to theirs in any part.
        target = None
    figure_score, score_reason = score(name, value, target)
    compared = set() if request.dated else request.comparisons
    definition = metric(name)
    return {
        "label": definition.label,
        "unit": definition.unit,
        "direction": definition.direction,
        "value": value,
        "n": n,
        "reason": reason,
        "previous": previous[0] if "previous" in compared else None,
        "year_earlier": year_earlier[0] if "year_earlier" in compared else None,
        "target": target,
        "score": figure_score,
        "score_reason": score_reason,
    }


def _rank(rows: list[dict[str, Any]], names: Iterable[str]) -> None:
    """Rank groups per figure, 1 being best; groups without a value get no rank."""
    for name in names:
        direction = metric(name).direction
        ranked = [r for r in rows if r["details"][name]["value"] is not None]
        for row in rows:
            row["details"][name]["rank"] = None
        if direction == NEUTRAL:
            continue
        ranked.sort(
            key=lambda r: r["details"][name]["value"], reverse=direction != LOWER
        )
        for position, row in enumerate(ranked, start=1):
            row["details"][name]["rank"] = position


def _periods(comparison: Comparison) -> dict[str, tuple[Filters, datetime]]:
    """Return the current, previous and year-earlier periods with their as-of times."""
    periods = {
        "current": comparison.current,
        "previous": comparison.previous,
        "year_earlier": comparison.year_earlier,
    }
    return {label: (filters, filters.as_of) for label, filters in periods.items()}


def _first_day(con: duckdb.DuckDBPyConnection) -> date | None:
    frame = fetch(con, "SELECT min(created_date) AS first_day FROM fact_case")
    return _plain(frame["first_day"].iloc[0])


# Families whose queries take several periods at once (``periods=``).
PERIOD_FAMILIES: dict[str, Callable[..., pd.DataFrame]] = {
    "throughput": volume.throughput,
    "closures": timeliness.closures,
    "first_response": timeliness.first_response,
    "quality": quality.counts,
}


def _frames(con, periods, by: str | None, request: _Request) -> tuple[dict, dict]:
    """Run each family once for every period; return city-wide and group frames.

    Each maps a period label to ``{key: row}``, or to None for a comparison
    period that ends before the first case. Group frames are empty without
    ``by``, and date breakdowns skip their comparisons (``{}``). Comparison
    periods not in ``request.comparisons`` do not run and map to ``{}``.
    """
    first_day = _first_day(con) if request.comparisons else None
    runs: dict[str, tuple[Filters, datetime]] = {}
    city: dict[str, dict | None] = {}
    groups: dict[str, dict | None] = {}
    for label, (filters, as_of) in periods.items():
        if label != "current" and label not in request.comparisons:
            city[label] = groups[label] = {}
        elif label != "current" and (first_day is None or filters.end < first_day):
            city[label] = groups[label] = None
        else:
            runs[label] = (filters, as_of)
    dated = by in DATE_BREAKDOWNS
    known = _period_family_frames(con, runs, by, request)
    city_states, group_states = _states(con, runs, by, request)
    for label, (filters, as_of) in runs.items():
        city_known = dict(known[label][0])
        if label in city_states:
            city_known["state"] = _records(city_states[label])
        city[label] = _family_rows(con, filters, None, as_of, request.names, city_known)
        if by is None or (dated and label != "current"):
            continue
        group_known = dict(known[label][1])
        if label in group_states:
            group_known["state"] = _records(group_states[label])
        groups[label] = _family_rows(
            con, filters, by, as_of, request.names, group_known
        )
    for label in periods:
        if dated and label != "current":
            groups[label] = {}
        groups.setdefault(label, {})
    return (
        {label: city[label] for label in periods},
        {label: groups[label] for label in periods},
    )


def _period_family_frames(
    con, runs, by: str | None, request: _Request
) -> dict[str, tuple[dict[str, Rows], dict[str, Rows]]]:
    """Run each family other than state in one query for all periods of ``runs``.

    Returns per period label the city-wide and the group rows of each
    family, keyed and ordered as the family's query for one period returns
    them. The periods differ only in their dates, so they share one set of
    filters.
    """
    frames: dict[str, tuple[dict, dict]] = {label: ({}, {}) for label in runs}
    if not runs:
        return frames
    filters = next(iter(runs.values()))[0]
    dates = [(f.start, f.end) for f, _ in runs.values()]
    labels = list(runs)
    for family in dict.fromkeys(metric(name).family for name in request.names):
        if family not in PERIOD_FAMILIES:
            continue
        frame = PERIOD_FAMILIES[family](con, filters, by, periods=dates)
        for label in labels:
            for target in frames[label]:
                target[family] = {}
        for record in frame.to_dict("records"):
            label = labels[record.pop("period")]
            city_rows, group_rows = frames[label]
            target = city_rows if record.pop("city") else group_rows
            target[family][_plain(record.pop("key"))] = record
    return frames


def _states(
    con, runs, by: str | None, request: _Request
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Take backlog and overdue at every period's moment, city-wide and by group.

    One query covers every moment, and with a breakdown both the city and the
    groups. The state family filters on no date, so the periods share one
    filter and differ only in the moment. Date breakdowns get no group frames.
    """
    if not runs:
        return {}, {}
    if not any(metric(name).family == "state" for name in request.names):
        return {}, {}
    filters = runs["current"][0] if "current" in runs else next(iter(runs.values()))[0]
    moments = [as_of for _, as_of in runs.values()]
    if by is None or by in DATE_BREAKDOWNS:
        city = backlog.states(con, filters, moments, None)
        return dict(zip(runs, city, strict=True)), {}
    city, groups = backlog.city_and_group_states(con, filters, moments, by)
    return dict(zip(runs, city, strict=True)), dict(zip(runs, groups, strict=True))


def _group(
    request: _Request, frames: dict[str, dict], key: Any, department: str | None
) -> dict[str, dict[str, Any]]:
    rows = tuple(
        BEFORE_DATA if frames[label] is None else frames[label].get(key)
        for label in PERIOD_LABELS
    )
    return {name: _detail(request, name, rows, department) for name in request.names}


PERIOD_LABELS = ("current", *COMPARISONS)


def _period_json(filters: Filters) -> dict[str, str]:
    return {"from": filters.start.isoformat(), "to": filters.end.isoformat()}


def _filters_json(filters: Filters) -> dict[str, Any]:
    return {
        "departments": list(filters.departments),
        "service_types": list(filters.service_types),
        "channels": list(filters.channels),
        "districts": list(filters.districts),
    }


def compute(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    city: TargetSource | None = None,
    by: str | None = None,
    *,
    names: Iterable[str] = HEADLINE,
    clock: Clock = system_clock,
    min_n: int | None = None,
    comparisons: bool | Iterable[str] = True,
) -> dict[str, Any]:
    """Compute CitiStat figures for a period, city-wide and per group of ``by``.

    Backlog and overdue are taken at ``filters.as_of``, or when that is None at
    the end of the period in the city's time (``clock()`` while the period runs,
    or when ``city`` is None). The comparison periods take them the same span
    earlier. When the as-of time falls inside the period, every figure counts
    the period to date and the comparison periods the same number of days
    (``metrics.filters.comparison_periods``); ``to_date`` is then true and
    ``period_to_date`` names the days counted.
    ``min_n`` replaces each non-count figure's minimum group size.
    ``comparisons`` names the comparison periods to compute ("previous",
    "year_earlier"); True means both and False neither. The values of a
    period not computed are None.

    Returns a JSON-ready dict: ``metrics`` maps each name to its value (None
    when it cannot be computed), and ``details`` adds label, unit, direction,
    n, reason, previous, year_earlier, target, score and score_reason. With
    ``by``, ``rows`` contains the same per group plus a ``rank`` (1 is best).
    """
    request = _Request(tuple(names), city, min_n, comparisons=_comparisons(comparisons))
    for name in request.names:
        metric(name)
    by = normalize_by(by)
    as_of = filters.as_of
    if as_of is None:
        # Without a city there is no local midnight to end the period at.
        now = clock()
        as_of = now if city is None else period_as_of(filters, now, city.timezone)
    if as_of.utcoffset() is None:
        raise ValueError(f"clock time {as_of.isoformat()} has no UTC offset")
    # Without a city, days are counted in the zone of the clock's time.
    zone = as_of.tzinfo if city is None else city.timezone
    comparison = comparison_periods(replace(filters, as_of=as_of), zone)
    as_of = comparison.current.as_of
    periods = _periods(comparison)
    single = filters.departments[0] if len(filters.departments) == 1 else None
    partial = bool(filters.service_types or filters.channels or filters.districts)
    request = replace(request, partial=partial)

    city_frames, group_frames = _frames(con, periods, by, request)
    details = _group(request, city_frames, None, single)
    result: dict[str, Any] = {
        "period": _period_json(filters),
        # The days counted: the period up to the as-of time.
        "period_to_date": _period_json(comparison.current),
        "to_date": comparison.to_date,
        "previous_period": _period_json(periods["previous"][0]),
        "year_earlier_period": _period_json(periods["year_earlier"][0]),
        "as_of": as_of.isoformat(),
        "filters": _filters_json(filters),
        "metrics": {name: details[name]["value"] for name in request.names},
        "details": details,
    }
    if by is not None:
        result["by"] = by
        result["rows"] = _breakdown(group_frames, by, request, single)
    return result


def _comparisons(comparisons: bool | Iterable[str]) -> frozenset[str]:
    if comparisons is True:
        return frozenset(COMPARISONS)
    if comparisons is False:
        return frozenset()
    chosen = frozenset(comparisons)
    unknown = sorted(chosen - set(COMPARISONS))
    if unknown:
        raise ValueError(
            f"comparison periods {unknown} are not among {list(COMPARISONS)}"
        )
    return chosen


def _breakdown(frames, by, request: _Request, single) -> list[dict[str, Any]]:
    request = replace(
        request,
        dated=by in DATE_BREAKDOWNS,
        partial=request.partial or by in ("service_type", "channel", "district"),
    )
    rows = []
    for key in frames["current"]:
        department = key if by == "department" else single
        details = _group(request, frames, key, department)
        rows.append(
            {
                by: key.isoformat() if hasattr(key, "isoformat") else key,
                "metrics": {name: details[name]["value"] for name in request.names},
                "details": details,
            }
        )
    _rank(rows, request.names)
    return rows


def scorecard(result: dict[str, Any]) -> pd.DataFrame:
    """Flatten ``compute``'s city-wide details into one row per figure, for a table."""
    frame = pd.DataFrame.from_dict(result["details"], orient="index")
    frame.index.name = "metric"
    return frame.reset_index()
