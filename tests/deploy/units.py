"""Shared by the deploy tests: where the deploy files are; `systemd-analyze verify` against a root of ours."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PI = DEPLOY / "raspberry-pi"
UNIT_SUFFIXES = (".service", ".timer", ".socket", ".path")
EXEC_KEYS = ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost")
# what the project installs itself: a stub stands in for it in the verify root
OUR_PREFIXES = ("/opt/kiosque/", "/usr/local/")


def unit_files() -> list[Path]:
    return sorted(path for path in DEPLOY.rglob("*") if path.suffix in UNIT_SUFFIXES)


def exec_paths(unit: Path) -> list[str]:
    """The executables a unit runs: the first word of each Exec*= line, its prefixes (-+@!:) removed."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit, encoding="utf-8")
    paths = []
    for section in parser.sections():
        for key in EXEC_KEYS:
            if key in parser[section]:
                paths.append(parser[section][key].split()[0].lstrip("-+@!:"))
    return paths


def systemd_root(folder: Path) -> Path:
    """An empty root holding the distribution's own units (targets, pcscd.socket…) for `--root`."""
    system = folder / "usr" / "lib" / "systemd" / "system"
    system.parent.mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", system, symlinks=True)
    (folder / "etc" / "systemd" / "system").mkdir(parents=True)
    return folder


def add_stub(root: Path, executable: str) -> None:
    stub = root / executable.lstrip("/")
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)


def verify(root: Path, units: list[str]) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify --root` on units installed in `root`; any output at all is a failure."""
    env = {**os.environ, "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": ""}
    return subprocess.run(
        ["systemd-analyze", "verify", f"--root={root}", *units],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
