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
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from ratecard.content import ALLOWED_KEYS, Problem

MAX_FILE_BYTES = 1_000_000
# YAML is parsed within bounds: real front matter is a few kB and 3 levels deep (faq).
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_DEPTH = 16
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
_STR = "tag:yaml.org,2002:str"
_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


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
    _load_yaml(doc, "\n".join(lines[1:end]), first_line=2)
    return doc


def _load_yaml(doc: Document, text: str, first_line: int) -> None:
    """Never raises: whatever the text holds ends as problems with their file line."""
    if len(text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        doc.problems.append(Problem(doc.path, first_line, "front matter is over "
                                    f"{MAX_FRONT_MATTER_BYTES // 1024} kB"))
        return
    nul = text.find("\0")
    if nul >= 0:         # the YAML reader refuses it anyway; say where, in plain words
        doc.problems.append(Problem(doc.path, first_line + text.count("\n", 0, nul),
                                    "NUL character in the front matter"))
        return
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return
        if not isinstance(node, yaml.MappingNode):
            doc.problems.append(Problem(doc.path, node.start_mark.line + first_line,
                                        "front matter must be a mapping of keys to values"))
            return
        if _walk(doc, loader, node, (), set(), first_line, first_line):
            data = loader.construct_document(node)
            doc.front_matter = data if isinstance(data, dict) else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark is not None else first_line
        what = " ".join(p for p in (exc.context, exc.problem) if p)
        doc.problems.append(Problem(doc.path, line, f"bad YAML: {what}"))
    except _TooDeep as exc:
        doc.problems.append(Problem(doc.path, exc.line + first_line,
                                    f"front matter nested more than {MAX_DEPTH} levels deep"))
    except yaml.reader.ReaderError as exc:
        line = first_line + text.count("\n", 0, max(0, exc.position))
        doc.problems.append(Problem(doc.path, line, f"bad YAML: {exc.reason}"))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        doc.problems.append(Problem(doc.path, first_line, f"bad YAML: {exc}"))
    finally:
        if loader is not None:
            loader.dispose()


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _Loader(yaml.SafeLoader):
    """The safe loader, composing at most MAX_DEPTH levels: the parser is iterative but the
    composer and the constructor recurse (3,000 levels of [ end in a RecursionError)."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH and self.check_event(yaml.CollectionStartEvent):
                raise _TooDeep(self.peek_event().start_mark.line)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


def _walk(doc: Document, loader: _Loader, node: yaml.Node, path: Path_,
          seen: set[int], first: int, line: int) -> bool:
    """Record line numbers; refuse aliases (a shared node seen twice), duplicate keys, keys
    that are not text and values that cannot be stored. `line` is where the node is used
    (an alias's own node starts at its anchor)."""
    if id(node) in seen:
        doc.problems.append(Problem(doc.path, line,
                                    "YAML anchors and aliases are not allowed in front matter"))
        return False
    seen.add(id(node))
    ok = True
    if isinstance(node, yaml.CollectionNode) and node.tag not in _COLLECTIONS:
        doc.problems.append(Problem(doc.path, line, f"YAML tag {node.tag.rsplit(':', 1)[-1]!r} "
                                    "is not allowed in front matter"))     # !!set, !!omap…
        return False
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + first
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == _STR):
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "[…]"
                doc.problems.append(Problem(doc.path, line, f"key {str(shown)[:40]} is not "
                                            "text: keys are names such as title or summary"))
                ok = False
                continue
            key = key_node.value
            if key in keys:
                doc.problems.append(Problem(doc.path, line, f"duplicate key {key!r}"))
                ok = False
            keys.add(key)
            doc.lines.setdefault((*path, key), line)
            ok = _walk(doc, loader, value_node, (*path, key), seen, first, line) and ok
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_line = item.start_mark.line + first
            doc.lines.setdefault((*path, index), item_line)
            ok = _walk(doc, loader, item, (*path, index), seen, first, item_line) and ok
    elif isinstance(node, yaml.ScalarNode):
        message = _scalar_problem(loader, node)
        if message:
            doc.problems.append(Problem(doc.path, line, message))
            ok = False
    return ok


def _scalar_problem(loader: _Loader, node: yaml.ScalarNode) -> str | None:
    """Why a scalar cannot be a stored value (JSON, PostgreSQL text), or None."""
    shown = node.value[:40]
    try:
        value = loader.construct_object(node)
    except yaml.MarkedYAMLError as exc:                 # an unknown tag such as !!python/…
        return f"bad YAML: {exc.problem}"
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return f"not a date: {shown} (write a real date as YYYY-MM-DD)"
        return f"value {shown!r} cannot be read: {str(exc)[:80]}"
    if not isinstance(value, str | int | float | dt.date | None):       # !!binary
        return f"value {shown!r}: a {type(value).__name__} cannot be stored; write text"
    if isinstance(value, float) and not math.isfinite(value):
        return f"value {shown!r} is not a finite number"
    if isinstance(value, str) and "\0" in value:
        return "NUL character in a value"
    return None


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
