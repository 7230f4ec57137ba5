"""Shared fixtures: a fresh kiosk store in a temporary folder, on a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import FixedClock
from kiosk.config import Config, load_config, with_data_dir
from kiosk.services import Services, open_services

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return with_data_dir(load_config(None), tmp_path / "data")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 10, 0, tzinfo=PARIS))


@pytest.fixture
def services(config: Config, clock: FixedClock) -> Iterator[Services]:
    opened = open_services(config, clock)
    yield opened
    opened.close()
