"""LiteLLM keys -> canonical model ids (`provider/model`, lowercase).

Rules, in order (documented for docs/sources.md):

1. Provider slug from `litellm_provider`: openai and text-completion-openai ->
   openai; gemini -> google; every `vertex_ai*` -> vertex_ai; bedrock,
   bedrock_converse, bedrock_mantle -> bedrock; azure and azure_text -> azure;
   mistral, codestral, text-completion-codestral -> mistral; cohere_chat -> cohere;
   fireworks_ai-embedding-models -> fireworks_ai; text-completion-inception ->
   inception; anything else lowercased (underscores kept).
2. A key whose first segment is a LiteLLM route of a major provider (`gemini/`,
   `vertex_ai/`, `azure/`, `bedrock/`, `openrouter/`, … see ROUTES) is served by
   that provider: the route decides the slug and is removed. LiteLLM routes by
   that prefix, and a few entries disagree with their own litellm_provider
   (`gemini/gemini-2.5-flash-image` tagged vertex_ai, `azure/gpt-3.5-turbo-instruct`
   tagged text-completion-openai). Otherwise a first segment naming the entry's
   own provider (`groq/`, `fireworks_ai/`) is removed.
3. Image keys (image_generation / image_edit modes) carry quality, size and
   steps as leading segments: `low/1024-x-1024/gpt-image-1`,
   `hd/1024-x-1792/dall-e-3`, `1024-x-1024/50-steps/stability.stable-diffusion-xl-v1`.
   They are removed and become conditions: quality "low", size "1024x1024"
   (`max-x-max` -> "max"); steps ("50-steps", "max-steps") go into quality.
4. Regions become the `region` condition of the one model instead of separate
   models: bedrock `bedrock/<aws-region>/…` (`us-east-1`, `us-gov-west-1`; `*` =
   no region) and cross-region inference profiles `us.`, `eu.`, `apac.`, `global.`…
   in front of `<vendor>.<model>` (scrapers.bedrock_geo, shared with the other
   sources); azure `azure/{eu,us,global,global-standard}/…`.
   `bedrock/invoke/…` is the same model through another Bedrock API: removed.
5. Bedrock provisioned-throughput keys (`…/1-month-commitment/…`) are prices per
   model unit and hour, not per use: the entry is not read (silently; it is not
   garbage).
6. What remains, lowercased, is the model part; it may keep slashes
   (`openrouter/openai/gpt-4o`, `vertex_ai/meta/llama-3.1-405b-instruct-maas`).
7. `openrouter/<lab>/<model>` copies OpenRouter's own listing: it names the lab's id as
   OpenRouter's parser spells it (`openrouter/x-ai/grok-4` -> xai/grok-4), rank 3, and
   its prices are not read (scrapers.ids, rule 2: OpenRouter's own figures stand).
8. When keys fold into one model and disagree on a price, the preferred key wins
   (rank): the plain key (`deepseek-chat` for deepseek/deepseek-chat), then a key
   under the provider's own route (`mistral/codestral-latest` over
   `codestral/codestral-latest`), then payload order. The rank keeps the choice
   stable when LiteLLM reorders its file. Ids that differ only in how a version is
   spelled (`claude-3.5-sonnet` / `claude-3-5-sonnet`) are one model (scrapers.ids).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from scrapers import bedrock_geo, ids
from scrapers.vocabulary import IMAGE_MODES

_SLUGS = {
    "text-completion-openai": "openai", "gemini": "google", "bedrock_converse": "bedrock",
    "bedrock_mantle": "bedrock", "azure_text": "azure", "codestral": "mistral",
    "text-completion-codestral": "mistral", "cohere_chat": "cohere",
    "fireworks_ai-embedding-models": "fireworks_ai", "text-completion-inception": "inception",
}
ROUTES = frozenset({
    "openai", "text-completion-openai", "anthropic", "gemini", "vertex_ai", "bedrock",
    "bedrock_converse", "bedrock_mantle", "azure", "azure_text", "azure_ai", "mistral",
    "codestral", "text-completion-codestral", "deepseek", "xai", "openrouter",
})
QUALITIES = frozenset({"low", "medium", "high", "hd", "standard", "auto"})
_SIZE = re.compile(r"^(\d+)-x-(\d+)$")
_STEPS = re.compile(r"^(\d+|max)-steps$")
_AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d+$")
_COMMITMENT = re.compile(r"^\d+-months?-commitment$")
_AZURE_REGIONS = frozenset({"eu", "us", "global", "global-standard"})


class UnusableKey(ValueError):
    """The key cannot name a model (reason in str()); reported as Skipped."""


class NotAModel(UnusableKey):
    """The key is deliberately not read (documented above); not reported."""


@dataclass(frozen=True)
class KeyInfo:
    canonical_id: str
    provider: str
    model: str
    rank: int                        # fold preference: 0 plain key, 1 own route, 2 other,
    #                                  3 a reseller's copy
    quality: str | None = None
    size: str | None = None
    region: str | None = None
    copy: bool = False               # a reseller's copy: an alias, its prices not read


@lru_cache(maxsize=512)
def provider_slug(litellm_provider: str) -> str:
    name = litellm_provider.strip().lower()
    if name.startswith("vertex_ai"):
        return "vertex_ai"
    return _SLUGS.get(name, name)


def canonical(key: str, litellm_provider: str, mode: str | None) -> KeyInfo:
    """The canonical id and conditions a LiteLLM key stands for; UnusableKey if none."""
    slug = provider_slug(litellm_provider)
    if not slug:
        raise UnusableKey("empty litellm_provider")
    parts = [p for p in key.strip().lower().split("/")]
    if any(not p for p in parts):
        raise UnusableKey("empty segment in key")
    slug, parts, routed = _route(parts, slug, litellm_provider)

    quality = size = region = None
    if mode in IMAGE_MODES:
        while len(parts) > 1:
            head = parts[0]
            if head in QUALITIES and quality is None:
                quality = head
            elif (match := _SIZE.match(head)) and size is None:
                size = f"{match.group(1)}x{match.group(2)}"
            elif head == "max-x-max" and size is None:
                size = "max"
            elif _STEPS.match(head) and quality is None:
                quality = head
            else:
                break
            parts = parts[1:]
        if not routed:  # `1024-x-1024/50-steps/bedrock/amazon.nova-canvas-v1:0`
            slug, parts, routed = _route(parts, slug, litellm_provider)

    if slug == "bedrock":
        if len(parts) > 1 and (parts[0] == "*" or _AWS_REGION.match(parts[0])):
            region = None if parts[0] == "*" else parts[0]
            parts = parts[1:]
        if len(parts) > 1 and _COMMITMENT.match(parts[0]):
            raise NotAModel(f"provisioned-throughput price ({parts[0]})")
        if len(parts) > 1 and parts[0] in ("invoke", "converse"):
            parts = parts[1:]
        if len(parts) == 1:
            parts[0], geo = bedrock_geo.split(parts[0])
            region = region or geo
    elif slug in ("azure", "azure_ai") and len(parts) > 1 and parts[0] in _AZURE_REGIONS:
        region = parts[0]
        parts = parts[1:]

    model = "/".join(parts)
    if not model:
        raise UnusableKey("no model name in key")
    lowered = key.strip().lower()
    lab_id = ids.reseller_copy(slug, model)
    if lab_id is not None:
        lab, _, name = lab_id.partition("/")
        return KeyInfo(lab_id, lab, name, ids.COPY_RANK, quality, size, region, copy=True)
    rank = 0 if model == lowered else 1 if lowered.startswith(f"{slug}/") else 2
    return KeyInfo(f"{slug}/{model}", slug, model, rank, quality, size, region)


def _route(parts: list[str], slug: str, litellm_provider: str
           ) -> tuple[str, list[str], bool]:
    """Remove a leading provider route; return (slug, remaining parts, removed?)."""
    if len(parts) < 2:
        return slug, parts, False
    head = parts[0]
    if head in ROUTES:
        return provider_slug(head), parts[1:], True
    if head == litellm_provider.strip().lower() or provider_slug(head) == slug:
        return slug, parts[1:], True
    return slug, parts, False
