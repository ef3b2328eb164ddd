"""JSON in and out without a float anywhere.

`loads` reads every number as Decimal and keeps the non-standard constants
NaN / Infinity as non-finite Decimals, so one bad value is refused by
scrapers.values.to_decimal (and skipped) instead of failing the whole payload.
`dumps` writes Decimal as a JSON number with its exact text: the payloads we
build ourselves (models.dev TOML tree, the bundled genai-prices data) are kept
as raw payloads and must re-parse to the same amounts.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from scrapers.base import ParseError

_DECODER = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal)
_SPACE = re.compile(r"[ \t\n\r]*")


def _text(payload: bytes | str, source: str) -> str:
    if isinstance(payload, bytes | bytearray):
        try:
            payload = payload.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"{source}: payload is not UTF-8 ({exc.reason})") from None
    if not payload.strip():
        raise ParseError(f"{source}: empty payload")
    return payload


def _invalid(exc: json.JSONDecodeError, source: str) -> ParseError:
    return ParseError(f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                      f"{exc.msg}")


def loads(payload: bytes | str, source: str) -> Any:
    """Parse a payload or raise ParseError naming the source and the position."""
    text = _text(payload, source)
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal,
                          parse_constant=Decimal)
    except json.JSONDecodeError as exc:
        raise _invalid(exc, source) from None
    except RecursionError:
        raise ParseError(f"{source}: JSON nested too deeply") from None


def is_object(payload: bytes | str) -> bool:
    """Whether the payload's top-level value is a JSON object (by its first character)."""
    head = (payload[:64].lstrip(b"\xef\xbb\xbf") if isinstance(payload, bytes | bytearray)
            else payload[:64].lstrip("\ufeff"))
    return head.lstrip()[:1] in (b"{", "{")


def iter_object(payload: bytes | str, source: str) -> Iterator[tuple[str, Any]]:
    """The members of a top-level JSON object, one at a time, so that the whole Decimal
    tree of a large payload never exists at once. A key given twice is yielded twice (the
    caller decides; json.loads keeps the last). Errors as in loads(), found as reached."""
    text = _text(payload, source)
    try:
        yield from _members(text)
    except json.JSONDecodeError as exc:
        raise _invalid(exc, source) from None
    except RecursionError:
        raise ParseError(f"{source}: JSON nested too deeply") from None


def _skip(text: str, pos: int = 0) -> int:
    """The position after the whitespace at `pos` (the pattern matches anywhere, even at
    the end of the text, so there is always a match)."""
    found = _SPACE.match(text, pos)
    return found.end() if found is not None else pos


def _members(text: str) -> Iterator[tuple[str, Any]]:
    pos = _skip(text)
    if text[pos:pos + 1] != "{":
        raise json.JSONDecodeError("Expecting '{'", text, pos)
    pos = _skip(text, pos + 1)
    if text[pos:pos + 1] == "}":
        pos += 1
    else:
        while True:
            if text[pos:pos + 1] != '"':
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes",
                                           text, pos)
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip(text, pos)
            if text[pos:pos + 1] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", text, pos)
            pos = _skip(text, pos + 1)
            value, pos = _DECODER.raw_decode(text, pos)
            yield key, value
            pos = _skip(text, pos)
            if text[pos:pos + 1] == "}":
                pos += 1
                break
            if text[pos:pos + 1] != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
            pos = _skip(text, pos + 1)
    end = _skip(text, pos)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)


def dumps(value: Any) -> bytes:
    """Compact, deterministic JSON; Decimal written exactly, never through float."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts).encode("utf-8")


def _write(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, bool | str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        # Non-finite values have no JSON number form: keep them as text so the
        # parser refuses them per value (to_decimal rejects "NaN", "Infinity").
        out.append(str(value) if value.is_finite() else json.dumps(str(value)))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        raise TypeError("float reached exact_json.dumps; parse with Decimal instead")
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, dict):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
