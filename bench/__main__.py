"""`python -m bench [--quick] [--rebuild]`: run every benchmark and print its figures next to its goal."""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import store_bench
from bench.build import FULL, QUICK

ROOT = Path(__file__).resolve().parent.parent / "build" / "bench"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a store ten times smaller (smoke run)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached store first")
    parser.add_argument("--root", type=Path, default=ROOT, help=f"cache folder (default {ROOT})")
    args = parser.parse_args(argv)
    print(
        f"Kiosque des savoirs — benchmarks. Python {platform.python_version()},"
        f" SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPU, {platform.machine()}."
        " Figures only: nothing here passes or fails."
    )
    started, status = time.perf_counter(), 0
    store_bench.run(QUICK if args.quick else FULL, args.root, rebuild=args.rebuild)
    # The other benchmarks need their parts' packages (QR and imaging, the hub's web stack, pcscd).
    others: tuple[tuple[str, Callable[[Any], object]], ...] = (
        ("qr_bench", lambda module: module.run(30 if args.quick else 200)),
        ("hub_bench", lambda module: module.main(["--quick"] if args.quick else [])),
        (
            "nfc_bench",
            lambda module: module.main(
                ["--taps", "30", "--idle", "3", "--rounds", "1"] if args.quick else []
            ),
        ),
        ("ui_bench", lambda module: module.main(["--quick"] if args.quick else [])),
    )
    for name, call in others:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ImportError as missing:
            print(f"bench.{name} skipped: {missing}.")
            continue
        try:
            call(module)
        except Exception as error:  # one broken benchmark must not hide the others' figures
            print(f"bench.{name} FAILED: {type(error).__name__}: {error}")
            status = 1
    print(f"Done in {time.perf_counter() - started:.0f} s.")
    return status


if __name__ == "__main__":
    sys.exit(main())
