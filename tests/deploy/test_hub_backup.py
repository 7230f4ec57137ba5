"""deploy/hub/hub-backup.sh on a SQLite hub database being written: a consistent copy through SQLite's backup
API, checked, and only the newest HUB_BACKUP_KEEP kept."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from tests.deploy.units import DEPLOY

SCRIPT = DEPLOY / "hub" / "hub-backup.sh"


def run_backup(database: Path, dest: Path, keep: int) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KIOSK_HUB_DB": f"sqlite:///{database}",
        "HUB_BACKUP_DIR": str(dest),
        "HUB_BACKUP_KEEP": str(keep),
        "HUB_PYTHON": sys.executable,
    }
    return subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_sqlite_backup_while_writing_keeps_the_newest(tmp_path: Path) -> None:
    database = tmp_path / "hub.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        conn.executemany("INSERT INTO events (body) VALUES (?)", [("before",)] * 100)
    dest = tmp_path / "backups"
    dest.mkdir()
    for old in range(3):  # older backups, in the file names' order
        (dest / f"hub-2020010{old + 1}T000000Z.sqlite3").write_bytes(b"old")
    stop = threading.Event()

    def write() -> None:
        with sqlite3.connect(database, timeout=10) as writer:
            while not stop.is_set():
                writer.execute("INSERT INTO events (body) VALUES (?)", ("x" * 200,))
                writer.commit()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        result = run_backup(database, dest, keep=2)
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    (copy,) = [path for path in dest.iterdir() if not path.name.startswith("hub-2020")]
    assert str(copy) in result.stdout
    with sqlite3.connect(copy) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("SELECT count(*) FROM events WHERE body = 'before'").fetchone()[0] == 100
    # keep=2: the new copy and the newest old one
    assert sorted(path.name for path in dest.iterdir()) == ["hub-20200103T000000Z.sqlite3", copy.name]


def test_an_unknown_database_url_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "KIOSK_HUB_DB": "mysql://x", "HUB_BACKUP_DIR": str(tmp_path)}
    result = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "non reconnue" in result.stderr
    assert list(tmp_path.iterdir()) == []
