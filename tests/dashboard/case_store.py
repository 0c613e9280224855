"""A case store with one case that carries personal data, for the public page.

The case has a requester name, e-mail and phone, an internal note and a staff
assignee; none of these may reach a public response. It also has one public
note, which may.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases import schema
from cases.catalogue import sync_catalogue
from cases.db import transaction
from cases.intake import NewCase, Requester
from cases.roles import Actor
from city311.app import AppContext

PERSONAL = {
    "name": "Quentin Marlowe-Xavier",
    "email": "quentin.marlowe@example.org",
    "phone": "302-555-0187",
    "internal_note": "Caller says the neighbour at 14 Elm keeps blocking the crew",
    "assignee": "Harriet Vandersloot",
    "description": "Pothole in front of my house, I am Quentin",
}
PUBLIC_NOTE = "Crew scheduled for this week"


@dataclass(frozen=True)
class SeededCase:
    number: str
    personal: dict[str, str]


def seed_case_store(context: AppContext) -> SeededCase:
    """Create the store, load the catalogue and file the case with personal data."""
    schema.upgrade(context.engine)
    with transaction(context.sessions) as session:
        sync_catalogue(session, context.city)
    service = context.cases
    detail = service.file(
        NewCase(
            service_type="POTHOLE",
            description=PERSONAL["description"],
            address="800 N French St",
            latitude=39.7459,
            longitude=-75.5466,
            channel="phone",
            requester=Requester(PERSONAL["name"], PERSONAL["email"], PERSONAL["phone"]),
            attributes={"size": "large", "in_travel_lane": "yes"},
        )
    )
    staff = Actor("Supervisor Okonkwo-Lindqvist", "staff", "PW")
    service.assign(detail.case_number, PERSONAL["assignee"], actor=staff)
    service.add_note(detail.case_number, PERSONAL["internal_note"], actor=staff)
    service.add_note(detail.case_number, PUBLIC_NOTE, public=True, actor=staff)
    personal = dict(PERSONAL, staff_actor=staff.name)
    return SeededCase(detail.case_number, personal)
