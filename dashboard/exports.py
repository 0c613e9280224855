"""CSV downloads of the full filtered case set, streamed from the warehouse.

``/cases.csv`` takes the case list's query string. The response streams in
batches, so a million-row export never sits in memory at once.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

import flask
import pandas as pd

from dashboard.runtime import runtime
from dashboard.scope import scope_to_login
from dashboard.urlstate import as_of, check_codes, parse_case_list
from dashboard.view import read_dimensions, view_errors
from metrics.case_list import COLUMNS, CaseQuery, iter_case_batches

log = logging.getLogger(__name__)


def _query_dict(args) -> dict:
    return {key: args.getlist(key) for key in args}


# A spreadsheet runs a cell starting with one of these as a formula (OWASP
# "CSV injection"); imported text can start with any of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote.

    Only text columns change; numbers, such as a negative coordinate, stay
    numbers.
    """
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        text = values.astype("string")
        risky = text.str.startswith(FORMULA_STARTS).fillna(False)
        if risky.any():
            frame[column] = values.where(~risky, "'" + text)
    return frame


def csv_rows(batches, zone: ZoneInfo) -> Iterator[str]:
    """Render frames as CSV text: a header, then one chunk per frame.

    Instants are written in the city's local time with their UTC offset, as
    staff read them on the case pages, so a spreadsheet shows the local time.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for frame in batches:
        frame = local_times(defuse_formulas(frame), zone)
        buffer = io.StringIO()
        frame.to_csv(
            buffer, header=False, index=False, date_format="%Y-%m-%dT%H:%M:%S%z"
        )
        yield buffer.getvalue()


def local_times(frame: pd.DataFrame, zone: ZoneInfo) -> pd.DataFrame:
    """Convert every time-zone-aware column of ``frame`` to ``zone``."""
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert(zone)
    return frame


def register_exports(server: flask.Flask) -> None:
    @server.get("/cases.csv", endpoint="city311_cases_csv")
    def cases_csv() -> flask.Response:
        rt = runtime(server)
        try:
            filters, basis, flag, source = parse_case_list(
                _query_dict(flask.request.args), rt.today()
            )
            check_codes(filters, read_dimensions())
            filters = scope_to_login(filters)
            zone = rt.context.city.timezone
            filters = replace(filters, as_of=as_of(filters, rt.now(), zone))
            query = CaseQuery(filters, basis, flag, source)
            version = rt.reader.pool.version()
        except view_errors() as error:
            log.info("CSV export rejected: %s", error)
            return flask.Response(f"{error}\n", status=400, mimetype="text/plain")
        now = rt.now()

        def generate() -> Iterator[str]:
            with rt.reader.pool.cursor(version) as connection:
                batches = iter_case_batches(connection, query, now)
                yield from csv_rows(batches, zone)

        log.info("CSV export of %s cases for %s", basis, flask.request.query_string)
        return flask.Response(
            flask.stream_with_context(generate()),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=cases.csv"},
        )
