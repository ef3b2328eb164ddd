"""Every surface shows the same value for every model of the full load: the one picked by
ratecard.precedence, recomputed here from the raw price history (not from the stored flags)
and compared with the flags, the catalog, related models, the profile's rate tables, the
compare chart's series, content shortcodes, and the API's `shown`, model by model."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import select

from ratecard.charts.compare import shown_history
from ratecard.models import Model, Price
from ratecard.precedence import Candidate, applicable, pick_price
from ratecard.queries import catalog, compare, related
from ratecard.queries import profile as pq
from ratecard.queries.content import DbCatalog
from ratecard.queries.shown import image_only
from ratecard.web.pages import profile_view as view
from scrapers.vocabulary import IMAGE_MODES

Key = tuple[int, str, str, str]


@pytest.fixture(scope="module")
def truth(site_db):
    """(key -> shown row id, id -> (source, amount)), from every row ever written."""
    with site_db.session() as s:
        rows = s.execute(select(Price.id, Price.model_id, Price.meter, Price.unit,
                                Price.conditions_key, Price.source, Price.amount,
                                Price.valid_from, Price.valid_to)).all()
        modes = {i: m for i, m in s.execute(select(Model.id, Model.mode))}
    ended = {(r.model_id, r.meter, r.unit, r.conditions_key, r.source, r.valid_to): r.amount
             for r in rows if r.valid_to is not None}
    keys: dict[Key, list[Candidate[int]]] = defaultdict(list)
    about = {}
    for r in rows:
        if r.valid_to is not None:
            continue
        before = ended.get((r.model_id, r.meter, r.unit, r.conditions_key, r.source,
                            r.valid_from))
        changed = r.valid_from if before is not None and before != r.amount else None
        keys[(r.model_id, r.meter, r.unit, r.conditions_key)].append(
            Candidate(r.source, r.amount, r.valid_from, changed, r.id))
        about[r.id] = (r.source, r.amount)
    return {key: pick_price(c).ref for key, c in keys.items()
            if applicable(key[1], modes[key[0]])}, about


@pytest.fixture(scope="module")
def models(site_db):
    with site_db.session() as s:
        return list(s.execute(select(Model.id, Model.canonical_id, Model.mode)).all())


def _base(picked, about, model_id, meter):
    pid = picked.get((model_id, meter, "1M_tokens", ""))
    return None if pid is None else about[pid][1]


def _cheapest_image(keys, about):
    found = [about[pid][1] for (meter, unit, ck), pid in keys.items()
             if meter == "image" and unit == "image" and image_only(ck)]
    return min(found) if found else None


def test_flags_are_the_rule(site_db, truth):
    picked, _ = truth
    with site_db.session() as s:
        modes = {i: m for i, m in s.execute(select(Model.id, Model.mode))}
        flagged = s.execute(select(Price.id, Price.model_id, Price.meter, Price.unit,
                                   Price.conditions_key).where(
            Price.valid_to.is_(None), Price.shown.is_(True))).all()
    by_key = defaultdict(list)
    for pid, *key in flagged:
        by_key[tuple(key)].append(pid)
    assert {k: v for k, v in by_key.items() if len(v) != 1} == {}
    wrong = {k: (v[0], picked.get(k)) for k, v in by_key.items() if picked.get(k) != v[0]}
    assert wrong == {}
    assert set(picked) == set(by_key)
    assert not [k for k in by_key if not applicable(k[1], modes[k[0]])]


def test_catalog_related_profile_chart_and_content_agree(site_db, truth, models):
    picked, about = truth
    per_model: dict[int, dict[tuple[str, str, str], int]] = defaultdict(dict)
    for (mid, meter, unit, ck), pid in picked.items():
        per_model[mid][(meter, unit, ck)] = pid
    mismatches: list[str] = []
    with site_db.session() as s:
        ids = [m.id for m in models]
        rows = {}
        heads = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            rows.update({r.model.id: r for r in catalog.rows_for(s, chunk)})
            heads.update(related.headlines(s, chunk, images=True))
        content = DbCatalog(s)
        for model_id, canonical_id, mode in models:
            want_in = _base(picked, about, model_id, "input")
            want_out = _base(picked, about, model_id, "output")
            image = _cheapest_image(per_model.get(model_id, {}), about)
            row = rows[model_id]
            want_listed = image if mode in IMAGE_MODES and image is not None else want_out
            if (row.input, row.output) != (want_in, want_listed):
                mismatches.append(f"catalog {canonical_id}: {row.input, row.output} "
                                  f"!= {want_in, want_listed}")
            head = heads.get(model_id, related.Headline())
            got = (head.input and head.input.amount, head.output and head.output.amount,
                   head.image_from and head.image_from.amount)
            if got != (want_in, want_out, image):
                mismatches.append(f"related {canonical_id}: {got} != {want_in, want_out, image}")
            current = [p for p in pq.profile_rows(s, model_id)[0] if p.valid_to is None]
            tables = view.rate_tables(current, [], mode)
            cells = [*tables.base, *tables.tiers, *tables.context, *tables.other,
                     *(c for g in tables.grids for c in g.cells.values())]
            shown = {(r.meter, r.unit, r.shown.conditions_key): r.shown.id
                     for r in cells if r.shown is not None}
            if shown != per_model.get(model_id, {}):
                mismatches.append(f"profile {canonical_id}")
            facts = content.model(canonical_id)
            want_prices = {k: about[pid][1] for k, pid in per_model.get(model_id, {}).items()}
            if facts is None or facts.prices != want_prices:
                mismatches.append(f"content {canonical_id}")
        wanted = {(mid, meter): None for mid in ids for meter in ("input",)
                  if (mid, meter, "1M_tokens", "") in picked}
        history = defaultdict(list)
        for start in range(0, len(wanted), 500):
            part = dict(list(wanted.items())[start:start + 500])
            for r in compare.base_history_of(s, part):
                history[(r.model_id, r.meter)].append(r)
        for (mid, meter), found in history.items():
            segments = shown_history(found)
            want = about[picked[(mid, meter, "1M_tokens", "")]]
            if (segments[-1].source, segments[-1].amount) != want:
                mismatches.append(f"chart {mid} {meter}")
    assert mismatches == [], f"{len(mismatches)} mismatches, first: {mismatches[:10]}"


def test_api_shown_flag_for_every_model(site_db, site_client, truth, models):
    picked, about = truth
    with site_db.session() as s:
        conditions = {p.id: p.conditions() for p in s.scalars(
            select(Price).where(Price.id.in_(list(picked.values()))))}
    shown_ids = set(picked.values())
    per_model: dict[int, dict[Key, int]] = defaultdict(dict)
    for key, pid in picked.items():
        per_model[key[0]][key] = pid
    wrong = []
    for model_id, canonical_id, _mode in models:
        body = site_client.get(f"/api/v1/models/{canonical_id}").get_json()
        flagged = sorted((p["meter"], p["unit"], sorted(p["conditions"].items()), p["source"],
                          Decimal(p["amount"])) for p in body["prices"] if p["shown"])
        want = sorted((k[1], k[2], sorted(conditions[pid].items()), *about[pid])
                      for k, pid in per_model.get(model_id, {}).items())
        if flagged != want:
            wrong.append(canonical_id)
    assert shown_ids and wrong == [], wrong[:10]



def test_a_stale_source_does_not_win_by_precedence(site_db, site_client):
    """The issue's example: LiteLLM still lists gpt-5.6-luna at $1 / $6 (2026-07-12), but
    genai-prices recorded a cut to $0.20 / $1.20 on 2026-07-30 and OpenRouter agrees; every
    surface shows the cut."""
    from tests.upstream import upstream

    upstream("litellm")       # a fresh clone's own cuts lack this model: skip (fail in CI)
    body = site_client.get("/api/v1/models/openai/gpt-5.6-luna").get_json()
    shown = {p["meter"]: (p["source"], Decimal(p["amount"])) for p in body["prices"]
             if p["shown"] and p["unit"] == "1M_tokens" and not p["conditions"]}
    assert shown["input"] == ("genai_prices", Decimal("0.2"))
    assert shown["output"] == ("genai_prices", Decimal("1.2"))
    stale = {(p["meter"], Decimal(p["amount"])) for p in body["prices"]
             if p["source"] == "litellm" and not p["conditions"]}
    assert {("input", Decimal(1)), ("output", Decimal(6))} <= stale
    page = site_client.get("/models/openai/gpt-5.6-luna").get_data(as_text=True)
    assert "$0.20" in page and "$1.20" in page
