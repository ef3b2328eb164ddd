"""Accessibility of the main pages with axe-core (bundled by axe-playwright-python), in light
and dark mode (colour contrast differs): no serious or critical violation; the minor and
moderate ones are printed (pytest -s, or -rA) so they are seen without failing the build."""
from __future__ import annotations

import pytest

from tests.browser.conftest import goto
from tests.browser.test_pages import MAIN_PAGES

pytestmark = pytest.mark.browser
BLOCKING = ("serious", "critical")


def describe(violation: dict) -> str:
    nodes = violation.get("nodes", [])
    targets = ", ".join(" ".join(map(str, n.get("target", []))) for n in nodes[:3])
    more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
    first = (nodes[0].get("failureSummary") or "").replace("\n", " ") if nodes else ""
    return (f"[{violation.get('impact')}] {violation['id']}: {violation.get('help')} "
            f"on {len(nodes)} element(s): {targets}{more}. {first}")


@pytest.fixture(scope="module")
def axe():  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", MAIN_PAGES)
def test_no_serious_accessibility_violations(new_page, axe, name: str, scheme: str) -> None:
    page = new_page(color_scheme=scheme)
    goto(page, MAIN_PAGES[name])
    violations = axe.run(page).response["violations"]
    blocking = [describe(v) for v in violations if v.get("impact") in BLOCKING]
    for other in violations:
        if other.get("impact") not in BLOCKING:
            print(f"axe {name} ({scheme}): {describe(other)}")
    assert not blocking, f"{MAIN_PAGES[name]} ({scheme}):\n  " + "\n  ".join(blocking)
