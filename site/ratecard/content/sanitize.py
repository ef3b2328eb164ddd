"""The allow-list every rendered text passes through (nh3, i.e. ammonia): text tags, tables,
code, links (http, https, mailto, site-relative), /media/ images, heading ids, footnote
markup. Whatever Markdown produced, only this reaches a page."""
from __future__ import annotations

import re

import nh3

MEDIA_SRC = re.compile(r"^/media/([A-Za-z0-9][A-Za-z0-9._-]{0,199})$")
_SAFE_SRC = re.compile(r"^/media/[A-Za-z0-9][A-Za-z0-9._-]{0,199}(\?v=[0-9a-f]{1,64})?$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
CLASSES = {"a": {"footnote-ref", "footnote-backref", "headerlink"},
           "div": {"footnote", "toc", "table-wrap"}}


def safe_href(value: str) -> str | None:
    """http(s)/mailto, or site-relative (/x, #x, ?x). Anything else is dropped."""
    probe = _CONTROL.sub("", value).lower()
    scheme = _SCHEME.match(probe)
    if scheme:
        return value if scheme.group(1) in ("http", "https", "mailto") else None
    if probe.startswith("//") or probe.startswith("/\\"):
        return None                                   # protocol-relative: another host
    return value if probe[:1] in ("/", "#", "?") else None


def is_external(href: str) -> bool:
    return bool(re.match(r"^(https?:)?//", href.strip(), re.I))


TABLE_BOX = {"tabindex": "0", "role": "region", "aria-label": "Table, scrolls sideways"}


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "href":
        return safe_href(value)
    if attr == "src":
        return value if tag == "img" and _SAFE_SRC.match(value) else None
    if attr == "class":
        allowed = CLASSES.get(tag)
        names = value.split()
        if tag == "code":
            ok = len(names) == 1 and bool(
                re.fullmatch(r"language-[A-Za-z0-9_+#.-]{1,30}", names[0]))
        else:
            ok = bool(names) and allowed is not None and all(n in allowed for n in names)
        return value if ok else None
    if attr == "id":
        return value if re.fullmatch(r"[\w:.-]{1,120}", value) else None
    if attr in ("width", "height", "start"):
        return value if value.isdigit() and len(value) < 7 else None
    if attr == "align":
        return value if value in ("left", "center", "right") else None
    if attr == "rel":
        return "noopener nofollow"
    if tag == "div" and attr in TABLE_BOX:   # a table's scroll box (render.py), fixed values
        return TABLE_BOX[attr]
    if attr == "loading":
        return "lazy"
    if attr == "decoding":
        return "async"
    return value                                      # title, alt: plain text


_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del",
    "ins", "mark", "small", "sub", "sup", "code", "pre", "kbd", "samp", "var", "blockquote", "q",
    "cite", "abbr", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "table", "caption", "thead",
    "tbody", "tfoot", "tr", "th", "td", "div", "span",
}
_ATTRIBUTES = {
    "a": {"href", "title", "rel", "class"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding"},
    **{f"h{n}": {"id"} for n in range(1, 7)},
    "th": {"align"}, "td": {"align"}, "sup": {"id"}, "li": {"id"},
    "div": {"class", *TABLE_BOX},
    "code": {"class"}, "ol": {"start"}, "abbr": {"title"},
}
CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style", "iframe", "object", "embed", "svg", "math",
                        "template", "noscript", "textarea", "select", "frameset", "noembed"},
    attributes=_ATTRIBUTES,
    attribute_filter=_attribute_filter,
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    strip_comments=True,
)


def sanitize(html: str) -> str:
    return CLEANER.clean(html)
