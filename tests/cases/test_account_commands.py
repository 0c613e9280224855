"""``city311 user`` and ``city311 apikey add`` run as real processes."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from cases.accounts import authenticate
from cases.db import make_engine, make_session_factory, transaction
from tests.conftest import REPO_ROOT

WEB_CITY = REPO_ROOT / "tests" / "fixtures" / "webville.toml"
PASSWORD = "a long enough password"


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


def env_on(folder: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "CITY311_DATA_DIR": str(folder / "var"),
        "CITY311_CITY": str(WEB_CITY),
        "CITY311_DATABASE_URL": database_url,
        "PYTHONPATH": str(REPO_ROOT),
    }


def city311_on(
    folder: Path, database_url: str, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess:
    """Run the command on the case store at ``database_url``."""
    return subprocess.run(
        [sys.executable, "-m", "city311", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env_on(folder, database_url),
        cwd=folder,
        timeout=120,
    )


def _take_terminal() -> None:
    """Make standard input, a pseudo-terminal, the controlling terminal."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _read_until(primary: int, expected: bytes) -> bytes:
    """Read terminal output until ``expected`` appears; fail after 60 s without it."""
    output = b""
    deadline = time.monotonic() + 60
    while expected not in output:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {expected!r} in terminal output {output!r}"
        ready, _, _ = select.select([primary], [], [], remaining)
        if ready:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # Linux raises EIO once the child closed the terminal
                chunk = b""
            assert chunk, f"terminal closed before {expected!r}: {output!r}"
            output += chunk
    return output


def run_on_terminal(
    folder: Path, database_url: str, args: list[str], answers: list[tuple[str, str]]
) -> tuple[int, str]:
    """Run the command on a pseudo-terminal and answer (prompt, answer) in turn.

    Each answer is typed only after its prompt appeared, because the hidden
    prompt discards input typed ahead. Returns the exit status and everything
    the terminal showed.
    """
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "city311", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env_on(folder, database_url),
        cwd=folder,
        preexec_fn=_take_terminal,
    )
    os.close(secondary)
    terminal_text = b""
    try:
        for prompt, answer in answers:
            terminal_text += _read_until(primary, prompt.encode())
            os.write(primary, answer.encode() + b"\n")
        terminal_text += _read_until(primary, b"\n")
        status = process.wait(timeout=120)
        while select.select([primary], [], [], 0)[0]:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            terminal_text += chunk
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
            process.wait()
    return status, terminal_text.decode()


@pytest.fixture
def users(tmp_path: Path, database_url: str):
    """A case store with the logins pat (staff, PW) and may (mayor)."""

    def command(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return city311_on(tmp_path, database_url, *args, stdin=stdin)

    assert command("init").returncode == 0
    pat = command(
        "user",
        "add",
        "pat",
        "--role",
        "staff",
        "--department",
        "PW",
        stdin=f"{PASSWORD}\n",
    )
    may = command("user", "add", "may", "--role", "mayor", stdin=f"{PASSWORD}\n")
    assert pat.returncode == 0, pat.stderr
    assert may.returncode == 0, may.stderr
    return command


def test_user_list_json(users):
    result = users("user", "list", "--json")
    listed = json.loads(result.stdout)["users"]
    assert result.returncode == 0, result.stderr
    assert [u["username"] for u in listed] == ["may", "pat"]
    assert set(listed[0]) == {"username", "role", "department", "active", "created_at"}
    assert listed[1]["role"] == "staff"
    assert listed[1]["department"] == "PW"
    assert listed[1]["active"] is True
    assert "argon2" not in result.stdout


def test_user_list_text(users):
    users("user", "disable", "pat")
    result = users("user", "list")
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[0].split() == ["username", "role", "department", "active", "created"]
    assert lines[1].split()[:4] == ["may", "mayor", "-", "yes"]
    assert lines[2].split()[:4] == ["pat", "staff", "PW", "no"]
    assert "argon2" not in result.stdout


def test_set_password_from_stdin(users, tmp_path, database_url):
    result = users("user", "set-password", "pat", stdin="a brand new passphrase\n")
    assert result.returncode == 0, result.stderr
    assert "Password of user pat changed" in result.stdout
    assert "password of user 'pat' changed" in result.stderr
    assert "a brand new passphrase" not in result.stdout + result.stderr
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            assert authenticate(session, "pat", PASSWORD) is None
            assert authenticate(session, "pat", "a brand new passphrase") is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("set-password", "nobody"), f"{PASSWORD}\n", "user 'nobody' not found"),
        (("set-password", "pat"), "short\n", "password for user 'pat' has 5"),
        (("disable", "nobody"), "", "user 'nobody' not found"),
        (("enable", "nobody"), "", "user 'nobody' not found"),
    ],
)
def test_user_commands_reject_bad_input(users, args, stdin, expected):
    result = users("user", *args, stdin=stdin)
    assert result.returncode == 2
    assert expected in result.stderr
    if stdin.strip():
        assert stdin.strip() not in result.stderr


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        (" " * 10 + "\n", "contains only whitespace"),
        ("ab" + "\n" * 8 + "\n", "contains a control character"),
        ("a long\tenough password\n", "contains a control character"),
        ("a long enough\x7fpassword\n", "contains a control character"),
    ],
)
def test_set_password_rejects_untypable(users, database_url, stdin, expected):
    result = users("user", "set-password", "pat", stdin=stdin)
    assert result.returncode == 2
    assert f"password for user 'pat' is invalid: it {expected}" in result.stderr
    assert "Traceback" not in result.stderr
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            assert authenticate(session, "pat", PASSWORD) is not None
    finally:
        engine.dispose()


def test_user_add_rejects_whitespace_password(users):
    result = users("user", "add", "lee", "--role", "mayor", stdin="\t" * 12)
    assert result.returncode == 2
    assert "password is invalid: it contains only whitespace" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("set-password", "pat"),
        ("add", "lee", "--role", "mayor"),
    ],
)
def test_password_not_utf8(users, tmp_path, database_url, args):
    result = subprocess.run(
        [sys.executable, "-m", "city311", "user", *args],
        input=b"\xff\xfe0123456789\n",
        capture_output=True,
        env=env_on(tmp_path, database_url),
        cwd=tmp_path,
        timeout=120,
    )
    stderr = result.stderr.decode()
    assert result.returncode == 2
    assert "the password on standard input is not valid UTF-8 text" in stderr
    assert "Traceback" not in stderr


def test_disable_and_enable(users, database_url):
    disabled = users("user", "disable", "pat")
    again = users("user", "disable", "pat")
    enabled = users("user", "enable", "pat")
    assert disabled.returncode == 0, disabled.stderr
    assert disabled.stdout.startswith("User pat disabled")
    assert "user 'pat' disabled" in disabled.stderr
    assert again.returncode == 0
    assert again.stdout.strip() == "User pat was already disabled."
    assert "disabled" not in again.stderr
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout.strip() == "User pat enabled."
    assert "user 'pat' enabled" in enabled.stderr


def test_set_password_on_terminal(users, tmp_path, database_url):
    new, repeat = "New password: ", "Repeat for confirmation: "
    status, terminal_text = run_on_terminal(
        tmp_path,
        database_url,
        ["user", "set-password", "pat"],
        [
            (new, "first new passphrase"),
            (repeat, "a typo"),
            (new, "a terminal passphrase"),
            (repeat, "a terminal passphrase"),
        ],
    )
    assert status == 0, terminal_text
    assert "New password: " in terminal_text
    assert "Repeat for confirmation: " in terminal_text
    assert "do not match" in terminal_text
    assert "Password of user pat changed" in terminal_text
    assert "passphrase" not in terminal_text
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            assert authenticate(session, "pat", "a terminal passphrase") is not None
    finally:
        engine.dispose()
