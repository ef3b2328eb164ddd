"""spend_reservations: the worst case of each probe call in flight, held against the daily
spend cap so that probing processes side by side cannot pass it together

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ratecard.db

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'spend_reservations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ledger', sa.String(length=20), nullable=False),
        sa.Column('amount', ratecard.db.Money(), nullable=False),
        sa.Column('created_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_spend_reservations_ledger_expires', 'spend_reservations',
                    ['ledger', 'expires_at'])


def downgrade() -> None:
    op.drop_index('ix_spend_reservations_ledger_expires', table_name='spend_reservations')
    op.drop_table('spend_reservations')
