"""What a screen may use: services, config, and a few callables the app wires to devices and the worker.

Screens never hold a device or a network client (DESIGN §2): printing goes through `print_slip` (the app
hands the slip to the printer worker; the result comes back as a `print_finished` call on the shell), and
sync through `sync_now` / `after_write`. Tests build a `UiContext` on a real store with the simulated
printer, exactly as the demo does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hardware.receipts import Slip
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.services import Services


def _nothing() -> None:
    return None


@dataclass
class UiContext:
    services: Services
    config: Config
    clock: Clock
    # None when no printer is configured: screens then hide their Print buttons. Returns a job id.
    print_slip: Callable[[Slip], str] | None = None
    # Ask the sync worker for a sync now (librarian's button) / wake it shortly after a local write.
    sync_now: Callable[[], None] = field(default=_nothing)
    after_write: Callable[[], None] = field(default=_nothing)
    demo: bool = False

    @property
    def can_print(self) -> bool:
        return self.print_slip is not None
