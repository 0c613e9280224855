"""``city311 user add`` and ``city311 apikey add`` run as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT

WEB_CITY = REPO_ROOT / "tests" / "fixtures" / "webville.toml"


def run(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_CITY": str(WEB_CITY),
        "CITY311_DATABASE_URL": "",
        "PYTHONPATH": str(REPO_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "city311", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_user_add_reads_password_from_stdin(tmp_path):
    assert run(tmp_path, "init").returncode == 0
    result = run(
        tmp_path,
        "user",
        "add",
        "pat",
        "--role",
        "staff",
        "--department",
        "PW",
        stdin="a long enough password\n",
    )
    assert result.returncode == 0, result.stderr
    assert "pat" in result.stdout
    assert "a long enough password" not in result.stdout + result.stderr


def test_user_add_rejects_unknown_department(tmp_path):
    assert run(tmp_path, "init").returncode == 0
    result = run(
        tmp_path,
        "user",
        "add",
        "pat",
        "--role",
        "staff",
        "--department",
        "XX",
        stdin="a long enough password\n",
    )
    assert result.returncode == 2
    assert "XX" in result.stderr


def test_user_add_rejects_unknown_role(tmp_path):
    result = run(tmp_path, "user", "add", "pat", "--role", "boss", stdin="x\n")
    assert result.returncode == 2
    assert "boss" in result.stderr


def test_apikey_add_prints_key_once(tmp_path):
    assert run(tmp_path, "init").returncode == 0
    result = run(tmp_path, "apikey", "add", "Fix-it app")
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip()
    assert len(key) >= 40
    assert key not in result.stderr
    again = run(tmp_path, "apikey", "add", "Fix-it app")
    assert again.returncode == 2
