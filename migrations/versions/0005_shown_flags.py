"""shown flags on current prices and capabilities

Which source's value a reader sees was decided separately by six readers (and unknown sources
ranked differently in each). ratecard.precedence is now the one rule, including freshness (a
value superseded by a newer change at another source no longer wins by precedence alone), and
services.shown stores its pick as `shown` on current rows; the partial index ix_prices_shown
holds only current, shown rows. The flags of existing rows are computed here.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("prices", "capabilities"):
        op.add_column(table, sa.Column("shown", sa.Boolean(), server_default=sa.false(),
                                       nullable=False))
    bind = op.get_bind()
    # Written as the model's expression compiles, so each planner matches its queries to it.
    true = "1" if bind.dialect.name == "sqlite" else "true"
    where = sa.text(f"shown = {true} AND valid_to IS NULL")
    op.create_index("ix_prices_shown", "prices", ["meter", "unit", "conditions_key", "model_id"],
                    sqlite_where=where, postgresql_where=where)
    from ratecard.services.shown import refresh_shown

    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM models ORDER BY id"))]
    refresh_shown(bind, ids)


def downgrade() -> None:
    op.drop_index("ix_prices_shown", table_name="prices")
    for table in ("prices", "capabilities"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("shown")
