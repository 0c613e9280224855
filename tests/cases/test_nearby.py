"""Likely duplicates: open cases of a type within its radius."""

from __future__ import annotations

import pytest

from cases.intake import NewCase
from cases.nearby import haversine_m, nearby_open_cases
from cases.roles import Actor


def test_haversine_one_degree_latitude():
    # 6,371,000 m * pi / 180 = 111,194.93 m
    assert haversine_m(39.0, -75.0, 40.0, -75.0) == pytest.approx(111_194.93, abs=0.01)


def test_haversine_same_point_is_zero():
    assert haversine_m(39.75, -75.55, 39.75, -75.55) == 0.0


def pothole(service, latitude: float, address: str = "1 Main St"):
    return service.file(
        NewCase("POTHOLE", "Hole", address=address, latitude=latitude, longitude=-75.55)
    )


def test_nearby_within_radius_only(service, sessions):
    # The test city's potholes use the default radius of 50 m.
    near = pothole(service, 39.7503)  # 33.4 m north
    pothole(service, 39.7510, address="far")  # 111 m north
    closed = pothole(service, 39.7501)
    service.close(closed.case_number, "resolved", actor=Actor("pat", "staff", "PW"))
    with sessions() as session:
        found = nearby_open_cases(session, "POTHOLE", 39.75, -75.55, None)
    assert [c.case_number for c in found] == [near.case_number]
    assert found[0].distance_m == pytest.approx(33.36, abs=0.01)


def test_nearby_same_address_without_coordinates(service, sessions):
    same = service.file(NewCase("POTHOLE", "Hole", address="1 Main St"))
    with sessions() as session:
        found = nearby_open_cases(session, "POTHOLE", None, None, " 1 MAIN ST ")
    assert [(c.case_number, c.distance_m) for c in found] == [(same.case_number, None)]


@pytest.mark.parametrize(
    "typed",
    [
        "3897 Nutmeg Ave",
        "3897 nutmeg ave",
        "3897 Nutmeg Avenue",
        "3897 nutmeg ave.",
        "3897  Nutmeg   Ave",
        " 3897 NUTMEG AVENUE ",
    ],
)
def test_nearby_address_matches_spellings(service, sessions, typed):
    same = service.file(NewCase("POTHOLE", "Hole", address="3897 Nutmeg Ave"))
    service.file(NewCase("POTHOLE", "Hole", address="3898 Nutmeg Ave"))
    service.file(NewCase("POTHOLE", "Hole", address="3897 Nutmeg St"))
    with sessions() as session:
        found = nearby_open_cases(session, "POTHOLE", None, None, typed)
    assert [c.case_number for c in found] == [same.case_number]


def test_nearby_address_matches_directional(service, sessions):
    same = service.file(NewCase("POTHOLE", "Hole", address="800 North French Street"))
    with sessions() as session:
        found = nearby_open_cases(session, "POTHOLE", None, None, "800 N. French St")
    assert [c.case_number for c in found] == [same.case_number]


def test_nearby_address_without_house_number(service, sessions):
    same = service.file(NewCase("POTHOLE", "Hole", address="Rodney Square North"))
    service.file(NewCase("POTHOLE", "Hole", address="Rodney Street"))
    with sessions() as session:
        found = nearby_open_cases(session, "POTHOLE", None, None, "rodney sq n")
    assert [c.case_number for c in found] == [same.case_number]
