from pathlib import Path

import pytest

from city311.settings import SETTINGS, SettingsError, load_settings
from tests.conftest import REPO_ROOT


def test_defaults_use_sqlite_in_data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.data_dir == Path("var")
    assert settings.database_url == "sqlite:///var/city311.sqlite"
    assert settings.city == "wilmington"
    assert settings.etl_interval_minutes == 5


def test_file_then_environment_override(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "city311.toml").write_text(
        'city = "file-city"\netl_interval_minutes = 7\n'
    )
    settings = load_settings(environ={"CITY311_CITY": "env-city"})
    assert settings.city == "env-city"
    assert settings.etl_interval_minutes == 7


def test_bad_integer_names_setting_and_origin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError, match="etl_interval_minutes from CITY311_ETL"):
        load_settings(environ={"CITY311_ETL_INTERVAL_MINUTES": "five"})


def test_unknown_key_in_file_rejected(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "settings.toml"
    path.write_text('databse_url = "x"\n')
    with pytest.raises(SettingsError, match="unknown keys \\['databse_url'\\]"):
        load_settings(environ={"CITY311_SETTINGS_FILE": str(path)})


def test_missing_settings_file_rejected(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError, match="not found"):
        load_settings(environ={"CITY311_SETTINGS_FILE": str(tmp_path / "nope.toml")})


def test_bad_log_level_rejected(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError, match="log_level"):
        load_settings(environ={"CITY311_LOG_LEVEL": "LOUD"})


def test_unparsable_database_url_rejected_without_echo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = "notaurl-with-secret"
    with pytest.raises(
        SettingsError, match="from CITY311_DATABASE_URL is not a"
    ) as caught:
        load_settings(environ={"CITY311_DATABASE_URL": url})
    assert url not in str(caught.value)


def test_readme_lists_every_setting():
    readme = (REPO_ROOT / "README.md").read_text()
    missing = [s.name for s in SETTINGS if f"CITY311_{s.name.upper()}" not in readme]
    assert missing == []


def test_data_dir_with_url_characters(tmp_path, monkeypatch):
    # "?", "#" and "%20" in a folder name are part of the path, not a query,
    # a fragment or an escape.
    from sqlalchemy.engine import make_url

    from cases import schema
    from cases.db import make_engine

    folder = tmp_path / "odd ?x=1 #2 %20 dir"
    settings = load_settings(environ={"CITY311_DATA_DIR": str(folder)})
    assert make_url(settings.database_url).database == str(folder / "city311.sqlite")
    engine = make_engine(settings.database_url)
    schema.upgrade(engine)
    engine.dispose()
    assert (folder / "city311.sqlite").is_file()
