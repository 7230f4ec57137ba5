"""The keyboard-wedge fallback in a real Kivy window: a scanner's burst is a scan, a person's typing is not.

Key presses are dispatched to the real window as Kivy's SDL provider does; their timestamps come from a
clock the test steps, so "fast" and "slow" typing do not depend on this machine's load.
"""

from __future__ import annotations

import queue
from typing import Any

from hardware.events import QrScanned
from hardware.kivy_keyboard import KeyboardWedge

PASS_TEXT = "KDS1.AAECAwQFBgcICQ.ZmFrZS1zaWduYXR1cmU"


class SteppedClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def type_text(window: Any, clock: SteppedClock, text: str, gap: float) -> list[bool]:
    consumed = []
    for char in text:
        clock.now += gap
        consumed.append(bool(window.dispatch("on_key_down", ord(char), 0, char, [])))
    clock.now += gap
    consumed.append(bool(window.dispatch("on_key_down", 13, 40, None, [])))
    return consumed


def test_a_scanner_burst_becomes_one_scan_and_its_enter_is_consumed(kivy_window: Any) -> None:
    events: queue.Queue[Any] = queue.Queue()
    clock = SteppedClock()
    wedge = KeyboardWedge(events, kivy_window, clock=clock)
    wedge.start()
    try:
        consumed = type_text(kivy_window, clock, PASS_TEXT, gap=0.004)
    finally:
        wedge.stop()
    assert consumed[-1] is True and not any(consumed[:-1])
    scan = events.get_nowait()
    assert isinstance(scan, QrScanned) and scan.text == PASS_TEXT and scan.source == "keyboard"
    assert events.empty()


def test_a_person_typing_is_left_alone(kivy_window: Any) -> None:
    events: queue.Queue[Any] = queue.Queue()
    clock = SteppedClock()
    wedge = KeyboardWedge(events, kivy_window, clock=clock)
    wedge.start()
    try:
        consumed = type_text(kivy_window, clock, "bonjour", gap=0.180)
    finally:
        wedge.stop()
    assert not any(consumed)
    assert events.empty()
    # Once stopped, the window's keys no longer reach the detector.
    type_text(kivy_window, clock, PASS_TEXT, gap=0.004)
    assert events.empty()
