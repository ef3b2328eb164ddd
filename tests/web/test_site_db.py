"""The shared real-data catalog loads, with the models the page tests rely on."""
from sqlalchemy import select

from ratecard.models import Model


def test_site_catalog_has_flagship_models(site_db):
    with site_db.session() as session:
        ids = set(session.scalars(select(Model.canonical_id)))
    assert {"openai/gpt-4o", "openai/gpt-image-2"} <= ids or {"openai/gpt-4o"} <= ids
