"""Browser fixtures for the web tests: a served database, Debian's Chromium, a watched page.

The fixtures are module-scoped where they are costly (one server and one browser per test file).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Request,
    Response,
    sync_playwright,
)

from tests.web_server import CHROMIUM, CHROMIUM_ARGS, running_server


@dataclass
class Watch:
    """What went wrong while a page was open."""

    base: str
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._script)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def _script(self, error: Error) -> None:
        self.errors.append(f"script: {error} {error.stack}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request: Request) -> None:
        url = request.url
        if url.startswith(("http://", "https://")) and not url.startswith(self.base):
            self.errors.append(f"off-site request: {url}")

    def _failed(self, request: Request) -> None:
        # ERR_ABORTED is a request the browser cancelled itself, when the page navigated away
        # before it finished (a form submitted, a link followed): not a failure of the site
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.url} {request.failure}")


@pytest.fixture(scope="module")
def site(built_db: Path) -> Iterator[str]:
    with running_server(built_db) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Chromium is missing: `make test` installs it (system-deps)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Browser, site: str) -> Iterator[tuple[Page, Watch]]:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=site)
    pg = ctx.new_page()
    watch = Watch(site)
    watch.attach(pg)
    yield pg, watch
    ctx.close()
