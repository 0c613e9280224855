"""``city311 report``: the CitiStat figures for a period, as a table or JSON."""

from __future__ import annotations

import logging
import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from city311.app import AppContext
from city311.clitools import fail, handle_errors, pass_app, print_json

log = logging.getLogger(__name__)


class LocalDate(click.ParamType):
    """A calendar date written YYYY-MM-DD."""

    name = "DATE"

    def convert(self, value: Any, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD", param, ctx)


class Instant(click.ParamType):
    """An ISO 8601 time; without an offset it is read as city-local wall time."""

    name = "TIMESTAMP"

    def convert(self, value: Any, param, ctx) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            self.fail(
                f"{value!r} is not a timestamp; write it as YYYY-MM-DDTHH:MM, "
                "optionally with an offset such as -05:00",
                param,
                ctx,
            )


def open_warehouse(app: AppContext, snapshot: str | None, path: Path | None):
    """Open a DuckDB file read-only, or else the published snapshot ``snapshot``."""
    import duckdb

    if path is not None:
        if not path.is_file():
            fail(f"warehouse file {path} not found; give the path of a DuckDB file")
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.Error as error:
            fail(
                f"warehouse file {path} could not be opened: "
                f"{str(error).splitlines()[0]}; give a DuckDB file written by the ETL"
            )
    from etl.warehouse import WarehouseError, open_snapshot

    try:
        return open_snapshot(app.settings, snapshot)
    except WarehouseError as error:
        fail(str(error))


def _format(value: Any, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "fraction":
        return f"{value:.1%}"
    if unit == "cases":
        return f"{value:,.0f}"
    if unit == "hours":
        return f"{value:,.1f} h"
    return f"{value:,.2f}"


def data_source(con, snapshot: str | None, warehouse: Path | None) -> str:
    """Return a description of the data the figures were read from.

    A snapshot contains the record of the ETL run that published it, so the
    newest successful run in ``etl_run`` names the version actually read,
    even when a new one was published meanwhile.
    """
    row = con.execute(
        "SELECT snapshot, finished_at FROM etl_run WHERE status = 'succeeded' "
        "ORDER BY run_id DESC LIMIT 1"
    ).fetchone()
    built = (
        f"ETL run finished {row[1]:%Y-%m-%d %H:%M} UTC"
        if row and row[1]
        else "no ETL run recorded"
    )
    if warehouse is not None:
        return f"file {warehouse}, {built}"
    version = row[0] if row and row[0] else "unknown version"
    if snapshot is not None and snapshot != version:
        return f"frozen snapshot {snapshot} (version {version}), {built}"
    return f"snapshot {version}, {built}"


def _print_table(details: dict[str, dict[str, Any]]) -> None:
    header = f"{'figure':<32} {'value':>11} {'previous':>11} {'year ago':>11}"
    click.echo(f"{header} {'target':>9} {'score':>6}  n / note")
    for d in details.values():
        unit = d["unit"]
        # Rounded down, so a figure that misses its target never reads 1.00.
        score = (
            "-" if d["score"] is None else f"{math.floor(d['score'] * 100) / 100:.2f}"
        )
        note = d["reason"] or str(d["n"])
        click.echo(
            f"{d['label']:<32} {_format(d['value'], unit):>11} "
            f"{_format(d['previous'], unit):>11} "
            f"{_format(d['year_earlier'], unit):>11} "
            f"{_format(d['target'], unit):>9} {score:>6}  {note}"
        )


def _print_report(
    result: dict[str, Any], source: str, names: dict[str, str], zone
) -> None:
    period = result["period"]
    as_of = datetime.fromisoformat(result["as_of"]).astimezone(zone)
    counted = result["period_to_date"]
    to_date = f", to date {counted['from']} to {counted['to']}"
    click.echo(
        f"CitiStat {period['from']} to {period['to']}"
        f"{to_date if result['to_date'] else ''} "
        f"(backlog as of {as_of:%Y-%m-%d %H:%M %Z}); previous period "
        f"{result['previous_period']['from']} to {result['previous_period']['to']}"
    )
    click.echo(f"Data: {source}.")
    click.echo(
        "Times in hours (h). Score = actual / target, inverted where lower is "
        "better, so 1.00 or more meets the target."
    )
    click.echo("")
    _print_table(result["details"])
    for row in result.get("rows", []):
        code = row[result["by"]]
        name = f" ({names[code]})" if code in names else ""
        click.echo("")
        click.echo(f"{result['by'].replace('_', ' ')} {code}{name}")
        _print_table(row["details"])


def _as_of(app: AppContext, value: datetime | None) -> datetime | None:
    if value is None or value.utcoffset() is not None:
        return value
    from cases.business_calendar import to_utc

    return to_utc(value, app.city.timezone)


@click.command()
@click.option("--from", "start", type=LocalDate(), required=True, help="First day.")
@click.option("--to", "end", type=LocalDate(), required=True, help="Last day.")
@click.option("--department", help="Department code to report on.")
@click.option("--service-type", help="Service type code to report on.")
@click.option(
    "--by",
    type=click.Choice(["department", "service-type"]),
    help="Also report each department or service type.",
)
@click.option(
    "--as-of",
    type=Instant(),
    help="Moment for backlog and overdue (ISO 8601; city time without an offset); "
    "default the end of the period, or now while the period runs.",
)
@click.option("--snapshot", help="Frozen warehouse snapshot to read; default current.")
@click.option(
    "--warehouse",
    type=click.Path(path_type=Path, dir_okay=False),
    help="DuckDB file to read in place of the published snapshot.",
)
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the CitiStat meeting packet for the period to this PDF file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
@handle_errors
def report(
    app: AppContext,
    start: date,
    end: date,
    department: str | None,
    service_type: str | None,
    by: str | None,
    as_of: datetime | None,
    snapshot: str | None,
    warehouse: Path | None,
    pdf_path: Path | None,
    as_json: bool,
) -> None:
    """Print the CitiStat figures for a period (both dates inclusive, city time)."""
    from metrics.citistat import compute
    from metrics.filters import FilterError, Filters, check_codes, check_range

    try:
        check_range(start, end, as_of)
        filters = Filters(
            start,
            end,
            departments=department,
            service_types=service_type,
            as_of=_as_of(app, as_of),
        )
    except FilterError as error:
        raise click.UsageError(str(error)) from None

    con = open_warehouse(app, snapshot, warehouse)
    try:
        try:
            check_codes(con, filters)
        except FilterError as error:
            # An unknown code is a wrong argument, so bad usage (exit status 2).
            raise click.UsageError(str(error)) from None
        result = compute(con, filters, app.city, by=by)
        source = data_source(con, snapshot, warehouse)
        names = _group_names(con, by)
    except FilterError as error:
        fail(str(error))
    finally:
        con.close()
    if pdf_path is not None:
        write_pdf(app, filters, pdf_path, snapshot, warehouse)
    if as_json:
        print_json({**result, "source": source})
        return
    _print_report(result, source, names, app.city.timezone)


def _group_names(con, by: str | None) -> dict[str, str]:
    """Return the names of the departments or service types the rows are by."""
    if by is None:
        return {}
    table = "dim_department" if by == "department" else "dim_service_type"
    return dict(con.execute(f"SELECT code, name FROM {table}").fetchall())


def write_pdf(
    app: AppContext,
    filters,
    path: Path,
    snapshot: str | None,
    warehouse: Path | None,
) -> None:
    """Write the meeting packet from the same warehouse the figures came from."""
    from dashboard.packet import PacketError, write_packet

    reader = None
    if warehouse is not None:
        import duckdb

        from dashboard.cache import ResultCache
        from dashboard.reader import WarehouseReader
        from dashboard.warehouse import SnapshotPool

        def open_file(_settings, _name):
            return duckdb.connect(str(warehouse), read_only=True)

        pool = SnapshotPool(
            app.settings, opener=open_file, versioner=lambda _s: f"file:{warehouse}"
        )
        reader = WarehouseReader(pool, ResultCache())
    try:
        write_packet(app, filters, path, reader=reader, snapshot=snapshot)
    except PacketError as error:
        fail(str(error))
