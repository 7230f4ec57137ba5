"""Kivy camera glue: hands the frames a Kivy camera widget shows to a `FrameScanner`.

The Kivy camera provider (GStreamer, OpenCV, or picamera through libcamera's V4L2 bridge) delivers its
frames into a widget's texture on the main thread. Reading that texture is the only work done there, a
few times a second; decoding runs on the scanner's own thread and results come back as `QrScanned` events
on the app's queue, like every other device. On a Pi camera module, `hardware.qr_camera.PiCamera` is the
lighter path (no texture at all).
"""

from __future__ import annotations

from typing import Any

from hardware.qr_camera import FrameScanner

DEFAULT_INTERVAL_S = 0.2  # five looks a second: enough for a pass held in front of the lens


class KivyCameraFeed:
    """Every `interval` seconds (Kivy clock), copy the widget's current frame to the scanner.

    `source` is any widget with a `texture` (kivy.uix.camera.Camera in the app). Must be started and
    stopped on the Kivy main thread.
    """

    def __init__(self, source: Any, scanner: FrameScanner, interval: float = DEFAULT_INTERVAL_S) -> None:
        self.source = source
        self.scanner = scanner
        self.interval = interval
        self._event: Any = None
        self.frames = 0  # frames handed over (diagnostics)

    def start(self) -> None:
        from kivy.clock import Clock

        if self._event is None:
            self._event = Clock.schedule_interval(self._look, self.interval)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _look(self, _dt: float) -> None:
        texture = self.source.texture
        if texture is None:  # the camera has not delivered its first frame yet
            return
        width, height = texture.size
        # Kivy gives texture pixels as RGBA, bottom row first.
        self.scanner.submit(bytes(texture.pixels), width, height, "RGBA", bottom_up=True)
        self.frames += 1
