"""Generic helpers for the UI tests: drive the real Kivy window as a person would.

- `tap(widget)`: a `UnitTestTouch` down and up at the widget's centre, in window coordinates — the touch
  goes through the whole widget tree (overlays, disabled widgets, screens), never straight to a handler.
  Like Kivy's main loop, an exception raised while the touch is dispatched goes to Kivy's
  ExceptionManager first (so the kiosk's RecoveryHandler sees it when a test installs it).
- `bring_into_view(widget)`: scroll it into sight first, as a swipe would (`tap` refuses a widget that
  a scroll view hides).
- `find(root, text=…, cls=…, widget_id=…)` / `find_all(...)` / `texts(root)`: look widgets up by what is
  on screen.
- `crowded(root)`: box layouts whose children overlap because the box is too small.
- `wait_frames(n)` / `wait_until(condition)`: let Kivy run frames (clock, layout, drawing).
- `demo_context(tmp_path, …)`: a `UiContext` on a fresh demo store (the same data as `kiosk run --demo`,
  on a fixed clock so counts and dates do not depend on the day the test runs).
- `stub_routes(shell, "board", …)`: those routes open a `StubScreen` that records the params it was
  opened with and has a « Retour » button.
- `ShellRig`: the shell in the window with the app's own device path: a `SimulatedReader` putting events
  on a queue and `kiosk.app.EventPump` draining it, exactly as `kiosk run --demo` does.
"""

from __future__ import annotations

import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.clock import FixedClock
from kiosk.config import Config, load_config, with_data_dir
from kiosk.demo import DEMO_CARD_KEY, DEMO_CARDS, generate_demo
from kiosk.services import open_services
from tests.conftest import PARIS

DEMO_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)


# --- frames and touches ----------------------------------------------------------------------------


def wait_frames(count: int = 3) -> None:
    from kivy.base import EventLoop

    for _ in range(count):
        _as_main_loop(EventLoop.idle)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Run frames until `condition()` holds (Kivy's clock runs on real time: timers fire as in the app)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        wait_frames(1)


def _as_main_loop(action: Callable[[], object]) -> None:
    """Run `action` the way Kivy's main loop runs a frame: exceptions go to the ExceptionManager."""
    from kivy.base import ExceptionManager

    try:
        action()
    except Exception as error:
        if ExceptionManager.handle_exception(error) == ExceptionManager.RAISE:
            raise


def is_shown(widget: Any) -> bool:
    """In a window, and neither it nor any parent hidden by opacity 0."""
    node = widget
    while node is not None:
        if getattr(node, "opacity", 1) == 0:
            return False
        parent = node.parent
        if parent is node:
            break
        node = parent
    return widget.get_root_window() is not None


def tap(widget: Any, frames: int = 2) -> None:
    """Touch the widget's centre on the real window, as a finger would."""
    from kivy.tests.common import UnitTestTouch

    wait_frames(1)  # the layout is settled where the finger lands
    assert is_shown(widget), f"cannot tap {_describe(widget)}: it is not on screen"
    x, y = widget.to_window(widget.center_x, widget.center_y)
    window = widget.get_root_window()
    assert 0 <= x < window.width and 0 <= y < window.height, f"{_describe(widget)} is off the window"
    for view in _scroll_views(widget):  # a finger cannot reach what a scroll view has scrolled away
        left, bottom = view.to_window(view.x, view.y)
        assert left <= x < left + view.width and bottom <= y < bottom + view.height, (
            f"{_describe(widget)} is scrolled out of sight: bring_into_view() first"
        )
    touch = UnitTestTouch(x, y)
    _as_main_loop(touch.touch_down)
    _as_main_loop(touch.touch_up)
    wait_frames(frames)


def _scroll_views(widget: Any) -> list[Any]:
    from kivy.uix.scrollview import ScrollView

    views, node = [], widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            views.append(node)
        node = node.parent
    return views


def bring_into_view(widget: Any) -> None:
    """What a person's swipe does: scroll every enclosing scroll view until `widget` is in sight."""
    for view in _scroll_views(widget):
        view.scroll_to(widget, padding=10, animate=False)
    wait_frames(2)


def tap_at(x: float, y: float, frames: int = 2) -> None:
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(x, y)
    _as_main_loop(touch.touch_down)
    _as_main_loop(touch.touch_up)
    wait_frames(frames)


# --- finding widgets -------------------------------------------------------------------------------


def _describe(widget: Any) -> str:
    label = getattr(widget, "text", "")
    return f"{type(widget).__name__}({label[:40]!r})" if label else type(widget).__name__


def find_all(
    root: Any,
    *,
    text: str | None = None,
    contains: str | None = None,
    cls: type | None = None,
    widget_id: str | None = None,
    shown_only: bool = True,
) -> list[Any]:
    """Widgets under `root` (itself included) matching every criterion given."""
    found = []
    for widget in root.walk(restrict=True):
        if shown_only and not is_shown(widget):
            continue
        if cls is not None and not isinstance(widget, cls):
            continue
        label = getattr(widget, "text", None)
        if text is not None and label != text:
            continue
        if contains is not None and (not isinstance(label, str) or contains not in label):
            continue
        if widget_id is not None and not _has_id(widget, widget_id):
            continue
        found.append(widget)
    return found


def _has_id(widget: Any, widget_id: str) -> bool:
    parent = widget.parent
    while parent is not None:
        ids = getattr(parent, "ids", {})
        # ids hold weak proxies: `__self__` is the widget itself
        if widget_id in ids and ids[widget_id].__self__ is widget:
            return True
        if parent is parent.parent:
            break
        parent = parent.parent
    return False


def find(root: Any, **criteria: Any) -> Any:
    """The first widget matching; fails with the texts on screen when there is none."""
    found = find_all(root, **criteria)
    assert found, f"no widget with {criteria}; on screen: {texts(root)}"
    return found[0]


def crowded(root: Any) -> list[Any]:
    """Shown box layouts too small for what they hold: their children overlap or spill out (a label
    can fit its own box and still be drawn over its neighbour — `fit.clipped_labels` cannot see that)."""
    from kivy.uix.boxlayout import BoxLayout

    found = []
    for widget in root.walk(restrict=True):
        if not isinstance(widget, BoxLayout) or not is_shown(widget) or not widget.children:
            continue
        vertical = widget.orientation == "vertical"
        needed, has = (
            (widget.minimum_height, widget.height) if vertical else (widget.minimum_width, widget.width)
        )
        if needed > has + 1:
            found.append(widget)
    return found


def describe_crowded(layouts: list[Any]) -> str:
    return "\n".join(
        f"{type(w).__name__} {w.orientation}: {w.width:.0f}×{w.height:.0f}, needs "
        f"{w.minimum_width:.0f}×{w.minimum_height:.0f}; holds {[_describe(c) for c in w.children]}"
        for w in layouts
    )


def texts(root: Any, shown_only: bool = True) -> list[str]:
    """Every non-empty text under `root` (labels, buttons, text fields)."""
    return [
        widget.text
        for widget in root.walk(restrict=True)
        if isinstance(getattr(widget, "text", None), str)
        and widget.text
        and (not shown_only or is_shown(widget))
    ]


def every_text(shell: Any) -> list[str]:
    """Every text the shell holds, shown or not: each kept screen (a ScreenManager has only the current
    one as a child), the overlays and the banners. What a wipe must have emptied of personal data."""
    found = texts(shell, shown_only=False)
    for screen in shell.manager.screens:
        if screen is not shell.manager.current_screen:
            found += texts(screen, shown_only=False)
    return found


# --- a kiosk on demo data --------------------------------------------------------------------------


def demo_config(data_dir: Path, **kiosk_changes: Any) -> Config:
    config = with_data_dir(load_config(None), data_dir)
    return replace(
        config,
        kiosk=replace(config.kiosk, **kiosk_changes),
        security=replace(config.security, card_key=DEMO_CARD_KEY.hex()),
    )


@contextmanager
def demo_context(
    tmp_path: Path,
    *,
    clock: FixedClock | None = None,
    print_slip: Callable[[Any], str] | None = None,
    **kiosk_changes: Any,
) -> Iterator[Any]:
    """A `UiContext` on a fresh demo store in `tmp_path` (closed afterwards). `kiosk_changes` set
    `[kiosk]` keys, e.g. `inactivity_seconds=2` (below what a site file may set: tests only)."""
    from screens.context import UiContext

    config = demo_config(tmp_path / "data", **kiosk_changes)
    clock = clock or FixedClock(DEMO_NOW)
    services = open_services(config, clock)
    try:
        generate_demo(services)
        yield UiContext(services=services, config=config, clock=clock, print_slip=print_slip, demo=True)
    finally:
        services.close()


def demo_uid(pseudonym: str) -> bytes:
    return next(card.uid for card in DEMO_CARDS if card.pseudonym == pseudonym)


@dataclass
class ShellRig:
    """The shell shown in the test window, fed by a simulated reader through the app's EventPump."""

    shell: Any
    events: queue.Queue[object]
    reader: Any  # hardware.simulated.SimulatedReader
    pump: Any  # kiosk.app.EventPump

    def drain(self, frames: int = 2) -> int:
        handled = 0
        for _ in range(10):  # what the app's 50 ms interval would do over a few ticks
            count = self.pump.drain()
            handled += count
            if not count:
                break
        wait_frames(frames)
        return handled

    def tap_card(self, uid: bytes) -> None:
        self.reader.tap(uid)
        self.reader.remove()
        self.drain()

    def tap_demo_card(self, pseudonym: str) -> None:
        self.tap_card(demo_uid(pseudonym))


def stub_routes(shell: Any, *routes: str) -> None:
    """Let `routes` open a `StubScreen` in this shell (screens other helpers own, or not written yet)."""
    for route in routes:
        shell.routes[route] = f"{__name__}:StubScreen"


_stub_class: Any = None


def __getattr__(name: str) -> Any:
    """`StubScreen` is built on first use: this module is imported before Kivy may be (conftest.py)."""
    global _stub_class
    if name != "StubScreen":
        raise AttributeError(name)
    if _stub_class is None:
        from screens.base import KioskScreen
        from screens.widgets.buttons import BackButton

        class StubScreen(KioskScreen):
            """Records the params it was opened with; « Retour » goes back."""

            def __init__(self, **kwargs: Any) -> None:
                super().__init__(**kwargs)
                self.params: dict[str, Any] | None = None
                self.wiped = 0
                back = BackButton(pos_hint={"x": 0, "top": 1})
                back.bind(on_release=lambda _button: self.shell.back())
                self.add_widget(back)

            def prepare(self, **params: Any) -> None:
                self.params = params

            def wipe(self) -> None:
                self.wiped += 1
                self.params = None

        _stub_class = StubScreen
    return _stub_class


@contextmanager
def shell_rig(window: Any, ctx: Any, *, sounds_enabled: bool = False) -> Iterator[ShellRig]:
    """The shell on `ctx`, in `window`, with a started simulated reader; all removed afterwards.
    Sounds are asked for but not played (`Sounds.played` still records them): tests need no speakers."""
    from hardware.simulated import SimulatedReader
    from kiosk.app import EventPump
    from screens import style
    from screens.shell import Shell
    from screens.sounds import Sounds
    from screens.tr import tr

    style.register_fonts()
    events: queue.Queue[object] = queue.Queue()
    reader = SimulatedReader(events, ctx.services.ctx.card_key)
    shell = Shell(ctx, sounds=Sounds(enabled=sounds_enabled))
    window.add_widget(shell)
    reader.start()
    rig = ShellRig(shell, events, reader, EventPump(events, shell, ctx.services))
    try:
        rig.drain()
        yield rig
    finally:
        reader.stop()
        shell.shutdown()
        window.remove_widget(shell)
        if tr.language != "fr":
            tr.switch("fr")
