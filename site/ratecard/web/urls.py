"""Links the pages build by the hundred: this page with other parameters (url_with), a
model's profile, a provider's page. Template globals (registered in web/public.py)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import current_app, g, request, url_for

from ratecard.models import Model
from ratecard.queries.catalog import ModelRef

_SEGMENT_SAFE = "!$&'()*+,/:;=@"     # werkzeug.routing.BaseConverter.to_url


def url_with(**changes: object) -> str:
    """This page's URL with some query parameters changed (None removes one). Changing a
    filter or the sort goes back to page 1."""
    args: dict[str, list[str]] = {k: [v for v in request.args.getlist(k) if v]
                                  for k in request.args}
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "" or value == []:
            args.pop(key, None)
        elif isinstance(value, list | tuple):
            args[key] = [str(v) for v in value]
        else:
            args[key] = [str(value)]
    params = {k: v for k, v in args.items() if v}
    # A page links to itself dozens of times: build the path once per request, then append
    # the query as url_for would (werkzeug's _urlencode: these characters stay unescaped).
    # Query parameters never reach url_for as arguments, so ?_anchor=… or a parameter named
    # like a path part (/providers/x?slug=…) is a parameter like any other, not a 500.
    if "url_with_base" not in g:
        g.url_with_base = url_for(request.endpoint or "public.home",
                                  **(request.view_args or {}))
    if not params:
        return g.url_with_base
    return g.url_with_base + "?" + urlencode(
        [(k, v) for k, values in params.items() for v in values], safe="!$'()*,/:;?@")


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
    base = str(current_app.config.get("RATECARD_REPORT_URL") or "")
    if not base:
        from ratecard.config import DEFAULT_REPORT_URL
        base = DEFAULT_REPORT_URL
    about = f" for {canonical_id}" if canonical_id else ""
    body = (f"Page: {request.url}\n" + (f"Model: {canonical_id}\n" if canonical_id else "")
            + "Which price is wrong (meter, and the source shown next to it):\n\n"
            + "What it should be, with a link to the provider's own price page:\n\n")
    mail = base.lower().startswith("mailto:")
    fields = {"subject" if mail else "title": f"Wrong price{about} on Ratecard", "body": body}
    # quote, not quote_plus: mail clients show a + as a plus sign
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in fields.items())
    return f"{base}{'&' if '?' in base else '?'}{query}"
