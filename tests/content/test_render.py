"""Markdown rendering and sanitizing: features that must work, payloads that must not."""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from ratecard.content import MediaFacts, ModelFacts
from ratecard.content.render import render_document, sanitize
from ratecard.content.shortcodes import expand
from tests.content.xss_payloads import PAYLOADS, assert_inert


class FakeCatalog:
    """A Catalog without a database: one model, one image."""

    prices = {
        ("input", "1M_tokens", ""): Decimal("2.5"),
        ("output", "1M_tokens", ""): Decimal("10"),
        ("input", "1M_tokens", "service_tier=batch"): Decimal("1.25"),
        ("input", "1M_tokens", "context_above=200000"): Decimal("5"),
        ("image", "image", "quality=low;size=1024x1024"): Decimal("0.011"),
    }

    def model(self, canonical_id):
        if canonical_id != "openai/gpt-4o":
            return None
        return ModelFacts("openai/gpt-4o", "GPT-4o", 128000, 16384, self.prices)

    def provider_exists(self, slug):
        return slug == "openai"

    def page_exists(self, kind, slug):
        return (kind, slug) in {("page", "about")}

    def media(self, name):
        return MediaFacts(name, 640, 360, "f" * 64) if name == "chart.png" else None


CATALOG = FakeCatalog()


def render(body="", **front):
    front.setdefault("title", "T")
    return render_document("page", "t", front, body, CATALOG)


def everything(result) -> str:
    """All HTML a page shows from one document, including the JSON-LD block."""
    parts = [result.summary_html, result.body_html, result.toc_html, *result.strengths,
             *result.weaknesses, *(a for _, a in result.faq)]
    return "\n".join(parts) + f'<script type="application/ld+json">{result.faq_jsonld}</script>'


# -- the features ------------------------------------------------------------------------------

def test_shortcodes_expand_to_escaped_text():
    text, findings = expand(
        '{{ price "openai/gpt-4o" "input" }} | {{ price "openai/gpt-4o" "input" '
        'service_tier="batch" }} | {{ price "openai/gpt-4o" "input" context_above="200000" }} | '
        '{{ price "openai/gpt-4o" "image" quality="low" size="1024x1024" }} | '
        '{{ context "openai/gpt-4o" }} | {{ max_output "openai/gpt-4o" }} | '
        '{{ cost "openai/gpt-4o" "conversation" }}', CATALOG)
    assert findings == []
    assert text == ("$2.50 per 1M tokens | $1.25 per 1M tokens | $5.00 per 1M tokens | "
                    "$0.011 per image | 128k tokens | 16,384 tokens | $0.0035")


def test_shortcode_for_missing_data_says_not_published_never_zero():
    text, findings = expand('{{ price "nobody/nothing" "input" }} and '
                            '{{ price "openai/gpt-4o" "cache_read" }}', CATALOG)
    assert text == "not published and not published"
    assert [f.severity for f in findings] == ["error", "error"]
    assert "has no current cache_read price" in findings[1].message
    assert "$0" not in render('{{ price "nobody/nothing" "input" }}').body_html


def test_shortcodes_in_code_stay_as_written():
    result = render('Inline `{{ price "openai/gpt-4o" "input" }}`.\n\n'
                    '```\n{{ context "openai/gpt-4o" }}\n```\n')
    assert "{{ price &quot;openai/gpt-4o&quot; &quot;input&quot; }}" in result.body_html \
        or '{{ price "openai/gpt-4o" "input" }}' in result.body_html
    assert "128k" not in result.body_html


def test_template_syntax_is_never_evaluated():
    result = render("{{ 7*7 }} and {% if true %}yes{% endif %}", summary="{{ 7*7 }}")
    assert "49" not in result.body_html and "49" not in result.summary_html
    assert "{{ 7*7 }}" in result.body_html
    assert "{% if true %}" in result.body_html


def test_markdown_features_tables_code_footnotes_toc_anchors():
    result = render("## First part\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
                    "```python\nprint('hi')\n```\n\nA claim[^1].\n\n[^1]: The source.\n\n"
                    "## Second part\n\n1. one\n2. two\n")
    html = result.body_html
    assert '<h2 id="first-part">' in html and 'class="headerlink" href="#first-part"' in html
    assert '<td align="right">2</td>' in html
    assert '<code class="language-python">' in html
    assert 'href="#fn:1"' in html and '<li id="fn:1">' in html
    assert 'href="#first-part"' in result.toc_html and 'href="#second-part"' in result.toc_html
    assert "<ol>" in html


def test_model_pages_headings_start_at_h3():
    result = render_document("model", "openai/gpt-4o", {"title": "GPT-4o"}, "## Part\n", CATALOG)
    assert result.body_html.startswith('<h3 id="part">')


def test_links_external_get_rel_internal_do_not():
    html = render("[ext](https://example.com/x) [int](/models/openai/gpt-4o) "
                  "[mail](mailto:a@example.com)").body_html
    assert '<a href="https://example.com/x" rel="noopener nofollow">ext</a>' in html
    assert '<a href="/models/openai/gpt-4o">int</a>' in html
    assert 'href="mailto:a@example.com"' in html


def test_images_get_dimensions_lazy_loading_and_a_versioned_url():
    html = render("![A chart](/media/chart.png)").body_html
    img = re.search(r"<img [^>]+>", html).group(0)
    for attr in ('alt="A chart"', 'width="640"', 'height="360"', 'loading="lazy"',
                 'src="/media/chart.png?v=ffffffffffffffff"'):
        assert attr in img


def test_images_not_in_media_become_their_alt_text():
    html = render("![remote](https://example.com/x.png) ![gone](/media/gone.png)").body_html
    assert "<img" not in html
    assert "remote" in html and "gone" in html


def test_raw_html_is_shown_as_text():
    html = render("Hello <b>bold</b> <span class=x>s</span>").body_html
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_front_matter_fields_and_faq_jsonld():
    result = render(summary='Costs {{ price "openai/gpt-4o" "input" }}',
                    strengths=["Cheap **batch**"], weaknesses=["Small"],
                    faq=[{"question": "Q </script> & <b>?", "answer": "A *one*"}],
                    reviewed="2026-08-01", author="Ada", tags=["chat"])
    assert result.summary_html == "Costs $2.50 per 1M tokens"
    assert result.strengths == ["Cheap <strong>batch</strong>"]
    assert result.faq[0][1] == "<p>A <em>one</em></p>"
    assert "</script>" not in result.faq_jsonld and "<" not in result.faq_jsonld
    data = json.loads(result.faq_jsonld)
    assert data["@type"] == "FAQPage"
    assert data["mainEntity"][0]["name"] == "Q </script> & <b>?"
    assert data["mainEntity"][0]["acceptedAnswer"]["text"] == "A one"
    assert str(result.reviewed) == "2026-08-01" and result.author == "Ada"


def test_malformed_front_matter_never_breaks_rendering():
    result = render_document("model", "x/y", {"title": 5, "strengths": "not a list",
                                              "faq": [1, {"question": "q"}], "reviewed": "soon"},
                             "", CATALOG)
    assert result.title == "x/y" and result.strengths == [] and result.faq == []
    assert result.reviewed is None


# -- the payloads ------------------------------------------------------------------------------

def test_there_are_at_least_30_payloads():
    assert len(PAYLOADS) >= 30


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_body_is_inert(payload):
    result = render(payload)
    assert_inert(everything(result), payload)
    assert "49" not in result.body_html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_front_matter_is_inert(payload):
    result = render("Body", summary=payload, strengths=[payload], weaknesses=[payload],
                    faq=[{"question": payload, "answer": payload}])
    assert_inert(everything(result), payload)
    # the JSON-LD can never close its <script> element
    assert "<" not in result.faq_jsonld and ">" not in result.faq_jsonld


@pytest.mark.parametrize("html", [
    '<a href="javascript:alert(1)">x</a>', '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<img src="x" onerror="alert(1)">', "<svg onload=alert(1)>", "<script>alert(1)</script>",
    '<a href="//evil.example/">x</a>', '<img src="/media/../x" alt="">',
    '<p style="color:red" class="evil" id="main x">x</p>', '<code class="x y">c</code>',
])
def test_sanitizer_alone_strips_what_markdown_never_produces(html):
    cleaned = sanitize(html)
    assert_inert(cleaned, html)
    assert "//evil" not in cleaned and "/media/../" not in cleaned
    assert 'class="evil"' not in cleaned and 'class="x y"' not in cleaned


def test_tables_are_wrapped_in_their_own_scroll_box():
    """A wide editorial table scrolls inside a focusable box, not the page (phones); the
    box is made at render time, and an author cannot fake or bend its attributes."""
    html = render("Before.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter.\n\n"
                  "> | c |\n> |---|\n> | 3 |\n").body_html
    boxes = re.findall(r'<div [^>]*class="table-wrap"[^>]*>\s*<table>', html)
    assert len(boxes) == 2, html
    assert 'tabindex="0"' in boxes[0] and 'role="region"' in boxes[0]
    assert html.index("Before.") < html.index("table-wrap") < html.index("After.")
    assert html.count("<table>") == html.count('class="table-wrap"') == 2
    # attributes only the renderer sets: a raw tag an author types stays text
    forged = render('<div class="table-wrap" tabindex="5" role="alert">x</div>').body_html
    assert "<div" not in forged and "&lt;div" in forged
    cleaned = sanitize('<div tabindex="7" role="alert" aria-label="x">y</div>')
    assert sorted(re.findall(r'(\w[\w-]*)="([^"]*)"', cleaned)) == sorted(
        [("tabindex", "0"), ("role", "region"), ("aria-label", "Table, scrolls sideways")])
