"""Jinja filters: instants in city time and status labels."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app

from cases.lifecycle import status_label


def city_time(value: datetime | None) -> str:
    """Format an instant in city time (``2026-06-02 10:00 EDT``), or a dash for None."""
    if value is None:
        return "-"
    zone = current_app.extensions["city311"].city.timezone
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def register_filters(server: Flask) -> None:
    server.jinja_env.filters["city_time"] = city_time
    server.jinja_env.filters["status_label"] = status_label
