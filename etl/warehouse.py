"""Where warehouse snapshots live and how readers open them.

This is the only module that reads or writes the layout under
``settings.warehouse_dir``:

    segments/<version>-base.duckdb   immutable DuckDB files, written once by the ETL
    segments/<version>-delta.duckdb
    snapshots/<version>.json         manifest of a published version
    CURRENT                          name of the current version, replaced with
                                     os.replace after its files are closed
    frozen/<name>/                   hard links (or copies) of a version's files
                                     plus its manifest, kept until deleted by hand
    tmp/                             files of a run in progress
    runs.jsonl                       run log (see ``etl.runlog``)

A version is a base segment plus at most one delta segment. The delta holds the
rows of every case changed since the base was written (listed in its
``segment_case`` table) and complete copies of the small tables (dimensions and
``etl_run``), so an incremental run writes a file whose size follows the
changes, not the history. ``open_snapshot`` returns an in-memory DuckDB
connection that attaches the segments read-only and defines one view per table
that merges them. Published files are never written again, so readers and the
ETL never contend for a DuckDB file lock.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from etl.schema import CASE_TABLES, NEXT_AT_SQL, TABLES, WHOLE_TABLES, create_tables

log = logging.getLogger(__name__)

# The schema lives in etl.schema; it is re-exported here with the layout.
__all__ = [
    "TABLES",
    "Manifest",
    "SnapshotInfo",
    "WarehouseError",
    "check_name",
    "connect_segments",
    "create_tables",
    "current_manifest",
    "current_version",
    "freeze",
    "list_snapshots",
    "open_snapshot",
    "read_manifest",
    "remove_old_snapshots",
]

CURRENT_FILE = "CURRENT"
SEGMENTS_DIR = "segments"
SNAPSHOTS_DIR = "snapshots"
FROZEN_DIR = "frozen"
TMP_DIR = "tmp"
FROZEN_MANIFEST = "manifest.json"
FROZEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class WarehouseError(Exception):
    """A snapshot is missing, invalid, or cannot be created."""


@dataclass(frozen=True)
class Manifest:
    """The files of one published version and its case counts."""

    version: str
    base: str  # file name under segments/
    delta: str | None
    base_cases: int
    delta_cases: int
    published_at: float  # seconds since the epoch

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_file(cls, path: Path) -> Manifest:
        return cls(**json.loads(path.read_text()))

    @property
    def files(self) -> tuple[str, ...]:
        return (self.base,) if self.delta is None else (self.base, self.delta)


@dataclass(frozen=True)
class SnapshotInfo:
    """One entry of ``list_snapshots``."""

    name: str
    kind: str  # "published" or "frozen"
    current: bool
    published_at: float
    size_bytes: int


def path(settings, *parts: str) -> Path:
    """Return a path inside the warehouse folder."""
    return Path(settings.warehouse_dir, *parts)


def ensure_layout(settings) -> None:
    for folder in (SEGMENTS_DIR, SNAPSHOTS_DIR, FROZEN_DIR, TMP_DIR):
        path(settings, folder).mkdir(parents=True, exist_ok=True)


def current_version(settings) -> str | None:
    """Return the name of the current published version, or None before the first."""
    try:
        return path(settings, CURRENT_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def read_manifest(settings, version: str) -> Manifest:
    manifest_path = path(settings, SNAPSHOTS_DIR, f"{version}.json")
    try:
        return Manifest.from_file(manifest_path)
    except FileNotFoundError:
        raise WarehouseError(
            f"snapshot {version!r} not found in {path(settings, SNAPSHOTS_DIR)}; "
            "run `city311 snapshot list` to see the published ones"
        ) from None


def current_manifest(settings) -> Manifest | None:
    version = current_version(settings)
    return None if version is None else read_manifest(settings, version)


def open_snapshot(settings, name: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open a snapshot for reading: the current one, or a frozen or published one.

    The connection is an in-memory DuckDB database with the snapshot's segment
    files attached read-only and one view per warehouse table, so writes to the
    warehouse tables fail. Its time zone is UTC, so ``TIMESTAMPTZ`` values come
    back as UTC datetimes. Close it when done: an open connection keeps the
    files open, and a deleted file's disk space is freed only on close.
    """
    if name is None:
        manifest = current_manifest(settings)
        if manifest is None:
            raise WarehouseError(
                f"no warehouse snapshot has been published in "
                f"{settings.warehouse_dir}; run `city311 etl run` first"
            )
        folder = path(settings, SEGMENTS_DIR)
    else:
        manifest, folder = _named_manifest(settings, name)
    return connect_segments(
        folder / manifest.base,
        None if manifest.delta is None else folder / manifest.delta,
    )


def _named_manifest(settings, name: str) -> tuple[Manifest, Path]:
    check_name(name)
    frozen = path(settings, FROZEN_DIR, name)
    if (frozen / FROZEN_MANIFEST).is_file():
        return Manifest.from_file(frozen / FROZEN_MANIFEST), frozen
    if path(settings, SNAPSHOTS_DIR, f"{name}.json").is_file():
        return read_manifest(settings, name), path(settings, SEGMENTS_DIR)
    raise WarehouseError(
        f"snapshot {name!r} is neither frozen nor published in "
        f"{settings.warehouse_dir}; run `city311 snapshot list` to see the names"
    )


def connect_segments(base: Path, delta: Path | None) -> duckdb.DuckDBPyConnection:
    """Attach segment files read-only to a new in-memory database with merged views."""
    connection = duckdb.connect(":memory:")
    try:
        connection.execute("SET TimeZone = 'UTC'")
        _attach_segment(connection, base, "seg_base")
        if delta is not None:
            _attach_segment(connection, delta, "seg_delta")
        base_name = _segment_relation(connection, "seg_base", base)
        delta_name = None
        if delta is not None:
            delta_name = _segment_relation(connection, "seg_delta", delta)
        for table in (*WHOLE_TABLES, *CASE_TABLES):
            body = merged_table_sql(table, base_name, delta_name)
            connection.execute(f"CREATE VIEW main.{table} AS {body}")
    except BaseException:
        connection.close()
        raise
    return connection


def _attach_segment(
    connection: duckdb.DuckDBPyConnection, file: Path, catalog: str
) -> None:
    """Attach a segment read-only; raise WarehouseError if it is missing or damaged."""
    advice = "run `city311 etl run --full` to rebuild the warehouse"
    if not file.is_file():
        raise WarehouseError(f"warehouse segment {file} not found; {advice}")
    try:
        connection.execute(f"ATTACH {_quote(file)} AS {catalog} (READ_ONLY)")
    except duckdb.Error as error:
        cause = str(error).splitlines()[0]
        raise WarehouseError(
            f"warehouse segment {file} is damaged ({cause}); {advice}"
        ) from error


def missing_columns(
    connection: duckdb.DuckDBPyConnection, catalog: str
) -> dict[str, list[str]]:
    """Return, per table, the columns of ``etl.schema`` that ``catalog`` lacks.

    A segment written before a column was added to the schema lacks it.
    """
    present = set(
        connection.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE database_name = $catalog",
            {"catalog": catalog},
        ).fetchall()
    )
    gaps: dict[str, list[str]] = {}
    for table, column in _schema_columns():
        if (table, column) not in present:
            gaps.setdefault(table, []).append(column)
    return gaps


@functools.cache
def _schema_columns() -> tuple[tuple[str, str], ...]:
    """Return (table, column) of every table in ``etl.schema``, in column order."""
    connection = duckdb.connect(":memory:")
    try:
        create_tables(connection)
        return tuple(
            connection.execute(
                "SELECT table_name, column_name FROM duckdb_columns() "
                "WHERE database_name = 'memory' ORDER BY table_name, column_index"
            ).fetchall()
        )
    finally:
        connection.close()


def _segment_relation(
    connection: duckdb.DuckDBPyConnection, catalog: str, file: Path
) -> str:
    """Return the name to read an attached segment's tables through.

    A segment of the current layout is read directly. One written before
    ``fact_case_event.next_at`` existed gets a schema of views that derive it,
    so frozen snapshots stay readable; any other missing column is an error.
    """
    gaps = missing_columns(connection, catalog)
    if not gaps:
        return catalog
    if gaps != {"fact_case_event": ["next_at"]}:
        missing = ", ".join(f"{t}.{c}" for t, columns in gaps.items() for c in columns)
        raise WarehouseError(
            f"segment {file.name} has an older warehouse layout that lacks "
            f"{missing}; run `city311 etl run --full` to rebuild it"
        )
    layer = f"{catalog}_derived"
    connection.execute(f"CREATE SCHEMA {layer}")
    for table in TABLES:
        body = f"SELECT * FROM {catalog}.{table}"
        if table == "fact_case_event":
            body = f"SELECT *, {NEXT_AT_SQL} AS next_at FROM {catalog}.{table}"
        connection.execute(f"CREATE VIEW {layer}.{table} AS {body}")
    return layer


def missing_base_columns(settings, manifest: Manifest) -> list[str]:
    """Return ``table.column`` names the base segment of ``manifest`` lacks.

    An incremental run cannot add a delta to a base of an older layout, so a
    non-empty result means the next run must be a full rebuild.
    """
    connection = duckdb.connect(":memory:")
    try:
        base = path(settings, SEGMENTS_DIR, manifest.base)
        connection.execute(f"ATTACH {_quote(base)} AS seg_base (READ_ONLY)")
        gaps = missing_columns(connection, "seg_base")
    finally:
        connection.close()
    return [
        f"{table}.{column}" for table, columns in gaps.items() for column in columns
    ]


def merged_table_sql(table: str, base: str, delta: str | None) -> str:
    """Return a SELECT of one table of a version made of ``base`` and ``delta``.

    Whole tables come from the newest segment. Case tables take the delta's
    rows and the base's rows of cases the delta does not list.
    """
    if delta is None:
        return f"SELECT * FROM {base}.{table}"
    if table not in CASE_TABLES:
        return f"SELECT * FROM {delta}.{table}"
    return (
        f"SELECT b.* FROM {base}.{table} AS b "
        f"ANTI JOIN {delta}.segment_case AS d ON b.case_id = d.case_id "
        f"UNION ALL SELECT * FROM {delta}.{table}"
    )


def _quote(file: Path) -> str:
    return "'" + str(file).replace("'", "''") + "'"


def check_name(name: str) -> None:
    """Reject a snapshot name that is empty, too long or has path characters."""
    if not FROZEN_NAME.match(name) or ".." in name:
        raise WarehouseError(
            f"snapshot name {name!r} is invalid; use 1 to 64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit (no '/' or '..')"
        )


def freeze(settings, name: str) -> Path:
    """Keep the current version under ``name`` until deleted by hand.

    Segment files are immutable, so hard links are safe and cost no space; a
    file system without hard links gets copies. Returns the frozen folder.
    """
    check_name(name)
    target = path(settings, FROZEN_DIR, name)
    if target.exists():
        raise WarehouseError(
            f"frozen snapshot {name!r} already exists at {target}; choose another name"
        )
    manifest = current_manifest(settings)
    if manifest is None:
        raise WarehouseError(
            "nothing to freeze: no snapshot has been published; "
            "run `city311 etl run` first"
        )
    staging = path(settings, FROZEN_DIR, f".tmp-{name}-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for file in manifest.files:
            _link_or_copy(path(settings, SEGMENTS_DIR, file), staging / file)
        (staging / FROZEN_MANIFEST).write_text(manifest.to_json())
        os.rename(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        if target.exists():
            raise WarehouseError(
                f"frozen snapshot {name!r} already exists at {target}; "
                "choose another name"
            ) from None
        raise WarehouseError(
            f"could not freeze snapshot as {name!r}: {error}"
        ) from error
    log.info("froze snapshot %s as %s", manifest.version, name)
    return target


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def list_snapshots(settings) -> list[SnapshotInfo]:
    """List published versions (oldest first), then frozen snapshots by name."""
    current = current_version(settings)
    infos = []
    for manifest_path in sorted(path(settings, SNAPSHOTS_DIR).glob("*.json")):
        manifest = Manifest.from_file(manifest_path)
        folder = path(settings, SEGMENTS_DIR)
        infos.append(_info(manifest, manifest.version, "published", current, folder))
    for folder in sorted(path(settings, FROZEN_DIR).glob("*")):
        if (folder / FROZEN_MANIFEST).is_file():
            manifest = Manifest.from_file(folder / FROZEN_MANIFEST)
            infos.append(_info(manifest, folder.name, "frozen", None, folder))
    return infos


def _info(manifest: Manifest, name, kind, current, folder: Path) -> SnapshotInfo:
    size = sum(
        (folder / f).stat().st_size for f in manifest.files if (folder / f).exists()
    )
    return SnapshotInfo(
        name=name,
        kind=kind,
        current=name == current,
        published_at=manifest.published_at,
        size_bytes=size,
    )


def remove_old_snapshots(settings, now: float | None = None) -> list[Path]:
    """Delete versions replaced more than ``snapshot_grace_minutes`` ago.

    A version is replaced when the next one is published. The current version
    and every file it uses are kept. Frozen snapshots are not touched, because
    they have their own hard links or copies. Segment files that no remaining
    manifest names are deleted too, so call this only while holding the ETL
    lock: a running ETL moves its segment into place before its manifest.
    Returns the deleted paths.
    """
    now = time.time() if now is None else now
    grace_s = settings.snapshot_grace_minutes * 60
    current = current_version(settings)
    manifests = sorted(
        (Manifest.from_file(p) for p in path(settings, SNAPSHOTS_DIR).glob("*.json")),
        key=lambda m: (m.published_at, m.version),
    )
    removed: list[Path] = []
    kept: list[Manifest] = []
    for index, manifest in enumerate(manifests):
        replaced_at = (
            manifests[index + 1].published_at if index + 1 < len(manifests) else None
        )
        expired = replaced_at is not None and now - replaced_at > grace_s
        if manifest.version == current or not expired:
            kept.append(manifest)
            continue
        manifest_path = path(settings, SNAPSHOTS_DIR, f"{manifest.version}.json")
        manifest_path.unlink(missing_ok=True)
        removed.append(manifest_path)
    in_use = {file for manifest in kept for file in manifest.files}
    for segment in path(settings, SEGMENTS_DIR).glob("*.duckdb"):
        if segment.name not in in_use:
            segment.unlink(missing_ok=True)
            removed.append(segment)
    if removed:
        log.info("removed %d old snapshot files", len(removed))
    return removed
