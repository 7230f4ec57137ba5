"""The processes of the UI benchmark (bench/ui_bench.py): one private Xvfb, and each app in its own process.

`xvfb(log)` starts Xvfb on a display number it picks itself (-displayfd) and stops it by its pid.
`Child` runs `python -m MODULE` with the same Kivy environment for every app (`child_env`) and reads the
JSON lines it reports on a pipe (bench/ui_hello.py `report`); `Child.started` is taken just before the
process is created, on the clock the child's own timestamps use (time.monotonic, system-wide on Linux).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.ui_hello import REPORT_FD_ENV

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 120.0  # seconds to wait for a child's next report before calling it stuck


@contextmanager
def xvfb(log: Path) -> Iterator[str]:
    """A private X display; Xvfb picks a free number itself (-displayfd). Stopped by its pid."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise RuntimeError("Xvfb absent (paquet Debian `xvfb`) : le banc d’essai de l’interface en a besoin.")
    read_fd, write_fd = os.pipe()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [binary, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=out,
            stderr=out,
        )
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 30)
        number = os.read(read_fd, 16).decode().strip() if ready else ""
        if not number:
            raise RuntimeError(f"Xvfb did not start: {log.read_text(errors='replace')[-2000:]}")
        yield f":{number}"
    finally:
        os.close(read_fd)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class Child:
    """One app in its own process; it reports JSON lines on a pipe (bench/ui_hello.py `report`)."""

    def __init__(self, module: str, args: Sequence[str], env: dict[str, str], log: Path) -> None:
        read_fd, write_fd = os.pipe()
        self.log = log
        self.reports: list[dict[str, Any]] = []
        self._buffer = b""
        self._fd = read_fd
        with log.open("ab") as out:
            self.started = time.monotonic()  # the process starts right after this instant
            self.proc = subprocess.Popen(
                [sys.executable, "-m", module, *args],
                env={**env, REPORT_FD_ENV: str(write_fd)},
                pass_fds=(write_fd,),
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=out,
                cwd=ROOT,
            )
        os.close(write_fd)

    def wait_for(self, kind: str, timeout: float = CHILD_TIMEOUT) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = next((r for r in self.reports if r["kind"] in (kind, "error")), None)
            if found is not None and found["kind"] == "error":
                self.stop()
                raise RuntimeError(f"{self.log.stem} failed before « {kind} »:\n{found['text']}")
            if found is not None:
                return found
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._fd], [], [], max(0.0, left))
            chunk = os.read(self._fd, 65536) if ready else b""
            if not chunk:
                self.stop()
                why = "stayed silent" if not ready else f"exited ({self.proc.returncode})"
                raise RuntimeError(f"{self.log.stem}: {why} before « {kind} »; log:\n{self.tail()}")
            self._buffer += chunk
            *lines, self._buffer = self._buffer.split(b"\n")
            self.reports += [json.loads(line) for line in lines if line.strip()]

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 30.0) -> None:
        """The child quits by itself once done; a stuck one is killed (by its pid)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
        self._close()
        if self.proc.returncode != 0:
            raise RuntimeError(f"{self.log.stem} exited with {self.proc.returncode}; log:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def child_env(display: str, kivy_home: Path, bytecode: Path | None = None) -> dict[str, str]:
    """The same Kivy set-up for both apps: the Xvfb display, a private KIVY_HOME, software GL.

    `bytecode`: where both apps keep their compiled modules (PYTHONPYCACHEPREFIX), written by the uncounted
    first start, even when this shell says PYTHONDONTWRITEBYTECODE. An installed kiosk has them (pip
    compiles the wheel it installs): without them every start of the kiosk would compile its ~90 modules
    again (~0.15 s), while the bare app's come compiled with Kivy."""
    env = dict(os.environ)
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return {
        **env,
        "PYTHONPATH": str(ROOT),
        "DISPLAY": display,
        "KIVY_HOME": str(kivy_home),
        "KIVY_NO_ARGS": "1",
        "KIVY_NO_CONSOLELOG": "1",
        "KIVY_NO_FILELOG": "1",
        "KIVY_LOG_MODE": "MIXED",
        "KIVY_WINDOW": "sdl2",
        "KIVY_GL_BACKEND": "sdl2",
        "KIVY_METRICS_DENSITY": "1",
        "LIBGL_ALWAYS_SOFTWARE": "1",
    }
