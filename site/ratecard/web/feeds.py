"""Atom 1.0 feeds (RFC 4287) of the change log: everything, one provider, one model.

Each entry is one change: dated when it took effect, linking to the model's page, saying
old → new in words and in exact numbers. Entry ids are derived from the change itself
(change_words.entry_id), so they stay the same across syncs, replays and rebuilds.
"""
from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable

from flask import Blueprint, Response, abort, request, url_for

from ratecard.change_words import NAMESPACE, entry_id, numbers, words
from ratecard.labels import SOURCE_LABELS, provider_name
from ratecard.models import ChangeEvent, Model
from ratecard.queries import feeds as q
from ratecard.queries.models import model_by_id
from ratecard.web.page_cache import cached_page
from ratecard.web.session import db_session
from ratecard.web.urls import profile_url

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
ATOM = "http://www.w3.org/2005/Atom"
MIMETYPE = "application/atom+xml"
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _absolute(path: str) -> str:
    return request.url_root.rstrip("/") + path


def render(title: str, subtitle: str, page_url: str,
           rows: list[tuple[ChangeEvent, Model | None]]) -> str:
    feed = ET.Element("feed", {"xmlns": ATOM})
    # the feed's id is its address's path: the same on every host the site answers on
    _sub(feed, "id", "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "feed:" + request.path)))
    _sub(feed, "title", title)
    _sub(feed, "subtitle", subtitle)
    newest = max((event.occurred_at for event, _ in rows), default=EPOCH)
    _sub(feed, "updated", _stamp(newest))
    _sub(feed, "link", rel="self", type=MIMETYPE, href=request.base_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = _sub(feed, "author")
    _sub(author, "name", "Ratecard")
    _sub(feed, "generator", "Ratecard")
    seen: set[str] = set()
    for event, model in rows:
        if model is None:                 # the whole catalog: "catalog loaded: N models"
            _catalog_entry(feed, event)
            continue
        ident = entry_id(event, model.canonical_id)
        if ident in seen:         # a change recorded twice is one entry
            continue
        seen.add(ident)
        entry = _sub(feed, "entry")
        _sub(entry, "id", ident)
        said = words(event)
        _sub(entry, "title", f"{model.name}: {said}")
        _sub(entry, "updated", _stamp(event.occurred_at))
        _sub(entry, "published", _stamp(event.occurred_at))
        _sub(entry, "link", rel="alternate", type="text/html",
             href=_absolute(profile_url(model)))
        _sub(entry, "category", term=event.kind)
        source = SOURCE_LABELS.get(event.source, event.source)
        detail = " ".join(part for part in (
            f"{model.name} ({model.canonical_id}, {provider_name(model.provider)}): {said}.",
            numbers(event), f"Source: {source}, {event.occurred_at:%Y-%m-%d}.") if part)
        _sub(entry, "summary", detail, type="text")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode")


def _catalog_entry(feed: ET.Element, event: ChangeEvent) -> None:
    entry = _sub(feed, "entry")
    _sub(entry, "id", entry_id(event, ""))
    said = words(event)
    _sub(entry, "title", said)
    _sub(entry, "updated", _stamp(event.occurred_at))
    _sub(entry, "published", _stamp(event.occurred_at))
    _sub(entry, "link", rel="alternate", type="text/html",
         href=url_for("public.catalog", _external=True))
    _sub(entry, "category", term=event.kind)
    _sub(entry, "summary", f"{said}. {event.occurred_at:%Y-%m-%d}.", type="text")


def _atom(render_page: Callable[[], str]) -> Response:
    body = cached_page(render_page)
    response = Response(body, mimetype=MIMETYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/changes.atom")
def changes() -> Response:
    return _atom(lambda: render(
        "Ratecard: AI model price and capability changes",
        "Every price, capability and listing change the syncs recorded, newest first.",
        url_for("public.changes", _external=True), q.feed_events(db_session())))


@bp.get("/providers/<slug>.atom")
def provider(slug: str) -> Response:
    found = q.provider_by_slug(db_session(), slug) if len(slug) <= 80 else None
    if found is None:
        abort(404, description=f"No provider with the slug {slug[:80]!r}.")
    name = provider_name(found)
    return _atom(lambda: render(
        f"Ratecard: {name} model changes",
        f"Price, capability and listing changes of {name}'s models, newest first.",
        url_for("public.provider", slug=found.slug, _external=True),
        q.feed_events(db_session(), provider_id=found.id)))


@bp.get("/models/<provider>/<path:name>.atom")
def model(provider: str, name: str) -> Response:
    found = model_by_id(db_session(), f"{provider}/{name}") if len(name) <= 300 else None
    if found is None:
        abort(404, description=f"No model with id {provider + '/' + name[:120]!r}.")
    return _atom(lambda: render(
        f"Ratecard: {found.name} changes",
        f"Price and capability changes of {found.name} ({found.canonical_id}), newest first.",
        _absolute(profile_url(found)), q.feed_events(db_session(), model_id=found.id)))
