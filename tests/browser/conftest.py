"""Browser tests: Playwright driving Debian's Chromium against the running service
(tests/builders/browser.py says how). Every test here is marked ``browser``."""

from __future__ import annotations

import pytest

from tests.builders.browser import browser, desk, phone, server

__all__ = ["browser", "desk", "phone", "server"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)
