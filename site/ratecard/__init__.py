"""Ratecard: an honest, dated catalog of AI models and their prices."""
from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The only way to build the app. `config` overrides settings read from the environment."""
    from ratecard import cache
    from ratecard import config as settings
    from ratecard.db import Database
    from ratecard.web import errors

    app = Flask(__name__, instance_path=str(settings.INSTANCE_DIR))
    app.config.from_mapping(settings.from_env())
    if config:
        app.config.from_mapping(config)
    # Flask's documented switch; app.json is typed as the base provider, which has no sort_keys.
    app.json.sort_keys = False  # type: ignore[attr-defined]

    database = Database(app.config["DATABASE_URL"])
    app.extensions["ratecard.db"] = database
    cache.init_app(app)

    from ratecard.web import api, assets, http, labels, public, session

    session.init_app(app)
    errors.init_app(app)
    labels.init_app(app)
    assets.init_app(app)
    http.init_app(app)
    from ratecard.web import page_store

    page_store.init_app(app)         # after http: its 304 first, its gzip after the store
    from ratecard.web import catalog_front

    catalog_front.init_app(app)      # searches of the catalog, filled in before the store
    app.register_blueprint(public.bp)
    # api_alerts, api_verdicts: routes on api.bp, added before it is registered
    from ratecard.web import alerts, api_alerts, api_verdicts, exports, feeds  # noqa: F401
    app.register_blueprint(api.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(alerts.bp)
    from ratecard.web import live_test
    app.register_blueprint(live_test.bp)
    from ratecard.web import editor
    editor.init_app(app)             # editor sessions (auth) and the /editor blueprint
    hops = int(app.config.get("RATECARD_PROXY_HOPS") or 0)
    if hops:
        # Only the addresses our own proxies appended are believed: a client cannot pick
        # the address its login failures are counted under.
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Flask's documented way to wrap its WSGI app (mypy sees a method being replaced).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app
