"""One cache for every value derived from the data: rendered pages and API answers, gzip
bodies, facet lists, search and related-model indexes, rendered content, availability figures.

An entry is found by (name, key) and holds the value built at one version (usually the data
version, queries/version.py): asking at another version builds it again and replaces it.
Each name keeps a bounded number of entries, least recently used out first. One lock guards
every read and write (a hit is a dict lookup under it); a value is built outside the lock,
once: other threads asking for the same entry meanwhile wait for that build (a flood of
requests right after a sync builds an index once). Values are shared between threads: read
them, never change them.

The app's instance is `app.extensions["ratecard.cache"]` (made by the app factory, so each
test app starts empty); code running without an app (the CLI, the scheduler) shares one
per process. `current_cache()` returns the right one for both. Keys hold the database's URL
wherever two databases can live in one process (tests do).
"""
from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from flask import Flask, current_app, has_app_context

T = TypeVar("T")

EXTENSION = "ratecard.cache"
DEFAULT_LIMIT = 256
# Entries per name where the default does not fit: pages and API answers (one per address
# and day; some 100 KB each, so about the 48 MB the page cache used to hold), gzip bodies
# (one per distinct body, a few tens of KB), availability (one per measured model). A value
# derived from the whole catalog is one entry per database (the site has one; tests many):
# two at most, as big as the catalog each.
WHOLE_CATALOG = ("search", "suggestions", "related families", "facets", "compare options")
# Catalog fragments: a row per model in each of the two column sets (some 2 KB each), and
# the provider choices per chosen provider; the models a filter keeps; the order of every
# row per column and direction (26 of each per database).
# Catalog frames: the parts of the catalog's page per filter set, sort and page
# (web/catalog_frame.py), a few KB each, their identical pieces shared; search matches:
# the ids matching a search's words (queries/catalog.py), a few hundred at most.
LIMITS = {"pages": 512, "gzip": 1024, "availability": 512, "catalog fragments": 10_000,
          "catalog filters": 256, "catalog orders": 64, "catalog positions": 64,
          "catalog frames": 2048, "search matches": 4096,
          } | dict.fromkeys(WHOLE_CATALOG, 2)


@dataclass
class _Entry:
    version: Hashable
    value: object


@dataclass
class _Build:
    """A build under way: who builds, and what the threads waiting for it get."""

    thread: int
    done: threading.Event = field(default_factory=threading.Event)
    value: object = None
    kept: bool = False


class VersionedCache:
    """Values by (name, key), each built at one version; see the module's docstring."""

    def __init__(self, limits: dict[str, int] | None = None,
                 default_limit: int = DEFAULT_LIMIT):
        self.limits = dict(LIMITS if limits is None else limits)
        self.default_limit = default_limit
        self._names: dict[str, OrderedDict[Hashable, _Entry]] = {}
        self._building: dict[tuple[str, Hashable, Hashable], _Build] = {}
        self._lock = threading.Lock()
        _EVERY.add(self)

    def get(self, name: str, version: Hashable, build: Callable[[], T], key: Hashable = (),
            keep: Callable[[T], bool] | None = None) -> T:
        """The value of (name, key) at `version`, built by build() if there is none yet.
        `keep` may refuse to keep a value (an error page, a redirect): it is returned to
        this caller only, and threads that waited build their own."""
        found = self.find(name, version, key)
        if found is not None:
            return cast(T, found)
        me = threading.get_ident()
        slot = (name, key, version)
        with self._lock:
            entries = self._names.get(name)
            entry = entries.get(key) if entries is not None else None
            if entry is not None and entry.version == version:
                return cast(T, entry.value)
            pending = self._building.get(slot)
            mine = pending is None or pending.thread == me     # re-entrant: build it again
            if pending is None:
                pending = self._building[slot] = _Build(me)
        if not mine:
            pending.done.wait()
            if pending.kept:
                return cast(T, pending.value)
            return build()
        kept = False
        try:
            value = build()
            kept = keep is None or keep(value)
            if kept:
                self.put(name, version, value, key)
                pending.value = value
            return value
        finally:
            with self._lock:
                if self._building.get(slot) is pending:
                    del self._building[slot]
            pending.kept = kept
            pending.done.set()

    def find(self, name: str, version: Hashable, key: Hashable = ()) -> object | None:
        """The value kept for (name, key) at `version`, or None."""
        with self._lock:
            entries = self._names.get(name)
            if entries is None:
                return None
            entry = entries.get(key)
            if entry is None or entry.version != version:
                return None
            entries.move_to_end(key)
            return entry.value

    def put(self, name: str, version: Hashable, value: object, key: Hashable = ()) -> None:
        """Keep `value` for (name, key) at `version`, replacing what was kept at any other;
        the least recently used entries of this name go when it holds too many."""
        limit = self.limits.get(name, self.default_limit)
        with self._lock:
            entries = self._names.setdefault(name, OrderedDict())
            entries[key] = _Entry(version, value)
            entries.move_to_end(key)
            while len(entries) > limit:
                entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every entry (tests whose databases reuse ids and versions)."""
        with self._lock:
            self._names.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(entries) for entries in self._names.values())


_EVERY: weakref.WeakSet[VersionedCache] = weakref.WeakSet()
_PROCESS = VersionedCache()


def current_cache() -> VersionedCache:
    """The app's cache inside an app context, else the process's."""
    if has_app_context():
        found = current_app.extensions.get(EXTENSION)
        if isinstance(found, VersionedCache):
            return found
    return _PROCESS


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = VersionedCache()


def clear_all() -> None:
    """Empty every cache in this process, the apps' and the process's (tests whose
    databases repeat ids and versions)."""
    for cache in list(_EVERY):
        cache.clear()


def _after_fork_in_child() -> None:
    """A forked child (web/page_build.py renders on both cores) has only the forking
    thread: a lock another thread held, or a build it had under way, would never end."""
    for cache in list(_EVERY):
        cache._lock = threading.Lock()
        cache._building = {}


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
