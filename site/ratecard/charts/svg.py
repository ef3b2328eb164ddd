"""The price history as a server-rendered SVG step chart, and the same story in words.

This is what a profile shows first: a few kilobytes, drawn without JavaScript; the
interactive Plotly chart (charts/prices.py) replaces it only when the reader reaches it or asks.
Pure: segments in, escaped markup out. No database, no Flask.

Horizontal positions are percentages of the chart's width and vertical ones are pixels, so
the SVG fills any column without scaling its text (a viewBox would shrink the labels to
nothing on a phone). Meters sharing a unit share one panel (colour = meter, dash = source);
a unit that cannot be compared (per image beside per 1M tokens) gets a small panel of its
own. Amounts stay Decimal for every text; floats are only pixel positions.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ratecard.charts.prices import METER_COLORS, Segment, day, source_style, step_text, steps

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison

PANEL_HEIGHT = 130          # px of plot per unit
PANEL_HEAD = 22             # px above a panel for its unit
PANEL_GAP = 14              # px more between two panels
AXIS_HEIGHT = 24            # px below the last panel for the dates
MAX_PANELS = 3


def since_lines(segments: Iterable[Segment], *, order: list[tuple[str, str]],
                rank: Callable[[str], SupportsRichComparison], meter_label: Callable[[str], str],
                unit_label: Callable[[str], str], source_label: Callable[[str], str],
                money: Callable[[Decimal], str]) -> list[str]:
    """One sentence per meter: its current price from the first source by `rank`, since
    when it has not changed, and any source that says otherwise."""
    by_key = steps(segments)
    lines = []
    for meter, unit in order:
        series = sorted(((src, items) for (m, u, src), items in by_key.items()
                         if (m, u) == (meter, unit)), key=lambda pair: rank(pair[0]))
        current = [(src, items[-1]) for src, items in series if items[-1].end is None]
        name = f"{meter_label(meter)} ({unit_label(unit)})"
        if not current:
            if series:
                src, items = series[0]
                last = items[-1]
                assert last.end is not None
                lines.append(f"{name}: no current price; {source_label(src)} last listed "
                             f"{money(last.amount)} until {day(last.end)}.")
            continue
        src, step = current[0]
        line = (f"{name}: {money(step.amount)}, unchanged since {day(step.start)} "
                f"({source_label(src)})")
        others = [f"{source_label(o)} {money(s.amount)}" for o, s in current[1:]
                  if s.amount != step.amount]
        agree = len(current) - 1 - len(others)
        if agree:
            line += f"; {agree} other source{'s agree' if agree > 1 else ' agrees'}"
        if others:
            line += "; other sources differ: " + ", ".join(others)
        lines.append(line + ".")
    return lines


# -- axes ---------------------------------------------------------------------------------

def _y_ticks(top: Decimal) -> list[Decimal]:
    """0 and up to four round values (1, 2, 2.5, 5 x 10^n) covering `top`."""
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    exponent = math.floor(math.log10(float(top) / 4))
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        step = Decimal(factor).scaleb(exponent)
        if step * 4 >= top:
            break
    count = int((top / step).to_integral_value(rounding=ROUND_CEILING))
    return [step * i for i in range(count + 1)]


def _x_ticks(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, str]]:
    """Round dates between start and end, at most six: years, quarters or months."""
    days = (end - start).days
    if days > 540:
        first = start.year + 1
        years = list(range(first, end.year + 1))
        stride = max(1, math.ceil(len(years) / 6))
        return [(dt.datetime(y, 1, 1, tzinfo=dt.UTC), str(y)) for y in years[::stride]]
    every = 1 if days <= 150 else 3 if days <= 400 else 6
    marks: list[dt.datetime] = []
    year, month = start.year, start.month + 1
    while True:
        if month > 12:
            year, month = year + 1, month - 12
        when = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        if when > end:
            break
        if (month - 1) % every == 0:
            marks.append(when)
        month += 1
    if days <= 45 or not marks:
        return [(start, day(start)), (end, day(end))]
    marks = marks[::max(1, math.ceil(len(marks) / 5))]
    # the year only where it is new, so five months fit a phone's width
    return [(when, when.strftime("%b %Y" if i == 0 or when.month == 1 else "%b"))
            for i, when in enumerate(marks)]


# -- drawing --------------------------------------------------------------------------------

def _f(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def history_svg(segments: Iterable[Segment], *, now: dt.datetime, ident: str, title: str,
                order: list[tuple[str, str]], rank: Callable[[str], SupportsRichComparison],
                meter_label: Callable[[str], str] = str, unit_label: Callable[[str], str] = str,
                source_label: Callable[[str], str] = str,
                money: Callable[[Decimal], str] = lambda d: f"${d}") -> Markup | None:
    """The chart: an <svg role="img"> with a title and a description in words, each step a
    line with its own tooltip, then an HTML key (meters by colour, sources by dash).
    `ident` prefixes the element ids. None when there is nothing to draw."""
    segments = list(segments)
    by_key = steps(segments)
    units: list[str] = []
    for meter, unit in order:
        if unit not in units and any(k[:2] == (meter, unit) for k in by_key):
            units.append(unit)
    units = units[:MAX_PANELS]
    meters = [mu for mu in order if mu[1] in units and any(k[:2] == mu for k in by_key)]
    if not meters:
        return None
    color = {mu: (i % len(METER_COLORS)) for i, mu in enumerate(meters)}
    drawn = [s for key, items in by_key.items() if key[:2] in color for s in items]
    t0 = min(s.start for s in drawn)
    t1 = max([now, *(s.end or s.start for s in drawn)])
    span = max((t1 - t0).total_seconds(), 1.0)

    def x(when: dt.datetime) -> str:
        return _f(100 * (when - t0).total_seconds() / span) + "%"

    words = since_lines(segments, order=meters, rank=rank, meter_label=meter_label,
                        unit_label=unit_label, source_label=source_label, money=money)
    out = []
    top = 0.0
    for index, unit in enumerate(units):
        top += PANEL_HEAD + (PANEL_GAP if index else 0)
        ticks = _y_ticks(max(s.amount for s in drawn if s.unit == unit))
        highest = float(ticks[-1]) or 1.0

        def y(amount: Decimal, top: float = top, highest: float = highest) -> float:
            return top + PANEL_HEIGHT - float(amount) / highest * PANEL_HEIGHT

        # the unit on the right, clear of the price labels that start at the left
        out.append(f'<text class="panel" x="100%" y="{_f(top - 6)}" text-anchor="end">USD '
                   f'{escape(unit_label(unit))}</text>')
        for tick in ticks:
            out.append(f'<line class="grid" x1="0" x2="100%" y1="{_f(y(tick))}" '
                       f'y2="{_f(y(tick))}"/>')
            if tick:
                out.append(f'<text class="tick" x="2" y="{_f(y(tick) - 3)}">'
                           f'{escape(money(tick))}</text>')
        for (meter, u, source), items in sorted(
                by_key.items(), key=lambda kv: (kv[0][:2] not in color, color.get(kv[0][:2], 0),
                                                rank(kv[0][2]))):
            if u != unit or (meter, u) not in color:
                continue
            index = color[(meter, u)]
            _plotly, dash, width = source_style(source)
            style = (f'class="step m{index}" stroke="{METER_COLORS[index]}" '
                     f'stroke-width="{_f(width * 0.7)}"'
                     + (f' stroke-dasharray="{dash}"' if dash else ""))
            label = f"{meter_label(meter)}, {source_label(source)}"
            for s in items:
                y_now = _f(y(s.amount))
                tip = escape(step_text(s, label, money))
                end = x(s.end or t1)
                out.append(f'<g><title>{tip}</title>'
                           f'<line class="hit" x1="{x(s.start)}" x2="{end}" y1="{y_now}" '
                           f'y2="{y_now}"/>')
                if s.before is not None:
                    out.append(f'<line {style} x1="{x(s.start)}" x2="{x(s.start)}" '
                               f'y1="{_f(y(s.before))}" y2="{y_now}"/>')
                out.append(f'<line {style} x1="{x(s.start)}" x2="{end}" y1="{y_now}" '
                           f'y2="{y_now}"/>')
                if s.before is not None:
                    out.append(f'<circle class="dot m{index}" fill="{METER_COLORS[index]}" '
                               f'cx="{x(s.start)}" cy="{y_now}" r="3.5"/>')
                out.append("</g>")
        top += PANEL_HEIGHT
    out.append(f'<line class="axis" x1="0" x2="100%" y1="{_f(top)}" y2="{_f(top)}"/>')
    for when, text in _x_ticks(t0, t1):
        share = (when - t0).total_seconds() / span
        anchor = "start" if share < 0.08 else "end" if share > 0.92 else "middle"
        out.append(f'<line class="grid" x1="{x(when)}" x2="{x(when)}" y1="{_f(top)}" '
                   f'y2="{_f(top + 4)}"/><text class="tick" x="{x(when)}" y="{_f(top + 17)}" '
                   f'text-anchor="{anchor}">{escape(text)}</text>')
    height = top + AXIS_HEIGHT
    description = " ".join(words) + " The same prices are in the table below."
    svg = (f'<svg class="price-svg" width="100%" height="{_f(height)}" role="img" '
           f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">'
           f'<title id="{ident}-title">{escape(title)}</title>'
           f'<desc id="{ident}-desc">{escape(description)}</desc>' + "".join(out) + "</svg>")
    return Markup(svg + _key(meters, color, sorted({k[2] for k in by_key}, key=rank),
                             meter_label, source_label))


def _key(meters: list[tuple[str, str]], color: dict[tuple[str, str], int], sources: list[str],
         meter_label: Callable[[str], str], source_label: Callable[[str], str]) -> str:
    """The chart's key in HTML, so it wraps on a phone: meters by colour, sources by dash."""
    def swatch(cls: str, stroke: str, dash: str) -> str:
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        return (f'<svg width="26" height="10" aria-hidden="true"><line class="{cls}" '
                f'stroke="{stroke}"{dashed} x1="1" x2="25" y1="5" y2="5"/></svg>')

    items = [f'<li>{swatch(f"step m{color[mu]}", METER_COLORS[color[mu]], "")}'
             f"{escape(meter_label(mu[0]))}</li>" for mu in meters]
    items += [f'<li>{swatch("step neutral", "currentColor", source_style(src)[1])}'
              f"{escape(source_label(src))}</li>" for src in sources]
    return '<ul class="chart-key">' + "".join(items) + "</ul>"
