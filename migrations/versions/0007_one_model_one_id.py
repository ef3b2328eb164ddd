"""one model, one id: merge models whose ids spell one version two ways

OpenRouter spells `anthropic/claude-opus-4.7` where the lab and the other sources say
`claude-opus-4-7`; LiteLLM lists Vercel's `claude-3.5-sonnet` beside `claude-3-5-sonnet`;
Azure's `gpt-35-turbo` beside `gpt-3.5-turbo`; LiteLLM's and genai-prices' `openrouter/<lab>/…`
copies had models of their own. The parsers now give one id (scrapers.ids); this merges the
models a database created under the old rules (services.id_merge.unify): prices,
capabilities, change events, aliases, held changes, facts and content pages move to the
kept spelling (the highest-precedence source's), overlapping current rows keep the newer,
and every old id stays an alias, so its page redirects. A reseller copy's own model
(`openrouter/anthropic/…`) is not merged here: its rows stay history, and its key moves to
the lab's model at that source's next sync.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from sqlalchemy.orm import Session

    from ratecard.db import utcnow
    from ratecard.services.id_merge import unify

    session = Session(bind=op.get_bind())
    unify(session, utcnow())
    session.flush()


def downgrade() -> None:
    # Merged models cannot be told apart again; their old ids still resolve as aliases.
    pass
