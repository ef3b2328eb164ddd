"""The rows queries hand to pages, by name: a page says what it holds (a Model, its Prices)
without importing the ORM, and passes the request's Session on to queries without knowing
the database (docs/architecture.md: pages import web/, queries/ and pure modules only).
Read their attributes; never query with them or change them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ratecard.models import Capability, Disagreement, Model, Price

__all__ = ["Capability", "Disagreement", "Model", "Price", "Session"]
