"""`shellcheck` on every shell script of the repository (by extension or by shebang), all severities."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.deploy.units import ROOT

SKIPPED_DIRS = {".git", ".venv", "build", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
SHELLS = ("sh", "bash", "dash")


def is_shell_script(path: Path) -> bool:
    if path.suffix in (".sh", ".bash"):
        return True
    if path.suffix or not path.is_file():
        return False
    with path.open("rb") as handle:
        first = handle.readline(200).decode("utf-8", "replace").strip()
    if not first.startswith("#!"):
        return False
    words = first[2:].split()
    interpreter = (
        words[1] if words and words[0].endswith("/env") and len(words) > 1 else words[0] if words else ""
    )
    return interpreter.rsplit("/", 1)[-1] in SHELLS


def shell_scripts() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        if SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if is_shell_script(path):
            found.append(path)
    return sorted(found)


def test_every_shell_script_passes_shellcheck() -> None:
    assert shutil.which("shellcheck"), "shellcheck manque (paquet Debian shellcheck)"
    scripts = shell_scripts()
    names = {str(path.relative_to(ROOT)) for path in scripts}
    assert {"deploy/raspberry-pi/install.sh", "deploy/hub/hub-backup.sh", "scripts/setup.sh"} <= names
    result = subprocess.run(
        ["shellcheck", "--external-sources", "--severity=style", *map(str, scripts)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_shellcheck_reports_a_defect(tmp_path: Path) -> None:
    """The check itself: an unquoted variable is reported."""
    script = tmp_path / "bad.sh"
    script.write_text("#!/usr/bin/env bash\nrm -rf $1/tmp\n")
    result = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "SC2086" in result.stdout


def test_shebang_scripts_without_extension_are_found(tmp_path: Path) -> None:
    script = tmp_path / "tool"
    script.write_text("#!/usr/bin/env bash\necho ok\n")
    other = tmp_path / "tool2"
    other.write_text("#!/usr/bin/env python3\nprint('ok')\n")
    assert is_shell_script(script) and not is_shell_script(other)
