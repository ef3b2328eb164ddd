"""The open-data files: every current price as CSV, and the full dump as gzipped JSON Lines
(providers, models with their whole price and capability history, the change log) with its
SHA-256 beside it. `ratecard export DIR`, the nightly scheduler job and /export/ share these.

Rows stream from the database (yield_per) and are written as they come: the whole catalog
is never held in memory at once. Amounts stay Decimal and are written as exact strings.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratecard.db import Database
from ratecard.models import Capability, ChangeEvent, Model, Price, Provider
from ratecard.models.pricing import CONDITION_COLUMNS
from ratecard.money import exact_text
from ratecard.records import capability_json, model_json, price_json

if TYPE_CHECKING:
    from typing_extensions import Buffer

DUMP_NAME = "ratecard.jsonl.gz"
SHA_NAME = DUMP_NAME + ".sha256"
CSV_NAME = "prices.csv"
FORMAT_VERSION = 1
BATCH = 2000
# Stable column names (the same vocabulary as the API): one row per current price, model ×
# meter × conditions × source. Conditions are columns, plus the API's conditions object.
CSV_COLUMNS = ("model", "provider", "meter", "unit", "amount", "currency",
               *CONDITION_COLUMNS, "conditions", "source", "shown", "valid_from")


def _iso(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def current_price_rows(session: Session) -> Iterator[tuple[str, ...]]:
    """The CSV's data rows, by model id, meter, unit, conditions, source."""
    query = (select(Price.__table__, Model.canonical_id, Provider.slug.label("provider_slug"))
             .join(Model, Model.id == Price.model_id).join(Provider)
             .where(Price.valid_to.is_(None))
             .order_by(Model.canonical_id, Price.meter, Price.unit, Price.conditions_key,
                       Price.source)
             .execution_options(yield_per=BATCH))
    # `with`: a reader that hangs up mid-stream closes this generator, and the result's
    # cursor (server-side on PostgreSQL) closes with it rather than at garbage collection.
    with session.execute(query) as result:
        yield from (_price_row(price) for price in result)


def _price_row(price: Any) -> tuple[str, ...]:
    conditions = _Row(price).conditions()
    return (price.canonical_id, price.provider_slug, price.meter, price.unit,
            exact_text(price.amount), price.currency,
            *("" if conditions.get(c) is None else str(conditions[c])
              for c in CONDITION_COLUMNS),
            _compact(conditions), price.source, "true" if price.shown else "false",
            _iso(price.valid_from))


def csv_chunks(session: Session) -> Iterator[str]:
    """prices.csv as text chunks (RFC 4180: CRLF line ends, a header row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for n, row in enumerate(current_price_rows(session), 1):
        writer.writerow(row)
        if n % BATCH == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


class _Row:
    """A table row read without the ORM (building 100k mapped objects is most of a dump's
    time) that the API's serialisers read as they read a mapped object."""

    __slots__ = ("_row", "provider")

    def __init__(self, row: Any, provider: Any = None):
        self._row = row
        self.provider = provider

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)

    def conditions(self) -> dict[str, object]:
        return {k: getattr(self._row, k) for k in CONDITION_COLUMNS
                if getattr(self._row, k) is not None}


def _by_model(rows: Iterable[Any]) -> Iterator[tuple[int, list[_Row]]]:
    """Rows ordered by model_id, grouped: (model_id, rows)."""
    for model_id, group in groupby(rows, key=attrgetter("model_id")):
        yield model_id, [_Row(row) for row in group]


def _rows(session: Session, query: Any) -> Iterator[Any]:
    with session.execute(query.execution_options(yield_per=BATCH)) as result:
        yield from result


def dump_lines(session: Session, generated_at: dt.datetime) -> Iterator[dict[str, object]]:
    """The dump's records, one JSON object a line, each with a "type": meta first, then
    providers, models (each with "prices" exactly as /api/v1/models/<id>/prices lists them,
    and "capabilities" with their history), then every change event, oldest first."""
    yield {"type": "meta", "format": FORMAT_VERSION, "generated_at": _iso(generated_at),
           "currency": "USD"}
    providers = {}
    for provider in session.scalars(select(Provider).order_by(Provider.slug)):
        providers[provider.id] = provider
        yield {"type": "provider", "slug": provider.slug, "name": provider.name,
               "country": provider.country, "homepage": provider.homepage}
    prices_table, caps_table = Price.__table__, Capability.__table__
    prices = _by_model(_rows(session, select(prices_table).order_by(
        Price.model_id, Price.meter, Price.unit, Price.conditions_key, Price.source,
        Price.valid_from)))
    caps = _by_model(_rows(session, select(caps_table).order_by(
        Capability.model_id, Capability.name, Capability.source, Capability.valid_from)))
    next_prices, next_caps = next(prices, None), next(caps, None)
    for row in _rows(session, select(Model.__table__).order_by(Model.id)):
        model = _Row(row, providers[row.provider_id])
        own_prices: list[_Row] = []
        own_caps: list[_Row] = []
        while next_prices is not None and next_prices[0] <= row.id:
            if next_prices[0] == row.id:
                own_prices = next_prices[1]
            next_prices = next(prices, None)
        while next_caps is not None and next_caps[0] <= row.id:
            if next_caps[0] == row.id:
                own_caps = next_caps[1]
            next_caps = next(caps, None)
        # _Row reads as the mapped object the serialisers are typed for (see its docstring).
        record: dict[str, object] = {"type": "model", **model_json(model)}  # type: ignore[arg-type]
        record["prices"] = [price_json(p) for p in own_prices]  # type: ignore[arg-type]
        record["capabilities"] = [dict(capability_json(c),  # type: ignore[arg-type]
                                       until=_iso(c.valid_to) or None) for c in own_caps]
        yield record
    ids = dict(session.execute(select(Model.id, Model.canonical_id)).tuples().all())
    for event in _rows(session, select(ChangeEvent.__table__).order_by(ChangeEvent.id)):
        yield {"type": "change", "id": event.id, "model": ids.get(event.model_id),
               "kind": event.kind, "subject": event.subject,
               "conditions": event.conditions or {}, "old": event.old_value,
               "new": event.new_value, "source": event.source,
               "occurred_at": _iso(event.occurred_at)}


@dataclass(frozen=True)
class ExportResult:
    dump: Path
    sha256: str
    size: int
    csv: Path
    csv_rows: int
    generated_at: dt.datetime
    seconds: float

    def line(self) -> str:
        return (f"{self.dump} {self.size} bytes sha256 {self.sha256}; {self.csv} "
                f"{self.csv_rows} prices; {self.seconds:.1f} s")


class _HashingWriter(io.RawIOBase):
    """Hashes and counts the compressed bytes on their way to the file."""

    def __init__(self, target: io.BufferedWriter):
        self.target = target
        self.sha = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Buffer) -> int:
        self.sha.update(data)
        self.size += memoryview(data).nbytes      # gzip writes bytes: their length
        return self.target.write(data)


def write_exports(db: Database, directory: Path,
                  now: dt.datetime | None = None) -> ExportResult:
    """Write DIR/ratecard.jsonl.gz, its .sha256 (sha256sum's format) and DIR/prices.csv;
    each file appears whole or not at all (written aside, then renamed)."""
    import time

    started = time.perf_counter()
    generated_at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    directory.mkdir(parents=True, exist_ok=True)
    dump, part = directory / DUMP_NAME, directory / (DUMP_NAME + ".part")
    with db.session() as session, open(part, "wb") as raw:
        hashing = _HashingWriter(raw)
        # mtime fixed to the dump's date: the same data, the same bytes, the same hash
        with gzip.GzipFile(fileobj=hashing, mode="wb", compresslevel=6,
                           mtime=int(generated_at.timestamp())) as packed:
            text = io.TextIOWrapper(packed, encoding="utf-8", newline="\n")
            for record in dump_lines(session, generated_at):
                text.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
                text.write("\n")
            text.flush()
            text.detach()
    digest = hashing.sha.hexdigest()
    stamp = generated_at.timestamp()
    os.utime(part, (stamp, stamp))
    os.replace(part, dump)
    sha_part = directory / (SHA_NAME + ".part")
    sha_part.write_text(f"{digest}  {DUMP_NAME}\n", encoding="ascii")
    os.utime(sha_part, (stamp, stamp))
    os.replace(sha_part, directory / SHA_NAME)
    csv_path, csv_part = directory / CSV_NAME, directory / (CSV_NAME + ".part")
    rows = -1
    with db.session() as session, open(csv_part, "w", encoding="utf-8", newline="") as out:
        for chunk in csv_chunks(session):
            out.write(chunk)
            rows += chunk.count("\r\n")
    os.replace(csv_part, csv_path)
    # rows counted by line ends: a value with an embedded CRLF would overcount; none has one
    return ExportResult(dump, digest, hashing.size, csv_path, rows, generated_at,
                        time.perf_counter() - started)


def default_dir() -> Path:
    """RATECARD_EXPORT_DIR, or instance/export: where the nightly job writes and the site
    serves the dump from."""
    from ratecard.config import INSTANCE_DIR

    configured = os.environ.get("RATECARD_EXPORT_DIR")
    return Path(configured) if configured else INSTANCE_DIR / "export"


def read_sha(directory: Path) -> str | None:
    try:
        text = (directory / SHA_NAME).read_text(encoding="ascii")
    except OSError:
        return None
    digest = text.split(" ", 1)[0].strip()
    return digest if len(digest) == 64 else None
