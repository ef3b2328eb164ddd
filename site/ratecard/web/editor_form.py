"""The edit form's text <-> the content engine's arguments: front matter as YAML text,
parsed safely (no tags, no anchors/aliases, a mapping), problems with their line."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ratecard.content import ALLOWED_KEYS, Problem, source

if TYPE_CHECKING:
    from ratecard.content.render import RenderedContent
    from ratecard.models import ContentPage, ContentRevision
from ratecard.web.params import digits

MAX_FRONT_MATTER = 64 * 1024
FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@dataclass
class Draft:
    kind: str
    slug: str
    front_matter_text: str
    body: str
    base_revision_id: int | None
    front_matter: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def source_text(self) -> str:
        """As a content file: front matter between --- lines, then the body."""
        front = self.front_matter_text.rstrip("\n")
        return f"---\n{front}\n---\n{source.normalise_body(self.body)}"


def _text(value: object) -> str:
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n")


def parse_front_matter(text: str, kind: str = "model") -> tuple[dict[str, object], list[str]]:
    """The YAML mapping in `text`, or {} and the problems ("front matter line N: ..."),
    parsed by the content engine's own reader (safe loader, no aliases, duplicate keys)."""
    if len(text) > MAX_FRONT_MATTER:
        return {}, [f"front matter: longer than {MAX_FRONT_MATTER // 1024} KB"]
    if not text.strip():
        return {}, []
    for number, line in enumerate(text.split("\n"), 1):
        if FENCE.match(line):
            return {}, [f"front matter line {number}: a line '{line.strip()}' would end the "
                        "front matter; remove it"]
    doc = source.parse_text(f"---\n{text.rstrip()}\n---\n", "front matter")
    # The reader counts file lines: the front matter's first line is the file's second.
    problems = [f"front matter line {max(1, p.line - 1)}: {p.message}" for p in doc.problems]
    return ({} if problems else dict(doc.front_matter)), problems


def draft_from_form(form: Mapping[str, str], *, kind: str | None = None,
                    slug: str | None = None) -> Draft:
    raw_base = _text(form.get("base_revision_id")).strip()
    front_text = _text(form.get("front_matter"))
    base_ok = raw_base == "" or digits(raw_base) and len(raw_base) < 13
    draft = Draft(kind=kind or _text(form.get("kind")), slug=slug or _text(form.get("slug")),
                  front_matter_text=front_text, body=_text(form.get("body")),
                  base_revision_id=int(raw_base) if raw_base and base_ok else None)
    draft.front_matter, draft.problems = parse_front_matter(front_text, draft.kind)
    for name, value in (("front matter", front_text), ("body", draft.body)):
        if "\x00" in value:
            # A database cannot store it (PostgreSQL refuses NUL in text), and no page needs it.
            line = value.count("\n", 0, value.index("\x00")) + 1
            draft.problems.append(f"{name} line {line}: contains a NUL character; remove it")
    if not base_ok:
        # Not a 400: the text is shown again with the problem, nothing is lost.
        draft.problems.append(f"base_revision_id: {raw_base[:40]!r} is not a revision number; "
                              "reload the page to edit its latest revision")
    return draft


def dump_front_matter(kind: str, front_matter: Mapping[str, object]) -> str:
    """The YAML the files have (the engine's own writer: same key order, same style)."""
    if not front_matter:
        return ""
    text = source.serialize(kind if kind in ALLOWED_KEYS else "page", dict(front_matter), "")
    return text.removeprefix("---\n").removesuffix("---\n")


def draft_from_text(kind: str, slug: str, front_matter_text: str, body: str = "",
                    base_revision_id: int | None = None) -> Draft:
    draft = Draft(kind=kind, slug=slug, front_matter_text=front_matter_text, body=body,
                  base_revision_id=base_revision_id)
    draft.front_matter, draft.problems = parse_front_matter(front_matter_text, kind)
    return draft


def draft_from_revision(page: ContentPage, revision: ContentRevision | None) -> Draft:
    front = dict(revision.front_matter or {}) if revision is not None else {}
    return Draft(kind=page.kind, slug=page.slug,
                 front_matter_text=dump_front_matter(page.kind, front),
                 body=revision.body if revision is not None else "",
                 base_revision_id=revision.id if revision is not None else None,
                 front_matter=front)


def blank_front_matter(db: Session, kind: str, slug: str, author: str) -> str:
    title = slug.rsplit("/", 1)[-1]
    if kind == "model":
        from ratecard.queries.models import model_by_id

        model = model_by_id(db, slug)
        if model is not None:
            title = model.name
    values: dict[str, object] = {"title": title, "summary": "", "strengths": [],
                                 "weaknesses": [], "faq": [], "tags": [],
                                 "reviewed": dt.datetime.now(dt.UTC).date().isoformat(),
                                 "author": author}
    return dump_front_matter(kind, {k: values[k] for k in ALLOWED_KEYS[kind] if k in values})


def describe(problems: Iterable[Problem], kind: str,
             front_matter: Mapping[str, object]) -> list[str]:
    """The engine's problems in the form's terms. Their lines count in the file text export
    writes (`---`, front matter in a fixed key order, `---`, body): body lines map back to
    the body textarea; front-matter messages name their key."""
    kind = kind if kind in ALLOWED_KEYS else "page"
    front_end = source.serialize(kind, dict(front_matter), "").count("\n")
    out = []
    for problem in problems:
        prefix = "" if getattr(problem, "is_error", True) else "warning: "
        line = getattr(problem, "line", 1)
        message = getattr(problem, "message", str(problem))
        if line > front_end:
            out.append(f"{prefix}body line {line - front_end}: {message}")
        elif line > 1:
            out.append(f"{prefix}front matter: {message}")
        else:
            out.append(f"{prefix}{message}")
    return out


def preview_of(db: Session, draft: Draft) -> tuple[RenderedContent, list[str]]:
    """(RenderedContent, its problems as text): the page as the public will see it. Bad
    front matter still previews the body (with no front matter)."""
    from ratecard.services import content as content_service

    rendered = content_service.render_preview(db, draft.kind, draft.slug, draft.front_matter,
                                              draft.body)
    problems = describe(rendered.problems or [], draft.kind, draft.front_matter)
    if draft.problems:
        # Unreadable front matter previews as none at all: say why, not "title is required".
        problems = draft.problems + [p for p in problems if p.startswith("body line")]
    return rendered, problems
