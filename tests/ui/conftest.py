"""Kivy under a real X server (Xvfb, Mesa llvmpipe) — DESIGN §7.

One Kivy window per pytest process, for the whole session. Kivy's window is a process-wide singleton
(`kivy.core.window.Window`, created at import), SDL2 is initialised once, and a closed SDL window cannot be
reopened in the same process. So the `kivy_window` fixture opens it once at 800×480, and each test puts its
widgets in it and takes them out again (`show`). The window is never resized: under Xvfb the X server
applies a resize after Kivy already reports the new size, so a frame read right after it may be stale
(seen: an empty frame at 1024×600). A test that wants another size lays its widget out at that size
inside the window; a larger screen (1920×1080) would be a separate pytest run with a larger Xvfb screen.

Kivy runs in the same process as the rest of the suite, so it must not disturb it:
- it is imported only inside fixtures, after the environment below is set (Kivy reads it at import);
- `KIVY_NO_ARGS=1`: Kivy would otherwise parse pytest's own command line;
- `KIVY_LOG_MODE=PYTHON`: in its default mode Kivy puts handlers on the *root* logger and replaces
  `sys.stderr`, which would break `caplog`/`capsys` for every later test; `KIVY_NO_CONSOLELOG` and
  `KIVY_NO_FILELOG` for the same reason, and `KIVY_HOME` in a temp dir so the developer's
  `~/.kivy/config.ini` neither changes the tests nor gets written by them.
- The core tests import no Kivy (tests/unit/test_architecture.py runs them in a subprocess anyway).
"""

# (Kivy ships no type information; redundant but harmless once pyproject.toml has a `kivy.*` override.)

from __future__ import annotations

import os
import select
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

WINDOW_SIZE = (800, 480)  # the 7" Raspberry Pi touchscreen, the smallest screen the kiosk supports
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture(scope="session")
def xvfb_display(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private X display (":N"); Xvfb picks a free N itself (-displayfd), so parallel runs don't clash."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (Debian package `xvfb`); the Kivy UI tests need a real X server")
    read_fd, write_fd = os.pipe()
    # Its messages go to a file: a pipe nobody reads fills up (xkbcomp warnings at every client) and
    # Xvfb then blocks, breaking its clients' connections late in a long run.
    log_path = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    log.close()
    os.close(write_fd)
    try:
        # Xvfb writes the display number once it accepts connections: no sleep, no polling of sockets
        ready, _, _ = select.select([read_fd], [], [], 30)
        number = os.read(read_fd, 16).decode().strip() if ready else ""
        if not number:
            proc.kill()
            proc.wait(timeout=10)
            raise RuntimeError(f"Xvfb did not start: {log_path.read_text(errors='replace')[-2000:]}")
    finally:
        os.close(read_fd)
    try:
        yield f":{number}"
    finally:
        proc.terminate()  # our own Xvfb, by its pid
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()


@pytest.fixture(scope="session")
def kivy_window(xvfb_display: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Kivy's one window, 800×480, on the private display. Yields `kivy.core.window.Window`."""
    env = {
        "DISPLAY": xvfb_display,
        "KIVY_NO_ARGS": "1",
        "KIVY_HOME": str(tmp_path_factory.mktemp("kivy_home")),
        "KIVY_LOG_MODE": "PYTHON",
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_NO_FILELOG": "1",
        # the Linux defaults, stated so a missing SDL2 provider fails loudly instead of falling back
        "KIVY_WINDOW": "sdl2",
        "KIVY_GL_BACKEND": "sdl2",
        # 1 dp = 1 px whatever the host, so sizes in the tests are screen pixels
        "KIVY_METRICS_DENSITY": "1",
        # no GPU behind Xvfb: Mesa's llvmpipe renders, the same on every machine
        "LIBGL_ALWAYS_SOFTWARE": "1",
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        from kivy.config import Config

        Config.set("graphics", "width", str(WINDOW_SIZE[0]))
        Config.set("graphics", "height", str(WINDOW_SIZE[1]))
        Config.set("graphics", "resizable", "0")
        # touches come from kivy.tests.common.UnitTestTouch, never from the host's /dev/input
        Config.remove_option("input", "%(name)s")

        from kivy.base import EventLoop
        from kivy.core.window import Window

        EventLoop.ensure_window()
        assert Window is not None, "Kivy could not open an SDL2 window on the Xvfb display"
        try:
            yield Window
        finally:
            # SDL must let go of the X connection before Xvfb stops: Xlib exits the whole process on a
            # lost display
            Window.close()


def render(window: Any) -> Image.Image:
    """Lay out, draw one frame and read it back from the framebuffer (RGB, top row first)."""
    from kivy.base import EventLoop
    from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels

    for _ in range(3):  # properties settle and the layout runs over a few clock ticks
        EventLoop.idle()
    # draw and read the back buffer before the swap: its content after a swap is undefined in GL
    window.dispatch("on_draw")
    width, height = window.size
    data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    window.dispatch("on_flip")
    image = Image.frombytes("RGBA", (width, height), data).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return image.convert("RGB")


@pytest.fixture
def show(kivy_window: Any) -> Iterator[Callable[[Any], Image.Image]]:
    """`show(widget)` puts `widget` in the 800×480 window and returns a rendered frame; every widget shown
    is taken out of the window after the test."""
    shown: list[Any] = []

    def _show(widget: Any) -> Image.Image:
        kivy_window.add_widget(widget)
        shown.append(widget)
        return render(kivy_window)

    yield _show
    for widget in shown:
        kivy_window.remove_widget(widget)


def save_screenshot(image: Image.Image, name: str) -> Path:
    """Keep a frame in build/screenshots/ for a person to look at (not compared by any test)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    image.save(path)
    return path
