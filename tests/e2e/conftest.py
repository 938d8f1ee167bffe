import importlib
import os
import re
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

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


def skill_catalog_load() -> None:
    """Flushing drops what migration 0004 loaded: it is loaded again with that migration's own
    (idempotent) function."""
    importlib.import_module("core.migrations.0004_skill_catalog").load_catalog(
        apps, schema_editor=None
    )


@pytest.fixture
def skill_catalog(transactional_db):
    """The skill catalog on the flushed database of a browser test. (Serialized rollback cannot
    be relied on here: Django keeps the serialized data on the connection of whichever context
    created the test database.)"""
    skill_catalog_load()


@pytest.fixture(scope="session")
def _demo_seeded() -> dict:
    """The seeded demo's rows, table by table, and the day they were seeded on: filled by the
    first test that asks for the demo."""
    return {}


@pytest.fixture
def demo(transactional_db, _demo_seeded):
    """The demo organisation (skill catalog included) on the flushed database of a browser test.

    The live server sees only committed rows, so every browser test ends with its tables
    flushed, and seeding the demo again costs seconds (about 9 on PostgreSQL). It is seeded
    once a session; later tests get its rows written back as they were. Each test thus starts
    from the whole, untouched demo, whatever the tests before it wrote, and may write freely.
    (The demo's dates are relative to the day it is seeded on: a run past midnight seeds again.)
    """
    if _demo_seeded.get("on") == timezone.localdate():
        table_rows_restore(_demo_seeded["rows"])
        return
    skill_catalog_load()
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    _demo_seeded.update(on=timezone.localdate(), rows=table_rows())


def _tables() -> list[type[Model]]:
    """The models whose tables the flush empties."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def table_rows() -> dict[type[Model], list[tuple]]:
    """Every row of every table, each a tuple of its fields' values, by primary key."""
    return {
        model: list(
            model._base_manager.order_by("pk").values_list(
                *(field.attname for field in model._meta.local_concrete_fields)
            )
        )
        for model in _tables()
    }


def table_rows_restore(rows: dict[type[Model], list[tuple]]) -> None:
    """Every table holds exactly `rows` again, under the same ids (what the flush's post_migrate
    signal created, such as content types under new ids, goes). Raw inserts of the values as
    Django prepares them for a save: no signal fires and no `auto_now` field moves. Foreign keys
    are checked at the commit, once every row is back."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model in _tables():
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 - our names
        for model, values in rows.items():
            if values:
                cursor.executemany(_insert_sql(model), [_prepared(model, row) for row in values])
        # Inserting explicit ids moves no PostgreSQL sequence: set each past the largest id, or
        # the next row the test writes would take an id the demo already holds.
        for statement in connection.ops.sequence_reset_sql(no_style(), list(rows)):
            cursor.execute(statement)
    # Both caches are keyed by id, and the ids are the saved ones again.
    ContentType.objects.clear_cache()
    Site.objects.clear_cache()


def _prepared(model: type[Model], row: tuple) -> list:
    fields = model._meta.local_concrete_fields
    return [
        field.get_db_prep_save(value, connection) for field, value in zip(fields, row, strict=True)
    ]


def _insert_sql(model: type[Model]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in model._meta.local_concrete_fields)
    placeholders = ", ".join(["%s"] * len(model._meta.local_concrete_fields))
    table = quote(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - our names
