"""Shared by the history rebuild tests: replaying the dated LiteLLM series (with a person's
decisions on held changes), and a LiteLLM parser changed to file one meter under another."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import zlib
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from ratecard.db import Database
from ratecard.models import Model, QuarantinedChange
from ratecard.services import quarantine
from ratecard.services.sync import run_sync
from scrapers import litellm
from scrapers.base import ParseResult, Source
from tests.upstream import upstream_glob

# Meters of the vocabulary a misfiled value could land under (the first unused one is taken).
TARGETS = ("input_video", "output_video", "cache_write_1h", "reasoning")


def series() -> list[Path]:
    return sorted(upstream_glob("litellm", "*.json"), key=day_of)


def day_of(path: Path) -> dt.date:
    found = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
    assert found, f"no date in {path.name}"
    return dt.date.fromisoformat(found.group(0))


def meters_to_move() -> tuple[str, str]:
    """From the data: the most used per-1M-token meter besides input and output (moved),
    and a token meter of the vocabulary no snapshot uses (where it goes)."""
    used: Counter[str] = Counter()
    for path in series():
        for model in litellm.SOURCE.parse(path.read_bytes()).models:
            used.update(p.meter for p in model.prices if p.unit == "1M_tokens")
    moved = next(m for m, _ in used.most_common() if m not in ("input", "output"))
    target = next(m for m in TARGETS if m not in used)
    return moved, target


def misfiling(moved: str, target: str) -> Source:
    """Today's LiteLLM parser, but filing `moved` under `target` (a parser change)."""
    def parse(payload: bytes) -> ParseResult:
        result = litellm.SOURCE.parse(payload)
        for model in result.models:
            model.prices[:] = [dataclasses.replace(p, meter=target) if p.meter == moved else p
                               for p in model.prices]
        return result

    return dataclasses.replace(litellm.SOURCE, parser=parse)


def decide(db: Database, spare: tuple[str, ...]) -> None:
    """A reviewer settling every pending held change (but those on `spare` meters): approve
    or reject by a stable hash of what changed, so two databases decide alike."""
    with db.session() as session:
        rows = session.execute(select(QuarantinedChange.id, Model.canonical_id,
                                      QuarantinedChange.meter, QuarantinedChange.new_amount)
                               .join(Model, Model.id == QuarantinedChange.model_id).where(
            QuarantinedChange.status == "pending", QuarantinedChange.meter.not_in(spare))).all()
        chosen: dict[str, list[int]] = {"approve": [], "reject": []}
        for held_id, model, meter, amount in rows:
            verdict = zlib.crc32(f"{model} {meter} {amount:f}".encode()) % 2
            chosen["approve" if verdict else "reject"].append(held_id)
        for action, ids in chosen.items():
            if ids:
                getattr(quarantine, action)(session, ids)


def replay(db: Database, source: Source, spare: tuple[str, ...] | None = None) -> int:
    """Sync every snapshot of the series in date order; with `spare`, a reviewer decides
    held changes after each run. Returns the number of successful runs."""
    done = 0
    for path in series():
        summary = run_sync(db, source, payload=path.read_bytes(), as_of=day_of(path))
        done += summary.status == "success"
        if spare is not None:
            decide(db, spare)
    return done


def decisions(db: Database) -> Counter[tuple[str, str, str, str, str, str]]:
    with db.session() as session:
        return Counter((model, q.meter, q.unit, q.conditions_key, f"{q.new_amount:f}", q.status)
                       for q, model in session.execute(select(
                           QuarantinedChange, Model.canonical_id).join(
                           Model, Model.id == QuarantinedChange.model_id).where(
                           QuarantinedChange.status.in_(("approved", "rejected")))))
