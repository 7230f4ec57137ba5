"""`make screenshots`: every screen and state, in French and English, at 800×480 and 1280×800.

Writes build/screenshots/<scene>-<lang>-<w>x<h>.png for a person to look at. It starts its own Xvfb (and
stops it, by pid), then runs one child process per window size: a Kivy window cannot be resized reliably
under Xvfb (tests/ui/conftest.py). Each child builds the demo collective on a fixed clock in a temporary
folder, shows the shell exactly as `kiosk run --demo` does (cards come through a simulated reader and the
app's own EventPump), and plays the scenes below. Labels whose text overflows are reported.

To add a screen or a state: append a `Scene(name, setup, route)` to SCENES; `setup(stage)` brings the
shell to the state to photograph (stage.shell.go(...), stage.tap_card("Karim"), stage.tap(widget)…),
starting from Accueil at rest with no session, no banner and no overlay, in the scene's language. A scene
with a `route` is skipped until screens/routes.py registers that route.

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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "screenshots"
DEFAULT_SIZES = "800x480,1280x800"
LANGUAGES = ("fr", "en")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))  # the same demo day as the UI tests


@dataclass
class Stage:
    """What a scene's setup may use."""

    shell: Any
    ctx: Any
    reader: Any  # hardware.simulated.SimulatedReader
    pump: Any  # kiosk.app.EventPump

    def frames(self, count: int = 3) -> None:
        from kivy.base import EventLoop

        for _ in range(count):
            EventLoop.idle()

    def drain(self) -> None:
        while self.pump.drain():
            pass
        self.frames()

    def tap_card(self, pseudonym: str) -> None:
        from kiosk.demo import DEMO_CARDS

        self.tap_uid(next(card.uid for card in DEMO_CARDS if card.pseudonym == pseudonym))

    def tap_uid(self, uid: bytes) -> None:
        self.reader.tap(uid)
        self.reader.remove()
        self.drain()

    def tap(self, widget: Any) -> None:
        from kivy.tests.common import UnitTestTouch

        self.frames(1)
        touch = UnitTestTouch(*widget.to_window(widget.center_x, widget.center_y))
        touch.touch_down()
        touch.touch_up()
        self.frames()

    def widget(self, widget_id: str) -> Any:
        """The widget with this kv id in the screen shown (or the shell's overlays)."""
        for root in (self.shell.overlays, self.shell.current):
            for node in root.walk(restrict=True):
                ids = getattr(node, "ids", {})
                if widget_id in ids:
                    return ids[widget_id]
        raise LookupError(widget_id)


@dataclass(frozen=True)
class Scene:
    name: str
    setup: Callable[[Stage], None]
    route: str = ""  # skipped while screens/routes.py does not register this route yet


def _first_listing(stage: Stage) -> str:
    return str(stage.ctx.services.listings.search(limit=1)[0].id)


def _karim_then(route: str, **params: Any) -> Callable[[Stage], None]:
    def setup(stage: Stage) -> None:
        stage.tap_card("Karim")
        stage.shell.go(route, **params)
        stage.frames()

    return setup


def _receipt(stage: Stage) -> None:
    stage.tap_card("Karim")
    member = stage.shell.session.member
    exchange = stage.ctx.services.exchanges.history(member.id, 1)[0]
    stage.shell.go("receipt", exchange_id=exchange.id)
    stage.frames()


def _member_pass(stage: Stage) -> None:
    member = stage.ctx.services.members.find("Inès")[0]
    stage.shell.go("member_pass", member_id=member.id)
    stage.frames()


def _banners(stage: Stage) -> None:
    stage.reader.unplug()
    stage.shell.sync_status("offline", 12)
    stage.shell.printer_status("paper_out")
    stage.drain()


def _yvette_with_news(stage: Stage) -> None:
    services = stage.ctx.services
    yvette, karim = services.members.find("Yvette")[0], services.members.find("Karim")[0]
    listing = services.listings.of_member(yvette.id)[0]
    services.listings.express_interest(listing.id, karim.id)
    stage.tap_card("Yvette")


def _asking_decline(stage: Stage) -> None:
    stage.tap_card("Nguyen")
    stage.tap(stage.widget("content").children[-1].ids.no_button)


def _history(stage: Stage) -> None:
    stage.tap_card("Karim")
    stage.shell.current.toggle_history()
    stage.frames()


def _newcomer_pass(stage: Stage) -> None:
    """Someone who just signed up shows their new pass to the scanner: a home with nothing yet."""
    from hardware.events import QrScanned

    services = stage.ctx.services
    found = services.members.find("Noémie")  # the scene runs once per language on the same store
    member = found[0] if found else services.members.register("Noémie", "Les Hauts")
    stage.pump.events.put(QrScanned(text=services.passes.issue(member.id), source="simulated"))
    stage.drain()


def _countdown(stage: Stage) -> None:
    stage.tap_card("Fatoumata")
    stage.shell.overlays.show_countdown(7)
    stage.frames()


def _error(stage: Stage) -> None:
    stage.tap_card("Mamadou")
    stage.shell.recover()
    stage.frames()


SCENES: list[Scene] = [
    Scene("accueil", lambda stage: None),
    Scene("accueil-woken", lambda stage: stage.tap(stage.widget("numbers"))),
    Scene("accueil-banners", _banners),
    Scene("member_home", lambda stage: stage.tap_card("Inès")),
    Scene("member_home-decline", _asking_decline),
    Scene("member_home-news", _yvette_with_news),
    Scene("member_home-history", _history),
    Scene("member_home-matches", lambda stage: stage.tap_card("Sandrine")),
    Scene("member_home-newcomer", _newcomer_pass),
    Scene("card-unknown", lambda stage: stage.tap_uid(_demo("DEMO_UNKNOWN_UID"))),
    Scene("card-revoked", lambda stage: stage.tap_uid(_demo("DEMO_REVOKED_CARD").uid)),
    Scene("card-random-uid", lambda stage: stage.tap_uid(_demo("DEMO_PHONE_UID"))),
    Scene("countdown", _countdown),
    Scene("error", _error),
    Scene("demo-help", lambda stage: stage.shell.overlays.toggle_help()),
    # The other screens, each at its opening state (their own states: add scenes here).
    Scene("board", lambda stage: stage.shell.go("board"), route="board"),
    Scene("listing", lambda stage: stage.shell.go("listing", listing_id=_first_listing(stage)), "listing"),
    Scene("listing_new", _karim_then("listing_new", kind="offer"), route="listing_new"),
    Scene("record", _karim_then("record"), route="record"),
    Scene("receipt", _receipt, route="receipt"),
    Scene("signup", lambda stage: stage.shell.go("signup"), route="signup"),
    Scene("member_pass", _member_pass, route="member_pass"),
]


def _demo(name: str) -> Any:
    import kiosk.demo

    return getattr(kiosk.demo, name)


# --- child: one window size --------------------------------------------------------------------------


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


def _reset(stage: Stage, language: str) -> None:
    shell = stage.shell
    shell.end_session()
    if shell.overlays.help is not None:
        shell.overlays.toggle_help()
    stage.reader.plug()
    stage.drain()
    for key in list(shell.banners.shown()):
        shell.banners.hide(key)
    shell.switch_language(language)
    stage.frames()


def child(size: tuple[int, int], out: Path, only: set[str]) -> int:
    sys.path.insert(0, str(ROOT))
    width, height = size
    os.environ.update(
        {
            "KIVY_NO_ARGS": "1",
            "KIVY_LOG_MODE": "PYTHON",
            "KIVY_NO_CONSOLELOG": "1",
            "KIVY_NO_FILELOG": "1",
            "KIVY_METRICS_DENSITY": f"{max(1.0, height / 480):g}",
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

    from hardware.simulated import SimulatedReader
    from kiosk.app import EventPump
    from kiosk.clock import FixedClock
    from kiosk.config import load_config, with_data_dir
    from kiosk.demo import DEMO_CARD_KEY, DEMO_CARDS, generate_demo
    from kiosk.services import open_services
    from screens import overlays, style
    from screens.context import UiContext
    from screens.shell import Shell
    from screens.sounds import Sounds
    from screens.widgets.fit import clipped_labels, describe

    logging.getLogger("kivy").setLevel(logging.WARNING)  # its start-up chatter is not news here
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
            shell = Shell(ctx, sounds=Sounds(enabled=False))
            Window.add_widget(shell)
            reader.start()
            stage = Stage(shell, ctx, reader, EventPump(events, shell, services))
            for scene in SCENES:
                if (only and scene.name not in only) or (scene.route and scene.route not in shell.routes):
                    continue
                for language in LANGUAGES:
                    _reset(stage, language)
                    scene.setup(stage)
                    image = _render(Window).convert("RGB")
                    path = out / f"{scene.name}-{language}-{width}x{height}.png"
                    image.save(path)
                    clipped = clipped_labels(shell)
                    if clipped:
                        problems += 1
                        print(f"{path.name}: texte coupé\n{describe(clipped)}", file=sys.stderr)
                    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
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
    parser.add_argument("--only", nargs="*", default=[], metavar="SCÈNE", help="seulement ces scènes")
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
    print(f"Captures dans {args.out}" + ("" if status == 0 else " (avec des textes coupés : voir ci-dessus)"))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
