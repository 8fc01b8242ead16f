"""The 单位 console: the unit's home at 1366×768."""

from typing import Any

from tests.builders.browser import Server, assert_accessible, shot, staff_sign_in


def test_the_unit_home_shows_the_units_reporting(server: Server, desk: tuple[Any, Any]) -> None:
    page, _ = desk
    staff_sign_in(page, server, "unit_admin")
    page.get_by_text("已报到 / 申报人数").wait_for()
    page.get_by_text("未达年度服务标准").wait_for()
    shot(page, "console-unit-home")
    assert_accessible(page)
