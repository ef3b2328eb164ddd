"""A model's display name: the sources' own names in a fixed order, one made from the id
only when no source names the model. Pure functions; services.names stores the result.

Order (docs/sources.md, the methodology page): models.dev, genai-prices, OpenRouter.
models.dev names every model it lists by hand ("GPT-4o", "Claude Sonnet 4.5");
genai-prices names many, but some of its names are the id with spaces ("gpt 4o", and
"gpt 4" for both gpt-4 and gpt-4-32k): a name in lower case that only repeats the id's
words (or the first of them) with other separators is not taken; the id as written
("o4-mini", as OpenAI spells it) is a name. OpenRouter prefixes the lab ("OpenAI: GPT-4o"),
which is dropped. LiteLLM publishes no names.

Made from the id as the last resort: "gpt-4o-mini" -> "GPT-4o mini",
"claude-3-5-sonnet-20241022" -> "Claude 3.5 Sonnet 20241022".
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

NAME_ORDER = ("modelsdev", "genai_prices", "openrouter")
# Words written in capitals in the labs' own names.
ACRONYMS = {"gpt", "glm", "tts", "vl", "hd", "xl", "ai", "r1", "v3", "oss", "api", "qwq",
            "llm", "sdxl", "asr", "ocr"}
# Words OpenAI writes in lower case after a version ("GPT-4o mini", "GPT-5 nano");
# other labs capitalise theirs ("Gemini 2.5 Flash", "Claude Sonnet 4.5").
KEEP_LOWER_AFTER_GPT = {"mini", "nano", "turbo", "instruct", "preview", "latest", "chat"}
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_PREFIX = re.compile(r"^[^:]{1,40}:\s+")


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def clean(source: str, name: str | None, model_id: str) -> str | None:
    """The source's name for the model, or None when it is no name (empty, or the id
    spelled with spaces). model_id is the part after "provider/"."""
    if not isinstance(name, str):
        return None
    name = " ".join(name.split())
    if source == "openrouter":
        name = _PREFIX.sub("", name)     # "OpenAI: GPT-4o" -> "GPT-4o"
    if not name:
        return None
    tail = model_id.rsplit("/", 1)[-1]
    if name == name.lower() and "/" in name:
        return None                       # a path of ids ("deepseek/deepseek-v4.1-flash")
    if name == name.lower() and name != tail:
        # the id's words with spaces for its separators: made by a script, not a person
        # (the id itself, "o4-mini", is how OpenAI writes that name: kept)
        said, ident = words_of(name), words_of(tail)
        if said and said == ident[:len(said)]:
            return None                   # "gpt 4o", "gpt 4" (for gpt-4-32k)
    return name[:200]


def choose(names: Mapping[str, str | None], model_id: str) -> str:
    """The first usable name in NAME_ORDER, else one made from the id."""
    for source in NAME_ORDER:
        found = clean(source, names.get(source), model_id)
        if found:
            return found
    return from_id(model_id)


def from_id(model_id: str) -> str:
    """A readable name made from an id: the last resort."""
    path = [p for p in model_id.split("/") if p]
    tail = path[-1] if path else model_id
    if len(path) > 1 and not re.search(r"[-_.:\s]", tail):
        tail = f"{path[-2]}-{tail}"       # "flux/schnell": "Flux Schnell", not "Schnell"
    tail = re.sub(r"^(us|eu|apac|global)\.", "", tail)
    tail = re.sub(r"^[a-z]+\.(?=[a-z])", "", tail)     # bedrock's "anthropic.claude-…"
    parts = [p for p in re.split(r"[-_\s:]+", tail) if p]
    out: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        low = part.lower()
        # single digits in a row are one version: claude-3-5 -> 3.5
        if low.isdigit() and len(low) == 1 and out and re.fullmatch(r"\d+(\.\d+)*", out[-1]) \
                and "." not in out[-1] and len(out[-1]) == 1:
            out[-1] = f"{out[-1]}.{low}"
            index += 1
            continue
        # 2024-05-13 spelled over three parts stays one date
        if re.fullmatch(r"20\d{2}", low) and index + 2 < len(parts) and all(
                re.fullmatch(r"\d{2}", p) for p in parts[index + 1:index + 3]):
            out.append(f"{low}-{parts[index + 1]}-{parts[index + 2]}")
            index += 3
            continue
        out.append(_word(low, first=not out, after_gpt=bool(out) and out[0] == "GPT"))
        index += 1
    # "GPT" + a version is written as one word: GPT-4o, GPT-4.1
    if len(out) >= 2 and out[0] in ("GPT", "GLM") and out[1][:1].isdigit():
        out[:2] = [f"{out[0]}-{out[1]}"]
    return " ".join(out) or model_id


def _word(low: str, first: bool, after_gpt: bool) -> str:
    if low in ACRONYMS:
        return low.upper()
    if low[:1].isdigit() or re.fullmatch(r"[a-z]\d.*", low):
        return low                        # 4o, 3.5, o1, o3
    if after_gpt and not first and low in KEEP_LOWER_AFTER_GPT:
        return low
    return low.capitalize()


def distinct(models: Iterable[tuple[int, str, str]]) -> dict[int, str]:
    """Display names unique within one provider: (model id, model id part, chosen name).

    Where two models would share a name, the one whose id reads as that name keeps it
    ("GPT-4o" for gpt-4o); every other gets its id added ("GPT-4o (gpt-4o-2024-05-13)")."""
    groups: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for item in models:
        groups[item[2].casefold()].append(item)
    result: dict[int, str] = {}
    for group in groups.values():
        if len(group) == 1:
            result[group[0][0]] = group[0][2]
            continue
        keeper = _keeper(group)
        for pk, ident, name in group:
            result[pk] = name if pk == keeper else f"{name} ({ident})"
    return result


def _keeper(group: list[tuple[int, str, str]]) -> int | None:
    """The one model of a clash whose id is the name's own words, if exactly one is."""
    fits = [pk for pk, ident, name in group
            if "".join(words_of(ident.rsplit("/", 1)[-1])) == "".join(words_of(name))]
    return fits[0] if len(fits) == 1 else None
