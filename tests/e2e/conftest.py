import os
import re
from urllib.parse import urlparse

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django refuses database access from
# a thread with a running loop unless told that this is deliberate (the test fixtures' writes).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(request):
    """One headless Chromium (the Debian package) for every browser test of the session."""
    from playwright.sync_api import sync_playwright

    path = request.getfixturevalue("chromium_path")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context whose requests may reach the app server and nothing else."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    allowed = urlparse(live_server.url).netloc
    outside: list[str] = []

    def only_local(route):
        if urlparse(route.request.url).netloc == allowed:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.outside_requests = outside
    # Every page runs under the site's Content Security Policy (scripts from its own files
    # only): what it blocks is a bug, whichever test finds it. (Pages with a stricter policy of
    # their own, such as a rendered notebook, block what their authors wrote, as they should.)
    blocked: list[str] = []

    def on_console(message) -> None:
        directive = re.search(r'Content Security Policy directive: "([^"]+)"', message.text)
        if directive and directive[1] in site_policy:
            blocked.append(message.text)

    site_policy = [part.strip() for part in settings.CONTENT_SECURITY_POLICY.split(";")]
    page.on("console", on_console)
    yield page
    context.close()
    assert blocked == [], f"the Content Security Policy blocked: {blocked[:3]}"


@pytest.fixture
def skill_catalog(transactional_db):
    """The skill catalog on the flushed database of a browser test. Flushing drops what
    migration 0004 loaded, so it is loaded again with that migration's own (idempotent)
    function. (Serialized rollback cannot be relied on here: Django keeps the serialized data
    on the connection of whichever context created the test database.)"""
    import importlib

    from django.apps import apps

    importlib.import_module("core.migrations.0004_skill_catalog").load_catalog(
        apps, schema_editor=None
    )
