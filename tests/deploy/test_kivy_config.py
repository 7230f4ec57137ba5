"""deploy/raspberry-pi/kivy-config.ini as install.sh writes it: a complete file at the installed Kivy's
config_version, so Kivy reads it without rewriting it, and the kiosk's choices are what Kivy sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.deploy.units import PI

READ_CONFIG = """
import json
from kivy.config import Config
print(json.dumps({
    "exit_on_escape": Config.get("kivy", "exit_on_escape"),
    "mouse": Config.get("input", "mouse"),
    "touch1": Config.get("input", "touch1"),
    "show_cursor": Config.get("graphics", "show_cursor"),
    "fullscreen": Config.get("graphics", "fullscreen"),
    "allow_screensaver": Config.get("graphics", "allow_screensaver"),
}))
"""


def test_kivy_reads_the_template_unchanged(tmp_path: Path) -> None:
    template = (PI / "kivy-config.ini").read_text(encoding="utf-8")
    assert template.count("@TOUCH_INPUTS@") == 1
    rendered = template.replace(
        "@TOUCH_INPUTS@", "touch1 = probesysfs,provider=hidinput,match=raspberrypi-ts"
    )
    home = tmp_path / "kivy"
    home.mkdir()
    (home / "config.ini").write_text(rendered, encoding="utf-8")
    env = {**os.environ, "KIVY_HOME": str(home), "KIVY_NO_ARGS": "1", "KIVY_NO_CONSOLELOG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", READ_CONFIG], capture_output=True, text=True, env=env, timeout=60, check=True
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "exit_on_escape": "0",
        "mouse": "mouse,disable_on_activity",
        "touch1": "probesysfs,provider=hidinput,match=raspberrypi-ts",
        "show_cursor": "0",
        "fullscreen": "auto",
        "allow_screensaver": "0",
    }
    # an out-of-date or incomplete file would have been upgraded and written back by Kivy
    assert (home / "config.ini").read_text(encoding="utf-8") == rendered
