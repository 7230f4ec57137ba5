"""`kiosk doctor`: checks a person can act on, each with a sentence saying what to do.

Here the core's checks (disk, database, clock sync, last backup, pending update); the devices'
(hardware/nfc_doctor.py, hardware/device_doctor.py) and the hub's (sync_client/doctor_checks.py) are
added to the same report by kiosk/cli.py.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from kiosk.backup import BACKUP_FOLDER, latest_backup
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.errors import KioskError
from kiosk.store import Store
from kiosk.update import UpdateError, read_history, read_pending

DISK_WARN_BYTES = 500 * 1024 * 1024
DISK_FAIL_BYTES = 50 * 1024 * 1024
BACKUP_WARN_AGE = timedelta(hours=36)  # nightly timer: one missed night is a warning
BACKUP_FAIL_AGE = timedelta(days=7)
RECENT_ROLLBACK = timedelta(days=7)


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    message: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.status is not Status.FAIL for check in self.checks)

    def add(self, name: str, status: Status, message: str) -> None:
        self.checks.append(Check(name, status, message))

    def describe(self) -> str:
        marks = {Status.OK: "[ ok ]", Status.WARN: "[ !! ]", Status.FAIL: "[ÉCHEC]"}
        lines = [f"{marks[check.status]} {check.name} : {check.message}" for check in self.checks]
        lines.append("Tout va bien." if self.ok else "Au moins un point demande une action (voir ci-dessus).")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {"ok": self.ok, "checks": [asdict(check) for check in self.checks]},
            ensure_ascii=False,
            indent=2,
        )


def check_disk(report: Report, folder: Path) -> None:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    megabytes = free // (1024 * 1024)
    if free < DISK_FAIL_BYTES:
        report.add(
            "disque",
            Status.FAIL,
            f"{megabytes} Mo libres dans {existing} : libérez de la place, la borne ne peut plus "
            "enregistrer sûrement.",
        )
    elif free < DISK_WARN_BYTES:
        report.add("disque", Status.WARN, f"{megabytes} Mo libres : pensez à faire de la place.")
    else:
        report.add("disque", Status.OK, f"{megabytes} Mo libres.")


def check_database(report: Report, path: Path) -> None:
    if not path.exists():
        report.add("base", Status.OK, f"{path} sera créée au premier lancement.")
        return
    try:
        store = Store.open(path)
    except KioskError as error:
        report.add("base", Status.FAIL, error.text())
        return
    try:
        problems = [line for line in store.integrity_check() if line != "ok"]
        if problems:
            report.add(
                "base",
                Status.FAIL,
                f"{path} est endommagée ({problems[0]}) : restaurez la dernière sauvegarde.",
            )
            return
        report.add("base", Status.OK, f"{path} intègre (schéma {store.schema_version}).")
        row = store.conn.execute(
            "SELECT count(*), coalesce(min(seq), 1), coalesce(max(seq), 0) FROM journal"
            " WHERE origin = 'local'"
        ).fetchone()
        count, first, last = row
        if count and (first != 1 or last - first + 1 != count):
            report.add(
                "journal",
                Status.FAIL,
                f"le journal a des trous ({count} évènements pour les numéros {first} à {last}) : "
                "prévenez la personne qui maintient la borne.",
            )
        else:
            report.add("journal", Status.OK, f"{count} évènement(s), numérotation continue.")
    finally:
        store.close()


def _unsynced_events(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        store = Store.open(path)
    except KioskError:
        return 0  # check_database says what is wrong with it
    try:
        row = store.conn.execute(
            "SELECT count(*) FROM journal WHERE origin = 'local' AND clock_synced = 0"
        ).fetchone()
        return int(row[0])
    finally:
        store.close()


def check_clock(report: Report, clock: Clock, database: Path) -> None:
    """No real-time clock on a Pi: until NTP (or the hub) confirms the time, events are marked unsure."""
    unsure = _unsynced_events(database)
    note = f" ; {unsure} évènement(s) enregistré(s) avant que l’heure soit sûre." if unsure else "."
    if clock.synced():
        report.add("heure", Status.OK, "synchronisée" + note)
    else:
        report.add(
            "heure",
            Status.WARN,
            "pas encore synchronisée : reliez la borne au réseau et vérifiez « timedatectl » (NTP). "
            "En attendant, les échanges sont marqués « heure non vérifiée » et la première "
            "synchronisation avec le hub attend l’heure juste" + note,
        )


def _age(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} h" if hours < 48 else f"{hours // 24} jours"


def check_backups(report: Report, data_dir: Path, database: Path, now: datetime) -> None:
    if not database.exists():
        report.add("sauvegarde", Status.OK, "rien à sauvegarder encore.")
        return
    folder = data_dir / BACKUP_FOLDER
    latest = latest_backup(folder)
    if latest is None:
        report.add(
            "sauvegarde",
            Status.WARN,
            f"aucune sauvegarde dans {folder} : lancez « kiosk backup », et vérifiez que la sauvegarde "
            "de chaque nuit est active (« systemctl status kiosk-backup.timer »).",
        )
        return
    path, made = latest
    age = now - made
    if age > BACKUP_FAIL_AGE:
        report.add(
            "sauvegarde",
            Status.FAIL,
            f"la dernière date de {_age(age)} ({path.name}) : lancez « kiosk backup » maintenant, puis "
            "regardez pourquoi la sauvegarde de nuit ne passe plus (« journalctl -u kiosk-backup »).",
        )
    elif age > BACKUP_WARN_AGE:
        report.add(
            "sauvegarde",
            Status.WARN,
            f"la dernière date de {_age(age)} : vérifiez « systemctl status kiosk-backup.timer ».",
        )
    else:
        report.add("sauvegarde", Status.OK, f"la dernière date de {_age(age)} ({path.name}).")


def check_update(report: Report, data_dir: Path, now: datetime) -> None:
    """Only says something when an update is under way or was rolled back lately."""
    try:
        pending = read_pending(data_dir)
    except UpdateError as error:
        report.add("mise à jour", Status.WARN, str(error))
        return
    if pending is not None:
        if pending.overdue(now):
            report.add(
                "mise à jour",
                Status.WARN,
                f"la version {pending.new} ne s’est pas confirmée : lancez « sudo kiosk update check » "
                "pour revenir à la précédente.",
            )
        else:
            report.add("mise à jour", Status.OK, f"version {pending.new} en cours de confirmation.")
        return
    rollbacks = [entry for entry in read_history(data_dir) if entry.get("action") == "rollback"]
    if rollbacks:
        last = rollbacks[-1]
        with contextlib.suppress(ValueError, TypeError):
            if now - datetime.fromisoformat(str(last.get("at"))) < RECENT_ROLLBACK:
                report.add(
                    "mise à jour",
                    Status.WARN,
                    f"la version {last.get('from')} a été annulée le {last.get('at')} "
                    f"({last.get('reason')}) : signalez-le à la personne qui maintient la borne.",
                )


def run_checks(config: Config, clock: Clock | None = None, now: datetime | None = None) -> Report:
    report = Report()
    report.add("configuration", Status.OK, f"lue depuis {config.source}.")
    data_dir = config.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        report.add("données", Status.FAIL, f"{data_dir} n’est pas un dossier.")
        return report
    check_disk(report, data_dir)
    check_database(report, config.database_path)
    check_clock(report, clock or SystemClock(config.kiosk.timezone), config.database_path)
    moment = now or datetime.now(UTC)
    check_backups(report, data_dir, config.database_path, moment)
    check_update(report, data_dir, moment)
    return report
