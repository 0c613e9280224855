from __future__ import annotations

from etl.sources.codes import make_code, map_values, snake_case


def test_make_code_basic():
    assert make_code("Noise - Residential") == "NOISE_RESIDENTIAL"
    assert make_code("GEN_") == "GEN"
    assert make_code("  ") == "UNKNOWN"


def test_make_code_long_names_stay_distinct():
    first = make_code("Department of Housing Preservation and Development North")
    second = make_code("Department of Housing Preservation and Development South")
    assert len(first) == 40
    assert first != second
    assert first.startswith("DEPARTMENT_OF_HOUSING_PRESERVATIO_")


def test_map_values_once_per_value():
    calls = []
    assert map_values(["a", "b", "a"], lambda v: calls.append(v) or v.upper()) == [
        "A",
        "B",
        "A",
    ]
    assert sorted(calls) == ["a", "b"]


def test_snake_case():
    assert snake_case("X Coordinate (State Plane)") == "x_coordinate_state_plane"
    assert snake_case("Status.Notes") == "status_notes"
