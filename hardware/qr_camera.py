"""Camera scanning: decode QR codes from video frames with zxing-cpp, debounced into single scans.

The pure parts (`decode_frame`, `ScanDebouncer`) are what the tests exercise. `FrameScanner` moves the
decoding off the Kivy main thread: the screen hands it frames, it keeps only the newest one while busy
(a slow Pi must drop frames, never queue them up), and it puts `QrScanned` on the app's queue. The camera
glue itself (picamera2) is thin, imported lazily, and runs only where a camera is present.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
import time

import zxingcpp
from PIL import Image

from hardware.events import QrScanned
from hardware.ports import EventSink

log = logging.getLogger(__name__)

# How a frame's bytes are laid out → (PIL mode, PIL raw decoder mode).
_FORMATS = {
    "L": ("L", "L"),  # grey, e.g. the Y plane of picamera2's YUV420 "lores" stream
    "RGB": ("RGB", "RGB"),
    "BGR": ("RGB", "BGR"),
    "RGBA": ("RGBA", "RGBA"),  # Kivy camera textures
    "BGRA": ("RGBA", "BGRA"),
}
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
DEFAULT_MAX_SIDE = 640  # a QR filling a tenth of a 640 px frame still has ~3 px per module at version 8


def decode_frame(
    pixels: bytes | bytearray,
    width: int,
    height: int,
    fmt: str = "RGBA",
    max_side: int = DEFAULT_MAX_SIDE,
    stride: int = 0,
    bottom_up: bool = False,
) -> list[str]:
    """Texts of the QR codes in one frame (usually zero or one).

    Frames are reduced by a whole factor until their longer side is at most `max_side`: decoding time
    grows with the pixel count, and a QR held up to a kiosk camera is large in the frame. `bottom_up` is
    for Kivy textures, whose first row is the bottom one (zxing reads mirrored codes, but flipping is
    cheaper than its second attempt). Never raises on a short buffer: a torn frame is just no scan.
    """
    if fmt not in _FORMATS:
        raise ValueError(f"unknown frame format {fmt!r}; expected one of {', '.join(_FORMATS)}")
    mode, raw_mode = _FORMATS[fmt]
    try:
        image = Image.frombuffer(
            mode, (width, height), pixels, "raw", raw_mode, stride, -1 if bottom_up else 1
        )
    except ValueError:
        log.debug("frame of %d bytes is too short for %dx%d %s", len(pixels), width, height, fmt)
        return []
    grey = image if mode == "L" else image.convert("L")
    factor = -(-max(width, height) // max_side) if max_side > 0 else 1
    if factor > 1:
        grey = grey.reduce(factor)
    found = zxingcpp.read_barcodes(grey, formats=_QR_ONLY, try_rotate=False)
    return [barcode.text for barcode in found if barcode.valid and barcode.text]


class ScanDebouncer:
    """Same text seen again within `window` seconds of its last sighting is the same scan.

    The window slides: a pass held in front of the camera for ten seconds is one scan, and shown again
    after a pause of `window` seconds it is a new one (a person trying again).
    """

    def __init__(self, window: float = 3.0) -> None:
        self.window = window
        self._last_seen: dict[str, float] = {}

    def accept(self, text: str, at: float) -> bool:
        previous = self._last_seen.get(text)
        self._last_seen[text] = at
        if len(self._last_seen) > 64:  # forget codes not seen for a while: bounded memory
            self._last_seen = {t: s for t, s in self._last_seen.items() if at - s <= self.window}
        return previous is None or not 0 <= at - previous <= self.window


class FrameScanner:
    """Decodes frames on its own thread; the caller (Kivy Clock or the picamera2 loop) never waits."""

    def __init__(
        self,
        events: EventSink,
        source: str = "camera",
        window: float = 3.0,
        max_side: int = DEFAULT_MAX_SIDE,
    ) -> None:
        self.events = events
        self.source = source
        self.max_side = max_side
        self.debouncer = ScanDebouncer(window)
        self._frame: tuple[bytes, int, int, str, bool] | None = None
        self._ready = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.dropped = 0  # frames replaced before they were decoded (diagnostics)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("frame scanner already started")
        self._thread = threading.Thread(target=self._run, name="qr-camera", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._ready:
            self._stopping = True
            self._ready.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def submit(
        self, pixels: bytes, width: int, height: int, fmt: str = "RGBA", bottom_up: bool = False
    ) -> None:
        """Hand over a frame (a bytes copy: the caller's buffer may be reused). Replaces any frame still
        waiting, so latency stays one frame however slow decoding is."""
        with self._ready:
            if self._frame is not None:
                self.dropped += 1
            self._frame = (pixels, width, height, fmt, bottom_up)
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while self._frame is None and not self._stopping:
                    self._ready.wait()
                if self._stopping:
                    return
                assert self._frame is not None
                pixels, width, height, fmt, bottom_up = self._frame
                self._frame = None
            texts = decode_frame(pixels, width, height, fmt, self.max_side, bottom_up=bottom_up)
            now = time.monotonic()
            for text in texts:
                if self.debouncer.accept(text, now):
                    self.events.put(QrScanned(text=text, source=self.source))


class PiCamera:
    """picamera2 capture loop feeding a FrameScanner (Raspberry Pi camera modules only).

    Uses the small "lores" YUV420 stream: its first plane is the grey image zxing wants, so there is no
    colour conversion at all. Untested without a camera; `available()` says whether it can run here.
    """

    def __init__(self, scanner: FrameScanner, size: tuple[int, int] = (640, 480), fps: float = 8.0) -> None:
        self.scanner = scanner
        self.size = size
        self.period = 1.0 / fps
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def available() -> bool:
        return importlib.util.find_spec("picamera2") is not None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="picamera", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        # Imported by name: picamera2 exists only on Raspberry Pi OS (Debian python3-picamera2).
        camera = importlib.import_module("picamera2").Picamera2()
        width, height = self.size
        camera.configure(camera.create_video_configuration(lores={"size": self.size, "format": "YUV420"}))
        camera.start()
        try:
            while not self._stop.wait(self.period):
                frame = camera.capture_array("lores")  # (height * 3 / 2, stride) array, Y plane on top
                # Rows may be padded beyond `width`: slicing drops the padding in the copy.
                self.scanner.submit(frame[:height, :width].tobytes(), width, height, "L")
        finally:
            camera.stop()
            camera.close()
