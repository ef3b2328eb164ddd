"""Markdown -> safe HTML, the same way for the public page and the editor's preview.

1. Shortcodes are expanded into escaped text (shortcodes.py).
2. Python-Markdown with tables, fenced_code, footnotes, toc (permalink anchors) and
   sane_lists. Raw HTML is switched off (its text is escaped, not passed through), and
   attr_list is deliberately absent: authors cannot set attributes.
3. A tree pass marks external links rel="noopener nofollow" and gives every illustration
   its width/height from the media table, loading="lazy" and a versioned /media/ URL.
4. nh3 (ammonia) cleans the result against sanitize.py's allow-list: text tags, tables, code, links
   (http, https, mailto, site-relative), /media/ images, heading ids, footnote markup.

Before any of it, limits.refusal bounds the text (size, nesting, unclosed brackets) so its
render cost is bounded; a text it refuses, or one Markdown still fails on (a
RecursionError), raises Refused: the page is shown without that part, never as a 500.
No wall-clock check is needed on top: within the limits the worst case is measured
(bench/render) and small, and Python could not stop a running conversion anyway.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from ratecard.content import Catalog, Problem
from ratecard.content.limits import Refusal, refusal
from ratecard.content.sanitize import MEDIA_SRC, TABLE_BOX, is_external, sanitize
from ratecard.content.shortcodes import expand

log = logging.getLogger(__name__)

@dataclass
class RenderedContent:
    kind: str
    slug: str
    title: str
    summary_html: Markup
    summary_text: str
    body_html: Markup
    toc_html: Markup
    strengths: list[Markup]
    weaknesses: list[Markup]
    faq: list[tuple[str, Markup]]
    faq_jsonld: Markup            # '' when there is no FAQ; JSON, safe inside <script>
    author: str | None
    reviewed: dt.date | None
    tags: list[str]
    problems: list[Problem] = field(default_factory=list)
    # Parts left out because their text was refused: "body line 3: <why>", "summary: …".
    refused: list[str] = field(default_factory=list)
    revision_id: int | None = None
    published_at: dt.datetime | None = None


# -- Markdown ------------------------------------------------------------------------------

class _Finish(Treeprocessor):
    catalog: Catalog | None = None

    def run(self, root: etree.Element) -> None:
        # A wide table scrolls inside its own box, never the page (on a phone): wrapped
        # here, so every page that shows content gets it, not only those with the CSS.
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    box = etree.Element("div", {"class": "table-wrap", **TABLE_BOX})
                    box.tail, child.tail = child.tail, None
                    parent.remove(child)
                    box.append(child)
                    parent.insert(index, box)
        for link in root.iter("a"):
            if is_external(link.get("href", "")):
                link.set("rel", "noopener nofollow")
        for img in root.iter("img"):
            found = MEDIA_SRC.match(img.get("src", "").strip())
            facts = self.catalog.media(found.group(1)) if found and self.catalog else None
            if facts is None:                          # not ours: show the words instead
                alt = img.get("alt", "")
                img.attrib.clear()
                img.tag, img.text = "span", alt
                continue
            img.set("src", f"/media/{facts.name}?v={facts.sha256[:16]}")
            img.set("width", str(facts.width))
            img.set("height", str(facts.height))
            img.set("loading", "lazy")
            img.set("decoding", "async")


class _SafeExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")      # raw HTML blocks become text
        md.inlinePatterns.deregister("html")           # and inline tags too
        md.treeprocessors.register(_Finish(md), "ratecard_finish", 1)


# Parsers, not values: a Markdown instance is stateful (reset() per document), so each
# thread keeps its own rather than sharing one through ratecard.cache.
_local = threading.local()


def _markdown(baselevel: int, toc: bool) -> markdown.Markdown:
    key = (baselevel, toc)
    cache = _local.__dict__.setdefault("instances", {})
    if key not in cache:
        extensions: list[Any] = [TableExtension(use_align_attribute=True), "fenced_code",
                                 "footnotes", "sane_lists", _SafeExtension()]
        if toc:
            extensions.append(TocExtension(permalink=True, permalink_title="Link to this section",
                                           baselevel=baselevel, toc_depth="2-4"))
        cache[key] = markdown.Markdown(extensions=extensions, output_format="html")
    md = cache[key]
    md.reset()
    return md


class Refused(ValueError):
    """A text the renderer will not render; `refusal` says where and why."""

    def __init__(self, found: Refusal):
        super().__init__(f"line {found.line + 1}: {found.message}")
        self.refusal = found


def _convert(text: str, catalog: Catalog, *, baselevel: int = 1,
             toc: bool = True) -> tuple[str, markdown.Markdown]:
    """(html before sanitizing, the Markdown instance that made it). Raises Refused."""
    md: markdown.Markdown | None = None
    try:
        found = refusal(text)
        if found is not None:
            raise Refused(found)
        md = _markdown(baselevel, toc)
        finish = md.treeprocessors["ratecard_finish"]
        assert isinstance(finish, _Finish)             # registered by _markdown
        finish.catalog = catalog
        try:
            return md.convert(expand(text, catalog)[0]), md
        finally:
            finish.catalog = None
    except Refused:
        raise
    except RecursionError:
        if md is not None:
            md.reset()
        raise Refused(Refusal(0, "the text is nested too deeply to be rendered")) from None
    except Exception as exc:  # noqa: BLE001 (a Markdown bug on odd input must not be a 500)
        log.warning("Markdown failed on a text of %d characters", len(text), exc_info=True)
        if md is not None:
            md.reset()
        raise Refused(Refusal(0, f"the text could not be rendered "
                              f"({type(exc).__name__})")) from None


def refused(text: str, catalog: Catalog) -> Refusal | None:
    """Why the renderer would refuse `text`, or None: the limits, then a trial render (for
    `content check` and the preview's problems, so they refuse exactly what pages do)."""
    try:
        _convert(text, catalog)
    except Refused as exc:
        return exc.refusal
    return None


def render_markdown(text: str, catalog: Catalog, *, baselevel: int = 1) -> tuple[str, str]:
    """(body html, table-of-contents html): sanitized. Raises Refused."""
    html, md = _convert(text, catalog, baselevel=baselevel)
    body = sanitize(html)
    tokens = getattr(md, "toc_tokens", [])
    entries = sum(1 + len(t.get("children", [])) for t in tokens)
    toc = sanitize(getattr(md, "toc", "")) if entries >= 2 else ""
    return body, toc


def render_fragment(text: str, catalog: Catalog, *, inline: bool = False) -> str:
    """A front-matter field; `inline` drops the wrapping <p> of a one-paragraph text.
    Raises Refused."""
    html = sanitize(_convert(text, catalog, toc=False)[0]).strip()
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def text_of(html: str) -> str:
    """Plain text of sanitized HTML (for meta descriptions and JSON-LD)."""
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


# -- a whole page --------------------------------------------------------------------------

def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _reviewed(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def faq_jsonld(faq: list[tuple[str, Markup]]) -> Markup:
    """schema.org FAQPage; '<', '>' and '&' escaped so the JSON cannot end its <script>."""
    if not faq:
        return Markup("")
    data = {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": question,
         "acceptedAnswer": {"@type": "Answer", "text": text_of(answer)}}
        for question, answer in faq]}
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)


def render_document(kind: str, slug: str, front_matter: dict[str, Any], body: str,
                    catalog: Catalog) -> RenderedContent:
    """Everything a page shows. Malformed fields are skipped (check.py reports them) and a
    refused text is left out (listed in `refused`): rendering itself never fails on content."""
    fm = front_matter if isinstance(front_matter, dict) else {}
    left_out: list[str] = []

    def part(where: str, text: str, **options: Any) -> str:
        try:
            return render_fragment(text, catalog, **options)
        except Refused as exc:
            left_out.append(f"{where}: {exc}")
            return ""

    summary = fm.get("summary") if isinstance(fm.get("summary"), str) else ""
    # Model and provider texts sit under their page's own section headings: '##' becomes h3.
    try:
        body_html, toc_html = render_markdown(body, catalog,
                                              baselevel=1 if kind == "page" else 2)
    except Refused as exc:
        body_html, toc_html = "", ""
        left_out.append(f"body {exc}")
    summary_html = part("summary", summary, inline=True) if summary else ""
    faq = []
    for item in fm["faq"] if isinstance(fm.get("faq"), list) else []:
        if isinstance(item, dict) and isinstance(item.get("question"), str) \
                and isinstance(item.get("answer"), str):
            answer = part("faq answer", item["answer"])
            if answer:
                faq.append((" ".join(item["question"].split()), Markup(answer)))
    given = fm.get("title")
    title = given if isinstance(given, str) else slug
    author = fm.get("author") if isinstance(fm.get("author"), str) else None
    strengths = [part("strengths", s, inline=True) for s in _strings(fm.get("strengths"))]
    weaknesses = [part("weaknesses", s, inline=True) for s in _strings(fm.get("weaknesses"))]
    return RenderedContent(
        kind=kind, slug=slug, title=title, summary_html=Markup(summary_html),
        summary_text=text_of(summary_html), body_html=Markup(body_html),
        toc_html=Markup(toc_html),
        strengths=[Markup(s) for s in strengths if s],
        weaknesses=[Markup(w) for w in weaknesses if w],
        faq=faq, faq_jsonld=faq_jsonld(faq), author=author,
        reviewed=_reviewed(fm.get("reviewed")), tags=_strings(fm.get("tags")), refused=left_out)
