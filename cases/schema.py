"""Creating and upgrading the case-store schema with Alembic."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # The option goes through configparser, which reads "%" as interpolation;
    # a URL-escaped character in a path (such as %3A for ":") must stay as is.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the case store to the newest schema, creating it when empty."""
    with engine.connect() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    log.info("case store at %s is at the newest schema", engine.url.render_as_string())


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration from the models (a developer tool)."""
    with engine.connect() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
