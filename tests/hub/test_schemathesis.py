"""Schemathesis against the hub's own /openapi.json: no 5xx, and every answer matches the published schema.

Its own hub (`fresh_hub`): the fuzzer's wrong pairing codes would otherwise rate-limit the other tests.
The example count is bounded so the run stays well under two minutes per database.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.hub.kiosks import HubHandle

pytest.importorskip("schemathesis")
pytestmark = pytest.mark.slow
MAX_EXAMPLES = 30


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    fresh_hub: HubHandle, tmp_path: Path
) -> None:
    collective = fresh_hub.collective("Fuzz")
    paired = requests.post(
        fresh_hub.url + "/api/v1/pair",
        json={"code": fresh_hub.code(collective), "kiosk_name": "Fuzz"},
        timeout=5,
    )
    token = paired.json()["token"]
    cli = Path(sys.executable).with_name("schemathesis")
    command = [str(cli)] if cli.exists() else [shutil.which("schemathesis") or "schemathesis"]
    result = subprocess.run(
        [
            *command,
            "run",
            fresh_hub.url + "/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            "1",
            "--header",
            f"Authorization: Bearer {token}",
            "--request-timeout",
            "10",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
