"""The layering rules of docs/architecture.md, checked on the source: what each part may
import, and that every module imports on its own (no import cycle that only works in one
order). A rule broken here names the file and the import."""
from __future__ import annotations

import ast
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
    "charts": (sorted(APP.glob("charts*.py")),
               ("ratecard.db", "ratecard.services", "ratecard.web", "sqlalchemy", "flask")),
    "records": ([APP / "records.py"], ("ratecard.web", "ratecard.services", "flask")),
}


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
