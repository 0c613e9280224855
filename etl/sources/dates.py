"""Parse a column of date strings, one rule per column, into aware UTC instants.

Rules: a strptime pattern read as wall time in the source's zone (or as an
instant when the pattern has ``%z``), ``iso``
(ISO 8601 that must carry an offset or ``Z``) or ``epoch`` (seconds since
1970-01-01 UTC). Wall times become instants by the rule of Python's
``zoneinfo`` at ``fold=0``. A time in the spring-forward gap moves forward by
the gap (02:30 becomes 03:30 daylight time). A time in the fall-back overlap
takes the first, daylight-time occurrence.

A placeholder (a local year of 1900 or earlier, 9000 or later, or the date
1970-01-01) is not an instant: its value is None and ``placeholder`` is set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NAT = np.datetime64("NaT", "us")
_OFFSET_AT_END = r"(Z|[+-]\d\d(:?\d\d)?)$"
_DAY_FIELDS = {
    "d": r"(?P<d>\d{1,2})",
    "m": r"\d{1,2}",
    "y": r"\d{2}",
    "Y": r"\d{4}",
    "H": r"\d{1,2}",
    "I": r"\d{1,2}",
    "M": r"\d{1,2}",
    "S": r"\d{1,2}",
    "p": r"[AaPp][Mm]",
    "b": r"[A-Za-z]+",
    "B": r"[A-Za-z]+",
    "%": "%",
}


@dataclass(frozen=True)
class DateRule:
    """The format of one column's instants.

    ``pattern`` is a strptime pattern, ``"iso"`` or ``"epoch"``; ``date_only``
    marks a column with calendar dates only, compared by local date.
    """

    pattern: str
    date_only: bool = False


@dataclass
class Dates:
    """One column of a chunk, parsed. Arrays are aligned with the chunk's rows."""

    utc: np.ndarray  # datetime64[us], naive UTC, NaT where there is no value
    local: np.ndarray  # datetime64[us], wall time in the source's zone
    empty: np.ndarray
    invalid: np.ndarray
    placeholder: np.ndarray
    raw: pa.StringArray
    rule: DateRule
    column: str = ""

    @cached_property
    def values(self) -> list[datetime | None]:
        """The instants as aware UTC datetimes, None where there is no value."""
        return _to_datetimes(self.utc)


def parse_dates(
    strings: pa.StringArray,
    rule: DateRule,
    zone: ZoneInfo,
    nulls: Sequence[str] = ("",),
) -> Dates:
    """Parse one column by ``rule``; values matching no rule set ``invalid``."""
    trimmed = pc.utf8_trim_whitespace(strings)
    empty = _mask(pc.is_in(trimmed, value_set=pa.array(list(nulls), pa.string())))
    if rule.pattern == "epoch":
        utc = _epoch(trimmed)
        local = _utc_to_local(utc, zone)
    elif rule.pattern == "iso":
        utc = _iso_with_offset(trimmed)
        local = _utc_to_local(utc, zone)
    elif "%z" in rule.pattern:
        utc = _pattern_with_offset(trimmed, rule.pattern)
        local = _utc_to_local(utc, zone)
    else:
        local = _wall_times(trimmed, rule.pattern)
        utc = NAT
    placeholder = _placeholders(local, utc)
    if _is_wall_time(rule):
        local = np.where(placeholder, NAT, local)
        utc = local_to_utc(local, zone)
    invalid = np.isnat(local) & ~empty & ~placeholder
    utc = np.where(placeholder | invalid | empty, NAT, utc)
    return Dates(utc, local, empty, invalid, placeholder, trimmed, rule)


def _is_wall_time(rule: DateRule) -> bool:
    return rule.pattern not in ("epoch", "iso") and "%z" not in rule.pattern


def local_to_utc(local: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    """Convert wall times in ``zone`` to naive UTC by the module's DST rule."""
    series = pd.Series(local, dtype="datetime64[us]")
    aware = series.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    naive = aware.dt.tz_convert("UTC").dt.tz_localize(None)
    utc = naive.to_numpy("datetime64[us]", copy=True)
    for i in np.flatnonzero(aware.isna().to_numpy() & series.notna().to_numpy()):
        wall = local[i].astype(datetime).replace(tzinfo=zone)  # fold=0
        utc[i] = np.datetime64(wall.astimezone(UTC).replace(tzinfo=None), "us")
    return utc


def _wall_times(strings: pa.StringArray, pattern: str) -> np.ndarray:
    if "%f" in pattern:
        parsed = pd.to_datetime(strings.to_pandas(), format=pattern, errors="coerce")
        return parsed.to_numpy("datetime64[us]")
    parsed = pc.strptime(strings, format=pattern, unit="us", error_is_null=True)
    day_regex = _day_regex(pattern)
    if day_regex is not None:
        parsed = _drop_rolled_days(strings, parsed, day_regex)
    return parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")


def _drop_rolled_days(
    strings: pa.StringArray, parsed: pa.TimestampArray, day_regex: str
) -> pa.TimestampArray:
    """Null the values strptime rolled over (it reads 02/30 as 03/01).

    A rolled value lands on day 1, 2 or 3, so only those rows are checked
    against the day written in the text.
    """
    suspects = pc.less_equal(pc.day(parsed), 3).fill_null(False)
    if not pc.any(suspects).as_py():
        return parsed
    positions = np.flatnonzero(suspects.to_numpy(zero_copy_only=False))
    extracted = pc.extract_regex(strings.take(positions), day_regex)
    written = pc.utf8_ltrim(extracted.field("d"), characters="0")
    found = pc.cast(pc.day(parsed.take(positions)), pa.string())
    rolled = pc.and_(extracted.is_valid(), pc.not_equal(written, found))
    bad = positions[rolled.fill_null(False).to_numpy(zero_copy_only=False)]
    if len(bad) == 0:
        return parsed
    mask = np.zeros(len(parsed), dtype=bool)
    mask[bad] = True
    return pc.if_else(pa.array(mask), pa.scalar(None, parsed.type), parsed)


def _day_regex(pattern: str) -> str | None:
    if "%d" not in pattern:
        return None
    parts = ["^"]
    for literal, directive in re.findall(r"([^%]*)(?:%(.))?", pattern):
        parts.append(re.sub(r"\\ ", r"\\s+", re.escape(literal)))
        if directive:
            if directive not in _DAY_FIELDS:
                return None
            parts.append(_DAY_FIELDS[directive])
    return "".join(parts)


def _epoch(strings: pa.StringArray) -> np.ndarray:
    numbers = pd.to_numeric(strings.to_pandas(), errors="coerce").to_numpy(float)
    micros = np.where(np.isfinite(numbers), numbers * 1e6, np.nan)
    utc = np.full(len(micros), NAT)
    ok = np.isfinite(micros) & (np.abs(micros) < 2.5e17)
    utc[ok] = micros[ok].astype(np.int64).astype("datetime64[us]")
    return utc


def _iso_with_offset(strings: pa.StringArray) -> np.ndarray:
    parsed = pd.to_datetime(
        strings.to_pandas(), format="ISO8601", utc=True, errors="coerce"
    )
    utc = parsed.dt.tz_localize(None).to_numpy("datetime64[us]")
    has_offset = _mask(pc.match_substring_regex(strings, _OFFSET_AT_END))
    return np.where(has_offset, utc, NAT)


def _pattern_with_offset(strings: pa.StringArray, pattern: str) -> np.ndarray:
    parsed = pd.to_datetime(
        strings.to_pandas(), format=pattern, utc=True, errors="coerce"
    )
    return parsed.dt.tz_localize(None).to_numpy("datetime64[us]")


def _utc_to_local(utc: np.ndarray, zone: ZoneInfo) -> np.ndarray:
    series = pd.Series(utc, dtype="datetime64[us]").dt.tz_localize("UTC")
    return series.dt.tz_convert(zone).dt.tz_localize(None).to_numpy("datetime64[us]")


def _placeholders(local: np.ndarray, utc: np.ndarray | np.datetime64) -> np.ndarray:
    years = local.astype("datetime64[Y]").astype(np.int64) + 1970
    days = local.astype("datetime64[D]")
    epoch_day = np.datetime64("1970-01-01", "D")
    sentinel = (years <= 1900) | (years >= 9000) | (days == epoch_day)
    if isinstance(utc, np.ndarray):
        sentinel |= utc.astype("datetime64[D]") == epoch_day
    return sentinel & ~np.isnat(local)


def _to_datetimes(utc: np.ndarray) -> list[datetime | None]:
    present = ~np.isnat(utc)
    if not present.any():
        return [None] * len(utc)
    seconds = (utc.astype(np.int64) / 1e6).tolist()
    stamp = datetime.fromtimestamp
    if present.all():
        return [stamp(s, UTC) for s in seconds]
    return [
        stamp(s, UTC) if ok else None
        for s, ok in zip(seconds, present.tolist(), strict=True)
    ]


def _mask(array: pa.Array) -> np.ndarray:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


class DateColumn:
    """The date rule of one column for a whole file.

    With several candidate rules, the first rule that reads the column's first
    readable value as a real instant (not a placeholder) wins. That rule then
    applies to every later row of the file, and no row is guessed on its own.
    """

    def __init__(self, name: str, candidates: Sequence[DateRule]) -> None:
        if not candidates:
            raise ValueError(f"column {name!r}: no date rule given")
        self.name = name
        self.candidates = list(candidates)
        self.rule = self.candidates[0] if len(self.candidates) == 1 else None

    def parse(
        self, strings: pa.StringArray, zone: ZoneInfo, nulls: Sequence[str] = ("",)
    ) -> Dates:
        if self.rule is None:
            self.rule = self._pick(strings, zone, nulls)
        dates = parse_dates(strings, self.rule or self.candidates[0], zone, nulls)
        dates.column = self.name
        return dates

    def _pick(
        self, strings: pa.StringArray, zone: ZoneInfo, nulls: Sequence[str]
    ) -> DateRule | None:
        trimmed = pc.utf8_trim_whitespace(strings)
        filled = pc.invert(
            pc.is_in(trimmed, value_set=pa.array(list(nulls), pa.string()))
        )
        positions = pc.indices_nonzero(filled.fill_null(False))[:100]
        for value in trimmed.take(positions).to_pylist():
            for rule in self.candidates:
                probe = parse_dates(pa.array([value], pa.string()), rule, zone, nulls)
                if probe.values[0] is not None:
                    return rule
        return None
