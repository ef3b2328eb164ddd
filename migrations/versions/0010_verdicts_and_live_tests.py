"""verdicts and live_tests: weekly verdicts; the live-test page's calls

A verdict is a model's week compared with the week before (sentences, tags, run counts),
one per model and week. A live test row counts one visitor call against the daily budget
and the per-visitor limit: never the prompt or answer, the visitor only as a keyed hash.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ratecard.db

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'verdicts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('week_ending', sa.Date(), nullable=False),
        sa.Column('computed_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('previous_runs', sa.Integer(), nullable=False),
        sa.Column('sentences', sa.JSON(), nullable=False),
        sa.Column('tags', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['model_id'], ['models.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('model_id', 'week_ending', name='uq_verdicts_model_week'),
    )
    op.create_index('ix_verdicts_week_ending', 'verdicts', ['week_ending'])
    op.create_table(
        'live_tests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('started_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('latency_ms', sa.Integer(), nullable=True),
        sa.Column('input_tokens', sa.Integer(), nullable=True),
        sa.Column('output_tokens', sa.Integer(), nullable=True),
        sa.Column('cost_usd', ratecard.db.Money(), nullable=False),
        sa.ForeignKeyConstraint(['model_id'], ['models.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_live_tests_started', 'live_tests', ['started_at'])
    op.create_index('ix_live_tests_client_started', 'live_tests', ['client', 'started_at'])


def downgrade() -> None:
    op.drop_index('ix_live_tests_client_started', table_name='live_tests')
    op.drop_index('ix_live_tests_started', table_name='live_tests')
    op.drop_table('live_tests')
    op.drop_index('ix_verdicts_week_ending', table_name='verdicts')
    op.drop_table('verdicts')
