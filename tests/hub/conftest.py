"""Hub fixtures: the whole hub suite runs on SQLite and on PostgreSQL (a cluster of our own, see servers.py).

`hub` is one uvicorn hub per database kind for the session (tests isolate themselves with their own
collective); `fresh_hub` is a hub with its own database for tests that kill it or exhaust a rate limit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hub import admin
from hub.db import Database
from tests.hub.kiosks import HubHandle
from tests.hub.servers import HubServer, PostgresCluster, postgres_bin

_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster | None]:
    if postgres_bin() is None:
        yield None
        return
    cluster = PostgresCluster()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, postgres: PostgresCluster | None) -> str:
    if request.param == "postgresql" and postgres is None:
        pytest.skip(
            "PostgreSQL binaries absent (/usr/lib/postgresql/*/bin): install the Debian `postgresql` package"
        )
    return str(request.param)


def new_db_url(backend: str, postgres: PostgresCluster | None, folder: Path) -> str:
    n = next(_names)
    if backend == "postgresql":
        assert postgres is not None
        return postgres.create_database(f"hub_{n}")
    return f"sqlite:///{folder / f'hub_{n}.sqlite3'}"


def _start(url: str, log: Path) -> HubServer:
    db = Database(url)
    admin.init(db)
    db.dispose()
    server = HubServer(url, log=log)
    server.start()
    return server


@contextmanager
def hub_of_processes(
    backend: str, postgres: PostgresCluster | None, folder: Path, workers: int = 2
) -> Iterator[tuple[HubServer, Database]]:
    """A hub of several worker processes on a database of its own, and that database; stopped after."""
    url = new_db_url(backend, postgres, folder)
    db = Database(url)
    admin.init(db)
    server = HubServer(url, workers=workers, log=folder / "hub.log")
    server.start()
    try:
        yield server, db
    finally:
        server.stop()
        db.dispose()


@pytest.fixture(scope="session")
def hub(
    backend: str, postgres: PostgresCluster | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HubHandle]:
    folder = tmp_path_factory.mktemp(f"hub-{backend}")
    server = _start(new_db_url(backend, postgres, folder), folder / "hub.log")
    handle = HubHandle(server, Database(server.db_url))
    yield handle
    handle.db.dispose()
    server.stop()


@pytest.fixture
def fresh_hub(backend: str, postgres: PostgresCluster | None, tmp_path: Path) -> Iterator[HubHandle]:
    server = _start(new_db_url(backend, postgres, tmp_path), tmp_path / "hub.log")
    handle = HubHandle(server, Database(server.db_url))
    yield handle
    handle.db.dispose()
    server.stop()
