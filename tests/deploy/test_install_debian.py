"""install.sh in a chroot of a fresh Debian 12 (debootstrap minbase), services not started: it installs the
app from this checkout (a wheel, then a source folder as a second version beside it), a second run with the
same source changes no file, the units verify against the real installed root, and `kiosk doctor --json`
runs there as the kiosk user. Needs root, debootstrap and the Debian and Python package registries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.debian_root import DebianRoot, copy_into, debian_root, diff
from tests.deploy.units import DEPLOY, ROOT, verify

SOURCE_PARTS = ("pyproject.toml", "README.md", "kiosk", "screens", "hardware", "sync_client", "hub", "assets")
INSTALL = "/srv/kiosque-src/deploy/raspberry-pi/install.sh"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
UNITS = [
    "kiosk.service",
    "kiosk-backup.service",
    "kiosk-backup.timer",
    "kiosk-update-check.service",
    "kiosk-update-check.timer",
]
DOCTOR_CHECKS = {"configuration", "disque", "base", "pcscd", "imprimante", "lecteur de QR", "hub"}


def source_copy(folder: Path) -> Path:
    """What a wheel is built from, copied: setuptools leaves build/ in the folder it builds, never ours."""
    folder.mkdir(parents=True)
    for part in SOURCE_PARTS:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / part, folder / part)
    return folder


def build_wheel(source: Path, folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = folder.glob("kiosque_des_savoirs-*.whl")
    return wheel


def pip_env(root: DebianRoot) -> dict[str, str]:
    """This machine's trust store (it may hold a proxy's CA) for pip inside the chroot."""
    copy_into(root, HOST_CA, "/srv/host-ca.crt")
    return {"PIP_CERT": "/srv/host-ca.crt", "PIP_DEFAULT_TIMEOUT": "120"}


def install(root: DebianRoot, source: str, env: dict[str, str]) -> str:
    done = root.run([INSTALL, "--no-services", "--source", source], env=env, timeout=900)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return output


@pytest.mark.timeout(1500)
def test_install_on_a_fresh_debian(tmp_path: Path) -> None:
    assert os.geteuid() == 0, "debootstrap and chroot need root"
    for tool in ("debootstrap", "chroot", "systemd-analyze"):
        assert shutil.which(tool), f"{tool} manque (paquets Debian debootstrap, systemd)"
    source = source_copy(tmp_path / "source")
    wheel = build_wheel(source, tmp_path / "wheel")
    with debian_root() as root:
        env = pip_env(root)
        copy_into(root, DEPLOY, "/srv/kiosque-src/deploy")
        wheel_in_root = copy_into(root, wheel, f"/srv/{wheel.name}")

        first = install(root, wheel_in_root, env)
        assert "version active" in first
        before = root.manifest()
        second = install(root, wheel_in_root, env)
        assert diff(before, root.manifest()) == [], "a second run changed files"
        assert "écrit" not in second and "créé" not in second, second

        fs = root.folder
        version = os.readlink(fs / "opt/kiosque/current")
        assert version.startswith("versions/0.1.0-")
        assert (fs / "opt/kiosque" / version / "venv/bin/kiosk").is_file()
        groups = root.run(["id", "-nG", "kiosk"]).stdout.split()
        assert {"kiosk", "input", "render", "video"} <= set(groups)
        assert "blacklist pn533_usb" in (fs / "etc/modprobe.d/kiosque-blacklist-nfc.conf").read_text()
        assert (fs / "etc/polkit-1/rules.d/60-kiosque-pcscd.rules").is_file()
        assert (fs / "etc/systemd/journald.conf.d/kiosque.conf").is_file()
        site = fs / "etc/kiosque-des-savoirs/kiosk.toml"
        assert 'data_dir = "/var/lib/kiosque"' in site.read_text()
        # it may hold the card key: readable by root and the kiosk's group only
        assert root.run(["stat", "-c", "%a %U:%G", "/etc/kiosque-des-savoirs/kiosk.toml"]).stdout.split() == [
            "640",
            "root:kiosk",
        ]
        for command in ("kiosk", "kiosk-hub"):  # on root's PATH too, always the active version
            assert os.readlink(fs / "usr/local/bin" / command) == f"/opt/kiosque/current/venv/bin/{command}"
        kivy = (fs / "home/kiosk/.kivy/config.ini").read_text()
        assert "mouse = mouse,disable_on_activity" in kivy and "@TOUCH_INPUTS@" not in kivy
        for wanted in (
            "multi-user.target.wants/kiosk.service",
            "timers.target.wants/kiosk-backup.timer",
            "timers.target.wants/kiosk-update-check.timer",
        ):
            assert (fs / "etc/systemd/system" / wanted).is_symlink(), wanted
        # the units against the real root: /opt/kiosque/current/venv/bin/kiosk, /usr/bin/setterm… exist there
        verified = verify(fs, UNITS)
        assert verified.returncode == 0 and not (verified.stdout + verified.stderr).strip(), verified.stderr

        # a source folder: a second version beside the first, `current` switched, the assets installed
        for part in SOURCE_PARTS:
            copy_into(root, ROOT / part, f"/srv/kiosque-src/{part}")  # not `source`: no build/ of the wheel
        install(root, "/srv/kiosque-src", env)
        new_version = os.readlink(fs / "opt/kiosque/current")
        assert new_version != version and (fs / "opt/kiosque" / version / ".complete").is_file()
        assets = fs / "opt/kiosque" / new_version / "venv/share/kiosque-des-savoirs/assets"
        assert (assets / "themes.toml").is_file()

        doctor = root.run(
            ["runuser", "-u", "kiosk", "--", "/opt/kiosque/current/venv/bin/kiosk", "doctor", "--json"],
            timeout=120,
        )
        assert doctor.returncode in (0, 1), doctor.stderr  # 1: a check fails (no pcscd in a chroot)
        report = json.loads(doctor.stdout)
        checks = {check["name"]: check for check in report["checks"]}
        assert checks.keys() >= DOCTOR_CHECKS, sorted(checks)
        assert "/etc/kiosque-des-savoirs/kiosk.toml" in checks["configuration"]["message"]
        assert "/var/lib/kiosque/" in checks["base"]["message"]
        assert checks["pcscd"]["status"] == "fail" and report["ok"] is False
