"""All mapped tables; importing this package registers them on Base.metadata."""
from ratecard.models.accounts import AuditEntry, EditorSession, LoginAttempt, User
from ratecard.models.alerts import AlertAttempt, AlertDelivery, AlertSubscription
from ratecard.models.capabilities import Capability
from ratecard.models.catalog import Model, ModelAlias, Provider
from ratecard.models.catalog_rows import CatalogRow
from ratecard.models.content import ContentPage, ContentRevision, MediaFile
from ratecard.models.facts import ModelFact
from ratecard.models.live_tests import LiveTest
from ratecard.models.pages import PageBuild, StoredPage
from ratecard.models.pricing import Disagreement, Price
from ratecard.models.probes import ProbeRun, ProbeSummary, SpendReservation
from ratecard.models.sync import ChangeEvent, QuarantinedChange, SyncLock, SyncPayload, SyncRun
from ratecard.models.verdicts import Verdict

__all__ = [
    "AlertAttempt", "AlertDelivery", "AlertSubscription", "CatalogRow",
    "AuditEntry", "ContentPage", "ContentRevision", "EditorSession", "LoginAttempt",
    "MediaFile", "User", "PageBuild", "StoredPage",
    "Capability", "ChangeEvent", "Disagreement", "Model", "ModelAlias", "ModelFact", "Price",
    "ProbeRun", "ProbeSummary", "Provider", "SpendReservation",
    "QuarantinedChange", "SyncLock", "SyncPayload", "SyncRun", "LiveTest", "Verdict",
]
