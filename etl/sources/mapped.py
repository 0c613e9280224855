"""Any delimited export described by a TOML mapping file (docs/mapping.md)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from etl.sources import columns as col
from etl.sources.batch import Batch, RecordBuilder
from etl.sources.chunk import Chunk
from etl.sources.codes import lookup, make_code, map_values
from etl.sources.csvread import read_chunks
from etl.sources.dates import DateColumn, Dates
from etl.sources.mapping_file import Mapping, load_mapping
from etl.sources.outcomes import outcome_from_text
from etl.sources.record import RejectedRow, SourceRecord


def read_file(
    path: Path, mapping: Path | Mapping | None = None, **options: object
) -> Iterator[SourceRecord | RejectedRow]:
    """Read ``path`` as ``mapping`` (a mapping file or a loaded ``Mapping``)."""
    col.reject_options("mapped", options)
    if mapping is None:
        raise ValueError("the mapped format needs a mapping file: pass mapping=PATH")
    spec = mapping if isinstance(mapping, Mapping) else load_mapping(Path(mapping))
    builder = RecordBuilder(spec.source, spec.bbox)
    dates = {
        key: DateColumn(spec.columns[key], (rule,))
        for key, rule in spec.dates.items()
        if key in spec.columns
    }
    for chunk in read_chunks(path, delimiter=spec.delimiter, normalize=str.strip):
        col.require(chunk, list(spec.columns.values()), f"mapped ({spec.source})")
        yield from builder.emit(_batch(chunk, spec, dates))


def _batch(chunk: Chunk, spec: Mapping, dates: dict[str, DateColumn]) -> Batch:
    columns, nulls = spec.columns, spec.null_values

    def texts(key: str) -> list[str]:
        return col.texts(chunk, columns.get(key), nulls)

    statuses = texts("status")
    codes, names = texts("service_code"), texts("service_name")
    department_codes, department_names = _departments(texts, spec)
    resolutions = texts("resolution")
    return Batch(
        chunk=chunk,
        id_column=columns["id"],
        status_column=columns["status"],
        external_id=texts("id"),
        service_code=map_values(
            [c or n for c, n in zip(codes, names, strict=True)], make_code
        ),
        service_name=[n or c for c, n in zip(codes, names, strict=True)],
        department_code=department_codes,
        department_name=department_names,
        status=lookup(statuses, spec.status_map, None),
        source_status=statuses,
        created=_parse(chunk, spec, dates, "created"),
        closed=_parse(chunk, spec, dates, "closed"),
        updated=_parse(chunk, spec, dates, "updated"),
        due=_parse(chunk, spec, dates, "due"),
        outcome=map_values(resolutions, lambda text: _outcome(text, spec)),
        channel=lookup(texts("channel"), spec.channel_map, "import"),
        description=texts("description"),
        resolution_notes=resolutions,
        address=[v or None for v in texts("address")],
        latitude=col.numbers(chunk, columns.get("latitude"), nulls),
        longitude=col.numbers(chunk, columns.get("longitude"), nulls),
        district=[v or None for v in texts("district")],
    )


def _departments(texts, spec: Mapping) -> tuple[list[str], list[str]]:
    """Return codes and names; ``department_map`` turns source values into codes."""
    codes, names = texts("department_code"), texts("department_name")
    keys = [c or n for c, n in zip(codes, names, strict=True)]
    mapped = map_values(
        keys, lambda key: spec.department_map.get(key.strip().lower()) or make_code(key)
    )
    return mapped, [n or k for k, n in zip(keys, names, strict=True)]


def _outcome(text: str, spec: Mapping) -> str | None:
    if not text:
        return None
    return spec.outcome_map.get(text.strip().lower()) or outcome_from_text(text)


def _parse(
    chunk: Chunk, spec: Mapping, dates: dict[str, DateColumn], key: str
) -> Dates | None:
    column = dates.get(key)
    if column is None:
        return None
    return column.parse(chunk.text(column.name), spec.zone, spec.null_values)
