"""Login throttling: atomic, with waits that grow, and a lockout a stranger cannot turn
against an account's owner.

Policy (settings in .env.example, operator notes in docs/editor.md):
- Every attempt counts in two places. The *account*: failures on that username, counted
  separately per kind of client ("bucket"): a browser holding the account's device cookie
  (given at a successful login, OWASP's "device cookie"), an address that logged in to the
  account before, or the rest of the world. The *address*: failures from one address on any
  account (attempts made with a device cookie are left out).
- The first RATECARD_LOGIN_MAX_FAILURES (5) failures in an account bucket, and the first
  RATECARD_LOGIN_MAX_FAILURES_PER_IP (20) from an address, cost nothing. After that each
  attempt waits, from the latest one, RATECARD_LOGIN_FIRST_WAIT_SECONDS (30 s), then twice
  as long each time (60 s, 2 min, 4 min...) up to RATECARD_LOGIN_MAX_WAIT_MINUTES (60).
  A refused attempt answers 429 with Retry-After, is audited, and is not counted.
- A success resets its account bucket (not the address). Failures older than
  RATECARD_LOGIN_MEMORY_HOURS (24 h) are forgotten; rows are deleted after 30 days.
- So a stranger's guesses slow down the world's bucket of the account and their own address,
  never the owner's browser (device cookie) nor an address the owner logged in from before.

Atomicity: an attempt is recorded ("pending") and committed *before* its password is checked,
then the visible attempts are counted. Of any set of concurrent attempts the last one to count
sees all the others' rows, so no more than the limit ever reach the password check, on SQLite
and PostgreSQL and across processes, without a lock. A pending row left by a dead worker
counts as a failure until it is forgotten, which errs on the safe side.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ratecard.db import utcnow
from ratecard.models import LoginAttempt
from ratecard.queries import accounts as account_queries

ATTEMPTS_KEPT = dt.timedelta(days=30)
KNOWN_ADDRESS_FOR = dt.timedelta(days=30)


@dataclass(frozen=True)
class Policy:
    account_free: int = 5
    address_free: int = 20
    first_wait: float = 30.0                 # seconds
    max_wait: float = 3600.0                 # seconds
    memory: dt.timedelta = dt.timedelta(hours=24)

    def wait(self, counted: int, free: int) -> float:
        """Seconds to wait after the latest of `counted` failures (0: no wait)."""
        if counted < free:
            return 0.0
        return min(self.max_wait, self.first_wait * 2.0 ** min(counted - free, 32))


@dataclass(frozen=True)
class Attempt:
    id: int
    retry_after: int | None                  # seconds; None: go ahead and check the password


def device_bucket(nonce: str) -> str:
    return "d:" + hashlib.sha256(nonce.encode()).hexdigest()[:40]


def bucket_for(db: Session, username: str, ip: str, device_nonce: str | None) -> str:
    """Which of the account's buckets this client counts in."""
    if device_nonce:
        return device_bucket(device_nonce)
    if account_queries.logged_in_from(db, username, ip, utcnow() - KNOWN_ADDRESS_FOR):
        return "a:" + ip[:64]
    return "*"


def begin(db: Session, username: str, ip: str, bucket: str, policy: Policy) -> Attempt:
    """Record the attempt, commit, then decide from what is visible. A refused attempt's row
    is deleted again (it was never checked); the caller commits that."""
    now = utcnow()
    row = LoginAttempt(username=username[:80], ip=ip[:64], success=False, attempted_at=now,
                       bucket=bucket[:100], state="pending")
    db.add(row)
    db.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - ATTEMPTS_KEPT))
    db.commit()
    since = now - policy.memory
    limits = [(account_queries.bucket_failures(db, row.username, row.bucket, since, row.id),
               policy.account_free)]
    if not bucket.startswith("d:"):
        limits.append((account_queries.address_failures(db, row.ip, since, row.id),
                       policy.address_free))
    waits = []
    for counted, free in limits:
        wait = policy.wait(len(counted), free)
        # From the latest counted attempt: a concurrent one still being checked is "now".
        left = (counted[-1] + dt.timedelta(seconds=wait) - now).total_seconds() if wait else 0
        if left > 0:
            waits.append(left)
    if not waits:
        return Attempt(row.id, None)
    db.execute(delete(LoginAttempt).where(LoginAttempt.id == row.id))
    return Attempt(row.id, max(1, math.ceil(max(waits))))


def finish(db: Session, attempt: Attempt, success: bool) -> None:
    """The password was checked: the attempt now counts as a failure or a success."""
    db.execute(update(LoginAttempt).where(LoginAttempt.id == attempt.id)
               .values(state="done", success=success))
