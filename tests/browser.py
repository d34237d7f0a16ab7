"""Shared pieces for browser tests: Debian's Chromium driven by Playwright,
with the flags this closed network needs, and a recorder of CSP violations."""

from collections.abc import Iterator
from contextlib import contextmanager

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
