"""stored_pages and page_builds: the page store, rendered on write and shared by every
worker (docs/pages.md)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 15:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ratecard.db

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'stored_pages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('url_root', sa.Text(), nullable=False),
        sa.Column('address', sa.Text(), nullable=False),
        sa.Column('endpoint', sa.String(length=80), nullable=False),
        sa.Column('content_type', sa.String(length=120), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('body', sa.LargeBinary(), nullable=False),
        sa.Column('gzip_body', sa.LargeBinary(), nullable=True),
        sa.Column('etag', sa.String(length=200), nullable=False),
        sa.Column('data_version', sa.String(length=200), nullable=False),
        sa.Column('rendered_day', sa.Date(), nullable=False),
        sa.Column('rendered_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('depends_on', sa.JSON(), nullable=False),
        sa.Column('stale', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_stored_pages_stale_day', 'stored_pages', ['stale', 'rendered_day'])
    op.create_table(
        'page_builds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', ratecard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('data_version', sa.String(length=200), nullable=False),
        sa.Column('marks', sa.JSON(), nullable=False),
        sa.Column('marked_stale', sa.Integer(), nullable=False),
        sa.Column('rendered', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('page_builds')
    op.drop_index('ix_stored_pages_stale_day', table_name='stored_pages')
    op.drop_table('stored_pages')
