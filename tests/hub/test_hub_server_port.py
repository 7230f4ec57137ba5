"""The test hub's start (tests/hub/servers.py): a port taken between `free_port` and uvicorn's bind is not a
failed test run — the first start moves to another free port."""

from __future__ import annotations

import socket
from pathlib import Path

import requests

from hub import admin
from hub.db import Database
from tests.hub.servers import HubServer


def test_a_port_taken_meanwhile_moves_the_first_start_elsewhere(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    db = Database(url)
    admin.init(db)
    db.dispose()
    server = HubServer(url, log=tmp_path / "hub.log")
    taken = server.port
    with socket.create_server(("127.0.0.1", taken)):  # another program took it before the hub bound it
        server.start()
        try:
            assert server.port != taken
            assert requests.get(server.url + "/api/v1/health", timeout=5).status_code == 200
            assert b"address already in use" in (tmp_path / "hub.log").read_bytes().lower()
        finally:
            server.stop()
