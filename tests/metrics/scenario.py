"""A hand-made November 2026 in New York, with every figure worked out by hand.

Daylight saving time ends on 1 November 2026 at 02:00 EDT. Veterans Day
(11 November) and Thanksgiving (26 November) are holidays. Departments PW (1)
and TR (2); types pothole (1, PW, 72 calendar hours), signal (2, TR, 2
business days) and info (3, PW, no SLA). Due dates and business-day counts are
given as the ETL would store them.

Case letters:
- A closes across the DST change (25 real hours).
- B is late. C is on time only because of the holiday.
- D is closed, reopened and closed again. E is merged as a duplicate.
- F has no SLA. G is closed before it was created (flagged).
- H is open across the period end and overdue.
- I is closed administratively after 4 minutes. J is open and not yet due.
- K was created in October, transferred to TR and is overdue.
- L is transferred in the period. M is closed the day before Thanksgiving.
"""

from __future__ import annotations

from datetime import date

from tests.metrics.builder import Case, Event, local

PW, TR = 1, 2
POTHOLE, SIGNAL, INFO = 1, 2, 3

DEPARTMENTS = [(PW, "PW", "Public Works"), (TR, "TR", "Transportation")]
SERVICE_TYPES = [
    (POTHOLE, "pothole", "Pothole", PW),
    (SIGNAL, "signal", "Traffic signal", TR),
    (INFO, "info", "Information", PW),
]

NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
END_OF_NOVEMBER = local(2026, 12, 1)  # midnight EST, 05:00 UTC


def _d(month: int, day: int) -> date:
    return date(2026, month, day)


def _created(at, day) -> Event:
    return Event("created", at, day, "new")


def _closed(at, day, outcome="resolved", kind="closed", **extra) -> Event:
    return Event(kind, at, day, "closed", outcome_after=outcome, **extra)


def cases() -> list[Case]:
    """Return the thirteen cases A to M (case ids 1 to 13)."""
    return [
        Case(  # A: 25 real hours because the clocks go back on 1 November
            1,
            POTHOLE,
            PW,
            local(2026, 10, 31, 22),
            _d(10, 31),
            "closed",
            [
                _created(local(2026, 10, 31, 22), _d(10, 31)),
                _closed(local(2026, 11, 1, 22), _d(11, 1)),
            ],
            closed_at=local(2026, 11, 1, 22),
            closed_date=_d(11, 1),
            due_at=local(2026, 11, 3, 21),
            first_response_at=local(2026, 11, 1, 22),
            outcome="resolved",
        ),
        Case(  # B: 96 hours, due after 72, so late
            2,
            POTHOLE,
            PW,
            local(2026, 11, 2, 8),
            _d(11, 2),
            "closed",
            [
                _created(local(2026, 11, 2, 8), _d(11, 2)),
                Event(
                    "acknowledged", local(2026, 11, 2, 10), _d(11, 2), "acknowledged"
                ),
                _closed(local(2026, 11, 6, 8), _d(11, 6)),
            ],
            closed_at=local(2026, 11, 6, 8),
            closed_date=_d(11, 6),
            due_at=local(2026, 11, 5, 8),
            first_response_at=local(2026, 11, 2, 10),
            outcome="resolved",
            channel="web",
        ),
        Case(  # C: due on the 13th because the 11th is a holiday; 54 hours
            3,
            SIGNAL,
            TR,
            local(2026, 11, 10, 9),
            _d(11, 10),
            "closed",
            [
                _created(local(2026, 11, 10, 9), _d(11, 10)),
                Event(
                    "acknowledged", local(2026, 11, 10, 10), _d(11, 10), "acknowledged"
                ),
                _closed(local(2026, 11, 12, 15), _d(11, 12)),
            ],
            closed_at=local(2026, 11, 12, 15),
            closed_date=_d(11, 12),
            due_at=local(2026, 11, 13, 9),
            first_response_at=local(2026, 11, 10, 10),
            outcome="resolved",
            business_days_to_close=15 / 9,
            district="D2",
        ),
        Case(  # D: closed on the 4th, reopened on the 5th, closed on the 9th
            4,
            POTHOLE,
            PW,
            local(2026, 11, 3, 9),
            _d(11, 3),
            "closed",
            [
                _created(local(2026, 11, 3, 9), _d(11, 3)),
                _closed(local(2026, 11, 4, 9), _d(11, 4)),
                Event("reopened", local(2026, 11, 5, 9), _d(11, 5), "in_progress"),
                _closed(local(2026, 11, 9, 9), _d(11, 9)),
            ],
            closed_at=local(2026, 11, 9, 9),
            closed_date=_d(11, 9),
            due_at=local(2026, 11, 6, 9),
            first_response_at=local(2026, 11, 4, 9),
            outcome="resolved",
            reopen_count=1,
            channel="web",
        ),
        Case(  # E: merged into B an hour after creation
            5,
            POTHOLE,
            PW,
            local(2026, 11, 5, 12),
            _d(11, 5),
            "closed",
            [
                _created(local(2026, 11, 5, 12), _d(11, 5)),
                _closed(local(2026, 11, 5, 13), _d(11, 5), "duplicate", "merged"),
            ],
            closed_at=local(2026, 11, 5, 13),
            closed_date=_d(11, 5),
            due_at=local(2026, 11, 8, 12),
            first_response_at=local(2026, 11, 5, 13),
            outcome="duplicate",
            is_duplicate=True,
            channel="mobile",
        ),
        Case(  # F: information request, no due date
            6,
            INFO,
            PW,
            local(2026, 11, 6, 10),
            _d(11, 6),
            "closed",
            [
                _created(local(2026, 11, 6, 10), _d(11, 6)),
                _closed(local(2026, 11, 6, 11), _d(11, 6), "no_action_needed"),
            ],
            closed_at=local(2026, 11, 6, 11),
            closed_date=_d(11, 6),
            first_response_at=local(2026, 11, 6, 11),
            outcome="no_action_needed",
            due_at=None,
        ),
        Case(  # G: the source closed it two hours before creating it
            7,
            POTHOLE,
            PW,
            local(2026, 11, 7, 10),
            _d(11, 7),
            "closed",
            [
                _created(local(2026, 11, 7, 10), _d(11, 7)),
                _closed(local(2026, 11, 7, 8), _d(11, 7)),
            ],
            closed_at=local(2026, 11, 7, 8),
            closed_date=_d(11, 7),
            due_at=local(2026, 11, 10, 10),
            first_response_at=local(2026, 11, 7, 8),
            outcome="resolved",
            flags="closed_before_created",
            has_duration_flag=True,
            source="legacy",
        ),
        Case(  # H: open at the end of November, due on the 24th, closed 2 December
            8,
            SIGNAL,
            TR,
            local(2026, 11, 20, 10),
            _d(11, 20),
            "closed",
            [
                _created(local(2026, 11, 20, 10), _d(11, 20)),
                Event(
                    "acknowledged", local(2026, 11, 20, 11), _d(11, 20), "acknowledged"
                ),
                _closed(local(2026, 12, 2, 10), _d(12, 2)),
            ],
            closed_at=local(2026, 12, 2, 10),
            closed_date=_d(12, 2),
            due_at=local(2026, 11, 24, 10),
            first_response_at=local(2026, 11, 20, 11),
            outcome="resolved",
            district="D2",
        ),
        Case(  # I: closed administratively after four minutes
            9,
            SIGNAL,
            TR,
            local(2026, 11, 12, 9),
            _d(11, 12),
            "closed",
            [
                _created(local(2026, 11, 12, 9), _d(11, 12)),
                _closed(local(2026, 11, 12, 9, 4), _d(11, 12), "administrative"),
            ],
            closed_at=local(2026, 11, 12, 9, 4),
            closed_date=_d(11, 12),
            due_at=local(2026, 11, 16, 9),
            first_response_at=local(2026, 11, 12, 9, 4),
            outcome="administrative",
            business_days_to_close=4 / 60 / 9,
            district="D2",
        ),
        Case(  # J: open, due after the end of the period
            10,
            POTHOLE,
            PW,
            local(2026, 11, 29, 12),
            _d(11, 29),
            "new",
            [_created(local(2026, 11, 29, 12), _d(11, 29))],
            due_at=local(2026, 12, 2, 12),
            channel="web",
        ),
        Case(  # K: October case moved from PW to TR, long overdue
            11,
            POTHOLE,
            TR,
            local(2026, 10, 1, 9),
            _d(10, 1),
            "acknowledged",
            [
                Event(
                    "created",
                    local(2026, 10, 1, 9),
                    _d(10, 1),
                    "new",
                    department_id_after=PW,
                ),
                Event("transferred", local(2026, 10, 2, 9), _d(10, 2), "new"),
                Event(
                    "acknowledged", local(2026, 10, 2, 10), _d(10, 2), "acknowledged"
                ),
            ],
            due_at=local(2026, 10, 4, 9),
            first_response_at=local(2026, 10, 2, 10),
        ),
        Case(  # L: moved from PW to TR in November, closed by TR after 48 hours
            12,
            POTHOLE,
            TR,
            local(2026, 11, 16, 9),
            _d(11, 16),
            "closed",
            [
                Event(
                    "created",
                    local(2026, 11, 16, 9),
                    _d(11, 16),
                    "new",
                    department_id_after=PW,
                ),
                Event("transferred", local(2026, 11, 16, 10), _d(11, 16), "new"),
                _closed(local(2026, 11, 18, 9), _d(11, 18)),
            ],
            closed_at=local(2026, 11, 18, 9),
            closed_date=_d(11, 18),
            due_at=local(2026, 11, 19, 9),
            first_response_at=local(2026, 11, 18, 9),
            outcome="resolved",
        ),
        Case(  # M: closed before the Thanksgiving holiday, unable to locate
            13,
            SIGNAL,
            TR,
            local(2026, 11, 24, 9),
            _d(11, 24),
            "closed",
            [
                _created(local(2026, 11, 24, 9), _d(11, 24)),
                _closed(local(2026, 11, 25, 9), _d(11, 25), "unable_to_locate"),
            ],
            closed_at=local(2026, 11, 25, 9),
            closed_date=_d(11, 25),
            due_at=local(2026, 11, 27, 9),
            first_response_at=local(2026, 11, 25, 9),
            outcome="unable_to_locate",
            business_days_to_close=1.0,
            district="D2",
        ),
    ]
