"""install.sh's touch screen detection: one Kivy provider line per direct-touch device (INPUT_PROP_DIRECT),
matched by name, on a fake /sys/class/input tree; the function is the script's own, run by bash."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.deploy.units import PI


def touch_inputs(input_class: Path) -> str:
    script = f"source <(sed -n '/^touch_inputs()/,/^}}/p' {PI / 'install.sh'}); touch_inputs"
    result = subprocess.run(
        ["bash", "-c", script],
        env={"INPUT_CLASS": str(input_class), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout


def add_device(input_class: Path, event: str, name: str, properties: str) -> None:
    device = input_class / event / "device"
    device.mkdir(parents=True)
    (device / "name").write_text(name + "\n")
    (device / "properties").write_text(properties + "\n")


def test_one_line_per_touch_screen(tmp_path: Path) -> None:
    add_device(tmp_path, "event0", "raspberrypi-ts", "2")  # INPUT_PROP_DIRECT: a touch screen
    add_device(tmp_path, "event1", "Logitech USB Keyboard", "0")
    add_device(tmp_path, "event2", "ILITEK ILITEK-TP, 10%", "2")  # commas and % would break Kivy's config
    add_device(tmp_path, "event3", "Synaptics TouchPad", "5")  # a touchpad: pointer + buttonpad, not direct
    assert touch_inputs(tmp_path).splitlines() == [
        "touch1 = probesysfs,provider=hidinput,match=ILITEK ILITEK-TP 10",
        "touch2 = probesysfs,provider=hidinput,match=raspberrypi-ts",
    ]


def test_no_touch_screen_gives_nothing(tmp_path: Path) -> None:
    add_device(tmp_path, "event0", "Logitech USB Keyboard", "0")
    assert touch_inputs(tmp_path) == ""
