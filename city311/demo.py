"""``city311 demo``: set everything up and serve the dashboard on demo data.

The steps are the commands an operator would run one by one: ``init``,
``demo-data`` (or ``import`` of a real export), ``etl run`` and
``serve --with-scheduler``.
"""

from __future__ import annotations

import secrets

import click
from sqlalchemy import func, select

from city311.app import AppContext
from city311.clitools import handle_errors, pass_app
from city311.serve import check_port_free, run_server

DEMO_USERNAME = "demo"


def case_count(app: AppContext) -> int:
    from cases.models import Case

    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Case))


def ensure_demo_login(app: AppContext) -> tuple[str, str] | None:
    """Create an administrator ``demo`` with a random password when no login exists.

    Returns the username and password to show once, or None when the case
    store already has logins (their passwords are never shown again).
    """
    from cases.accounts import add_user
    from cases.db import transaction
    from cases.models import User

    with transaction(app.sessions) as session:
        if session.scalar(select(func.count()).select_from(User)):
            return None
        password = secrets.token_urlsafe(12)
        add_user(session, DEMO_USERNAME, password, "admin", None)
    return DEMO_USERNAME, password


@click.command()
@click.option("--years", default=2, show_default=True, help="Years of demo history.")
@click.option(
    "--seed", default=311, show_default=True, help="Random seed of the demo city."
)
@click.option(
    "--import",
    "import_source",
    nargs=2,
    metavar="FORMAT PATH",
    default=None,
    help="Import a real export instead of generating the demo city.",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on."
)
@click.option("--port", default=8050, show_default=True, type=int, help="TCP port.")
@click.option(
    "--no-serve", is_flag=True, help="Prepare the data and exit without serving."
)
@click.pass_context
@pass_app
@handle_errors
def demo(
    app: AppContext,
    ctx: click.Context,
    years: int,
    seed: int,
    import_source: tuple[str, str] | None,
    host: str,
    port: int,
    no_serve: bool,
) -> None:
    """Create the case store, load demo data, build the warehouse and serve.

    Demo data is generated only when the case store is empty, so running the
    command again keeps what is there. When the store has no staff login yet,
    an administrator ``demo`` with a random password is created and printed.
    """
    from cases.commands import init
    from etl.commands import run_command
    from etl.demo.commands import demo_data
    from etl.import_commands import import_command

    if not no_serve:
        # Before any work: a busy port would otherwise fail after the import.
        check_port_free(host, port)
    ctx.invoke(init)
    if import_source:
        fmt, path = import_source
        ctx.invoke(import_command, fmt=fmt, location=path)
    elif case_count(app) == 0:
        ctx.invoke(demo_data, years=years, seed=seed)
    else:
        click.echo("The case store already has cases; no demo data generated.")
    ctx.invoke(run_command, full=False)
    login = ensure_demo_login(app)
    if login:
        click.echo(f"Created the staff login {login[0]} with password {login[1]}")
    if no_serve:
        return
    click.echo(f"Dashboard at http://{host}:{port}/ (Ctrl+C stops it).")
    run_server(app, host, port, with_scheduler=True)
