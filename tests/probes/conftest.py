"""Models with prices to probe, and a fake provider on loopback."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ratecard.models import Model, Price, Provider
from tests.probes.fakeprovider import FakeProvider

KEY = "sk-test-Zq9XvB7mK2pL4nR8tY1wE5"
SINCE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# id -> (provider slug, mode, {meter: (unit, amount)})
MODELS = {
    "openai/test-chat": ("openai", "chat", {"input": ("1M_tokens", "2.5"),
                                            "output": ("1M_tokens", "10")}),
    "anthropic/test-claude": ("anthropic", "chat", {"input": ("1M_tokens", "3"),
                                                    "output": ("1M_tokens", "15")}),
    "google/test-gemini": ("google", "chat", {"input": ("1M_tokens", "1.25"),
                                              "output": ("1M_tokens", "10")}),
    "openai/gpt-image-1": ("openai", "image_generation", {"image": ("image", "0.011")}),
    "openai/unpriced": ("openai", "chat", {}),
    "openai/text-embedding-x": ("openai", "embedding", {"input": ("1M_tokens", "0.02")}),
}


def add_models(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = {}
    with db.session() as session:
        providers = {}
        for slug in {p for p, _, _ in MODELS.values()}:
            providers[slug] = Provider(slug=slug, name=slug.title())
            session.add(providers[slug])
        for canonical, (slug, mode, prices) in MODELS.items():
            model = Model(canonical_id=canonical, provider=providers[slug],
                          name=canonical.split("/")[1], mode=mode)
            session.add(model)
            session.flush()
            ids[canonical] = model.id
            for meter, (unit, amount) in prices.items():
                conditions = "quality=low;size=1024x1024" if meter == "image" else ""
                session.add(Price(model_id=model.id, source="litellm", meter=meter,
                                  unit=unit, amount=Decimal(amount),
                                  quality="low" if meter == "image" else None,
                                  size="1024x1024" if meter == "image" else None,
                                  conditions_key=conditions, valid_from=SINCE, shown=True))
    return ids


@pytest.fixture
def models(db):  # type: ignore[no-untyped-def]
    return add_models(db)


@pytest.fixture(scope="module")
def fake():
    with FakeProvider(slow_seconds=0.3, drip_seconds=0.05) as server:
        yield server


def env_for(fake: FakeProvider, **extra: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.base("openai"),
            "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": fake.base("anthropic"),
            "GEMINI_API_KEY": KEY, "GEMINI_BASE_URL": fake.base("gemini"), **extra}
