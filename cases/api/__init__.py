"""The Open311 GeoReport v2 API: ``register_open311(server, limiter)`` mounts it."""

from cases.api.routes import register_open311

__all__ = ["register_open311"]
