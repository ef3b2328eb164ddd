"""The offline catalog: the genai-prices package data, the bundled LiteLLM snapshot and the
bundled models.dev tree."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest

from scrapers import exact_json, genai_prices, offline
from scrapers.base import METERS, UNITS, Conditions, ModelRecord
from tests.upstream import upstream

LITELLM_SHA256 = "d367a97d5e53cdea0ea68853afba06c8429afa51cfc3fe834a9a1d8eb8e8d68f"


@pytest.fixture(scope="module")
def bundled() -> dict[str, ModelRecord]:
    result = genai_prices.parse(offline.genai_prices_bundled_payload())
    assert result.skipped == []
    return {m.canonical_id: m for m in result.models}


def amount(model: ModelRecord, meter: str, **conditions: object) -> Decimal | None:
    wanted = Conditions(**conditions)  # type: ignore[arg-type]
    found = [p.amount for p in model.prices
             if p.meter == meter and p.conditions == wanted and p.effective_from is None]
    return found[0] if found else None


def test_genai_prices_payload_parses_into_many_models(bundled: dict[str, ModelRecord]) -> None:
    assert len(bundled) > 2000
    for model in bundled.values():
        for p in model.prices:
            assert isinstance(p.amount, Decimal) and p.amount.is_finite() and p.amount >= 0
            assert p.meter in METERS and p.unit in UNITS


def test_genai_prices_known_values(bundled: dict[str, ModelRecord]) -> None:
    gpt4o = bundled["openai/gpt-4o"]
    assert (amount(gpt4o, "input"), amount(gpt4o, "output")) == (Decimal("2.5"), Decimal(10))
    assert amount(gpt4o, "cache_read") == Decimal("1.25")
    image = bundled["openai/gpt-image-2"]
    assert amount(image, "input") == Decimal(5)
    assert amount(image, "input_image") == Decimal(8)
    assert amount(image, "output_image") == Decimal(30)
    assert amount(image, "output") is None
    # Variants and time windows survive the Python -> JSON -> parser round trip.
    assert any(p.conditions.service_tier == "batch" for p in gpt4o.prices)
    v4 = bundled["deepseek/deepseek-v4-flash"]
    assert {p.conditions.time_window for p in v4.prices} == {
        "01:00-04:00", "06:00-10:00", "04:00-06:00", "10:00-01:00"}


def test_genai_prices_payload_matches_the_package_objects() -> None:
    from genai_prices import data

    document = exact_json.loads(offline.genai_prices_bundled_payload(), "test")
    assert [p["id"] for p in document] == [p.id for p in data.providers]
    openai = next(p for p in document if p["id"] == "openai")
    gpt4o = next(m for m in openai["models"] if m["id"] == "gpt-4o")
    source = next(m for p in data.providers if p.id == "openai" for m in p.models
                  if m.id == "gpt-4o")
    assert gpt4o["prices"]["input_mtok"] == source.prices.input_mtok   # Decimal, exact
    assert gpt4o["match"]["or"][0] == {"equals": "gpt-4o"}
    assert "or_" not in offline.genai_prices_bundled_payload().decode()


def test_genai_prices_payload_loads_back_into_the_package_objects() -> None:
    """The package's own loader reads our JSON back into exactly its bundled data."""
    from genai_prices import data, types

    loader = getattr(types, "_providers_from_raw", None)
    if loader is None:
        pytest.skip("this genai-prices version has no _providers_from_raw loader")
    raw = json.loads(offline.genai_prices_bundled_payload(), parse_float=Decimal)
    assert loader(raw) == data.providers


def test_genai_prices_payload_is_deterministic() -> None:
    assert offline.genai_prices_bundled_payload() == offline.genai_prices_bundled_payload()


def test_to_json_spellings() -> None:
    utc = dt.time(0, 30, tzinfo=dt.UTC)
    assert offline.to_json(utc) == "00:30:00Z"
    assert offline.to_json(dt.time(1, 0)) == "01:00:00Z"
    assert offline.to_json(dt.date(2027, 1, 1)) == "2027-01-01"
    with pytest.raises(TypeError):
        offline.to_json(object())


def test_litellm_bundle_is_the_snapshot() -> None:
    body, meta = offline.litellm_bundled()
    assert hashlib.sha256(body).hexdigest() == LITELLM_SHA256
    assert meta["as_of"] == dt.date(2026, 7, 24) and meta["commit"] == "8442b939"
    assert "MIT" in meta["origin"] and "LiteLLM" in meta["origin"]
    document = json.loads(body)
    assert len(document) > 2500
    if importlib.util.find_spec("scrapers.litellm") is not None:
        from scrapers import litellm

        result = litellm.SOURCE.parse(body)
        assert len(result.models) > 2000


def test_litellm_bundle_matches_upstream_file_and_is_deterministic(tmp_path: Path) -> None:
    source = upstream("litellm", "model_prices_2026-07-24_8442b939.json")
    rebuilt = tmp_path / "rebuilt.json.gz"
    offline.write_litellm_bundle(source, rebuilt)
    shipped = offline.data_dir() / offline.LITELLM_FILE
    assert rebuilt.read_bytes() == shipped.read_bytes()
    assert gzip.decompress(shipped.read_bytes()) == source.read_bytes()


MODELSDEV_SHA256 = "9ca0738e9b204489023e0ea6caf6bdb4d92016b5df5cee94872396dca2a74f5b"


def test_modelsdev_bundle_reads_like_a_checkout() -> None:
    shipped = offline.data_dir() / offline.MODELSDEV_FILE
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == MODELSDEV_SHA256
    body, meta = offline.modelsdev_bundled()
    from scrapers import modelsdev

    models = {m.canonical_id: m for m in modelsdev.SOURCE.parse(body).models}
    assert len(models) > 100 and meta["as_of"] == dt.date(2026, 6, 30)
    gpt4o = models["openai/gpt-4o"]
    assert (gpt4o.name, gpt4o.release_date, gpt4o.context_window) == (
        "GPT-4o", dt.date(2024, 5, 13), 128000)


def test_modelsdev_bundle_is_the_shared_tree_and_deterministic(tmp_path: Path) -> None:
    tree = upstream("modelsdev")
    rebuilt = tmp_path / "rebuilt.tar.gz"
    offline.write_modelsdev_bundle(tree, rebuilt)
    assert rebuilt.read_bytes() == (offline.data_dir() / offline.MODELSDEV_FILE).read_bytes()
    from scrapers import modelsdev

    # the same document a checkout of the tree gives (the normal models.dev path)
    assert offline.modelsdev_bundled()[0] == modelsdev.SOURCE.fetch(str(tree)).body


def test_data_dir_has_readme() -> None:
    readme = (offline.data_dir() / "README.md").read_text()
    assert "8442b939" in readme and "MIT" in readme
    assert offline.MODELSDEV_FILE in readme


def test_offline_payloads() -> None:
    payloads = offline.offline_payloads()
    assert [p.source for p in payloads] == ["genai_prices", "litellm", "modelsdev"]
    genai, litellm_payload, modelsdev_payload = payloads
    assert genai.version == offline.genai_prices_version() and genai.version in genai.origin
    assert genai.as_of == dt.datetime.now(dt.UTC).date()
    assert litellm_payload.as_of == dt.date(2026, 7, 24)
    assert modelsdev_payload.as_of == dt.date(2026, 6, 30) and "MIT" in modelsdev_payload.origin
    # each recorded with an address that says it is the shipped copy
    assert [p.url for p in payloads] == [f"offline:genai_prices@{genai.version}",
                                         "offline:litellm@8442b939",
                                         "offline:modelsdev@2026-06-30"]
    assert offline.offline_version(litellm_payload.url) == "8442b939"
    assert offline.offline_version("https://example.org/x.json") is None
    assert all(isinstance(p.payload, bytes) and p.payload for p in payloads)
