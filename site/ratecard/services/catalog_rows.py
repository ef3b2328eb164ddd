"""Keep the catalog's rows (models/catalog_rows.py) equal to what the listing would compute
from the normalised tables: refresh() after every write that changes what the catalog shows,
in the writer's transaction, so a reader sees the old rows or the new ones, never a mix.

The values come from the listing's own reads (queries/catalog.py computed_rows, and
queries/image_prices.py for the image sorts' keys): no second rule (docs/syncing.md,
"After a sync").
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, delete, func, insert, inspect, or_, select
from sqlalchemy.orm import Session

from ratecard.models import CatalogRow, Model, Provider
from ratecard.queries import image_prices
from ratecard.queries.catalog import Row, computed_rows
from ratecard.services.locks import serialise

CHUNK = 500       # models per read and insert (well inside every backend's parameter limit)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _values(row: Row, keys: image_prices.ImagePrices | None,
            modalities: tuple[list[str] | None, list[str] | None]) -> dict[str, Any]:
    m = row.model
    split_in = row.disagreements.get("input")
    split_out = row.disagreements.get("output")
    probes = row.probes
    image = row.image
    standard = image.standard if image else None
    availability = row.availability
    return {
        "model_id": m.id, "canonical_id": m.canonical_id, "name": m.name, "mode": m.mode,
        "context_window": m.context_window, "release_date": m.release_date,
        "deprecation_date": m.deprecation_date, "provider_slug": m.provider.slug,
        "provider_name": m.provider.name,
        "input_modalities": modalities[0], "output_modalities": modalities[1],
        "capabilities": "".join(f",{name}" for name in row.capabilities) + ","
        if row.capabilities else "",
        "input": row.input, "output": row.output, "output_unit": row.output_unit,
        "input_low": split_in[0] if split_in else None,
        "input_high": split_in[1] if split_in else None,
        "output_low": split_out[0] if split_out else None,
        "output_high": split_out[1] if split_out else None,
        "probe_computed_at": probes.computed_at if probes else None,
        "probe_runs": probes.runs if probes else None,
        "probe_ok": probes.ok if probes else None,
        "probe_p50_ms": probes.latency_p50_ms if probes else None,
        "availability": _float(availability),
        "has_image": image is not None,
        "per_image_from": image.per_image_from if image else None,
        "output_image": image.output_image if image else None,
        "standard_quality": standard.quality if standard else None,
        "standard_size": standard.size if standard else None,
        "standard_amount": standard.amount if standard else None,
        "standard_computed": standard.computed if standard else None,
        "standard_tokens": standard.tokens if standard else None,
        "standard_rate": standard.rate if standard else None,
        "per_image_low": image.per_image_split[0] if image and image.per_image_split else None,
        "per_image_high": image.per_image_split[1] if image and image.per_image_split
        else None,
        "output_image_low": image.output_image_split[0]
        if image and image.output_image_split else None,
        "output_image_high": image.output_image_split[1]
        if image and image.output_image_split else None,
        "sort_input": _float(row.input), "sort_output": _float(row.output),
        **{f"sort_{sort}": _float(keys.key(sort) if keys else None)
           for sort in image_prices.IMAGE_SORTS},
    }


def drifted(session: Session) -> set[int]:
    """Models whose descriptive columns (name, provider, mode, dates, …) differ from their
    row, models without a row and rows without a model: a sync renames models it did not
    touch (services/names.py settles a whole provider), a merge moves them."""
    m, p, r = Model, Provider, CatalogRow
    differs = or_(*(a.is_distinct_from(b) for a, b in (
        (m.canonical_id, r.canonical_id), (m.name, r.name), (m.mode, r.mode),
        (m.context_window, r.context_window), (m.release_date, r.release_date),
        (m.deprecation_date, r.deprecation_date), (p.slug, r.provider_slug),
        (p.name, r.provider_name),
        (cast(m.input_modalities, String), cast(r.input_modalities, String)),
        (cast(m.output_modalities, String), cast(r.output_modalities, String)))))
    found = set(session.scalars(select(m.id).join(p, p.id == m.provider_id).outerjoin(
        r, r.model_id == m.id).where(or_(r.model_id.is_(None), differs))))
    found.update(session.scalars(select(r.model_id).outerjoin(m, m.id == r.model_id).where(
        m.id.is_(None))))
    return found


def refresh(session: Session, model_ids: Iterable[int] | None = None) -> int:
    """Rebuild the rows of `model_ids` and of drifted() models (every model when None): a
    model that no longer exists loses its row, a new one gains one. Returns how many rows
    were written."""
    session.flush()
    if not inspect(session.connection()).has_table(CatalogRow.__tablename__):
        return 0        # a data migration before 0014 (id_merge at 0007): none to keep
    # Two writers (a probe cycle per provider thread, a sync) may both find the same drifted
    # model and insert its row: the second waits here for the first to commit, then sees
    # its rows (PostgreSQL's read committed) and computes from its data.
    serialise(session, "catalog_rows")
    if model_ids is None:
        session.execute(delete(CatalogRow))
        ids = list(session.scalars(select(Model.id).order_by(Model.id)))
    else:
        ids = sorted(set(model_ids) | drifted(session))
        for start in range(0, len(ids), CHUNK):
            session.execute(delete(CatalogRow).where(
                CatalogRow.model_id.in_(ids[start:start + CHUNK])))
    written = 0
    for start in range(0, len(ids), CHUNK):
        rows = computed_rows(session, ids[start:start + CHUNK])
        if not rows:
            continue
        # The image sorts' keys, for every model with image prices (not only image modes:
        # the sorts are offered whatever the mode filter).
        keys = image_prices.page_image_prices(
            session, [(row.model.id, row.model.canonical_id) for row in rows])
        # Filters only (the listing shows no modality): not in Row.
        modalities = {i: (ins, outs) for i, ins, outs in session.execute(select(
            Model.id, Model.input_modalities, Model.output_modalities).where(
            Model.id.in_([row.model.id for row in rows])))}
        session.execute(insert(CatalogRow), [
            _values(row, keys.get(row.model.id), modalities[row.model.id]) for row in rows])
        written += len(rows)
    return written


def fill_if_empty(session: Session) -> int:
    """A database migrated to this table, or loaded before it existed: fill it once."""
    if session.scalar(select(func.count()).select_from(CatalogRow)) or not session.scalar(
            select(func.count()).select_from(Model)):
        return 0
    return refresh(session)
