"""Reading pages in tests: tables as lists of cell texts, links, headings (stdlib parser only)."""
from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict[str, object]] = []
        self.stack: list[dict[str, object]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.links: list[str] = []
        self.next: str | None = None          # the rel="next" link
        self.headings: list[tuple[int, str]] = []
        self._heading: list[str] | None = None
        self._level = 0
        self.ids: list[str] = []
        self.scripts: dict[str, list[str]] = {}
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "br" and self.cell is not None:
            self.cell.append(" ")
        if attr.get("id"):
            self.ids.append(attr["id"] or "")
        if tag == "table":
            table: dict[str, object] = {"class": attr.get("class") or "", "head": [],
                                        "rows": [], "caption": ""}
            self.tables.append(table)
            self.stack.append(table)
        elif tag == "tr" and self.stack:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "a" and attr.get("href"):
            self.links.append(attr["href"] or "")
            if attr.get("rel") == "next" and self.next is None:
                self.next = attr["href"]
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading, self._level = [], int(tag[1])
        elif tag == "script" and attr.get("type") == "application/json" and attr.get("id"):
            self._script = attr["id"]
            self.scripts[self._script] = []
        elif tag == "caption" and self.stack:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.stack:
            self.stack.pop()
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "caption" and self.stack and self.cell is not None:
            self.stack[-1]["caption"] = " ".join("".join(self.cell).split())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.stack:
            table = self.stack[-1]
            rows = table["rows"]
            assert isinstance(rows, list)
            if not table["head"] and not rows:
                table["head"] = self.row
            else:
                rows.append(self.row)
            self.row = None
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._level, " ".join("".join(self._heading).split())))
            self._heading = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._script is not None:
            self.scripts[self._script].append(data)


def parse(html: str | bytes) -> _Page:
    page = _Page()
    page.feed(html.decode() if isinstance(html, bytes) else html)
    return page


def table(html: str | bytes, css_class: str) -> dict[str, object]:
    """The first table whose class list includes `css_class`: {"head", "rows", "caption"}."""
    for found in parse(html).tables:
        if css_class in str(found["class"]).split():
            return found
    raise AssertionError(f"no table.{css_class} on the page")


def column(html: str | bytes, css_class: str, name: str) -> list[str]:
    found = table(html, css_class)
    head = [h.replace("▲", "").replace("▼", "").strip() for h in found["head"]]  # type: ignore[union-attr]
    index = head.index(name)
    return [row[index] for row in found["rows"]]  # type: ignore[union-attr]


def amount(text: str) -> Decimal | None:
    """'$2.50' -> Decimal('2.50'); '$0.04 / image' -> Decimal('0.04'); '—' -> None."""
    found = re.search(r"\$([\d,]+(?:\.\d+)?)", text)
    return Decimal(found.group(1).replace(",", "")) if found else None


def tokens(text: str) -> int | None:
    """'128k' -> 128000, '2M' -> 2000000, '1,048,576' -> 1048576, '—' -> None."""
    text = text.strip()
    if text in ("", "—"):
        return None
    if text.endswith("M"):
        return int(text[:-1].replace(",", "")) * 1_000_000
    if text.endswith("k"):
        return int(text[:-1].replace(",", "")) * 1000
    return int(text.replace(",", ""))
