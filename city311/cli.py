"""The ``city311`` command. Names and options are a contract that scripts rely on."""

from __future__ import annotations

import click

from city311.app import AppContext
from city311.clitools import fail
from city311.logs import configure_logging
from city311.settings import SettingsError, load_settings


@click.group()
@click.version_option(package_name="city311")
@click.pass_context
def main(ctx: click.Context) -> None:
    """311 case management and CitiStat dashboards for a city."""
    try:
        settings = load_settings()
    except SettingsError as error:
        fail(str(error))
    configure_logging(settings.log_level)
    ctx.obj = AppContext(settings)


def _register_commands() -> None:
    from cases.account_commands import apikey, user
    from cases.commands import case, init, types
    from city311.demo import demo
    from city311.serve import serve
    from etl.commands import etl, snapshot
    from etl.demo.commands import demo_data
    from etl.import_commands import import_command
    from metrics.commands import report

    commands = [init, types, case, serve, demo, import_command, demo_data]
    commands += [etl, snapshot, report, user, apikey]
    for command in commands:
        main.add_command(command)


_register_commands()
