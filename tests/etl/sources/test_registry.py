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


def test_unknown_option_raises(tmp_path):
    import pytest

    path = tmp_path / "a.csv"
    path.write_text("x\n")
    with pytest.raises(TypeError, match="takes no option 'mapping'"):
        list(FORMATS["nyc"](path, mapping=path))


def test_none_option_ignored(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x\n")
    assert list(FORMATS["boston"](path, mapping=None)) == []
