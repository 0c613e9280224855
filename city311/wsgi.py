"""WSGI entry point for production servers: ``gunicorn city311.wsgi:app``."""

from city311.web import create_server

app = create_server()
