"""What Markdown the site refuses to render, decided before any rendering starts.

Python-Markdown has superlinear corners: each unclosed '[' or link '(' is scanned to the
end of its paragraph (quadratic), nested emphasis, lists and quotes recurse (a
RecursionError past ~1000 levels), and every heading adds to the table of contents. A body
is rendered on every uncached view, so `refusal` bounds all of these in one linear pass;
within the limits the worst body renders in a fraction of a second (bench/render measures
it). `content check`, the preview and the public page all ask this one function.

Fenced code counts like any other text: whether a fence is one follows Markdown's own
rules (an unclosed fence is not code), and counting it keeps this check simple and safe.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 30_000           # the longest review in content/ is ~7,500
MAX_PARAGRAPH = 10_000       # lines between blank lines; inline parsing is superlinear
MAX_LINES = 5_000
MAX_HEADINGS = 200
MAX_NESTING = 8              # lists, quotes, brackets and emphasis, each
MAX_RUN = 32                 # consecutive * _ ` characters
# Characters the link matcher may scan, summed over a text: each '[' is scanned to its
# ']' (or to the end of its paragraph when unclosed), each link target to its ')'.
MAX_LINK_SCAN = 300_000

_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_CONTAINER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))")
_RUN = re.compile(f"[*_`]{{{MAX_RUN + 1},}}")
SPACE = " \t\n"


@dataclass(frozen=True)
class Refusal:
    line: int            # 0-based line within the text
    message: str


class _Block:
    """One paragraph (lines between blank lines): bracket, link and emphasis state."""

    def __init__(self) -> None:
        self.brackets: list[int] = []                   # positions of open '['
        self.parens: list[tuple[int, bool, int]] = []   # (position, link target, quotes)
        self.emphasis: list[str] = []
        self.quotes = 0
        self.to_end: list[int] = []                     # scans that run to the block's end
        self.scan = 0

    def close(self, end: int) -> int:
        starts = self.to_end + self.brackets + [p for p, link, _ in self.parens if link]
        return self.scan + sum(end - s for s in starts)


def refusal(text: str) -> Refusal | None:
    """Why `text` (a body or a front-matter field) will not be rendered, or None."""
    lines = text.split("\n")
    headings, scanned = 0, 0
    block, block_line, block_start, offset = _Block(), 0, 0, 0
    previous_blank = True
    for number, line in enumerate(lines):
        if number == MAX_LINES:
            return Refusal(number, f"the text has {len(lines):,} lines; the limit is "
                           f"{MAX_LINES:,}: split it into several pages")
        start, offset = offset, offset + len(line) + 1
        if start - block_start > MAX_PARAGRAPH:
            return Refusal(block_line, f"a paragraph (or list, table, quote) of more than "
                           f"{MAX_PARAGRAPH:,} characters: break it up with blank lines")
        if not line.strip():
            if offset > MAX_CHARS + 1:
                return _too_long(text, number)
            scanned += block.close(start)
            if scanned > MAX_LINK_SCAN:
                return _unclosed(block_line)
            block, block_line, previous_blank = _Block(), number + 1, True
            block_start = offset
            continue
        if _ATX.match(line) or (_SETEXT.match(line) and not previous_blank):
            headings += 1
            if headings > MAX_HEADINGS:
                return Refusal(number, f"more than {MAX_HEADINGS} headings: split the text "
                               "into several pages")
        previous_blank = False
        depth, pos = 0, 0
        while (found := _CONTAINER.match(line, pos)) is not None and depth <= MAX_NESTING:
            depth, pos = depth + 1, found.end()
        depth += (len(line) - len(line.lstrip(" \t"))) // 4 if depth else 0
        if depth > MAX_NESTING:
            return Refusal(number, f"lists or quotes nested more than {MAX_NESTING} deep")
        run = _RUN.search(line)
        if run:
            return Refusal(number, f"a run of {len(run.group()):,} '{run.group()[0]}' "
                           f"characters (at most {MAX_RUN}): write them as code or escape "
                           "them with \\")
        if offset > MAX_CHARS + 1:       # checked per line: the message names the line
            return _too_long(text, number)
        problem = _inline(line, start, block, number)
        if problem is not None:
            return problem
    if len(text) - block_start > MAX_PARAGRAPH:
        return Refusal(block_line, f"a paragraph (or list, table, quote) of more than "
                       f"{MAX_PARAGRAPH:,} characters: break it up with blank lines")
    scanned += block.close(len(text))
    return _unclosed(block_line) if scanned > MAX_LINK_SCAN else None


def _too_long(text: str, line: int) -> Refusal:
    return Refusal(line, f"the text is {len(text):,} characters long; the limit is "
                   f"{MAX_CHARS:,}: split it into several pages")


def _unclosed(line: int) -> Refusal:
    return Refusal(line, "too many unclosed '[' or '(' (each is read to the end of its "
                   "paragraph): close them, or escape them as \\[ and \\(")


def _inline(line: str, start: int, block: _Block, number: int) -> Refusal | None:
    """Brackets, link targets and emphasis of one line, into its paragraph's state."""
    i, size = 0, len(line)
    while i < size:
        char = line[i]
        if char == "\\":
            i += 2
            continue
        pos = start + i
        if char == "[":
            block.brackets.append(pos)
            if len(block.brackets) > MAX_NESTING:
                return Refusal(number, f"more than {MAX_NESTING} '[' open at once (nested "
                               "or never closed): close them, or escape them as \\[")
        elif char == "]" and block.brackets:
            block.scan += pos - block.brackets.pop()
        elif char == "(":
            block.parens.append((pos, i > 0 and line[i - 1] == "]", block.quotes))
            if len(block.parens) > MAX_NESTING:
                return Refusal(number, f"more than {MAX_NESTING} '(' open at once (nested "
                               "or never closed): close them, or escape them as \\(")
        elif char == ")" and block.parens:
            opened, link, quotes = block.parens.pop()
            if link and block.quotes > quotes:      # a title: may scan on to the end
                block.to_end.append(opened)
            elif link:
                block.scan += pos - opened
        elif char in "\"'":
            block.quotes += 1
        elif char in "*_":
            j = i
            while j < size and line[j] == char:
                j += 1
            before = line[i - 1] if i else " "
            after = line[j] if j < size else " "
            if char == "_" and before.isalnum() and after.isalnum():
                i = j                                # snake_case: never emphasis
                continue
            if before not in SPACE and block.emphasis and block.emphasis[-1] == char:
                block.emphasis.pop()
            elif after not in SPACE:
                block.emphasis.append(char)
                if len(block.emphasis) > MAX_NESTING:
                    return Refusal(number, f"emphasis (* or _) nested more than "
                                   f"{MAX_NESTING} deep")
            i = j
            continue
        i += 1
    return None
