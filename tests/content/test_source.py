"""Reading and writing content files: front matter, lines, locations."""
from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

import pytest

from ratecard.content.source import locate, parse_text, path_for, serialize


def test_front_matter_body_and_lines():
    doc = parse_text("\ufeff---\r\ntitle: T\r\nfaq:\r\n  - question: Q\r\n    answer: A\r\n"
                     "reviewed: 2026-08-01\r\n---\r\nBody line\r\n\r\n\r\n", "x.md")
    assert doc.problems == []
    assert doc.front_matter == {"title": "T", "faq": [{"question": "Q", "answer": "A"}],
                                "reviewed": dt.date(2026, 8, 1)}
    assert doc.body == "Body line\n" and doc.body_line == 8
    assert doc.line_of("faq", 0, "answer") == 5 and doc.line_of("reviewed") == 6
    assert doc.line_of("missing") == 1


@pytest.mark.parametrize(("text", "line", "message"), [
    ("---\ntitle: a\ntitle: b\n---\n", 3, "duplicate key 'title'"),
    ("---\ntags: &t [a]\nsummary: *t\n---\n", 3, "anchors and aliases are not allowed"),
    ("---\ntitle: !!python/object:os.system x\n---\n", 2, "bad YAML"),
    ("---\n- a\n- b\n---\n", 2, "front matter must be a mapping"),
    ("---\ntitle: x\n", 1, "no closing '---'"),
    ("title: x\n", 1, "no front matter"),
    ("---\ntitle: x\n\tsummary: y\n---\n", 3, "bad YAML"),
])
def test_problems_have_lines(text, line, message):
    doc = parse_text(text, "x.md")
    assert [(p.line, message in p.message) for p in doc.problems][:1] == [(line, True)]


@pytest.mark.parametrize(("rel", "kind", "slug"), [
    ("models/openai/gpt-4o.md", "model", "openai/gpt-4o"),
    ("models/OpenAI/GPT-4o.md", "model", "openai/gpt-4o"),
    ("models/openrouter/meta-llama/llama-3.md", "model", "openrouter/meta-llama/llama-3"),
    ("models/google/gemini-2.5-pro.md", "model", "google/gemini-2.5-pro"),
    ("models/xai/grok-4.3.md", "model", "xai/grok-4.3"),
    ("providers/openai.md", "provider", "openai"),
    ("pages/about.md", "page", "about"),
    ("pages/guides/choosing.md", "page", "guides/choosing"),
])
def test_locate(rel, kind, slug):
    assert locate(PurePosixPath(rel))[:2] == (kind, slug)
    if rel == rel.lower():
        assert path_for(kind, slug) == PurePosixPath(rel)


@pytest.mark.parametrize("rel", ["pages/models.md", "pages/a/b.md", "pages/Bad Name.md",
                                 "models/gpt-4o.md", "other/x.md", "pages/about.txt",
                                 "providers/a/b.md"])
def test_locate_refuses(rel):
    with pytest.raises(ValueError):
        locate(PurePosixPath(rel))


def test_serialize_is_stable_and_round_trips():
    front = {"author": "A", "reviewed": "2026-08-01", "title": "T: colon",
             "faq": [{"answer": "Multi\nline", "question": "Q?"}], "strengths": ["{{ x }}"],
             "summary": "S"}
    text = serialize("model", front, "Body")
    assert text.splitlines()[:4] == ["---", "title: 'T: colon'", "summary: S", "strengths:"]
    assert "  - question: Q?\n    answer: |-\n      Multi\n      line\n" in text
    assert text.endswith("reviewed: 2026-08-01\nauthor: A\n---\nBody\n")
    doc = parse_text(text, "x.md")
    assert doc.problems == [] and doc.body == "Body\n"
    assert doc.front_matter["faq"] == front["faq"] and doc.front_matter["strengths"] == ["{{ x }}"]
    assert serialize("model", {**doc.front_matter, "reviewed": "2026-08-01"}, doc.body) == text
