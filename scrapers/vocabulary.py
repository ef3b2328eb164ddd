"""The one vocabulary of the catalog: meters, units, modes, the mode sets readers branch on,
capabilities and condition names. Database, API, CSV, scrapers and pages all use these
words (docs/architecture.md, "the parts"); this module imports nothing, so anything may
import it."""
from __future__ import annotations

METERS = (
    "input", "output", "cache_read", "cache_write_5m", "cache_write_1h", "reasoning",
    "input_audio", "output_audio", "input_image", "output_image", "input_video", "output_video",
    "image", "request", "web_search",
    # per-unit meters some sources publish beside the token ones
    "input_character", "output_character", "input_audio_second", "output_audio_second",
    "input_video_second", "output_video_second", "input_image_unit", "page",
)
UNITS = (
    "1M_tokens", "image", "1k_requests", "1k_searches", "second", "1M_characters",
    "1M_pixels", "page", "request",
)
SERVICE_TIERS = ("standard", "batch", "flex", "priority")
# The fields of a price's conditions (scrapers.base.Conditions, the price table's columns).
CONDITIONS = ("quality", "size", "context_above", "service_tier", "time_window", "region")
CAPABILITIES = (
    "vision", "pdf_input", "function_calling", "parallel_function_calling", "tool_choice",
    "json_schema", "reasoning", "prompt_caching", "audio_input", "audio_output", "video_input",
    "web_search", "computer_use", "system_messages", "transparent_background", "open_weights",
    "assistant_prefill", "structured_output", "temperature",
)
MODES = (
    "chat", "completion", "embedding", "image_generation", "image_edit", "video_generation",
    "audio_transcription", "audio_speech", "realtime", "rerank", "moderation", "ocr", "search",
    "responses",
)
# Models that make images: priced per image where the source says so, and their text output
# (if any) is not the headline price.
IMAGE_MODES = frozenset({"image_generation", "image_edit"})
# Models that converse in text: context window and a typical conversation's cost apply.
CHAT_MODES = frozenset({"chat", "responses", "completion", "realtime"})
# Models whose output is text (a catalog "text output" filter counts them without modalities).
TEXT_MODES = frozenset({"chat", "completion", "responses"})
# Models that produce no tokens: an output price is "not applicable", never $0.
NO_OUTPUT_MODES = frozenset({"embedding", "rerank", "moderation"})
