"""Build models.dev's api.json document from a checkout of its repository (TOML).

Layout (github.com/anomalyco/models.dev, formerly sst/models.dev):
  models/<lab>/<model>.toml                  the lab's own metadata for a model
  providers/<provider>/provider.toml         name, env, npm, doc (api)
  providers/<provider>/models/<model>.toml   the model as that provider sells it

The merge follows upstream's generator (packages/core/src/generate-v2.ts):
a provider model with `base_model = "<lab>/<model>"` starts from the lab file
minus `id`, `benchmarks`, `license`, `links` and `weights`, then its own
fields are deep-merged on top (tables merge key by key, arrays and scalars
replace), then the dotted paths listed in `base_model_omit` are removed.
`base_model` itself is not part of the result. The model id is the file's
path below `models/` without `.toml` (it may contain "/").

TOML floats are read with parse_float=Decimal and written back as JSON
numbers with their exact text, so `0.30` stays 0.30 and never passes through
a binary float. A base_model that does not resolve keeps the provider file as
authored (upstream refuses to build; we would rather keep its prices).
"""
from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

# Lab-file fields upstream does not inherit into a provider model.
NOT_INHERITED = ("id", "benchmarks", "license", "links", "weights")


class TreeError(ValueError):
    """The directory is not a models.dev checkout, or a TOML file is broken."""


def find_root(path: Path) -> Path:
    """The repository root (holding providers/) for a root or a providers/ path."""
    if (path / "providers").is_dir():
        return path
    if path.name == "providers" and any(path.glob("*/provider.toml")):
        return path.parent
    raise TreeError(f"{path}: not a models.dev checkout (no providers/*/provider.toml)")


def build(path: Path) -> dict[str, Any]:
    """The api.json-shaped document: {provider_id: {..., "models": {model_id: {...}}}}."""
    root = find_root(path)
    labs = _lab_models(root / "models")
    result: dict[str, Any] = {}
    for provider_file in sorted((root / "providers").glob("*/provider.toml")):
        provider_dir = provider_file.parent
        provider_id = provider_dir.name
        provider = _read(provider_file)
        provider.setdefault("name", provider_id)
        models: dict[str, Any] = {}
        models_dir = provider_dir / "models"
        for model_file in _tomls(models_dir):
            model_id = _relative_id(models_dir, model_file)
            models[model_id] = resolve(_read(model_file), labs) | {"id": model_id}
        result[provider_id] = {"id": provider_id, **provider, "models": models}
    return result


def resolve(authored: dict[str, Any], labs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A provider model merged onto the lab model its base_model names."""
    base_id = authored.get("base_model")
    if not isinstance(base_id, str) or base_id not in labs:
        return authored
    base = {k: v for k, v in labs[base_id].items() if k not in NOT_INHERITED}
    overrides = {k: v for k, v in authored.items()
                 if k not in ("base_model", "base_model_omit")}
    merged = merge_deep(base, overrides)
    omit = authored.get("base_model_omit")
    if isinstance(omit, list):
        for dotted in omit:
            if isinstance(dotted, str):
                _omit(merged, dotted.split("."))
    return merged


def merge_deep(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """remeda's mergeDeep: nested tables merge, everything else is replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_deep(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _omit(target: dict[str, Any], parts: list[str]) -> None:
    trail: list[tuple[dict[str, Any], str]] = []
    current = target
    for part in parts[:-1]:
        child = current.get(part)
        if not isinstance(child, dict):
            return
        trail.append((current, part))
        current = child
    if parts[-1] not in current:
        return
    del current[parts[-1]]
    for parent, key in reversed(trail):     # drop tables the omission left empty
        if parent[key]:
            break
        del parent[key]


def _lab_models(models_dir: Path) -> dict[str, dict[str, Any]]:
    return {_relative_id(models_dir, f): _read(f) for f in _tomls(models_dir)}


def _tomls(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.toml")) if folder.is_dir() else []


def _relative_id(folder: Path, file: Path) -> str:
    return file.relative_to(folder).with_suffix("").as_posix()


def _read(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise TreeError(f"{file}: invalid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TreeError(f"{file}: cannot read ({exc})") from None
