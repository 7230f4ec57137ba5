"""USB HID barcode scanners (keyboard wedges): evdev decoding, the evdev adapter, and the Kivy fallback.

Preferred path: the adapter opens the configured input device only and grabs it exclusively, so scans
never leak into a text field or trigger a Kivy shortcut; it decodes key events itself (hardware.keymaps)
and puts `QrScanned` on the app's queue. Without rights on /dev/input (or without evdev), the app feeds
Kivy key events to `KeyBurstDetector`, which tells a scanner's burst from a person typing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import threading
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from hardware.events import QrScanned, ScannerStatus
from hardware.keymaps import (
    CTRL_KEYS,
    KEY_CAPSLOCK,
    KEY_ENTER,
    KEY_KPENTER,
    KEY_LEFTALT,
    KEY_RIGHTALT,
    KEYPAD_DIGITS,
    SHIFT_KEYS,
    Keymap,
    keymap,
)
from hardware.ports import EventSink

log = logging.getLogger(__name__)

EV_KEY = 1
KEY_UP, KEY_DOWN, KEY_REPEAT = 0, 1, 2
MAX_SCAN_CHARS = 1024  # longer than any payload of ours; bounds memory if a key sticks
TERMINATORS = frozenset({KEY_ENTER, KEY_KPENTER})


class ScanDecoder:
    """Turns a stream of evdev (type, code, value) events into complete scans, one per Enter.

    Pure and single-threaded: the adapter thread owns one. Handles Shift, AltGr (also sent by some
    scanners as Ctrl+Alt), Caps Lock, the keypad, and Windows-style Alt+keypad codes (Alt held, decimal
    code on the keypad: a leading 0 means cp1252, otherwise cp437) that scanners use for non-ASCII text.
    """

    def __init__(
        self, layout: Keymap, max_chars: int = MAX_SCAN_CHARS, terminators: frozenset[int] = TERMINATORS
    ) -> None:
        self.layout = layout
        self.max_chars = max_chars
        self.terminators = terminators
        self._held: set[int] = set()
        self._capslock = False
        self._chars: list[str] = []
        self._alt_code: list[int] = []
        self.overflowed = False

    def reset(self) -> None:
        """Forget the scan in progress and the held keys (after the device went away)."""
        self._held.clear()
        self._chars.clear()
        self._alt_code.clear()
        self.overflowed = False

    def _append(self, char: str) -> None:
        if len(self._chars) >= self.max_chars:
            self.overflowed = True
        elif char:
            self._chars.append(char)

    def _finish_alt_code(self) -> None:
        digits, self._alt_code = self._alt_code, []
        if not digits:
            return
        number = int("".join(map(str, digits))) % 256
        codec = "cp1252" if digits[0] == 0 else "cp437"
        self._append(bytes([number]).decode(codec, errors="replace"))

    def feed(self, event_type: int, code: int, value: int) -> str | None:
        """Feed one event; returns the scanned text when it completes a scan, else None."""
        if event_type != EV_KEY or value == KEY_REPEAT:
            return None  # EV_SYN/EV_MSC carry nothing for us; a scanner never auto-repeats
        if value == KEY_UP:
            self._held.discard(code)
            if code == KEY_LEFTALT:
                self._finish_alt_code()
            return None
        self._held.add(code)
        if code == KEY_CAPSLOCK:
            self._capslock = not self._capslock
            return None
        if code in self.terminators:
            text, overflowed = "".join(self._chars), self.overflowed
            self._chars.clear()
            self.overflowed = False
            return text if text and not overflowed else None
        ctrl = bool(self._held & CTRL_KEYS)
        left_alt = KEY_LEFTALT in self._held
        if left_alt and not ctrl and code in KEYPAD_DIGITS:
            self._alt_code.append(KEYPAD_DIGITS[code])
            return None
        if ctrl and not left_alt:
            return None  # Ctrl+key is a command, never a character
        altgr = KEY_RIGHTALT in self._held or (ctrl and left_alt)
        shift = bool(self._held & SHIFT_KEYS)
        self._append(self.layout.char(code, shift=shift, altgr=altgr, capslock=self._capslock))
        return None


def decode_events(events: Iterable[tuple[int, int, int]], layout: Keymap | str) -> list[str]:
    """All complete scans in a recorded event sequence (a convenience for tests and tools)."""
    decoder = ScanDecoder(keymap(layout) if isinstance(layout, str) else layout)
    scans = []
    for event_type, code, value in events:
        text = decoder.feed(event_type, code, value)
        if text is not None:
            scans.append(text)
    return scans


class KeyBurstDetector:
    """Tells a scanner from a person when scans arrive as ordinary key presses (Kivy fallback).

    A scanner types a whole code in a few milliseconds per character, then Enter; a person is ten times
    slower. The app calls `feed` for each printable character and `enter` for Enter, with a monotonic
    timestamp; `enter` returns the text when everything since the last pause was one burst. Pure: no
    clock, no Kivy. The gap is generous (30 ms) because Kivy may deliver a burst split over two frames.
    """

    def __init__(self, max_gap: float = 0.030, min_chars: int = 4, max_chars: int = MAX_SCAN_CHARS) -> None:
        self.max_gap = max_gap
        self.min_chars = min_chars
        self.max_chars = max_chars
        self._chars: list[str] = []
        self._last_at: float | None = None

    @property
    def pending(self) -> str:
        """Characters of the burst in progress (the app may hide them from a focused text field)."""
        return "".join(self._chars)

    def reset(self) -> None:
        self._chars.clear()
        self._last_at = None

    def _in_burst(self, at: float) -> bool:
        return self._last_at is not None and 0 <= at - self._last_at <= self.max_gap

    def feed(self, char: str, at: float) -> None:
        if not self._in_burst(at):
            self._chars.clear()  # a pause: whatever came before was typed by hand
        if len(self._chars) < self.max_chars:
            self._chars.append(char)
        self._last_at = at

    def enter(self, at: float) -> str | None:
        text = "".join(self._chars) if self._in_burst(at) else ""
        self.reset()
        return text if len(text) >= self.min_chars else None


class ScannerState(StrEnum):
    READY = "ready"
    DISCONNECTED = "disconnected"  # not plugged in (yet), or unplugged: retried every few seconds
    NO_PERMISSION = "no_permission"  # /dev/input needs the `input` group; the Kivy fallback still works
    UNAVAILABLE = "unavailable"  # python-evdev is not installed
    STOPPED = "stopped"


def list_input_devices() -> list[tuple[str, str]]:
    """(path, name) of the input devices this user may open: for `kiosk doctor` and the admin screen."""
    try:
        import evdev
    except ImportError:
        return []
    found = []
    for path in evdev.list_devices():
        try:
            device = evdev.InputDevice(path)
        except OSError:
            continue  # no permission, or gone since listed
        found.append((path, device.name))
        device.close()
    return found


class EvdevScanner:
    """Adapter thread for one keyboard-wedge scanner, by device path.

    Use a stable path such as /dev/input/by-id/usb-…-event-kbd: event numbers change between boots.
    Only this device is grabbed, never "every keyboard", so a maintenance keyboard keeps working. The
    thread sleeps in select() on the device and a wake-up pipe: no polling while idle.
    """

    RETRY_SECONDS = 2.0

    def __init__(self, events: EventSink, device_path: str, layout: str = "fr") -> None:
        self.events = events
        self.device_path = device_path
        self.decoder = ScanDecoder(keymap(layout))
        self.source = f"evdev:{device_path}"
        self._stop = threading.Event()
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self.state: ScannerState | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("scanner already started")
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="evdev-scanner", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is None:
            return
        self._stop.set()
        os.write(self._wake_w, b"x")
        self._thread.join(timeout)
        for descriptor in (self._wake_r, self._wake_w):
            os.close(descriptor)
        self._thread = None

    def _status(self, state: ScannerState, message: str = "") -> None:
        if state is self.state:
            return
        self.state = state
        self.events.put(ScannerStatus(source=self.source, state=state.value, message=message))

    def _run(self) -> None:
        try:
            import evdev
        except ImportError:
            self._status(ScannerState.UNAVAILABLE, "python-evdev is not installed")
            return
        while not self._stop.is_set():
            try:
                device = evdev.InputDevice(self.device_path)
            except PermissionError as error:
                self._status(ScannerState.NO_PERMISSION, str(error))
            except OSError as error:
                self._status(ScannerState.DISCONNECTED, str(error))
            else:
                self._read(device)
            self._wait(self.RETRY_SECONDS)
        self._status(ScannerState.STOPPED)

    def _wait(self, seconds: float) -> None:
        if not self._stop.is_set():
            select.select([self._wake_r], [], [], seconds)

    def _read(self, device: Any) -> None:
        try:
            device.grab()  # exclusive: the scan reaches us only, not the focused widget
            self._status(ScannerState.READY, device.name)
            while not self._stop.is_set():
                ready, _, _ = select.select([device.fd, self._wake_r], [], [])
                if device.fd not in ready:
                    continue
                for event in device.read():
                    text = self.decoder.feed(event.type, event.code, event.value)
                    if text is not None:
                        self.events.put(QrScanned(text=text, source=self.source))
        except OSError as error:  # ENODEV when unplugged; EBUSY when another process holds the grab
            log.info("scanner %s: %s", self.device_path, error)
            self._status(ScannerState.DISCONNECTED, str(error))
        finally:
            self.decoder.reset()
            with contextlib.suppress(OSError):  # already gone
                device.ungrab()
            device.close()
