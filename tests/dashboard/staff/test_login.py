"""Staff login over real HTTP: sessions, cookies, failures and rate limits."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
import requests

from cases.models import WebSession
from tests.conftest import REPO_ROOT
from tests.live_server import PASSWORD, WEB_CITY, csrf_from, login


def attempt(live, username: str, password: str, browser=None) -> requests.Response:
    browser = browser or requests.Session()
    token = csrf_from(browser.get(live.url + "/login", timeout=30).text)
    return browser.post(
        live.url + "/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )


def test_login_sets_httponly_lax_cookie(live):
    response = attempt(live, "pat", PASSWORD)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("city311_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_stored_as_hash(live):
    browser = login(live, "pat")
    session_id = browser.cookies["city311_session"]
    with live.context.sessions() as session:
        stored = [row.id_hash for row in session.query(WebSession)]
    assert stored == [hashlib.sha256(session_id.encode()).hexdigest()]


def test_wrong_password_is_401(live):
    response = attempt(live, "pat", "wrong password")
    assert response.status_code == 401
    assert "city311_session" not in response.headers.get("Set-Cookie", "")
    assert 'aria-describedby="login-error"' in response.text


def test_login_without_csrf_is_400(live):
    response = requests.post(
        live.url + "/login",
        data={"username": "pat", "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 400


def test_login_redirects_to_next(live):
    browser = requests.Session()
    page = browser.get(live.url + "/queue", timeout=30)
    assert page.url.startswith(live.url + "/login?next=")
    token = csrf_from(page.text)
    response = browser.post(
        live.url + "/login",
        data={
            "username": "pat",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/queue",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.headers["Location"] == "/queue"


def test_login_ignores_offsite_next(live):
    browser = requests.Session()
    token = csrf_from(browser.get(live.url + "/login", timeout=30).text)
    response = browser.post(
        live.url + "/login",
        data={
            "username": "pat",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.headers["Location"] == "/queue"


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("may", "/"),
        ("ada", "/"),
        ("hal", "/queue"),
        ("pat", "/queue"),
        ("amy", "/console"),
    ],
)
def test_login_lands_on_role_start_page(live, username, landing):
    live.add_user("ada", "admin")
    response = attempt(live, username, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_login_next_overrides_role_start_page(live):
    browser = requests.Session()
    token = csrf_from(browser.get(live.url + "/login?next=/console", timeout=30).text)
    response = browser.post(
        live.url + "/login",
        data={
            "username": "may",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/console?type=POTHOLE",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.headers["Location"] == "/console?type=POTHOLE"


def test_logout_ends_session(live):
    browser = login(live, "pat")
    token = csrf_from(browser.get(live.url + "/login", timeout=30).text)
    browser.post(live.url + "/logout", data={"csrf_token": token}, timeout=30)
    with live.context.sessions() as session:
        assert session.query(WebSession).count() == 0
    response = browser.get(live.url + "/console", allow_redirects=False, timeout=30)
    assert response.status_code == 302


def test_login_rate_limited_per_username(live):
    live.server.config["CITY311_LOGIN_USER_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert attempt(live, "pat", "wrong password").status_code == 401
    assert attempt(live, "pat", PASSWORD).status_code == 429
    assert attempt(live, "hal", PASSWORD).status_code == 302


def test_login_rate_limited_per_address(live):
    live.server.config["CITY311_LOGIN_IP_LIMIT"] = "3 per minute"
    for name in ("a1", "a2", "a3"):
        assert attempt(live, name, "wrong password").status_code == 401
    assert attempt(live, "pat", PASSWORD).status_code == 429


def test_login_rate_limit_page(live):
    live.server.config["CITY311_LOGIN_USER_LIMIT"] = "3 per minute"
    for _ in range(3):
        attempt(live, "pat", "wrong password")
    response = attempt(live, "pat", PASSWORD)
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("text/html")
    assert (
        "There were too many login attempts, so please wait a minute and try again."
        in response.text
    )
    assert '<header class="site">' in response.text
    assert "per 1 minute" not in response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_login_logged_without_password(live, caplog):
    caplog.set_level("INFO", logger="dashboard.staff.login")
    attempt(live, "pat", "wrong password 123")
    attempt(live, "pat", PASSWORD)
    text = caplog.text
    assert "login failed for user 'pat'" in text
    assert "login succeeded for user 'pat'" in text
    assert "wrong password 123" not in text
    assert PASSWORD not in text


def test_unknown_login_name_not_logged(live, caplog):
    """A password typed into the name field must not reach the log."""
    caplog.set_level("INFO", logger="dashboard.staff.login")
    attempt(live, "hunter2-typed-as-name", "x")
    assert "login failed for user (no such login)" in caplog.text
    assert "hunter2" not in caplog.text


def user_command(live, tmp_path, *args: str, stdin: str = ""):
    """Run ``city311 user ...`` in a subprocess on the live server's case store."""
    env = {
        **os.environ,
        "CITY311_DATA_DIR": str(tmp_path / "cli"),
        "CITY311_DATABASE_URL": live.context.settings.database_url,
        "CITY311_CITY": str(WEB_CITY),
        "PYTHONPATH": str(REPO_ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "city311", "user", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_disabled_user_loses_session(live, tmp_path):
    browser = login(live, "pat")
    before = browser.get(live.url + "/queue", timeout=30)
    user_command(live, tmp_path, "disable", "pat")
    after = browser.get(live.url + "/queue", timeout=30)
    refused = attempt(live, "pat", PASSWORD)
    assert before.url == live.url + "/queue"
    assert after.url.startswith(live.url + "/login?next=")
    assert refused.status_code == 401
    user_command(live, tmp_path, "enable", "pat")
    assert attempt(live, "pat", PASSWORD).status_code == 302


def test_password_change_ends_session(live, tmp_path):
    browser = login(live, "pat")
    other = login(live, "hal")
    user_command(live, tmp_path, "set-password", "pat", stdin="a new passphrase\n")
    after = browser.get(live.url + "/queue", timeout=30)
    assert after.url.startswith(live.url + "/login?next=")
    assert other.get(live.url + "/queue", timeout=30).url == live.url + "/queue"
    assert attempt(live, "pat", PASSWORD).status_code == 401
    assert attempt(live, "pat", "a new passphrase").status_code == 302
