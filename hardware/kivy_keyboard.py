"""Kivy fallback for keyboard-wedge QR scanners: works without evdev rights on /dev/input.

A USB scanner types like a keyboard. When the kiosk may not grab it through evdev (`hardware.hid_scanner`),
its keys reach the Kivy window like anyone's; `KeyBurstDetector` tells a scanner's burst ending with Enter
from a person typing. A recognised burst becomes a `QrScanned` event on the app's queue, like every device,
and its Enter is consumed so that no screen acts on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hardware.events import QrScanned
from hardware.hid_scanner import KeyBurstDetector
from hardware.ports import EventSink

ENTER_KEYS = (13, 271)  # Return, keypad Enter (Kivy key codes)


class KeyboardWedge:
    """Binds to a Kivy window's `on_key_down`; start and stop on the Kivy main thread."""

    def __init__(
        self,
        events: EventSink,
        window: Any,
        detector: KeyBurstDetector | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.events = events
        self.window = window
        self.detector = detector or KeyBurstDetector()
        self.clock = clock

    def start(self) -> None:
        self.window.bind(on_key_down=self._on_key_down)

    def stop(self) -> None:
        self.window.unbind(on_key_down=self._on_key_down)
        self.detector.reset()

    def _on_key_down(self, _window: Any, key: int, _scancode: int, codepoint: str | None, _mods: Any) -> bool:
        now = self.clock()
        if key in ENTER_KEYS:
            text = self.detector.enter(now)
            if text is None:
                return False  # a person's Enter: let the screen have it
            self.events.put(QrScanned(text=text, source="keyboard"))
            return True
        if codepoint:
            self.detector.feed(codepoint, now)
        return False
