"""The baseline of the UI benchmark: a bare Kivy app showing « Bonjour » in an 800×480 window.

Run by bench/ui_bench.py as `python -m bench.ui_hello` under the bench's Xvfb, with the same Kivy
environment as the kiosk. It reports, as JSON lines on the file descriptor named by UI_BENCH_REPORT_FD,
the moment (time.monotonic, the same clock in every process) its first frame with the text was drawn,
then its RSS once at rest, and quits. `report` and `rss_bytes` are shared with bench/ui_driver.py.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

REPORT_FD_ENV = "UI_BENCH_REPORT_FD"
WINDOW = (800, 480)
REST_SECONDS = 1.0  # after the first frame, before RSS is read: Kivy's lazy work is done by then


def report(kind: str, **fields: Any) -> None:
    """One JSON line to the bench (or to stdout when run by hand)."""
    line = (json.dumps({"kind": kind, **fields}) + "\n").encode()
    fd = int(os.environ.get(REPORT_FD_ENV, "1"))
    os.write(fd, line)


def rss_bytes() -> int:
    """Resident set size of this process (VmRSS of /proc/self/status, in kB there), after a collection."""
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def set_window_size(size: tuple[int, int]) -> None:
    """What the kiosk's `configure_kivy` does for a window of this size (Kivy reads it before opening)."""
    from kivy.config import Config

    Config.set("graphics", "fullscreen", "0")
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "resizable", "0")


def main(argv: Sequence[str] | None = None) -> int:
    rest = float(argv[0]) if argv else REST_SECONDS
    set_window_size(WINDOW)
    from kivy.app import App
    from kivy.clock import Clock
    from kivy.core.window import Window
    from kivy.uix.label import Label

    class HelloApp(App):  # type: ignore[misc]  # Kivy is untyped
        def build(self) -> Label:
            self.label = Label(text="Bonjour", font_size=48)
            return self.label

        def on_start(self) -> None:
            Window.bind(on_flip=self.flipped)

        def flipped(self, *_args: Any) -> None:
            if self.label.texture is None:  # a frame before the text was rendered
                return
            drawn = time.monotonic()
            Window.unbind(on_flip=self.flipped)
            report("first_frame", at=drawn)
            Clock.schedule_once(self.at_rest, rest)

        def at_rest(self, _dt: float) -> None:
            report("rss", rss=rss_bytes())
            self.stop()

    HelloApp().run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
