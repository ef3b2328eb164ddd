"""model_facts: each source's own mode, modalities and limits of a model

Model.mode, context_window, max_output and the modalities were set by source precedence, so
one source's mistake (LiteLLM calling gemini-1.5-flash an embedding model) was shown as fact
and the other sources' values were lost. Each source's current values are now kept here and
the Model columns show their consensus (services.facts). Nothing is backfilled: which source
gave a Model column its value was not kept, so the rows fill on the next sync of each source.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 14:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ratecard.db

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'model_facts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('value', sa.JSON(), nullable=False),
        sa.Column('seen_at', ratecard.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['model_id'], ['models.id'],
                                name=op.f('fk_model_facts_model_id_models'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_model_facts')),
        sa.UniqueConstraint('model_id', 'source', 'field',
                            name=op.f('uq_model_facts_model_id_source_field')),
    )
    op.create_index('ix_model_facts_source', 'model_facts', ['source', 'model_id'])


def downgrade() -> None:
    op.drop_index('ix_model_facts_source', table_name='model_facts')
    op.drop_table('model_facts')
