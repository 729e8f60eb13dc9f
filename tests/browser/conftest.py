"""Fixtures for the browser tests: the site is built once per session and served on 127.0.0.1.

See :mod:`sitekit` for how the site is built and served and why chromium is Debian's.
``LIMKB_BROWSER_SITE=path/to/site`` serves an already built site instead of building one,
which is quicker while working on the tests themselves. A test
that opens pages through :func:`tab` fails if any page logged a console error or asked any host
but 127.0.0.1 for anything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sitekit import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    TIMEOUT_MS,
    Site,
    Tab,
    build_site,
    copy_project,
    is_local,
    require_chromium,
    serve,
)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site built from a copy of this checkout, served on 127.0.0.1 for the session."""
    prebuilt = os.environ.get("LIMKB_BROWSER_SITE")
    if prebuilt:  # iterate on the tests against a site built once by hand
        root = Path(prebuilt).resolve()
        project = root.parent
    else:
        project = copy_project(tmp_path_factory.mktemp("project"))
        root = build_site(project)
    with serve(root) as base_url:
        yield Site(root=root, project=project, base_url=base_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, through Playwright."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    """A fresh page; the test fails at teardown on console errors or requests to other hosts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page=page)
    context.on("request", lambda request: tab.requests.append(request.url))
    context.route(lambda url: not is_local(url), lambda route: route.abort())
    page.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: tab.failed.append(request.url))
    page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
    page.on(
        "response",
        lambda response: (
            tab.errors.append(f"HTTP {response.status} for {response.url}")
            if response.status >= 400
            else None
        ),
    )
    try:
        yield tab
    finally:
        problems = tab.problems()
        context.close()
    if problems:
        pytest.fail("pages visited: " + ", ".join(tab.visited) + "\n" + "\n".join(problems), pytrace=False)


@pytest.fixture(scope="session")
def screenshots() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot as build/screenshots/<name>.png in the checkout."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return shoot
