"""Validation of one content document: every problem with its line.

Errors block publishing (an import keeps the last good revision); warnings are shown and
never fail `ratecard content check`. Links to /live-test/… are warnings: those pages come
with a later issue, so they cannot be checked yet.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ratecard.content import ALLOWED_KEYS, Catalog, Problem
from ratecard.content.render import refused
from ratecard.content.sanitize import MEDIA_SRC
from ratecard.content.shortcodes import code_spans, expand, inside, line_at
from ratecard.content.source import Document

# Top-level paths the site serves besides content pages.
SITE_SECTIONS = frozenset({
    "models", "providers", "compare", "changes", "api", "guides", "editor", "feeds", "static",
    "assets", "search", "sitemap.xml", "robots.txt", "feed.xml", "changes.atom", "changes.xml",
    "favicon.ico",
})
_INLINE = re.compile(r"(!?)\[((?:[^\[\]\n]|\[[^\]\n]*\])*)\]\(\s*(<[^>\n]*>|[^\s)]*)")
_REF_USE = re.compile(r"!\[((?:[^\[\]\n]|\[[^\]\n]*\])*)\]\[([^\]\n]*)\]")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]^\n][^\]\n]*)\]:[ \t]*<?([^\s>]+)>?", re.M)
_RAW_HTML = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>")


def check_document(doc: Document, kind: str, slug: str, catalog: Catalog) -> list[Problem]:
    problems = list(doc.problems)
    problems += _target(doc, kind, slug, catalog)
    if any(p.is_error for p in doc.problems) and not doc.front_matter:
        return problems + list(_body(doc, catalog))     # YAML unreadable: check the rest
    problems += _front_matter(doc, kind)
    problems += _fields(doc, catalog)
    problems += _body(doc, catalog)
    return problems


def _target(doc: Document, kind: str, slug: str, catalog: Catalog) -> Iterator[Problem]:
    if kind == "model" and catalog.model(slug) is None:
        yield Problem(doc.path, 1, f"a page for a model that does not exist: no model {slug!r} "
                      "in the catalog (the file name must be its canonical id)")
    if kind == "provider" and not catalog.provider_exists(slug):
        yield Problem(doc.path, 1, f"a page for a provider that does not exist: {slug!r}")


# -- front matter --------------------------------------------------------------------------

def _is_date(value: Any) -> bool:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return True
    try:
        return isinstance(value, str) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _str_list(doc: Document, key: str, value: Any) -> Iterator[Problem]:
    if not isinstance(value, list):
        yield Problem(doc.path, doc.line_of(key), f"{key} must be a list of strings")
        return
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            yield Problem(doc.path, doc.line_of(key, index),
                          f"{key} item {index + 1} must be a non-empty string")


def _front_matter(doc: Document, kind: str) -> Iterator[Problem]:
    fm, allowed = doc.front_matter, ALLOWED_KEYS[kind]
    for key in fm:
        if key not in allowed:
            yield Problem(doc.path, doc.line_of(key), f"unknown front-matter key {key!r} "
                          f"(allowed for a {kind} page: {', '.join(allowed)})")
    if not isinstance(fm.get("title"), str) or not fm["title"].strip():
        yield Problem(doc.path, doc.line_of("title"), "title is required (a string)")
    for key in ("summary", "author"):
        if key in fm and not (isinstance(fm[key], str) and fm[key].strip()):
            yield Problem(doc.path, doc.line_of(key), f"{key} must be a non-empty string")
    if "reviewed" in fm and not _is_date(fm["reviewed"]):
        yield Problem(doc.path, doc.line_of("reviewed"), "reviewed must be a date (YYYY-MM-DD)")
    for key in ("strengths", "weaknesses", "tags"):
        if key in fm and key in allowed:
            yield from _str_list(doc, key, fm[key])
    if "faq" in fm and "faq" in allowed:
        yield from _faq(doc, fm["faq"])


def _faq(doc: Document, faq: Any) -> Iterator[Problem]:
    if not isinstance(faq, list):
        yield Problem(doc.path, doc.line_of("faq"), "faq must be a list of {question, answer}")
        return
    for index, item in enumerate(faq):
        line = doc.line_of("faq", index)
        if not isinstance(item, dict):
            yield Problem(doc.path, line, f"faq item {index + 1} must have question and answer")
            continue
        for key in item:
            if key not in ("question", "answer"):
                yield Problem(doc.path, doc.line_of("faq", index, key),
                              f"unknown faq key {key!r} (question, answer)")
        for key in ("question", "answer"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                yield Problem(doc.path, doc.line_of("faq", index, key),
                              f"faq item {index + 1} needs a non-empty {key}")


def _fields(doc: Document, catalog: Catalog) -> Iterator[Problem]:
    fm = doc.front_matter
    fields: list[tuple[tuple[str | int, ...], Any]] = [(("summary",), fm.get("summary"))]
    for key in ("strengths", "weaknesses"):
        if isinstance(fm.get(key), list):
            fields += [((key, i), v) for i, v in enumerate(fm[key])]
    if isinstance(fm.get("faq"), list):
        fields += [(("faq", i, "answer"), v.get("answer")) for i, v in enumerate(fm["faq"])
                   if isinstance(v, dict)]
    for path, value in fields:
        if isinstance(value, str):
            at = doc.line_of(*path)
            if (refusal := refused(value, catalog)) is not None:
                yield Problem(doc.path, at, refusal.message)
                continue                                  # not rendered: nothing more to check
            for finding in expand(value, catalog)[1]:
                yield Problem(doc.path, at, finding.message, finding.severity)
            yield from _markup(doc, value, _on_line(at), catalog)
    for key in ("title",):
        if isinstance(fm.get(key), str) and "{{" in fm[key]:
            yield Problem(doc.path, doc.line_of(key), "shortcodes are not expanded in the "
                          "title; it is shown as written", "warning")


# -- body and text fields: shortcodes, links, images, raw HTML ---------------------------------

def _body(doc: Document, catalog: Catalog) -> Iterator[Problem]:
    body = doc.body
    if (refusal := refused(body, catalog)) is not None:  # the renderer's own limits
        yield Problem(doc.path, doc.body_line + refusal.line, refusal.message)
        return                                            # not rendered: nothing more to check
    for finding in expand(body, catalog)[1]:
        yield Problem(doc.path, doc.body_line + finding.line, finding.message, finding.severity)
    line_of = line_at(body)
    yield from _markup(doc, body, lambda pos: doc.body_line + line_of(pos), catalog)


def _on_line(at: int) -> Callable[[int], int]:
    """A front-matter value is on one line: every position in it maps there."""
    return lambda _pos: at


def _markup(doc: Document, text: str, line: Callable[[int], int],
            catalog: Catalog) -> Iterator[Problem]:
    """Links, images and raw HTML in Markdown `text` (outside code)."""
    in_code = inside(code_spans(text))

    refs = {m.group(1).strip().lower(): (m.group(2), m.start())
            for m in _REF_DEF.finditer(text) if not in_code(m.start())}
    for found in _INLINE.finditer(text):
        if in_code(found.start()):
            continue
        url = found.group(3).strip("<>")
        if found.group(1):
            yield from _image(doc, line(found.start()), found.group(2), url, catalog)
        else:
            yield from _link(doc, line(found.start()), url, catalog)
    for url, pos in refs.values():
        yield from _link(doc, line(pos), url, catalog)
    for found in _REF_USE.finditer(text):
        if not in_code(found.start()):
            ref = refs.get((found.group(2) or found.group(1)).strip().lower())
            yield from _image(doc, line(found.start()), found.group(1),
                              ref[0] if ref else "", catalog, link_checked=True)
    for found in _RAW_HTML.finditer(text):
        if not in_code(found.start()):
            yield Problem(doc.path, line(found.start()), f"raw HTML <{found.group(1)}"
                          f"{found.group(2)}> is not allowed: it is shown as text", "warning")


def _image(doc: Document, line: int, alt: str, url: str, catalog: Catalog,
           link_checked: bool = False) -> Iterator[Problem]:
    if not alt.strip():
        yield Problem(doc.path, line, "image without alt text: describe it in ![…](…)")
    found = MEDIA_SRC.match(url)
    if found is None:
        if not link_checked or url:
            yield Problem(doc.path, line, f"image {url!r}: illustrations are files in "
                          "content/media/, linked as /media/<name>")
    elif catalog.media(found.group(1)) is None:
        yield Problem(doc.path, line, f"missing media file {found.group(1)!r} "
                      f"(no content/media/{found.group(1)})")


def _link(doc: Document, line: int, url: str, catalog: Catalog) -> Iterator[Problem]:
    for severity, message in check_link(url, catalog):
        yield Problem(doc.path, line, message, severity)


def check_link(url: str, catalog: Catalog) -> list[tuple[str, str]]:
    """[(severity, message)] for one link target; [] when it is fine."""
    url = url.strip()
    if not url:
        return [("error", "empty link target")]
    if url.startswith("#"):
        return []
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme:
        if scheme.group(1).lower() in ("http", "https", "mailto"):
            return []
        return [("error", f"link {url[:60]!r}: only http, https and mailto links are allowed")]
    if url.startswith("//"):
        return [("error", f"link {url[:60]!r}: write external links with https://")]
    if not url.startswith("/"):
        return [("error", f"relative link {url[:60]!r}: start internal links with / "
                 "(e.g. /models/openai/gpt-4o)")]
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return []
    head = segments[0]
    if head == "models" and len(segments) > 1:
        ids = ["/".join(segments[1:]).lower(), "/".join(segments[1:3]).lower()]
        if not any(catalog.model(i) for i in ids):
            return [("error", f"link to a model page that does not exist: {ids[0]}")]
    elif head == "compare":
        query = parse_qs(parts.query)
        ids = [i.strip().lower() for v in query.get("models", []) for i in v.split(",")]
        missing = [i for i in ids if i and catalog.model(i) is None]
        if missing:
            return [("error", f"compare link with a model that does not exist: "
                     f"{', '.join(missing)}")]
    elif head == "providers" and len(segments) > 1:
        if not catalog.provider_exists(segments[1].lower()):
            return [("error", f"link to a provider that does not exist: {segments[1]}")]
    elif head == "guides" and len(segments) > 1:
        if not catalog.page_exists("page", "guides/" + segments[1].lower()):
            return [("error", f"link to a guide that does not exist: /guides/{segments[1]} "
                     f"(no content/pages/guides/{segments[1]}.md)")]
    elif head == "live-test":
        return [("warning", f"link {parts.path}: live-test pages do not exist yet, so this "
                 "link is not checked")]
    elif head == "media":
        if len(segments) != 2 or catalog.media(segments[1]) is None:
            return [("error", f"missing media file: {parts.path}")]
    elif len(segments) == 1 and head not in SITE_SECTIONS:
        if not catalog.page_exists("page", head.lower()):
            return [("error", f"link to a page that does not exist: /{head} "
                     f"(no content/pages/{head}.md)")]
    elif head not in SITE_SECTIONS:
        return [("warning", f"internal link {parts.path} is not a known section of the "
                 "site and was not checked")]
    return []
