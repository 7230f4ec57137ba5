"""Wait for the first card on a reader, outside the app (`kiosk doctor --card`, `kiosk staff add`).

The app's readers run for ever and feed the event pump; these commands start a reader monitor, take the
first card event within a delay, and stop it again.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable

from hardware.events import CardReadError, CardRefused, CardTapped
from hardware.ports import NfcReader

CardEvent = CardTapped | CardRefused | CardReadError


def first_card_event(
    make_reader: Callable[[queue.Queue[object]], NfcReader], wait: float
) -> CardEvent | None:
    """Start a reader monitor, return the first card event within `wait` seconds (None: no card), stop it."""
    events: queue.Queue[object] = queue.Queue()
    reader = make_reader(events)
    reader.start()
    deadline = time.monotonic() + wait
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                event = events.get(timeout=remaining)
            except queue.Empty:
                return None
            if isinstance(event, CardTapped | CardRefused | CardReadError):
                return event
    finally:
        reader.stop()
    return None
