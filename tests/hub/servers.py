"""Real parts for the hub tests and the benchmark: a PostgreSQL cluster in a temporary folder, and the hub
run by uvicorn as a subprocess on 127.0.0.1 — each started here and stopped by its own pid or pg_ctl."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def postgres_bin() -> Path | None:
    """The newest Debian PostgreSQL binaries, or None when the `postgresql` package is absent."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    """initdb in a temporary folder, listening on a free port of 127.0.0.1 only; `stop()` runs pg_ctl."""

    def __init__(self, *, durable: bool = False) -> None:
        bindir = postgres_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL binaries not found")
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="hub-pg-"))
        self.port = free_port()
        self.durable = durable
        self._as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=300"
        if not durable:  # a test cluster: speed over crash safety (the hub's own durability is not at stake)
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._options = options
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )

    def restart(self) -> None:
        """A fast restart (pg_ctl -m fast): every client connection is cut, as by a server upgrade."""
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            self._options,
            "-l",
            str(self.folder / "log"),
            "-m",
            "fast",
            "-w",
            "restart",
        )

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def cpu_seconds(self) -> float:
        """CPU used so far by the cluster (the benchmark's figures): its postmaster, its live server
        processes, and those that ended (the postmaster's children times, once it has reaped them)."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for proc in filter(str.isdigit, os.listdir("/proc")):
            try:
                fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            if int(proc) == postmaster:
                total += sum(int(f) for f in fields[11:15]) / ticks  # utime, stime, cutime, cstime
            elif int(fields[1]) == postmaster:
                total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


class _ExitedEarly(RuntimeError):
    """The hub process ended before it answered /health."""


class HubServer:
    """`kiosk-hub serve` in a subprocess. The database URL survives restarts (kill mid-push, restart)."""

    def __init__(self, db_url: str, *, workers: int = 1, log: Path | None = None) -> None:
        self.db_url = db_url
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, timeout: float = 30.0) -> None:
        """Start and wait until /health answers. At the first start only, a hub that exits at once is
        started again on another free port (three tries): `free_port` closes its probe socket before
        uvicorn binds the port, and another program may take it meanwhile. A restart keeps its port, which
        the kiosks of the test already know."""
        for attempt in range(3):
            try:
                self._start_once(timeout)
                return
            except _ExitedEarly:
                if self.starts > 1 or attempt == 2:
                    raise
                self.port = free_port()
                self.url = f"http://127.0.0.1:{self.port}"
                self.starts -= 1

    def _start_once(self, timeout: float) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hub",
                "serve",
                "--db",
                self.db_url,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            stdout=out,
            stderr=out,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise _ExitedEarly(f"hub exited with {self.process.returncode}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/api/v1/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("hub did not start in time")

    def kill(self) -> None:
        """SIGKILL, as a power cut or an OOM kill would: no graceful shutdown, requests cut mid-way."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own session: uvicorn workers too
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()
