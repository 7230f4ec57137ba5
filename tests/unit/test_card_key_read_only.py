"""`kiosk tap` and `kiosk doctor` read the kiosk's own card key without writing a byte: a plain read-only
SQLite connection to a WAL database creates `-wal`/`-shm` files beside it (a damaged database must be
left exactly as it was, tests/unit/test_store_open.py)."""

from __future__ import annotations

from pathlib import Path

from hardware.nfc_cli import resolve_card_key
from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.services import open_services


def test_the_card_key_is_read_without_creating_files(config: Config, clock: FixedClock) -> None:
    services = open_services(config, clock)
    key = services.ctx.card_key
    services.close()
    folder: Path = config.database_path.parent
    before = sorted(p.name for p in folder.iterdir())
    assert not any(name.endswith(("-wal", "-shm")) for name in before), before
    assert resolve_card_key(config) == key
    assert sorted(p.name for p in folder.iterdir()) == before
