"""API: a model's weekly verdicts, newest week first (services.verdicts writes them)."""
from __future__ import annotations

from flask import Response, jsonify

from ratecard.models.verdicts import Verdict
from ratecard.queries import verdicts as q
from ratecard.web.api import _find, _iso, bp
from ratecard.web.session import db_session


def verdict_json(verdict: Verdict) -> dict[str, object]:
    return {"week_ending": verdict.week_ending.isoformat(),
            "computed_at": _iso(verdict.computed_at), "runs": verdict.runs,
            "previous_runs": verdict.previous_runs, "sentences": list(verdict.sentences),
            "tags": list(verdict.tags)}


@bp.get("/models/<provider>/<path:name>/verdicts")
def model_verdicts(provider: str, name: str) -> Response:
    model = _find(provider, name)
    if isinstance(model, Response):
        return model
    found = q.for_model(db_session(), model.id, limit=52)
    return jsonify({"model": model.canonical_id,
                    "verdicts": [verdict_json(v) for v in found]})
