"""AWS Bedrock inference-profile prefixes as a region condition, not a model.

Bedrock sells one model under several ids: `anthropic.claude-sonnet-4-6` (in
region), `us.` / `eu.` / `apac.` / `jp.` ... (geographic cross-region
profiles) and `global.` (global cross-region, often cheaper). The LiteLLM
parser (scrapers.litellm.ids) makes the prefix Conditions(region=...) of one
model `bedrock/<vendor>.<model>`; models.dev and genai-prices follow the same
rule so the sources meet on one canonical id. genai-prices also writes
`regional.` for "the in-region and geographic price": that is the plain
model's price, so it carries no region condition.
"""
from __future__ import annotations

import re

_GEO = re.compile(r"^(us|us-gov|eu|apac|ap|au|jp|ca|in|global|regional)\.(?=[^.]+\.)")


def split(model_id: str) -> tuple[str, str | None]:
    """("global.anthropic.x-v1:0") -> ("anthropic.x-v1:0", "global"); no prefix -> region None."""
    match = _GEO.match(model_id.lower())
    if not match:
        return model_id, None
    region = match.group(1)
    return model_id[match.end():], None if region == "regional" else region
