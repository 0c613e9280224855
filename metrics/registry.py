"""Every CitiStat figure: its name, label, unit, better direction and definition.

Names are a public contract (``city311 report --json`` and the city
configuration's targets use them). ``family`` names the query in
``metrics.citistat.FAMILIES`` that computes the figure in a column of the same
name, and ``n_column`` the column holding the number of cases it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MIN_N = 30
INSUFFICIENT_DATA = "insufficient data"

HIGHER = "higher"
LOWER = "lower"
NEUTRAL = "neutral"


@dataclass(frozen=True)
class Metric:
    """A figure's definition.

    ``min_n`` is the smallest number of cases for which the figure is shown.
    Below it the value is None with the reason "insufficient data". Counts use 0
    because a count is exact at any size. ``bounded`` marks a fraction in [0, 1].
    ``empty_reason`` is the reason given when no case counts towards the figure.
    """

    name: str
    label: str
    unit: str
    direction: str
    definition: str
    family: str
    n_column: str
    min_n: int = DEFAULT_MIN_N
    bounded: bool = False
    headline: bool = True
    empty_reason: str = "no cases"


def _count(
    name: str, label: str, direction: str, definition: str, family: str, **extra
) -> Metric:
    return Metric(name, label, "cases", direction, definition, family, name, 0, **extra)


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        _count(
            "received",
            "Received",
            NEUTRAL,
            "Cases whose creation falls in the period.",
            "throughput",
        ),
        _count(
            "closed",
            "Closed",
            HIGHER,
            "Closures in the period: a reopened case counts once per closure, "
            "and a merge into a parent counts as a closure.",
            "throughput",
        ),
        Metric(
            "time_to_close_median_hours",
            "Median time to close",
            "hours",
            LOWER,
            "Median of final closure minus creation over cases finally closed in "
            "the period, without duplicates and cases with a duration flag.",
            "closures",
            "n_durations",
        ),
        Metric(
            "time_to_close_p90_hours",
            "90th percentile time to close",
            "hours",
            LOWER,
            "90th percentile (linear interpolation) of the same durations as the "
            "median time to close.",
            "closures",
            "n_durations",
        ),
        Metric(
            "first_response_median_hours",
            "Median first response",
            "hours",
            LOWER,
            "Median of first response minus creation over cases created in the "
            "period that have a first response, without cases with a duration flag.",
            "first_response",
            "n_responses",
        ),
        Metric(
            "on_time_rate",
            "On-time rate",
            "fraction",
            HIGHER,
            "Among cases finally closed in the period that have a due date and no "
            "duration flag: the share closed at or before the due date.",
            "closures",
            "n_with_due",
            bounded=True,
            # Questions and other types without an SLA have no due date.
            empty_reason="no cases with a due date",
        ),
        _count(
            "overdue_open",
            "Overdue open cases",
            LOWER,
            "Cases open at the as-of moment whose due date has passed.",
            "state",
        ),
        _count(
            "open_backlog",
            "Open backlog",
            LOWER,
            "Cases created at or before the as-of moment and not closed at it; a "
            "reopened case is open again from its reopening.",
            "state",
        ),
        Metric(
            "clearance_rate",
            "Clearance rate",
            "ratio",
            HIGHER,
            "Closures in the period divided by cases received in the period; "
            "above 1 when the backlog shrinks.",
            "throughput",
            "received",
        ),
        Metric(
            "resolution_rate",
            "Resolution rate",
            "fraction",
            HIGHER,
            "Among cases finally closed in the period, without duplicates: the "
            "share whose outcome is resolved.",
            "closures",
            "n_closed_unique",
            bounded=True,
        ),
        Metric(
            "reopen_rate",
            "Reopen rate",
            "fraction",
            LOWER,
            "Among cases finally closed in the period: the share reopened at least "
            "once.",
            "closures",
            "n_closed_cases",
            bounded=True,
        ),
        Metric(
            "duplicate_share",
            "Duplicate share",
            "fraction",
            LOWER,
            "Among cases received in the period: the share closed as a duplicate "
            "of another case.",
            "throughput",
            "received",
            bounded=True,
        ),
        Metric(
            "time_to_close_mean_hours",
            "Mean time to close",
            "hours",
            LOWER,
            "Mean of the same durations as the median time to close.",
            "closures",
            "n_durations",
            headline=False,
        ),
        Metric(
            "business_days_to_close_median",
            "Median business days to close",
            "business days",
            LOWER,
            "Median business days (city calendar) from creation to final closure "
            "over the time-to-close cases whose business-day count is known.",
            "closures",
            "n_business_days",
            headline=False,
        ),
        _count(
            "flagged_cases",
            "Cases with data-quality flags",
            LOWER,
            "Cases received in the period that carry at least one data-quality "
            "flag; the quality figures break them down by flag and source.",
            "quality",
            headline=False,
        ),
        _count(
            "duration_flagged_cases",
            "Cases left out of durations",
            LOWER,
            "Cases received in the period whose flags make their durations "
            "untrustworthy, so every duration figure leaves them out.",
            "quality",
            headline=False,
        ),
    )
}

# The figures named in the command-line contract, in report order.
HEADLINE: tuple[str, ...] = tuple(m.name for m in METRICS.values() if m.headline)

# Figures that describe a moment (the as-of time) rather than a period.
POINT_IN_TIME = frozenset({"open_backlog", "overdue_open"})


@dataclass(frozen=True)
class Distribution:
    """A figure that is a breakdown rather than one number, with its function."""

    name: str
    label: str
    unit: str
    definition: str
    function: str  # dotted path of the function that computes it


DISTRIBUTIONS: dict[str, Distribution] = {
    d.name: d
    for d in (
        Distribution(
            "backlog_age",
            "Backlog age",
            "cases per bucket",
            "Cases open at the as-of moment by whole days since creation: 0-2, "
            "3-7, 8-30, 31-90 and over 90 days.",
            "metrics.backlog.aging",
        ),
        Distribution(
            "channel_mix",
            "Channel mix",
            "cases and share per channel",
            "Cases received in the period by intake channel.",
            "metrics.volume.channel_mix",
        ),
        Distribution(
            "outcomes",
            "Outcomes",
            "cases and share per outcome",
            "Cases finally closed in the period by outcome.",
            "metrics.timeliness.outcomes",
        ),
        Distribution(
            "data_quality",
            "Data-quality flags",
            "cases per flag and source",
            "Cases received in the period per data-quality flag and source, plus "
            "unflagged cases whose closure or first response precedes creation.",
            "metrics.quality.flags_by_source",
        ),
        Distribution(
            "transfers",
            "Transfers",
            "transfers per department",
            "Transfers in the period out of and into each department.",
            "metrics.volume.transfers",
        ),
    )
}

# Age buckets of the backlog: label, first and last whole day (None: no limit).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-2 days", 0, 2),
    ("3-7 days", 3, 7),
    ("8-30 days", 8, 30),
    ("31-90 days", 31, 90),
    ("over 90 days", 91, None),
)


def metric(name: str) -> Metric:
    """Return the metric called ``name``; raise KeyError listing the known names."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(
            f"unknown metric {name!r}; use one of {', '.join(METRICS)}"
        ) from None
