"""Every real export present imports with consistent counts, and again as a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.bulk import write_records
from tests.etl.conftest import NEW_YORK

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

# Folder of each format's files under the shared data folder.
FOLDERS = {
    "nyc": "nyc",
    "boston": "boston",
    "sf": "sf",
    "la": "la",
    "baltimore": "baltimore",
    "kansas-city": "kansas_city",
    "open311-tsv": "multi_city_open311",
}
SUFFIXES = {".csv", ".json", ".tsv"}
# Formats whose real exports must import without a single rejected row.
NO_REJECTS = {"la"}


def files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES)


def reader_for(fmt: str):
    sources = pytest.importorskip("etl.sources")
    formats = getattr(sources, "FORMATS", None)
    if not formats or fmt not in formats:
        pytest.skip(f"no parser registered for format {fmt} in etl.sources.FORMATS")
    block_readers = getattr(sources, "BLOCK_READERS", {})
    if fmt in block_readers:
        return block_readers[fmt]  # what `city311 import` uses
    reader = formats[fmt]
    return getattr(reader, "read_file", reader)


@pytest.mark.parametrize("fmt", sorted(FOLDERS))
def test_real_exports_import(fmt, real_data_dir, engine, tmp_path):
    read = reader_for(fmt)
    paths = files_of(real_data_dir / FOLDERS[fmt])
    if not paths:
        pytest.skip(f"no {fmt} files under {real_data_dir / FOLDERS[fmt]}")
    for index, path in enumerate(paths):
        options = {
            "zone": NEW_YORK,
            "rejects_dir": tmp_path / "rejects",
            "source": fmt,
            # One source per file, because files of one city may overlap.
            "source_name": f"{fmt}-{index}",
        }
        first = write_records(engine, read(path), **options)
        outcomes = first.inserted + first.updated + first.unchanged + first.rejected
        assert first.read == outcomes, path.name
        assert first.read > 0, path.name
        assert first.inserted > 0, path.name
        if fmt in NO_REJECTS:
            assert first.rejected == 0, path.name
        second = write_records(engine, read(path), **options)
        assert second.read == first.read, path.name
        assert second.inserted == 0, path.name
        assert second.updated == 0, path.name
        assert second.unchanged == first.inserted + first.updated, path.name


def test_real_nyc_blocks_match_records(real_data_dir, tmp_path):
    """Each real NYC export stores the same rows as blocks and as records."""
    from etl.sources import nyc
    from tests.etl.test_bulk_tuples import NOW, TABLES, store_of, table_rows

    paths = files_of(real_data_dir / FOLDERS["nyc"])
    if not paths:
        pytest.skip(f"no nyc files under {real_data_dir / FOLDERS['nyc']}")
    for index, path in enumerate(paths):
        engines = []
        for name, read, tuples in (
            ("blocks", nyc.read_blocks, True),
            ("rows", nyc.read_file, False),
        ):
            engine = store_of(tmp_path, f"{name}-{index}.sqlite")
            write_records(
                engine,
                read(path),
                zone=NEW_YORK,
                rejects_dir=tmp_path / f"rejects-{name}-{index}",
                source="nyc",
                clock=lambda: NOW,
                driver_tuples=tuples,
            )
            engines.append(engine)
        for table in TABLES:
            expected = table_rows(engines[1], table)
            assert table_rows(engines[0], table) == expected, (path.name, table)
        assert table_rows(engines[0], "case"), path.name
