"""``city311 user add|list|set-password|disable|enable`` and ``city311 apikey add``.

Every change to a login is logged with its username; passwords never are.
"""

from __future__ import annotations

import logging
import sys

import click

from city311.app import AppContext
from city311.clitools import handle_errors, local_time, pass_app, print_json

log = logging.getLogger(__name__)


def _read_password(prompt: str = "Password") -> str:
    """Read the password: a hidden prompt on a terminal, else all of standard input."""
    if sys.stdin.isatty():
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise click.UsageError(
            "the password on standard input is not valid UTF-8 text; send it as UTF-8"
        ) from None
    return text.removesuffix("\n").removesuffix("\r")


@click.group()
def user() -> None:
    """Manage staff logins."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["agent", "staff", "head", "mayor", "admin"]),
    help="What the user may do; staff and head act only on their department.",
)
@click.option("--department", default=None, help="Department code (staff and head).")
@pass_app
@handle_errors
def add_user_command(
    app: AppContext, username: str, role: str, department: str | None
) -> None:
    """Create a staff login; the password is read from standard input."""
    from cases.accounts import add_user
    from cases.db import transaction
    from cases.errors import ValidationError

    password = _read_password()
    try:
        with transaction(app.sessions) as session:
            add_user(session, username, password, role, department)
    except ValidationError as error:
        raise click.UsageError(str(error)) from None
    log.info("user %r added with role %s", username, role)
    click.echo(f"User {username} added with role {role}.")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
@handle_errors
def list_users_command(app: AppContext, as_json: bool) -> None:
    """List staff logins with role, department and whether they may log in."""
    from cases.accounts import list_users

    with app.sessions() as session:
        users = list_users(session)
    if as_json:
        print_json(
            {
                "users": [
                    {
                        "username": info.username,
                        "role": info.role,
                        "department": info.department,
                        "active": info.active,
                        "created_at": info.created_at.isoformat(),
                    }
                    for info in users
                ]
            }
        )
        return
    if not users:
        click.echo("No users yet; create one with `city311 user add`.")
        return
    click.echo(f"{'username':<24} {'role':<7} {'department':<11} {'active':<7} created")
    for info in users:
        click.echo(
            f"{info.username:<24} {info.role:<7} {info.department or '-':<11} "
            f"{'yes' if info.active else 'no':<7} "
            f"{local_time(info.created_at, app.city.timezone)}"
        )


@user.command("set-password")
@click.argument("username")
@pass_app
@handle_errors
def set_password_command(app: AppContext, username: str) -> None:
    """Replace the password of USERNAME and end its web sessions.

    The password is read like `user add` reads it: a hidden prompt, asked
    twice, on a terminal, else all of standard input. It needs at least 10
    characters, no control characters and more than whitespace.
    """
    from cases.accounts import find_user, set_password
    from cases.db import transaction

    with app.sessions() as session:
        _check(find_user, session, username)
    password = _read_password("New password")
    with transaction(app.sessions) as session:
        ended = _check(set_password, session, username, password)
    log.info("password of user %r changed; %d web sessions ended", username, ended)
    click.echo(f"Password of user {username} changed; {ended} web sessions ended.")


@user.command("disable")
@click.argument("username")
@pass_app
@handle_errors
def disable_command(app: AppContext, username: str) -> None:
    """Stop USERNAME from logging in and end its web sessions."""
    ended = _set_active(app, username, False)
    if ended is not None:
        log.info("user %r disabled; %d web sessions ended", username, ended)
        click.echo(f"User {username} disabled; {ended} web sessions ended.")


@user.command("enable")
@click.argument("username")
@pass_app
@handle_errors
def enable_command(app: AppContext, username: str) -> None:
    """Let a disabled USERNAME log in again with its current password."""
    if _set_active(app, username, True) is not None:
        log.info("user %r enabled", username)
        click.echo(f"User {username} enabled.")


def _set_active(app: AppContext, username: str, active: bool) -> int | None:
    """Enable or disable a login; return the web sessions ended, None if unchanged."""
    from cases.accounts import set_active
    from cases.db import transaction

    with transaction(app.sessions) as session:
        changed, ended = _check(set_active, session, username, active)
    if not changed:
        state = "enabled" if active else "disabled"
        click.echo(f"User {username} was already {state}.")
        return None
    return ended


def _check(function, *args):
    """Call ``function``, turning a ValidationError into a usage error (status 2)."""
    from cases.errors import ValidationError

    try:
        return function(*args)
    except ValidationError as error:
        raise click.UsageError(str(error)) from None


@click.group()
def apikey() -> None:
    """Manage Open311 API keys of client applications."""


@apikey.command("add")
@click.argument("name")
@pass_app
@handle_errors
def add_api_key_command(app: AppContext, name: str) -> None:
    """Create an API key for client application NAME and print it once."""
    from cases.accounts import add_api_key
    from cases.db import transaction
    from cases.errors import ValidationError

    try:
        with transaction(app.sessions) as session:
            key = add_api_key(session, name)
    except ValidationError as error:
        raise click.UsageError(str(error)) from None
    log.info("API key added for client %r", name)
    click.echo(key)
