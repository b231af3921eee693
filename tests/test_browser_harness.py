"""The browser harness (tests/browser.py) catches what page tests rely on it to catch.

Small hand-written pages, each opened in real headless Chromium: a request leaving the file, a page
that is self-contained, a script that throws, and a screenshot of the asked-for width.
"""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

import pytest
from browser import open_page

pytestmark = pytest.mark.slow  # a real Chromium: `make test-fast` skips this file


def write_page(folder: Path, body: str, name: str = "page.html") -> Path:
    path = folder / name
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>{body}</body></html>"
    )
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_a_request_leaving_the_file_is_recorded_and_blocked(tmp_path: Path):
    page = write_page(tmp_path, '<p>hi</p><img src="https://cdn.example.invalid/x.png">')
    with open_page(page) as check:
        assert check.requests == ["https://cdn.example.invalid/x.png"]
        assert len(check.failed) == 1 and check.failed[0].startswith("https://cdn.example.invalid/x.png: ")
        assert "ERR_BLOCKED_BY_CLIENT" in check.failed[0]
        with pytest.raises(AssertionError, match="cdn.example.invalid"):
            check.assert_clean()


def test_a_self_contained_page_passes_with_its_dom(tmp_path: Path):
    svg = '<svg width="40" height="20"><rect id="bar" width="30" height="10" fill="teal"/></svg>'
    img = '<img alt="dot" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    script = (
        "<script>const li = document.createElement('li'); li.id = 'added'; li.textContent = 'made by JS';"
    )
    script += "document.querySelector('#list').append(li);</script>"
    page = write_page(tmp_path, f'{svg}{img}<ul id="list"></ul>{script}')
    with open_page(page) as check:
        assert check.page.locator("#added").inner_text() == "made by JS"
        assert check.page.locator("svg rect#bar").get_attribute("width") == "30"
        check.assert_clean()
        assert check.requests == [] and check.failed == [] and check.console_errors == []
    # The browser and Playwright's event loop are gone once the block ends: asyncio works again.
    assert asyncio.run(asyncio.sleep(0, "still usable")) == "still usable"


def test_a_throwing_script_and_a_missing_local_file_are_caught(tmp_path: Path):
    body = '<img src="missing.png"><script>console.error("told you"); null.boom();</script>'
    with open_page(write_page(tmp_path, body)) as check:
        assert any("told you" in line for line in check.console_errors)
        assert any(line.startswith("uncaught TypeError") for line in check.console_errors)
        assert check.requests == [(tmp_path / "missing.png").resolve().as_uri()]
        assert any("ERR_FILE_NOT_FOUND" in line for line in check.failed)


def test_screenshot_is_a_full_page_png_of_the_given_width(tmp_path: Path):
    page = write_page(
        tmp_path, '<div style="height: 1500px; background: linear-gradient(red, blue)">tall</div>'
    )
    shot = tmp_path / "shots" / "page.png"
    with open_page(page, screenshot=shot, width=640, height=400) as check:
        assert shot.exists()
        width, height = png_size(shot)
        assert width == 640 and height >= 1500  # the whole page, not just the 400 px viewport
        again = check.screenshot(tmp_path / "again.png")
    assert png_size(again)[0] == 640


def test_a_missing_chromium_fails_the_test_and_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SRE_AGENT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    page = write_page(tmp_path, "<p>never opened</p>")
    with pytest.raises(pytest.fail.Exception, match="make test"), open_page(page):
        pass
