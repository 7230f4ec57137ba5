"""`kiosk doctor`: checks a person can act on, each with a sentence saying what to do.

Later issues add their checks (reader, printer, hub, clock, backups) as more `Check`s in the same report.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

from kiosk.config import Config
from kiosk.errors import KioskError
from kiosk.store import Store

DISK_WARN_BYTES = 500 * 1024 * 1024
DISK_FAIL_BYTES = 50 * 1024 * 1024


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


def run_checks(config: Config) -> Report:
    report = Report()
    report.add("configuration", Status.OK, f"lue depuis {config.source}.")
    data_dir = config.data_dir
    if data_dir.exists() and not data_dir.is_dir():
        report.add("données", Status.FAIL, f"{data_dir} n’est pas un dossier.")
        return report
    check_disk(report, data_dir)
    check_database(report, config.database_path)
    return report
