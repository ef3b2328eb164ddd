"""robots.txt and sitemap.xml: absolute URLs from the request, every model and provider."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from ratecard.models import Model, Provider

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_robots_allows_all_and_names_the_sitemap(site_client):
    response = site_client.get("/robots.txt", base_url="https://ratecard.example")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "User-agent: *" in text and "Allow: /" in text and "Disallow: /\n" not in text
    assert "Sitemap: https://ratecard.example/sitemap.xml" in text


def test_sitemap_has_every_model_provider_and_main_page(site_client, site_db):
    with site_db.session() as session:
        models = session.scalar(select(func.count()).select_from(Model))
        providers = session.scalar(select(func.count()).select_from(Provider))
        model = session.scalar(select(Model).order_by(Model.canonical_id).limit(1))
        provider_slug, name = model.provider.slug, model.canonical_id.split("/", 1)[1]
    response = site_client.get("/sitemap.xml", base_url="https://ratecard.example")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    locs = [el.text for el in root.findall("s:url/s:loc", NS)]
    assert len(locs) == len(set(locs)) == models + providers + 5
    assert all(loc.startswith("https://ratecard.example/") for loc in locs)
    for path in ("/", "/models", "/providers", "/compare", "/changes",
                 f"/providers/{provider_slug}", f"/models/{provider_slug}/{name}"):
        assert f"https://ratecard.example{path}" in locs, path
    lastmods = [el.text for el in root.findall("s:url/s:lastmod", NS)]
    assert lastmods and all(len(m) == 10 and m[4] == "-" for m in lastmods)


def test_sitemap_urls_route_to_the_pages_they_name(site_client):
    """Every <loc> matches a public route (model URLs reach the profile endpoint)."""
    from urllib.parse import unquote, urlsplit

    root = ET.fromstring(site_client.get("/sitemap.xml").data)
    adapter = site_client.application.url_map.bind("localhost")
    endpoints = {}
    for el in root.findall("s:url/s:loc", NS):
        endpoint, _args = adapter.match(unquote(urlsplit(el.text).path))
        endpoints[endpoint] = endpoints.get(endpoint, 0) + 1
    assert {"public.home", "public.catalog", "public.providers", "public.compare",
            "public.changes", "public.provider", "public.profile"} == set(endpoints)
