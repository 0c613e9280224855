"""``city311 etl run|schedule|status`` and ``city311 snapshot list|freeze``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from city311.app import AppContext
from city311.clitools import fail, handle_errors, pass_app, print_json

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object."
)


def handle_etl_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a failed run or a snapshot problem into one error line and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from etl.load import EtlRunError
        from etl.warehouse import WarehouseError

        try:
            return func(*args, **kwargs)
        except (EtlRunError, WarehouseError) as error:
            fail(str(error))

    return wrapper


@click.group()
def etl() -> None:
    """Load the case store into the DuckDB warehouse."""


@etl.command("run")
@click.option(
    "--full", is_flag=True, help="Rebuild the warehouse from every case, not changes."
)
@json_option
@pass_app
@handle_errors
@handle_etl_errors
def run_command(app: AppContext, full: bool, as_json: bool) -> None:
    """Run the ETL once; skip at once if another run is in progress.

    An incremental run that finds no changes publishes nothing. --full always
    builds and publishes a new snapshot.
    """
    from etl import load

    summary = load.run(app.settings, app.engine, app.city, full=full)
    if as_json:
        print_json(run_json(summary))
        return
    if summary.skipped:
        click.echo("Skipped: another ETL run is in progress.")
        return
    if not summary.published:
        click.echo(
            f"Run {summary.run_id} found no changes in {summary.duration_s:.2f} s "
            f"(read {summary.read}, all unchanged); snapshot {summary.snapshot} "
            "stays current."
        )
        return
    click.echo(
        f"Run {summary.run_id} published snapshot {summary.snapshot} in "
        f"{summary.duration_s:.2f} s: read {summary.read}, inserted "
        f"{summary.inserted}, updated {summary.updated}, unchanged "
        f"{summary.unchanged}, flagged {summary.flagged}."
    )


def run_json(summary) -> dict[str, Any]:
    data = summary.to_json()
    return {
        "skipped": data["skipped"],
        "published": data["published"],
        "run_id": data["run_id"],
        "full_rebuild": data["full_rebuild"],
        "read": data["read"],
        "inserted": data["inserted"],
        "updated": data["updated"],
        "unchanged": data["unchanged"],
        "rejected": data["rejected"],
        "flagged": data["flagged"],
        "duration_s": data["duration_s"],
        "watermark": {
            "updated_at": data["watermark_updated_at"],
            "case_id": data["watermark_case_id"],
        },
        "snapshot": data["snapshot"],
    }


@etl.command("schedule")
@pass_app
@handle_errors
def schedule_command(app: AppContext) -> None:
    """Run the ETL now and then every CITY311_ETL_INTERVAL_MINUTES until interrupted.

    The interval is the etl_interval_minutes setting (default 5).
    """
    from etl.scheduler import run_blocking_scheduler

    run_blocking_scheduler(app.settings)


@etl.command("status")
@click.option(
    "--limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Number of recent runs to show.",
)
@json_option
@pass_app
@handle_errors
@handle_etl_errors
def status_command(app: AppContext, limit: int, as_json: bool) -> None:
    """Show recent ETL runs, newest first, and the current snapshot."""
    from etl.status import recent_runs
    from etl.warehouse import current_version

    runs = recent_runs(app.settings, limit)
    current = current_version(app.settings)
    if as_json:
        print_json({"current_snapshot": current, "runs": [_jsonable(r) for r in runs]})
        return
    click.echo(f"Current snapshot: {current or 'none published yet'}")
    for row in runs:
        started = _text(row["started_at"])
        if row["note"] is not None:
            counts = (
                f"{row['note']} (read {row['rows_read']} in {_duration(row)}); "
                f"watermark {_text(row['watermark_updated_at'])} case "
                f"{row['watermark_case_id']}"
            )
        elif row["status"] == "succeeded":
            counts = (
                f"read {row['rows_read']}, inserted {row['inserted']}, "
                f"updated {row['updated']} in {_duration(row)}; watermark "
                f"{_text(row['watermark_updated_at'])} case {row['watermark_case_id']}"
            )
        else:
            counts = row["error"] or ""
        kind = "full" if row["full_rebuild"] else "incremental"
        click.echo(
            f"  run {row['run_id']:>5}  {started}  {row['status']:<9} {kind:<11} "
            f"{counts}"
        )


@click.group()
def snapshot() -> None:
    """List and freeze published warehouse snapshots."""


@snapshot.command("list")
@json_option
@pass_app
@handle_errors
@handle_etl_errors
def list_command(app: AppContext, as_json: bool) -> None:
    """List published snapshots (oldest first) and frozen ones."""
    from etl.warehouse import list_snapshots

    infos = list_snapshots(app.settings)
    rows = [
        {
            "name": info.name,
            "kind": info.kind,
            "current": info.current,
            "published_at": datetime.fromtimestamp(info.published_at, UTC).isoformat(),
            "size_bytes": info.size_bytes,
        }
        for info in infos
    ]
    if as_json:
        print_json({"snapshots": rows})
        return
    if not rows:
        click.echo("No snapshots yet; run `city311 etl run`.")
    for row in rows:
        marker = "*" if row["current"] else " "
        click.echo(
            f"{marker} {row['name']:<24} {row['kind']:<9} {row['published_at']}  "
            f"{row['size_bytes'] / 1e6:.1f} MB"
        )


@snapshot.command("freeze")
@click.argument("name")
@json_option
@pass_app
@handle_errors
@handle_etl_errors
def freeze_command(app: AppContext, name: str, as_json: bool) -> None:
    """Keep the current snapshot under NAME until it is deleted by hand."""
    from etl.warehouse import current_version, freeze

    version = current_version(app.settings)
    folder = freeze(app.settings, name)
    if as_json:
        print_json({"name": name, "snapshot": version, "path": str(folder)})
        return
    click.echo(f"Froze snapshot {version} as {name}.")


def _duration(row: dict[str, Any]) -> str:
    """Format a run's wall time from its start and finish, or a dash."""
    if row["started_at"] is None or row["finished_at"] is None:
        return "-"
    seconds = (row["finished_at"] - row["started_at"]).total_seconds()
    return f"{seconds:.2f} s"


def _text(value) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in row.items()
    }
