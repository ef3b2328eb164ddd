"""Content files: where a file lives says what it is; its text is YAML front matter + Markdown.

    content/models/<provider>/<model>.md    kind "model",    slug = canonical id
    content/providers/<slug>.md             kind "provider", slug = provider slug
    content/pages/<slug>.md                 kind "page",     served at /<slug>
    content/pages/guides/<slug>.md          kind "page",     slug "guides/<slug>"

`parse_text` keeps the line of every front-matter key and list item so a problem can be
reported as `path:line: message`; `serialize` writes a page back in a stable key order.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from ratecard.content import ALLOWED_KEYS, Problem
from ratecard.content.front_matter import load_yaml

MAX_FILE_BYTES = 1_000_000
PAGE_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
PROVIDER_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
MODEL_PART = re.compile(r"^[a-z0-9][a-z0-9._:@+-]{0,199}$")
# Top-level paths the site itself serves: a page may not take their name.
RESERVED_PAGES = frozenset({
    "api", "assets", "changes", "compare", "editor", "feeds", "guides", "live-test", "media",
    "models", "providers", "search", "static", "health", "login", "logout",
})
Path_ = tuple[str | int, ...]


@dataclass
class Document:
    path: str                                   # as shown in problems
    front_matter: dict[str, Any]
    body: str
    body_line: int                              # file line of the body's first line
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""

    def line_of(self, *key: str | int) -> int:
        """The line of a front-matter key (or its nearest enclosing key), else 1."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_text(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def normalise_body(body: str) -> str:
    """Bodies are stored ending in exactly one newline (none when empty)."""
    body = normalise_text(body).rstrip()
    return body + "\n" if body else ""


# -- where a file lives --------------------------------------------------------------------

def locate(rel: PurePosixPath) -> tuple[str, str, list[str]]:
    """(kind, slug, warnings) for a .md path relative to content/; raises ValueError."""
    parts = rel.parts
    if rel.suffix != ".md" or len(parts) < 2:
        raise ValueError("content files are models/<provider>/<model>.md, providers/<slug>.md "
                         "or pages/[guides/]<slug>.md")
    warnings = []
    stem_parts = [*parts[1:-1], rel.stem]
    if any(p != p.lower() for p in stem_parts):
        warnings.append("file name is not lower case: the URL slug is its lower-case form")
    lowered = [p.lower() for p in stem_parts]
    top = parts[0]
    if top == "models":
        if len(lowered) < 2 or not all(MODEL_PART.match(p) for p in lowered):
            raise ValueError("a model page is models/<provider>/<model>.md, named by the "
                             "model's canonical id")
        return "model", "/".join(lowered), warnings
    if top == "providers":
        if len(lowered) != 1 or not PROVIDER_SLUG.match(lowered[0]):
            raise ValueError("a provider page is providers/<slug>.md")
        return "provider", lowered[0], warnings
    if top == "pages":
        if len(lowered) == 2 and lowered[0] == "guides" and PAGE_SLUG.match(lowered[1]):
            return "page", "guides/" + lowered[1], warnings
        if len(lowered) == 1 and PAGE_SLUG.match(lowered[0]):
            if lowered[0] in RESERVED_PAGES:
                raise ValueError(f"/{lowered[0]} is a path of the site itself; "
                                 "choose another page name")
            return "page", lowered[0], warnings
        raise ValueError("a page is pages/<slug>.md or pages/guides/<slug>.md; slugs use "
                         "a-z, 0-9 and '-'")
    raise ValueError(f"unknown content folder {top!r} (models, providers, pages, media)")


def path_for(kind: str, slug: str) -> PurePosixPath:
    folder = {"model": "models", "provider": "providers", "page": "pages"}[kind]
    *parents, name = slug.split("/")
    return PurePosixPath(folder, *parents, name + ".md")   # not with_suffix: "gemini-2.5-pro"


# -- reading -------------------------------------------------------------------------------

_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


def parse_text(text: str, path: str) -> Document:
    """Split front matter from body and load the YAML safely (no tags, no aliases)."""
    text = normalise_text(text)
    doc = Document(path=path, front_matter={}, body=normalise_body(text), body_line=1,
                   sha256=sha256_text(text))
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        doc.problems.append(Problem(path, 1, "no front matter: the file must start with a "
                                    "line '---', the YAML keys, and another '---'"))
        return doc
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        doc.problems.append(Problem(path, 1, "front matter starts with '---' but has no "
                                    "closing '---' line"))
        doc.body = ""
        return doc
    doc.body = normalise_body("\n".join(lines[end + 1:]))
    doc.body_line = end + 2
    load_yaml(doc, "\n".join(lines[1:end]), first_line=2)
    return doc


# -- JSON for the database, YAML for files ---------------------------------------------------

def to_json(value: Any) -> Any:
    """Front matter as stored (JSON column): dates become ISO text."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)           # "  - item", as people write it


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _ordered(kind: str, front_matter: dict[str, Any]) -> dict[str, Any]:
    order = ALLOWED_KEYS.get(kind, ALLOWED_KEYS["model"])
    keys = [k for k in order if k in front_matter]
    keys += sorted(k for k in front_matter if k not in order)
    out: dict[str, Any] = {}
    for key in keys:
        value = front_matter[key]
        if key == "faq" and isinstance(value, list):
            value = [({k: item[k] for k in ("question", "answer") if k in item}
                      | {k: v for k, v in item.items() if k not in ("question", "answer")})
                     if isinstance(item, dict) else item for item in value]
        if key == "reviewed" and isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        out[key] = value
    return out


def serialize(kind: str, front_matter: dict[str, Any], body: str) -> str:
    """The file text of a page: front matter in the stable key order, then the body as is.
    Values are never wrapped (a wrap could split a shortcode across lines); text with line
    breaks is written as a literal block."""
    front = ""
    if front_matter:
        front = yaml.dump(_ordered(kind, front_matter), Dumper=_Dumper, sort_keys=False,
                          allow_unicode=True, width=1_000_000, default_flow_style=False)
    return f"---\n{front}---\n{normalise_body(body)}"
