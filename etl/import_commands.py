"""``city311 import FORMAT PATH``: load an export file or an Open311 server's
requests into the case store."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from city311.app import AppContext
from city311.clitools import fail, handle_errors, pass_app, print_json

log = logging.getLogger(__name__)

OPEN311 = "open311"


def available_formats() -> dict[str, Any]:
    """Return the file formats the parsers register, by name."""
    try:
        from etl.sources import FORMATS
    except ImportError:
        return {}
    return dict(FORMATS)


def file_reader(fmt: str):
    """Return ``read(path, **options)`` for a registered file format; it yields
    blocks of rows where the format can, which the bulk writer takes whole."""
    formats = available_formats()
    if fmt not in formats:
        names = ", ".join([*sorted(formats), OPEN311]) or OPEN311
        raise click.BadParameter(
            f"unknown format {fmt!r}; use one of {names}", param_hint="FORMAT"
        )
    reader = formats[fmt]
    from etl.sources import BLOCK_READERS

    if fmt in BLOCK_READERS:
        return BLOCK_READERS[fmt]
    return getattr(reader, "read_file", reader)


def require_case_store(app: AppContext) -> None:
    """Exit with an error when the case store has no tables yet."""
    from sqlalchemy import inspect

    if not inspect(app.engine).has_table("case"):
        database = app.engine.url.render_as_string(hide_password=True)
        fail(f"case store {database} has no tables; run `city311 init` first")


def check_readable(path: Path) -> None:
    """Exit with a one-sentence error when ``path`` is not a readable file."""
    if not path.exists():
        fail(f"import file {path} not found; check the path")
    if not path.is_file():
        fail(f"import path {path} is not a file; give the export file itself")
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        fail(f"cannot read import file {path}: {error.strerror}; check its permissions")


def writer_options(app: AppContext, source: str, source_name: str | None) -> dict:
    city = app.city
    return {
        "zone": city.timezone,
        "rejects_dir": app.settings.rejects_dir,
        "source": source,
        "source_name": source_name,
        "configured_types": city.service_types,
    }


def print_summary(summary, as_json: bool) -> None:
    payload = summary.to_dict()
    if as_json:
        print_json(payload)
        return
    click.echo(
        f"Imported {payload['source']}: read {payload['read']}, "
        f"inserted {payload['inserted']}, updated {payload['updated']}, "
        f"unchanged {payload['unchanged']}, rejected {payload['rejected']}, "
        f"flagged {payload['flagged']} in {payload['seconds']:.1f} s."
    )
    if payload["rejects_file"]:
        click.echo(f"Rejected rows: {payload['rejects_file']}")
    if payload["damaged_text_kept"]:
        click.echo(
            f"Kept the stored text of {payload['damaged_text_kept']} cases: the "
            "file has U+FFFD where they have readable characters (an export "
            "in another encoding); re-export the file as UTF-8 to compare it fully."
        )


@click.command("import")
@click.argument("fmt", metavar="FORMAT")
@click.argument("location", metavar="PATH")
@click.option(
    "--mapping",
    type=click.Path(path_type=Path),
    default=None,
    help="Column mapping file (TOML) for the format `mapped`.",
)
@click.option(
    "--source-name",
    default=None,
    help="Source system name stored with the cases, instead of the format's own.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="open311 only: first day to pull (default 90 days ago).",
)
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=100,
    show_default=True,
    help="open311 only: requests per page when the server pages.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
@handle_errors
def import_command(
    app: AppContext,
    fmt: str,
    location: str,
    mapping: Path | None,
    source_name: str | None,
    since: datetime | None,
    page_size: int,
    as_json: bool,
) -> None:
    """Import FORMAT from PATH (a file, or a server URL for `open311`).

    FORMAT is nyc, boston, sf, la, baltimore, kansas-city, open311-tsv,
    mapped (with --mapping) or open311. Rows are upserted by (source, id), so
    importing the same file twice changes nothing. Each batch of rows is
    committed on its own, so an import that fails part-way keeps the batches
    before the failure; running it again completes it.
    """
    from etl.bulk import write_records
    from etl.bulk.ingest import IngestError

    if fmt == OPEN311:
        summary = _import_open311(app, location, source_name, since, page_size)
        print_summary(summary, as_json)
        return

    read = file_reader(fmt)
    path = Path(location)
    options: dict[str, Any] = {}
    if fmt == "mapped":
        if mapping is None:
            raise click.BadParameter(
                "format mapped needs --mapping FILE", param_hint="--mapping"
            )
        check_readable(mapping)
        options["mapping"] = mapping
    elif mapping is not None:
        raise click.BadParameter(
            f"--mapping applies to format mapped only, not {fmt}",
            param_hint="--mapping",
        )
    check_readable(path)
    require_case_store(app)
    try:
        summary = write_records(
            app.engine,
            read(path, **options),
            **writer_options(app, fmt, source_name),
        )
    except (OSError, UnicodeDecodeError, ValueError, IngestError) as error:
        fail(f"import of {path} as {fmt} failed: {error}")
    print_summary(summary, as_json)


def _import_open311(
    app: AppContext,
    url: str,
    source_name: str | None,
    since: datetime | None,
    page_size: int,
):
    from etl.bulk import write_records
    from etl.sources.open311 import Open311Error, Open311Puller

    require_case_store(app)
    start = since.date() if since else None
    try:
        puller = Open311Puller(url, page_size=page_size, zone=app.city.timezone)
        return write_records(
            app.engine,
            puller.pull(start, datetime.now(UTC)),
            **writer_options(app, puller.source, source_name),
        )
    except Open311Error as error:
        fail(str(error))
