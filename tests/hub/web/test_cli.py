"""`kiosk-hub coordinator add|list|remove`, run as a person would (a subprocess on a real database)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hub import admin
from hub import schema as t
from hub.db import Database
from hub.web.accounts import check_password

ROOT = Path(__file__).resolve().parents[3]


def _hub(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hub", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_coordinator_accounts_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    db = Database(url)
    admin.init(db)
    collective = admin.add_collective(db, "Savoirs de Belleville", "Belleville").id
    added = _hub(
        "coordinator",
        "add",
        "Ana@Example.org",
        "--collective",
        "Savoirs de Belleville",
        "--password-stdin",
        "--json",
        "--db",
        url,
        stdin="un mot de passe assez long\n",
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {
        "email": "ana@example.org",
        "role": "collective",
        "network_id": "reseau",
        "collective_id": collective,
    }
    short = _hub(
        "coordinator",
        "add",
        "b@example.org",
        "--network",
        "reseau",
        "--password-stdin",
        "--db",
        url,
        stdin="court\n",
    )
    assert short.returncode == 2 and "trop court" in short.stderr
    again = _hub(
        "coordinator",
        "add",
        "ana@example.org",
        "--network",
        "reseau",
        "--password-stdin",
        "--db",
        url,
        stdin="un autre assez long\n",
    )
    assert again.returncode == 2 and "existe déjà" in again.stderr
    listed = json.loads(_hub("coordinator", "list", "--json", "--db", url).stdout)
    assert [row["email"] for row in listed] == ["ana@example.org"]
    stored = check_password(db, "ana@example.org", "un mot de passe assez long")
    assert stored is not None and stored.collective_id == collective
    with db.read() as conn:
        hashed = conn.execute(t.coordinators.select()).one().password_hash
    assert hashed.startswith("$argon2id$")
    assert _hub("coordinator", "remove", "ana@example.org", "--db", url).returncode == 0
    assert _hub("coordinator", "remove", "ana@example.org", "--db", url).returncode == 2
    assert check_password(db, "ana@example.org", "un mot de passe assez long") is None
    db.dispose()
