"""SISHUANG_PUBLIC_URL: where the QR posters point, behind a proxy."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.clock import ManualClock
from projections.settings import ConfigError, Settings, public_url
from tests.builders.http import Api, setup_county


def test_a_poster_points_at_the_configured_address_not_the_one_asked(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        token_secret="test-secret-for-the-api-tests",
        public_url="https://sishuang.zezhou.example/h5",
    )
    clock = ManualClock()
    with TestClient(create_app(settings, clock=clock)) as client:
        ids = setup_county(Api(client, settings, clock))
        svg = client.get(f"/app/join/{ids['community']}/poster.svg").text
    assert f"https://sishuang.zezhou.example/h5/app/join/{ids['community']}" in svg
    assert "testserver" not in svg


@pytest.mark.parametrize(
    "value",
    [
        "sishuang.example",
        "ftp://sishuang.example",
        "https://",
        "https://a.example/?x=1",
        "https://a.example/#top",
        "https://a.example/a b",
    ],
)
def test_an_address_that_is_not_one_is_refused_at_start_up(value: str) -> None:
    with pytest.raises(ConfigError):
        public_url(value)


def test_the_address_is_kept_without_its_trailing_slash() -> None:
    assert public_url(" https://a.example:8443/h5/ ") == "https://a.example:8443/h5"
    assert public_url("") == ""
    assert Settings.from_env({"SISHUANG_PUBLIC_URL": "http://10.0.0.5:8000"}).public_url == (
        "http://10.0.0.5:8000"
    )
