"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL:
a model changed without its Alembic revision (or the reverse) fails here, not in production."""
from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import ratecard.models  # noqa: F401  (every table on Base.metadata)
from ratecard.db import Base, Database


def test_migrated_schema_equals_the_models(db: Database) -> None:
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes (ix_models_name_lower); alembic says so
        warnings.simplefilter("ignore")
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
