"""Opening refuses what is not a healthy kiosk database of a known version, and touches nothing.

Each bad file is a real file (a newer kiosk's database, random bytes, a cut or scrambled SQLite file,
another application's SQLite database, an empty file). `Store.open` refuses it with the right
`KioskError` code and a sentence naming the file; afterwards the file has the same bytes and mtime and
no `-wal`/`-shm` appeared beside it. The CLI (`doctor`, `run`) says the same sentence, without traceback.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_config, with_data_dir
from kiosk.errors import KioskError
from kiosk.services import open_services
from kiosk.store import Store
from kiosk.store.schema import APPLICATION_ID, LATEST_VERSION
from tests.checks import open_concurrently

CORRUPT, NEWER, FOREIGN = "store.corrupt", "store.newer_schema", "store.foreign"


def kiosk_database(folder: Path) -> bytes:
    """The bytes of a real, used kiosk database (closed cleanly: WAL checkpointed into the file)."""
    services = open_services(with_data_dir(load_config(None), folder))
    for name in ("Karim", "Inès", "Lucas", "Mme Diallo"):
        services.members.register(name, "Belleville")
    path = services.store.path
    services.close()
    return path.read_bytes()


def with_sqlite(change: Callable[[sqlite3.Connection], None]) -> Callable[[Path], bytes]:
    """A database made by running `change` on a fresh SQLite file (rollback journal, no WAL left)."""

    def build(folder: Path) -> bytes:
        path = folder / "built.sqlite3"
        conn = sqlite3.connect(path)
        change(conn)
        conn.commit()
        conn.close()
        return path.read_bytes()

    return build


def newer_kiosk(folder: Path) -> bytes:
    path = folder / "newer.sqlite3"
    path.write_bytes(kiosk_database(folder / "base"))
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    return path.read_bytes()


def truncated(folder: Path) -> bytes:
    data = kiosk_database(folder)
    return data[: len(data) // 2]


def garbage_after_header(folder: Path) -> bytes:
    data = kiosk_database(folder)
    return data[:100] + os.urandom(len(data) - 100)


def garbage_after_first_page(folder: Path) -> bytes:
    data = kiosk_database(folder)
    page_size = int.from_bytes(data[16:18], "big")
    return data[:page_size] + os.urandom(len(data) - page_size)


def other_application(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('liste de courses')")
    conn.execute("PRAGMA application_id = 1196444237")  # another application's id
    conn.execute("PRAGMA user_version = 1")


def unversioned_application(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("PRAGMA application_id = 1196444237")


def versioned_application(conn: sqlite3.Connection) -> None:
    """Many applications use user_version and no application id: not a newer kiosk."""
    conn.execute("CREATE TABLE recettes (nom TEXT)")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")


def plain_sqlite(conn: sqlite3.Connection) -> None:
    """No version, no application id, but tables: the kiosk never leaves such a file."""
    conn.execute("CREATE TABLE members (id TEXT)")


BAD_FILES: dict[str, tuple[Callable[[Path], bytes], str, str]] = {
    "newer-schema": (newer_kiosk, NEWER, f"schéma {LATEST_VERSION + 1}"),
    "random-bytes": (lambda _: os.urandom(8192), CORRUPT, "en-tête"),
    "truncated-header": (lambda f: kiosk_database(f)[:60], CORRUPT, "en-tête"),
    "truncated-file": (truncated, CORRUPT, "tronqué"),
    "garbage-after-header": (garbage_after_header, CORRUPT, "malformed"),
    "garbage-after-first-page": (garbage_after_first_page, CORRUPT, "malformed"),
    "other-application-id": (with_sqlite(other_application), FOREIGN, "n’appartient pas"),
    "other-application-unversioned": (with_sqlite(unversioned_application), FOREIGN, "n’appartient pas"),
    "other-application-version": (with_sqlite(versioned_application), FOREIGN, "n’appartient pas"),
    "sqlite-without-id": (with_sqlite(plain_sqlite), FOREIGN, "n’appartient pas"),
    "empty-file": (lambda _: b"", CORRUPT, "fichier vide"),
}


@pytest.fixture(params=sorted(BAD_FILES))
def bad_file(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, str, str]:
    make, code, words = BAD_FILES[request.param]
    (tmp_path / "making").mkdir()
    content = make(tmp_path / "making")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    path = data_dir / "kiosk.sqlite3"
    path.write_bytes(content)
    os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    return path, code, words


def state_of(path: Path) -> tuple[bytes, int, list[str]]:
    return path.read_bytes(), path.stat().st_mtime_ns, sorted(p.name for p in path.parent.iterdir())


def test_store_open_refuses_and_touches_nothing(bad_file: tuple[Path, str, str]) -> None:
    path, code, words = bad_file
    before = state_of(path)
    with pytest.raises(KioskError) as refused:
        Store.open(path)
    assert refused.value.code == code
    text = refused.value.text("fr")
    assert str(path) in text and words in text, text
    assert "n’a pas été modifié" in text
    assert str(path) in refused.value.text("en")
    assert state_of(path) == before


def test_services_refuse_to_start_on_it(bad_file: tuple[Path, str, str]) -> None:
    path, code, _ = bad_file
    before = state_of(path)
    with pytest.raises(KioskError) as refused:
        open_services(with_data_dir(load_config(None), path.parent))
    assert refused.value.code == code
    assert state_of(path) == before


@pytest.mark.parametrize("command", [["doctor"], ["run"]])
def test_cli_says_a_sentence(
    bad_file: tuple[Path, str, str], command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, _, _ = bad_file
    site = path.parent.parent / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{path.parent}"\n', encoding="utf-8")
    before = state_of(path)
    status = main([*command, "--config", str(site)])
    assert status != 0
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert str(path) in said, said
    assert "Traceback" not in said
    assert state_of(path) == before


def test_a_healthy_store_reopens(tmp_path: Path) -> None:
    """The checks refuse only what they should: a used store, reopened, and one left by a crash."""
    kiosk_database(tmp_path)
    path = tmp_path / "kiosk.sqlite3"
    store = Store.open(path)
    assert store.schema_version == LATEST_VERSION
    assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    # Left open, as after a power cut: its committed pages sit in the WAL beside it.
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")
    store.conn.execute("UPDATE members SET quartier = 'Goutte d’Or'")
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 0
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in (path.name, wal.name):
        (copy / name).write_bytes((tmp_path / name).read_bytes())
    store.close()
    reopened = Store.open(copy / path.name)
    try:
        rows = reopened.conn.execute("SELECT DISTINCT quartier FROM members").fetchall()
        assert rows == [("Goutte d’Or",)]
        assert reopened.integrity_check() == ["ok"]
    finally:
        reopened.close()


def test_creation_leaves_no_empty_file_behind(tmp_path: Path) -> None:
    """A new store appears whole; scratch files of creations killed earlier are cleaned up."""
    path = tmp_path / "data" / "kiosk.sqlite3"
    path.parent.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    abandoned = path.with_name(f"{path.name}.new-{dead.pid}-1")
    abandoned.write_bytes(b"")  # as left by a process killed while creating the store
    store = Store.open(path)
    store.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert path.read_bytes().startswith(b"SQLite format 3\x00")


def test_stores_created_at_the_same_moment_agree(tmp_path: Path) -> None:
    """The app and its sync worker may both open a store that does not exist yet: both get the one file."""
    path = tmp_path / "data" / "kiosk.sqlite3"
    opened = open_concurrently(path, 6)
    try:
        assert {store.schema_version for store in opened} == {LATEST_VERSION}
    finally:
        for store in opened:
            store.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
