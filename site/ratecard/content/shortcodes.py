"""Shortcodes: numbers in prose that come from the data, so the text never goes stale.

    {{ price "openai/gpt-4o" "input" }}                      $2.50 per 1M tokens
    {{ price "openai/gpt-4o" "input" service_tier="batch" }} conditions: quality, size,
                                                             context_above, service_tier,
                                                             time_window, region; unit="image"
    {{ context "openai/gpt-4o" }}                            128k tokens
    {{ max_output "openai/gpt-4o" }}                         16,384 tokens
    {{ cost "openai/gpt-4o" "conversation" }}                600 input + 200 output tokens

They are expanded before Markdown into plain, escaped text (never into HTML, never by a
template engine: `{{ 7*7 }}` stays `{{ 7*7 }}`). Code spans and fenced code are left alone,
so a page can show a shortcode as an example. A shortcode naming a model, meter or condition
the data does not have is a check error; if the data later loses a value, the published page
shows "not published" there, never $0, and never fails.
"""
from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ratecard.content import Catalog
from ratecard.labels import UNIT_LABELS, count
from ratecard.money import display as money
from scrapers.base import METERS, SERVICE_TIERS, UNITS

NOT_PUBLISHED = "not published"
SHORTCODE = re.compile(r"\{\{([^{}]{0,400})\}\}")
_TOKEN = re.compile(r'\s*(?:([A-Za-z_][A-Za-z0-9_]*)=)?(?:"([^"]*)"|([^\s"=]+))')
CONDITIONS = ("quality", "size", "context_above", "service_tier", "time_window", "region")
# Typical usage scenarios for {{ cost }}: (input tokens, output tokens).
SCENARIOS = {"conversation": (600, 200)}
USAGE = {"price": ('"<model id>"', '"<meter>"'), "context": ('"<model id>"',),
         "max_output": ('"<model id>"',), "cost": ('"<model id>"', '"conversation"')}
NAMES = tuple(USAGE)


@dataclass
class Shortcode:
    name: str
    args: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    line: int            # 0-based line within the expanded text
    message: str
    severity: str = "error"


class ShortcodeError(ValueError):
    def __init__(self, message: str, severity: str = "error"):
        super().__init__(message)
        self.severity = severity


def parse(inner: str) -> Shortcode:
    tokens: list[tuple[str | None, str]] = []
    pos, inner = 0, inner.strip()
    while pos < len(inner):
        found = _TOKEN.match(inner, pos)
        if found is None or found.end() == pos:
            raise ShortcodeError(f"cannot read shortcode {{{{ {inner} }}}}")
        key, quoted, bare = found.groups()
        tokens.append((key, quoted if quoted is not None else bare))
        pos = found.end()
    if not tokens or tokens[0][0] is not None or tokens[0][1] not in NAMES:
        shown = inner if len(inner) < 60 else inner[:57] + "…"
        raise ShortcodeError(f"unknown shortcode {{{{ {shown} }}}} (known: {', '.join(NAMES)})")
    code = Shortcode(tokens[0][1])
    for key, value in tokens[1:]:
        if key is None:
            if code.options:
                raise ShortcodeError(f"{code.name}: positional arguments go before key=value")
            code.args.append(value)
        elif key in code.options:
            raise ShortcodeError(f"{code.name}: {key} given twice")
        else:
            code.options[key] = value
    return code


def _conditions(code: Shortcode) -> tuple[str, str | None]:
    """(conditions_key, unit option) from key=value options; raises on unknown ones."""
    conds: dict[str, str] = {}
    unit = None
    for key, value in code.options.items():
        if key == "unit":
            if value not in UNITS:
                raise ShortcodeError(f"{code.name}: unknown unit {value!r}")
            unit = value
        elif key not in CONDITIONS:
            raise ShortcodeError(f"{code.name}: unknown option {key!r} (use "
                                 f"{', '.join(CONDITIONS)} or unit)")
        elif key == "context_above":
            if not value.isdigit():
                raise ShortcodeError(f'{code.name}: context_above must be a number of tokens, '
                                     f'e.g. context_above="200000"')
            conds[key] = str(int(value))
        elif key == "service_tier":
            if value not in SERVICE_TIERS:
                raise ShortcodeError(f"{code.name}: unknown service_tier {value!r} "
                                     f"({', '.join(SERVICE_TIERS)})")
            if value != "standard":                    # standard = the base price
                conds[key] = value
        else:
            conds[key] = value
    return ";".join(f"{k}={v}" for k, v in sorted(conds.items())), unit


def _amount(prices: dict[tuple[str, str, str], Decimal], meter: str, ckey: str,
            unit: str | None) -> tuple[Decimal, str] | None:
    units = sorted((u for (m, u, c) in prices if m == meter and c == ckey),
                   key=lambda u: (u != "1M_tokens", u))
    if unit is not None:
        units = [u for u in units if u == unit]
    return (prices[(meter, units[0], ckey)], units[0]) if units else None


def evaluate(code: Shortcode, catalog: Catalog) -> str:
    """The text a shortcode stands for. Raises ShortcodeError (an error, or a warning when
    the data simply has no value); the caller then shows NOT_PUBLISHED."""
    if len(code.args) != len(USAGE[code.name]):
        raise ShortcodeError(f"{code.name} takes {len(USAGE[code.name])} quoted argument(s): "
                             f"{{{{ {code.name} {' '.join(USAGE[code.name])} }}}}")
    model = catalog.model(code.args[0].lower())
    if model is None:
        raise ShortcodeError(f"{code.name}: no model {code.args[0]!r} in the catalog")
    if code.name in ("context", "max_output"):
        if code.options:
            raise ShortcodeError(f"{code.name} takes no options")
        value = model.context_window if code.name == "context" else model.max_output
        if value is None:
            what = "context window" if code.name == "context" else "maximum output"
            raise ShortcodeError(f"{code.name}: {model.canonical_id} has no {what} in the "
                                 "catalog (it would render as 'not published')")
        return f"{count(value)} tokens"
    ckey, unit = _conditions(code)
    if code.name == "price":
        meter = code.args[1]
        if meter not in METERS:
            raise ShortcodeError(f"price: unknown meter {meter!r}")
        found = _amount(model.prices, meter, ckey, unit)
        if found is None:
            raise ShortcodeError(f"price: {model.canonical_id} has no current {meter} price"
                                 + (f" with {ckey}" if ckey else "")
                                 + " (it would render as 'not published')")
        return f"{money(found[0])} {UNIT_LABELS.get(found[1], found[1])}"
    scenario = SCENARIOS.get(code.args[1])
    if scenario is None:
        raise ShortcodeError(f"cost: unknown scenario {code.args[1]!r} "
                             f"(known: {', '.join(SCENARIOS)})")
    parts = [_amount(model.prices, meter, ckey, "1M_tokens") for meter in ("input", "output")]
    if parts[0] is None or parts[1] is None:
        raise ShortcodeError(f"cost: {model.canonical_id} has no current input and output "
                             "token prices (it would render as 'not published')")
    total = (scenario[0] * parts[0][0] + scenario[1] * parts[1][0]) / Decimal(1_000_000)
    return money(total)


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of fenced code blocks and inline code spans: shortcodes there stay as is."""
    spans: list[tuple[int, int]] = []
    fence: str | None = None
    start = offset = 0
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        marker = re.match(r"(`{3,}|~{3,})", stripped) if len(line) - len(stripped) < 4 else None
        if fence is None and marker:
            fence, start = marker.group(1), offset
        elif fence is not None and marker and marker.group(1).startswith(fence) \
                and not stripped[len(marker.group(1)):].strip():
            spans.append((start, offset + len(line)))
            fence = None
        offset += len(line) + 1
    if fence is not None:
        spans.append((start, len(text)))
    for found in re.finditer(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", text, re.S):
        if not any(s <= found.start() < e for s, e in spans):
            spans.append((found.start(), found.end()))
    return spans


def inside(spans: list[tuple[int, int]]) -> Callable[[int], bool]:
    """A test `pos in one of spans`, in log time (a linear scan per shortcode or link
    would make a long text with many of both quadratic)."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    starts = [start for start, _ in merged]

    def test(pos: int) -> bool:
        index = bisect.bisect_right(starts, pos) - 1
        return index >= 0 and pos < merged[index][1]
    return test


def line_at(text: str) -> Callable[[int], int]:
    """The 0-based line of a position in `text`, in log time."""
    breaks = [found.start() for found in re.finditer("\n", text)]
    return lambda pos: bisect.bisect_left(breaks, pos)


def expand(text: str, catalog: Catalog) -> tuple[str, list[Finding]]:
    """Replace every shortcode outside code with its escaped text; report what went wrong."""
    findings: list[Finding] = []
    if "{{" not in text:
        return text, findings
    in_code, line_of = inside(code_spans(text)), line_at(text)

    def replace(found: re.Match[str]) -> str:
        if in_code(found.start()):
            return found.group(0)
        line = line_of(found.start())
        try:
            code = parse(found.group(1))
        except ShortcodeError as exc:
            findings.append(Finding(line, str(exc), exc.severity))
            return found.group(0)            # left as plain text, never evaluated
        try:
            value = evaluate(code, catalog)
        except ShortcodeError as exc:
            findings.append(Finding(line, str(exc), exc.severity))
            value = NOT_PUBLISHED
        return html.escape(value, quote=False)

    return SHORTCODE.sub(replace, text), findings
