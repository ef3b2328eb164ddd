"""Jinja filters: money and dates shown the same way on every page (Decimal, never float)."""
from __future__ import annotations

import datetime as dt

from flask import Flask

from ratecard.money import display as money

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


def mode_label(mode: str | None, lower: bool = False) -> str:
    """The one label of a mode on every page: chat -> Chat, responses -> Chat (Responses API),
    no mode -> Not recorded. `lower` lowercases the first letter for use inside a sentence
    (acronyms such as OCR stay)."""
    if not mode or mode == "unknown":
        text = NO_MODE
    else:
        text = MODE_LABELS.get(mode, mode.replace("_", " ").capitalize())
    if lower and not text[1:2].isupper():
        text = text[:1].lower() + text[1:]
    return text


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


def date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date()
    return value.isoformat()


def count(value: int | None) -> str:
    if value is None:
        return "—"
    if value >= 1_000_000 and value % 1_000_000 == 0:
        return f"{value // 1_000_000}M"
    if value >= 1000 and value % 1000 == 0:
        return f"{value // 1000:,}k"
    return f"{value:,}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money, date=date, count=count,
        unit_label=lambda u: UNIT_LABELS.get(u, u),
        meter_label=lambda m: METER_LABELS.get(m, m.replace("_", " ").capitalize()),
        source_label=lambda s: SOURCE_LABELS.get(s, s),
        mode_label=mode_label, provider_name=provider_name,
    )
    app.jinja_env.filters.update(capability_label=capability_label,
                                 conditions_label=conditions_label)


# -- added for the catalog, compare and changes pages ---------------------------------------

CAPABILITY_LABELS = {
    "vision": "Vision", "function_calling": "Function calling", "json_schema": "JSON schema",
    "structured_output": "Structured output", "reasoning": "Reasoning",
    "prompt_caching": "Prompt caching", "pdf_input": "PDF input", "audio_input": "Audio input",
    "audio_output": "Audio output", "video_input": "Video input", "web_search": "Web search",
    "computer_use": "Computer use", "open_weights": "Open weights",
    "parallel_function_calling": "Parallel function calling", "tool_choice": "Tool choice",
    "system_messages": "System messages", "assistant_prefill": "Assistant prefill",
    "temperature": "Temperature", "transparent_background": "Transparent background",
}


def capability_label(name: str | None) -> str:
    """vision -> Vision, pdf_input -> PDF input (unknown names: underscores to spaces)."""
    if not name:
        return ""
    return CAPABILITY_LABELS.get(name, name.replace("_", " ").capitalize())


def conditions_label(conditions: dict[str, object] | None) -> str:
    """{"service_tier": "batch", "context_above": 200000} -> "batch, above 200k tokens"."""
    if not conditions:
        return ""
    parts = []
    for key in ("service_tier", "context_above", "quality", "size", "time_window", "region"):
        value = conditions.get(key)
        if value is None or value == "":
            continue
        if key == "context_above" and isinstance(value, int):
            parts.append(f"above {count(value)} tokens")
        elif key == "quality":
            parts.append(f"{value} quality")
        elif key == "region":
            parts.append(f"region {value}")
        elif key == "time_window":
            parts.append(f"hours {value}")
        else:
            parts.append(str(value))
    return ", ".join(parts)
