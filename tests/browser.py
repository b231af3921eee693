"""Open an HTML page sre-agent wrote in headless Chromium, for tests that check what a reader sees.

    with open_page(tmp_path / "run.html", screenshot=tmp_path / "run.png") as check:
        assert check.page.locator("svg .span").count() == 3
        check.assert_clean()  # no request left the file, none failed, no console error

The browser is Debian's `chromium` (`/usr/bin/chromium`, or `SRE_AGENT_CHROMIUM`), driven by the
Python `playwright` package; `playwright install` is never used. Each `open_page` starts its own
Playwright and browser with a fresh, empty profile (about 1.5 s) and stops them on exit: while the
sync API is started it marks an asyncio loop as running in this thread, so a browser kept for the
whole session would break every later test that calls `asyncio.run`. For the same reason do not nest
`open_page` calls or call `asyncio.run` inside the `with` block.

Requests to anything but the page's own file (and `data:`/`blob:` URLs, which never leave it) are
recorded in `requests`; those that are not file:// are also aborted, so a page that reaches for the
network fails fast and visibly (`net::ERR_BLOCKED_BY_CLIENT` in `failed`).
Where Chromium is missing, the test fails (not skips) and says to run `make test`, which installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Error, Page, Request, Route, WebSocket

CHROMIUM = "/usr/bin/chromium"  # Debian's package; SRE_AGENT_CHROMIUM (a path or a name on PATH) overrides
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm; Chromium crashes on it
]
INLINE_SCHEMES = ("data:", "blob:")  # part of the page itself: neither recorded nor blocked
LOCAL_SCHEMES = ("file:", *INLINE_SCHEMES)  # not blocked (other files are recorded, though)
TIMEOUT_MS = 15_000


@dataclass
class PageCheck:
    """A loaded page and what happened while it loaded (lists keep growing while the page is open)."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)  # every URL requested other than the file itself
    failed: list[str] = field(default_factory=list)  # "URL: reason" for each request that failed
    console_errors: list[str] = field(default_factory=list)  # console.error output and uncaught errors

    def screenshot(self, path: Path) -> Path:
        """Write a full-page PNG of the page as it is now."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        """Fail unless the page requested nothing outside its file, nothing failed and nothing threw."""
        problems = [f"request: {url}" for url in self.requests]
        problems += [f"failed: {line}" for line in self.failed]
        problems += [f"console: {line}" for line in self.console_errors]
        assert not problems, f"{self.url} is not self-contained and clean:\n  " + "\n  ".join(problems)


def chromium_path() -> str:
    """The Chromium binary to launch, or fail the test saying how to get one."""
    wanted = os.environ.get("SRE_AGENT_CHROMIUM") or CHROMIUM
    found = shutil.which(wanted) or (None if wanted != CHROMIUM else shutil.which("chromium"))
    if found is None:
        pytest.fail(
            f"Chromium not found at {wanted!r}: the browser tests need it. Run `make test`, which "
            "installs Debian's chromium package, or point SRE_AGENT_CHROMIUM at a Chromium binary.",
            pytrace=False,
        )
    return found


@contextmanager
def open_page(
    path: Path, *, screenshot: Path | None = None, width: int = 1280, height: int = 900
) -> Iterator[PageCheck]:
    """Load `path` from file:// in a fresh headless Chromium; yield a PageCheck; close it all after."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "The Python package playwright is missing: run `make test`, which installs it.", pytrace=False
        )

    url = path.resolve().as_uri()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=1, service_workers="block"
            )
            context.set_default_timeout(TIMEOUT_MS)
            context.route(lambda u: not u.startswith(LOCAL_SCHEMES), _abort)
            page = context.new_page()
            check = PageCheck(page=page, url=url)
            _record(check, page)
            page.goto(url, wait_until="load")
            if screenshot is not None:
                check.screenshot(screenshot)
            yield check
        finally:
            browser.close()
    finally:
        playwright.stop()


def _abort(route: Route) -> None:
    """Keep the request from leaving the machine; it shows up in `failed` as blocked."""
    route.abort("blockedbyclient")


def _record(check: PageCheck, page: Page) -> None:
    """Wire the page's events into the check's lists."""

    def on_request(request: Request) -> None:
        if request.url != check.url and not request.url.startswith(INLINE_SCHEMES):
            check.requests.append(request.url)

    def on_failed(request: Request) -> None:
        check.failed.append(f"{request.url}: {request.failure}")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            check.console_errors.append(f"{message.text} ({where['url']}:{where['lineNumber']})")

    def on_page_error(error: Error) -> None:
        check.console_errors.append(f"uncaught {error.name}: {error.message}")

    def on_websocket(socket: WebSocket) -> None:
        check.requests.append(socket.url)

    page.context.on("request", on_request)
    page.context.on("requestfailed", on_failed)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("websocket", on_websocket)
