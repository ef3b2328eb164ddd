"""models.dev: the open catalog of models, their limits, capabilities and prices.

Live payload: https://models.dev/api.json,
  {provider_id: {id, name, env, npm, doc, models: {model_id: {...}}}}
with cost in USD per 1M tokens. A local directory holding a checkout of the
models.dev repository (TOML) is accepted as the URL too: fetch() builds the
same document from it (scrapers.modelsdev.toml) and that JSON is the raw
payload we keep. parse() reads only the api.json shape.

Canonical id: "<provider slug>/<model id>" lowercased, where the slug is the
models.dev provider id put into the project's vocabulary (PROVIDER_SLUGS;
any other id is kept, lowercased). The source key is "<provider id>/<model id>"
as models.dev spells it. Bedrock inference-profile prefixes (`us.`, `global.`)
become Conditions(region=...) of one model, as in the LiteLLM parser
(scrapers.bedrock_geo); ids meeting on one canonical id are folded
(scrapers.folding: the plain id leads, the others become aliases).

Capabilities: reasoning, tool_call -> function_calling, structured_output ->
json_schema, open_weights, temperature are copied when they are booleans.
`attachment` only says "accepts files"; what kind comes from the input
modalities: image -> vision, pdf -> pdf_input, audio -> audio_input,
video -> video_input; audio output -> audio_output. A cache_read price means
prompt_caching. A capability models.dev does not state stays unknown.

Prices: scrapers.modelsdev.cost (meters, context tiers, service tiers and the
image-output quirk).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from scrapers import bedrock_geo, exact_json
from scrapers.base import FetchResult, ModelRecord, ParseError, ParseResult, Skipped
from scrapers.folding import Candidate, fold
from scrapers.modelsdev import toml
from scrapers.modelsdev.cost import cost_prices
from scrapers.values import BadValue, to_date, to_int

# models.dev provider id -> the project's provider slug (same slugs as the LiteLLM parser).
PROVIDER_SLUGS = {
    "amazon-bedrock": "bedrock",
    "google-vertex": "vertex_ai",
    "google-vertex-anthropic": "vertex_ai",
    "azure": "azure",
    "azure-cognitive-services": "azure",
    "togetherai": "together_ai",
    "together": "together_ai",
    "fireworks-ai": "fireworks_ai",
    "fireworks": "fireworks_ai",
    "x-ai": "xai",
    "mistralai": "mistral",
    # Same provider, LiteLLM's spelling:
    "moonshotai": "moonshot",
    "alibaba": "dashscope",
    "github-copilot": "github_copilot",
    "vercel": "vercel_ai_gateway",
    "cloudflare-workers-ai": "cloudflare",
    "llama": "meta_llama",
    "nvidia": "nvidia_nim",
    "voyageai": "voyage",
}

BOOL_CAPABILITIES = {
    "reasoning": "reasoning",
    "tool_call": "function_calling",
    "structured_output": "json_schema",
    "open_weights": "open_weights",
    "temperature": "temperature",
}
MODALITY_CAPABILITIES = (
    ("input", "image", "vision"),
    ("input", "pdf", "pdf_input"),
    ("input", "audio", "audio_input"),
    ("input", "video", "video_input"),
    ("output", "audio", "audio_output"),
)
_EMBEDDING = re.compile(r"embed", re.IGNORECASE)


def provider_slug(provider_id: str) -> str:
    slug = provider_id.strip().lower()
    return PROVIDER_SLUGS.get(slug, slug)


class ModelsDevSource:
    name = "modelsdev"
    title = "models.dev catalog"
    default_url = "https://models.dev/api.json"
    default_interval_hours = 6.0

    def fetch(self, url: str, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchResult:
        folder = _local_dir(url)
        if folder is None:
            from scrapers import http
            return http.fetch(url, etag=etag, last_modified=last_modified)
        return _fetch_tree(folder, url, etag)

    def parse(self, payload: bytes) -> ParseResult:
        return parse(payload)


def _local_dir(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        path = Path(url2pathname(unquote(parts.path)))
    elif parts.scheme == "" or len(parts.scheme) == 1:     # a path (or a Windows drive)
        path = Path(url).expanduser()
    else:
        return None
    return path if path.is_dir() else None


def _fetch_tree(folder: Path, url: str, etag: str | None) -> FetchResult:
    import hashlib

    from scrapers.http import FetchError, HttpSettings

    # The size cap holds for a local tree as for a download: checked on the files before
    # reading them, and on the document built from them.
    cap = HttpSettings.from_env().max_bytes
    size = f"{cap / 2**20:g} MB" if cap >= 2**20 else f"{cap} bytes"
    too_big = FetchError(f"{folder}: models.dev tree larger than {size} cap "
                         "(RATECARD_HTTP_MAX_BYTES)")
    try:
        if sum(f.stat().st_size for f in folder.rglob("*.toml")) > cap:
            raise too_big
        body = exact_json.dumps(toml.build(folder))
    except toml.TreeError as exc:
        raise FetchError(str(exc)) from None
    except OSError as exc:
        raise FetchError(f"{folder}: cannot read ({exc.strerror or exc})") from None
    if len(body) > cap:
        raise too_big
    digest = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag == digest:
        return FetchResult(body=None, etag=digest, not_modified=True, url=url)
    return FetchResult(body=body, etag=digest, url=url)


def parse(payload: bytes) -> ParseResult:
    document = exact_json.loads(payload, "models.dev")
    if not isinstance(document, dict):
        raise ParseError(f"models.dev: expected an object of providers, got "
                         f"{type(document).__name__}")
    result = ParseResult(models=[])
    candidates: list[Candidate] = []
    for provider_id, provider in document.items():
        if not isinstance(provider, dict) or not isinstance(provider.get("models"), dict):
            result.skipped.append(Skipped(str(provider_id), "provider is not an object "
                                          "with a models object"))
            continue
        slug = provider_slug(str(provider_id))
        name = provider.get("name")
        if isinstance(name, str) and name.strip():
            result.provider_names.setdefault(slug, name.strip())
        for model_id, entry in provider["models"].items():
            key = f"{provider_id}/{model_id}"
            if not isinstance(entry, dict):
                result.skipped.append(Skipped(key, f"entry is {type(entry).__name__}, "
                                              "not an object"))
                continue
            name, region = bedrock_geo.split(str(model_id)) if slug == "bedrock" else (
                str(model_id), None)
            record = _model(key, slug, name, region, entry, result.skipped)
            candidates.append(Candidate(record, 0 if region is None else 1))
    # One model under several ids (bedrock `us.`/`global.` profiles, or two
    # provider ids mapped to one slug) is one record; the others become aliases.
    result.models = fold(candidates, result.skipped)
    return result


def _model(key: str, slug: str, model_id: str, region: str | None, entry: dict[str, Any],
           skipped: list[Skipped]) -> ModelRecord:
    limit = given if isinstance(given := entry.get("limit"), dict) else {}
    inputs = _modalities(entry, "input")
    outputs = _modalities(entry, "output")
    name = entry.get("name")
    record = ModelRecord(
        key=key,
        canonical_id=f"{slug}/{model_id}".lower(),
        provider=slug,
        name=name.strip() if isinstance(name, str) and name.strip() else None,
        context_window=to_int(limit.get("context")),
        max_output=to_int(limit.get("output")),
        input_modalities=inputs,
        output_modalities=outputs,
        release_date=_date(entry.get("release_date"), key, skipped),
    )
    record.mode = infer_mode(model_id, entry, inputs, outputs)
    if record.mode == "embedding":
        record.max_output = None    # limit.output is the vector size (1536), not tokens
    record.capabilities = _capabilities(entry, inputs, outputs, key, skipped)
    cost = entry.get("cost")
    if cost is not None:
        record.prices = cost_prices(cost, entry, record.mode, key, skipped, region)
        if any(p.meter == "cache_read" for p in record.prices):
            record.capabilities["prompt_caching"] = True
    return record


def infer_mode(model_id: str, entry: dict[str, Any], inputs: tuple[str, ...] | None,
               outputs: tuple[str, ...] | None) -> str:
    """models.dev has no mode field (v1); what a model produces says what it is."""
    family = given if isinstance(given := entry.get("family"), str) else ""
    if _EMBEDDING.search(model_id) or _EMBEDDING.search(family):
        return "embedding"          # text-embedding-3-small, gemini-embedding-001
    outs = set(outputs or ())
    ins = set(inputs or ())
    if "image" in outs:
        # Every text+image output model in models.dev is an image generator
        # (gpt-image-1.5, "Nano Banana" gemini-2.5-flash-image): it answers with
        # an image and at most a caption.
        return "image_generation"
    if "video" in outs:
        return "video_generation"
    if outs == {"audio"}:
        return "audio_speech"       # text-to-speech: gemini-2.5-flash-preview-tts
    if ins == {"audio"} and outs <= {"text"}:
        return "audio_transcription"  # audio in, text out and nothing else (whisper)
    return "chat"   # chat models that also accept audio/video input stay chat


def _modalities(entry: dict[str, Any], side: str) -> tuple[str, ...] | None:
    modalities = entry.get("modalities")
    if not isinstance(modalities, dict) or not isinstance(modalities.get(side), list):
        return None
    return tuple(m.strip().lower() for m in modalities[side] if isinstance(m, str) and m.strip())


def _capabilities(entry: dict[str, Any], inputs: tuple[str, ...] | None,
                  outputs: tuple[str, ...] | None, key: str,
                  skipped: list[Skipped]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for field, capability in BOOL_CAPABILITIES.items():
        value = entry.get(field)
        if isinstance(value, dict):      # tool_call = {supported = true, ...} in newer files
            value = value.get("supported")
        if isinstance(value, bool):
            found[capability] = value
        elif value is not None:
            skipped.append(Skipped(key, f"{field}: {value!r} is not a boolean"))
    sides = {"input": inputs, "output": outputs}
    for side, modality, capability in MODALITY_CAPABILITIES:
        listed = sides[side]
        if listed is not None:
            found[capability] = modality in listed
    return found


def _date(value: Any, key: str, skipped: list[Skipped]) -> dt.date | None:
    """An ISO date (values.to_date: "YYYY-MM" is the first of the month); garbage is reported."""
    try:
        return to_date(value)
    except BadValue:
        skipped.append(Skipped(key, f"release_date: {value!r} is not a date"))
        return None


SOURCE = ModelsDevSource()
