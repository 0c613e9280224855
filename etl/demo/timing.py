"""When in the day a case arrives, and through which channel.

Phone and walk-in requests come only while the call centre is open (weekdays,
business hours, no holidays); web, mobile and e-mail arrive around the clock
with a daytime peak.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from cases.sla import to_utc

CHANNELS = ("phone", "web", "mobile", "email", "walk-in")
CHANNEL_SHARES = np.array([0.45, 0.29, 0.18, 0.05, 0.03])
STAFFED_CHANNELS = frozenset({"phone", "walk-in"})
# Relative arrivals per local hour for the unstaffed channels, midnight first.
HOURLY = np.array(
    [0.25, 0.15, 0.1, 0.1, 0.15, 0.35, 0.8, 1.3, 1.7, 1.9, 1.9, 1.8,
     1.8, 1.8, 1.7, 1.6, 1.5, 1.5, 1.6, 1.6, 1.4, 1.1, 0.8, 0.5]
)  # fmt: skip
HOURLY = HOURLY / HOURLY.sum()


def pick_channels(count: int, staffed: bool, rng: np.random.Generator) -> list[str]:
    """Draw ``count`` channels; without a staffed call centre, only unstaffed ones."""
    shares = CHANNEL_SHARES.copy()
    if not staffed:
        shares[[0, 4]] = 0.0
    shares = shares / shares.sum()
    return [CHANNELS[i] for i in rng.choice(len(CHANNELS), size=count, p=shares)]


def arrival_time(
    day: date,
    channel: str,
    opening: tuple[time, time],
    zone: ZoneInfo,
    rng: np.random.Generator,
) -> datetime:
    """Draw the arrival instant (UTC) of one case on a local day."""
    if channel in STAFFED_CHANNELS:
        start = opening[0].hour * 60 + opening[0].minute
        end = opening[1].hour * 60 + opening[1].minute
        # A triangular draw puts more calls mid-morning than near closing time.
        minute = rng.triangular(start, start + (end - start) * 0.3, end)
    else:
        minute = rng.choice(24, p=HOURLY) * 60 + rng.uniform(0, 60)
    local = datetime.combine(day, time()) + timedelta(seconds=int(minute * 60))
    return to_utc(local, zone)
