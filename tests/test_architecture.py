"""The layering rules of docs/architecture.md, checked on the source: what each part may
import, and that every module imports on its own (no import cycle that only works in one
order). A rule broken here names the file and the import."""
from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "site" / "ratecard"

# part -> (its files, imports it must not make). An import is matched with its submodules.
RULES: dict[str, tuple[list[Path], tuple[str, ...]]] = {
    # sources fetch and parse: they know nothing of the database or the site
    "scrapers": (sorted((ROOT / "scrapers").rglob("*.py")),
                 ("ratecard", "sqlalchemy", "flask")),
    # reads: never a write construct, never the web or the writers
    "queries": (sorted((APP / "queries").rglob("*.py")),
                ("ratecard.services", "ratecard.web", "flask", "httpx",
                 "sqlalchemy.delete", "sqlalchemy.update", "sqlalchemy.insert")),
    "models": (sorted((APP / "models").rglob("*.py")),
               ("ratecard.queries", "ratecard.services", "ratecard.web", "flask")),
    # writes: run by the CLI and the scheduler, never by way of a request object
    "services": (sorted((APP / "services").rglob("*.py")), ("ratecard.web", "flask")),
    # the site never fetches upstream (syncs and probes run in the scheduler)
    "web": (sorted((APP / "web").rglob("*.py")), ("httpx", "scrapers.http")),
    # charts are pure functions of data
    "charts": (sorted((APP / "charts").rglob("*.py")),
               ("ratecard.db", "ratecard.services", "ratecard.web", "sqlalchemy", "flask")),
    "records": ([APP / "records.py"], ("ratecard.web", "ratecard.services", "flask")),
}


# Pages hold no query and no write: of the application they import only the web layer, the
# reads, the shared vocabulary and modules of pure functions and types. Anything else they
# need goes behind queries/ (queries/rows.py names the ORM rows they hold).
PAGES = sorted((APP / "web" / "pages").rglob("*.py"))
PAGES_MAY_IMPORT = (
    "ratecard.web", "ratecard.queries", "scrapers.vocabulary",
    "ratecard.labels", "ratecard.money", "ratecard.costs", "ratecard.image_costs",
    "ratecard.precedence", "ratecard.records", "ratecard.change_words",
    "ratecard.content.render",          # RenderedContent, the editorial a page shows
    "ratecard.probes.endpoints",        # ProbeSettings: the daily cap the page states
)
PAGES_MAY_IMPORT_PREFIX = ("ratecard.charts",)      # the charts package


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_each_part_imports_only_what_it_may() -> None:
    broken = []
    for part, (files, banned) in RULES.items():
        assert files, part
        for path in files:
            for name in _imports(path):
                if any(name == b or name.startswith(b + ".") for b in banned):
                    broken.append(f"{path.relative_to(ROOT)} ({part}) imports {name}")
    assert broken == []


def test_pages_import_only_the_web_the_reads_and_pure_modules() -> None:
    assert PAGES
    broken = []
    for path in PAGES:
        for name in _imports(path):
            if name in ("ratecard", "scrapers"):     # `from ratecard import costs`: ratecard.costs
                continue
            if name.split(".")[0] == "sqlalchemy" or (
                    name.split(".")[0] in ("ratecard", "scrapers")
                    and not any(name == m or name.startswith(m + ".") for m in PAGES_MAY_IMPORT)
                    and not name.startswith(PAGES_MAY_IMPORT_PREFIX)):
                broken.append(f"{path.relative_to(ROOT)} imports {name}")
    assert broken == []


_EACH_ALONE = """
import importlib, pkgutil, sys
import ratecard, scrapers
names = sorted(m.name for pkg in (ratecard, scrapers)
               for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
               if not m.name.endswith("__main__"))
failed = []
for name in names:
    for loaded in [k for k in sys.modules if k.split(".")[0] in ("ratecard", "scrapers")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(names))
print("\\n".join(failed))
"""


def test_every_module_imports_on_its_own() -> None:
    done = subprocess.run([sys.executable, "-c", _EACH_ALONE], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    count, *failed = done.stdout.strip().split("\n")
    assert int(count) > 100
    assert [f for f in failed if f] == []


def test_the_vocabulary_depends_on_nothing() -> None:
    """Meters, units, modes and conditions are shared by sources, models, queries and web:
    the module holding them imports only the standard library, so any part can use it."""
    path = ROOT / "scrapers" / "vocabulary.py"
    outside = {name for name in _imports(path)
               if name.split(".")[0] not in sys.stdlib_module_names and name != "__future__"
               and not name.startswith("__future__.")}
    assert outside == set()


# What several sources share (docs/sources.md); anything else at the root of scrapers/ would
# be a source's module outside its package.
SHARED_SCRAPERS = {"__init__", "base", "bedrock_geo", "exact_json", "folding", "http", "ids",
                   "offline", "registry", "unit_figures", "values", "vocabulary"}


def test_a_source_is_one_package_listed_in_sources() -> None:
    """Adding a source is one package in scrapers/ and one line in SOURCES."""
    from scrapers.registry import SOURCES

    loose = {path.stem for path in (ROOT / "scrapers").glob("*.py")}
    assert sorted(loose - SHARED_SCRAPERS) == []       # a source's module outside its package
    assert sorted(SHARED_SCRAPERS - loose) == []
    packages = sorted(path.parent.name for path in (ROOT / "scrapers").glob("*/__init__.py"))
    assert packages and len(packages) == len(SOURCES)
    for name in packages:
        assert importlib.import_module(f"scrapers.{name}").SOURCE in SOURCES, name


def test_each_module_at_the_root_has_its_reason_in_the_docs() -> None:
    """docs/architecture.md says why each module at the root of ratecard is there: a new one
    is either used by several parts (and listed there) or belongs inside its part."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text.split("## What stays at the root of `ratecard`", 1)[1].split("\n## ", 1)[0]
    listed = {name for line in section.splitlines() if line.startswith("| `")
              for name in re.findall(r"`(\w+\.py)`", line.split("|")[1])}
    at_root = {path.name for path in APP.glob("*.py")}
    assert sorted(at_root - listed) == []              # at the root with no reason given
    assert sorted(listed - at_root) == []              # listed but gone


PAGE_STORE_TABLES = ("ratecard.models.StoredPage", "ratecard.models.PageBuild",
                     "ratecard.models.pages")
PAGE_STORE_OWNERS = {APP / "models" / "__init__.py", APP / "models" / "pages.py",
                     APP / "queries" / "page_store.py", APP / "services" / "page_store.py"}


def test_the_page_store_is_read_and_written_in_one_place_each() -> None:
    """docs/pages.md: services/page_store.py writes the stored pages and builds,
    queries/page_store.py reads them; everything else goes through those two."""
    broken = [f"{path.relative_to(ROOT)} imports {name}"
              for path in sorted(APP.rglob("*.py")) if path not in PAGE_STORE_OWNERS
              for name in _imports(path)
              if any(name == t or name.startswith(t + ".") for t in PAGE_STORE_TABLES)]
    assert broken == []


# The catalog's rows are derived: one writer keeps them, one read serves them (a second
# reader or writer would be a second rule for what the catalog shows). id_merge names the
# table only to leave it to that writer.
CATALOG_ROWS_NAMED_BY = {"models/__init__.py", "models/catalog_rows.py", "queries/catalog.py",
                         "services/catalog_rows.py", "services/id_merge.py"}


def test_one_writer_and_one_reader_of_the_catalogs_rows() -> None:
    named = {str(path.relative_to(APP)) for path in APP.rglob("*.py")
             if any(isinstance(node, ast.Name | ast.alias)
                    and "CatalogRow" in (getattr(node, "id", None), getattr(node, "name", None))
                    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))}
    assert sorted(named) == sorted(CATALOG_ROWS_NAMED_BY)
