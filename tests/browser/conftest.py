"""Playwright drives Debian's chromium (never a downloaded browser); skipped with a reason when absent."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright runs an event loop in the test thread; the ORM calls in fixtures and tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(
        reason=f"Debian's chromium is not installed ({CHROMIUM}): run .ci/ensure-chromium"
    )
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-gpu",
        ],
    }


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("marketer", "marketer@example.com", "correct-horse-42")


@pytest.fixture
def logged_in_page(page, live_server, admin_user):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("marketer")
    page.get_by_label("Password").fill("correct-horse-42")
    page.get_by_role("button", name="Log in").click()
    return page
