"""The codes a filter may take, read from the warehouse's dimensions."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Dimensions:
    """Codes with their names, in display order.

    ``districts`` lists the configured districts and any other district value
    the ETL found in cases; ``channels`` the channels that occur in cases.
    """

    departments: tuple[tuple[str, str], ...]
    service_types: tuple[tuple[str, str, str | None], ...]  # code, name, department
    districts: tuple[tuple[str, str], ...]
    channels: tuple[str, ...]


def dimensions(con: duckdb.DuckDBPyConnection) -> Dimensions:
    """Return the departments, service types, districts and channels in a snapshot."""
    departments = con.execute(
        "SELECT code, name FROM dim_department ORDER BY name, code"
    ).fetchall()
    types = con.execute(
        "SELECT t.code, t.name, d.code FROM dim_service_type t "
        "LEFT JOIN dim_department d ON d.department_id = t.department_id "
        "ORDER BY t.name, t.code"
    ).fetchall()
    districts = con.execute(
        "SELECT district, coalesce(name, district) FROM dim_geography "
        "WHERE district IS NOT NULL ORDER BY district"
    ).fetchall()
    channels = con.execute(
        "SELECT DISTINCT channel FROM fact_case WHERE channel IS NOT NULL ORDER BY 1"
    ).fetchall()
    return Dimensions(
        departments=tuple((str(c), str(n)) for c, n in departments),
        service_types=tuple((str(c), str(n), d) for c, n, d in types),
        districts=tuple((str(c), str(n)) for c, n in districts),
        channels=tuple(str(c) for (c,) in channels),
    )
