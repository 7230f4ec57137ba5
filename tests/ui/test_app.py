"""The app around the shell: `kiosk run --demo --windowed` as a real process under Xvfb, the demo's
keyboard shortcuts on the real window, and the Kivy environment chosen from the window's size."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.ui.driver import demo_context, shell_rig, wait_frames, wait_until

ROOT = Path(__file__).resolve().parents[2]


def received(sock: socket.socket, seconds: float) -> list[str]:
    """The sd_notify datagrams that reached our socket within `seconds`."""
    messages, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            messages.append(sock.recv(4096).decode())
        except TimeoutError:
            continue
    return messages


def test_kiosk_run_demo_windowed_starts_and_keeps_running_until_terminated(
    xvfb_display: str, tmp_path: Path
) -> None:
    """Also systemd's side, with a notify socket of ours in place of systemd's (as kiosk.service runs it):
    READY once Accueil is drawn, watchdog feeds while healthy, STOPPING at the end."""
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify.sock"))
    notify.settimeout(0.2)
    env = {
        **os.environ,
        "DISPLAY": xvfb_display,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "KIVY_HOME": str(tmp_path / "kivy"),
        "LIBGL_ALWAYS_SOFTWARE": "1",
        "KIOSK_CONFIG": str(tmp_path / "none.toml"),
        "NOTIFY_SOCKET": str(tmp_path / "notify.sock"),
        "WATCHDOG_USEC": "2000000",  # WatchdogSec=2: a feed every second
    }
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    kiosk = Path(sys.executable).with_name("kiosk")
    proc = subprocess.Popen(
        [str(kiosk), "run", "--demo", "--windowed"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        log = tmp_path / "data" / "kiosque-des-savoirs" / "demo" / "logs" / "kiosk.log"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if log.is_file() and "reader" in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.2)
        time.sleep(3)  # it keeps running: the event loop, the drain timer, the device threads
        assert proc.poll() is None, proc.communicate(timeout=10)[0].decode(errors="replace")[-3000:]
        messages = received(notify, seconds=3)
        assert any("READY=1" in m for m in messages), messages
        assert sum("WATCHDOG=1" in m for m in messages) >= 2, messages  # fed while the UI, reader, store live
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # our own process, by its pid
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate(timeout=10)
    text = output.decode(errors="replace")
    assert proc.returncode == 0, text[-3000:]  # SIGTERM closes it cleanly, threads stopped
    assert any("STOPPING=1" in m for m in received(notify, seconds=0.5))
    notify.close()
    assert "Traceback" not in text and "Traceback" not in log.read_text(encoding="utf-8")
    assert "Collectif de démonstration prêt" in text
    assert "reader 'Lecteur simulé': ready" in log.read_text(encoding="utf-8")
    assert "devices started, after the first frame" in log.read_text(encoding="utf-8")


def test_demo_shortcuts_tap_cards_unplug_the_reader_and_show_the_help(
    kivy_window: Any, tmp_path: Path
) -> None:
    from screens.overlays import F1, DemoShortcuts

    with demo_context(tmp_path) as ctx, shell_rig(kivy_window, ctx) as rig:
        keys = DemoShortcuts(rig.reader, rig.shell)
        kivy_window.bind(on_key_down=keys.on_key_down)
        try:
            kivy_window.dispatch("on_key_down", F1 + 3, 0, None, [])  # F4: Karim, the fourth demo card
            wait_until(lambda: rig.drain(frames=1) >= 0 and rig.shell.session.member is not None)
            assert rig.shell.session.member.pseudonym == "Karim"

            kivy_window.dispatch("on_key_down", ord("u"), 0, "u", [])
            wait_until(lambda: rig.drain(frames=1) >= 0 and "reader" in rig.shell.banners.shown())
            # a person's next key comes well after SHORTCUT_DELAY; two keys closer than that are a
            # scanner's burst and act on nothing (the banner can show before that delay is over)
            human_pause()
            kivy_window.dispatch("on_key_down", ord("p"), 0, "p", [])
            wait_until(lambda: rig.drain(frames=1) >= 0 and "reader" not in rig.shell.banners.shown())

            human_pause()
            kivy_window.dispatch("on_key_down", ord("h"), 0, "h", [])
            wait_until(lambda: rig.shell.overlays.help is not None)

            # a scanner's burst ("KDS1…" typed in a few ms) is a scan, never a row of shortcuts
            for char in "KDS1unh":
                kivy_window.dispatch("on_key_down", ord(char.lower()), 0, char, [])
            wait_frames(15)
            rig.drain()
            assert rig.shell.session.member.pseudonym == "Karim"
            assert rig.shell.banners.shown() == {} and rig.shell.overlays.help is not None
        finally:
            kivy_window.unbind(on_key_down=keys.on_key_down)


def human_pause() -> None:
    """Let more than the shortcut delay pass, frames running, as between two keys a person presses."""
    from screens.overlays import SHORTCUT_DELAY

    until = time.monotonic() + 3 * SHORTCUT_DELAY
    wait_until(lambda: time.monotonic() > until)


def test_kivy_environment_follows_the_window_size_and_the_larger_text_setting() -> None:
    from kiosk.app import kivy_environment
    from kiosk.cli import parse_size

    assert kivy_environment((800, 480), {})["KIVY_METRICS_DENSITY"] == "1"
    # 1280×800: 800×500 of layout room, as wide as the reference (by height alone, 768 px only)
    assert float(kivy_environment(parse_size("1280x800"), {})["KIVY_METRICS_DENSITY"]) == pytest.approx(1.6)
    assert float(kivy_environment((1920, 1080), {})["KIVY_METRICS_DENSITY"]) == pytest.approx(2.25)
    assert kivy_environment((640, 400), {})["KIVY_METRICS_DENSITY"] == "1"  # never below the reference
    assert "KIVY_METRICS_DENSITY" not in kivy_environment(None, {})  # fullscreen: set once the window exists
    assert kivy_environment(None, {})["KIVY_METRICS_FONTSCALE"] == "1"
    assert kivy_environment(None, {"KIOSK_LARGER_TEXT": "1"})["KIVY_METRICS_FONTSCALE"] == "1.25"
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size("grand")


def test_the_app_and_its_devices_import_no_printer_or_network_stack_until_used() -> None:
    """Cold start (issue 5): python-escpos (~0.15 s, a YAML file parsed at import), requests and pydantic
    (~0.1 s), qrcode and PIL load when a receipt is printed or the kiosk is paired, not on the way to
    Accueil's first frame. A fresh interpreter, so that nothing other tests imported hides an eager import."""
    modules = (
        "kiosk.app",
        "hardware.devices",
        "hardware.printer",
        "hardware.simulated",
        "sync_client.worker",
    )
    lazy = ("escpos.escpos", "escpos.printer", "requests", "pydantic", "qrcode", "PIL.Image")
    code = f"import sys, {', '.join(modules)}; print([m for m in {lazy!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
