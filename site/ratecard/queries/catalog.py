"""Read-side queries over the whole catalog."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.models import Model


def model_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Model)) or 0
