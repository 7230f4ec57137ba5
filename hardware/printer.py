"""ESC/POS receipt printer (python-escpos transports) and the worker thread that keeps printing off the UI.

We write the ESC/POS stream ourselves (alignment, bold, size, code page, text bytes) and use
python-escpos for the transports and for raster images. Owning the text bytes means owning the code page:
its automatic encoder switches tables per character, which cheap 58 mm printers get wrong. The QR is sent
as our own image (quiet zone of 4 modules) rather than escpos's `qr()`, which draws only one module of
margin, too little for many phone scanners.

A whole job is rendered to bytes first and then sent in one write, after a DLE EOT 4 paper query: a job
either prints completely or fails before the first line, instead of leaving half a receipt. Failures are
`PrinterError`s (structured, French) and `PrinterStatus` events, so the UI can show the QR on screen.
"""

from __future__ import annotations

import errno
import itertools
import logging
import queue
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from escpos.exceptions import Error as EscposError  # light; escpos.escpos loads a large YAML at import

from hardware.events import PrinterStatus, PrintFinished
from hardware.ports import EventSink
from hardware.receipts import LINE_WIDTHS, Qr, Rule, Slip, Text, wrap
from kiosk.errors import ErrorKind, KioskError
from kiosk.i18n import N_

if TYPE_CHECKING:
    from escpos.escpos import Escpos
    from PIL import Image

log = logging.getLogger(__name__)

ESC, GS, DLE, EOT = b"\x1b", b"\x1d", b"\x10", b"\x04"
PAPER_STATUS_QUERY = DLE + EOT + b"\x04"  # "transmit roll paper sensor status"
CODE_TABLES = {"cp437": 0, "cp850": 2, "cp858": 19, "cp1252": 16}  # ESC t n, Epson numbering
MAX_MODULE_DOTS = 8  # 1 mm per module at 203 dpi is plenty; bigger only wastes paper


class PrinterState(StrEnum):
    READY = "ready"
    PAPER_LOW = "paper_low"  # near-end sensor: still prints, tell a librarian
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"  # unplugged, switched off, cover open, unreachable
    NOT_CONFIGURED = "not_configured"


_SHOW_ON_SCREEN = N_("Votre QR code reste affiché à l’écran : vous pouvez le photographier.")
PRINTER_OFFLINE = ErrorKind("printer.offline", N_("L’imprimante ne répond pas."), _SHOW_ON_SCREEN)
PRINTER_PAPER_OUT = ErrorKind("printer.paper_out", N_("L’imprimante n’a plus de papier."), _SHOW_ON_SCREEN)
PRINTER_NOT_CONFIGURED = ErrorKind(
    "printer.not_configured", N_("Cette borne n’a pas d’imprimante."), _SHOW_ON_SCREEN
)
_ERRORS = {
    PrinterState.OFFLINE: PRINTER_OFFLINE,
    PrinterState.PAPER_OUT: PRINTER_PAPER_OUT,
    PrinterState.NOT_CONFIGURED: PRINTER_NOT_CONFIGURED,
}


class PrinterError(KioskError):
    """A print that did not happen; `state` says why, `detail` is technical (for the log only)."""

    def __init__(self, state: PrinterState, detail: str = "") -> None:
        super().__init__(_ERRORS[state])
        self.state = state
        self.detail = detail


@dataclass(frozen=True)
class PrinterSettings:
    """The `[printer]` config section. `kind`: "none", "network" (host, port), "file" (device: the
    kernel's /dev/usb/lp0, no libusb needed), "usb" (usb_vendor, usb_product: pyusb), "serial" (device,
    baudrate: pyserial), "simulated" (folder)."""

    kind: str = "none"
    paper_mm: int = 58
    host: str = ""
    port: int = 9100
    device: str = ""
    usb_vendor: int = 0
    usb_product: int = 0
    baudrate: int = 19200
    codepage: str = "cp858"
    timeout_s: float = 5.0
    folder: str = ""

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> PrinterSettings:
        """Build from a config dict; ValueError names the wrong key (the config loader rewords it)."""
        known = {field.name: field for field in fields(cls)}
        for key in values:
            if key not in known:
                raise ValueError(f"printer.{key}: unknown key (expected one of {', '.join(known)})")
        settings = cls(**dict(values))
        if settings.kind not in ("none", "network", "file", "usb", "serial", "simulated"):
            raise ValueError("printer.kind: none, network, file, usb, serial or simulated")
        if settings.paper_mm not in LINE_WIDTHS:
            raise ValueError("printer.paper_mm: 58 or 80")
        if settings.codepage not in CODE_TABLES:
            raise ValueError(f"printer.codepage: one of {', '.join(CODE_TABLES)}")
        return settings

    @property
    def line_width(self) -> int:
        return LINE_WIDTHS[self.paper_mm]

    @property
    def dots(self) -> int:
        from hardware.qr import PRINT_DOTS_58MM, PRINT_DOTS_80MM

        return PRINT_DOTS_58MM if self.paper_mm == 58 else PRINT_DOTS_80MM


def parse_paper_status(reply: bytes) -> PrinterState | None:
    """Epson DLE EOT 4 reply: bits 2-3 = near end, bits 5-6 = paper end; bits 1 and 4 are always set and
    bits 0 and 7 clear, which tells a status byte from noise (None = no usable answer)."""
    if len(reply) < 1 or reply[-1] & 0x93 != 0x12:
        return None
    status = reply[-1]
    if status & 0x60:
        return PrinterState.PAPER_OUT
    if status & 0x0C:
        return PrinterState.PAPER_LOW
    return PrinterState.READY


def slip_image(payload: str, dots: int) -> Image.Image:
    """The QR centred on a paper-wide 1-bit canvas (alignment commands do not apply to raster images)."""
    from PIL import Image

    from hardware.qr import qr_image, qr_matrix  # qrcode and PIL: imported for the first slip

    matrix = qr_matrix(payload)
    module = min(MAX_MODULE_DOTS, dots // matrix.size_with_quiet_zone)
    code = qr_image(matrix, max(1, module))
    canvas = Image.new("1", (dots, code.height), 1)
    canvas.paste(code, ((dots - code.width) // 2, 0))
    return canvas


def render_escpos(slip: Slip, settings: PrinterSettings) -> bytes:
    """The complete job: init, code page, the blocks, feed and cut."""
    from escpos.printer import Dummy  # imported when printing: python-escpos takes ~0.15 s to import

    dummy = Dummy()
    out = [ESC + b"@", ESC + b"t" + bytes([CODE_TABLES[settings.codepage]])]
    width = settings.line_width
    for block in slip.blocks:
        if isinstance(block, Rule):
            out.append((block.char * width).encode("ascii", "replace") + b"\n")
        elif isinstance(block, Qr):
            dummy.clear()
            dummy.image(slip_image(block.payload, settings.dots), impl="bitImageRaster")
            out.append(dummy.output)
        else:
            out.append(_text(block, width, settings.codepage))
    out.append(b"\n" * 4 + GS + b"V\x01")  # feed past the cutter, then partial cut
    return b"".join(out)


def _text(block: Text, width: int, codepage: str) -> bytes:
    chars = width // 2 if block.big else width
    lines = wrap(block.text, chars, codepage)
    body = b"".join(line.encode(codepage) + b"\n" for line in lines)
    return (
        ESC + b"a" + (b"\x01" if block.center else b"\x00")
        + ESC + b"E" + (b"\x01" if block.bold else b"\x00")
        + GS + b"!" + (b"\x11" if block.big else b"\x00")
        + body
        + GS + b"!\x00" + ESC + b"E\x00" + ESC + b"a\x00"
    )  # fmt: skip


class SlipPrinter(Protocol):
    """What the worker drives: the ESC/POS printer here, or hardware.simulated.SimulatedPrinter."""

    def check(self) -> PrinterState:
        """Current state, asking the device; never raises."""
        ...

    def print_slip(self, slip: Slip) -> PrinterState:
        """Print or raise PrinterError; returns the state after printing (READY or PAPER_LOW)."""
        ...


def _open_transport(settings: PrinterSettings) -> Escpos:
    """A connected python-escpos transport; PrinterError(OFFLINE) when it cannot be reached."""
    from escpos import printer as transports

    device: Escpos
    if settings.kind == "network":
        device = transports.Network(settings.host, settings.port, timeout=settings.timeout_s)
    elif settings.kind == "file":
        device = transports.File(settings.device)
    elif settings.kind == "usb":
        device = transports.Usb(
            settings.usb_vendor, settings.usb_product, timeout=int(settings.timeout_s * 1000)
        )
    elif settings.kind == "serial":
        device = transports.Serial(settings.device, settings.baudrate, timeout=settings.timeout_s)
    else:
        raise PrinterError(PrinterState.NOT_CONFIGURED, settings.kind)
    try:
        device.open()
    except (EscposError, OSError) as error:
        raise PrinterError(PrinterState.OFFLINE, str(error)) from None
    except ImportError as error:  # pyusb or pyserial missing
        raise PrinterError(PrinterState.NOT_CONFIGURED, str(error)) from None
    return device


def _close(device: Escpos) -> None:
    """Close without raising: a file transport flushes again on close, and fails again if out of paper."""
    try:
        device.close()
    except (EscposError, OSError) as error:
        log.debug("closing the printer: %s", error)


class EscposPrinter:
    """One connection per job: a receipt printer left idle for hours drops sockets and USB handles."""

    STATUS_TIMEOUT_S = 1.0  # printers that never answer DLE EOT must not delay every receipt by much

    def __init__(self, settings: PrinterSettings) -> None:
        self.settings = settings

    def _paper(self, device: Escpos) -> PrinterState | None:
        """Ask for the paper sensor; None when the transport cannot read or the printer does not say."""
        if self.settings.kind == "file":
            return None  # the kernel's usblp node is opened write-only by escpos
        found = getattr(device, "device", None)
        sock = found if isinstance(found, socket.socket) else None
        is_socket = sock is not None
        try:
            device._raw(PAPER_STATUS_QUERY)
        except (EscposError, OSError) as error:
            raise PrinterError(PrinterState.OFFLINE, str(error)) from None
        if sock is not None:
            sock.settimeout(self.STATUS_TIMEOUT_S)
        try:
            reply = device._read()
        except (TimeoutError, NotImplementedError):
            return None
        except Exception as error:
            if is_socket and isinstance(error, OSError):
                raise PrinterError(PrinterState.OFFLINE, str(error)) from None
            # pyusb's and pyserial's read timeouts: no usable answer; writing the job will tell.
            log.debug("paper status unreadable: %r", error)
            return None
        finally:
            if sock is not None:
                sock.settimeout(self.settings.timeout_s)
        if is_socket and reply == b"":
            raise PrinterError(PrinterState.OFFLINE, "connection closed by the printer")
        return parse_paper_status(bytes(reply or b""))

    def check(self) -> PrinterState:
        try:
            device = _open_transport(self.settings)
        except PrinterError as error:
            return error.state
        try:
            return self._paper(device) or PrinterState.READY
        except PrinterError as error:
            return error.state
        finally:
            _close(device)

    def print_slip(self, slip: Slip) -> PrinterState:
        job = render_escpos(slip, self.settings)
        device = _open_transport(self.settings)
        try:
            paper = self._paper(device)
            if paper is PrinterState.PAPER_OUT:
                raise PrinterError(PrinterState.PAPER_OUT)
            try:
                device._raw(job)
            except OSError as error:
                state = PrinterState.PAPER_OUT if error.errno == errno.ENOSPC else PrinterState.OFFLINE
                raise PrinterError(state, str(error)) from None  # usblp says ENOSPC when out of paper
            except EscposError as error:
                raise PrinterError(PrinterState.OFFLINE, str(error)) from None
            return paper or PrinterState.READY
        finally:
            _close(device)


class PrinterWorker:
    """Runs jobs on its own thread; reports `PrintFinished` per job and `PrinterStatus` on each change."""

    def __init__(self, printer: SlipPrinter | None, events: EventSink) -> None:
        self.printer = printer
        self.events = events
        self.state: PrinterState | None = None
        self._jobs: queue.Queue[tuple[str, Slip | None] | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("printer worker already started")
        self._thread = threading.Thread(target=self._run, name="printer", daemon=True)
        self._thread.start()
        self._jobs.put(("check", None))  # the screen learns at once whether "Imprimer" makes sense

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout)
            self._thread = None

    def submit(self, slip: Slip) -> str:
        job_id = f"print-{next(self._ids)}"
        self._jobs.put((job_id, slip))
        return job_id

    def check(self) -> None:
        self._jobs.put(("check", None))

    def _report(self, state: PrinterState, message: str = "") -> None:
        if state is not self.state:
            self.state = state
            self.events.put(PrinterStatus(state=state.value, message=message))

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            job_id, slip = job
            if self.printer is None:
                self._report(PrinterState.NOT_CONFIGURED)
                if slip is not None:
                    self.events.put(PrintFinished(job_id, ok=False, error_code=PRINTER_NOT_CONFIGURED.code))
                continue
            if slip is None:
                self._report(self.printer.check())
                continue
            try:
                self._report(self.printer.print_slip(slip))
            except PrinterError as error:
                log.warning("print job %s failed: %s %s", job_id, error.code, error.detail)
                self._report(error.state, error.detail)
                self.events.put(PrintFinished(job_id, ok=False, error_code=error.code))
            except Exception as error:  # a printer must never take the kiosk down with it
                log.exception("print job %s crashed", job_id)
                self._report(PrinterState.OFFLINE, repr(error))
                self.events.put(PrintFinished(job_id, ok=False, error_code=PRINTER_OFFLINE.code))
            else:
                self.events.put(PrintFinished(job_id, ok=True))


def make_printer(settings: PrinterSettings) -> SlipPrinter | None:
    """The printer for a config section: None for "none", the simulated one for "simulated"."""
    if settings.kind == "none":
        return None
    if settings.kind == "simulated":
        from pathlib import Path

        from hardware.simulated import SimulatedPrinter

        return SimulatedPrinter(Path(settings.folder or "."), paper_mm=settings.paper_mm)
    return EscposPrinter(settings)
