"""``city311 serve`` as an operator runs it: a real process answering on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import requests

from tests.city311.test_cli import TEST_CITY, run
from tests.conftest import REPO_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> requests.Response:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_serve_answers_and_logs_stop(tmp_path):
    run(tmp_path, "init")
    port = free_port()
    env = {
        **os.environ,
        "CITY311_DATA_DIR": str(tmp_path / "var"),
        "CITY311_CITY": str(TEST_CITY),
        "CITY311_DATABASE_URL": "",
        "PYTHONPATH": str(REPO_ROOT),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "city311", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = wait_for(f"{base}/healthz")
        assert health.json()["status"] == "ok"
        assert requests.get(f"{base}/request", timeout=30).status_code == 200
        secret = "api_key=k3y-abc&email=bob@example.org&phone=3025550199"
        requests.get(f"{base}/status?{secret}", timeout=30)
        staff = requests.get(f"{base}/queue", timeout=30, allow_redirects=False)
        assert staff.status_code == 302
        assert "/login" in staff.headers["Location"]
    finally:
        server.send_signal(signal.SIGTERM)
        _, log = server.communicate(timeout=30)
    assert server.returncode == 0
    assert f"server on 127.0.0.1:{port} stopped" in log
    assert '"GET /status?[query hidden] HTTP/1.1" 200' in log
    for secret in ("k3y-abc", "bob@example.org", "3025550199"):
        assert secret not in log
