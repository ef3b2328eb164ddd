"""Login throttling against a real threaded server on loopback: concurrent guesses cannot
slip past the limit, a stranger cannot lock the owner out, and waits grow step by step."""
from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from ratecard.models import AuditEntry, LoginAttempt
from tests.editor.conftest import PASSWORD, login, token_of
from tests.web.live import serve_in_thread

WRONG = "not the password at all"


@pytest.fixture
def live(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app under werkzeug's threaded server (one process, many threads)."""
    with serve_in_thread(app) as server:
        yield server.url


@pytest.fixture
def live_gunicorn(db, database_url, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app under gunicorn with two worker processes: the count must hold across them."""
    from tests.web.live import Gunicorn

    with Gunicorn(database_url, tmp_path, workers=2,
                  extra_env={"SECRET_KEY": "x" * 40}) as server:
        yield f"http://127.0.0.1:{server.port}"


def browser(base: str, address: str = "127.0.0.1") -> httpx.Client:
    """A browser on loopback address `address` (all of 127/8 reaches the server)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base, transport=transport, timeout=60)


def form_token(client: httpx.Client) -> str:
    page = client.get("/editor/login")
    assert page.status_code == 200
    return token_of(page.text)


def post_login(client: httpx.Client, password: str, token: str | None = None,
               username: str = "ed") -> httpx.Response:
    return client.post("/editor/login", data={
        "username": username, "password": password,
        "csrf_token": token or form_token(client)})


def checked_failures(db) -> int:  # type: ignore[no-untyped-def]
    """Attempts that reached the password check and failed."""
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "login_failed")) or 0


def concurrent_wrong_logins(db, base: str, count: int) -> None:  # type: ignore[no-untyped-def]
    clients = [browser(base) for _ in range(count)]
    tokens = [form_token(c) for c in clients]
    barrier = threading.Barrier(len(clients))
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def guess(client: httpx.Client, token: str) -> None:
        barrier.wait()
        response = post_login(client, WRONG, token)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=guess, args=pair)
               for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    statuses = Counter(r.status_code for r in answers)
    assert len(answers) == count
    assert set(statuses) <= {401, 429}, statuses
    assert statuses[401] <= 5, statuses                      # the limit, never more
    assert checked_failures(db) == statuses[401]
    for response in answers:
        if response.status_code == 429:
            assert int(response.headers["Retry-After"]) >= 1
            assert "Too many failed logins" in response.text
    for c in clients:
        c.close()


def test_thirty_concurrent_wrong_logins_stay_within_the_limit(app, editor, db, live):
    concurrent_wrong_logins(db, live, 30)


def test_forty_concurrent_wrong_logins_across_two_processes(editor, db, live_gunicorn):
    concurrent_wrong_logins(db, live_gunicorn, 40)


def test_a_stranger_cannot_lock_the_owner_out(app, editor, db, live):
    owner = browser(live, "127.0.0.1")
    assert post_login(owner, PASSWORD).status_code == 302    # this browser is now known
    assert "ratecard_device" in owner.cookies
    page = owner.get("/editor/")
    owner.post("/editor/logout", data={"csrf_token": token_of(page.text)})

    stranger = browser(live, "127.0.0.2")
    answers = [post_login(stranger, WRONG).status_code for _ in range(8)]
    assert answers[:5] == [401] * 5 and answers[5:] == [429] * 3

    # The owner's browser (device cookie) is counted apart from the rest of the world...
    assert post_login(owner, PASSWORD).status_code == 302
    # ...and so is a new browser at the owner's own address (a success came from it).
    fresh_at_home = browser(live, "127.0.0.1")
    assert post_login(fresh_at_home, PASSWORD).status_code == 302
    # Anyone else, anywhere else, waits: the account's limit for strangers holds.
    elsewhere = browser(live, "127.0.0.3")
    assert post_login(elsewhere, PASSWORD).status_code == 429
    for c in (owner, stranger, fresh_at_home, elsewhere):
        c.close()


def test_a_device_cookie_counts_only_for_its_own_account(app, editor, admin, db):
    client = app.test_client()
    assert login(client, "root").status_code == 302            # device known for root only
    client.post("/editor/logout", data={"csrf_token": token_of(client.get("/editor/").text)})
    stranger = client_at(app, "10.9.9.9")
    for _ in range(5):
        assert login(stranger, "ed", WRONG).status_code == 401
    other = client_at(app, "10.1.1.1")
    other.set_cookie("ratecard_device", client.get_cookie(
        "ratecard_device", path="/editor/login").value, path="/editor/login")
    assert login(other, "ed").status_code == 429               # root's device, not ed's


def client_at(app, address: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def shift_attempts(db, seconds: float) -> None:
    """Time passes: every attempt moves `seconds` into the past."""
    with db.session() as session:
        for attempt in session.scalars(select(LoginAttempt)):
            attempt.attempted_at -= dt.timedelta(seconds=seconds)


def test_waits_grow_and_are_not_a_fifteen_minute_wall(app, editor, db):
    client = client_at(app, "10.0.0.7")
    for _ in range(5):
        assert login(client, "ed", WRONG).status_code == 401
    waits = []
    for _ in range(3):
        blocked = login(client, "ed", WRONG)
        assert blocked.status_code == 429
        waits.append(int(blocked.headers["Retry-After"]))
        shift_attempts(db, waits[-1] + 1)                      # that much time passes
        assert login(client, "ed", WRONG).status_code == 401   # checked again, wrong again
    assert waits[0] <= 60 and waits[0] < waits[1] < waits[2], waits
    blocked = login(client, "ed", PASSWORD)
    assert blocked.status_code == 429
    shift_attempts(db, int(blocked.headers["Retry-After"]) + 1)
    assert login(client, "ed", PASSWORD).status_code == 302    # the owner gets in


def test_throttled_attempts_are_not_counted_as_failures(app, editor, db):
    client = client_at(app, "10.0.0.8")
    for _ in range(5):
        login(client, "ed", WRONG)
    for _ in range(10):
        assert login(client, "ed", WRONG).status_code == 429
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 5
