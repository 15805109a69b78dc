import importlib
import os

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium(monkeypatch):
    """Debian's Chromium driven by Playwright (its own browser download does not work here)."""
    if not os.path.exists(CHROMIUM):
        # CI installs it (`make browser`); a missing browser must not pass silently.
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` first.")
    # Playwright's sync API runs an event loop; Django's ORM refuses that by default.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        # Connections the test opened while Playwright ran are not closed by pytest-django
        # (seen on PostgreSQL: one stayed open and blocked dropping the test database).
        connections.close_all()
        browser.close()


@pytest.fixture
def default_statuses(transactional_db):
    """The default statuses as a fresh database has them (their data migrations run again):
    a transactional test before this one may have flushed them."""
    from django.apps import apps

    for migration in ("0002_default_statuses", "0007_default_statuses_follow"):
        module = importlib.import_module(f"statuses.migrations.{migration}")
        operation = module.Migration.operations[0]
        operation.code(apps, None)
