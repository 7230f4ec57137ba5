"""A fresh Debian 12 root made with debootstrap (minbase) in a temporary folder, for install.sh in a chroot.

It mounts /proc and /dev (bind) inside the root and unmounts exactly those; it never removes the folder while
anything is still mounted under it (`rm --one-file-system` besides), so a failed unmount can never reach the
host's /dev. A policy-rc.d forbids services from starting: the chroot shares this machine's processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

MIRROR = os.environ.get("KIOSK_TEST_DEBIAN_MIRROR", "http://deb.debian.org/debian")
CHROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Left out of the manifest: the kernel's and the runtime's file systems, and logs and caches that apt and
# pip would touch if they ran (a second run of install.sh must not run them, and the manifest shows
# whatever it wrote anywhere else).
MANIFEST_IGNORED = (
    "proc",
    "dev",
    "sys",
    "run",
    "tmp",
    "var/tmp",
    "var/log",
    "var/cache",
    "var/lib/apt/lists",
    "root/.cache",
)


def _mounted_under(folder: Path) -> list[str]:
    prefix = str(folder.resolve()) + "/"
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        points = [line.split()[1].replace("\\040", " ") for line in mounts]
    return [point for point in points if point.startswith(prefix)]


class DebianRoot:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.mounted: list[Path] = []

    def bootstrap(self) -> None:
        subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", str(self.folder), MIRROR],
            check=True,
            capture_output=True,
            timeout=600,
        )
        policy = self.folder / "usr" / "sbin" / "policy-rc.d"
        policy.write_text("#!/bin/sh\n# a test chroot: no service starts\nexit 101\n")
        policy.chmod(0o755)

    def mount(self) -> None:
        for source, options in (("proc", ["-t", "proc"]), ("/dev", ["--bind"])):
            target = self.folder / source.strip("/")
            subprocess.run(["mount", *options, source, str(target)], check=True, timeout=30)
            self.mounted.append(target)

    def unmount(self) -> None:
        for target in reversed(self.mounted):
            done = subprocess.run(["umount", str(target)], check=False, timeout=30)
            if done.returncode != 0:  # busy: detach it now, the kernel finishes when it is free
                subprocess.run(["umount", "--lazy", str(target)], check=False, timeout=30)
        self.mounted.clear()

    def run(
        self, command: Sequence[str], env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """A command inside the root with a clean environment (nothing of this test's virtualenv leaks in)."""
        base = {"PATH": CHROOT_PATH, "HOME": "/root", "LANG": "C.UTF-8"}
        return subprocess.run(
            [
                "chroot",
                str(self.folder),
                "/usr/bin/env",
                "-i",
                *(f"{k}={v}" for k, v in {**base, **(env or {})}.items()),
                *command,
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def manifest(self) -> dict[str, str]:
        """Every path of the root with its type, mode, owner and content (sha256 or link target)."""
        entries: dict[str, str] = {}
        for directory, dirs, files in os.walk(self.folder):
            relative_dir = os.path.relpath(directory, self.folder)
            dirs[:] = sorted(
                d for d in dirs if os.path.normpath(os.path.join(relative_dir, d)) not in MANIFEST_IGNORED
            )
            for name in [*dirs, *files]:
                path = os.path.join(directory, name)
                relative = os.path.normpath(os.path.join(relative_dir, name))
                if relative in MANIFEST_IGNORED:
                    continue
                info = os.lstat(path)
                head = f"{stat.filemode(info.st_mode)} {info.st_uid}:{info.st_gid}"
                if stat.S_ISLNK(info.st_mode):
                    entries[relative] = f"{head} -> {os.readlink(path)}"
                elif stat.S_ISREG(info.st_mode):
                    digest = hashlib.sha256()
                    with open(path, "rb") as handle:
                        for block in iter(lambda: handle.read(1 << 20), b""):
                            digest.update(block)
                    entries[relative] = f"{head} {digest.hexdigest()}"
                else:
                    entries[relative] = head
        return entries


@contextlib.contextmanager
def debian_root() -> Iterator[DebianRoot]:
    folder = Path(tempfile.mkdtemp(prefix="kiosk-debian-"))
    root = DebianRoot(folder / "root")
    try:
        root.bootstrap()
        root.mount()
        yield root
    finally:
        root.unmount()
        left = _mounted_under(folder)
        if left:  # never delete through a mount point: leave the folder for a person to look at
            raise RuntimeError(f"still mounted, {folder} kept: {left}")
        subprocess.run(["rm", "-rf", "--one-file-system", str(folder)], check=False, timeout=300)


def diff(before: dict[str, str], after: dict[str, str]) -> list[str]:
    changes = [f"+ {path}" for path in after.keys() - before.keys()]
    changes += [f"- {path}" for path in before.keys() - after.keys()]
    changes += [f"~ {path}" for path in before.keys() & after.keys() if before[path] != after[path]]
    return sorted(changes)


def copy_into(root: DebianRoot, source: Path, target: str) -> str:
    destination = root.folder / target.lstrip("/")
    destination.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copy2(source, destination)
    return target
