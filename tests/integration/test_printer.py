"""The receipt printer: ESC/POS bytes inspected, and jobs sent over real TCP to a network printer of ours.

`NetworkPrinter` is a TCP server on 127.0.0.1 (free port) that records what it receives and answers the
DLE EOT 4 paper query like an Epson-compatible printer; it can also refuse connections, hang up at once,
or stay silent, which are the ways a real one fails. /dev/full stands for a USB printer (usblp) that
reports "no space" when its paper runs out.
"""

from __future__ import annotations

import queue
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageOps

from hardware.events import PrinterStatus, PrintFinished
from hardware.printer import (
    EscposPrinter,
    PrinterError,
    PrinterSettings,
    PrinterState,
    PrinterWorker,
    make_printer,
    parse_paper_status,
    render_escpos,
)
from hardware.receipts import (
    ExchangeReceipt,
    Slip,
    Text,
    exchange_receipt_slip,
    format_duration,
    member_pass_slip,
    text_lines,
    transliterate,
    wrap,
)

PAPER_OK, PAPER_NEAR_END, PAPER_OUT = 0x12, 0x1E, 0x72
QUERY = b"\x10\x04\x04"

RECEIPT = ExchangeReceipt(
    exchange_id="01936f8e-8a3c-7b2d-9c4e-5f6a7b8c9d0e",
    title="Réparer les freins d’un vélo et régler le dérailleur « comme un pro »",
    theme="Vélo",
    occurred_at=datetime(2026, 11, 25, 10, 0),
    duration_min=90,
    place="Maison de quartier des Hauts-de-Belleville",
    transmitters=("Karim",),
    learners=("Élodie", "Zoé", "Jean-Marc"),
    collective_name="Savoirs en partage — Belleville œuvre commune",
    qr_payload="https://savoirs.example.org/e/01936f8e-8a3c-7b2d-9c4e-5f6a7b8c9d0e",
    pending=True,
)


class NetworkPrinter:
    """A raw-port (9100) printer stand-in: records bytes, answers the paper query with `paper`."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.received = bytearray()
        self.paper = PAPER_OK
        self.mode = "normal"  # "normal", "hang_up" (accept then close), "silent" (never answers)
        self.connections = 0
        self._finished = threading.Semaphore(0)  # released when a connection has been read to its end
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                if self.mode != "hang_up":
                    self._talk(connection)
            self._finished.release()

    def wait_for_job(self, timeout: float = 5.0) -> None:
        """The client's send returns before our side has read everything: wait for the job's end."""
        assert self._finished.acquire(timeout=timeout), "the printer never saw the job end"

    def _talk(self, connection: socket.socket) -> None:
        while chunk := connection.recv(65536):
            self.received += chunk
            if chunk.startswith(QUERY) and self.mode == "normal":
                connection.sendall(bytes([self.paper]))

    def refuse(self) -> None:
        """Stop listening: the next connection is refused, as with a printer switched off."""
        self.listener.close()

    def settings(self, paper_mm: int = 58) -> PrinterSettings:
        return PrinterSettings(
            kind="network", host="127.0.0.1", port=self.port, paper_mm=paper_mm, timeout_s=2
        )


@pytest.fixture
def network_printer() -> Iterator[NetworkPrinter]:
    printer = NetworkPrinter()
    yield printer
    printer.listener.close()


def raster_images(job: bytes) -> list[Image.Image]:
    """The GS v 0 raster images in an ESC/POS stream, as PIL images (ESC/POS: bit 1 = black dot)."""
    images, start = [], 0
    while (start := job.find(b"\x1dv0", start)) >= 0:
        width_bytes = int.from_bytes(job[start + 4 : start + 6], "little")
        height = int.from_bytes(job[start + 6 : start + 8], "little")
        data = job[start + 8 : start + 8 + width_bytes * height]
        raw = Image.frombytes("1", (width_bytes * 8, height), data).convert("L")
        images.append(ImageOps.invert(raw))
        start += 8 + len(data)
    return images


# --- layout -----------------------------------------------------------------------------------------


def test_french_text_wraps_without_orphan_punctuation() -> None:
    lines = wrap("Merci beaucoup pour ce partage ! Et à bientôt ?", 24)
    assert lines == ["Merci beaucoup pour ce", "partage ! Et à bientôt ?"]
    assert wrap("Vous avez appris : « la cuisine »", 20) == ["Vous avez appris :", "« la cuisine »"]
    assert all(len(line) <= 10 for line in wrap("https://savoirs.example.org/e/0193", 10))
    assert wrap("", 32) == [""] and wrap("a\nb", 32) == ["a", "b"]


def test_characters_outside_the_code_page_are_transliterated() -> None:
    assert transliterate("œuvre d’art — « café » · 5 €") == "oeuvre d'art - « café » · 5 €"
    assert transliterate("œuvre à 5 €", "cp437") == "oeuvre à 5 EUR"
    assert transliterate("Zoë 🙂 Łódź ﬁn") == "Zoë ? Lódz fin"


def test_every_line_fits_58_and_80_mm_paper() -> None:
    for width in (32, 48):
        lines = text_lines(exchange_receipt_slip(RECEIPT), width)
        assert all(len(line) <= width for line in lines if not line.startswith("[QR]"))
    assert (
        format_duration(90) == "1 h 30" and format_duration(45) == "45 min" and format_duration(120) == "2 h"
    )


# --- ESC/POS bytes (escpos Dummy under the hood) ----------------------------------------------------


@pytest.mark.parametrize(("paper_mm", "width_bytes"), [(58, 48), (80, 72)])
def test_receipt_bytes(paper_mm: int, width_bytes: int) -> None:
    job = render_escpos(exchange_receipt_slip(RECEIPT), PrinterSettings(paper_mm=paper_mm))
    assert job.startswith(b"\x1b@\x1bt\x13")  # init, then code page 19 = cp858 (with €)
    assert "Réparer les freins d'un vélo".encode("cp858") in job
    assert b"oeuvre" in job and "œ".encode() not in job
    assert b"\x1ba\x01\x1bE\x01" in job  # centred bold heading
    assert job.endswith(b"\x1dV\x01")  # partial cut
    (image,) = raster_images(job)
    assert image.width == width_bytes * 8
    (barcode,) = zxingcpp.read_barcodes(image)
    assert barcode.text == RECEIPT.qr_payload


def test_member_pass_bytes_carry_a_readable_qr() -> None:
    pass_text = "KDS1.awc8CQGiFEKEj3B4lr_ovlGCeuLRaNN2Y29sbGVjdGlmLWxvY2Fs.N66m6wkBz_KbNSgcyFC4lRxC"
    slip = member_pass_slip("Zoé", "Collectif des Hauts", datetime(2026, 11, 25), pass_text)
    (image,) = raster_images(render_escpos(slip, PrinterSettings()))
    assert zxingcpp.read_barcodes(image)[0].text == pass_text


def test_paper_status_bits() -> None:
    assert parse_paper_status(bytes([PAPER_OK])) is PrinterState.READY
    assert parse_paper_status(bytes([PAPER_NEAR_END])) is PrinterState.PAPER_LOW
    assert parse_paper_status(bytes([PAPER_OUT])) is PrinterState.PAPER_OUT
    assert parse_paper_status(b"") is None and parse_paper_status(b"\xff") is None


# --- a network printer over TCP ---------------------------------------------------------------------


def test_a_job_is_one_paper_query_then_the_whole_receipt(network_printer: NetworkPrinter) -> None:
    settings = network_printer.settings()
    slip = exchange_receipt_slip(RECEIPT)
    assert EscposPrinter(settings).print_slip(slip) is PrinterState.READY
    network_printer.wait_for_job()
    assert bytes(network_printer.received) == QUERY + render_escpos(slip, settings)


def test_paper_low_still_prints_and_paper_out_prints_nothing(network_printer: NetworkPrinter) -> None:
    printer = EscposPrinter(network_printer.settings(paper_mm=80))
    network_printer.paper = PAPER_NEAR_END
    assert printer.print_slip(exchange_receipt_slip(RECEIPT)) is PrinterState.PAPER_LOW
    network_printer.wait_for_job()
    network_printer.received.clear()
    network_printer.paper = PAPER_OUT
    with pytest.raises(PrinterError) as caught:
        printer.print_slip(exchange_receipt_slip(RECEIPT))
    assert caught.value.state is PrinterState.PAPER_OUT and caught.value.code == "printer.paper_out"
    assert caught.value.text(language="fr") == (
        "L’imprimante n’a plus de papier. "
        "Votre QR code reste affiché à l’écran : vous pouvez le photographier."
    )
    network_printer.wait_for_job()
    assert bytes(network_printer.received) == QUERY
    assert printer.check() is PrinterState.PAPER_OUT


def test_a_printer_that_hangs_up_or_refuses_is_offline(network_printer: NetworkPrinter) -> None:
    printer = EscposPrinter(network_printer.settings())
    network_printer.mode = "hang_up"
    with pytest.raises(PrinterError) as caught:
        printer.print_slip(exchange_receipt_slip(RECEIPT))
    assert caught.value.state is PrinterState.OFFLINE
    network_printer.refuse()
    with pytest.raises(PrinterError) as caught:
        printer.print_slip(exchange_receipt_slip(RECEIPT))
    assert caught.value.state is PrinterState.OFFLINE
    assert printer.check() is PrinterState.OFFLINE


def test_a_printer_that_never_answers_the_query_still_prints(
    network_printer: NetworkPrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EscposPrinter, "STATUS_TIMEOUT_S", 0.2)
    network_printer.mode = "silent"
    slip = Slip("receipt", (Text("Bonjour"),))
    assert EscposPrinter(network_printer.settings()).print_slip(slip) is PrinterState.READY
    network_printer.wait_for_job()
    assert bytes(network_printer.received).endswith(render_escpos(slip, network_printer.settings()))


def test_a_usb_printer_out_of_paper_reports_it(tmp_path: Path) -> None:
    slip = Slip("receipt", (Text("Bonjour"),))
    spool = tmp_path / "lp0"
    assert (
        EscposPrinter(PrinterSettings(kind="file", device=str(spool))).print_slip(slip) is PrinterState.READY
    )
    assert spool.read_bytes() == render_escpos(slip, PrinterSettings())
    with pytest.raises(PrinterError) as caught:  # usblp answers ENOSPC when out of paper, as /dev/full does
        EscposPrinter(PrinterSettings(kind="file", device="/dev/full")).print_slip(slip)
    assert caught.value.state is PrinterState.PAPER_OUT
    with pytest.raises(PrinterError) as caught:
        EscposPrinter(PrinterSettings(kind="file", device=str(tmp_path / "no" / "lp0"))).print_slip(slip)
    assert caught.value.state is PrinterState.OFFLINE


def drain(events: queue.Queue[Any], count: int) -> list[Any]:
    return [events.get(timeout=10) for _ in range(count)]


def test_worker_reports_jobs_and_state_changes(network_printer: NetworkPrinter) -> None:
    events: queue.Queue[Any] = queue.Queue()
    worker = PrinterWorker(EscposPrinter(network_printer.settings()), events)
    worker.start()
    try:
        assert drain(events, 1)[0].state == "ready"  # the check made at start
        job = worker.submit(exchange_receipt_slip(RECEIPT))
        (done,) = drain(events, 1)  # no state change: only the job's result
        assert done == PrintFinished(job, ok=True, at=done.at)
        network_printer.paper = PAPER_OUT
        job = worker.submit(exchange_receipt_slip(RECEIPT))
        status, done = drain(events, 2)
        assert isinstance(status, PrinterStatus) and status.state == "paper_out"
        assert (done.job_id, done.ok, done.error_code) == (job, False, "printer.paper_out")
        network_printer.paper = PAPER_OK
        worker.check()
        assert drain(events, 1)[0].state == "ready"
    finally:
        worker.stop()
    assert not worker.running


def test_without_a_printer_every_job_says_so() -> None:
    events: queue.Queue[Any] = queue.Queue()
    worker = PrinterWorker(make_printer(PrinterSettings(kind="none")), events)
    worker.start()
    job = worker.submit(Slip("receipt", (Text("x"),)))
    status, done = drain(events, 2)
    worker.stop()
    assert status.state == "not_configured"
    assert (done.job_id, done.ok, done.error_code) == (job, False, "printer.not_configured")


def test_settings_from_a_config_section() -> None:
    settings = PrinterSettings.from_mapping({"kind": "network", "host": "10.0.0.9", "paper_mm": 80})
    assert (settings.port, settings.line_width, settings.dots) == (9100, 48, 576)
    for wrong in ({"kind": "bluetooth"}, {"paper_mm": 57}, {"codepage": "utf-8"}, {"colour": "red"}):
        with pytest.raises(ValueError):
            PrinterSettings.from_mapping(wrong)
