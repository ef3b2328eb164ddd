"""Reads of the page store (docs/pages.md): the stored answer for an address when it is
current, what changed since the last build, which stored pages depend on it, and counts."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Date, bindparam, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from ratecard.models import (
    ChangeEvent,
    ContentPage,
    MediaFile,
    Model,
    ModelFact,
    PageBuild,
    Price,
    ProbeRun,
    Provider,
    QuarantinedChange,
    StoredPage,
    SyncRun,
    Verdict,
)
from ratecard.queries import related
from ratecard.queries.changes import OK_STATUSES
from ratecard.queries.freshness import profile_cells
from ratecard.queries.related import MODE_GROUPS, family_keys
from ratecard.queries.version import version_columns, version_of
from scrapers.vocabulary import IMAGE_MODES

ANY = "*"          # a listing page's dependency: any change at all
SIMILAR = 5        # the profile's "similar models" (queries/related.similar_models)


def page_key(url_root: str, address: str) -> str:
    return hashlib.sha256(f"{url_root}\n{address}".encode()).hexdigest()


def model_token(model_id: int) -> str:
    return f"m:{model_id}"


def provider_token(slug: str) -> str:
    return f"p:{slug}"


def family_token(canonical_id: str) -> str:
    return f"f:{family_keys(canonical_id)[1]}"


def _group(mode: str | None) -> str:
    return ",".join(str(m) for m in MODE_GROUPS.get(mode or "", (mode,)))


@dataclass(frozen=True)
class SimilarShown:
    """What a profile's "similar models" showed: its own basis (input price, or one
    standard image's cost for image models) and each pick with its amount, in order."""

    model_id: int
    per_image: bool
    basis: Decimal
    picks: tuple[tuple[int, Decimal], ...]

    def token(self) -> str:
        return (f"s:{self.model_id}:{'i' if self.per_image else 't'}:{self.basis}:"
                + ",".join(str(i) for i, _ in self.picks))


def _similar(session: Session, model: Model, version: str) -> SimilarShown | None:
    """A profile's "similar models" by input price (None: no price), as the profile picks
    them (web/pages/profile_page.py records its own; this is for a page kept without it)."""
    basis = related.headlines(session, [model.id]).get(model.id, related.Headline()).input
    if basis is None:
        return None
    return _pick(session, model, False, basis.amount, version)


def _pick(session: Session, model: Model, per_image: bool, basis: Decimal, version: str
          ) -> SimilarShown:
    elsewhere = related.same_model_elsewhere(session, model, version=version)
    picks = related.similar_models(session, model, basis, per_image,
                                   {m.id for m in elsewhere}, version=version, n=SIMILAR)
    return SimilarShown(model.id, per_image, basis,
                        tuple((m.id, quote.amount) for m, quote in picks))


def neighbour_tokens(session: Session, model: Model, version: str,
                     shown: SimilarShown | None = None) -> list[str]:
    """What a profile's related sections depend on besides the models they link: its
    family (a new key of the same model joins "the same model elsewhere"), the price
    window of its "similar models" (a model whose price moves into it may join them):
    `w:<modes>:<low>:<high>`, unbounded (`*`) while there are fewer than SIMILAR of them
    or for image models (compared by a computed image cost, which a moved price does not
    say); and the picks themselves with the basis they were picked by (`s:…`,
    SimilarShown.token): a build marks the profile for a price in its window only when
    the picks, made again, differ (dependent_pages). `shown`: what the page showed, when
    its view recorded it; otherwise picked here by input price (image models: window only).
    """
    tokens = [family_token(model.canonical_id)]
    group = _group(model.mode)
    image = model.mode in IMAGE_MODES
    if shown is None and not image:
        shown = _similar(session, model, version)
    if image:
        tokens.append(f"w:{group}:*")
    elif shown is not None:
        if len(shown.picks) < SIMILAR:
            tokens.append(f"w:{group}:*")
        else:
            reach = max(abs(amount - shown.basis) for _, amount in shown.picks)
            tokens.append(f"w:{group}:{shown.basis - reach}:{shown.basis + reach}")
    if shown is not None:
        tokens.append(shown.token())
    return tokens


def _picks_changed(session: Session, token: str, version: str) -> bool:
    """Whether a profile's similar models, picked again by the basis its `s:` token
    recorded, differ from those it shows. (Its own basis moves only with its own prices,
    and those mark it by its model token.)"""
    _, model_id, kind, basis, _ids = token.split(":")
    model = session.get(Model, int(model_id))
    if model is None:
        return True
    return _pick(session, model, kind == "i", Decimal(basis), version).token() != token


def moved_tokens(session: Session, model_ids: set[int]) -> set[str]:
    """For models whose shown prices moved (or that are new): their families, and
    `w:<modes>=<amount>` at their shown input price now (`w:<modes>=*` for image models)."""
    if not model_ids:
        return set()
    models = list(session.scalars(select(Model).where(Model.id.in_(model_ids))))
    heads = related.headlines(session, [m.id for m in models])
    tokens = {family_token(m.canonical_id) for m in models}
    for model in models:
        if model.mode in IMAGE_MODES:
            tokens.add(f"w:{_group(model.mode)}=*")
            continue
        basis = heads.get(model.id, related.Headline()).input
        if basis is not None:
            tokens.add(f"w:{_group(model.mode)}={basis.amount}")
    return tokens


def _in_window(window: str, moved: dict[str, list[str]]) -> bool:
    """Whether a moved price lands in a profile's window (`w:<modes>:<low>:<high>` or
    `w:<modes>:*`; modes have no colon)."""
    group, *bounds = window[2:].split(":")
    amounts = moved.get(group)
    if not amounts:
        return False
    if bounds == ["*"] or "*" in amounts:
        return True
    low, high = (Decimal(b) for b in bounds)
    return any(low <= Decimal(a) <= high for a in amounts)


@dataclass(frozen=True)
class Served:
    body: bytes
    gzip_body: bytes | None
    content_type: str
    headers: dict[str, str]


def _reconciled() -> Any:
    newest = select(func.max(PageBuild.id)).where(PageBuild.finished_at.is_not(None))
    return select(PageBuild.data_version).where(PageBuild.id == newest.scalar_subquery())


def stale_unless_reconciled(data_version: str) -> Any:
    """SQL: whether a page of `data_version` is stale, evaluated in the statement that
    writes it (the newest build's version read then, not before)."""
    return func.coalesce(_reconciled().scalar_subquery(), "") != data_version


@cache
def _front_stmt() -> Select[Any]:
    """The data version and the stored page of a key, in one statement."""
    columns = version_columns()
    return (select(*columns, StoredPage.body, StoredPage.gzip_body, StoredPage.content_type,
                   StoredPage.headers, StoredPage.data_version, StoredPage.stale,
                   _reconciled().scalar_subquery())
            .where(StoredPage.key == bindparam("key"),
                   StoredPage.rendered_day == bindparam("day", type_=Date)))


@cache
def _version_width() -> int:
    return len(version_columns())


@dataclass(frozen=True)
class Front:
    """What web/page_store.py's front needs of a request: the data version (and when the
    data last changed), and the stored page when it is current."""

    version: str
    changed: dt.datetime | None
    page: Served | None


def front(connection: Connection, key: str, today: dt.date) -> Front | None:
    """The version and the page stored under `key` today, in one round trip; None when no
    page of today is stored there."""
    row = connection.execute(_front_stmt(), {"key": key, "day": today}).first()
    if row is None:
        return None
    width = _version_width()
    version, changed = version_of(row[:width])
    body, packed, content_type, headers, rendered_from, stale, reconciled = row[width:]
    current = rendered_from == version or (not stale and reconciled == version)
    return Front(version, changed,
                 Served(body, packed, content_type, headers) if current else None)


def reconciled_version(session: Session) -> str | None:
    return session.scalar(_reconciled())


def last_marks(session: Session) -> dict[str, Any] | None:
    """The high-water marks of the newest finished build (None: never built)."""
    newest = session.scalar(select(PageBuild).where(PageBuild.finished_at.is_not(None))
                            .order_by(PageBuild.id.desc()).limit(1))
    return None if newest is None else dict(newest.marks)


def _iso(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def current_marks(session: Session) -> dict[str, Any]:
    """What writers have left so far, as the next build's starting point."""
    marks = select(
        select(func.max(SyncRun.id)).scalar_subquery(),
        select(func.max(SyncRun.finished_at)).scalar_subquery(),
        select(func.max(ChangeEvent.id)).scalar_subquery(),
        select(func.max(QuarantinedChange.id)).scalar_subquery(),
        select(func.max(QuarantinedChange.decided_at)).scalar_subquery(),
        select(func.max(ProbeRun.id)).scalar_subquery(),
        select(func.max(Verdict.computed_at)).scalar_subquery(),
        select(func.max(ContentPage.updated_at)).scalar_subquery(),
        select(func.max(MediaFile.id)).scalar_subquery())
    run, finished, event, held, decided, probe, verdict, content, media = \
        session.execute(marks).one()
    return {"run": run or 0, "finished": _iso(finished), "event": event or 0,
            "held": held or 0, "decided": _iso(decided),
            "probe": probe or 0, "verdict": _iso(verdict), "content": _iso(content),
            "media": media or 0}


def _after(column: Any, mark: object) -> Any:
    if mark is None:
        return column.is_not(None)
    return column > dt.datetime.fromisoformat(str(mark))


def _cells(session: Session, source: str, upto: int) -> tuple[str, str]:
    """What a profile said of `source` when its newest run was the one numbered `upto`."""
    runs = select(SyncRun).where(SyncRun.source == source, SyncRun.id <= upto) \
        .order_by(SyncRun.id.desc()).limit(1)
    newest = session.scalar(runs)
    last_ok = session.scalar(runs.where(SyncRun.status.in_(OK_STATUSES)))
    return profile_cells(last_ok, newest)


def changed_tokens(session: Session, since: dict[str, Any], until: dict[str, Any]
                   ) -> set[str]:
    """The dependency tokens of everything written after `since` (up to `until`): the
    models and providers it touched, and ANY when anything at all changed."""
    model_ids: set[int] = set()
    providers: set[str] = set()
    catalog_wide = False
    events = session.execute(select(ChangeEvent.model_id).where(
        ChangeEvent.id > since["event"], ChangeEvent.id <= until["event"])).scalars()
    for model_id in events:
        if model_id is None:
            catalog_wide = True
        else:
            model_ids.add(model_id)
    moved = set(model_ids)            # prices (or the model itself) changed
    decided = set(session.scalars(select(QuarantinedChange.model_id).where(
        _after(QuarantinedChange.decided_at, since["decided"]))))
    moved |= decided
    # A profile shows each of its sources' last success and last run, to the day
    # (freshness.profile_cells): a run changes the profiles a source prices only when those
    # words change (a new day, a failure, a recovery), not at every sync.
    sources = {source for source in session.scalars(select(SyncRun.source).distinct().where(
        SyncRun.id > since["run"], SyncRun.id <= until["run"]))
        if _cells(session, source, since["run"]) != _cells(session, source, until["run"])}
    # A run under way at the last build (numbered before it, finished since): what its
    # profiles said then is not known, so every one of them is marked.
    window = SyncRun.id > since["run"]
    if "finished" in since:              # marks of builds before it was kept: not known
        window = or_(window, _after(SyncRun.finished_at, since["finished"]))
    ended = list(session.execute(select(SyncRun.id, SyncRun.source, SyncRun.as_of).where(
        SyncRun.id <= until["run"], SyncRun.status.in_(OK_STATUSES), window)))
    sources.update(source for run_id, source, _ in ended if run_id <= since["run"])
    # A run changes a model's facts (name, kind, limits, modalities) without an event:
    # the facts it gave or changed carry its as-of time.
    for _run_id, source, as_of in ended:
        model_ids.update(session.scalars(select(ModelFact.model_id).where(
            ModelFact.source == source, ModelFact.seen_at == as_of)))
    if sources:
        model_ids.update(session.scalars(select(Price.model_id).distinct()
                                         .where(Price.source.in_(sources))))
        model_ids.update(session.scalars(select(Model.id).where(Model.meta_source.in_(sources))))
    model_ids |= decided
    model_ids.update(session.scalars(select(QuarantinedChange.model_id).where(
        QuarantinedChange.id > since["held"])))
    model_ids.update(session.scalars(select(ProbeRun.model_id).distinct().where(
        ProbeRun.id > since["probe"], ProbeRun.id <= until["probe"])))
    model_ids.update(session.scalars(select(Verdict.model_id).where(
        _after(Verdict.computed_at, since["verdict"]))))
    content = session.execute(select(ContentPage.kind, ContentPage.slug, ContentPage.model_id)
                              .where(_after(ContentPage.updated_at, since["content"]))).all()
    for kind, slug, model_id in content:
        if model_id is not None:
            model_ids.add(model_id)
        if kind == "provider":
            providers.add(slug)
    if model_ids:
        providers.update(session.scalars(
            select(Provider.slug).join(Model, Model.provider_id == Provider.id)
            .where(Model.id.in_(model_ids)).distinct()))
    tokens = {model_token(i) for i in model_ids} | {provider_token(s) for s in providers}
    tokens |= moved_tokens(session, moved)
    if (tokens or catalog_wide or content or sources or until["media"] != since["media"]
            or since != until):
        tokens.add(ANY)
    return tokens


def dependent_pages(session: Session, tokens: set[str], version: str | None = None
                    ) -> list[int]:
    """Ids of the stored pages, not yet stale, that show something in `tokens`. With the
    data `version`, a profile met only by a moved price in its similar-models window is
    marked only when its picks changed (the window over-approximates: a price inside it
    may still lose to a nearer or newer model, or be of a family already picked)."""
    if not tokens:
        return []
    moved: dict[str, list[str]] = {}
    for token in tokens:
        if token.startswith("w:"):
            group, _, amount = token[2:].partition("=")
            moved.setdefault(group, []).append(amount)
    found = []
    rows = session.execute(select(StoredPage.id, StoredPage.depends_on)
                           .where(StoredPage.stale.is_(False)))
    for page_id, depends_on in rows:
        if not tokens.isdisjoint(depends_on):
            found.append(page_id)
        elif any(d.startswith("w:") and _in_window(d, moved) for d in depends_on):
            picks = [d for d in depends_on if d.startswith("s:")]
            if version is None or not picks or _picks_changed(session, picks[0], version):
                found.append(page_id)
    return found


def stale_pages(session: Session, today: dt.date) -> list[tuple[str, str]]:
    """(url_root, address) of every stored page to render again: marked stale, or rendered
    on an earlier day."""
    return [(root, address) for root, address in session.execute(
        select(StoredPage.url_root, StoredPage.address)
        .where(or_(StoredPage.stale.is_(True), StoredPage.rendered_day != today))
        .order_by(StoredPage.id))]


def is_stored(session: Session, key: str) -> bool:
    return session.scalar(select(StoredPage.id).where(StoredPage.key == key)) is not None


def stored_roots(session: Session) -> list[str]:
    return list(session.scalars(select(StoredPage.url_root).distinct()
                                .order_by(StoredPage.url_root)))


def stored_addresses(session: Session, url_root: str) -> set[str]:
    return set(session.scalars(select(StoredPage.address)
                               .where(StoredPage.url_root == url_root)))


def model_ids(session: Session, canonical_ids: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(canonical_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        found.update((cid, mid) for cid, mid in session.execute(
            select(Model.canonical_id, Model.id).where(
                Model.canonical_id.in_(wanted[start:start + 500]))))
    return found


def has_editorial(session: Session, model_id: int | None, provider_slug: str | None) -> bool:
    """Whether a model's or a provider's page carries a content page (docs/pages.md)."""
    if model_id is None and provider_slug is None:
        return False
    where = (ContentPage.model_id == model_id if model_id is not None else
             (ContentPage.kind == "provider") & (ContentPage.slug == provider_slug))
    return session.scalar(select(ContentPage.id).where(where).limit(1)) is not None


@dataclass(frozen=True)
class StoreStatus:
    current: int
    stale: int
    earlier_day: int
    missing_profiles: int
    last_build: dt.datetime | None

    def line(self) -> str:
        built = (self.last_build.strftime("%Y-%m-%d %H:%M UTC") if self.last_build
                 else "never")
        return (f"pages: {self.current} current, {self.stale} stale, {self.earlier_day} from "
                f"an earlier day, {self.missing_profiles} model profiles missing; "
                f"last build {built}")


def status(session: Session, version: str, today: dt.date) -> StoreStatus:
    reconciled = reconciled_version(session)
    current = stale = earlier = 0
    for rendered_from, is_stale, day in session.execute(
            select(StoredPage.data_version, StoredPage.stale, StoredPage.rendered_day)):
        if day != today:
            earlier += 1
        elif rendered_from == version or (not is_stale and reconciled == version):
            current += 1
        else:
            stale += 1
    stored = select(StoredPage.id).where(StoredPage.endpoint == "public.profile",
                                         StoredPage.depends_on.is_not(None))
    profiles = session.scalar(select(func.count()).select_from(stored.subquery())) or 0
    models = session.scalar(select(func.count(Model.id))) or 0
    last = session.scalar(select(func.max(PageBuild.finished_at)))
    roots = max(1, len(stored_roots(session)))
    return StoreStatus(current, stale, earlier, max(0, models * roots - profiles), last)
