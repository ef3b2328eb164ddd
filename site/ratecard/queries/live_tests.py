"""Reads for the live-test page: today's spend and one visitor's recent calls."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratecard.models.live_tests import LiveTest


def spent_since(session: Session, since: dt.datetime) -> Decimal:
    """What live tests since `since` count against the budget (pending ones at their
    worst case)."""
    return sum(session.scalars(select(LiveTest.cost_usd).where(LiveTest.started_at >= since)),
               Decimal(0))


def calls_since(session: Session, client: str, since: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(LiveTest).where(
        LiveTest.client == client, LiveTest.started_at >= since)) or 0


def oldest_since(session: Session, client: str, since: dt.datetime) -> dt.datetime | None:
    return session.scalar(select(func.min(LiveTest.started_at)).where(
        LiveTest.client == client, LiveTest.started_at >= since))
