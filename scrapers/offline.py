"""The offline catalog: real data for a fresh install with no network.

Two payloads, each in the format its source's parse() reads, so the sync
service feeds them through the normal parse + sync path and records them as
sync runs:
- genai_prices: the data bundled in the installed `genai-prices` package
  (Python objects: dataclasses with Decimal values) written out in the
  genai-prices data.json (v2) format, Decimal-exact. The package carries no
  build date, and its data holds future start dates (2027-01-01), so "the
  newest date in the data" would post-date prices that have not started:
  as_of is the day the payload is built (today, UTC); the package version
  is recorded in the origin text and in OfflinePayload.version.
- litellm: one LiteLLM snapshot shipped gzipped in ratecard/data
  (model_prices_and_context_window.json, commit 8442b939 of 2026-07-24).
- modelsdev: the models.dev repository's TOML tree shipped as a tar.gz in
  ratecard/data, built into the api.json shape by scrapers.modelsdev.toml exactly as
  a local checkout is (names, release dates, modalities and limits for a fresh
  install). Dated by its newest entry (2026-06-30).

Each payload has an address of the form offline:<source>@<version>, recorded as its
sync run's URL, so a page can tell the shipped copy from a live sync.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import importlib.util
import io
import tarfile
import tempfile
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

from scrapers import exact_json
from scrapers.modelsdev import toml as modelsdev_toml

LITELLM_FILE = "litellm_2026-07-24_8442b939.json.gz"
LITELLM_META = {
    "origin": "LiteLLM project (BerriAI/litellm), model_prices_and_context_window.json "
              "at commit 8442b939 of 2026-07-24, MIT licence",
    "as_of": dt.date(2026, 7, 24),
    "commit": "8442b939",
}
MODELSDEV_FILE = "modelsdev_2026-06-30.tar.gz"
MODELSDEV_META = {
    "origin": "models.dev repository (anomalyco/models.dev), TOML tree whose newest entry "
              "is dated 2026-06-30, MIT licence",
    "as_of": dt.date(2026, 6, 30),
    "version": "2026-06-30",
}
OFFLINE_SCHEME = "offline:"
# Dataclass field names the pydantic models spell differently in JSON.
_FIELD_NAMES = {"or_": "or", "and_": "and"}


@dataclasses.dataclass(frozen=True)
class OfflinePayload:
    source: str             # a Source.name: "genai_prices", "litellm"
    payload: bytes          # what that source's parse() reads
    as_of: dt.date          # the date the data describes (the sync's run date)
    origin: str             # where it comes from, for the sync run's record
    version: str | None = None

    @property
    def url(self) -> str:
        """The address its sync run records: offline:<source>@<version>."""
        return f"{OFFLINE_SCHEME}{self.source}@{self.version or self.as_of.isoformat()}"


def offline_payloads() -> list[OfflinePayload]:
    genai_body, genai_meta = genai_prices_bundled()
    litellm_body, litellm_meta = litellm_bundled()
    modelsdev_body, modelsdev_meta = modelsdev_bundled()
    return [
        OfflinePayload("genai_prices", genai_body, genai_meta["as_of"],
                       genai_meta["origin"], genai_meta["version"]),
        OfflinePayload("litellm", litellm_body, litellm_meta["as_of"],
                       litellm_meta["origin"], litellm_meta["commit"]),
        OfflinePayload("modelsdev", modelsdev_body, modelsdev_meta["as_of"],
                       modelsdev_meta["origin"], modelsdev_meta["version"]),
    ]


def offline_version(url: str | None) -> str | None:
    """The version part of an offline payload's address; None for any other address."""
    if not url or not url.startswith(OFFLINE_SCHEME):
        return None
    return url.partition("@")[2] or None


def genai_prices_version() -> str:
    return metadata.version("genai-prices")


def genai_prices_bundled_payload() -> bytes:
    """The installed genai-prices data as genai-prices data.json bytes."""
    from genai_prices import data

    return exact_json.dumps([to_json(provider) for provider in data.providers])


def genai_prices_bundled() -> tuple[bytes, dict[str, Any]]:
    version = genai_prices_version()
    return genai_prices_bundled_payload(), {
        "origin": f"genai-prices Python package {version} (pydantic/genai-prices, "
                  "MIT licence), bundled data",
        "as_of": dt.datetime.now(dt.UTC).date(),
        "version": version,
    }


def to_json(value: Any) -> Any:
    """genai-prices objects -> the JSON structure of its data.json.

    Dataclasses by their fields (private ones and None left out, `or_`/`and_`
    as `or`/`and`), ModelPrice by its set attributes, dates as ISO text and
    UTC times as "HH:MM:SSZ" like the published file; Decimal stays Decimal.
    """
    if isinstance(value, Decimal | str | bool | int) or value is None:
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return _time_text(value)
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items() if v is not None}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        pairs = ((f.name, getattr(value, f.name, None)) for f in dataclasses.fields(value))
    elif type(value).__name__ == "ModelPrice":
        pairs = iter(vars(value).items())
    else:
        raise TypeError(f"cannot write genai-prices {type(value).__name__} as JSON")
    return {_FIELD_NAMES.get(name, name): to_json(item) for name, item in pairs
            if not name.startswith("_") and item is not None}


def _time_text(moment: dt.time) -> str:
    offset = moment.utcoffset()
    if offset is None or offset == dt.timedelta(0):
        return moment.replace(tzinfo=None).isoformat() + "Z"
    return moment.isoformat()


def litellm_bundled() -> tuple[bytes, dict[str, Any]]:
    """The shipped LiteLLM snapshot, decompressed, with its origin."""
    path = data_dir() / LITELLM_FILE
    try:
        body = gzip.decompress(path.read_bytes())
    except FileNotFoundError:
        raise FileNotFoundError(f"bundled LiteLLM snapshot missing: {path}") from None
    return body, dict(LITELLM_META)


def modelsdev_bundled() -> tuple[bytes, dict[str, Any]]:
    """The shipped models.dev tree as api.json bytes (the document a local checkout gives)."""
    path = data_dir() / MODELSDEV_FILE
    try:
        packed = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"bundled models.dev snapshot missing: {path}") from None
    with tempfile.TemporaryDirectory(prefix="ratecard-modelsdev-") as folder:
        with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as archive:
            archive.extractall(folder, filter="data")
        body = exact_json.dumps(modelsdev_toml.build(Path(folder)))
    return body, dict(MODELSDEV_META)


def write_modelsdev_bundle(tree: Path, target: Path) -> None:
    """Pack a models.dev checkout's models/ and providers/ TOML files deterministically:
    sorted names, no owners, mtime 0, gzip level 9 without a name or time."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for file in sorted(tree.rglob("*.toml")):
            name = file.relative_to(tree).as_posix()
            if not name.startswith(("models/", "providers/")):
                continue
            info = tarfile.TarInfo(name)
            data = file.read_bytes()
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            archive.addfile(info, io.BytesIO(data))
    target.write_bytes(gzip.compress(buffer.getvalue(), compresslevel=9, mtime=0))


def data_dir() -> Path:
    """ratecard/data, found without importing the application package."""
    spec = importlib.util.find_spec("ratecard")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "data").is_dir():
                return Path(location) / "data"
    return Path(__file__).resolve().parents[1] / "site" / "ratecard" / "data"


def write_litellm_bundle(source: Path, target: Path) -> None:
    """Rebuild a bundled snapshot deterministically (level 9, mtime 0, no name)."""
    target.write_bytes(gzip.compress(source.read_bytes(), compresslevel=9, mtime=0))
