"""Running Alembic from code: `ratecard db upgrade`, serve's first start, the tests."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from ratecard.config import PROJECT_ROOT
from ratecard.db import Database


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # '%' is ConfigParser's interpolation character; URLs may contain it.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    config = alembic_config(database.url)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def is_empty(database: Database) -> bool:
    return not inspect(database.engine).has_table("models")
