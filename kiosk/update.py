"""`kiosk update install|confirm|check|rollback`: versions side by side, a symlink, an automatic rollback.

Layout (deploy plan): `<root>/versions/<version>/venv/` per version, `<root>/current -> versions/<version>`
for the one that runs (`/opt/kiosque` unless `--root` or $KIOSK_INSTALL_ROOT say otherwise).

`install` builds the new version's virtualenv beside the current one, switches `current` atomically and
writes `<data_dir>/update-pending.json` {previous, new, deadline = switch + 60 s}, then restarts the kiosk.
The new app confirms itself once healthy (kiosk/health.py: after READY=1 and a first good watchdog
feed), which removes the marker. `check` (a timer ~70 s after the switch, and at boot) finds a marker past
its deadline — the new version never got healthy — switches back to `previous` and restarts. Every step
is written to `<data_dir>/update-history.json`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("kiosk.update")

DEFAULT_ROOT = Path("/opt/kiosque")
ROOT_ENV = "KIOSK_INSTALL_ROOT"
PENDING_FILE = "update-pending.json"
HISTORY_FILE = "update-history.json"
CONFIRM_SECONDS = 60
CHECK_AFTER_SECONDS = 70
KEEP_VERSIONS = 2
HISTORY_LIMIT = 200
SERVICE = "kiosk.service"
_WHEEL = re.compile(r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-]+)-.*\.whl$")


class UpdateError(Exception):
    """A refusal or failure with the French sentence to print."""


def install_root(given: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    return Path(given or environ.get(ROOT_ENV) or DEFAULT_ROOT)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Pending:
    previous: str | None
    new: str
    deadline: str  # ISO 8601, UTC
    switched_at: str

    def overdue(self, now: datetime) -> bool:
        return now >= datetime.fromisoformat(self.deadline)


class Installation:
    """The versions under one root and the `current` symlink."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions = root / "versions"
        self.current = root / "current"

    def current_version(self) -> str | None:
        try:
            target = os.readlink(self.current)
        except OSError:
            return None
        return Path(target).name

    def installed(self) -> list[str]:
        """Versions with a virtualenv, oldest first (by their install stamp)."""
        if not self.versions.is_dir():
            return []
        found = [path for path in self.versions.iterdir() if (path / "venv").is_dir()]
        return [path.name for path in sorted(found, key=_installed_at)]

    def switch(self, version: str) -> None:
        """Point `current` at `version` in one rename: a crash leaves the old link or the new, never none."""
        if not (self.versions / version / "venv").is_dir():
            raise UpdateError(f"La version {version} n’est pas installée dans {self.versions}.")
        temporary = self.root / f".current.{os.getpid()}"
        temporary.unlink(missing_ok=True)
        os.symlink(Path("versions") / version, temporary)
        os.replace(temporary, self.current)
        _fsync_dir(self.root)

    def running_version(self, prefix: str | None = None) -> str | None:
        """The version this Python runs from (`.../versions/<v>/venv`), or None outside the layout."""
        venv = Path(prefix or sys.prefix).resolve()
        if venv.name == "venv" and venv.parent.parent == self.versions.resolve():
            return venv.parent.name
        return None


def _installed_at(version_dir: Path) -> tuple[str, float]:
    try:
        stamp = json.loads((version_dir / "installed.json").read_text(encoding="utf-8"))["installed_at"]
    except (OSError, ValueError, KeyError, TypeError):
        stamp = ""
    return str(stamp), version_dir.stat().st_mtime


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_json(path: Path, value: Any) -> None:
    """Whole or not at all; written beside then renamed, so the kiosk user may replace root's file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(value, handle, ensure_ascii=False, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


# --- the pending marker and the history ------------------------------------------------------------


def read_pending(data_dir: Path) -> Pending | None:
    try:
        raw = json.loads((data_dir / PENDING_FILE).read_text(encoding="utf-8"))
        return Pending(raw["previous"], raw["new"], raw["deadline"], raw["switched_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UpdateError(
            f"{data_dir / PENDING_FILE} est illisible ({error}) : "
            "lancez « kiosk update rollback » ou supprimez ce fichier."
        ) from None


def read_history(data_dir: Path) -> list[dict[str, Any]]:
    try:
        value = json.loads((data_dir / HISTORY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return value if isinstance(value, list) else []


def record(data_dir: Path, action: str, now: datetime, **details: Any) -> None:
    entries = read_history(data_dir)
    entries.append({"at": now.isoformat(timespec="seconds"), "action": action, **details})
    _write_json(data_dir / HISTORY_FILE, entries[-HISTORY_LIMIT:])


# --- systemd (injected in tests: there is no systemd to restart there) ------------------------------


class Systemd(Protocol):
    def restart_kiosk(self) -> None: ...

    def schedule_check(self, seconds: int, argv: Sequence[str]) -> None: ...


class SystemctlRunner:
    def restart_kiosk(self) -> None:
        _run(["systemctl", "restart", "--no-block", SERVICE], "redémarrer la borne")

    def schedule_check(self, seconds: int, argv: Sequence[str]) -> None:
        # A transient timer running the *previous* version's own `kiosk update check`: it works even if
        # the new version cannot start at all.
        unit = f"kiosk-update-check-{utc_now():%Y%m%dT%H%M%S}"
        _run(
            ["systemd-run", f"--on-active={seconds}", f"--unit={unit}", "--collect", *argv],
            "programmer la vérification de la mise à jour",
        )


def _run(argv: list[str], what: str) -> None:
    try:
        subprocess.run(argv, check=True, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        raise UpdateError(f"Impossible de {what} ({detail.strip()}).") from None


# --- building a version ----------------------------------------------------------------------------

Builder = Callable[[Path, Path], None]  # (source, venv to create)


def version_of(source: Path) -> str:
    """The package version of a wheel (from its name) or a source tree (from its pyproject.toml)."""
    if source.suffix == ".whl" or source.is_file():
        match = _WHEEL.match(source.name)
        if not match:
            raise UpdateError(f"{source} n’est pas une roue Python (.whl) ni un dossier source.")
        return match["version"]
    try:
        with (source / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
        raise UpdateError(f"{source} n’a pas de pyproject.toml lisible avec une version ({error}).") from None


def new_version_name(package_version: str, now: datetime, existing: Sequence[str]) -> str:
    """`0.1.0-20261126T0102`, with `.2`, `.3`… when installed twice in one minute."""
    base = f"{package_version}-{now:%Y%m%dT%H%M}"
    name, count = base, 1
    while name in existing:
        count += 1
        name = f"{base}.{count}"
    return name


def pip_builder(python: str = sys.executable, pip_args: Sequence[str] = ()) -> Builder:
    """A real virtualenv with the package and its dependencies (`pip_args`: e.g. a local wheelhouse)."""

    def build(source: Path, venv: Path) -> None:
        steps = [
            [python, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
             "--no-input", *pip_args, str(source)],
        ]  # fmt: skip
        for argv in steps:
            result = subprocess.run(argv, capture_output=True, text=True)
            if result.returncode != 0:
                tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
                raise UpdateError("L’installation a échoué : " + " / ".join(tail))

    return build


# --- the commands ----------------------------------------------------------------------------------


def install(
    source: Path,
    inst: Installation,
    data_dir: Path,
    *,
    builder: Builder,
    systemd: Systemd | None,
    check_argv: Sequence[str] = (),
    now: Callable[[], datetime] = utc_now,
) -> Pending:
    """Build `source` as a new version, switch to it, mark it pending, restart (unless `systemd` is None)."""
    if not source.exists():
        raise UpdateError(f"{source} introuvable.")
    if read_pending(data_dir) is not None:
        raise UpdateError(
            "Une mise à jour attend encore sa confirmation : attendez une minute "
            "(ou lancez « kiosk update check »), puis recommencez."
        )
    previous = inst.current_version()
    name = new_version_name(version_of(source), now(), inst.installed())
    folder = inst.versions / name
    folder.mkdir(parents=True)
    try:
        builder(source, folder / "venv")
        if not (folder / "venv" / "bin" / "kiosk").exists():
            raise UpdateError(f"{source} n’a pas installé la commande « kiosk » : est-ce bien la borne ?")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # a half-built version is never left to switch to
        raise
    _write_json(
        folder / "installed.json",
        {"version": name, "installed_at": now().isoformat(timespec="seconds"), "source": str(source)},
    )
    inst.switch(name)
    switched = now()
    pending = Pending(
        previous=previous,
        new=name,
        deadline=(switched + timedelta(seconds=CONFIRM_SECONDS)).isoformat(timespec="seconds"),
        switched_at=switched.isoformat(timespec="seconds"),
    )
    _write_json(data_dir / PENDING_FILE, asdict(pending))
    record(data_dir, "install", switched, previous=previous, new=name, source=str(source))
    if systemd is not None:
        systemd.restart_kiosk()
        if check_argv:
            systemd.schedule_check(CHECK_AFTER_SECONDS, check_argv)
    return pending


def confirm(
    inst: Installation,
    data_dir: Path,
    *,
    running: str | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Pending | None:
    """The running version is healthy: the marker goes, old versions are pruned (when allowed).

    `running`: the version confirming (the app passes its own); a marker for another version is left
    for `check` to judge. Returns the pending update confirmed, or None when nothing was pending.
    """
    pending = read_pending(data_dir)
    if pending is None or (running is not None and running != pending.new):
        return None
    (data_dir / PENDING_FILE).unlink(missing_ok=True)
    record(data_dir, "confirm", now(), version=pending.new)
    try:
        prune(inst)
    except OSError as error:  # the app's user may not own the versions: `check` prunes as root later
        log.info("old versions not pruned now: %s", error)
    return pending


def check(
    inst: Installation,
    data_dir: Path,
    *,
    systemd: Systemd | None,
    now: Callable[[], datetime] = utc_now,
) -> str:
    """ "rolled_back" when a pending update is past its deadline, "waiting" before it, else "ok"."""
    pending = read_pending(data_dir)
    moment = now()
    if pending is None:
        prune(inst)
        return "ok"
    if not pending.overdue(moment):
        return "waiting"
    if pending.previous is None or not (inst.versions / pending.previous / "venv").is_dir():
        (data_dir / PENDING_FILE).unlink(missing_ok=True)
        record(data_dir, "rollback_impossible", moment, version=pending.new)
        raise UpdateError(
            f"La version {pending.new} ne s’est pas confirmée, et aucune version précédente n’est "
            "disponible : réinstallez la borne (deploy/raspberry-pi/install.sh)."
        )
    inst.switch(pending.previous)
    (data_dir / PENDING_FILE).unlink(missing_ok=True)
    record(
        data_dir,
        "rollback",
        moment,
        **{"from": pending.new, "to": pending.previous},
        reason=f"pas de confirmation de bonne santé avant {pending.deadline}",
    )
    if systemd is not None:
        systemd.restart_kiosk()
    return "rolled_back"


def rollback(
    inst: Installation,
    data_dir: Path,
    *,
    systemd: Systemd | None,
    now: Callable[[], datetime] = utc_now,
) -> str:
    """Back to the previous version by hand: the pending one's `previous`, else the one installed before."""
    current = inst.current_version()
    pending = read_pending(data_dir)
    if pending is not None and pending.previous:
        target: str | None = pending.previous
    else:
        older = [name for name in inst.installed() if name != current]
        target = older[-1] if older else None
    if target is None:
        raise UpdateError("Aucune autre version n’est installée : rien vers quoi revenir.")
    inst.switch(target)
    (data_dir / PENDING_FILE).unlink(missing_ok=True)
    record(data_dir, "rollback", now(), **{"from": current, "to": target}, reason="demandé à la main")
    if systemd is not None:
        systemd.restart_kiosk()
    return target


def prune(inst: Installation, keep: int = KEEP_VERSIONS) -> list[str]:
    """Remove the oldest versions beyond `keep`, never the current one."""
    current = inst.current_version()
    others = [name for name in inst.installed() if name != current]
    doomed = others[: max(0, len(others) - (keep - (1 if current else 0)))]
    for name in doomed:
        shutil.rmtree(inst.versions / name)
    return doomed
