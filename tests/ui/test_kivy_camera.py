"""The Kivy camera glue reads a real texture on the Kivy clock and the scanner decodes it.

No camera exists on a test machine, so the frames come from a Kivy `Image` whose texture holds a member
pass: the glue reads `widget.texture` exactly as it does a `kivy.uix.camera.Camera`'s.
"""

from __future__ import annotations

import queue
import time
from typing import Any

from hardware.events import QrScanned
from hardware.kivy_camera import KivyCameraFeed
from hardware.qr import qr_rgba
from hardware.qr_camera import FrameScanner

PAYLOAD = "KDSEX1:01a21436-1a41-7345-a525-f3499dda5667"


def test_frames_from_a_kivy_texture_become_one_debounced_scan(kivy_window: Any) -> None:
    from kivy.base import EventLoop
    from kivy.graphics.texture import Texture
    from kivy.uix.image import Image

    data, size = qr_rgba(PAYLOAD, module_px=4)
    texture = Texture.create(size=size, colorfmt="rgba")
    texture.blit_buffer(data, colorfmt="rgba", bufferfmt="ubyte")
    frame_source = Image(size=size)
    frame_source.texture = texture
    events: queue.Queue[Any] = queue.Queue()
    scanner = FrameScanner(events, source="camera")
    scanner.start()
    feed = KivyCameraFeed(frame_source, scanner, interval=0.05)
    feed.start()
    try:
        deadline = time.monotonic() + 10
        while feed.frames < 10 and time.monotonic() < deadline:
            EventLoop.idle()
            time.sleep(0.01)
    finally:
        feed.stop()
        time.sleep(0.2)  # let the last frame be decoded
        scanner.stop()
    scans = []
    while not events.empty():
        scans.append(events.get_nowait())
    assert feed.frames >= 10
    # The same pass seen in ten frames is one scan: the debouncer holds it for its window.
    assert [(type(event), event.text, event.source) for event in scans] == [(QrScanned, PAYLOAD, "camera")]


def test_no_texture_yet_hands_nothing_over(kivy_window: Any) -> None:
    from kivy.uix.widget import Widget

    class NoFrameYet(Widget):  # type: ignore[misc]
        texture = None

    scanner = FrameScanner(queue.Queue())
    feed = KivyCameraFeed(NoFrameYet(), scanner)
    feed._look(0.0)
    assert feed.frames == 0 and scanner.dropped == 0
