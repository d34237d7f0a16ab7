"""Shared pieces for browser tests: Debian's Chromium driven by Playwright,
with the flags this closed network needs, and a recorder of CSP violations."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Recorded in the page before any of its own scripts run.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


@contextmanager
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch_csp(page) -> None:
    """Record CSP violations of every page this tab opens (see ``violations``)."""
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.console_messages = []
    page.on("console", lambda msg: page.console_messages.append(msg.text))


def violations(page) -> list[str]:
    found = page.evaluate("window.__cspViolations || []")
    found += [m for m in page.console_messages if "Content Security Policy" in m]
    return found


AXE_JS = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def require_axe() -> None:
    """Skip (saying why) when axe-core is not installed; CI (REQUIRE_BROWSER=1)
    fails instead, so no accessibility check is ever skipped there."""
    import pytest

    if AXE_JS.exists():
        return
    message = f"axe-core is not installed ({AXE_JS}): run `make install` with npm present."
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


def axe_violations(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (WCAG 2.2 A and AA) on the page as it is now; one line per
    violation of the given impacts: rule id, impact, help and the first targets.
    Evaluated through the DevTools protocol, so the page's CSP does not block it."""
    require_axe()
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    found = []
    for v in result["violations"]:
        if v["impact"] in impacts:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            found.append(f"{v['id']} ({v['impact']}): {v['help']} at {targets}")
    return found
