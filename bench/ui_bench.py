"""Kiosk UI benchmark (issue 5): the kiosk side by side with a bare Kivy « Bonjour » app, one run, one Xvfb.

1. Cold start, process start → first frame drawn: the bare app (bench/ui_hello.py) and the kiosk
   (bench/ui_driver.py: `kiosk run --demo --windowed` at 800×480, Accueil with its content), interleaved,
   median of N each, both with their modules compiled as an installed kiosk has them (by the uncounted
   first start: bench/ui_children.child_env); goal: ratio ≤ 2.0.
2. Memory: RSS of the bare app at rest vs the kiosk after a scripted visit of 300 interactions (real touches
   and demo cards, bench/ui_visit.py), read at 100 and 300; goals: ≤ bare + 80 MB, growth 100 → 300 ≤ 5 MB.
3. Frame time: a real hub (`kiosk-hub serve`) holds 5,000 events of another kiosk of the collective; the
   kiosk, paired beforehand, pulls them with its sync worker while 50 demo cards are tapped at ~4/s; every
   iteration of Kivy's loop is timed; goal: worst ≤ 50 ms. The kiosk's store is checked afterwards.

Each app runs in its own process under one private Xvfb (Mesa llvmpipe, no GPU), started here and stopped
by its pid. Figures only: nothing here passes or fails. `python -m bench.ui_bench [--quick] [--json]`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.stats import percentile
from bench.ui_children import CHILD_TIMEOUT, Child, child_env, xvfb
from bench.ui_driver import demo_config

START_RATIO_GOAL = 2.0
RSS_OVER_HELLO_GOAL = 80e6  # bytes
RSS_GROWTH_GOAL = 5e6
WORST_FRAME_GOAL_MS = 50.0


@dataclass(frozen=True)
class Settings:
    runs: int  # cold starts of each app, interleaved
    warmup: bool  # one uncounted start of each first (disk cache, Kivy's config.ini, compiled modules)
    interactions: int
    checkpoints: tuple[int, int]  # RSS read after these many interactions
    events: int  # on the hub, from the other kiosk
    taps: int
    tap_rate: float  # per second
    rest: float  # seconds the bare app rests before its RSS is read


FULL = Settings(7, True, 300, (100, 300), 5_000, 50, 4.0, 1.0)
QUICK = Settings(3, True, 120, (40, 120), 1_000, 20, 4.0, 1.0)
SMOKE = Settings(1, False, 60, (20, 60), 200, 6, 4.0, 0.2)  # tests/unit/test_ui_bench_smoke.py


# --- the demo store ---------------------------------------------------------------------------------


def demo_template(folder: Path) -> Path:
    """The demo collective once (what `kiosk run --demo` creates on first start); each run gets a copy."""
    from kiosk.demo import generate_demo
    from kiosk.services import open_services

    config = demo_config(folder)
    services = open_services(config)
    try:
        generate_demo(services)
    finally:
        services.close()
    return config.database_path


def fresh_kiosk(template: Path, folder: Path) -> Path:
    target = demo_config(folder).database_path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return folder


# --- the three figures ------------------------------------------------------------------------------


@dataclass
class Bench:
    settings: Settings
    folder: Path
    env: dict[str, str]
    template: Path
    count: int = 0

    def child(self, name: str, module: str, *args: str) -> Child:
        self.count += 1
        return Child(module, args, self.env, self.folder / "logs" / f"{self.count:02d}-{name}.log")

    def hello(self) -> tuple[float, int]:
        child = self.child("bonjour", "bench.ui_hello", str(self.settings.rest))
        first = child.wait_for("first_frame")["at"] - child.started
        rss = int(child.wait_for("rss")["rss"])
        child.finish()
        return first, rss

    def kiosk(self, mode: str, *args: str) -> Child:
        data = fresh_kiosk(self.template, self.folder / f"kiosk-{self.count + 1:02d}")
        return self.child(f"kiosque-{mode}", "bench.ui_driver", mode, "--data", str(data), *args)

    def cold_start(self) -> dict[str, Any]:
        hello_s: list[float] = []
        kiosk_s: list[float] = []
        hello_rss: list[int] = []
        for run in range(self.settings.runs + int(self.settings.warmup)):
            counted = run > 0 or not self.settings.warmup
            first, rss = self.hello()
            child = self.kiosk("start")
            kiosk_first = child.wait_for("first_frame")["at"] - child.started
            child.finish()
            if counted:
                hello_s.append(first)
                kiosk_s.append(kiosk_first)
                hello_rss.append(rss)
        hello, kiosk = statistics.median(hello_s), statistics.median(kiosk_s)
        return {
            "hello_s": hello_s,
            "kiosk_s": kiosk_s,
            "hello_median_s": hello,
            "kiosk_median_s": kiosk,
            "ratio": kiosk / hello,
            "hello_rss": int(statistics.median(hello_rss)),
        }

    def memory(self) -> dict[str, Any]:
        first, last = self.settings.checkpoints
        child = self.kiosk("interactions", "--interactions", str(last), "--checkpoints", f"{first},{last}")
        visit = child.wait_for("visit", timeout=CHILD_TIMEOUT + last)
        child.finish()
        rss = {int(r["interactions"]): int(r["rss"]) for r in child.reports if r["kind"] == "rss"}
        return {"rss": rss, "visit": visit}

    def frames_under_sync(self) -> dict[str, Any]:
        from bench.hub_bench import envelopes, pair_raw
        from hub import admin
        from hub.db import Database
        from kiosk.services import open_services
        from kiosk.store import Store
        from sync_client.client import HubClient
        from sync_client.engine import SyncEngine
        from sync_client.pairing import pair_kiosk
        from tests.hub.servers import HubServer

        settings = self.settings
        db_url = f"sqlite:///{self.folder / 'hub.sqlite3'}"
        db = Database(db_url)
        admin.init(db)
        server = HubServer(db_url, workers=1, log=self.folder / "logs" / "hub.log")
        server.start()
        try:
            collective = admin.add_collective(db, "Collectif du banc d’essai", "Belleville").id
            data = fresh_kiosk(self.template, self.folder / "kiosk-paired")
            config = demo_config(data)
            services = open_services(config)
            client = HubClient(server.url)
            try:  # set-up: paired, and its own demo journal pushed, so the measured sync is the pull
                pair_kiosk(services.store, client, admin.create_pairing_code(db, collective)[0], "Borne")
                SyncEngine(services.store, client, services.ctx.clock).sync_once()
            finally:
                client.close()
                services.close()
            other_id, token = pair_raw(server.url, db, collective, "Autre borne")
            events = envelopes(other_id, settings.events, collective=collective)
            child = self.child(
                "kiosque-sync", "bench.ui_driver", "sync", "--data", str(data),
                "--taps", str(settings.taps), "--rate", str(settings.tap_rate),
            )  # fmt: skip
            try:
                frames = self.load_while_syncing(child, server.url, token, events)
            except BaseException:
                child.stop()  # by its pid; the hub and Xvfb stop below
                raise
            child.finish()
        finally:
            server.stop()
            db.dispose()
        store = Store.open(config.database_path)
        try:
            received = store.conn.execute("SELECT count(*) FROM journal WHERE kiosk_id = ?", (other_id,))
            apply_errors = store.conn.execute("SELECT count(*) FROM sync_apply_errors")
            frames["received"], frames["apply_errors"] = received.fetchone()[0], apply_errors.fetchone()[0]
        finally:
            store.close()
        frames["events"] = settings.events
        return frames

    @staticmethod
    def load_while_syncing(
        child: Child, url: str, token: str, events: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Once the kiosk's start-up sync is over, the other kiosk pushes its events; then `go`."""
        from sync_client.client import HubClient

        idle = child.wait_for("idle", timeout=CHILD_TIMEOUT + 180)
        if idle["state"] != "ok":
            raise RuntimeError(f"the kiosk's start-up sync ended « {idle['state']} »; log:\n{child.tail()}")
        other = HubClient(url, token)
        try:
            for i in range(0, len(events), 500):
                answer = other.push(events[i : i + 500])
                if not all(r.status == "accepted" for r in answer.results):
                    raise RuntimeError(f"the hub refused events: {answer.results[:3]}")
        finally:
            other.close()
        child.send("go")
        return child.wait_for("frames", timeout=CHILD_TIMEOUT + 180)


def run(settings: Settings, out: Callable[[str], None] = print, keep: Path | None = None) -> dict[str, Any]:
    """Measure and print. `keep`: work in that folder and leave it there (logs, stores)."""
    with contextlib.ExitStack() as stack:
        folder = keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ui-bench-")))
        (folder / "logs").mkdir(parents=True, exist_ok=True)
        display = stack.enter_context(xvfb(folder / "logs" / "xvfb.log"))
        results = measure(settings, folder, display)
    for line in describe(results):
        out(line)
    return results


def measure(settings: Settings, folder: Path, display: str) -> dict[str, Any]:
    """The three figures, one after the other, on the display given (each app in its own process)."""
    env = child_env(display, folder / "kivy-home", bytecode=folder / "bytecode")
    bench = Bench(settings, folder, env, demo_template(folder / "template"))
    return {
        "settings": asdict(settings),
        "cold_start": bench.cold_start(),
        "memory": bench.memory(),
        "frames": bench.frames_under_sync(),
    }


# --- printing ---------------------------------------------------------------------------------------


def verdict(met: bool) -> str:
    return "atteint" if met else "MANQUÉ"


def mb(value: float) -> str:
    return f"{value / 1e6:.1f} Mo"


def describe(results: dict[str, Any]) -> list[str]:
    return [
        "Interface du kiosque, 800×480 sous Xvfb (llvmpipe), à côté d’une appli Kivy « Bonjour » nue :",
        *describe_start(results["cold_start"]),
        *describe_memory(results["memory"], results["cold_start"]["hello_rss"], results["settings"]),
        *describe_frames(results["frames"]),
    ]


def describe_start(start: dict[str, Any]) -> list[str]:
    return [
        f"  démarrage à froid jusqu’à la première image ({len(start['kiosk_s'])} lancements de chaque,"
        " alternés)",
        f"    « Bonjour » nue         : médiane {start['hello_median_s']:.2f} s",
        f"    kiosque, Accueil rempli : médiane {start['kiosk_median_s']:.2f} s",
        f"    rapport {start['ratio']:.2f} [objectif ≤ {START_RATIO_GOAL:.1f}] : "
        + verdict(start["ratio"] <= START_RATIO_GOAL),
    ]


def describe_memory(memory: dict[str, Any], hello_rss: int, settings: dict[str, Any]) -> list[str]:
    first, last = settings["checkpoints"]
    rss = {int(k): v for k, v in memory["rss"].items()}  # JSON keys are strings
    over, growth = rss[last] - hello_rss, rss[last] - rss[first]
    visit = memory["visit"]
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(visit["kinds"].items()))
    lines = [
        f"  mémoire (RSS) : « Bonjour » au repos {mb(hello_rss)} ; kiosque sur l’Accueil {mb(rss[0])},"
        f" après {first} interactions {mb(rss[first])}, après {last} {mb(rss[last])}",
        f"    écart à « Bonjour » {signed_mb(over)} [objectif ≤ +{mb(RSS_OVER_HELLO_GOAL)}] : "
        + verdict(over <= RSS_OVER_HELLO_GOAL),
        f"    croissance {first} → {last} {signed_mb(growth)} [objectif ≤ {mb(RSS_GROWTH_GOAL)}] : "
        + verdict(growth <= RSS_GROWTH_GOAL),
        f"    visite : {visit['interactions']} interactions en {visit['rounds']} tours ({kinds})",
    ]
    if visit["misses"]:
        lines.append(f"    ÉTAPES MANQUÉES ({len(visit['misses'])}) : {'; '.join(visit['misses'][:5])}")
    if visit["errors"]:
        first_error = visit["errors"][0].splitlines()[0]
        lines.append(f"    ERREURS de l’appli pendant la visite ({len(visit['errors'])}) : {first_error}")
        lines.append(f"    étapes interrompues par ces erreurs : {'; '.join(sorted(set(visit['broken'])))}")
    if visit["skipped"]:
        routes = ", ".join(f"{route} ({count})" for route, count in sorted(visit["skipped"].items()))
        lines.append(f"    étapes sautées, écran sans route dans screens/routes.py : {routes}")
    return lines


def describe_frames(frames: dict[str, Any]) -> list[str]:
    intervals = frames["intervals_ns"]
    during = intervals[: frames["during_sync"]]
    sync = frames["sync_seconds"]
    events = f"{frames['events']:,}".replace(",", " ")
    received = f"{frames['received']:,}".replace(",", " ")
    rate = frames["taps"] / max(frames["taps_seconds"], 1e-9)
    worst = max(intervals, default=0) / 1e6
    return [
        f"  boucle Kivy pendant la synchronisation de {events} évènements et {frames['taps']} cartes"
        f" (~{rate:.1f}/s), {frames['seconds']:.1f} s, {frames['drawn']} images dessinées :",
        f"    toute la mesure : {frame_figures(intervals)} [objectif : pire ≤ {WORST_FRAME_GOAL_MS:g} ms] : "
        + verdict(worst <= WORST_FRAME_GOAL_MS),
        f"    tant que la synchronisation tournait : {frame_figures(during)}",
        f"    synchronisation : {received} évènements de l’autre borne reçus"
        + (f" en {sync:.1f} s, pendant la mesure" if sync is not None else f" (état {frames['sync_state']})")
        + (f" ; {frames['apply_errors']} non appliqués" if frames["apply_errors"] else ""),
    ]


def frame_figures(intervals: list[int]) -> str:
    if not intervals:
        return "aucun intervalle"
    slow = sum(1 for i in intervals if i > WORST_FRAME_GOAL_MS * 1e6)
    return (
        f"pire {max(intervals) / 1e6:.1f} ms, p99 {percentile(intervals, 99):.1f} ms,"
        f" {slow} au-delà de {WORST_FRAME_GOAL_MS:g} ms sur {len(intervals)}"
    )


def signed_mb(value: float) -> str:
    return ("+" if value >= 0 else "") + mb(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and interactions (smoke run)")
    parser.add_argument("--json", action="store_true", help="the raw figures as JSON instead of text")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (the apps' logs, stores)")
    args = parser.parse_args(argv)
    if shutil.which("Xvfb") is None:
        print("Banc d’essai de l’interface sauté : Xvfb absent (paquet Debian `xvfb`).")
        return 0
    settings = QUICK if args.quick else FULL
    results = run(settings, out=(lambda _line: None) if args.json else print, keep=args.keep)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
