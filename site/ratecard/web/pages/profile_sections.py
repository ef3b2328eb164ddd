"""The profile's sections as plain values (web/pages/profile_types.py): rates, typical costs
and the calculator, availability and the last test. No queries here: profile_page.py reads,
these shape."""
from __future__ import annotations

from collections.abc import Mapping

from ratecard import costs, image_costs, labels
from ratecard.money import exact_text
from ratecard.queries import availability as qa
from ratecard.queries.freshness import profile_cells
from ratecard.queries.profile import SourceRuns
from ratecard.web.pages import profile_calc as calc
from ratecard.web.pages import profile_types as t
from ratecard.web.pages import profile_view as view
from ratecard.web.pages.profile_availability import AvailabilityView, percent

# -- rates ----------------------------------------------------------------------------------


def _rate_line(tables: view.RateTables, row: view.RateRow,
               runs: Mapping[str, SourceRuns]) -> t.RateLine:
    shown = row.shown
    run = runs.get(shown.source) if shown is not None else None
    checked = run.last_success.finished_at if run and run.last_success else None
    return t.RateLine(
        label=tables.label(row.meter), unit=row.unit, conditions_text=row.conditions_text,
        amount=shown.amount if shown else None, source=shown.source if shown else "",
        since=shown.valid_from if shown else None, checked=checked,
        others=tuple(t.OtherPrice(p.source, p.amount, shown is not None
                                  and p.amount != shown.amount) for p in row.others),
        disagreement_low=row.disagreement.low if row.disagreement else None,
        disagreement_high=row.disagreement.high if row.disagreement else None)


def _grid(grid: view.Grid) -> t.PriceGrid:
    rows = []
    for quality in grid.qualities:
        cells: list[tuple[str | None, t.GridCell | None]] = []
        for size in grid.sizes:
            cell = grid.cells.get((quality, size))
            if cell is None or cell.shown is None:
                cells.append((size, None))
                continue
            amount = cell.shown.amount
            cells.append((size, t.GridCell(
                amount, cell.shown.source, cell.disagreement is not None,
                tuple(t.OtherPrice(p.source, p.amount, True)
                      for p in cell.others if p.amount != amount))))
        rows.append(t.GridRow(quality, tuple(cells)))
    return t.PriceGrid(grid.meter, grid.unit, tuple(grid.sizes), tuple(rows))


def _source_line(source: str, run: SourceRuns, hours: float | None) -> t.SourceLine:
    success, latest = profile_cells(run.last_success, run.last_run)
    return t.SourceLine(source, labels.interval_text(hours), success, latest)


def rates(tables: view.RateTables, runs: Mapping[str, SourceRuns],
          intervals: Mapping[str, float]) -> t.Rates:
    def lines(rows: list[view.RateRow]) -> tuple[t.RateLine, ...]:
        return tuple(_rate_line(tables, row, runs) for row in rows)

    return t.Rates(
        empty=tables.empty, sources=tuple(tables.sources), base=lines(tables.base),
        grids=tuple(_grid(g) for g in tables.grids), tiers=lines(tables.tiers),
        context=lines(tables.context), other=lines(tables.other),
        freshness=tuple(_source_line(s, run, intervals.get(s)) for s, run in runs.items()))


# -- typical costs and the calculator --------------------------------------------------------


def _line_cost(result: costs.Estimate, key: str) -> str:
    found = [line for line in result.lines if line.key == key]
    return calc.shown_money(found[0].cost) if found else "—"


def _typical(label: str, result: costs.Estimate) -> t.TypicalRow:
    total = result.total
    return t.TypicalRow(label, _line_cost(result, "input"), _line_cost(result, "output"),
                        None if total is None else calc.shown_money(total),
                        "" if total is None else exact_text(total))


def _computed(one_image: list[image_costs.ImageCost], standard: image_costs.ImageCost | None
              ) -> tuple[tuple[str | None, ...] | None, tuple[t.ComputedRow, ...]]:
    """Computed costs as quality (rows) x size (columns); (None, ()) when the figures are
    published (they keep their list, cheapest first)."""
    if not one_image or not all(c.computed for c in one_image):
        return None, ()
    cells = {c.option: c for c in one_image}
    qualities = sorted({q for q, _ in cells}, key=lambda q: (
        view.QUALITY_ORDER.get(q or "", 50), q or ""))
    sizes = sorted({s for _, s in cells}, key=view.size_key)
    rows = []
    for quality in qualities:
        row: list[tuple[str | None, t.ImageCostCell | None]] = []
        for size in sizes:
            cost = cells.get((quality, size))
            row.append((size, None if cost is None else t.ImageCostCell(
                calc.shown_money(cost.amount), exact_text(cost.amount), cost.tokens,
                cost == standard)))
        rows.append(t.ComputedRow(quality, tuple(row)))
    return tuple(sizes), tuple(rows)


def _calculator(rates: costs.Rates, job: costs.Job, image_mode: bool, calculated: bool,
                profile_url: str, cost_url: str) -> t.Calculator:
    image_tokens_first = image_mode and rates.output_image is not None
    estimate = calc.estimate_fields(costs.estimate(rates, job))
    items: list[tuple[str, str]] = []
    if image_tokens_first:
        items.append(("image_tokens", "Image output tokens"))
    if rates.has_tokens:
        items += [("input", "Prompt tokens" if image_mode else "Input tokens"),
                  ("cached_input", "Cached prompt tokens" if image_mode
                   else "Cached input tokens"),
                  ("output", "Text output tokens" if image_mode else "Output tokens")]
    if rates.output_image is not None and not image_tokens_first:
        items.append(("image_tokens", "Image output tokens"))
    if rates.images:
        items.append(("images", "Images"))
    return t.Calculator(
        shown=rates.has_tokens or bool(rates.images), calculated=calculated,
        profile_url=profile_url, cost_url=cost_url, job=job,
        image_tokens_first=image_tokens_first, has_tokens=rates.has_tokens,
        has_batch=rates.has_batch, has_images=bool(rates.images),
        image_tokens_field=rates.output_image is not None and not image_tokens_first,
        options=tuple(t.ImageOption(calc.option_value(option), labels.option_text(option),
                                    price, job.image_option == option)
                      for option, price in costs.image_costs(rates)),
        lines=tuple(t.EstimateLine(key, label, estimate["qty_" + key], estimate["cost_" + key])
                    for key, label in items),
        total=estimate["total"], total_exact=estimate["total_exact"], notes=estimate["notes"])


def typical_costs(canonical_id: str, rates: costs.Rates, job: costs.Job, *, chat_like: bool,
                  image_mode: bool, one_image: list[image_costs.ImageCost],
                  standard: image_costs.ImageCost | None, calculated: bool,
                  profile_url: str, cost_url: str) -> t.Costs:
    conversation = costs.conversation(rates)
    sizes, computed_rows = _computed(one_image, standard)
    table = image_costs.token_table(canonical_id)
    standard_image = None
    if standard is not None:
        option = (labels.option_text(standard.option) if standard.quality or standard.size
                  else None)
        standard_image = t.StandardImage(option, standard.amount, exact_text(standard.amount),
                                         standard.computed)
    return t.Costs(
        chat_like=chat_like, image_mode=image_mode, typical_input=costs.TYPICAL_INPUT,
        typical_output=costs.TYPICAL_OUTPUT,
        conversations=(_typical("One conversation", conversation),
                       _typical("1,000 conversations",
                                costs.conversation(rates, costs.TYPICAL_COUNT))),
        missing=None if conversation.total is not None
        else ", ".join(conversation.missing).lower(),
        has_one_image=bool(one_image), standard_image=standard_image,
        computed_sizes=sizes, computed_rows=computed_rows,
        token_source=None if table is None else t.TokenSource(
            table.source, table.published, table.checked),
        published_images=tuple(t.PublishedImage(
            c.quality, c.size, calc.shown_money(c.amount), calc.shown_money(c.amount * 100))
            for c in one_image),
        input_rate=rates.input, output_image_rate=rates.output_image,
        calculator=_calculator(rates, job, image_mode, calculated, profile_url, cost_url))


# -- availability and the last test ---------------------------------------------------------


def _whole(value: int) -> str:
    return f"{value:,}"                 # 1,000 (exact, never "1k")


def _pair(p50: int | None, p95: int | None) -> str:
    return "—" if p50 is None or p95 is None else f"{_whole(p50)} / {_whole(p95)} ms"


def availability(av: AvailabilityView) -> t.Availability:
    st = av.stats
    windows = tuple(t.WindowLine(
        label, bool(w.runs), percent(w.availability), w.failure_text(),
        _pair(w.latency_p50, w.latency_p95), _pair(w.ttft_p50, w.ttft_p95),
        w.tokens_per_second, w.cost_per_cycle) for label, w in av.windows)
    last = None
    run = st.last_run
    if run is not None:
        latency = f"{_whole(run.latency_ms)} ms"
        if run.ttft_ms is not None:
            latency += f", first token after {_whole(run.ttft_ms)} ms"
        if run.input_tokens is not None or run.output_tokens is not None:
            tokens = (f"{_whole(run.input_tokens or 0)} in, "
                      f"{_whole(run.output_tokens or 0)} out")
            if run.output_tps is not None:
                tokens += f" ({run.output_tps} tokens/s)"
        else:
            tokens = "not reported"
        ok = run.outcome == "ok"
        last = t.LastTest(
            started_iso=run.started_at.isoformat(),
            started=run.started_at.strftime("%Y-%m-%d %H:%M"), ok=ok,
            outcome="ok" if ok else qa.outcome_label(run.outcome),
            http_status=run.http_status, latency=latency, tokens=tokens,
            cost_usd=run.cost_usd, endpoint=run.endpoint, kind=run.kind, error=run.error)
    thirty = st.windows.get("30d")
    return t.Availability(
        measured=st.measured, paused=av.paused, cap=av.cap, windows=windows,
        latency_json=av.latency_json, availability_json=av.availability_json,
        failures_30d=thirty.failure_text() if thirty is not None else "", last_test=last)
