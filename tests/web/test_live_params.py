"""Under a real gunicorn (loopback): the request line and headers a browser or a script can
really send, which the test client cannot: raw non-UTF-8 bytes, a Host that is no host name."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web.live import Gunicorn, raw_get


@pytest.fixture(scope="module")
def server(site_db, tmp_path_factory) -> Iterator[Gunicorn]:  # type: ignore[no-untyped-def]
    with Gunicorn(site_db.url, tmp_path_factory.mktemp("gunicorn")) as running:
        yield running


@pytest.mark.parametrize("target, parameter", [
    (b"/models?q=\xff", b"q"),
    (b"/changes?kind=\xc3\x28", b"kind"),
    (b"/models/openai/gpt-4o?tokens_in=\xff", b"tokens_in"),
    (b"/?x=%ff%fe", b"x"),
    (b"/api/v1/models/openai/gpt-4o?q=\xff", b"q"),
    (b"/editor/login?next=\xff", b"next"),
    (b"/changes?to=9999-12-31", b"to"),
    (b"/models/openai/gpt-4o?tokens_in=%C2%B2", b"tokens_in"),
])
def test_bad_query_strings_are_400_naming_the_parameter(server, target, parameter):
    status, body = raw_get(server.port, target)
    assert status == 400, (status, body[-400:], server.tail())
    assert parameter in body


@pytest.mark.parametrize("path", [b"/", b"/models", b"/models/openai/gpt-4o",
                                  b"/api/v1/models/openai/gpt-4o", b"/no-such-page"])
def test_a_host_that_is_no_host_name_is_400(server, path):
    status, body = raw_get(server.port, path, host=b"h" * 64 + b".example")
    assert status == 400, (status, body[-400:], server.tail())
    assert b"Host" in body


def test_nothing_was_logged_as_an_error(server):
    raw_get(server.port, b"/models?q=\xff")
    assert "Traceback" not in server.tail()


def test_a_flood_of_404s_leaves_a_profile_fast(server):
    """One worker, two clients sending unknown ids as fast as they can: a cached profile
    waits behind at most a couple of cheap 404s (each one cost a scan and difflib over
    every model)."""
    import random
    import statistics
    import threading
    import time

    def timed(target: bytes) -> tuple[int, float]:
        start = time.perf_counter()
        status, _ = raw_get(server.port, target)
        return status, (time.perf_counter() - start) * 1000

    profile = b"/models/openai/gpt-4o"
    assert timed(profile)[0] == 200 and timed(b"/models/openai/gpt-4oo")[0] == 404
    missing = [timed(f"/models/openai/gpt-4o-{i}x".encode()) for i in range(15)]
    assert {status for status, _ in missing} == {404}
    stop = threading.Event()

    def flood(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            raw_get(server.port, f"/models/openai/gpt-{rng.randrange(10**9)}".encode())

    threads = [threading.Thread(target=flood, args=(i,), daemon=True) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        during = [timed(profile) for _ in range(20)]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert {status for status, _ in during} == {200}
    one_404 = statistics.median(ms for _, ms in missing)
    beside = statistics.median(ms for _, ms in during)
    # Not a speed target (bench/notfound measures those: 6 ms per 404, a profile's p50
    # 25 ms beside a flood, against 100 ms and 400 ms before the index), a bound on a stall:
    # the worker keeps answering the profile while the flood goes on.
    assert beside < 1000 + 10 * one_404, (beside, one_404)
