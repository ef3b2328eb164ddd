"""Meters right on a full load (every source, the LiteLLM series in date order): no
per-token figure published per image, no $0 output for a model that outputs no text,
no audio/image-token price under text output. Parser-level checks: tests/scrapers/test_meters.py."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from ratecard.models import Model, Price

MILLION = Decimal(1_000_000)
NO_TEXT_MODES = ("embedding", "rerank", "moderation")


def _current(site_db) -> list[tuple[Model, Price]]:  # type: ignore[no-untyped-def]
    with site_db.session() as session:
        rows = session.execute(select(Model, Price).join(Price, Price.model_id == Model.id)
                               .where(Price.valid_to.is_(None))).all()
        session.expunge_all()
    return [(m, p) for m, p in rows]


def test_no_per_image_price_equals_a_per_token_price(site_db) -> None:  # type: ignore[no-untyped-def]
    rows = _current(site_db)
    tokens: dict[tuple[int, str], set[Decimal]] = {}
    for m, p in rows:
        if p.unit == "1M_tokens" and p.amount > 0:
            tokens.setdefault((m.id, p.source), set()).add(p.amount / MILLION)
    bad = [f"{m.canonical_id} {p.source} {p.meter} {p.amount} per image" for m, p in rows
           if p.unit == "image" and p.amount in tokens.get((m.id, p.source), set())]
    assert bad == [], bad


def test_no_zero_output_for_models_without_text_output(site_db) -> None:  # type: ignore[no-untyped-def]
    bad = [f"{m.canonical_id} ({m.mode}) {p.source} output $0" for m, p in _current(site_db)
           if p.meter == "output" and p.amount == 0 and m.mode in NO_TEXT_MODES]
    assert bad == [], f"{len(bad)}: {bad[:20]}"


def test_no_audio_or_image_token_price_under_text_output(site_db) -> None:  # type: ignore[no-untyped-def]
    rows = _current(site_db)
    meters: dict[tuple[int, str], set[str]] = {}
    for m, p in rows:
        meters.setdefault((m.id, p.source), set()).add(p.meter)
    bad = []
    for m, p in rows:
        outputs = set(m.output_modalities or ())
        # A $0 there is no audio/image price (OpenRouter lists Lyria as text+audio, "0").
        if p.meter != "output" or p.amount == 0 or not outputs or "text" in outputs:
            continue
        own = {"audio": "output_audio", "image": "output_image"}
        if len(outputs) == 1 and (kind := next(iter(outputs))) in own \
                and own[kind] not in meters[(m.id, p.source)]:
            bad.append(f"{m.canonical_id} ({kind} only) {p.source} output {p.amount}")
    assert bad == [], bad


def test_embedding_catalog_shows_no_zero_output(site_client) -> None:  # type: ignore[no-untyped-def]
    page = site_client.get("/models?mode=embedding&per_page=500")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    outputs = re.findall(r'data-label="Output">(.*?)</td>', html, re.S)
    assert outputs, "no embedding rows in the catalog"
    assert not [o for o in outputs if "$0.00" in o], "an embedding shows $0.00 output"
