"""The open-data files: /export/prices.csv and the JSON Lines dump round-trip through the
csv and json modules and say what the API says; the dump's SHA-256 and date are beside it
and in its headers; `ratecard export DIR` writes the same files."""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ratecard import create_app
from ratecard.cli.export import export
from ratecard.db import Database
from ratecard.migrate import upgrade
from ratecard.models import Capability, ChangeEvent, Model, Price
from ratecard.services.export import CSV_COLUMNS, write_exports
from scrapers import genai_prices, litellm, modelsdev, openrouter
from tests.catalog_loader import _sync
from tests.conftest import PG_URL, _reset_postgres
from tests.upstream import OWN


def _path(model_id: str) -> str:
    return "/api/v1/models/" + model_id


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The project's own cuts of every source, loaded once for this module."""
    root = tmp_path_factory.mktemp("exports")
    if PG_URL:
        _reset_postgres(PG_URL)
    db = Database(PG_URL or f"sqlite:///{root / 'catalog.db'}")
    upgrade(db)
    _sync(db, litellm.SOURCE, OWN / "litellm" / "model_prices_cut.json", dt.date(2026, 7, 24))
    _sync(db, openrouter.SOURCE, OWN / "openrouter" / "models_cut.json", dt.date(2026, 8, 18))
    _sync(db, modelsdev.SOURCE, OWN / "modelsdev" / "tree", dt.date(2026, 8, 20))
    _sync(db, genai_prices.SOURCE, OWN / "genai_prices" / "data_v2_sample.json",
          dt.date(2026, 8, 21))
    app = create_app({"TESTING": True, "DATABASE_URL": db.url, "RATECARD_OFFLINE": True,
                      "RATECARD_EXPORT_DIR": str(root / "served"),
                      "RATECARD_API_RATE_LIMIT": 0})
    yield db, app, root
    app.extensions["ratecard.db"].dispose()
    db.dispose()


def count(db: Database, table, *where) -> int:  # type: ignore[no-untyped-def]
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(table).where(*where)) or 0


def test_prices_csv_round_trips_and_matches_the_api(catalog) -> None:  # type: ignore[no-untyped-def]
    db, app, _root = catalog
    client = app.test_client()
    response = client.get("/export/prices.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert tuple(csv.reader(io.StringIO(text, newline="")).__next__()) == CSV_COLUMNS
    assert len(rows) == count(db, Price, Price.valid_to.is_(None)) > 50
    by_model: dict[str, set[tuple[object, ...]]] = defaultdict(set)
    for row in rows:
        conditions = json.loads(row["conditions"])
        # the condition columns say the same as the conditions object
        assert {k: row[k] for k in conditions} == {k: str(v) for k, v in conditions.items()}
        by_model[row["model"]].add((row["meter"], row["unit"], row["amount"], row["currency"],
                                    json.dumps(conditions, sort_keys=True), row["source"],
                                    row["valid_from"], row["shown"] == "true"))
    assert any(json.loads(r["conditions"]) for r in rows)       # conditions are exercised
    for model_id, wanted in by_model.items():
        api = client.get(_path(model_id)).get_json()
        assert api["id"] == model_id
        said = {(p["meter"], p["unit"], p["amount"], p["currency"],
                 json.dumps(p["conditions"], sort_keys=True), p["source"], p["valid_from"],
                 p["shown"]) for p in api["prices"]}
        assert said == wanted, model_id


def test_dump_via_cli_round_trips_and_matches_the_api(catalog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db, app, root = catalog
    client = app.test_client()
    target = root / "cli"
    monkeypatch.setenv("DATABASE_URL", db.url)
    result = CliRunner().invoke(export, [str(target)])
    assert result.exit_code == 0, result.output
    dump = target / "ratecard.jsonl.gz"
    data = dump.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert (target / "ratecard.jsonl.gz.sha256").read_text() == f"{digest}  ratecard.jsonl.gz\n"
    assert digest in result.output
    records = [json.loads(line) for line in gzip.decompress(data).decode().splitlines()]
    meta, *rest = records
    assert meta["type"] == "meta" and meta["format"] == 1
    kinds = defaultdict(list)
    for record in rest:
        kinds[record["type"]].append(record)
    assert len(kinds["model"]) == count(db, Model)
    assert sum(len(m["prices"]) for m in kinds["model"]) == count(db, Price)
    assert sum(len(m["capabilities"]) for m in kinds["model"]) == count(db, Capability)
    assert len(kinds["change"]) == count(db, ChangeEvent)
    for model in kinds["model"]:
        api = client.get(_path(model["id"]) + "/prices").get_json()
        assert model["prices"] == api["prices"], model["id"]
        detail = client.get(_path(model["id"])).get_json()
        for key in ("name", "provider", "mode", "context_window", "max_output",
                    "input_modalities", "output_modalities", "release_date"):
            assert model[key] == detail[key], (model["id"], key)
        current = {(c["name"], c["value"], c["source"], c["since"])
                   for c in model["capabilities"] if c["until"] is None}
        assert current == {(c["name"], c["value"], c["source"], c["since"])
                           for c in detail["capabilities"]}
    # the CSV written beside it is the one served
    served = client.get("/export/prices.csv").get_data()
    assert (target / "prices.csv").read_bytes() == served


def test_dump_served_with_its_hash_and_date(catalog) -> None:  # type: ignore[no-untyped-def]
    db, app, root = catalog
    client = app.test_client()
    missing = client.get("/export/ratecard.jsonl.gz")
    assert missing.status_code == 404 and missing.headers["Retry-After"]
    when = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    result = write_exports(db, root / "served", now=when)
    response = client.get("/export/ratecard.jsonl.gz")
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    body = response.get_data()
    response.close()          # a WSGI server closes the file; the test client leaves it to us
    assert body == (root / "served" / "ratecard.jsonl.gz").read_bytes()
    assert hashlib.sha256(body).hexdigest() == result.sha256
    assert response.headers["ETag"] == f'"{result.sha256}"'
    assert response.headers["Ratecard-Dump-Date"] == "2026-12-01T03:00:00Z"
    assert response.last_modified == when
    assert json.loads(gzip.decompress(body).split(b"\n", 1)[0])["generated_at"] == \
        "2026-12-01T03:00:00Z"
    again = client.get("/export/ratecard.jsonl.gz",
                       headers={"If-None-Match": f'"{result.sha256}"'})
    assert again.status_code == 304
    sha = client.get("/export/ratecard.jsonl.gz.sha256")
    assert sha.get_data(as_text=True) == f"{result.sha256}  ratecard.jsonl.gz\n"
    # The same data gives the same bytes (a fixed gzip mtime): a mirror can compare hashes
    assert write_exports(db, root / "again", now=when).sha256 == result.sha256


def test_export_to_a_file_is_a_clear_error(catalog, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db, _app, _root = catalog
    monkeypatch.setenv("DATABASE_URL", db.url)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(export, [str(blocker)])
    assert result.exit_code == 2 and "is a file" in result.output



def test_prices_csv_left_half_read_closes_its_cursor(catalog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A client that hangs up (or a HEAD) after the first chunk: the streaming query's
    cursor is closed with the response, not left for the garbage collector (on PostgreSQL a
    server-side cursor left open warns, and holds its snapshot until then)."""
    import gc
    import sys

    from ratecard.services import export as export_service

    monkeypatch.setattr(export_service, "BATCH", 2)     # many chunks from a small catalog
    _, app, _ = catalog
    for method in ("GET", "HEAD"):
        response = app.test_client().open("/export/prices.csv", method=method, buffered=False)
        first = next(iter(response.response), b"")
        assert method == "HEAD" or first.startswith(b"model,provider,meter")
        response.close()
        unraisable: list[object] = []
        monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
        gc.collect()
        monkeypatch.undo()
        monkeypatch.setattr(export_service, "BATCH", 2)
        assert not unraisable, [u.exc_value for u in unraisable]  # type: ignore[attr-defined]
