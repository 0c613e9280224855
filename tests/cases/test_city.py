"""Tests for loading and validating city configurations."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from cases.city import (
    SERVICE_KINDS,
    SLA,
    SLA_UNITS,
    CityConfigError,
    city_config_path,
    load_city,
)

MINIMAL = """\
name = "Testville"
timezone = "America/New_York"

[business_hours]
start = "08:00"
end = "17:00"
weekdays = ["mon", "tue", "wed", "thu", "fri"]

[call_center_hours]
start = "07:30"
end = "19:30"
weekdays = ["mon", "tue", "wed", "thu", "fri"]

[holidays]
country = "US"
subdivision = "DE"

[bounds]
min_lat = 39.70
min_lon = -75.62
max_lat = 39.79
max_lon = -75.49

[targets]
on_time_rate = 0.85

[[departments]]
code = "PW"
name = "Public Works"

[[departments]]
code = "SAN"
name = "Sanitation"
[departments.targets]
on_time_rate = 0.9

[[service_types]]
code = "POTHOLE"
name = "Pothole"
department = "PW"
kind = "service_request"
sla = { value = 3, unit = "business_days" }
needs_location = true

[[service_types]]
code = "MISSED_TRASH"
name = "Missed trash pickup"
department = "SAN"
kind = "service_request"
sla = { value = 2, unit = "business_days" }
needs_location = true
"""

SERVICE_TYPE_WITH_ATTRIBUTE = """
[[service_types]]
code = "BULK"
name = "Bulk pickup"
department = "SAN"
kind = "service_request"
needs_location = true

[[service_types.attributes]]
code = "items"
datatype = "{datatype}"
description = "What items?"
{values}
"""


def write_city(tmp_path: Path, text: str, name: str = "testville") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str, text: str = MINIMAL) -> str:
    assert old in text, f"{old!r} not in the fixture"
    return text.replace(old, new, 1)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = write_city(tmp_path, text)
    with pytest.raises(CityConfigError) as caught:
        load_city(str(path))
    assert str(caught.value) == "\n".join(caught.value.problems)
    return list(caught.value.problems)


def only_problem(tmp_path: Path, text: str) -> str:
    problems = problems_of(tmp_path, text)
    assert len(problems) == 1, problems
    source = str(tmp_path / "testville.toml")
    assert problems[0].startswith(f"{source}: ")
    return problems[0].removeprefix(f"{source}: ")


# --- the Wilmington configuration ---


@pytest.fixture(scope="module")
def wilmington():
    return load_city("wilmington")


def test_wilmington_loads(wilmington):
    assert wilmington.slug == "wilmington"
    assert wilmington.timezone.key == "America/New_York"
    assert wilmington.business_hours.start == time(8, 0)
    assert wilmington.business_hours.end == time(17, 0)
    assert wilmington.business_hours.weekdays == frozenset(range(5))
    assert wilmington.call_center_hours.start == time(7, 30)
    assert wilmington.call_center_hours.end == time(19, 30)
    assert wilmington.call_center_hours.open_on_holidays is False
    assert wilmington.holidays.country == "US"
    assert wilmington.holidays.subdivision == "DE"


def test_wilmington_service_types(wilmington):
    types = wilmington.service_types.values()
    assert len(wilmington.service_types) >= 40
    assert {service_type.kind for service_type in types} == set(SERVICE_KINDS)
    used_units = {service_type.sla.unit for service_type in types if service_type.sla}
    assert used_units == set(SLA_UNITS)


def test_wilmington_departments_exist(wilmington):
    for service_type in wilmington.service_types.values():
        assert service_type.department in wilmington.departments, service_type.code


def test_wilmington_no_sla_kinds(wilmington):
    for service_type in wilmington.service_types.values():
        if service_type.kind in ("information", "idea", "compliment"):
            assert service_type.sla is None, service_type.code


def test_wilmington_examples(wilmington):
    assert wilmington.service_type("WATER_MAIN_BREAK").sla == SLA(4, "calendar_hours")
    pothole = wilmington.service_type("POTHOLE")
    assert pothole.department == "PW"
    assert pothole.needs_location is True
    assert pothole.attributes[0].code == "size"
    assert pothole.attributes[0].datatype == "singlevaluelist"
    assert ("small", "Smaller than a dinner plate") in pothole.attributes[0].values
    assert wilmington.service_type("STREET_LIGHT_OUT").duplicate_radius_m == 150
    assert wilmington.service_type("GENERAL_INFO").needs_location is False


def test_wilmington_geography(wilmington):
    assert len(wilmington.districts) == 8
    assert wilmington.bounds.contains(*wilmington.center)
    for district in wilmington.districts.values():
        assert wilmington.bounds.contains(district.latitude, district.longitude)


def test_wilmington_targets(wilmington):
    assert wilmington.target("on_time_rate") == 0.85
    assert wilmington.target("on_time_rate", "WTR") == 0.95
    assert wilmington.target("on_time_rate", "PW") == 0.85
    assert wilmington.target("overdue_open") is None
    assert wilmington.target("overdue_open", "PW") == 40


def test_unknown_service_type_lookup(wilmington):
    with pytest.raises(KeyError, match="unknown service type 'NOPE'"):
        wilmington.service_type("NOPE")


# --- loading ---


def test_bare_name_resolves_to_config_dir():
    path = city_config_path("wilmington")
    assert path.parent.name == "config"
    assert path.name == "wilmington.toml"
    assert path.is_file()


def test_path_is_kept():
    assert city_config_path("other/x.toml") == Path("other/x.toml")
    assert city_config_path("x.toml") == Path("x.toml")


def test_load_by_path(tmp_path):
    city = load_city(str(write_city(tmp_path, MINIMAL)))
    assert city.name == "Testville"
    assert city.slug == "testville"
    assert list(city.departments) == ["PW", "SAN"]
    assert city.service_types["POTHOLE"].sla == SLA(3.0, "business_days")
    assert city.service_types["POTHOLE"].duplicate_radius_m == 50
    assert city.districts == {}


def test_bounds_unpack(tmp_path):
    city = load_city(str(write_city(tmp_path, MINIMAL)))
    min_lat, min_lon, max_lat, max_lon = city.bounds
    assert (min_lat, min_lon, max_lat, max_lon) == (39.70, -75.62, 39.79, -75.49)
    assert city.bounds.max_lat == 39.79
    assert city.bounds.contains(39.75, -75.55)
    assert not city.bounds.contains(39.75, -75.40)


def test_center_defaults_to_middle(tmp_path):
    city = load_city(str(write_city(tmp_path, MINIMAL)))
    assert city.center == pytest.approx((39.745, -75.555))


def test_call_center_defaults(tmp_path):
    text = edited(
        '[call_center_hours]\nstart = "07:30"\nend = "19:30"\n'
        'weekdays = ["mon", "tue", "wed", "thu", "fri"]\n',
        "",
    )
    city = load_city(str(write_city(tmp_path, text)))
    assert city.call_center_hours == city.business_hours


def test_targets_override(tmp_path):
    city = load_city(str(write_city(tmp_path, MINIMAL)))
    assert city.target("on_time_rate") == 0.85
    assert city.target("on_time_rate", "PW") == 0.85
    assert city.target("on_time_rate", "SAN") == 0.9
    assert city.target("clearance_rate", "SAN") is None


def test_target_rejects_unknown_names(tmp_path):
    city = load_city(str(write_city(tmp_path, MINIMAL)))
    with pytest.raises(ValueError, match="unknown metric 'on_time'"):
        city.target("on_time")
    with pytest.raises(ValueError, match="unknown department 'XX'"):
        city.target("on_time_rate", "XX")


def test_missing_city_file():
    with pytest.raises(CityConfigError) as caught:
        load_city("atlantis")
    message = str(caught.value)
    assert "city configuration 'atlantis' not found" in message
    assert "config/atlantis.toml does not exist" in message
    assert "wilmington" in message


def test_invalid_toml(tmp_path):
    path = write_city(tmp_path, 'name = "Testville\n')
    with pytest.raises(CityConfigError, match="invalid TOML"):
        load_city(str(path))


# --- validation errors, each naming the key ---


def test_unknown_department(tmp_path):
    text = edited('department = "PW"', 'department = "PWX"')
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE"): department "PWX" is not defined; '
        "use one of PW, SAN"
    )


def test_misspelt_sla_unit(tmp_path):
    text = edited('unit = "business_days" }', 'unit = "busines_days" }')
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE").sla: unit "busines_days" is not an SLA '
        'unit; did you mean "business_days"?'
    )


def test_unrecognisable_sla_unit(tmp_path):
    text = edited('unit = "business_days" }', 'unit = "fortnights" }')
    problem = only_problem(tmp_path, text)
    assert 'unit "fortnights" is not an SLA unit; use one of calendar_hours' in problem


def test_invalid_timezone(tmp_path):
    text = edited('"America/New_York"', '"America/New_Yrok"')
    assert only_problem(tmp_path, text) == (
        'timezone "America/New_Yrok" is not an IANA time zone; '
        'did you mean "America/New_York"?'
    )


def test_duplicate_department(tmp_path):
    text = edited('code = "SAN"\nname = "Sanitation"', 'code = "PW"\nname = "Roads"')
    text = text.replace('department = "SAN"', 'department = "PW"')
    assert only_problem(tmp_path, text) == (
        'departments[1] (code "PW"): code "PW" is already used by a department'
    )


def test_duplicate_service_type(tmp_path):
    text = edited('code = "MISSED_TRASH"', 'code = "POTHOLE"')
    assert only_problem(tmp_path, text) == (
        'service_types[1] (code "POTHOLE"): code "POTHOLE" is already used by a '
        "service type"
    )


def test_unknown_kind(tmp_path):
    text = edited('kind = "service_request"', 'kind = "complain"')
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE"): kind "complain" is not a service kind; '
        'did you mean "complaint"?'
    )


def test_bad_time_format(tmp_path):
    text = edited('start = "08:00"', 'start = "8am"')
    assert only_problem(tmp_path, text) == (
        'business_hours: start "8am" is not a time of day; write "HH:MM" on the '
        '24-hour clock, such as "08:00"'
    )


def test_out_of_range_time(tmp_path):
    text = edited('end = "17:00"', 'end = "25:00"')
    assert only_problem(tmp_path, text).startswith(
        'business_hours: end "25:00" is not a time of day'
    )


def test_toml_time_literal(tmp_path):
    text = edited('start = "08:00"', "start = 08:30:00")
    city = load_city(str(write_city(tmp_path, text)))
    assert city.business_hours.start == time(8, 30)


@pytest.mark.parametrize("value", ["0", "-2"])
def test_sla_not_positive(tmp_path, value):
    text = edited("value = 3,", f"value = {value},")
    assert only_problem(tmp_path, text) == (
        f'service_types[0] (code "POTHOLE").sla: value {value} must be a number '
        "greater than 0"
    )


def test_fractional_business_days(tmp_path):
    text = edited("value = 3,", "value = 1.5,")
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE").sla: value 1.5 is not a whole number of '
        "days; use calendar_hours or business_hours for fractions"
    )


def test_unknown_top_level_key(tmp_path):
    assert only_problem(tmp_path, 'timezon = "UTC"\n' + MINIMAL) == (
        'unknown key "timezon"; did you mean "timezone"?'
    )


def test_unknown_nested_key(tmp_path):
    text = edited("needs_location = true", "needs_location = true\nsla_days = 3")
    problem = only_problem(tmp_path, text)
    assert problem.startswith(
        'service_types[0] (code "POTHOLE"): unknown key "sla_days"'
    )


@pytest.mark.parametrize(
    ("old", "key"),
    [('name = "Testville"\n', "name"), ('timezone = "America/New_York"\n', "timezone")],
)
def test_missing_top_level_key(tmp_path, old, key):
    assert only_problem(tmp_path, edited(old, "")) == f'missing required key "{key}"'


def test_missing_service_type_key(tmp_path):
    text = edited("needs_location = true\n\n[[service_types]]", "\n[[service_types]]")
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE"): missing required key "needs_location"'
    )


def test_wrong_value_type(tmp_path):
    text = edited("needs_location = true", 'needs_location = "yes"')
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE"): needs_location must be a boolean, '
        'not string "yes"'
    )


def test_unknown_holiday_country(tmp_path):
    text = edited('country = "US"', 'country = "XQ"')
    problem = only_problem(tmp_path, text)
    assert problem.startswith(
        'holidays: country "XQ" is not a country code the holidays package supports'
    )


def test_unknown_holiday_subdivision(tmp_path):
    text = edited('subdivision = "DE"', 'subdivision = "DX"')
    problem = only_problem(tmp_path, text)
    assert problem.startswith(
        'holidays: subdivision "DX" is not a subdivision of US that the holidays '
        "package supports"
    )


def test_business_hours_end_before_start(tmp_path):
    text = edited('end = "17:00"', 'end = "08:00"')
    assert only_problem(tmp_path, text) == (
        "business_hours: end 08:00 is not after start 08:00; hours that run past "
        "midnight are not supported"
    )


def test_call_center_end_before_start(tmp_path):
    text = edited('end = "19:30"', 'end = "06:00"')
    assert only_problem(tmp_path, text).startswith(
        "call_center_hours: end 06:00 is not after start 07:30"
    )


def test_bad_weekday(tmp_path):
    text = edited('"thu", "fri"]\n\n[call', '"thu", "fry"]\n\n[call')
    assert only_problem(tmp_path, text) == (
        'business_hours: weekdays entry "fry" is not a weekday; '
        "use mon, tue, wed, thu, fri, sat, sun"
    )


def test_unknown_target_metric(tmp_path):
    text = edited("on_time_rate = 0.85", "on_time = 0.85")
    assert only_problem(tmp_path, text) == (
        'targets: metric "on_time" is not a known metric; did you mean "on_time_rate"?'
    )


def test_rate_target_above_one(tmp_path):
    text = edited("on_time_rate = 0.9", "on_time_rate = 90")
    assert only_problem(tmp_path, text) == (
        'departments[1] (code "SAN").targets: on_time_rate 90 must be between 0 and 1'
    )


def test_center_outside_bounds(tmp_path):
    center = "[center]\nlatitude = 40.0\nlongitude = -75.5\n\n"
    text = edited("[[departments]]", center + "[[departments]]")
    assert only_problem(tmp_path, text) == (
        "center: latitude 40.0, longitude -75.5 is outside the bounds"
    )


def test_list_attribute_needs_values(tmp_path):
    text = MINIMAL + SERVICE_TYPE_WITH_ATTRIBUTE.format(
        datatype="multivaluelist", values=""
    )
    assert only_problem(tmp_path, text) == (
        'service_types[2] (code "BULK").attributes[0]: values must list the choices '
        "of a multivaluelist"
    )


def test_unknown_attribute_datatype(tmp_path):
    text = MINIMAL + SERVICE_TYPE_WITH_ATTRIBUTE.format(datatype="integer", values="")
    problem = only_problem(tmp_path, text)
    assert problem.startswith(
        'service_types[2] (code "BULK").attributes[0]: datatype "integer" is not an '
        "Open311 attribute datatype"
    )


def test_attribute_values_parsed(tmp_path):
    values = 'values = [{ key = "sofa", name = "Sofa" }, { key = "bed", name = "Bed" }]'
    text = MINIMAL + SERVICE_TYPE_WITH_ATTRIBUTE.format(
        datatype="multivaluelist", values=values
    )
    city = load_city(str(write_city(tmp_path, text)))
    attribute = city.service_types["BULK"].attributes[0]
    assert attribute.values == (("sofa", "Sofa"), ("bed", "Bed"))
    assert attribute.order == 1
    assert attribute.required is False
    assert attribute.variable is True


def test_pause_on_hold_without_sla(tmp_path):
    text = edited(
        'sla = { value = 3, unit = "business_days" }\nneeds_location = true',
        "needs_location = true\npause_on_hold = true",
    )
    assert only_problem(tmp_path, text) == (
        'service_types[0] (code "POTHOLE"): pause_on_hold is true but the type has '
        "no sla"
    )


def test_extra_holidays_parsed(tmp_path):
    text = edited(
        'subdivision = "DE"',
        'subdivision = "DE"\nobserved = false\nworking_days = [2026-11-03]\n'
        'extra_holidays = [{ date = 2026-12-24, name = "Christmas Eve" }]',
    )
    city = load_city(str(write_city(tmp_path, text)))
    assert city.holidays.observed is False
    assert city.holidays.working_days == frozenset({date(2026, 11, 3)})
    assert city.holidays.extra_holidays == ((date(2026, 12, 24), "Christmas Eve"),)


def test_bad_extra_holiday_date(tmp_path):
    text = edited(
        'subdivision = "DE"',
        'subdivision = "DE"\nextra_holidays = [{ date = "24 Dec", name = "Eve" }]',
    )
    assert only_problem(tmp_path, text) == (
        'holidays.extra_holidays[0]: date "24 Dec" is not a date; write YYYY-MM-DD'
    )


def test_all_problems_reported(tmp_path):
    text = edited('"America/New_York"', '"Mars/Olympus"')
    text = edited('department = "PW"', 'department = "PWX"', text)
    text = edited('kind = "service_request"', 'kind = "request"', text)
    text = edited('end = "17:00"', 'end = "07:00"', text)
    problems = problems_of(tmp_path, text)
    assert len(problems) == 4, problems
    assert any("timezone" in problem for problem in problems)
    assert any('department "PWX"' in problem for problem in problems)
    assert any('kind "request"' in problem for problem in problems)
    assert any("business_hours: end 07:00" in problem for problem in problems)


def test_sla_constructor_checks():
    with pytest.raises(ValueError, match="invalid SLA unit 'weeks'"):
        SLA(1, "weeks")
    with pytest.raises(ValueError, match="must be a positive number"):
        SLA(0, "calendar_hours")
    with pytest.raises(ValueError, match="not a whole number of days"):
        SLA(0.5, "calendar_days")


def test_sla_text():
    assert str(SLA(3, "business_days")) == "3 business days"
    assert str(SLA(1, "calendar_days")) == "1 calendar day"
    assert str(SLA(4.5, "calendar_hours")) == "4.5 calendar hours"
