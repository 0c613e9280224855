"""One page of the filtered case table, for the dashboard's server-paged grid.

A page is ``ORDER BY <allow-listed column>, case_id LIMIT $limit OFFSET $offset``
over ``fact_case``, and the total is a separate ``count(*)`` with the same
predicates. Every predicate is a plain comparison on a ``fact_case`` column or
a dimension lookup by code, so DuckDB prunes row groups by their min-max zone
maps and computes a page as a top-N, without sorting the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd

from cases.languages import DEFAULT_LANGUAGE
from cases.lifecycle import STATUS_LABELS
from metrics.backlog import OPEN_AT, open_where
from metrics.filters import CASE_COLUMNS, FilterError, Filters, where_clause
from metrics.query import fetch

# Case-list bases: the set of cases behind the tile or chart a click came from.
# "open" and "overdue" take each case's state at the filters' as-of time (the
# end of the period, or now while it runs) as the backlog tiles do.
BASES: Mapping[str, str] = {
    "received": "cases created in the period",
    "closed": "cases finally closed in the period",
    "open": "cases open at the end of the period",
    "overdue": "open cases past their due date at the end of the period",
}
_BASIS_DATE = {"received": "c.created_date", "closed": "c.closed_date"}
_BASIS_CONDITION = {"received": "TRUE", "closed": "NOT c.is_open"}
_STATE_BASES = frozenset({"open", "overdue"})

# Grid column id -> SQL expression. Only these may be sorted or filtered.
COLUMNS: Mapping[str, str] = {
    "case_number": "c.case_number",
    "created_at": "c.created_at",
    "status": "c.status",
    "department": "d.code",
    "service_type": "t.code",
    "service_type_name": "t.name",
    "channel": "c.channel",
    "district": "c.district",
    "priority": "c.priority",
    "due_at": "c.due_at",
    "closed_at": "c.closed_at",
    "outcome": "c.outcome",
    "hours_to_close": "c.hours_to_close",
    "on_time": "c.on_time",
    "flags": "c.flags",
    "source": "c.source",
}


def _status_label_sql() -> str:
    """Return a SQL CASE expression that turns ``c.status`` into its English label."""
    pairs = STATUS_LABELS[DEFAULT_LANGUAGE].items()
    if any("'" in code + label for code, label in pairs):
        raise ValueError("status codes and labels must not contain quotes")
    whens = " ".join(f"WHEN '{code}' THEN '{label}'" for code, label in pairs)
    return f"CASE c.status {whens} ELSE c.status END"


# The grid shows status labels, so its filters and sorts compare labels too.
# CSV exports keep the codes of COLUMNS.
GRID_COLUMNS: Mapping[str, str] = {**COLUMNS, "status": _status_label_sql()}
TEXT_OPERATORS: Mapping[str, str] = {
    "contains": "contains(lower({col}), lower(${p}))",
    "notContains": "NOT contains(lower({col}), lower(${p}))",
    "equals": "{col} = ${p}",
    "notEqual": "{col} IS DISTINCT FROM ${p}",
    "startsWith": "starts_with(lower({col}), lower(${p}))",
    "endsWith": "ends_with(lower({col}), lower(${p}))",
}
NUMBER_OPERATORS: Mapping[str, str] = {
    "equals": "{col} = ${p}",
    "notEqual": "{col} IS DISTINCT FROM ${p}",
    "lessThan": "{col} < ${p}",
    "lessThanOrEqual": "{col} <= ${p}",
    "greaterThan": "{col} > ${p}",
    "greaterThanOrEqual": "{col} >= ${p}",
}
NUMBER_COLUMNS = frozenset({"hours_to_close"})
# Data-quality pseudo-flag of metrics.quality: a negative duration without a flag.
UNFLAGGED_NEGATIVE = "unflagged_negative_duration"
MAX_PAGE = 1000


@dataclass(frozen=True)
class CaseQuery:
    """Filters plus what the case list adds: the basis, a flag and a source.

    ``sort`` contains ``(column id, "asc" | "desc")`` pairs and ``grid_filters``
    an AG Grid filter model (column id -> condition).
    """

    filters: Filters
    basis: str = "received"
    flag: str | None = None
    source: str | None = None
    sort: tuple[tuple[str, str], ...] = ()
    grid_filters: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise FilterError(
                f"case list basis {self.basis!r} is unknown; "
                f"use one of {', '.join(BASES)}"
            )
        for column, direction in self.sort:
            if column not in COLUMNS or direction not in ("asc", "desc"):
                raise FilterError(
                    f"cannot sort by {column!r} {direction!r}; sort by one of "
                    f"{', '.join(COLUMNS)}, asc or desc"
                )


def _grid_condition(
    index: int, column: str, model: Mapping[str, Any]
) -> tuple[str, dict]:
    """Translate one AG Grid column filter into SQL with one bound parameter."""
    if column not in COLUMNS:
        raise FilterError(f"cannot filter by column {column!r}")
    name = f"grid{index}"
    kind, operator = model.get("filterType"), model.get("type")
    if kind == "number" and column in NUMBER_COLUMNS:
        template = NUMBER_OPERATORS.get(operator)
        value: Any = model.get("filter")
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise FilterError(f"filter value {value!r} on {column} is not a number")
    elif kind == "text":
        template = TEXT_OPERATORS.get(operator)
        value = str(model.get("filter") or "")
    else:
        raise FilterError(f"filter type {kind!r} on column {column!r} is unsupported")
    if template is None:
        raise FilterError(f"filter operator {operator!r} on {column} is unsupported")
    expression = GRID_COLUMNS[column]
    if kind == "text":
        expression = f"CAST({expression} AS VARCHAR)"
    return "(" + template.format(col=expression, p=name) + ")", {name: value}


def where_sql(query: CaseQuery, now: datetime) -> tuple[str, dict[str, Any]]:
    """Return ``(sql, params)`` of every predicate of a case query.

    ``now`` is the as-of time of the open and overdue bases when the filters
    carry none.
    """
    if query.basis in _STATE_BASES:
        where, params = open_where(query.filters)
        params["as_of"] = query.filters.as_of or now
        conditions = [where]
        if query.basis == "overdue":
            conditions.append("s.due_at < $as_of")
    else:
        where, params = where_clause(
            query.filters,
            date_column=_BASIS_DATE[query.basis],
            columns=CASE_COLUMNS,
        )
        conditions = [_BASIS_CONDITION[query.basis], where]
    if query.flag == UNFLAGGED_NEGATIVE:
        conditions.append(
            "NOT c.has_duration_flag AND (c.closed_at < c.created_at"
            " OR c.first_response_at < c.created_at)"
        )
    elif query.flag:
        conditions.append("list_contains(string_split(c.flags, ','), $flag)")
        params["flag"] = query.flag
    if query.source:
        conditions.append("c.source = $source")
        params["source"] = query.source
    for index, (column, model) in enumerate(sorted(query.grid_filters.items())):
        condition, extra = _grid_condition(index, column, model)
        conditions.append(condition)
        params.update(extra)
    return " AND ".join(conditions), params


_NAMES = """
    LEFT JOIN dim_department d ON d.department_id = c.department_id
    LEFT JOIN dim_service_type t ON t.service_type_id = c.service_type_id
"""


def _from_sql(query: CaseQuery) -> str:
    """Return the FROM clause: fact_case ``c``, with the state at as-of as ``s``."""
    source = OPEN_AT if query.basis in _STATE_BASES else "fact_case c"
    return source + _NAMES


def _order_sql(sort: tuple[tuple[str, str], ...]) -> str:
    keys = [
        f"{GRID_COLUMNS[column]} {direction.upper()} NULLS LAST"
        for column, direction in sort
    ]
    if not sort:
        keys.append("c.created_at DESC")
    keys.append("c.case_id")
    return ", ".join(keys)


def case_page(
    con: duckdb.DuckDBPyConnection,
    query: CaseQuery,
    now: datetime,
    *,
    offset: int = 0,
    limit: int = 100,
) -> pd.DataFrame:
    """Return one page of cases, newest first unless ``query.sort`` sets an order.

    Columns are the keys of ``COLUMNS``; instants are UTC.
    """
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise FilterError(
            f"page of {limit} rows from {offset} is invalid; ask for 1 to "
            f"{MAX_PAGE} rows from offset 0 or more"
        )
    where, params = where_sql(query, now)
    params.update(limit=limit, offset=offset)
    select = ", ".join(f"{sql} AS {name}" for name, sql in COLUMNS.items())
    sql = (
        f"SELECT {select} FROM {_from_sql(query)} WHERE {where} "
        f"ORDER BY {_order_sql(query.sort)} LIMIT $limit OFFSET $offset"
    )
    return fetch(con, sql, params)


def case_count(con: duckdb.DuckDBPyConnection, query: CaseQuery, now: datetime) -> int:
    """Return how many cases match a case query."""
    where, params = where_sql(query, now)
    frame = fetch(
        con, f"SELECT count(*) AS n FROM {_from_sql(query)} WHERE {where}", params
    )
    return int(frame["n"].iloc[0])


def iter_case_batches(
    con: duckdb.DuckDBPyConnection,
    query: CaseQuery,
    now: datetime,
    batch_size: int = 10_000,
):
    """Yield every matching case as frames of ``batch_size`` rows, for CSV export.

    Batches follow the keyset ``case_id > last`` instead of growing offsets, so
    a long export costs the same per batch from start to end.
    """
    where, params = where_sql(query, now)
    select = ", ".join(f"{sql} AS {name}" for name, sql in COLUMNS.items())
    last = -1
    while True:
        batch_params = dict(params, last=last, limit=batch_size)
        sql = (
            f"SELECT c.case_id AS _id, {select} FROM {_from_sql(query)} "
            f"WHERE {where} AND c.case_id > $last "
            f"ORDER BY c.case_id LIMIT $limit"
        )
        frame = fetch(con, sql, batch_params)
        if frame.empty:
            return
        last = int(frame["_id"].iloc[-1])
        yield frame.drop(columns="_id")
