"""change_events.model_id nullable: an event about the whole catalog

The first load of a database is recorded as one event ("catalog loaded: N models",
kind catalog_loaded) instead of one "model added" per model; it names no model.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00
"""
from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


@contextmanager
def _quiet_reflection() -> Iterator[None]:
    # SQLite's batch mode reflects change_events and, through its foreign key, models,
    # whose expression index (0003) SQLAlchemy cannot reflect; the copy does not need it.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection",
                                category=sa.exc.SAWarning)
        yield


def upgrade() -> None:
    with _quiet_reflection(), op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.alter_column('model_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM change_events WHERE model_id IS NULL")
    with _quiet_reflection(), op.batch_alter_table('change_events', schema=None) as batch_op:
        batch_op.alter_column('model_id', existing_type=sa.Integer(), nullable=False)
