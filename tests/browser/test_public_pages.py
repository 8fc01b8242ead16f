"""The public pages at a phone's width (390) and an office screen's (1366): every page
reachable from the index, no sideways scrolling, and no demo member's phone on any."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders.browser import Server, fits, new_page, shot


@pytest.mark.parametrize("width", [390, 1366])
def test_public_pages_fit_and_show_no_phone(server: Server, browser: Any, width: int) -> None:
    page, watched = new_page(browser, {"width": width, "height": 800})
    try:
        page.goto(f"{server.url}/public")
        hrefs = [a.get_attribute("href") or "" for a in page.query_selector_all("main a")]
        paths = ["/public", *[h for h in hrefs if "/results" in h or "/wishes" in h][:4]]
        paths.append("/public/inspections")
        page.goto(f"{server.url}/public/inspections")
        paths += [
            h
            for h in (a.get_attribute("href") or "" for a in page.query_selector_all("main a"))
            if h.startswith("/public/inspections/")
        ][:1]
        for i, path in enumerate(paths):
            page.goto(f"{server.url}{path}")
            fits(page)
            html = page.content()
            for phone in server.phones.values():
                assert phone not in html, (path, phone)
            shot(page, f"public-{width}-{i}", full=False)
    finally:
        page.context.close()
    watched.check()
