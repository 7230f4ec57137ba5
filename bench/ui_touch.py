"""A finger on the kiosk's window for the UI benchmark (bench/ui_visit.py), without pytest.

`finger(x, y)` makes a touch whose `touch_down` / `touch_up` go through Kivy's event loop
(`EventLoop.post_dispatch_input`, as the SDL and mtdev providers' touches do): the same calls as
`kivy.tests.common.UnitTestTouch`, whose module imports pytest and unittest with it — ~13 MB of RSS the
kiosk never loads, which the memory figure must not count.
"""

from __future__ import annotations

from functools import cache
from typing import Any


def finger(x: float, y: float) -> Any:
    """A touch at window position (x, y), not yet down."""
    from kivy.base import EventLoop

    window = EventLoop.window
    relative = {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}
    touch = _finger_class()("bench", 99, relative, is_touch=True, type_id="touch")
    touch.profile = ["pos"]
    return touch


@cache
def _finger_class() -> type:
    from kivy.base import EventLoop
    from kivy.input.motionevent import MotionEvent

    class Finger(MotionEvent):  # type: ignore[misc]  # Kivy is untyped
        def depack(self, args: dict[str, float]) -> None:
            self.sx, self.sy = args["x"], args["y"]  # relative to the window, as providers give them
            super().depack(args)

        def touch_down(self) -> None:
            EventLoop.post_dispatch_input("begin", self)

        def touch_up(self) -> None:
            EventLoop.post_dispatch_input("end", self)

    return Finger
