"""Browser tests: Debian's headless Chromium, driven by Playwright, against pytest-django's live
server on 127.0.0.1 with a small sample of the starter library.

Playwright never downloads a browser here: it drives /usr/bin/chromium (CHROMIUM overrides
it). Outside CI the tests are skipped when Chromium or axe-core (`npm ci`) is missing; in CI they
fail instead. Screenshots go to test-artifacts/screenshots/ (not committed).
"""

import json
import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE, DESKTOP = 390, 1280

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# between browser steps are still plain synchronous code. While that loop runs, Django hands the
# thread other connection objects (asgiref's Local switches to context storage), so the tests do
# not rely on serialized_rollback: each one loads what it needs after the previous flush.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# pytest-django's live server listens here (loopback only).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def missing(what):
    message = f"{what}; see docs/security.md (browser tests)."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("pip playwright is not installed (requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.exists():
        missing(f"{AXE.relative_to(ROOT)} not found (npm ci)")
    return AXE.read_text(encoding="utf-8")


class Console:
    """Errors the page reports: console errors, uncaught exceptions and CSP violations."""

    def __init__(self, page):
        self.messages = []
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught: {error}"))
        # Runs before the page's own scripts and outside its CSP.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', (event) => "
            "console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));"
        )

    def on_console(self, message):
        # Browsers ask for /favicon.ico by themselves; the site has none (a 404, not an error).
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        if message.type in ("error", "warning"):
            self.messages.append(f"{message.text} ({message.location.get('url')})")


@pytest.fixture
def context(browser):
    """A fresh browser profile with the site's CSP enforced, at desktop size."""
    context = browser.new_context(viewport={"width": DESKTOP, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.console = Console(page)
    return page


@pytest.fixture
def site(live_server, starter_sample):
    """The live server's address, serving the sample library."""
    return live_server.url


@pytest.fixture
def starter_sample(transactional_db):
    """The taxonomy, the Spine Stretch and every 20th starter exercise (45 in all)."""
    from exercises.interchange.importer import import_library

    call_command("import_exercises", FIXTURES / "taxonomy.json", verbosity=0)
    call_command("import_exercises", FIXTURES / "spine-stretch.json", verbosity=0)
    starter = json.loads((FIXTURES / "free-exercise-db.json").read_text(encoding="utf-8"))
    import_library(starter[::20])
    cache.clear()  # pages cached by an earlier test showed other rows
    yield
    cache.clear()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot at phone and desktop widths; return the files written."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        files = []
        for width in (PHONE, DESKTOP):
            page.set_viewport_size({"width": width, "height": 900})
            path = SCREENSHOTS / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            files.append(path)
        page.set_viewport_size({"width": DESKTOP, "height": 900})
        return files

    return take
