"""DESIGN §2: the core never imports Kivy, screens, hardware adapters or the network client."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_CORE = ("kivy", "screens", "hardware", "sync_client", "requests", "smartcard", "hub")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_imports_nothing_of_the_outer_layers() -> None:
    offenders = []
    for path in (ROOT / "kiosk").rglob("*.py"):
        if path.parent.name == "kiosk" and path.name.startswith(("app", "cli")):
            continue  # composition roots: the app (app*.py) and the command line (cli*.py) wire the layers
        for name in imported_modules(path):
            if name.split(".")[0] in FORBIDDEN_IN_CORE:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_core_runs_without_a_display_and_without_kivy_loaded() -> None:
    code = (
        "import sys, kiosk.services, kiosk.cli, kiosk.doctor, hub;"
        "assert not any(m == 'kivy' or m.startswith('kivy.') for m in sys.modules), 'kivy loaded';"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "/usr/bin"}, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
