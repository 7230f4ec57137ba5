"""`make screenshots`: every screen and state, in French and English, at 800×480 and 1280×800.

Writes build/screenshots/<scene>-<lang>-<w>x<h>.png for a person to look at. It starts its own Xvfb (and
stops it, by pid), then runs one child process per window size: a Kivy window cannot be resized reliably
under Xvfb (tests/ui/conftest.py). Each child builds the demo collective on a fixed clock in a temporary
folder, shows the shell exactly as `kiosk run --demo` does (cards come through a simulated reader and the
app's own EventPump), and plays every scene in both languages. Labels whose text overflows are
reported, and so is a scene that could not reach its state (the others still run); either makes the
exit status 1.

The scenes are data: scripts/screenshot_scenes.py (the `Stage` a scene acts on, the moves, Accueil,
member home and the shell's overlays) and scripts/screenshot_flows.py (the wizards, the board, the
listing page, sign-up and the member pass), scripts/screenshot_admin_pin_cards.py and
scripts/screenshot_admin_system.py (the librarian's screens and the workshops) and
scripts/screenshot_draws.py and scripts/screenshot_elections.py (draws by lot, elections). To add a
screen or a state, add a `scene` or a step to a `walk` there.

Usage: python scripts/screenshots.py [--sizes 800x480,1280x800] [--only NAME …] [--out DIR]
"""

from __future__ import annotations

import argparse
import logging
import os
import select
import shutil
import subprocess
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "screenshots"
DEFAULT_SIZES = "800x480,1280x800"
LANGUAGES = ("fr", "en")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # the same demo day as the UI tests


# --- child: one window size --------------------------------------------------------------------------


class ErrorCount(logging.Handler):
    """Errors the project logged: the shell catches a screen's failure (calm message, back to Accueil)
    and logs it, so a scene can look played while it photographed the error instead."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith("kivy"):  # Kivy's own (a clipboard tool missing) is not a scene's
            self.count += 1


ERRORS = ErrorCount()


def _render(window: Any) -> Any:
    """Lay out, draw one frame and read it back (as tests/ui/conftest.py render does)."""
    from kivy.base import EventLoop
    from kivy.graphics.opengl import GL_RGBA, GL_UNSIGNED_BYTE, glReadPixels
    from PIL import Image

    for _ in range(3):
        EventLoop.idle()
    window.dispatch("on_draw")
    width, height = window.size
    data = glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE)
    window.dispatch("on_flip")
    return Image.frombytes("RGBA", (width, height), data).transpose(Image.Transpose.FLIP_TOP_BOTTOM)


def _reset(stage: Any, language: str) -> None:
    """Accueil at rest: no session, no overlay, no banner, no printer, in `language`."""
    shell = stage.shell
    shell.end_session()
    stage.ctx.print_slip = None
    if shell.overlays.help is not None:
        shell.overlays.toggle_help()
    stage.reader.plug()
    stage.drain()
    for key in list(shell.banners.shown()):
        shell.banners.hide(key)
    shell.switch_language(language)
    stage.frames()


def _play(stage: Any, walk: Any, wanted: set[str], language: str, suffix: str, out: Path) -> int:
    """Play a walk from Accueil at rest and photograph its wanted states; the number of problems, each
    said on stderr (a state that cannot be reached ends the walk: the states after it depend on it)."""
    from kivy.core.window import Window

    from screens.widgets.fit import clipped_labels, describe

    _reset(stage, language)
    left, problems = set(wanted), 0
    for name, move in walk.states:
        if not left:
            break
        path = out / f"{name}-{language}-{suffix}.png"
        errors = ERRORS.count
        try:
            move(stage)
        except Exception:  # a screen changed under the walk: say so, and photograph the other walks
            print(f"{path.name}: l’état n’a pas pu être atteint\n{traceback.format_exc()}", file=sys.stderr)
            return problems + 1
        if ERRORS.count > errors:
            print(f"{path.name}: une erreur a été journalisée (voir ci-dessus)", file=sys.stderr)
            return problems + 1
        if name not in left:
            continue
        left.discard(name)
        _render(Window).convert("RGB").save(path)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        clipped = clipped_labels(stage.shell)
        if clipped:
            print(f"{path.name}: texte coupé\n{describe(clipped)}", file=sys.stderr)
            problems += 1
    return problems


def _wanted(walk: Any, only: set[str]) -> set[str]:
    """The walk's states asked for: all without --only; « record » asks for record and record-*."""
    names = {name for name, _move in walk.states}
    return {name for name in names if not only or any(name == x or name.startswith(f"{x}-") for x in only)}


def child(size: tuple[int, int], out: Path, only: set[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from screens.style import ui_scale  # no Kivy import there: Kivy reads the environment below at import

    width, height = size
    os.environ.update(
        {
            "KIVY_NO_ARGS": "1",
            "KIVY_LOG_MODE": "PYTHON",
            "KIVY_NO_CONSOLELOG": "1",
            "KIVY_NO_FILELOG": "1",
            "KIVY_METRICS_DENSITY": f"{ui_scale(width, height):g}",
            "LIBGL_ALWAYS_SOFTWARE": "1",
        }
    )
    from kivy.config import Config

    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "resizable", "0")
    Config.remove_option("input", "%(name)s")
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    import queue
    from dataclasses import replace

    from screenshot_admin_pin_cards import ADMIN1_SCENES
    from screenshot_admin_system import admin_system_scenes
    from screenshot_draws import draw_scenes
    from screenshot_elections import ELECTION_SCENES
    from screenshot_flows import FLOW_SCENES
    from screenshot_scenes import SHELL_SCENES, Stage

    from hardware.simulated import SimulatedPrinter, SimulatedReader
    from kiosk.app import EventPump
    from kiosk.clock import FixedClock
    from kiosk.config import load_config, with_data_dir
    from kiosk.demo import DEMO_CARD_KEY, DEMO_CARDS, generate_demo
    from kiosk.services import open_services
    from screens import overlays, style
    from screens.context import UiContext
    from screens.shell import Shell
    from screens.sounds import Sounds

    logging.getLogger("kivy").setLevel(logging.WARNING)  # its start-up chatter is not news here
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")  # warnings and errors, on stderr
    logging.getLogger().addHandler(ERRORS)
    style.register_fonts()
    overlays.DEMO_CARD_NAMES = tuple(card.pseudonym for card in DEMO_CARDS)
    problems = 0
    with tempfile.TemporaryDirectory() as folder:
        config = with_data_dir(load_config(None), Path(folder))
        config = replace(config, security=replace(config.security, card_key=DEMO_CARD_KEY.hex()))
        services = open_services(config, FixedClock(NOW))
        try:
            generate_demo(services)
            ctx = UiContext(services=services, config=config, clock=services.ctx.clock, demo=True)
            events: queue.Queue[object] = queue.Queue()
            reader = SimulatedReader(events, services.ctx.card_key)
            printer = SimulatedPrinter(Path(folder) / "printed")

            def print_slip(slip: Any) -> str:
                printer.print_slip(slip)
                return f"slip-{len(printer.printed)}"

            shell = Shell(ctx, sounds=Sounds(enabled=False))
            Window.add_widget(shell)
            reader.start()
            stage = Stage(shell, ctx, reader, EventPump(events, shell, services), print_slip)
            for walk in [
                *SHELL_SCENES,
                *FLOW_SCENES,
                *ADMIN1_SCENES,
                *admin_system_scenes(),
                *draw_scenes(),
                *ELECTION_SCENES,
            ]:
                wanted = _wanted(walk, only)
                if wanted and (not walk.route or walk.route in shell.routes):
                    for language in LANGUAGES:
                        problems += _play(stage, walk, wanted, language, f"{width}x{height}", out)
            reader.stop()
            shell.shutdown()
        finally:
            services.close()
            Window.close()
    return 1 if problems else 0


# --- parent: Xvfb and one child per size ----------------------------------------------------------


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("Xvfb est introuvable : installez le paquet Debian « xvfb » (make setup).")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 30)
        number = os.read(read_fd, 16).decode().strip() if ready else ""
    finally:
        os.close(read_fd)
    if not number:
        proc.kill()
        proc.wait(timeout=10)
        raise SystemExit("Xvfb n’a pas démarré.")
    return proc, f":{number}"


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    return int(width), int(height)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="tailles de fenêtre, ex. 800x480,1280x800")
    parser.add_argument(
        "--only",
        nargs="*",
        default=[],
        metavar="SCÈNE",
        help="seulement ces scènes (« record » : toutes ses étapes)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--child", metavar="LxH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.child:
        return child(parse_size(args.child), args.out, set(args.only))

    xvfb, display = start_xvfb()
    status = 0
    try:
        with tempfile.TemporaryDirectory() as kivy_home:
            env = {**os.environ, "DISPLAY": display, "KIVY_HOME": kivy_home}
            for size in args.sizes.split(","):
                command = [sys.executable, __file__, "--child", size, "--out", str(args.out)]
                if args.only:
                    command += ["--only", *args.only]
                result = subprocess.run(command, env=env, cwd=ROOT, check=False)
                status = status or result.returncode
    finally:
        xvfb.terminate()  # our own Xvfb, by its pid
        try:
            xvfb.wait(timeout=10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
            xvfb.wait(timeout=10)
    if not args.only:  # the hub's coordinator pages too, in headless Chromium (issue 9)
        hub_pages = [sys.executable, str(ROOT / "scripts" / "screenshot_hub.py"), "--out", str(args.out)]
        status = status or subprocess.run(hub_pages, cwd=ROOT, check=False).returncode
    print(f"Captures dans {args.out}" + ("" if status == 0 else " (avec des problèmes : voir ci-dessus)"))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
