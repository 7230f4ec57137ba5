"""`kiosk-hub` commands, and the kiosk's `pair` / `sync --once` / doctor checks given to kiosk/cli.py."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from hub import cli as hub_cli
from kiosk.config import load_config, with_data_dir
from kiosk.doctor import Report, Status
from kiosk.services import open_services
from sync_client.cli_commands import pair_command, sync_once_command
from sync_client.doctor_checks import check_hub
from tests.hub.kiosks import HubHandle


def test_hub_commands_with_json_output(hub: HubHandle, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", hub.server.db_url]
    assert hub_cli.main(["init", *db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True
    assert (
        hub_cli.main(["collective", "add", "Savoirs des Amandiers", "--quartier", "Amandiers", *db, "--json"])
        == 0
    )
    collective = json.loads(capsys.readouterr().out)["id"]
    assert collective.startswith("savoirs-des-amandiers")
    assert hub_cli.main(["pairing-code", collective, *db, "--json"]) == 0
    code = json.loads(capsys.readouterr().out)
    assert len(code["code"]) == 10 and code["expires_at"] > "2026"
    assert hub_cli.main(["pairing-code", collective, *db]) == 0
    text = capsys.readouterr().out
    assert "Code d’appairage" in text and ("█" in text or "qrcode" in text)
    assert hub_cli.main(["pairing-code", "inconnu", *db]) == 2
    assert hub_cli.main(["kiosk", "list", *db, "--json"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)
    assert hub_cli.main(["kiosk", "revoke", "00000000-0000-4000-8000-000000000000", *db]) == 2


def test_kiosk_pair_sync_and_doctor(
    hub: HubHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    collective = hub.collective("Savoirs de la Mouzaïa")
    base = with_data_dir(load_config(None), tmp_path / "kiosk")
    config = replace(base, collective=replace(base.collective, id=collective))
    assert sync_once_command(config) == 2  # not paired yet: says so
    assert pair_command(config, hub.url, "AAAAA-AAAAA") == 2
    assert "Appairage impossible" in capsys.readouterr().err
    assert pair_command(config, hub.url, hub.code(collective)) == 0
    assert "Borne appairée" in capsys.readouterr().out
    assert pair_command(config, hub.url, hub.code(collective)) == 2
    assert "déjà appairée" in capsys.readouterr().err
    services = open_services(config)
    services.members.register("Hugo", "Mouzaïa")
    services.close()
    assert sync_once_command(config) == 0
    assert "Envoyés : 1" in capsys.readouterr().out
    report = Report()
    check_hub(report, config)
    statuses = {check.name: check.status for check in report.checks}
    assert (
        statuses["hub"] is Status.OK and statuses["jeton"] is Status.OK and statuses["horloge"] is Status.OK
    )
    assert pair_command(config, "http://192.0.2.1:8700", "X") == 2  # plain http beyond this machine: refused


def test_doctor_says_when_the_kiosk_is_standalone(tmp_path: Path) -> None:
    config = with_data_dir(load_config(None), tmp_path / "kiosk")
    open_services(config).close()
    report = Report()
    check_hub(report, config)
    assert [c.status for c in report.checks] == [Status.WARN]
