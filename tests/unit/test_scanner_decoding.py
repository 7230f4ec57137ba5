"""Keyboard-wedge scanners: recorded evdev event sequences decoded for French AZERTY and US QWERTY.

The sequences are data: key names resolved through `evdev.ecodes` (the kernel's numbers), expanded into
what `evtest` shows for a USB HID scanner — MSC_SCAN, key down, SYN, key up, SYN — so no device is
needed. They are written by hand from the layouts, independently of hardware.keymaps.
"""

from __future__ import annotations

import os
import queue
import select
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import hypothesis.strategies as st
import pytest
from hypothesis import given

from hardware import keymaps
from hardware.events import QrScanned, ScannerStatus
from hardware.hid_scanner import EvdevScanner, KeyBurstDetector, ScanDecoder, decode_events
from hardware.keymaps import FR_AZERTY, KEYMAPS, US_QWERTY, Keymap

ecodes = pytest.importorskip("evdev.ecodes")
EV_KEY, EV_SYN, EV_MSC, MSC_SCAN = ecodes.EV_KEY, ecodes.EV_SYN, ecodes.EV_MSC, ecodes.MSC_SCAN
MODIFIERS = {"S": "KEY_LEFTSHIFT", "AG": "KEY_RIGHTALT", "CA": "KEY_LEFTCTRL+KEY_LEFTALT"}

Event = tuple[int, int, int]


def recording(strokes: str) -> list[Event]:
    """'S+K D . AG+3 ENTER' → the evdev events a scanner sends: each stroke is [MOD+]KEY."""
    events: list[Event] = []
    for stroke in strokes.split():
        *mods, key = stroke.split("+")
        held = [ecodes.ecodes[name] for mod in mods for name in MODIFIERS[mod].split("+")]
        code = ecodes.ecodes["KEY_" + key]
        for modifier in held:
            events += [(EV_MSC, MSC_SCAN, 0x700E1), (EV_KEY, modifier, 1), (EV_SYN, 0, 0)]
        events += [(EV_MSC, MSC_SCAN, 0x70000 + code), (EV_KEY, code, 1), (EV_SYN, 0, 0)]
        events += [(EV_MSC, MSC_SCAN, 0x70000 + code), (EV_KEY, code, 0), (EV_SYN, 0, 0)]
        for modifier in reversed(held):
            events += [(EV_KEY, modifier, 0), (EV_SYN, 0, 0)]
    return events


PAIRING = "KDSPAIR1:https://hub.example.org#K7P2-Q9WX"
PASS_PIECE = "KDS1.awc8CQ_oveL-9z"

AZERTY = {
    PAIRING: "S+K S+D S+S S+P S+Q S+I S+R S+1 DOT H T T P S DOT S+DOT S+DOT H U B S+COMMA E X Q SEMICOLON "
    "P L E S+COMMA O R G AG+3 S+K S+7 S+P S+2 6 S+A S+9 S+Z S+X ENTER",
    PASS_PIECE: "S+K S+D S+S S+1 S+COMMA Q Z C S+8 S+C S+A 8 O V E S+L 6 S+9 W ENTER",
}
QWERTY = {
    PAIRING: "S+K S+D S+S S+P S+A S+I S+R 1 S+SEMICOLON H T T P S S+SEMICOLON SLASH SLASH H U B DOT "
    "E X A M P L E DOT O R G S+3 S+K 7 S+P 2 MINUS S+Q 9 S+W S+X ENTER",
    PASS_PIECE: "S+K S+D S+S 1 DOT A W C 8 S+C S+Q S+MINUS O V E S+L MINUS 9 Z ENTER",
}


@pytest.mark.parametrize(("layout", "table"), [("fr", AZERTY), ("us", QWERTY)])
def test_recorded_scans_decode_on_their_layout(layout: str, table: dict[str, str]) -> None:
    for expected, strokes in table.items():
        assert decode_events(recording(strokes), layout) == [expected]


def test_the_same_keys_read_on_the_wrong_layout_give_other_text() -> None:
    # Why the layout is configured per scanner: AZERTY keystrokes read as QWERTY are garbage.
    assert decode_events(recording(AZERTY[PASS_PIECE]), "us") != [PASS_PIECE]


def test_french_characters_of_the_azerty_digit_row() -> None:
    strokes = "1 2 3 4 5 6 7 8 9 0 MINUS EQUAL S+MINUS AG+0 AG+E APOSTROPHE BACKSLASH 102ND S+102ND ENTER"
    assert decode_events(recording(strokes), "fr") == ["&é\"'(-è_çà)=°@€ù*<>"]


def test_keypad_digits_and_keypad_enter() -> None:
    strokes = "KP1 KP2 KP3 KP4 KP5 KP6 KP7 KP8 KP9 KP0 KPDOT KPMINUS KPPLUS KPSLASH KPASTERISK KPENTER"
    for layout in KEYMAPS:
        assert decode_events(recording(strokes), layout) == ["1234567890.-+/*"]


def test_caps_lock_shifts_letters_only() -> None:
    assert decode_events(recording("CAPSLOCK A B S+C 1 CAPSLOCK D ENTER"), "us") == ["ABc1d"]
    assert decode_events(recording("CAPSLOCK Q 1 ENTER"), "fr") == ["A&"]


def test_ctrl_alt_is_altgr_and_ctrl_alone_types_nothing() -> None:
    assert decode_events(recording("CA+3 CA+0 ENTER"), "fr") == ["#@"]
    events = recording("A")
    events[1:1] = [(EV_KEY, ecodes.KEY_LEFTCTRL, 1)]
    events += [(EV_KEY, ecodes.KEY_LEFTCTRL, 0), *recording("B ENTER")]
    assert decode_events(events, "us") == ["b"]


def alt_code(*digits: str) -> list[Event]:
    keys = [(EV_KEY, ecodes.ecodes["KEY_KP" + d], v) for d in digits for v in (1, 0)]
    return [(EV_KEY, ecodes.KEY_LEFTALT, 1), *keys, (EV_KEY, ecodes.KEY_LEFTALT, 0)]


def test_alt_keypad_codes_cp1252_and_cp437() -> None:
    events = alt_code("0", "2", "3", "3") + alt_code("1", "3", "0") + recording("ENTER")
    assert decode_events(events, "us") == ["éé"]


def test_repeats_unknown_keys_and_empty_scans_are_ignored() -> None:
    events = recording("ENTER F1 A")
    events.insert(len(events) - 2, (EV_KEY, ecodes.KEY_A, 2))  # autorepeat while held
    assert decode_events([*events, *recording("KPENTER")], "us") == ["a"]


def test_an_overlong_stream_is_dropped_and_the_next_scan_reads() -> None:
    decoder = ScanDecoder(US_QWERTY, max_chars=10)
    results = [decoder.feed(*event) for event in recording("A " * 50 + "ENTER B ENTER")]
    assert [r for r in results if r is not None] == ["b"]


def test_keymap_codes_are_the_kernels() -> None:
    for name in ("ENTER", "KPENTER", "TAB", "LEFTSHIFT", "RIGHTSHIFT", "LEFTCTRL", "RIGHTCTRL", "LEFTALT"):
        assert getattr(keymaps, "KEY_" + name) == ecodes.ecodes["KEY_" + name]
    assert keymaps.KEY_RIGHTALT == ecodes.KEY_RIGHTALT and keymaps.KEY_CAPSLOCK == ecodes.KEY_CAPSLOCK
    assert {ecodes.ecodes[f"KEY_KP{d}"]: d for d in range(10)} == keymaps.KEYPAD_DIGITS
    assert US_QWERTY.keys[ecodes.KEY_Q][0] == "q" and FR_AZERTY.keys[ecodes.KEY_Q][0] == "a"
    assert FR_AZERTY.keys[ecodes.KEY_M][0] == "," and US_QWERTY.keys[ecodes.KEY_SLASH][0] == "/"


PAYLOAD_CHARS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/#?=&%~", min_size=1
)


def typed(text: str, layout: Keymap) -> list[Event]:
    """Keystrokes for `text`, found by searching the layout (AltGr before Shift, as scanners do)."""
    events: list[Event] = []
    for char in text:
        code, level = next(
            (code, level)
            for level in (0, 2, 1)
            for code, chars in layout.keys.items()
            if chars[level] == char
        )
        modifier = {0: None, 1: ecodes.KEY_LEFTSHIFT, 2: ecodes.KEY_RIGHTALT}[level]
        down_up = [(EV_KEY, code, 1), (EV_KEY, code, 0)]
        events += [(EV_KEY, modifier, 1), *down_up, (EV_KEY, modifier, 0)] if modifier else down_up
    return [*events, (EV_KEY, ecodes.KEY_ENTER, 1), (EV_KEY, ecodes.KEY_ENTER, 0)]


@given(text=PAYLOAD_CHARS)
def test_every_character_our_payloads_use_is_typeable_on_both_layouts(text: str) -> None:
    for layout in KEYMAPS.values():
        assert decode_events(typed(text, layout), layout) == [text]


# --- the burst detector (Kivy keyboard fallback) -----------------------------------------------------


def feed(detector: KeyBurstDetector, text: str, start: float, gap: float) -> float:
    at = start
    for char in text:
        detector.feed(char, at)
        at += gap
    return at


def test_a_scanner_burst_is_a_scan() -> None:
    detector = KeyBurstDetector()
    at = feed(detector, PAIRING, 10.0, 0.004)
    assert detector.pending == PAIRING
    assert detector.enter(at) == PAIRING
    assert detector.pending == ""


def test_a_person_typing_is_not_a_scan() -> None:
    detector = KeyBurstDetector()
    at = feed(detector, "bonjour", 10.0, 0.18)
    assert detector.enter(at) is None


def test_a_scan_right_after_typing_keeps_only_the_burst() -> None:
    detector = KeyBurstDetector()
    at = feed(detector, "abc", 10.0, 0.2)
    at = feed(detector, "KDS1.xyz", at + 0.5, 0.003)
    assert detector.enter(at) == "KDS1.xyz"


def test_late_enter_short_bursts_and_clock_jumps_are_not_scans() -> None:
    detector = KeyBurstDetector(min_chars=4)
    at = feed(detector, "KDS1.xyz", 10.0, 0.003)
    assert detector.enter(at + 0.5) is None
    assert detector.enter(feed(detector, "ab", 20.0, 0.003)) is None
    feed(detector, "abcdef", 30.0, 0.003)
    assert detector.enter(29.0) is None  # timestamps going backwards never make a burst


# --- the evdev adapter thread ------------------------------------------------------------------------


class FakeInputDevice:
    """Stands in for evdev.InputDevice: uinput is not available everywhere the tests run, and a device
    vanishing mid-read (ENODEV) cannot be produced on demand without it. A pipe makes select() real."""

    opened: ClassVar[list[FakeInputDevice]] = []

    def __init__(self, path: str) -> None:
        if path.endswith("missing"):
            raise FileNotFoundError(2, "No such file or directory", path)
        self.path, self.name = path, "Fake HID scanner"
        self._r, self._w = os.pipe()
        self.fd = self._r
        self.grabbed = False
        self.pending: list[Any] = []
        self.gone = False
        self.lock = threading.Lock()
        FakeInputDevice.opened.append(self)

    def grab(self) -> None:
        self.grabbed = True

    def ungrab(self) -> None:
        self.grabbed = False

    def send(self, events: list[Event]) -> None:
        class E:
            def __init__(self, t: int, c: int, v: int) -> None:
                self.type, self.code, self.value = t, c, v

        with self.lock:
            self.pending += [E(*event) for event in events]
        os.write(self._w, b"!")

    def unplug(self) -> None:
        self.gone = True
        os.write(self._w, b"!")

    def read(self) -> Iterator[Any]:
        select.select([self._r], [], [], 0)
        os.read(self._r, 64)
        if self.gone:
            raise OSError(19, "No such device")
        with self.lock:
            events, self.pending = self.pending, []
        return iter(events)

    def close(self) -> None:
        for descriptor in (self._r, self._w):
            os.close(descriptor)


def next_event(events: queue.Queue[Any], kind: type) -> Any:
    while True:
        event = events.get(timeout=5)
        if isinstance(event, kind):
            return event


def test_evdev_adapter_grabs_decodes_and_survives_an_unplug(monkeypatch: pytest.MonkeyPatch) -> None:
    evdev = pytest.importorskip("evdev")
    monkeypatch.setattr(evdev, "InputDevice", FakeInputDevice)
    monkeypatch.setattr(EvdevScanner, "RETRY_SECONDS", 0.05)
    FakeInputDevice.opened.clear()
    events: queue.Queue[Any] = queue.Queue()
    scanner = EvdevScanner(events, "/dev/input/by-id/usb-scanner-event-kbd", layout="fr")
    scanner.start()
    try:
        assert next_event(events, ScannerStatus).state == "ready"
        device = FakeInputDevice.opened[0]
        assert device.grabbed
        device.send(recording(AZERTY[PASS_PIECE]))
        scan = next_event(events, QrScanned)
        assert (scan.text, scan.source) == (PASS_PIECE, "evdev:/dev/input/by-id/usb-scanner-event-kbd")
        device.send(recording("S+K S+D"))  # half a scan, then the cable is pulled
        device.unplug()
        assert next_event(events, ScannerStatus).state == "disconnected"
        assert next_event(events, ScannerStatus).state == "ready"  # plugged back: reopened by itself
        FakeInputDevice.opened[-1].send(recording(AZERTY[PASS_PIECE].replace("S+K S+D S+S ", "")))
        assert next_event(events, QrScanned).text == PASS_PIECE[3:]  # nothing left over from before
    finally:
        started = time.monotonic()
        scanner.stop()
        assert time.monotonic() - started < 2  # the wake-up pipe, not a polling interval
    assert next_event(events, ScannerStatus).state == "stopped"


def test_evdev_adapter_reports_a_missing_device_and_stops() -> None:
    pytest.importorskip("evdev")
    events: queue.Queue[Any] = queue.Queue()
    scanner = EvdevScanner(events, "/dev/input/kiosk-test-missing", layout="us")
    scanner.start()
    assert next_event(events, ScannerStatus).state == "disconnected"
    scanner.stop()
    assert next_event(events, ScannerStatus).state == "stopped"
    assert not scanner.running
