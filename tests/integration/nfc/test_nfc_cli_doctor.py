"""`kiosk tap` (hardware.nfc_cli.tap_command) and the NFC doctor checks against the real PC/SC stack."""

from __future__ import annotations

import io
import json
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from hardware.atr import ATR_DESFIRE, ATR_MIFARE_ULTRALIGHT
from hardware.nfc_cli import EXIT_CHECK_SETUP, EXIT_NO_CARD, EXIT_OK, NO_KEY, tap_command
from hardware.nfc_doctor import FAIL, OK, WARN, nfc_checks
from kiosk.cardid import uid_hash
from kiosk.config import Config, load_config, with_data_dir
from kiosk.services import open_services
from tests.integration.nfc.harness import CARD_KEY, READER_A
from tests.integration.nfc.pcscd import Pcscd
from tests.integration.nfc.vpcd_card import VirtualCard, VpcdSlot

pytestmark = pytest.mark.pcsc

Slots = tuple[VpcdSlot, VpcdSlot]


@pytest.fixture
def config(tmp_path: Path) -> Config:
    base = with_data_dir(load_config(None), tmp_path / "data")
    return replace(base, security=replace(base.security, card_key=CARD_KEY.hex()))


class TapRun:
    """`tap_command` in a thread, as `kiosk tap` would run it, with its output captured."""

    def __init__(self, config: Config, timeout: float | None = 15.0) -> None:
        self.out, self.err = io.StringIO(), io.StringIO()
        self.code: int | None = None
        self.thread = threading.Thread(target=self._run, args=(config, timeout))
        self.thread.start()

    def _run(self, config: Config, timeout: float | None) -> None:
        self.code = tap_command(config, timeout, out=self.out, err=self.err)

    def wait_until_waiting(self) -> None:
        for _ in range(200):
            if "Posez une carte" in self.err.getvalue() or not self.thread.is_alive():
                return
            self.thread.join(0.05)

    def result(self) -> tuple[int | None, list[dict[str, object]], str]:
        self.thread.join(30)
        assert not self.thread.is_alive(), "tap_command did not return"
        lines = [json.loads(line) for line in self.out.getvalue().splitlines()]
        return self.code, lines, self.err.getvalue()


def test_tap_prints_one_json_line(pcscd: Pcscd, slots: Slots, config: Config) -> None:
    run = TapRun(config)
    run.wait_until_waiting()
    uid = bytes.fromhex("04A1B2C3D4E5F6")
    slots[0].insert(VirtualCard(uid, ATR_MIFARE_ULTRALIGHT))
    code, lines, _ = run.result()
    assert code == EXIT_OK
    assert lines == [
        {
            "reader": READER_A,
            "uid": "04A1B2C3D4E5F6",
            "uid_hash": uid_hash(CARD_KEY, uid),
            "card_type": "mifare_ultralight",
            "random_uid": False,
        }
    ]


def test_tap_shows_a_random_uid_for_what_it_is(pcscd: Pcscd, slots: Slots, config: Config) -> None:
    run = TapRun(config)
    run.wait_until_waiting()
    slots[1].insert(VirtualCard(bytes.fromhex("08123456"), ATR_DESFIRE))
    code, lines, _ = run.result()
    assert code == EXIT_OK
    assert lines[0]["random_uid"] is True
    assert lines[0]["card_type"] == "desfire"


def test_tap_hashes_with_the_key_the_kiosk_made_itself(pcscd: Pcscd, slots: Slots, tmp_path: Path) -> None:
    config = with_data_dir(load_config(None), tmp_path / "data")
    services = open_services(config)
    kiosk_key = services.ctx.card_key
    services.close()
    run = TapRun(config)
    run.wait_until_waiting()
    uid = bytes.fromhex("04112233")
    slots[0].insert(VirtualCard(uid))
    code, lines, _ = run.result()
    assert code == EXIT_OK
    assert lines[0]["uid_hash"] == uid_hash(kiosk_key, uid)


def test_tap_without_any_key_yet_prints_no_hash(pcscd: Pcscd, slots: Slots, tmp_path: Path) -> None:
    config = with_data_dir(load_config(None), tmp_path / "never-started")
    run = TapRun(config)
    run.wait_until_waiting()
    slots[0].insert(VirtualCard(bytes.fromhex("04112233")))
    code, lines, err = run.result()
    assert code == EXIT_OK
    assert lines[0]["uid_hash"] is None
    assert NO_KEY in err
    assert not (tmp_path / "never-started").exists(), "kiosk tap must not create the kiosk's database"


def test_tap_gives_up_after_its_timeout(pcscd: Pcscd, slots: Slots, config: Config) -> None:
    code, lines, err = TapRun(config, timeout=1.5).result()
    assert (code, lines) == (EXIT_NO_CARD, [])
    assert "Aucune carte présentée en 1.5 s." in err


def test_tap_without_pcscd_says_how_to_start_it(owned_pcscd: Pcscd, config: Config) -> None:
    owned_pcscd.stop()
    code, lines, err = TapRun(config).result()
    assert (code, lines) == (EXIT_CHECK_SETUP, [])
    assert "Le service pcscd ne répond pas : lancez `sudo systemctl start pcscd`" in err


def test_tap_without_a_reader_says_what_to_check(owned_pcscd: Pcscd, config: Config) -> None:
    owned_pcscd.virtual_reader = False
    owned_pcscd.restart()
    code, lines, err = TapRun(config).result()
    assert (code, lines) == (EXIT_CHECK_SETUP, [])
    assert "Aucun lecteur de cartes n’est branché" in err


def test_doctor_names_the_readers(pcscd: Pcscd) -> None:
    checks = nfc_checks()
    assert [(name, status) for name, status, _ in checks] == [
        ("pcscd", OK),
        ("lecteurs NFC", OK),
    ]
    assert "Virtual PCD 00 00" in checks[1][2]


def test_doctor_without_pcscd(owned_pcscd: Pcscd) -> None:
    owned_pcscd.stop()
    [(name, status, message)] = nfc_checks()
    assert (name, status) == ("pcscd", FAIL)
    assert "sudo systemctl start pcscd" in message
    assert nfc_checks(required=False)[0][1] == WARN


def test_doctor_without_a_reader(owned_pcscd: Pcscd) -> None:
    owned_pcscd.virtual_reader = False
    owned_pcscd.restart()
    checks = nfc_checks()
    assert checks[0][:2] == ("pcscd", OK)
    assert checks[1][:2] == ("lecteurs NFC", FAIL)
    assert "branchez le lecteur" in checks[1][2]
