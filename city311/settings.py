"""Runtime settings: defaults, then a TOML settings file, then CITY311_ variables.

Every setting is declared once in ``SETTINGS``; the README lists them and a test
keeps that list complete.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL


@dataclass(frozen=True)
class SettingSpec:
    """One declared setting: its name, default and help text."""

    name: str
    default: Any
    help: str
    type: type = str


SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "data_dir",
        "./var",
        "Folder for the SQLite case store, warehouse snapshots, rejects and logs.",
    ),
    SettingSpec(
        "database_url",
        "",
        "SQLAlchemy URL of the case store; empty means a SQLite file "
        "city311.sqlite in the data folder.",
    ),
    SettingSpec(
        "city",
        "wilmington",
        "City configuration: a name under config/ or a path to a TOML file.",
    ),
    SettingSpec(
        "etl_interval_minutes",
        5,
        "Minutes between scheduled ETL runs.",
        int,
    ),
    SettingSpec(
        "snapshot_grace_minutes",
        60,
        "Minutes an unpublished warehouse snapshot is kept for open readers.",
        int,
    ),
    SettingSpec(
        "dashboard_snapshot",
        "",
        "Name of a frozen snapshot the dashboard reads; empty means the current one.",
    ),
    SettingSpec(
        "map_tiles_url",
        "",
        "URL template of raster map tiles ({z}/{x}/{y}) for dashboard maps; "
        "empty draws maps without tiles, which needs no network.",
    ),
    SettingSpec(
        "secret_key",
        "",
        "Key that signs web sessions; empty means a random key per process.",
    ),
    SettingSpec(
        "log_level",
        "INFO",
        "Level of the city311 loggers: DEBUG, INFO, WARNING or ERROR.",
    ),
)

ENV_PREFIX = "CITY311_"
SETTINGS_FILE_ENV = "CITY311_SETTINGS_FILE"


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Resolved runtime settings; build with ``load_settings``."""

    data_dir: Path
    database_url: str
    city: str
    etl_interval_minutes: int
    snapshot_grace_minutes: int
    dashboard_snapshot: str
    map_tiles_url: str
    secret_key: str
    log_level: str

    @property
    def warehouse_dir(self) -> Path:
        return self.data_dir / "warehouse"

    @property
    def rejects_dir(self) -> Path:
        return self.data_dir / "rejects"


def _convert(spec: SettingSpec, raw: Any, origin: str) -> Any:
    if spec.type is int:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise SettingsError(
                f"setting {spec.name} from {origin} is {raw!r}, not a whole number; "
                f"set it to an integer such as {spec.default}"
            ) from None
        if value <= 0:
            raise SettingsError(
                f"setting {spec.name} from {origin} is {value}; it must be positive"
            )
        return value
    return str(raw)


def _read_settings_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(
            f"settings file {path} not found; create it or unset {SETTINGS_FILE_ENV}"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(
            f"settings file {path} is not valid TOML: {error}"
        ) from None
    known = {spec.name for spec in SETTINGS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(
            f"settings file {path} has unknown keys {unknown}; "
            f"known keys are {sorted(known)}"
        )
    return data


def load_settings(
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Resolve settings from defaults, the settings file, the environment, overrides.

    The settings file is ``$CITY311_SETTINGS_FILE``, or ``city311.toml`` in the
    working directory when that exists.
    """
    environ = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {spec.name: spec.default for spec in SETTINGS}
    origins = {spec.name: "the defaults" for spec in SETTINGS}

    file_name = environ.get(SETTINGS_FILE_ENV)
    path = Path(file_name) if file_name else Path("city311.toml")
    if file_name or path.exists():
        for key, raw in _read_settings_file(path).items():
            values[key], origins[key] = raw, str(path)

    for spec in SETTINGS:
        env_name = ENV_PREFIX + spec.name.upper()
        if environ.get(env_name):
            values[spec.name], origins[spec.name] = environ[env_name], env_name
    for key, raw in (overrides or {}).items():
        values[key], origins[key] = raw, "the caller"

    by_name = {spec.name: spec for spec in SETTINGS}
    resolved = {k: _convert(by_name[k], v, origins[k]) for k, v in values.items()}
    resolved["data_dir"] = Path(resolved["data_dir"]).expanduser()
    if not resolved["database_url"]:
        # URL.create escapes "?", "#" and "%" in the path, which an f-string
        # would leave to be read as a query, a fragment or an escape.
        store = resolved["data_dir"] / "city311.sqlite"
        resolved["database_url"] = URL.create(
            "sqlite", database=str(store)
        ).render_as_string(hide_password=False)
    _check_database_url(resolved["database_url"], origins.get("database_url"))
    level = resolved["log_level"].upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(
            f"setting log_level from {origins['log_level']} is {level!r}; "
            "use DEBUG, INFO, WARNING or ERROR"
        )
    resolved["log_level"] = level
    names = {field.name for field in fields(Settings)}
    return Settings(**{k: v for k, v in resolved.items() if k in names})


def _check_database_url(url: str, origin: str | None) -> None:
    """Raise SettingsError naming the source of a database URL that cannot be parsed.

    The message leaves the URL out, because it may contain a password.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except ArgumentError:
        raise SettingsError(
            f"setting database_url from {origin or 'the default'} is not a database "
            "URL; write it as sqlite:///PATH or postgresql://USER@HOST/NAME"
        ) from None
