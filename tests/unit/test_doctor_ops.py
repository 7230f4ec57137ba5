"""The checks `kiosk doctor` gained in issue 7: display, touchscreen, card read, clock, last backup,
update. The display and touch checks read fake /sys and /dev trees made in temporary folders (a test
machine has neither a DSI screen nor a touchscreen); the card read goes through the demo's simulated
reader (hardware/simulated.py), the same events as the PC/SC monitor."""

from __future__ import annotations

import json
import queue
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hardware.device_doctor import card_read_check, display_check, touch_check
from hardware.simulated import SimulatedReader
from kiosk.backup import make_backup
from kiosk.clock import FixedClock
from kiosk.config import Config
from kiosk.doctor import Report, Status, check_backups, check_clock, check_update
from kiosk.services import Services
from kiosk.update import PENDING_FILE, record


def fake_machine(
    root: Path, *, screen: str = "connected", touch: bool = True, abs_bits: str = "260800000000003"
) -> tuple[Path, Path]:
    """A Pi's /sys and /dev as the checks read them: the official DSI display and its touch panel."""
    sys_root, dev_root = root / "sys", root / "dev"
    connector = sys_root / "class" / "drm" / "card1-DSI-1"
    connector.mkdir(parents=True)
    (connector / "status").write_text(screen + "\n")
    (dev_root / "dri").mkdir(parents=True)
    (dev_root / "dri" / "card1").write_text("")
    (dev_root / "input").mkdir()
    keyboard = sys_root / "class" / "input" / "event0" / "device"
    (keyboard / "capabilities").mkdir(parents=True)
    (keyboard / "name").write_text("USB Keyboard\n")
    (keyboard / "capabilities" / "abs").write_text("0\n")
    (keyboard / "properties").write_text("0\n")
    if touch:
        panel = sys_root / "class" / "input" / "event3" / "device"
        (panel / "capabilities").mkdir(parents=True)
        (panel / "name").write_text("10-0038 generic ft5x06 (79)\n")
        (panel / "capabilities" / "abs").write_text(abs_bits + "\n")  # X, Y, MT_SLOT, MT_POSITION_X/Y…
        (panel / "properties").write_text("2\n")  # INPUT_PROP_DIRECT
        (dev_root / "input" / "event3").write_text("")
    return sys_root, dev_root


def test_display_and_touchscreen_found(tmp_path: Path) -> None:
    sys_root, dev_root = fake_machine(tmp_path)
    assert display_check(sys_root, dev_root, {}) == (
        "écran",
        "ok",
        f"branché sur DSI-1 (KMS, {dev_root}/dri/card1).",
    )
    _, status, message = touch_check(sys_root, dev_root)
    assert status == "ok" and "ft5x06" in message and "event3" in message and "Keyboard" not in message


def test_a_32_bit_kernel_prints_the_touch_axes_as_two_words(tmp_path: Path) -> None:
    sys_root, dev_root = fake_machine(tmp_path, abs_bits="2608000 3")
    assert touch_check(sys_root, dev_root)[1] == "ok"


def test_no_screen_plugged_says_what_to_check(tmp_path: Path) -> None:
    sys_root, dev_root = fake_machine(tmp_path, screen="disconnected", touch=False)
    _, status, message = display_check(sys_root, dev_root, {})
    assert status == "fail" and "nappe" in message
    _, status, message = touch_check(sys_root, dev_root)
    assert status == "fail" and "aucun écran tactile" in message


def test_no_kms_at_all_names_the_overlay(tmp_path: Path) -> None:
    _, status, message = display_check(tmp_path / "sys", tmp_path / "dev", {})
    assert status == "fail" and "vc4-kms-v3d" in message
    assert display_check(tmp_path / "sys", tmp_path / "dev", {"DISPLAY": ":0"})[1] == "ok"


def test_a_card_read_through_the_reader_monitor(services: Services) -> None:
    key = services.ctx.card_key

    def with_a_card(events: queue.Queue[object]) -> SimulatedReader:
        return SimulatedReader(events, key, script=[(bytes.fromhex("04A1B2C3D4E5F6"), 0.05)])

    assert card_read_check(with_a_card, 2.0, asked=True)[1:] == (
        "ok",
        "carte lue sur « Lecteur simulé » (mifare_ultralight).",
    )
    nobody = card_read_check(lambda events: SimulatedReader(events, key), 0.2, asked=True)
    assert nobody[1] == "fail" and "posez une carte" in nobody[2]
    quick = card_read_check(lambda events: SimulatedReader(events, key), 0.1, asked=False)
    assert quick[1] == "ok" and "non testée" in quick[2]


def test_clock_not_synced_is_a_warning_naming_timedatectl(services: Services, clock: FixedClock) -> None:
    clock.is_synced = False
    services.members.register("Karim", "Les Hauts")  # an event with clock_synced = false
    report = Report()
    check_clock(report, clock, services.store.path)
    (found,) = report.checks
    assert found.status is Status.WARN and "timedatectl" in found.message
    assert "1 évènement(s) enregistré(s) avant que l’heure soit sûre" in found.message


def test_age_of_the_last_backup(services: Services, config: Config) -> None:
    made = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    data_dir, db = config.data_dir, config.database_path

    def status_at(now: datetime) -> tuple[Status, str]:
        report = Report()
        check_backups(report, data_dir, db, now)
        return report.checks[0].status, report.checks[0].message

    status, message = status_at(made)
    assert status is Status.WARN and "kiosk backup" in message  # none yet
    make_backup(db, data_dir / "backups", now=lambda: made)
    assert status_at(made + timedelta(hours=10))[0] is Status.OK
    assert status_at(made + timedelta(hours=40))[0] is Status.WARN
    status, message = status_at(made + timedelta(days=9))
    assert status is Status.FAIL and "9 jours" in message and "journalctl -u kiosk-backup" in message


def test_an_unconfirmed_update_and_a_recent_rollback(tmp_path: Path) -> None:
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    report = Report()
    check_update(report, tmp_path, now)
    assert report.checks == [], "silent when nothing happened"
    (tmp_path / PENDING_FILE).write_text(json.dumps({
        "previous": "0.1.0-a", "new": "0.2.0-b", "deadline": (now - timedelta(minutes=5)).isoformat(),
        "switched_at": (now - timedelta(minutes=6)).isoformat(),
    }))  # fmt: skip
    check_update(report, tmp_path, now)
    assert report.checks[-1].status is Status.WARN and "kiosk update check" in report.checks[-1].message
    (tmp_path / PENDING_FILE).unlink()
    record(tmp_path, "rollback", now - timedelta(hours=1), **{"from": "0.2.0-b", "to": "0.1.0-a"}, reason="x")
    check_update(report, tmp_path, now)
    assert report.checks[-1].status is Status.WARN and "0.2.0-b a été annulée" in report.checks[-1].message


def test_doctor_json_lists_every_new_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from kiosk.cli import main

    sys_root, dev_root = fake_machine(tmp_path)
    monkeypatch.setenv("KIOSK_SYS_ROOT", str(sys_root))
    monkeypatch.setenv("KIOSK_DEV_ROOT", str(dev_root))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n[nfc]\nenabled = false\n', encoding="utf-8")
    assert main(["doctor", "--json", "--config", str(site)]) == 0
    names = {check["name"] for check in json.loads(capsys.readouterr().out)["checks"]}
    assert {"écran", "écran tactile", "heure", "sauvegarde", "disque", "base", "hub", "imprimante"} <= names
