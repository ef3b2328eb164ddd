"""The catalog's frames (docs/pages.md, "Catalog queries"): a catalog query's page put
together from three parts rendered once per data version, then filled in per query.

A query combines search words no two visitors repeat with filters, a sort and a page,
each from a few choices; a page rendered whole for each combination would be rendered for
nearly every request. So the page is cut in three parts, each rendered with stand-ins for
what varies within it and kept by what it does depend on:

- the chrome (catalog/index.html: head, header, footer): by page number and image mode;
  stand-ins for the count of matches and the two parts below;
- the form (catalog/_form.html): by filters; stand-ins for the words, the sort state and
  the provider choices (rendered once with none chosen, the chosen one marked per query);
- the results (catalog/_results.html): by sort, order, page and number of pages; stand-ins
  for the count, the rows and every link (a link is this query's own parameters changed,
  web/urls.py QueryLinks, so it is computed per query).

A rendered part cut at its stand-ins is a Frame; a page is the three frames joined with
this query's values, escaped as Jinja escapes them. Flask's view and the catalog front
(web/catalog_front.py) fill pages with the same function; tests/web/test_catalog_frame.py
checks the result against a plain render of the same templates, byte for byte.
"""
from __future__ import annotations

import datetime as dt
import re
import struct
import sys
import threading
import zlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask import g, get_template_attribute, request, url_for
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from ratecard.cache import VersionedCache, current_cache
from ratecard.labels import count
from ratecard.queries import catalog as q
from ratecard.web.urls import LINK_MARK, REPORT, QueryLinks, report_base, report_link

# Stand-ins: text that escaping and URL-quoting leave as it is, and no page shows.
WORDS_MARK = "qRatecardSearchWords7"
TOTAL_MARK = 987_654_321            # shown through labels.count: "987,654,321"
PART_MARKS = {name: Markup(f"<!--ratecard:{name}-->")
              for name in ("form", "results", "rows", "state", "providers")}
_MARKS = re.compile("|".join([
    f"(?P<words>{WORDS_MARK})", f"(?P<total>{re.escape(count(TOTAL_MARK))})",
    r"<!--ratecard:(?P<part>form|results|rows|state|providers)-->", f"{LINK_MARK}(?P<link>\\d+)z"]))
FRAMES = "catalog frames"
# First click on a column sorts the way people read it: cheapest, biggest, newest,
# most available first (p50 latency: fastest, so ascending).
FIRST_DIRECTION = {"context": "desc", "released": "desc", "availability": "desc"}

Changes = tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class Query:
    """A catalog query, parsed (web/pages/catalog.py parse): what the listing is asked,
    and what else the page shows of the query."""

    filters: q.Filters
    sort: str
    order: str
    page: int
    image_mode: bool
    filtered: bool            # any filter or words: the page offers to clear them
    more_filters: bool        # a filter of the folded part of the form is set

    @property
    def descending(self) -> bool:
        return self.order == "desc"


# A piece of a page as sent: its UTF-8 text, and that text as a raw deflate chunk when it
# is kept compressed (see gzip_page), else None.
Segment = tuple[bytes, bytes | None]
GZIP_LEVEL = 1              # web/http.py's for a page made for one answer; and for a
KEPT_LEVEL = 6              # piece sent many times (a frame's, compressed once)
KEEP_COMPRESSED = 1024      # bytes: a shorter piece is compressed with its neighbours


@dataclass(frozen=True)
class Frame:
    """A rendered part cut at its stand-ins: text at even places; at odd places the name
    of the value that goes there, or the number of a link in `links`. Each text piece is
    kept as UTF-8 too, and compressed once when long (gzip_page)."""

    pieces: tuple[str | int, ...]
    links: tuple[Changes, ...]
    texts: tuple[Segment, ...] = ()

    def __post_init__(self) -> None:
        if not self.texts:
            encoded = (str(p).encode() for p in self.pieces[::2])
            object.__setattr__(self, "texts", tuple(
                (data, _deflate(data) if len(data) >= KEEP_COMPRESSED else None)
                for data in encoded))

    def segments(self, values: Mapping[str, list[Segment]], link: Callable[[Changes], str]
                 ) -> list[Segment]:
        out: list[Segment] = [self.texts[0]]
        for n, hole in enumerate(self.pieces[1::2], start=1):
            if isinstance(hole, int):
                out.append((str(escape(link(self.links[hole]))).encode(), None))
            else:
                out += values[hole]
            out.append(self.texts[n])
        return out


def _deflate(data: bytes) -> bytes:
    """`data` as raw deflate blocks that end on a byte boundary and refer to nothing
    before them: such chunks, concatenated, are one valid deflate stream (as pigz
    writes them)."""
    compressor = zlib.compressobj(KEPT_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def text_of(segments: Sequence[Segment]) -> str:
    return b"".join(data for data, _ in segments).decode()


_COMPRESSORS = threading.local()


def _compressor() -> Any:
    """This thread's compressor of a query's own text, kept between requests: making one
    costs more than compressing a few KB with it (zlib clears its tables)."""
    found = getattr(_COMPRESSORS, "compressor", None)
    if found is None:
        found = _COMPRESSORS.compressor = zlib.compressobj(
            GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return found


def gzip_page(segments: Sequence[Segment]) -> tuple[bytes, bytes]:
    """(body, its gzip): the long pieces of the frames were compressed when the frames
    were cut, so only this query's own text (words, links, rows, short pieces between
    them) is compressed now, each run ended by a full flush: byte-aligned, and referring
    to nothing before it, so the kept chunks can sit between the runs."""
    compressor = _compressor()
    body: list[bytes] = []
    chunks: list[bytes] = []
    pending: list[bytes] = []

    def run() -> None:
        chunks.append(compressor.compress(b"".join(pending))
                      + compressor.flush(zlib.Z_FULL_FLUSH))
        pending.clear()

    for data, deflated in segments:
        body.append(data)
        if deflated is None:
            pending.append(data)
            continue
        if pending:
            run()
        chunks.append(deflated)
    if pending:
        run()
    whole = b"".join(body)
    # gzip (RFC 1952): header (no name, no time, unknown OS), the deflate stream
    # ended by an empty final block, then the CRC-32 and size of what it holds.
    return whole, b"".join([b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", *chunks, b"\x03\x00",
                            struct.pack("<II", zlib.crc32(whole), len(whole) & 0xFFFFFFFF)])


def cut(html: str, links: Sequence[Changes], expected: Mapping[str, int | None]
        ) -> Frame | None:
    """The frame of a part rendered with stand-ins, or None (then the page is rendered
    plainly) when a stand-in sits where its escaping is not known, or is not one this
    part may hold (`expected`: name -> how many times, None for any), or not as often."""
    pieces: list[str | int] = []
    start = 0
    for match in _MARKS.finditer(html):
        text = html[start:match.start()]
        if match["words"] and not text.endswith('value="'):   # the search box only
            return None
        hole: str | int
        if match["link"] is not None:
            hole = int(match["link"])
        elif match["part"] is not None:
            hole = match["part"]
        else:
            hole = str(match.lastgroup)          # "words" or "total"
        pieces += [sys.intern(text), hole]   # frames share their head, header, footer
        start = match.end()
    pieces.append(sys.intern(html[start:]))
    holes = pieces[1::2]
    if any(h not in expected for h in holes if isinstance(h, str)) or any(
            n is not None and holes.count(name) != n for name, n in expected.items()):
        return None
    if sorted(h for h in holes if isinstance(h, int)) != list(range(len(links))):
        return None
    return Frame(tuple(pieces), tuple(links))


# -- keys: what each part depends on ----------------------------------------------------------

def cache_version(version: str, day: dt.date) -> Hashable:
    return (version, day)


def frame_keys(root: str, query: Query, found: q.Page, rows: bool
               ) -> dict[str, tuple[Hashable, ...]]:
    words = bool(query.filters.search)
    return {
        "chrome": ("chrome", root, query.page, query.filtered, query.image_mode),
        "form": ("form", root, replace(query.filters, search=None, provider=None),
                 query.filtered, query.more_filters),
        "providers": ("providers",),
        "results": ("results", root, query.sort, query.order, query.image_mode, words,
                    query.filtered, query.page, found.pages, rows),
    }


def state_key(query: Query) -> tuple[Hashable, ...]:
    return ("state", query.sort, query.order)


# -- a page ---------------------------------------------------------------------------------

Render = Callable[..., str]     # render(template, page, filters, **parts) -> HTML


def fill(frames: Mapping[str, Frame], state: str, query: Query, found: q.Page, rows: str,
         base: str, args: MultiDict[str, str], url: str, report: str) -> list[Segment]:
    """The page of `query`: its frames filled in. `base` and `args`: the links' path and
    this query's parameters (web/urls.py url_with's); `url` and `report`: this page's
    address and where wrong prices are reported (report_url's)."""
    links = QueryLinks(base, args)

    def link(changes: Changes) -> str:
        if changes and changes[0][0] == REPORT:
            return report_link(report, url, changes[0][1])  # type: ignore[arg-type]
        return links(changes)

    def own(text: str) -> list[Segment]:
        return [(text.encode(), None)]

    total = own(count(found.total))
    chosen = query.filters.provider
    providers = frames["providers"]
    if chosen is not None:            # kept per chosen provider, compressed once
        providers = current_cache().get(
            FRAMES, ("chosen", providers), lambda: Frame(
                (select_option(str(frames["providers"].pieces[0]), chosen),), ()),
            key=("providers", chosen))
    form = frames["form"].segments(
        {"words": own(str(escape(query.filters.search or ""))), "state": own(state),
         "providers": providers.segments({}, link)}, link)
    results = frames["results"].segments({"total": total, "rows": own(rows)}, link)
    return frames["chrome"].segments({"total": total, "form": form, "results": results},
                                     link)


def select_option(options: str, value: str) -> str:
    """The provider choices (catalog/_macros.html provider_options, rendered with none
    chosen) with `value` chosen, as the macro marks it."""
    tag = f'<option value="{escape(value)}">'
    return options.replace(tag, tag[:-1] + " selected>", 1)


def page(version: str, query: Query, found: q.Page, rows: Sequence[Markup],
         render: Render, providers: Callable[[], str]) -> str:
    """The catalog page of this request (in Flask): its frames filled in, each rendered
    first if it is not kept yet at this data version and day. providers(): the provider
    choices with none chosen."""
    joined = Markup("\n".join(rows))
    cache = current_cache()
    at = cache_version(version, query.filters.today)
    stand_in = q.Page(rows=[], total=TOTAL_MARK, page=found.page, pages=found.pages)
    marked = replace(query.filters, search=WORDS_MARK if query.filters.search else None)

    def build(template: str, expected: Mapping[str, int | None], **parts: Markup
              ) -> Callable[[], Frame | None]:
        def render_frame() -> Frame | None:
            links: list[Changes] = []
            g.deferred_links = links
            try:
                html = render(template, stand_in, marked, **parts)
            finally:
                g.pop("deferred_links", None)
            return cut(html, links, expected)
        return render_frame

    marks = PART_MARKS
    builders = {
        "chrome": build("catalog/index.html", {"total": None, "form": 1, "results": 1},
                        form=marks["form"], results=marks["results"]),
        "form": build("catalog/_form.html", {"state": 1, "providers": 1,
                                             "words": 1 if marked.search else 0},
                      state=marks["state"], provider_options=marks["providers"]),
        "providers": lambda: Frame((providers(),), ()),
        "results": build("catalog/_results.html", {"total": None, "rows": 1 if rows else 0},
                         rows=marks["rows"] if rows else Markup("")),
    }
    keys = frame_keys(request.url_root, query, found, bool(rows))
    frames = {name: cache.get(FRAMES, at, builders[name], key=keys[name],
                              keep=lambda frame: frame is not None) for name in keys}
    state = form_state(query)
    if any(frame is None for frame in frames.values()):
        return plain(query, found, joined, state, render)
    return text_of(fill(frames, state, query, found, joined,  # type: ignore[arg-type]
                        url_for("public.catalog"), request.args, request.url, report_base()))


def plain(query: Query, found: q.Page, rows: Markup, state: str, render: Render) -> str:
    """The page rendered whole, without frames: what a filled page must equal."""
    form = Markup(render("catalog/_form.html", found, query.filters, state=Markup(state)))
    results = Markup(render("catalog/_results.html", found, query.filters, rows=rows))
    return render("catalog/index.html", found, query.filters, form=form, results=results)


def form_state(query: Query) -> str:
    """The form's hidden sort and order (catalog/_macros.html form_state), kept per sort
    and order."""
    return current_cache().get(
        "catalog fragments", "", lambda: str(get_template_attribute(
            "catalog/_macros.html", "form_state")(query.sort, query.order, FIRST_DIRECTION)),
        key=state_key(query))


def kept_frames(cache: VersionedCache, version: str, day: dt.date,
                keys: Mapping[str, Hashable]) -> dict[str, Frame] | None:
    """The frames kept for these keys, or None when one is missing (the catalog front)."""
    out = {}
    for name, key in keys.items():
        found = cache.find(FRAMES, cache_version(version, day), key)
        if not isinstance(found, Frame):
            return None
        out[name] = found
    return out
