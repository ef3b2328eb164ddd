"""Editor fixtures: accounts made through the accounts service, a tiny catalog (two models
from a LiteLLM payload), and test clients logged in through the real login form."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from ratecard.db import Database
from ratecard.services.accounts import add_user

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CATALOG = {
    "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 128000,
               "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05},
    "claude-sonnet-4-5": {"litellm_provider": "anthropic", "mode": "chat",
                          "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05},
    # Canonical ids with ':' and with '.' (azure/mai-ds-r1:free, google/gemini-2.5-pro).
    "azure/mai-ds-r1:free": {"litellm_provider": "azure", "mode": "chat",
                             "input_cost_per_token": 2.5e-07, "output_cost_per_token": 1e-06},
    "gemini/gemini-2.5-pro": {"litellm_provider": "gemini", "mode": "chat",
                              "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05},
}


def load_catalog(db: Database, entries: dict | None = None, day: str = "2026-01-01") -> None:
    from ratecard.services.sync import run_sync
    from scrapers import litellm

    run_sync(db, litellm.SOURCE, payload=json.dumps(entries or CATALOG).encode(),
             as_of=dt.date.fromisoformat(day))


def make_user(db: Database, username: str, role: str = "editor", name: str | None = None):  # type: ignore[no-untyped-def]
    with db.session() as session:
        user, _ = add_user(session, username, PASSWORD, role=role,
                           display_name=name or username.title())
    return user


def token_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def csrf(client, path: str = "/editor/login") -> str:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return token_of(response.text)


def login(client, username: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/editor/login", data={
        "username": username, "password": password, "csrf_token": csrf(client), **extra})


def logged_in(app, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302, response.text
    return client


@pytest.fixture
def catalog(db: Database) -> Database:
    load_catalog(db)
    return db


@pytest.fixture
def editor(db: Database):  # type: ignore[no-untyped-def]
    return make_user(db, "ed", "editor", "Ed Itor")


@pytest.fixture
def admin(db: Database):  # type: ignore[no-untyped-def]
    return make_user(db, "root", "admin", "Ada Admin")


@pytest.fixture
def ed(app, editor):  # type: ignore[no-untyped-def]
    """A test client logged in as the editor 'ed'."""
    return logged_in(app, "ed")


@pytest.fixture
def root(app, admin):  # type: ignore[no-untyped-def]
    """A test client logged in as the admin 'root'."""
    return logged_in(app, "root")


@pytest.fixture(autouse=True)
def _fresh_render_cache():
    from ratecard.cache import clear_all

    clear_all()          # revision ids repeat across test databases
    yield
    clear_all()
