from __future__ import annotations

from etl.sources import FORMATS


def test_format_names():
    assert sorted(FORMATS) == sorted(
        [
            "nyc",
            "boston",
            "sf",
            "la",
            "baltimore",
            "kansas-city",
            "open311-tsv",
            "mapped",
        ]
    )


def test_formats_are_callable():
    assert all(callable(read_file) for read_file in FORMATS.values())
