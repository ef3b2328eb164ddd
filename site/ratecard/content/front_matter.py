"""Front matter YAML -> a Document's mapping, with the file line of every key and item.

Safe and bounded: the safe loader (no tags beyond YAML's own, no anchors or aliases), at
most MAX_FRONT_MATTER_BYTES and MAX_DEPTH levels, keys that are text, and only values the
database can keep (JSON, PostgreSQL text). Whatever the text holds ends as problems with
their line, never as an exception out of the parser.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import yaml

from ratecard.content import Problem

if TYPE_CHECKING:
    from ratecard.content.source import Document, Path_

# Real front matter is a few kB and 3 levels deep (faq: list, item, answer).
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_DEPTH = 16
_STR = "tag:yaml.org,2002:str"
_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def load_yaml(doc: Document, text: str, first_line: int) -> None:
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

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH and self.check_event(yaml.CollectionStartEvent):
                raise _TooDeep(self.peek_event().start_mark.line)
            return super().compose_node(parent, index)
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
