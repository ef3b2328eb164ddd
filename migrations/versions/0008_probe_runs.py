"""probe_runs and probe_summaries: availability measured by our own API calls

One row per probe call (outcome, status, latency, time to first token, tokens, cost from our
own prices, a scrubbed error excerpt; the endpoint's base URL, never a key), and one summary
row per measured model (last 7 days) that the catalog sorts by.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ratecard.db

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'probe_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('cycle', sa.String(length=32), nullable=False),
        sa.Column('trigger', sa.String(length=20), nullable=False),
        sa.Column('started_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('endpoint', sa.String(length=300), nullable=False),
        sa.Column('api', sa.String(length=30), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('http_status', sa.Integer(), nullable=True),
        sa.Column('latency_ms', sa.Integer(), nullable=False),
        sa.Column('ttft_ms', sa.Integer(), nullable=True),
        sa.Column('input_tokens', sa.Integer(), nullable=True),
        sa.Column('output_tokens', sa.Integer(), nullable=True),
        sa.Column('output_tps', ratecard.db.Money(), nullable=True),
        sa.Column('cost_usd', ratecard.db.Money(), nullable=True),
        sa.Column('error', sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(['model_id'], ['models.id'],
                                name=op.f('fk_probe_runs_model_id_models'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_probe_runs')),
    )
    op.create_index('ix_probe_runs_model_started', 'probe_runs', ['model_id', 'started_at'])
    op.create_index('ix_probe_runs_started', 'probe_runs', ['started_at'])
    op.create_table(
        'probe_summaries',
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('computed_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('ok', sa.Integer(), nullable=False),
        sa.Column('latency_p50_ms', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['model_id'], ['models.id'],
                                name=op.f('fk_probe_summaries_model_id_models'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('model_id', name=op.f('pk_probe_summaries')),
    )


def downgrade() -> None:
    op.drop_table('probe_summaries')
    op.drop_index('ix_probe_runs_started', table_name='probe_runs')
    op.drop_index('ix_probe_runs_model_started', table_name='probe_runs')
    op.drop_table('probe_runs')
