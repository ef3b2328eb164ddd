"""The profile's availability and last-test sections: figures per window, charts, and
whether probing is paused by the daily spend cap."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ratecard.charts import availability as availability_chart
from ratecard.charts.prices import figure_json
from ratecard.probes.endpoints import ProbeSettings
from ratecard.queries import availability as qa
from ratecard.queries.rows import Session


@dataclass(frozen=True)
class AvailabilityView:
    stats: qa.Availability
    latency_json: str | None
    availability_json: str | None
    spent_today: Decimal
    cap: Decimal | None

    @property
    def paused(self) -> bool:
        return self.cap is not None and self.spent_today >= self.cap

    percent = staticmethod(lambda value: percent(value))
    whole = staticmethod(lambda value: f"{value:,}")     # 1,000 (exact, never "1k")
    outcome_label = staticmethod(qa.outcome_label)

    @property
    def windows(self) -> list[tuple[str, qa.Window]]:
        labels = {"24h": "24 hours", "7d": "7 days", "30d": "30 days"}
        return [(labels[k], w) for k, w in self.stats.windows.items()]


def availability_view(session: Session, model_id: int, now: dt.datetime) -> AvailabilityView:
    stats = qa.availability(session, model_id, now)
    latency = availability_chart.latency_figure(stats.days, now)
    shares = availability_chart.availability_figure(
        stats.days, [(r.started_at, r.outcome, r.http_status) for r in stats.failures], now)
    try:
        cap: Decimal | None = ProbeSettings.from_env().daily_usd
    except ValueError:                    # a bad setting is the scheduler's error to report
        cap = None
    return AvailabilityView(
        stats=stats, latency_json=figure_json(latency) if latency else None,
        availability_json=figure_json(shares) if shares else None,
        spent_today=qa.spent_since(session, qa.day_start(now)) if stats.measured
        else Decimal(0), cap=cap)


def percent(value: Decimal | None) -> str:
    """'83.33 %' from 0.8333; a dash for nothing measured."""
    if value is None:
        return "—"
    text = format((value * 100).normalize(), "f")
    return f"{text} %"
