"""Device ports: what the app needs from an NFC reader, whatever drives it (PC/SC or simulated).

One port per device with a state enum (DESIGN §8). The app chooses an adapter from config; every adapter
runs its own thread and reports through the event queue only (DESIGN §3), so the port is just start/stop
plus a few read-only properties for diagnostics.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # events.py imports ReaderState from here: type-only import avoids the cycle
    from hardware.events import HardwareEvent


class ReaderState(StrEnum):
    """What the screen needs to know about the card readers.

    `reader` in a ReaderStatus is empty for the states that concern the whole service
    (SERVICE_DOWN, NO_READER, STOPPED) and names one reader for READY / DISCONNECTED.
    """

    READY = "ready"  # the reader is attached and watched
    DISCONNECTED = "disconnected"  # this reader went away ("lecteur débranché")
    NO_READER = "no_reader"  # the PC/SC service answers but no usable reader is attached
    SERVICE_DOWN = "service_down"  # pcscd does not answer (not running, restarting)
    STOPPED = "stopped"  # the adapter was stopped on purpose


class NfcReader(Protocol):
    """An NFC card reader adapter. Events go to the queue given at construction, never to widgets."""

    def start(self) -> None:
        """Start the adapter's thread; returns at once. Starting twice is an error."""
        ...

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to finish and join it; idempotent."""
        ...

    @property
    def running(self) -> bool: ...

    @property
    def readers(self) -> tuple[str, ...]:
        """Names of the readers currently watched (diagnostics only)."""
        ...


class EventSink(Protocol):
    """Where adapters put their events: the app's `queue.Queue` (unbounded, so `put` never blocks)."""

    def put(self, item: HardwareEvent) -> None: ...
