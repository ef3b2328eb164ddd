"""catalog rows: the listing's denormalised table, one row per model

Filled by `ratecard db upgrade` (ratecard.migrate) from the normalised tables, then kept by
every write (services/catalog_rows.py; docs/syncing.md, "After a sync").

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 15:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ratecard.db

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MONEY = ('input', 'output', 'input_low', 'input_high', 'output_low', 'output_high')
_IMAGE_MONEY = ('per_image_low', 'per_image_high', 'output_image_low', 'output_image_high')
_SORTS = ('sort_input', 'sort_output', 'sort_image_tokens', 'sort_per_image', 'sort_image')
# (index, column) of the sorts people use, each with canonical_id (the tie-break).
_INDEXES = (('provider', 'provider_slug'), ('mode', 'mode'), ('input', 'sort_input'),
            ('output', 'sort_output'), ('context', 'context_window'),
            ('released', 'release_date'), ('availability', 'availability'),
            ('p50', 'probe_p50_ms'))


def upgrade() -> None:
    op.create_table(
        'catalog_rows',
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('canonical_id', sa.String(length=255), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('mode', sa.String(length=40), nullable=True),
        sa.Column('context_window', sa.Integer(), nullable=True),
        sa.Column('release_date', sa.Date(), nullable=True),
        sa.Column('deprecation_date', sa.Date(), nullable=True),
        sa.Column('provider_slug', sa.String(length=80), nullable=False),
        sa.Column('provider_name', sa.String(length=200), nullable=False),
        sa.Column('input_modalities', sa.JSON(), nullable=True),
        sa.Column('output_modalities', sa.JSON(), nullable=True),
        sa.Column('capabilities', sa.String(length=400), nullable=False),
        *(sa.Column(name, ratecard.db.Money(), nullable=True) for name in _MONEY[:2]),
        sa.Column('output_unit', sa.String(length=20), nullable=False),
        *(sa.Column(name, ratecard.db.Money(), nullable=True) for name in _MONEY[2:]),
        sa.Column('probe_computed_at', ratecard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('probe_runs', sa.Integer(), nullable=True),
        sa.Column('probe_ok', sa.Integer(), nullable=True),
        sa.Column('probe_p50_ms', sa.Integer(), nullable=True),
        sa.Column('availability', sa.Float(), nullable=True),
        sa.Column('has_image', sa.Boolean(), nullable=False),
        sa.Column('per_image_from', ratecard.db.Money(), nullable=True),
        sa.Column('output_image', ratecard.db.Money(), nullable=True),
        sa.Column('standard_quality', sa.String(length=80), nullable=True),
        sa.Column('standard_size', sa.String(length=80), nullable=True),
        sa.Column('standard_amount', ratecard.db.Money(), nullable=True),
        sa.Column('standard_computed', sa.Boolean(), nullable=True),
        sa.Column('standard_tokens', sa.Integer(), nullable=True),
        sa.Column('standard_rate', ratecard.db.Money(), nullable=True),
        *(sa.Column(name, ratecard.db.Money(), nullable=True) for name in _IMAGE_MONEY),
        *(sa.Column(name, sa.Float(), nullable=True) for name in _SORTS),
        sa.ForeignKeyConstraint(['model_id'], ['models.id'],
                                name=op.f('fk_catalog_rows_model_id_models'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('model_id', name=op.f('pk_catalog_rows')),
        sa.UniqueConstraint('canonical_id', name=op.f('uq_catalog_rows_canonical_id')),
    )
    for name, column in _INDEXES:
        op.create_index(f'ix_catalog_rows_{name}', 'catalog_rows', [column, 'canonical_id'])
    op.create_index('ix_catalog_rows_name_lower', 'catalog_rows',
                    [sa.text('lower(name)'), 'canonical_id'])


def downgrade() -> None:
    op.drop_table('catalog_rows')
