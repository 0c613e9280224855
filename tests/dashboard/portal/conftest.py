"""The live-server fixture with one user per role."""

from tests.live_server import live  # noqa: F401
