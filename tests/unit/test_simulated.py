"""Simulated devices put the same events as the real adapters on the queue, and their faults switch."""

from __future__ import annotations

import queue
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import zxingcpp
from PIL import Image

from hardware.events import (
    CardKind,
    CardRefused,
    CardRemoved,
    CardTapped,
    PrinterStatus,
    PrintFinished,
    QrScanned,
    ReaderStatus,
)
from hardware.ports import ReaderState
from hardware.printer import PrinterError, PrinterSettings, PrinterState, PrinterWorker, make_printer
from hardware.receipts import member_pass_slip
from hardware.simulated import SIMULATED_READER, SimulatedPrinter, SimulatedReader, SimulatedScanner
from kiosk.cardid import uid_hash

KEY = bytes(range(32))
KARIM = bytes.fromhex("04A1B2C3D4E5F6")
ZOE = bytes.fromhex("DEADBEEF")
PHONE = bytes.fromhex("08123456")


def drain(events: queue.Queue[Any]) -> list[Any]:
    found = []
    while not events.empty():
        found.append(events.get_nowait())
    return found


def started_reader(events: queue.Queue[Any], **options: Any) -> SimulatedReader:
    reader = SimulatedReader(events, KEY, **options)
    reader.start()
    assert drain(events) == [ReaderStatus(SIMULATED_READER, ReaderState.READY, at=ANY)]
    return reader


def test_taps_are_hashed_like_real_ones_and_one_card_at_a_time() -> None:
    events: queue.Queue[Any] = queue.Queue()
    reader = started_reader(events)
    reader.tap(KARIM)
    reader.tap(ZOE)  # a second card replaces the first
    reader.remove()
    reader.remove()  # nothing left: no event
    tapped, removed, tapped_again, removed_again = drain(events)
    assert isinstance(tapped, CardTapped) and tapped.uid_hash == uid_hash(KEY, KARIM)
    assert tapped.uid == KARIM and tapped.atr_kind is CardKind.MIFARE_ULTRALIGHT
    assert tapped.reader == SIMULATED_READER and "04a1b2" not in repr(tapped).lower()
    assert isinstance(removed, CardRemoved)
    assert isinstance(tapped_again, CardTapped) and tapped_again.uid_hash == uid_hash(KEY, ZOE)
    assert isinstance(removed_again, CardRemoved)
    reader.stop()
    assert drain(events)[-1].state is ReaderState.STOPPED


def test_a_phone_random_uid_is_refused() -> None:
    events: queue.Queue[Any] = queue.Queue()
    reader = started_reader(events)
    reader.tap(PHONE)
    (refused,) = drain(events)
    assert isinstance(refused, CardRefused) and refused.reason == "random_uid"


def test_faults_unplugged_and_pcscd_down() -> None:
    events: queue.Queue[Any] = queue.Queue()
    reader = started_reader(events)
    reader.tap(KARIM)
    reader.unplug()
    assert [type(e) for e in drain(events)] == [CardTapped, CardRemoved, ReaderStatus]
    assert not reader.readers
    reader.tap(ZOE)  # not seen while unplugged
    reader.unplug()  # no change, no event
    assert drain(events) == []
    reader.plug()
    reader.pcscd_down()
    plugged, down = drain(events)
    assert plugged.state is ReaderState.READY and plugged.reader == SIMULATED_READER
    assert down.state is ReaderState.SERVICE_DOWN and down.reader == ""
    reader.pcscd_up()
    assert drain(events)[0].state is ReaderState.READY
    assert reader.readers == (SIMULATED_READER,)


def test_a_script_plays_on_its_own_thread() -> None:
    events: queue.Queue[Any] = queue.Queue()
    reader = started_reader(events, script=[(KARIM, 0.01), (ZOE, 0.01)], hold=0.01)
    kinds = [type(events.get(timeout=5)) for _ in range(4)]
    assert kinds == [CardTapped, CardRemoved, CardTapped, CardRemoved]
    reader.stop()


def test_scanner_puts_qr_scanned() -> None:
    events: queue.Queue[Any] = queue.Queue()
    SimulatedScanner(events).scan("KDS1.abc")
    (scan,) = drain(events)
    assert isinstance(scan, QrScanned) and (scan.text, scan.source) == ("KDS1.abc", "simulated")


def test_printer_writes_text_and_qr_png(tmp_path: Path) -> None:
    printer = make_printer(PrinterSettings(kind="simulated", folder=str(tmp_path / "tickets")))
    assert isinstance(printer, SimulatedPrinter)
    slip = member_pass_slip("Zoé", "Collectif des Hauts", datetime(2026, 11, 25), "KDS1.demo-pass")
    assert printer.print_slip(slip) is PrinterState.READY
    assert printer.print_slip(slip) is PrinterState.READY
    text = (tmp_path / "tickets" / "0002-pass.txt").read_text(encoding="utf-8")
    assert "Passe membre" in text and "Zoé" in text
    assert all(len(line) <= 32 for line in text.splitlines() if not line.startswith("[QR]"))
    png = Image.open(tmp_path / "tickets" / "0001-pass.png")
    assert zxingcpp.read_barcodes(png)[0].text == "KDS1.demo-pass"


def test_printer_faults_reach_the_queue_through_the_worker(tmp_path: Path) -> None:
    events: queue.Queue[Any] = queue.Queue()
    printer = SimulatedPrinter(tmp_path)
    worker = PrinterWorker(printer, events)
    worker.start()
    try:
        assert events.get(timeout=5) == PrinterStatus("ready", at=ANY)
        printer.paper_out = True
        worker.check()
        assert events.get(timeout=5).state == "paper_out"
        job = worker.submit(member_pass_slip("Zoé", "C", datetime(2026, 11, 25), "KDS1.x"))
        done = events.get(timeout=5)
        assert isinstance(done, PrintFinished) and (done.job_id, done.ok) == (job, False)
        assert done.error_code == "printer.paper_out"
        printer.paper_out, printer.offline = False, True
        try:
            printer.print_slip(member_pass_slip("Zoé", "C", datetime(2026, 11, 25), "KDS1.x"))
        except PrinterError as error:
            assert error.state is PrinterState.OFFLINE
        else:
            raise AssertionError("an offline printer printed")
    finally:
        worker.stop()
    assert list(tmp_path.iterdir()) == []
