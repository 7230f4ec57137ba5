"""`kiosk-hub` commands, and the kiosk's `pair` / `sync --once` / doctor checks given to kiosk/cli.py."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from bench.hub_bench import pair_raw
from hub import cli as hub_cli
from hub import schema as t
from kiosk import cli as kiosk_cli
from kiosk.config import load_config, with_data_dir
from kiosk.doctor import Report, Status
from kiosk.services import open_services
from sync_client.cli_commands import pair_command, sync_once_command
from sync_client.doctor_checks import check_hub
from tests.hub.kiosks import HubHandle, Kiosk

PULL = "/api/v1/sync/pull"


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
    with hub.db.read() as conn:
        network = conn.execute(
            select(t.collectives.c.network_id).where(t.collectives.c.id == collective)
        ).scalar_one()
        assert network is not None
        assert conn.execute(select(t.networks.c.id).where(t.networks.c.id == network)).first() is not None
    assert hub_cli.main(["pairing-code", collective, *db, "--json"]) == 0
    code = json.loads(capsys.readouterr().out)
    assert len(code["code"]) == 10 and code["collective_id"] == collective
    # A code is valid for 15 minutes (a minute either way for the time this test takes).
    lifetime = datetime.fromisoformat(code["expires_at"]) - datetime.now(UTC)
    assert timedelta(minutes=14) <= lifetime <= timedelta(minutes=16)
    assert hub_cli.main(["pairing-code", collective, *db]) == 0
    text = capsys.readouterr().out
    assert "Code d’appairage" in text and ("█" in text or "qrcode" in text)
    assert hub_cli.main(["pairing-code", "inconnu", *db]) == 2
    assert hub_cli.main(["kiosk", "list", *db, "--json"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)
    assert hub_cli.main(["kiosk", "revoke", "00000000-0000-4000-8000-000000000000", *db]) == 2


def test_kiosk_revoke_stops_a_paired_kiosks_token(hub: HubHandle, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", hub.server.db_url]
    collective = hub.collective("Savoirs révoqués")
    by_text, token_text = pair_raw(hub.url, hub.db, collective, "borne-texte")
    by_json, token_json = pair_raw(hub.url, hub.db, collective, "borne-json")
    capsys.readouterr()
    assert hub_cli.main(["kiosk", "revoke", by_text, *db]) == 0
    assert capsys.readouterr().out.strip() == f"Borne {by_text} révoquée."
    assert hub_cli.main(["kiosk", "revoke", by_json, *db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": by_json, "revoked": True}
    assert hub_cli.main(["kiosk", "revoke", by_json, *db]) == 2  # already revoked: no active kiosk
    assert "Aucune borne active" in capsys.readouterr().err

    assert hub_cli.main(["kiosk", "list", *db, "--json"]) == 0
    listed = {k["id"]: k for k in json.loads(capsys.readouterr().out)}
    assert listed[by_text]["revoked_at"] and listed[by_json]["revoked_at"]
    for token in (token_text, token_json):
        answer = requests.get(hub.url + PULL, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert answer.status_code == 401 and answer.json()["code"] == "kiosk_revoked"


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


def test_kiosk_command_line_pairs_and_syncs_once(
    hub: HubHandle, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    collective = hub.collective("Savoirs des Lilas")
    neighbour = Kiosk(tmp_path / "voisine", collective)  # gives the pull something to bring
    neighbour.pair(hub, collective)
    neighbour.member("Iris")
    assert neighbour.sync().pushed == 1
    neighbour.close()
    site = tmp_path / "kiosk.toml"
    site.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "borne"}"\n[collective]\nid = "{collective}"\n', encoding="utf-8"
    )
    config = ["--config", str(site)]
    assert kiosk_cli.main(["pair", hub.url, hub.code(collective), *config]) == 0
    assert "Borne appairée" in capsys.readouterr().out
    services = open_services(load_config(site))
    for pseudonym in ("Jade", "Louis"):
        services.members.register(pseudonym, "Lilas")
    # A damaged journal row (its hlc does not parse): the hub refuses it as invalid, the other goes through.
    services.store.conn.execute("UPDATE journal SET hlc = 'pas-un-hlc' WHERE seq = 2")
    services.close()
    assert kiosk_cli.main(["sync", "--once", *config]) == 1  # a refused event needs a person's attention
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Envoyés : 1 (déjà sur le hub : 0)."
    assert lines[1] == "Reçus : 1 (déjà connus : 0)."
    assert lines[2] == "Restant à envoyer : 0."
    refused = [line for line in lines if line.startswith("REFUSÉ par le hub : member.registered ")]
    assert len(refused) == 1 and "invalid" in refused[0]


def test_doctor_says_when_the_kiosk_is_standalone(tmp_path: Path) -> None:
    config = with_data_dir(load_config(None), tmp_path / "kiosk")
    open_services(config).close()
    report = Report()
    check_hub(report, config)
    assert [c.status for c in report.checks] == [Status.WARN]
