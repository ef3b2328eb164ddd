"""ratecard.cache.VersionedCache: one value per (name, key) and version, built once, bounded
per name (least recently used out), shared safely between threads."""
from __future__ import annotations

import threading
import time

import pytest

from ratecard import create_app
from ratecard.cache import VersionedCache, clear_all, current_cache
from ratecard.web.page_store import RENDER


def counting(value: object) -> tuple[list[int], object]:
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return value
    return calls, build


def test_a_value_is_built_once_per_version() -> None:
    cache = VersionedCache()
    calls, build = counting("a")
    assert cache.get("x", "v1", build) == "a"
    assert cache.get("x", "v1", build) == "a"
    assert len(calls) == 1


def test_a_new_version_rebuilds_and_replaces_the_old() -> None:
    cache = VersionedCache()
    assert cache.get("x", "v1", lambda: "old", key="k") == "old"
    assert cache.get("x", "v2", lambda: "new", key="k") == "new"
    assert len(cache) == 1                          # replaced, not added
    assert cache.find("x", "v1", "k") is None
    assert cache.get("x", "v2", lambda: "other", key="k") == "new"


def test_names_and_keys_are_separate_entries() -> None:
    cache = VersionedCache()
    assert cache.get("x", "v", lambda: 1, key="a") == 1
    assert cache.get("x", "v", lambda: 2, key="b") == 2
    assert cache.get("y", "v", lambda: 3, key="a") == 3
    assert cache.get("x", "v", lambda: 4, key="a") == 1


def test_each_name_is_bounded_least_recently_used_out() -> None:
    cache = VersionedCache(limits={"small": 2}, default_limit=3)
    cache.put("small", "v", "a", key=1)
    cache.put("small", "v", "b", key=2)
    assert cache.find("small", "v", 1) == "a"      # 1 is now the most recently used
    cache.put("small", "v", "c", key=3)
    assert cache.find("small", "v", 2) is None
    assert (cache.find("small", "v", 1), cache.find("small", "v", 3)) == ("a", "c")
    for key in range(5):
        cache.put("other", "v", key, key=key)    # the default limit, and "small" untouched
    assert len(cache) == 2 + 3


def test_a_value_it_may_not_keep_is_returned_but_not_kept() -> None:
    cache = VersionedCache()
    assert cache.get("x", "v", lambda: "redirect", keep=lambda value: False) == "redirect"
    assert cache.find("x", "v") is None


def test_a_failed_build_keeps_nothing_and_raises() -> None:
    cache = VersionedCache()

    def broken() -> str:
        raise ValueError("no")
    with pytest.raises(ValueError):
        cache.get("x", "v", broken)
    assert cache.get("x", "v", lambda: "fine") == "fine"


def test_clear_forgets_everything_and_clear_all_every_cache() -> None:
    cache, other = VersionedCache(), VersionedCache()
    cache.put("x", "v", 1)
    other.put("y", "v", 2)
    cache.clear()
    assert len(cache) == 0 and len(other) == 1
    clear_all()
    assert len(other) == 0


def test_threads_asking_at_once_build_once_and_share_it() -> None:
    cache = VersionedCache()
    calls: list[int] = []
    start = threading.Barrier(8)

    def build() -> object:
        calls.append(1)
        time.sleep(0.05)                    # the others arrive while it builds
        return object()
    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(cache.get("index", "v", build))
    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(got) == 8 and all(value is got[0] for value in got)


def test_threads_waiting_on_a_failed_build_build_their_own() -> None:
    cache = VersionedCache()
    entered = threading.Event()
    release = threading.Event()

    def slow_failure() -> str:
        entered.set()
        release.wait(5)
        raise ValueError("no")
    errors: list[BaseException] = []

    def first() -> None:
        try:
            cache.get("x", "v", slow_failure)
        except ValueError as exc:
            errors.append(exc)
    thread = threading.Thread(target=first)
    thread.start()
    entered.wait(5)
    got: list[str] = []
    waiter = threading.Thread(target=lambda: got.append(cache.get("x", "v", lambda: "mine")))
    waiter.start()
    time.sleep(0.05)
    release.set()
    thread.join()
    waiter.join()
    assert len(errors) == 1 and got == ["mine"]


def test_a_build_may_ask_for_its_own_entry_without_waiting_on_itself() -> None:
    cache = VersionedCache()

    def build() -> int:
        return cache.get("x", "v", lambda: 1) + 1
    assert cache.get("x", "v", build) == 2


def test_the_app_has_its_own_cache_and_code_without_an_app_the_process_one() -> None:
    app = create_app({"DATABASE_URL": "sqlite://", "TESTING": True})
    outside = current_cache()
    with app.app_context():
        inside = current_cache()
    assert inside is app.extensions["ratecard.cache"]
    assert inside is not outside
    assert current_cache() is outside


def test_derived_values_are_kept_per_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ratecard.db import Database
    from ratecard.queries.version import derived

    one, two = (Database(f"sqlite:///{tmp_path / name}") for name in ("one.db", "two.db"))
    try:
        with one.sessionmaker() as a, two.sessionmaker() as b:
            assert derived(a, "facets", "v", lambda: "one's") == "one's"
            assert derived(b, "facets", "v", lambda: "two's") == "two's"   # same version
            assert derived(a, "facets", "v", lambda: "again") == "one's"
    finally:
        one.dispose()
        two.dispose()


def test_a_page_is_rendered_once_per_data_version(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ratecard.web.pages import home

    rendered: list[str] = []
    real = home.render_template

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        rendered.append(args[0])
        return real(*args, **kwargs)
    monkeypatch.setattr(home, "render_template", counting)
    first = client.get("/")
    # through Flask (as a build renders), not the store's front: the cache answers
    again = client.get("/", environ_overrides={RENDER: True})
    assert again.data == first.data and "X-Page-Store" not in again.headers
    assert len(rendered) == 1
    # a cold process (its cache emptied) is answered by the shared page store, not a render
    client.application.extensions["ratecard.cache"].clear()
    again = client.get("/")
    assert again.data == first.data and again.headers.get("X-Page-Store") == "hit"
    assert len(rendered) == 1
