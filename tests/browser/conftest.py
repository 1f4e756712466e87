"""Playwright driving Debian's chromium (Playwright's own browser download cannot work here)."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's live server is in another
# thread and the test's own ORM calls are synchronous, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    path = (
        os.environ.get("UNSEEN_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        raise RuntimeError(
            "browser tests need Debian's chromium: apt-get install chromium (make test does)"
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    # Playwright's wait_for_function evaluates strings, which our Content Security Policy forbids
    # (no eval); test_content_security_policy.py checks the pages under the real policy.
    context = browser.new_context(locale="en-GB", bypass_csp=True)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture
def strict_page(browser):
    """A page that keeps the Content Security Policy in force."""
    context = browser.new_context(locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
