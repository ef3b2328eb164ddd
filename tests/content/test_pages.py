"""Public content pages, the editorial partials and /media/ through the real app."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
from flask import render_template

from ratecard.queries import content as q
from ratecard.services import content as svc
from ratecard.web.session import db_session
from tests.content.conftest import write
from tests.content.xss_payloads import PAYLOADS, assert_inert


@pytest.fixture
def site(catalog, content_dir, app):
    with catalog.session() as session:
        report = svc.import_files(session, content_dir)
    assert report.errors == []
    return app.test_client()


def main_of(html: str) -> str:
    return html.split('<main id="main">', 1)[1].split("</main>", 1)[0]


def test_about_methodology_and_guides_render(site):
    about = site.get("/about")
    assert about.status_code == 200
    html = about.get_data(as_text=True)
    assert "<title>About Ratecard · Ratecard</title>" in html
    assert '<meta name="description" content="Who we are and how we work.">' in html
    body = main_of(html)
    assert "<h1>About Ratecard</h1>" in body
    assert "GPT-4o input costs $2.50 per 1M tokens." in body
    assert 'Reviewed by The editors on <time datetime="2026-08-01">2026-08-01</time>' in body
    assert '<nav class="toc" aria-label="On this page">' in body
    methodology = main_of(site.get("/methodology").get_data(as_text=True))
    assert "$0.0035" in methodology and 'href="/models/openai/gpt-4o"' in methodology
    guide = site.get("/guides/choosing")
    assert guide.status_code == 200 and b"<h1>Choosing a model</h1>" in guide.data
    index = site.get("/guides").get_data(as_text=True)
    assert 'href="/guides/choosing"' in index and "A short guide." in index


def test_unknown_pages_are_404_and_case_redirects(site):
    assert site.get("/no-such-page").status_code == 404
    assert site.get("/guides/no-such-guide").status_code == 404
    assert site.get("/media/nothing.png").status_code == 404
    moved = site.get("/About")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/about")
    assert site.get("/Nothing-Here").status_code == 404


def test_images_have_dimensions_and_media_is_cached(site, content_dir):
    html = main_of(site.get("/about").get_data(as_text=True))
    img = re.search(r"<img [^>]+>", html).group(0)
    assert 'width="64"' in img and 'height="48"' in img and 'loading="lazy"' in img
    assert 'alt="A chart of input prices"' in img
    src = re.search(r'src="([^"]+)"', img).group(1)
    response = site.get(src)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    digest = hashlib.sha256(response.data).hexdigest()
    assert response.headers["ETag"] == f'"{digest}"'
    assert src.endswith("?v=" + digest[:16])
    plain = site.get("/media/chart.png")
    assert plain.headers["Cache-Control"] == "public, max-age=86400"
    again = site.get("/media/chart.png", headers={"If-None-Match": f'"{digest}"'})
    assert again.status_code == 304 and again.data == b""


def test_model_and_provider_partials(site, app):
    with app.test_request_context("/"):
        session = db_session()
        editorial = q.editorial_for_model(session, "openai/gpt-4o")
        html = render_template("content/_model_editorial.html", editorial=editorial)
        provider = render_template("content/_provider_editorial.html",
                                   editorial=q.editorial_for_provider(session, "openai"))
        nothing = render_template("content/_model_editorial.html", editorial=None)
    assert nothing.strip() == ""
    assert "A multimodal model at $2.50 per 1M tokens input." in html
    assert "<li>Batch input at $1.25 per 1M tokens</li>" in html
    assert "<li>A 128k tokens window</li>" in html
    assert "Reviewed by Ada Editor on" in html
    assert '<h3 id="what-it-is">' in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(ld)
    assert [e["name"] for e in data["mainEntity"]] == ["What does a conversation cost?",
                                                        "How long can a reply be?"]
    assert data["mainEntity"][1]["acceptedAnswer"]["text"] == "Up to 16,384 tokens."
    assert "The maker of GPT." in provider and 'href="/models/openai/gpt-4o"' in provider


def test_payloads_through_files_import_and_the_public_page(catalog, app, tmp_path):
    """Every payload as a page body and in the front matter, imported from files. The check
    rejects most of them (their links and shortcodes are errors); whatever is published
    must be inert."""
    import yaml

    root = tmp_path / "content"
    for index, payload in enumerate(PAYLOADS):
        front = {"title": f"Payload {index}", "summary": payload, "tags": ["xss"]}
        write(root, f"pages/xss-{index}.md",
              "---\n" + yaml.safe_dump(front) + "---\n" + payload + "\n")
    with catalog.session() as session:
        report = svc.import_files(session, root)
    assert len(report.created) + len(report.rejected) == len(PAYLOADS)
    assert report.created                              # some are published, and served
    client = app.test_client()
    for index, payload in enumerate(PAYLOADS):
        response = client.get(f"/xss-{index}")
        if response.status_code == 404:               # rejected by the check: nothing shown
            continue
        assert response.status_code == 200
        html = main_of(response.get_data(as_text=True))
        assert_inert(html, payload)
        assert "49" not in html


def test_payloads_through_the_editor_preview_and_partial(catalog, app):
    """The editor's preview renders what the public page would: every payload in the body
    and in every front-matter field of a model page, through the profile partial."""
    with app.test_request_context("/"):
        for payload in PAYLOADS:
            front = {"title": "GPT-4o", "summary": payload, "strengths": [payload],
                     "weaknesses": [payload], "faq": [{"question": payload,
                                                       "answer": payload}]}
            preview = svc.render_preview(db_session(), "model", "openai/gpt-4o", front,
                                         payload)
            html = render_template("content/_model_editorial.html", editorial=preview)
            assert_inert(html, payload)
            assert "49" not in html
