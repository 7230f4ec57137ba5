"""FlatScreenManager in a real Kivy window (Xvfb, 800×480): screens switch as in Kivy's ScreenManager, without
its stencil (two fills of the whole manager at every frame under a software renderer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PIL import Image

from tests.ui.conftest import render

Show = Callable[[Any], Image.Image]


def centre(frame: Image.Image) -> tuple[int, ...]:
    x, y = frame.width // 2, frame.height // 2
    return tuple(frame.convert("RGB").tobytes()[(y * frame.width + x) * 3 :][:3])


def test_screens_switch_and_nothing_is_drawn_into_a_stencil(show: Show) -> None:
    from kivy.graphics import Color, Rectangle, StencilPush
    from kivy.uix.screenmanager import NoTransition, Screen

    from screens.widgets.manager import FlatScreenManager

    manager = FlatScreenManager(transition=NoTransition())
    for name, rgb in (("accueil", (1, 0, 0)), ("board", (0, 0, 1))):
        screen = Screen(name=name)
        with screen.canvas:
            Color(*rgb, 1)
            Rectangle(pos=(0, 0), size=(800, 480))
        manager.add_widget(screen)
    assert centre(show(manager)) == (255, 0, 0)
    manager.current = "board"
    assert centre(render(manager.get_root_window())) == (0, 0, 255)

    instructions = [*manager.canvas.before.children, *manager.canvas.after.children]
    assert not any(isinstance(instruction, StencilPush) for instruction in instructions)
