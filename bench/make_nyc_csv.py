"""Write a synthetic CSV in the 41-column NYC 311 portal layout, for benchmarks.

Every value is invented. Usage: ``python bench/make_nyc_csv.py OUT.csv [ROWS]``.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

HEADER = [
    "Unique Key", "Created Date", "Closed Date", "Agency", "Agency Name",
    "Complaint Type", "Descriptor", "Location Type", "Incident Zip",
    "Incident Address", "Street Name", "Cross Street 1", "Cross Street 2",
    "Intersection Street 1", "Intersection Street 2", "Address Type", "City",
    "Landmark", "Facility Type", "Status", "Due Date", "Resolution Description",
    "Resolution Action Updated Date", "Community Board", "BBL", "Borough",
    "X Coordinate (State Plane)", "Y Coordinate (State Plane)",
    "Open Data Channel Type", "Park Facility Name", "Park Borough",
    "Vehicle Type", "Taxi Company Borough", "Taxi Pick Up Location",
    "Bridge Highway Name", "Bridge Highway Direction", "Road Ramp",
    "Bridge Highway Segment", "Latitude", "Longitude", "Location",
]  # fmt: skip
AGENCIES = [
    ("NYPD", "New York City Police Department", "Noise - Residential"),
    ("HPD", "Department of Housing Preservation and Development", "HEAT/HOT WATER"),
    ("DSNY", "Department of Sanitation", "Dirty Condition"),
    ("DOT", "Department of Transportation", "Street Condition"),
]
RESOLUTIONS = [
    "The Police Department responded to the complaint and took action to fix the "
    "condition.",
    "The Police Department responded to the complaint and with the information "
    "available observed no evidence of the violation at that time.",
    "",
]
STREETS = ["BROADWAY", "WEST 150 STREET", "AMSTERDAM AVENUE", "OCEAN PARKWAY"]
BOROUGHS = ["MANHATTAN", "BROOKLYN", "QUEENS", "BRONX", "STATEN ISLAND"]
CHANNELS = ["ONLINE", "MOBILE", "PHONE", "UNKNOWN"]
STAMP = "%m/%d/%Y %I:%M:%S %p"


def make_row(key: int, rng: random.Random) -> list[str]:
    """Return one invented request as the portal would export it."""
    created = datetime(2022, 1, 1) + timedelta(seconds=rng.randrange(365 * 86400))
    closed = created + timedelta(seconds=rng.randrange(1, 5 * 86400))
    is_closed = rng.random() < 0.7
    code, name, complaint = rng.choice(AGENCIES)
    street = rng.choice(STREETS)
    borough = rng.choice(BOROUGHS)
    lat = 40.55 + rng.random() * 0.35
    lon = -74.15 + rng.random() * 0.4
    return [
        str(key), created.strftime(STAMP),
        closed.strftime(STAMP) if is_closed else "", code, name, complaint,
        "Loud Music/Party", "Residential Building/House", str(10001 + key % 300),
        f"{key % 900 + 1} {street}", street, "", "", "", "", "ADDRESS", borough.title(),
        "", "", "Closed" if is_closed else "In Progress", "",
        rng.choice(RESOLUTIONS) if is_closed else "",
        closed.strftime(STAMP) if is_closed else "", f"12 {borough}",
        str(1000000000 + key), borough, str(1000000 + key % 50000),
        str(200000 + key % 50000), rng.choice(CHANNELS), "Unspecified", borough,
        "", "", "", "", "", "", "", f"{lat:.12f}", f"{lon:.12f}",
        f"({lat:.12f}, {lon:.12f})",
    ]  # fmt: skip


def main(argv: list[str]) -> None:
    out = Path(argv[1])
    rows = int(argv[2]) if len(argv) > 2 else 200_000
    rng = random.Random(311)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for key in range(50_000_000, 50_000_000 + rows):
            writer.writerow(make_row(key, rng))


if __name__ == "__main__":
    main(sys.argv)
