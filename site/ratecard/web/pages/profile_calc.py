"""The profile's calculator: its GET parameters, validated (a bad value is a 400 naming
the parameter), and the texts its result cells show. The arithmetic is ratecard.costs."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ratecard import costs
from ratecard.money import display, exact_text
from ratecard.web import params
from ratecard.web.errors import BadParameter
from ratecard.web.pages.profile_types import ProfileArgs

MAX_TOKENS = 10**12
MAX_IMAGES = 10**7


def _whole(args: Mapping[str, str], name: str, limit: int) -> int | None:
    """A count from the form: absent = None (the default applies), left empty = 0."""
    if name not in args:
        return None
    return params.whole(name, 0, limit, source=args, what="a whole number of 0 or more") or 0


def _percent(args: Mapping[str, str], name: str) -> Decimal:
    return params.decimal(name, maximum=Decimal(100), source=args,
                          what="a percentage from 0 to 100") or Decimal(0)


def option_value(option: costs.ImageOption) -> str:
    return f"{option[0] or ''}|{option[1] or ''}"


def parse_args(args: Mapping[str, str]) -> ProfileArgs:
    """The calculator's parameters, validated by type (BadParameter names the field)."""
    return ProfileArgs(
        given=bool(args),
        image_option=params.text("image_option", source=args),
        tokens_in=_whole(args, "tokens_in", MAX_TOKENS),
        tokens_out=_whole(args, "tokens_out", MAX_TOKENS),
        cached_pct=_percent(args, "cached_pct"),
        batch=params.flag("batch", source=args),
        images=_whole(args, "images", MAX_IMAGES),
        image_tokens=_whole(args, "image_tokens", MAX_TOKENS))


def job_for(args: ProfileArgs, rates: costs.Rates, image_mode: bool = False,
            image_tokens: int = 0) -> costs.Job:
    """The calculator's job for these rates. Defaults: one typical conversation; for an
    image model one image (no chat tokens), or a prompt's worth of input tokens and
    `image_tokens` (one standard image's) when it is billed by the token only. An image
    option must be one of the model's (BadParameter otherwise)."""
    options = {option_value(o): o for o, _ in costs.image_costs(rates)}
    raw_option = args.image_option or ""
    if raw_option and raw_option not in options:
        choices = ", ".join(options) or "none (no per-image prices are published)"
        raise BadParameter("image_option", f"must be one of: {choices}")
    default_option = next(iter(options.values()), None)

    def given(value: int | None, default: int) -> int:
        return default if value is None else value

    return costs.Job(
        tokens_in=given(args.tokens_in, 0 if image_mode and rates.images
                        else costs.TYPICAL_INPUT),
        tokens_out=given(args.tokens_out, 0 if image_mode else costs.TYPICAL_OUTPUT),
        cached_pct=args.cached_pct,
        batch=args.batch,
        images=given(args.images, 1 if rates.images else 0),
        image_option=options.get(raw_option, default_option),
        image_tokens=given(args.image_tokens, image_tokens),
    )


def parse_job(args: Mapping[str, str], rates: costs.Rates, image_mode: bool = False,
              image_tokens: int = 0) -> costs.Job:
    """parse_args, then job_for."""
    return job_for(parse_args(args), rates, image_mode, image_tokens)


def shown_money(amount: Decimal | None) -> str:
    return "not published" if amount is None else display(costs.rounded(amount))


def estimate_fields(result: costs.Estimate) -> dict[str, str]:
    """Texts for the calculator's data-field elements (the live form fills them)."""
    total = result.total
    fields = {"total": shown_money(total),
              "total_exact": "—" if total is None else exact_text(total) + " USD"}
    lines = {line.key: line for line in result.lines}
    for key in ("input", "cached_input", "output", "image_tokens", "images"):
        line = lines.get(key)
        fields[f"qty_{key}"] = "0" if line is None else f"{line.quantity.normalize():,f}"
        fields[f"cost_{key}"] = "—" if line is None else shown_money(line.cost)
    fields["notes"] = " ".join(result.notes)
    if result.missing:
        fields["notes"] = (f"Not published: {', '.join(result.missing).lower()}. "
                           + fields["notes"]).strip()
    return fields
