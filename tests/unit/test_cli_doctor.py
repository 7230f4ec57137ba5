"""`kiosk doctor` and the CLI's promise: a sentence, never a traceback; non-zero when action is needed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.services import open_services
from tests.unit.test_doctor_ops import fake_machine


@pytest.fixture(autouse=True)
def a_pi_with_its_screen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The display and touch checks read a fake /sys and /dev (tests/unit/test_doctor_ops.py): the test
    machine has no DSI screen, and these tests are about the rest of the report."""
    sys_root, dev_root = fake_machine(tmp_path / "machine")
    monkeypatch.setenv("KIOSK_SYS_ROOT", str(sys_root))
    monkeypatch.setenv("KIOSK_DEV_ROOT", str(dev_root))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


def site_config(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    # No reader on the test machine's default config: a QR-only kiosk (the NFC checks have their own tests).
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[nfc]\nenabled = false\n', encoding="utf-8")
    return path


def test_doctor_on_a_fresh_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--config", str(site_config(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "sera créée au premier lancement" in out
    assert "Tout va bien." in out


def test_doctor_json_on_a_used_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site_config(tmp_path)
    services = open_services(load_config(path))
    services.members.register("Karim", "Les Hauts")
    services.close()
    assert main(["doctor", "--json", "--config", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    by_name = {check["name"]: check for check in report["checks"]}
    assert by_name["base"]["status"] == "ok" and "intègre" in by_name["base"]["message"]
    assert by_name["journal"]["message"].startswith("1 évènement")
    assert by_name["disque"]["status"] in ("ok", "warn")


def test_doctor_finds_a_gap_in_the_journal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = site_config(tmp_path)
    services = open_services(load_config(path))
    for name in ("Karim", "Inès", "Lucas"):
        services.members.register(name, "Centre")
    # A fault no real part produces on demand: a journal row lost by hand-editing the database.
    services.store.conn.execute("DELETE FROM journal WHERE seq = 2")
    services.close()
    assert main(["doctor", "--config", str(path)]) == 1
    out = capsys.readouterr().out
    assert "le journal a des trous" in out and "[ÉCHEC]" in out


def test_bad_config_gives_a_sentence_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "site.toml"
    path.write_text("[kiosk]\ninactivity_seconds = -1\n", encoding="utf-8")
    assert main(["doctor", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "kiosk.inactivity_seconds" in err and "Traceback" not in err


def test_export_refuses_reversed_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(site_config(tmp_path))
    code = main(
        ["export", str(tmp_path / "x.csv"), "--from", "30/11/2026", "--to", "01/11/2026", "--config", config]
    )
    assert code == 2
    assert "précède" in capsys.readouterr().err


def test_bad_date_argument_is_explained(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(tmp_path / "x.csv"), "--from", "hier", "--to", "01/11/2026"])
    assert exit_info.value.code == 2
    assert "25/11/2026" in capsys.readouterr().err


def test_doctor_reports_printer_and_scanner(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[nfc]\nenabled = false\n'
        '[printer]\nkind = "simulated"\n[scanner]\ndevice = "/dev/input/by-id/no-such-scanner"\n',
        encoding="utf-8",
    )
    assert main(["doctor", "--json", "--config", str(path)]) == 1
    checks = {check["name"]: check for check in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["imprimante"]["status"] == "ok"
    assert checks["lecteur de QR"]["status"] == "fail"
    assert "introuvable" in checks["lecteur de QR"]["message"]


def test_doctor_fails_when_a_reader_is_expected_and_pcscd_is_absent(tmp_path: Path) -> None:
    # libpcsclite finds pcscd through PCSCLITE_CSOCK_NAME: a socket nobody listens on is a machine
    # where pcscd is down, whatever runs on this one. A subprocess, since the library caches the name.
    path = tmp_path / "site.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": str(tmp_path / "no-pcscd.comm")}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "doctor", "--config", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[ÉCHEC] pcscd" in result.stdout
    assert "Traceback" not in result.stderr
