"""Every label the catalog is said in, one wording per thing on every page, feed and webhook:
modes, meters, units, sources, capabilities, conditions, providers, kinds of change, counts
and dates. Pure (no Flask, no database): the site registers these as Jinja filters once
(`web/labels.py`) and the change sentences (`change_words.py`) that feeds and webhook alerts
send are built from them. Money texts are `ratecard.money`."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ratecard.costs import ImageOption
    from ratecard.models import Model

UNIT_LABELS = {
    "1M_tokens": "per 1M tokens", "image": "per image", "1k_requests": "per 1k requests",
    "1k_searches": "per 1k searches", "second": "per second",
    "1M_characters": "per 1M characters", "1M_pixels": "per 1M pixels", "page": "per page",
    "request": "per request",
}
METER_LABELS = {
    "input": "Input", "output": "Output", "cache_read": "Cache read",
    "cache_write_5m": "Cache write (5 min)", "cache_write_1h": "Cache write (1 h)",
    "reasoning": "Reasoning", "input_audio": "Audio input", "output_audio": "Audio output",
    "input_image": "Image input", "output_image": "Image output", "input_video": "Video input",
    "output_video": "Video output", "image": "Image generated", "request": "Request",
    "web_search": "Web search", "input_character": "Input characters",
    "output_character": "Output characters", "input_audio_second": "Audio input (time)",
    "output_audio_second": "Audio output (time)", "input_video_second": "Video input (time)",
    "output_video_second": "Video output (time)", "input_image_unit": "Input image",
    "page": "Page",
}
SOURCE_LABELS = {"litellm": "LiteLLM", "openrouter": "OpenRouter", "modelsdev": "models.dev",
                 "genai_prices": "genai-prices", "offline": "Offline catalog"}
MODE_LABELS = {
    "chat": "Chat", "completion": "Text completion", "embedding": "Embedding",
    "image_generation": "Image generation", "image_edit": "Image editing",
    "video_generation": "Video generation", "audio_transcription": "Speech to text",
    "audio_speech": "Text to speech", "realtime": "Realtime", "rerank": "Rerank",
    "moderation": "Moderation", "ocr": "OCR", "search": "Search",
    "responses": "Chat (Responses API)", "vector_store": "Vector store",
}
NO_MODE = "Not recorded"
CAPABILITY_LABELS = {
    "vision": "Vision (image input)", "pdf_input": "PDF input",
    "function_calling": "Function calling",
    "parallel_function_calling": "Parallel function calling", "tool_choice": "Tool choice",
    "json_schema": "JSON schema output", "structured_output": "Structured output",
    "reasoning": "Reasoning", "prompt_caching": "Prompt caching", "audio_input": "Audio input",
    "audio_output": "Audio output", "video_input": "Video input", "web_search": "Web search",
    "computer_use": "Computer use", "system_messages": "System messages",
    "transparent_background": "Transparent background", "open_weights": "Open weights",
    "assistant_prefill": "Assistant prefill", "temperature": "Temperature setting",
}
TIER_LABELS = {"batch": "Batch", "flex": "Flex", "priority": "Priority", "standard": "Standard"}
# Modalities as plural nouns ("reads text and images").
PLURALS = {"image": "images", "file": "files", "pdf": "PDFs"}
# The kinds of change (ChangeEvent.kind), as the change log's filter names them.
CHANGE_KIND_LABELS = {
    "price_added": "Price added", "price_changed": "Price changed",
    "price_corrected": "Price corrected",
    "price_removed": "Price withdrawn", "capability_added": "Capability added",
    "capability_removed": "Capability removed", "model_added": "Model added",
    "model_deprecated": "Deprecated", "model_vanished": "No longer listed",
    "model_returned": "Listed again", "catalog_loaded": "Catalog loaded",
}
# The kinds of webhook alert (services.alerts.ALERT_KINDS), as the subscribe form names them.
ALERT_KIND_LABELS = {
    "price_cut": "Price cut", "price_rise": "Price rise", "price_added": "New price",
    "price_removed": "Price withdrawn", "new_model": "New model",
    "capability_change": "Capability change", "deprecation": "Deprecation",
    "listing_change": "Listed or no longer listed by a source",
}

# Display names of providers whose recorded name is only their slug (LiteLLM's provider keys).
PROVIDER_NAMES = {
    "ai21": "AI21 Labs", "aiml": "AI/ML API", "aleph_alpha": "Aleph Alpha",
    "amazon_nova": "Amazon Nova", "anthracite-org": "Anthracite", "assemblyai": "AssemblyAI",
    "aws_polly": "Amazon Polly", "black_forest_labs": "Black Forest Labs",
    "chatgpt": "ChatGPT", "cloudflare": "Cloudflare Workers AI",
    "dashscope": "Alibaba Cloud DashScope", "dataforseo": "DataForSEO",
    "deepinfra": "DeepInfra", "duckduckgo": "DuckDuckGo", "elevenlabs": "ElevenLabs",
    "exa_ai": "Exa", "fal_ai": "fal.ai", "featherless_ai": "Featherless AI",
    "fireworks_ai": "Fireworks AI", "friendliai": "FriendliAI", "gigachat": "GigaChat",
    "github_copilot": "GitHub Copilot", "gmi": "GMI Cloud",
    "google_pse": "Google Programmable Search", "gradient_ai": "DigitalOcean Gradient AI",
    "jina_ai": "Jina AI", "lambda_ai": "Lambda", "libertai": "LibertAI",
    "llamagate": "LlamaGate", "meta_llama": "Meta Llama API", "minimax": "MiniMax",
    "moonshot": "Moonshot AI", "nlp_cloud": "NLP Cloud", "novita": "Novita AI",
    "nvidia_nim": "NVIDIA NIM", "oci": "Oracle Cloud (OCI)", "ovhcloud": "OVHcloud",
    "palm": "Google PaLM", "parallel_ai": "Parallel", "publicai": "PublicAI",
    "rekaai": "Reka AI", "runwayml": "RunwayML", "sagemaker": "Amazon SageMaker",
    "sambanova": "SambaNova", "sarvam": "Sarvam AI", "searxng": "SearXNG",
    "stability": "Stability AI", "tinyfish": "TinyFish", "together_ai": "Together AI",
    "v0": "v0 by Vercel", "vercel_ai_gateway": "Vercel AI Gateway",
    "voyage": "Voyage AI", "wandb": "Weights & Biases", "watsonx": "IBM watsonx",
    "xai": "xAI", "you_com": "You.com", "zai": "Z.ai",
}


def _words(name: str) -> str:
    """An unknown name in words: pdf_thing -> Pdf thing."""
    return name.replace("_", " ").capitalize()


def unit_label(unit: str) -> str:
    """1M_tokens -> per 1M tokens."""
    return UNIT_LABELS.get(unit, unit)


def meter_label(meter: str) -> str:
    """cache_read -> Cache read."""
    return METER_LABELS.get(meter, _words(meter))


def source_label(source: str) -> str:
    """genai_prices -> genai-prices."""
    return SOURCE_LABELS.get(source, source)


def mode_label(mode: str | None, lower: bool = False) -> str:
    """The one label of a mode on every page: chat -> Chat, responses -> Chat (Responses API),
    no mode -> Not recorded. `lower` lowercases the first letter for use inside a sentence
    (acronyms such as OCR stay)."""
    if not mode or mode == "unknown":
        text = NO_MODE
    else:
        text = MODE_LABELS.get(mode, _words(mode))
    if lower and not text[1:2].isupper():
        text = text[:1].lower() + text[1:]
    return text


def capability_label(name: str | None) -> str:
    """vision -> Vision (image input), pdf_input -> PDF input ('' for no name)."""
    if not name:
        return ""
    return CAPABILITY_LABELS.get(name, _words(name))


def provider_name(provider: object, slug: str | None = None) -> str:
    """A provider's display name: its recorded name, unless that is only its slug
    (fireworks_ai), then a known name or the slug in words ("Fireworks AI", "Tensormesh").
    Takes a Provider (anything with .name and .slug) or a name plus its slug."""
    if isinstance(provider, str) or provider is None:
        name, slug = provider or "", slug or provider or ""
    else:
        name, slug = getattr(provider, "name", "") or "", getattr(provider, "slug", "") or ""
    if name and name != slug:
        return name
    if slug in PROVIDER_NAMES:
        return PROVIDER_NAMES[slug]
    words = slug.replace("_", " ").replace("-", " ").split()
    return " ".join(w if w[:1].isupper() else w.capitalize() for w in words) or name


def conditions_label(conditions: dict[str, object] | None) -> str:
    """{"service_tier": "batch", "context_above": 200000} -> "Batch tier, above 200k context
    tokens" ('' for the base conditions)."""
    if not conditions:
        return ""
    parts: list[str] = []
    if conditions.get("service_tier"):
        tier = str(conditions["service_tier"])
        parts.append(f"{TIER_LABELS.get(tier, tier.capitalize())} tier")
    above = conditions.get("context_above")
    if above is not None and above != "":
        tokens = count(int(str(above))) if str(above).isdigit() else str(above)
        parts.append(f"above {tokens} context tokens")
    if conditions.get("quality"):
        parts.append(f"quality {conditions['quality']}")
    if conditions.get("size"):
        parts.append(f"size {conditions['size']}")
    if conditions.get("region"):
        parts.append(f"region {conditions['region']}")
    if conditions.get("time_window"):
        parts.append(f"{conditions['time_window']} UTC")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def option_text(option: ImageOption) -> str:
    """An image option (quality, size): "high, 1024x1024"."""
    quality, size = option
    return ", ".join(p for p in (quality, size) if p) or "any quality and size"


def join(words: list[str]) -> str:
    """a; a and b; a, b and c."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def modality_text(model: Model) -> str:
    """"text and images → text" ('' unless both sides are known)."""
    ins = [PLURALS.get(m, m) for m in model.input_modalities or []]
    outs = [PLURALS.get(m, m) for m in model.output_modalities or []]
    if ins and outs:
        return f"{join(ins)} → {join(outs)}"
    return ""


def interval_text(hours: float | None) -> str:
    """A sync interval: daily, weekly, every 6 hours, not scheduled."""
    if not hours:
        return "not scheduled"
    if hours % 24 == 0:
        days = int(hours // 24)
        return "daily" if days == 1 else ("weekly" if days == 7 else f"every {days} days")
    return "hourly" if hours == 1 else f"every {hours:g} hours"


def date(value: dt.date | dt.datetime | None) -> str:
    """2025-06-30 (a time: its UTC day); a dash for none."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date()
    return value.isoformat()


def count(value: int | None) -> str:
    """128000 -> 128k, 1000000 -> 1M, 12345 -> 12,345; a dash for none."""
    if value is None:
        return "—"
    if value >= 1_000_000 and value % 1_000_000 == 0:
        return f"{value // 1_000_000}M"
    if value >= 1000 and value % 1000 == 0:
        return f"{value // 1000:,}k"
    return f"{value:,}"
