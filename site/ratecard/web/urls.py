"""Links the pages build by the hundred: this page with other parameters (url_with), a
model's profile, a provider's page. Template globals (registered in web/public.py)."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from flask import current_app, g, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ratecard.models import Model
from ratecard.queries.catalog import ModelRef

_SEGMENT_SAFE = "!$&'()*+,/:;=@"     # werkzeug.routing.BaseConverter.to_url
URL_SAFE = "!$'()*,/:;?@"            # werkzeug's _urlencode: unescaped in a query
# A link a catalog frame leaves to fill in (web/catalog_frame.py): "zRcLink<n>z", text
# that escaping leaves as it is.
LINK_MARK = "zRcLink"
REPORT = "\0report"       # a deferred link that is report_url's, not url_with's


def url_with(**changes: object) -> str:
    """This page's URL with some query parameters changed (None removes one). Changing a
    filter or the sort goes back to page 1."""
    deferred = g.get("deferred_links")
    if deferred is not None:          # a catalog frame: filled in per query
        deferred.append(tuple(changes.items()))
        return Markup(f"{LINK_MARK}{len(deferred) - 1}z")
    # A page links to itself dozens of times: its path and parameters, once per request.
    if "query_links" not in g:
        g.query_links = QueryLinks(url_for(request.endpoint or "public.home",
                                           **(request.view_args or {})), request.args)
    return g.query_links(changes)


class QueryLinks:
    """Links to `base` with the query `source` changed, appended as url_for would
    (werkzeug's _urlencode: URL_SAFE characters stay unescaped). Each parameter is
    encoded once, however many links a page makes of it (a catalog page: a dozen).
    Query parameters never reach url_for as arguments, so ?_anchor=… or a parameter named
    like a path part (/providers/x?slug=…) is a parameter like any other, not a 500."""

    def __init__(self, base: str, source: MultiDict[str, str]):
        self.base = base
        # Every name in the query's order (one given empty keeps its place for a change),
        # with its non-empty values encoded.
        self.encoded = {k: "&".join(_pair(k, v) for v in source.getlist(k) if v)
                        for k in source}

    def __call__(self, changes: Mapping[str, object] | Iterable[tuple[str, object]]) -> str:
        changes = dict(changes)
        parts = []
        for key, encoded in self.encoded.items():
            if key in changes:
                parts.append(_change(key, changes[key]))
            elif key != "page":           # changing a filter or the sort: back to page 1
                parts.append(encoded)
        parts += [_change(k, v) for k, v in changes.items() if k not in self.encoded]
        query = "&".join(p for p in parts if p)
        return f"{self.base}?{query}" if query else self.base


def _pair(key: str, value: object) -> str:
    return f"{quote_plus(key, safe=URL_SAFE)}={quote_plus(str(value), safe=URL_SAFE)}"


def _change(key: str, value: object) -> str:
    """A changed parameter, encoded: None, "" or [] removes it."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list | tuple):
        return "&".join(_pair(key, v) for v in value)
    return _pair(key, value)


def fixed_url(endpoint: str, **values: Any) -> str:
    """A link every page carries (the navigation, the footer): url_for once per app,
    script root and arguments, then a dict lookup (a page carries a dozen)."""
    known: dict[tuple[str, str, tuple[tuple[str, Any], ...]], str] = \
        current_app.extensions.setdefault("ratecard.fixed_urls", {})
    key = (endpoint, request.script_root, tuple(sorted(values.items())))
    found = known.get(key)
    if found is None:
        found = known[key] = url_for(endpoint, **values)
    return found


def profile_url(model: Model | ModelRef) -> str:
    return profile_path(model.provider.slug, model.canonical_id)


def profile_path(provider_slug: str, canonical_id: str, root: str | None = None) -> str:
    """url_for("public.profile", provider=…, name=…) without its cost per call (the sitemap
    links thousands of models): the prefix (profile_root) comes from url_for once per
    request, each part is quoted as werkzeug's converters quote it (BaseConverter.to_url)."""
    name = canonical_id.split("/", 1)[1]
    return (f"{root or profile_root()}/{quote(provider_slug, safe=_SEGMENT_SAFE)}/"
            f"{quote(name, safe=_SEGMENT_SAFE)}")


def provider_path(slug: str) -> str:
    """url_for("public.provider", slug=…) for a table of models: as profile_path."""
    if "provider_root" not in g:
        g.provider_root = url_for("public.provider", slug="p").removesuffix("/p")
    return f"{g.provider_root}/{quote(slug, safe=_SEGMENT_SAFE)}"


def profile_root() -> str:
    """What every profile URL starts with ("/models", behind any script root)."""
    if "profile_root" not in g:
        g.profile_root = url_for("public.profile", provider="p", name="n").removesuffix("/p/n")
    return g.profile_root


def report_url(canonical_id: str | None = None) -> str:
    """A prefilled "report a wrong price" link (RATECARD_REPORT_URL): the page and the
    model go in the title or subject and the body, for a tracker's new-issue form
    (title=, body=) or a mailto: address (subject=, body=)."""
    deferred = g.get("deferred_links")
    if deferred is not None:          # a catalog frame: this page's address varies
        deferred.append(((REPORT, canonical_id),))
        return Markup(f"{LINK_MARK}{len(deferred) - 1}z")
    return report_link(report_base(), request.url, canonical_id)


def report_base() -> str:
    from ratecard.config import DEFAULT_REPORT_URL

    return str(current_app.config.get("RATECARD_REPORT_URL") or "") or DEFAULT_REPORT_URL


def report_link(base: str, page_url: str, canonical_id: str | None) -> str:
    """report_url's link for the page at `page_url`."""
    start, end = _report_parts(base, canonical_id)
    return f"{start}{quote(page_url, safe='')}{end}"


@functools.lru_cache(maxsize=64)
def _report_parts(base: str, canonical_id: str | None) -> tuple[str, str]:
    """report_link's text before and after the page's address, quoted (the same for
    every page of a model, or of none)."""
    about = f" for {canonical_id}" if canonical_id else ""
    body_end = ("\n" + (f"Model: {canonical_id}\n" if canonical_id else "")
                + "Which price is wrong (meter, and the source shown next to it):\n\n"
                + "What it should be, with a link to the provider's own price page:\n\n")
    mail = base.lower().startswith("mailto:")
    # quote, not quote_plus: mail clients show a + as a plus sign
    title = quote(f"Wrong price{about} on Ratecard", safe="")
    start = (f"{base}{'&' if '?' in base else '?'}{'subject' if mail else 'title'}={title}"
             f"&body={quote('Page: ', safe='')}")
    return start, quote(body_end, safe="")
