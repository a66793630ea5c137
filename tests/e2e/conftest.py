"""End-to-end tests in a real Chromium (pytest-playwright) against Django's live server.

Everything in this folder is marked ``browser`` (deselect with ``-m "not browser"``). The browser is Debian's Chromium
(``/usr/bin/chromium``, or ``PLAYWRIGHT_CHROMIUM_EXECUTABLE``): never ``playwright install``.

Data: ``portal`` adds the quick-start demo accounts (``psks_portal.demo.demo_load``: one account per role in Kabupaten
Ciamis 32.07 and Kota Cirebon 32.74) to the reference data of ``tests/conftest.py``, whose tree also holds Kabupaten
Cilacap (33.01, Provinsi Jawa Tengah), so that there is something outside every demo account's wilayah.
``live_server`` needs ``transactional_db``, which empties the tables after each test; the reference data is written
again after it (``tests/conftest.py``), the accounts by the next ``portal``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from psks_portal.demo import DEMO_PASSWORD, demo_load

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
OUTSIDE_WILAYAH = ["33.01"]  # Kabupaten Cilacap, Provinsi Jawa Tengah: outside every demo account but the superuser


def pytest_collection_modifyitems(config, items):
    # A conftest hook sees every collected item, not only this folder's.
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright(playwright):
    """pytest-playwright's Playwright, with Django's async-safety check relaxed for as long as it runs.

    Playwright's sync API leaves an asyncio event loop marked as running in the test thread from its start to the end
    of the session; Django refuses ORM calls from such a thread unless DJANGO_ALLOW_ASYNC_UNSAFE is set (safe here: the
    loop only drives the browser). It is set here rather than when this conftest is imported, because every test of
    the session inherits the environment: ``manage.py check --deploy`` run as a subprocess by tests/core would then
    fail with async.E001 whenever the e2e folder is merely collected.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield playwright
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options (``--headed``, ``--slowmo`` still work) with the system Chromium."""
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE") or "/usr/bin/chromium",
        "headless": browser_type_launch_args.get("headless", True),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def context(new_context):
    """A fresh browser context per test; fail in seconds rather than after Playwright's 30 s default."""
    ctx = new_context()
    ctx.set_default_timeout(10_000)
    ctx.set_default_navigation_timeout(15_000)
    return ctx


@pytest.fixture
def portal(live_server, transactional_db, settings) -> str:
    """The demo data set in the test database, served by the live server; returns its base URL (no trailing /)."""
    if settings.SECURE_SSL_REDIRECT:
        pytest.fail(
            "SECURE_SSL_REDIRECT is on (DEBUG off without SECURE_SSL_REDIRECT=false): the live server speaks plain "
            "HTTP, so every page would redirect to https. Run the e2e tests with DEBUG=true (as in .env)."
        )
    settings.PORTAL_DEMO_ENABLED = True
    # Seven demo passwords are hashed per test; PBKDF2's full work factor would cost seconds each time. Logging in
    # still goes through the real form, authentication backends (axes) and session.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load()  # the accounts; their wilayah and Cilacap (OUTSIDE_WILAYAH) are in the reference data
    return live_server.url.rstrip("/")


@pytest.fixture
def login(portal):
    """``login(page, username)``: sign in through the real login form and land on the home page."""

    def _login(page: Page, username: str, password: str = DEMO_PASSWORD) -> Page:
        page.goto(f"{portal}/masuk/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="Masuk", exact=True).click()
        expect(page).to_have_url(f"{portal}/")
        expect(page.get_by_test_id("user-menu")).to_be_visible()
        return page

    return _login
