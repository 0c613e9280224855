"""``city311 demo-data``: write a synthetic history of the configured city."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

import click

from city311.app import AppContext
from city311.clitools import handle_errors, pass_app, print_json

log = logging.getLogger(__name__)


def history_cutoff(end: date | None, zone, now: datetime) -> datetime:
    """Return the demo history's "now" for an ``--end`` day in city time.

    A past day ends at the following local midnight. Today (the default) ends
    at the current hour, so two runs within the same hour give the same data.
    """
    today = now.astimezone(zone).date()
    if end is None or end >= today:
        return now.replace(minute=0, second=0, microsecond=0)
    midnight = datetime.combine(end + timedelta(days=1), time(), tzinfo=zone)
    return midnight.astimezone(UTC)


@click.command("demo-data")
@click.option(
    "--years",
    type=click.IntRange(1, 20),
    default=2,
    show_default=True,
    help="Years of history, ending at --end.",
)
@click.option("--seed", type=int, default=311, show_default=True, help="Random seed.")
@click.option(
    "--end",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Last day of the history in city time (default today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
@handle_errors
def demo_data(
    app: AppContext, years: int, seed: int, end: datetime | None, as_json: bool
) -> None:
    """Generate a synthetic case history for the configured city.

    About 35,000 cases a year with seasonal, weekly and daily patterns, written
    through the import path with source `demo`. The same seed and end day give
    the same cases and case numbers. Creates or upgrades the case store first.
    """
    from cases import schema
    from cases.catalogue import sync_catalogue
    from cases.db import transaction
    from etl.bulk import write_records
    from etl.demo.generate import SOURCE, DemoOptions, generate_history

    city = app.city
    cutoff = history_cutoff(
        end.date() if end else None, city.timezone, datetime.now(UTC)
    )
    schema.upgrade(app.engine)
    with transaction(app.sessions) as session:
        sync_catalogue(session, city)
    records = generate_history(city, DemoOptions(years, seed, cutoff))
    summary = write_records(
        app.engine,
        records,
        zone=city.timezone,
        rejects_dir=app.settings.rejects_dir,
        source=SOURCE,
        configured_types=city.service_types,
    )
    payload = summary.to_dict() | {
        "city": city.name,
        "years": years,
        "seed": seed,
        "cutoff": cutoff.isoformat(),
    }
    if as_json:
        print_json(payload)
        return
    click.echo(
        f"Demo history of {city.name} up to {cutoff.isoformat()}: "
        f"{payload['inserted']} cases added, {payload['updated']} updated, "
        f"{payload['unchanged']} unchanged in {payload['seconds']:.1f} s."
    )
