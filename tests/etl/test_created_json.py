"""The created event's JSON built with Arrow matches what orjson writes."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import orjson
import pyarrow as pa
import pytest

from etl.bulk.created_json import _json_floats, _json_instants, json_strings


def test_floats_match_orjson():
    rng = np.random.default_rng(7)
    spread = [
        sign * rng.uniform(1, 10) * 10.0**exponent
        for exponent in range(-8, 18)
        for sign in (1, -1)
        for _ in range(200)
    ]
    values = [
        *rng.uniform(-180, 180, 2000).tolist(),
        *np.round(rng.uniform(-90, 90, 2000), 6).tolist(),
        *spread,
        *(round(value, 3) for value in spread),
        2.5e-6, 12345678901.0, 1e-4, 9.999999e8, 1e9,
        0.0, -0.0, 40.0, -73.0, 1e-7, 1.5e-5, 123456789.0, 1e16, 1e22, 5e-324,
        math.nan, math.inf, -math.inf, None,
    ]  # fmt: skip
    texts = _json_floats(pa.array(values, pa.float64())).to_pylist()
    for value, text in zip(values, texts, strict=True):
        expected = None if value is None else orjson.dumps(value).decode()
        assert text == expected, value


@pytest.mark.parametrize(
    "value",
    ["Pothole", "", 'say "hi"', "back\\slash", "tab\there", "line\nbreak",
     "\x00\x1f\x7f", "café ñ 漢字 😀", "\u2028\u2029", "ends with \\"],
)  # fmt: skip
def test_strings_match_orjson(value):
    (text,) = json_strings(pa.array([value], pa.string())).to_pylist()
    assert text == orjson.dumps(value).decode()


def test_null_string_stays_null():
    assert json_strings(pa.array([None, "a"], pa.string())).to_pylist() == [
        None,
        '"a"',
    ]


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2018, 1, 22, 14, 15, tzinfo=UTC),
        datetime(2018, 1, 22, 14, 15, 0, 250000, tzinfo=UTC),
        datetime(2018, 1, 22, 14, 15, 0, 1, tzinfo=UTC),
        datetime(1900, 1, 1, tzinfo=UTC),
    ],
)
def test_instants_match_orjson(moment):
    stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    (text,) = _json_instants(pa.array([stored], pa.string())).to_pylist()
    assert text == orjson.dumps(moment).decode()
