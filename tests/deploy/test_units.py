"""`systemd-analyze verify` on every unit of deploy/, in a root of ours: the distribution's units, ours copied
in, and a stub at each path the project installs itself (/opt/kiosque/…); every other executable a unit names
must exist on this Debian, so a typo in /usr/bin/setterm fails here too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.deploy.units import OUR_PREFIXES, add_stub, exec_paths, systemd_root, unit_files, verify

EXPECTED_UNITS = {
    "kiosk.service",
    "kiosk-backup.service",
    "kiosk-backup.timer",
    "kiosk-update-check.service",
    "kiosk-update-check.timer",
    "hub.service",
    "hub-backup.service",
    "hub-backup.timer",
}


def test_every_planned_unit_exists() -> None:
    assert {path.name for path in unit_files()} >= EXPECTED_UNITS


@pytest.mark.parametrize("unit", unit_files(), ids=lambda path: path.name)
def test_unit_verifies(unit: Path, tmp_path: Path) -> None:
    assert shutil.which("systemd-analyze"), "systemd-analyze manque (paquet Debian systemd)"
    root = systemd_root(tmp_path / "root")
    for path in unit_files():  # a timer names its service, a service its timer's target…
        shutil.copy(path, root / "etc" / "systemd" / "system" / path.name)
        for executable in exec_paths(path):
            assert executable.startswith("/"), f"{path.name}: {executable} n’est pas un chemin absolu"
            if not executable.startswith(OUR_PREFIXES):
                assert Path(executable).exists(), f"{path.name}: {executable} absent de Debian"
            add_stub(root, executable)
    result = verify(root, [unit.name])
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), (
        result.stdout + result.stderr
    )


def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    """The check itself: a misspelt key and a missing executable are reported."""
    root = systemd_root(tmp_path / "root")
    broken = root / "etc" / "systemd" / "system" / "broken.service"
    broken.write_text(
        "[Service]\nType=notify\nWatchdogSecs=30\nExecStart=/opt/kiosque/current/venv/bin/kiosk run\n"
    )
    result = verify(root, ["broken.service"])
    output = result.stdout + result.stderr
    assert "WatchdogSecs" in output
    assert "/opt/kiosque/current/venv/bin/kiosk" in output and result.returncode != 0
