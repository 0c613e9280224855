"""``city311 init``, ``city311 types`` and the ``city311 case`` subcommands."""

from __future__ import annotations

import getpass
import logging
from typing import Any

import click

from cases.answers import describe_answers
from cases.lifecycle import status_label
from city311.app import AppContext
from city311.clitools import handle_errors, local_time, pass_app, print_json

log = logging.getLogger(__name__)

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object."
)
version_option = click.option(
    "--expected-version",
    type=int,
    default=None,
    help="Refuse the change unless the case is still at this version.",
)


def cli_actor():
    from cases.roles import Actor

    return Actor(f"cli:{getpass.getuser()}")


@click.command()
@json_option
@pass_app
@handle_errors
def init(app: AppContext, as_json: bool) -> None:
    """Create or upgrade the case store and load the city's service catalogue."""
    from cases import schema
    from cases.catalogue import sync_catalogue
    from cases.db import transaction

    schema.upgrade(app.engine)
    with transaction(app.sessions) as session:
        counts = sync_catalogue(session, app.city)
    payload = {
        "database": app.engine.url.render_as_string(hide_password=True),
        "city": app.city.name,
        "departments": counts.departments,
        "service_types_added": counts.service_types_added,
        "service_types_updated": counts.service_types_updated,
    }
    if as_json:
        print_json(payload)
        return
    click.echo(
        f"Case store ready at {payload['database']} for {app.city.name}: "
        f"{counts.departments} departments, "
        f"{counts.service_types_added + counts.service_types_updated} service types."
    )


def type_json(service_type) -> dict[str, Any]:
    sla = service_type.sla
    return {
        "code": service_type.code,
        "name": service_type.name,
        "department": service_type.department,
        "kind": service_type.kind,
        "sla": {"value": sla.value, "unit": sla.unit} if sla else None,
        "needs_location": service_type.needs_location,
    }


@click.command()
@json_option
@pass_app
@handle_errors
def types(app: AppContext, as_json: bool) -> None:
    """List the service type catalogue of the configured city."""
    rows = [type_json(t) for t in app.city.service_types.values() if t.active]
    if as_json:
        print_json({"types": rows})
        return
    for row in rows:
        sla = row["sla"]
        sla_text = (
            f"{sla['value']:g} {sla['unit'].replace('_', ' ')}" if sla else "no SLA"
        )
        location = "location required" if row["needs_location"] else ""
        click.echo(
            f"{row['code']:<22} {row['department']:<5} {row['kind']:<16} "
            f"{sla_text:<22} {row['name']}  {location}".rstrip()
        )


@click.group()
def case() -> None:
    """File, look up and work on cases."""


def summary_json(detail) -> dict[str, Any]:
    """The fields that ``case file``, ``show`` and ``lookup`` print with --json."""
    data = detail.to_dict()
    return {
        "case_number": data["case_number"],
        "status": data["status"],
        "service_type": data["service_type"],
        "department": data["department"],
        "created_at": data["created_at"],
        "due_at": data["due_at"],
    }


def print_detail(app: AppContext, detail) -> None:
    zone = app.city.timezone
    click.echo(f"Case {detail.case_number}  ({status_label(detail.status)})")
    click.echo(f"  Service type: {detail.service_type_name} ({detail.service_type})")
    click.echo(f"  Department:   {detail.department_name} ({detail.department})")
    click.echo(f"  Channel:      {detail.channel}")
    click.echo(f"  Created:      {local_time(detail.created_at, zone)}")
    click.echo(f"  Due:          {local_time(detail.due_at, zone)}")
    if detail.closed_at:
        click.echo(
            f"  Closed:       {local_time(detail.closed_at, zone)} ({detail.outcome})"
        )
    if detail.parent_case_number:
        click.echo(f"  Duplicate of: {detail.parent_case_number}")
    if detail.address or detail.latitude is not None:
        coordinates = (
            f" ({detail.latitude:.5f}, {detail.longitude:.5f})"
            if detail.latitude is not None
            else ""
        )
        click.echo(f"  Location:     {detail.address or ''}{coordinates}")
    if detail.assignee:
        click.echo(f"  Assignee:     {detail.assignee}")
    contact = [detail.requester_name, detail.requester_email, detail.requester_phone]
    if any(contact):
        click.echo(f"  Requester:    {', '.join(part for part in contact if part)}")
    if detail.flags:
        click.echo(f"  Data quality: {detail.flags}")
    click.echo(f"  Description:  {detail.description}")
    answers = describe_answers(app.city, detail.service_type, detail.attributes)
    for question, answer in answers:
        click.echo(f"  {question} {answer}")
    click.echo("History:")
    for event in detail.events:
        note = f": {event.note}" if event.note else ""
        visibility = " [public]" if event.public else ""
        click.echo(
            f"  {local_time(event.at, zone)}  {event.kind:<21} "
            f"{event.actor}{visibility}{note}"
        )


@case.command("file")
@click.option(
    "--type",
    "type_code",
    required=True,
    help="Service type code (see `city311 types`).",
)
@click.option("--description", required=True, help="What the problem is.")
@click.option("--address", default=None, help="Street address of the problem.")
@click.option("--lat", type=float, default=None, help="Latitude in decimal degrees.")
@click.option("--lon", type=float, default=None, help="Longitude in decimal degrees.")
@click.option("--district", default=None, help="District or neighbourhood code.")
@click.option("--channel", default="phone", show_default=True, help="Intake channel.")
@click.option("--priority", default="normal", show_default=True)
@click.option("--name", default=None, help="Requester's name (never shown publicly).")
@click.option(
    "--email", default=None, help="Requester's e-mail (never shown publicly)."
)
@click.option("--phone", default=None, help="Requester's phone (never shown publicly).")
@click.option(
    "--attribute",
    "attributes",
    multiple=True,
    metavar="CODE=VALUE",
    help="Answer to one of the service type's attributes; repeatable.",
)
@json_option
@pass_app
@handle_errors
def file_case(
    app: AppContext,
    type_code: str,
    description: str,
    address,
    lat,
    lon,
    district,
    channel,
    priority,
    name,
    email,
    phone,
    attributes,
    as_json,
) -> None:
    """File a case and print its number."""
    from cases.intake import NewCase, Requester

    answers = {}
    for item in attributes:
        code, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(
                f"{item!r} is not CODE=VALUE", param_hint="--attribute"
            )
        answers[code] = value
    requester = Requester(name, email, phone) if (name or email or phone) else None
    new = NewCase(
        service_type=type_code,
        description=description,
        address=address,
        latitude=lat,
        longitude=lon,
        district=district,
        channel=channel,
        priority=priority,
        requester=requester,
        attributes=answers,
    )
    detail = app.cases.file(new, actor=cli_actor())
    if as_json:
        print_json(summary_json(detail))
        return
    click.echo(detail.case_number)


@case.command("show")
@click.argument("number")
@json_option
@pass_app
@handle_errors
def show_case(app: AppContext, number: str, as_json: bool) -> None:
    """Print the staff view of a case with its history."""
    detail = app.cases.show(number)
    if as_json:
        payload = summary_json(detail)
        full = detail.to_dict()
        payload.update({k: v for k, v in full.items() if k not in payload})
        payload["events"] = [
            {
                "kind": e["kind"],
                "at": e["at"],
                "actor": e["actor"],
                "note": e["note"],
                "public": e["public"],
                "before": e["before"],
                "after": e["after"],
            }
            for e in full["events"]
        ]
        print_json(payload)
        return
    print_detail(app, detail)


@case.command("lookup")
@click.argument("number")
@json_option
@pass_app
@handle_errors
def lookup_case(app: AppContext, number: str, as_json: bool) -> None:
    """Print the public view of a case: no requester details, no internal notes."""
    public = app.cases.lookup(number)
    if as_json:
        data = public.to_dict()
        payload = {
            "case_number": data["case_number"],
            "status": data["status"],
            "service_type": data["service_type"],
            "department": data["department"],
            "created_at": data["created_at"],
            "due_at": data["due_at"],
        }
        payload.update({k: v for k, v in data.items() if k not in payload})
        print_json(payload)
        return
    zone = app.city.timezone
    click.echo(f"Case {public.case_number}: {status_label(public.status)}")
    click.echo(f"  {public.service_type_name}, {public.department_name}")
    click.echo(
        f"  Filed {local_time(public.created_at, zone)}, "
        f"due {local_time(public.due_at, zone)}"
    )
    if public.closed_at:
        click.echo(f"  Closed {local_time(public.closed_at, zone)}")
    for note in public.notes:
        click.echo(f"  {local_time(note.at, zone)}  {note.text}")


def _operation_command(name: str, help_text: str, *params: click.Parameter):
    """Build a ``case`` subcommand that runs one service operation."""

    def decorator(call):
        @click.argument("number")
        @version_option
        @json_option
        @pass_app
        @handle_errors
        def command(app: AppContext, number: str, expected_version, as_json, **kwargs):
            detail = call(
                app.cases,
                number,
                actor=cli_actor(),
                expected_version=expected_version,
                **kwargs,
            )
            if as_json:
                print_json(summary_json(detail) | {"version": detail.version})
            else:
                click.echo(
                    f"Case {detail.case_number}: {name} recorded; "
                    f"status {detail.status}, version {detail.version}."
                )

        command.__doc__ = help_text
        for param in params:
            command = param(command)
        return case.command(name)(command)

    return decorator


@_operation_command("acknowledge", "Acknowledge a new case.")
def _acknowledge(service, number, **kw):
    return service.acknowledge(number, **kw)


@_operation_command("start", "Mark a case as in progress.")
def _start(service, number, **kw):
    return service.start(number, **kw)


@_operation_command(
    "assign",
    "Assign a case to a staff member.",
    click.option("--to", "assignee", required=True, help="Staff member."),
)
def _assign(service, number, assignee, **kw):
    return service.assign(number, assignee, **kw)


@_operation_command(
    "transfer",
    "Transfer a case to another department.",
    click.option("--department", required=True, help="Department code."),
    click.option("--reason", default="", help="Why it moves."),
)
def _transfer(service, number, department, reason, **kw):
    return service.transfer(number, department, reason, **kw)


@_operation_command(
    "hold",
    "Put a case on hold (waiting on the resident or a third party).",
    click.option("--reason", default="", help="What the case waits for."),
)
def _hold(service, number, reason, **kw):
    return service.hold(number, reason, **kw)


@_operation_command("resume", "Resume a case that was on hold.")
def _resume(service, number, **kw):
    return service.resume(number, **kw)


@_operation_command(
    "note",
    "Add a note; internal unless --public.",
    click.option("--text", required=True, help="The note."),
    click.option("--public", is_flag=True, help="Show the note to the public."),
)
def _note(service, number, text, public, **kw):
    return service.add_note(number, text, public, **kw)


@_operation_command(
    "close",
    "Close a case with an outcome.",
    click.option(
        "--outcome",
        required=True,
        help="resolved, no_action_needed, duplicate, referred_elsewhere, "
        "unable_to_locate, withdrawn or administrative.",
    ),
    click.option("--note", default="", help="Closing note (internal)."),
    click.option(
        "--parent", default=None, help="Parent case number for outcome duplicate."
    ),
)
def _close(service, number, outcome, note, parent, **kw):
    return service.close(number, outcome, note, parent, **kw)


@_operation_command(
    "reopen",
    "Reopen a closed case.",
    click.option("--reason", default="", help="Why it is reopened."),
)
def _reopen(service, number, reason, **kw):
    return service.reopen(number, reason, **kw)


@_operation_command(
    "merge",
    "Close a case as a duplicate of a parent case.",
    click.option("--parent", required=True, help="Parent case number."),
)
def _merge(service, number, parent, **kw):
    return service.merge(number, parent, **kw)


@_operation_command(
    "change-type",
    "Change a case's service type; the due date is recomputed.",
    click.option(
        "--type", "service_type", required=True, help="New service type code."
    ),
)
def _change_type(service, number, service_type, **kw):
    return service.change_type(number, service_type, **kw)
