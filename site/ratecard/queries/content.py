"""Read side of editorial content: published pages rendered (and cached), page states,
revisions and diffs for the editor.

Rendering is cached (ratecard.cache) per (revision, data version): a page view costs a few
cheap queries; a sync, a decision or a media change starts a new version, so numbers
from shortcodes never go stale.
"""
from __future__ import annotations

import datetime as dt
import difflib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ratecard.content import MediaFacts, ModelFacts
from ratecard.content.render import RenderedContent, render_document
from ratecard.content.source import serialize
from ratecard.models import ChangeEvent, ContentPage, ContentRevision, MediaFile, Provider
from ratecard.queries.models import current_prices, model_by_id, shown_prices
from ratecard.queries.version import data_version, derived

log = logging.getLogger(__name__)
PRICE_EVENTS = ("price_added", "price_changed", "price_corrected", "price_removed")


class DbCatalog:
    """The content package's Catalog, answered from the database (memoised per instance).

    `pages` and `media` add what an import is about to write, so files may refer to each
    other before they are in the database."""

    def __init__(self, session: Session, *, pages: set[tuple[str, str]] | None = None,
                 media: dict[str, MediaFacts] | None = None):
        self.session = session
        self.extra_pages = pages or set()
        self.extra_media = media or {}
        self._models: dict[str, ModelFacts | None] = {}
        self._media: dict[str, MediaFacts | None] = {}

    def model(self, canonical_id: str) -> ModelFacts | None:
        key = canonical_id.lower()
        if key not in self._models:
            model = model_by_id(self.session, key)
            self._models[key] = None if model is None else ModelFacts(
                canonical_id=model.canonical_id, name=model.name,
                context_window=model.context_window, max_output=model.max_output,
                prices={k: p.amount for k, p in shown_prices(
                    current_prices(self.session, model.id)).items()})
        return self._models[key]

    def provider_exists(self, slug: str) -> bool:
        return self.session.scalar(select(Provider.id).where(Provider.slug == slug)) is not None

    def page_exists(self, kind: str, slug: str) -> bool:
        if (kind, slug) in self.extra_pages:
            return True
        return self.session.scalar(select(ContentPage.id).where(
            ContentPage.kind == kind, ContentPage.slug == slug,
            ContentPage.published_revision_id.is_not(None))) is not None

    def media(self, name: str) -> MediaFacts | None:
        if name in self.extra_media:
            return self.extra_media[name]
        if name not in self._media:
            row = self.session.execute(select(
                MediaFile.name, MediaFile.width, MediaFile.height, MediaFile.sha256).where(
                MediaFile.name == name)).first()
            self._media[name] = MediaFacts(*row) if row else None
        return self._media[name]


# -- rendering, cached -----------------------------------------------------------------------

def content_stamp(session: Session) -> tuple[str, dt.datetime | None]:
    """(tag, when content last changed): a publish, rollback, import or media change moves
    it. For queries.version.data_version, so revalidating browsers see a new publish."""
    return content_stamp_of(session.execute(select(*content_stamp_columns())).one())


def content_stamp_columns() -> tuple[ColumnElement[Any], ...]:
    """What content_stamp reads, as scalar subqueries (queries.version selects them in the
    same statement as the data version: one query per request)."""
    return (select(func.max(ContentPage.updated_at)).scalar_subquery(),
            select(func.count(MediaFile.id)).scalar_subquery(),
            select(func.max(MediaFile.id)).scalar_subquery(),
            select(func.max(MediaFile.created_at)).scalar_subquery())


def content_stamp_of(values: Sequence[object]) -> tuple[str, dt.datetime | None]:
    """content_stamp from the values of content_stamp_columns()."""
    page_at, media_count, media_id, media_at = values
    page_at, media_at = (_aware(t) if isinstance(t, dt.datetime | str) else None
                         for t in (page_at, media_at))
    tag = (f"{page_at.timestamp() if page_at else 0}.{media_count}.{media_id or 0}."
           f"{media_at.timestamp() if media_at else 0}")
    return tag, max((t for t in (page_at, media_at) if t is not None), default=None)


def content_version(session: Session) -> str:
    """What rendered content depends on besides its own text: the data and the media."""
    return f"{data_version(session)[0]}|{content_stamp(session)[0]}"


def render_revision(session: Session, page: ContentPage,
                    revision: ContentRevision) -> RenderedContent:
    # The text's sha256 and the database make the key safe when ids repeat (tests, restores).
    version = (revision.sha256, revision.published_at, content_version(session))
    return derived(session, "content", version, lambda: _render(session, page, revision),
                   key=revision.id)


def _render(session: Session, page: ContentPage, revision: ContentRevision) -> RenderedContent:
    rendered = render_document(page.kind, page.slug, revision.front_matter, revision.body,
                               DbCatalog(session))
    rendered.revision_id = revision.id
    rendered.published_at = revision.published_at
    for why in rendered.refused:          # stored before the limits existed: shown without it
        log.warning("%s/%s revision %s: left out of the page: %s", page.kind, page.slug,
                    revision.id, why)
    return rendered


# -- public reads ------------------------------------------------------------------------------

def page_by_slug(session: Session, kind: str, slug: str) -> ContentPage | None:
    return session.scalar(select(ContentPage).where(
        ContentPage.kind == kind, ContentPage.slug == slug.lower()))


def published(session: Session, kind: str, slug: str) -> RenderedContent | None:
    """The rendered published revision of a page, or None (no page, nothing published)."""
    page = page_by_slug(session, kind, slug)
    if page is None or page.published is None:
        return None
    return render_revision(session, page, page.published)


def editorial_for_model(session: Session, model_id: int | str) -> RenderedContent | None:
    """A model's editorial: by Model.id, or by canonical id ("openai/gpt-4o")."""
    if isinstance(model_id, str):
        return published(session, "model", model_id)
    page = session.scalar(select(ContentPage).where(
        ContentPage.kind == "model", ContentPage.model_id == model_id))
    if page is None or page.published is None:
        return None
    return render_revision(session, page, page.published)


def editorial_for_provider(session: Session, slug: str) -> RenderedContent | None:
    return published(session, "provider", slug)


def guides(session: Session) -> list[RenderedContent]:
    pages = session.scalars(select(ContentPage).where(
        ContentPage.kind == "page", ContentPage.slug.like("guides/%"),
        ContentPage.published_revision_id.is_not(None)).order_by(ContentPage.slug))
    return [render_revision(session, p, p.published) for p in pages if p.published]


def public_url(kind: str, slug: str) -> str:
    return {"model": f"/models/{slug}", "provider": f"/providers/{slug}"}.get(kind, f"/{slug}")


# -- the editor's reads ------------------------------------------------------------------------

def _review_start(revision: ContentRevision) -> dt.datetime | None:
    """Price changes from this moment on make a model page stale."""
    reviewed = revision.front_matter.get("reviewed") if revision.front_matter else None
    try:
        day = dt.date.fromisoformat(reviewed) if isinstance(reviewed, str) else None
    except ValueError:
        day = None
    if day is not None:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
    return revision.published_at


def _state(page: ContentPage, last_price_change: dt.datetime | None) -> str:
    if page.published is None:
        return "draft"
    start = _review_start(page.published)
    if page.kind == "model" and last_price_change is not None and start is not None \
            and last_price_change >= start:
        return "stale"
    head = page.head
    if head is not None and head.id != page.published.id and head.status == "draft":
        return "draft"
    return "published"


def _last_price_changes(session: Session, model_ids: list[int]) -> dict[int, dt.datetime]:
    if not model_ids:
        return {}
    rows = session.execute(select(ChangeEvent.model_id, func.max(ChangeEvent.occurred_at)).where(
        ChangeEvent.model_id.in_(model_ids), ChangeEvent.kind.in_(PRICE_EVENTS)).group_by(
        ChangeEvent.model_id))
    return {model_id: _aware(at) for model_id, at in rows if at is not None}


def _aware(value: dt.datetime | str) -> dt.datetime:
    # max() over a UTCDateTime column comes back without the type's processing on SQLite.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def page_state(session: Session, page: ContentPage) -> str:
    """draft (nothing published, or an unpublished draft is newer), published, or stale
    (a model page whose model's prices changed after its `reviewed` date)."""
    ids = [page.model_id] if page.kind == "model" and page.model_id is not None else []
    return _state(page, _last_price_changes(session, ids).get(page.model_id or -1))


@dataclass
class PageListing:
    page: ContentPage
    state: str
    title: str
    url: str
    published: ContentRevision | None
    head: ContentRevision | None
    has_draft: bool            # an unpublished draft newer than the published revision


def pages_with_state(session: Session) -> list[PageListing]:
    pages = list(session.scalars(select(ContentPage).order_by(ContentPage.kind,
                                                              ContentPage.slug)))
    changes = _last_price_changes(session, [p.model_id for p in pages if p.model_id])
    out = []
    for page in pages:
        head, pub = page.head, page.published
        shown = pub or head
        title = shown.front_matter.get("title") if shown and shown.front_matter else None
        out.append(PageListing(
            page=page, state=_state(page, changes.get(page.model_id or -1)),
            title=title if isinstance(title, str) else page.slug,
            url=public_url(page.kind, page.slug), published=pub, head=head,
            has_draft=head is not None and head.status == "draft"
            and (pub is None or head.id != pub.id)))
    return out


def revisions(session: Session, page_id: int) -> list[ContentRevision]:
    """Every revision of a page, newest first (author, time, status, origin)."""
    return list(session.scalars(select(ContentRevision).where(
        ContentRevision.page_id == page_id).order_by(ContentRevision.number.desc())))


def _revision(session: Session, rev: int | ContentRevision) -> ContentRevision:
    found = rev if isinstance(rev, ContentRevision) else session.get(ContentRevision, rev)
    if found is None:
        raise LookupError(f"no revision {rev}")
    return found


def diff(session: Session, rev_a: int | ContentRevision, rev_b: int | ContentRevision) -> Markup:
    """A unified diff of two revisions' file text, escaped, in a <pre>."""
    a, b = _revision(session, rev_a), _revision(session, rev_b)
    page = session.get(ContentPage, b.page_id)
    kind = page.kind if page else "page"
    lines = difflib.unified_diff(
        serialize(kind, a.front_matter, a.body).splitlines(),
        serialize(kind, b.front_matter, b.body).splitlines(),
        fromfile=f"revision {a.number} ({a.author}, {a.created_at:%Y-%m-%d %H:%M} UTC)",
        tofile=f"revision {b.number} ({b.author}, {b.created_at:%Y-%m-%d %H:%M} UTC)",
        lineterm="")
    out = []
    for line in lines:
        css = ("diff-add" if line.startswith("+") else "diff-del" if line.startswith("-")
               else "diff-hunk" if line.startswith("@@") else None)
        out.append(Markup('<span class="{}">{}</span>').format(css, line) if css
                   else escape(line))
    if not out:
        return Markup('<pre class="diff">(no differences)</pre>')
    return Markup('<pre class="diff">') + Markup("\n").join(out) + Markup("</pre>")


def media_file(session: Session, name: str) -> MediaFile | None:
    return session.scalar(select(MediaFile).where(MediaFile.name == name))
