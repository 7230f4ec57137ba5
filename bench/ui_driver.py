"""The kiosk side of the UI benchmark: `kiosk run --demo --windowed` at 800×480, driven from inside.

Run by bench/ui_bench.py as `python -m bench.ui_driver MODE --data DIR` under the bench's Xvfb, on a demo
store prepared in DIR. It builds the app with `kiosk.app.create_app`, as `kiosk.app.run` does (environment,
config, services, `KioskRuntime`, devices) and reports JSON lines on UI_BENCH_REPORT_FD (bench/ui_hello.py):

- `start`: the first frame of Accueil with its content (every label's text rendered), then quits;
- `interactions`: then the scripted visit of bench/ui_visit.py (real touches on the actual widgets, demo
  cards on the demo's simulated reader), RSS reported on Accueil and at each checkpoint;
- `sync`: the store is paired with a hub; once the start-up sync has settled it reports `idle` and waits for
  `go` on stdin (the bench then has another kiosk's events on the hub), wakes the sync worker, taps demo
  cards at a steady rate and times every frame of Kivy's loop until both are done.

Everything here runs on the Kivy main thread, from Clock callbacks, as the app's own code does.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.ui_hello import WINDOW, report, rss_bytes
from bench.ui_visit import Script, VisitScript
from kiosk.app import KioskRuntime, close, create_app
from kiosk.cli import demo_config as cli_demo_config
from kiosk.config import Config, load_config, with_data_dir
from kiosk.demo import DEMO_CARDS
from kiosk.i18n import set_language
from kiosk.services import Services

WAIT_LIMIT = 5.0  # generous: other work may share the machine's cores
SYNC_LIMIT = 180.0  # seconds the sync may take after `go` before the run gives up


def demo_config(data_dir: Path) -> Config:
    """The config of `kiosk run --demo`, with its data in `data_dir`."""
    return cli_demo_config(with_data_dir(load_config(None), data_dir))


@dataclass
class Kiosk:
    """The app as `kiosk.app.run` builds it, not yet running."""

    app: Any
    runtime: KioskRuntime
    services: Services

    @property
    def shell(self) -> Any:
        return self.runtime.shell

    def tap_card(self, index: int) -> None:
        """Demo card `index` (modulo the demo cards) on the simulated reader, as the F1…F8 keys do."""
        reader = self.runtime.devices.simulated
        assert reader is not None, "the demo's simulated reader is missing"
        reader.tap(DEMO_CARDS[index % len(DEMO_CARDS)].uid)

    def lift_card(self) -> None:
        reader = self.runtime.devices.simulated
        if reader is not None:
            reader.remove()

    def card_handled(self) -> bool:
        return bool(self.runtime.events.empty())


def build_kiosk(config: Config) -> Kiosk:
    """`kiosk run --demo --windowed` at the bench's window size, up to `app.run()` (which the caller does)."""
    app, runtime = create_app(config, demo=True, windowed=True, size=WINDOW)
    return Kiosk(app, runtime, runtime.services)


def content_drawn(root: Any) -> bool:
    """Every label with text under `root` has its texture: what the frame shows is complete."""
    from kivy.uix.label import Label

    return all(w.texture is not None for w in root.walk(restrict=True) if isinstance(w, Label) and w.text)


class ScriptRunner:
    """Plays a script from Kivy's Clock: each wait returns control to the event loop (frames go on)."""

    def __init__(self, script: Script, done: Callable[[], None], failed: Callable[[], None]) -> None:
        self.script = script
        self.done = done
        self.failed = failed

    def start(self) -> None:
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: self._resume(None), 0)

    def _resume(self, value: bool | None) -> None:
        from kivy.clock import Clock

        try:
            wait = self.script.send(value)
        except StopIteration:
            self.done()
            return
        except Exception:  # a broken script must end the run with its reason, not leave it hanging
            report("error", text=traceback.format_exc())
            self.failed()
            return
        if callable(wait):
            self._poll(wait, time.monotonic() + WAIT_LIMIT)
        else:
            Clock.schedule_once(lambda _dt: self._resume(None), wait)

    def _poll(self, condition: Callable[[], bool], deadline: float) -> None:
        from kivy.clock import Clock

        try:
            holds = condition()
        except Exception:
            report("error", text=traceback.format_exc())
            self.failed()
            return
        if holds:
            self._resume(True)
        elif time.monotonic() > deadline:
            self._resume(False)
        else:
            Clock.schedule_once(lambda _dt: self._poll(condition, deadline), 0)


class FrameTimer:
    """Timestamps every iteration of Kivy's loop (one Clock tick each): a frame the loop could not start
    in time is a stutter whether or not it had something to redraw. Drawn frames are counted too."""

    def __init__(self) -> None:
        self.stamps_ns: list[int] = []
        self.drawn = 0
        self._event: Any = None

    def start(self) -> None:
        from kivy.clock import Clock
        from kivy.core.window import Window

        self._event = Clock.schedule_interval(self._tick, 0)
        Window.bind(on_flip=self._flip)

    def stop(self) -> None:
        from kivy.core.window import Window

        if self._event is not None:
            self._event.cancel()
        Window.unbind(on_flip=self._flip)

    def _tick(self, _dt: float) -> None:
        self.stamps_ns.append(time.monotonic_ns())  # the clock of go_at and the sync statuses

    def _flip(self, *_args: Any) -> None:
        self.drawn += 1

    def intervals_ns(self) -> list[int]:
        return [b - a for a, b in zip(self.stamps_ns, self.stamps_ns[1:], strict=False)]


# --- modes -------------------------------------------------------------------------------------------


def after_first_frame(kiosk: Kiosk, then: Callable[[], None]) -> None:
    """Report the first frame of Accueil with its content drawn, then call `then` (on the Kivy thread)."""
    from kivy.core.window import Window

    def flipped(*_args: Any) -> None:
        shell = kiosk.shell
        if shell is None or shell.manager.current != "accueil" or not content_drawn(shell):
            return
        drawn = time.monotonic()
        Window.unbind(on_flip=flipped)
        report("first_frame", at=drawn)
        then()

    Window.bind(on_flip=flipped)


def run_interactions(kiosk: Kiosk, count: int, checkpoints: Sequence[int]) -> None:
    visit = VisitScript(kiosk, count, checkpoints, on_checkpoint=_report_rss)

    def finished() -> None:
        report("visit", **visit.summary())
        kiosk.app.stop()

    def visit_once_ready() -> Script:
        yield lambda: kiosk.runtime.devices.started  # the app starts its devices once Accueil is drawn
        _report_rss(0)  # Accueil drawn, devices running: what the kiosk holds before anyone touched it
        yield from visit.run()

    ScriptRunner(visit_once_ready(), finished, kiosk.app.stop).start()


def _report_rss(done: int) -> None:
    report("rss", interactions=done, rss=rss_bytes())


class SyncLoad:
    """The frame-time run: the sync worker pulls the hub's new events while demo cards are tapped."""

    def __init__(self, kiosk: Kiosk, taps: int, rate: float) -> None:
        self.kiosk = kiosk
        self.taps = taps
        self.period = 1.0 / rate
        self.frames = FrameTimer()
        self.states: list[tuple[float, str]] = []  # (monotonic, SyncState value) from the worker
        self.go_at: float | None = None
        self.taps_done_at: float | None = None

    def watch_sync(self) -> None:
        """Sees each SyncStatus the app's EventPump hands to the shell (the shell still gets it)."""
        shell = self.kiosk.shell
        original = shell.sync_status

        def sync_status(state: str, pending: int) -> None:
            self.states.append((time.monotonic(), state))
            original(state, pending)

        shell.sync_status = sync_status

    def settled_since(self, since: float | None) -> str | None:
        """The first outcome (not "syncing") the worker published after `since`."""
        return next((s for at, s in self.states if s != "syncing" and (since is None or at > since)), None)

    def wait_until_idle(self) -> Script:
        deadline = time.monotonic() + SYNC_LIMIT
        while self.settled_since(None) is None and time.monotonic() < deadline:
            yield 0.05  # the start-up sync is still running
        report("idle", state=self.settled_since(None))
        threading.Thread(target=self._read_go, name="bench-go", daemon=True).start()

    def _read_go(self) -> None:
        from kivy.clock import Clock

        for line in sys.stdin:
            if line.strip() == "go":
                Clock.schedule_once(
                    lambda _dt: ScriptRunner(self.load(), self.finish, self.kiosk.app.stop).start(), 0
                )
                return

    def load(self) -> Script:
        self.frames.start()
        self.go_at = time.monotonic()
        sync = self.kiosk.runtime.devices.sync
        assert sync is not None, "the kiosk is not paired: no sync worker"
        sync.retry_now()  # what its poll timer would do a little later
        for n in range(self.taps):
            yield max(0.0, self.go_at + n * self.period - time.monotonic())
            self.kiosk.tap_card(n)
            yield self.period / 2
            self.kiosk.lift_card()
        self.taps_done_at = time.monotonic()
        deadline = self.go_at + SYNC_LIMIT
        while self.settled_since(self.go_at) is None and time.monotonic() < deadline:
            yield 0.1

    def finish(self) -> None:
        self.frames.stop()
        end = time.monotonic()
        synced = next((at for at, s in self.states if s != "syncing" and at > (self.go_at or 0)), None)
        start = self.go_at or end
        stamps = self.frames.stamps_ns
        report(
            "frames",
            intervals_ns=self.frames.intervals_ns(),
            # the first ones: every frame begun before the sync's outcome reached the shell (a short
            # sync that ends within the first frame still has that frame)
            during_sync=sum(1 for stamp in stamps[:-1] if synced is None or stamp <= synced * 1e9),
            drawn=self.frames.drawn,
            seconds=end - start,
            taps=self.taps,
            taps_seconds=(self.taps_done_at or end) - start,
            sync_state=self.settled_since(self.go_at),
            sync_seconds=None if synced is None else synced - start,
        )
        self.kiosk.app.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_driver")
    parser.add_argument("mode", choices=("start", "interactions", "sync"))
    parser.add_argument("--data", type=Path, required=True, help="the kiosk's data folder (demo store)")
    parser.add_argument("--interactions", type=int, default=300)
    parser.add_argument("--checkpoints", default="100,300", help="interaction counts where RSS is read")
    parser.add_argument("--taps", type=int, default=50)
    parser.add_argument("--rate", type=float, default=4.0, help="card taps per second")
    args = parser.parse_args(argv)
    config = demo_config(args.data)
    set_language(config.kiosk.language)
    kiosk = build_kiosk(config)

    load = SyncLoad(kiosk, args.taps, args.rate)

    def on_start(_app: Any) -> None:
        if args.mode == "sync":  # before the EventPump's first drain: the start-up sync's statuses too
            load.watch_sync()
        after_first_frame(kiosk, started)

    def started() -> None:
        if args.mode == "start":
            kiosk.app.stop()
        elif args.mode == "interactions":
            checkpoints = [int(n) for n in args.checkpoints.split(",") if n]
            run_interactions(kiosk, args.interactions, checkpoints)
        else:
            ScriptRunner(load.wait_until_idle(), lambda: None, kiosk.app.stop).start()

    kiosk.app.bind(on_start=on_start)
    try:
        kiosk.app.run()
    finally:
        close(kiosk.runtime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
