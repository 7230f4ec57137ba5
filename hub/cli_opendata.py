"""`kiosk-hub opendata export DIR [--network ID] [--date AAAAMMJJ]`: the open data, on demand.

`kiosk-hub serve --opendata-dir DIR` exports the same at start and then every day (`DailyExport`).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import threading
from pathlib import Path

from hub.db import Database
from hub.opendata.export import export

log = logging.getLogger("hub.opendata")
DAY = 24 * 3600.0


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    opendata = sub.add_parser("opendata", help="données ouvertes").add_subparsers(
        dest="action", required=True
    )
    run = opendata.add_parser(
        "export", parents=[common], help="exporter les données ouvertes (CSV, datapackage)"
    )
    run.add_argument("directory", metavar="DOSSIER", help="un sous-dossier par réseau y est (re)créé")
    run.add_argument("--network", metavar="ID", help="un seul réseau (par défaut : tous)")
    run.add_argument(
        "--date", metavar="AAAAMMJJ", type=_day, help="date de l’export (par défaut : aujourd’hui)"
    )
    run.set_defaults(handler=cmd_opendata_export)


def _day(text: str) -> str:
    if not re.fullmatch(r"\d{8}", text):
        raise argparse.ArgumentTypeError(f"date attendue sous la forme AAAAMMJJ, pas « {text} »")
    return text


def cmd_opendata_export(args: argparse.Namespace) -> int:
    db = Database(args.db)
    try:
        done = export(db, Path(args.directory), args.network, args.date)
    finally:
        db.dispose()
    if args.json:
        print(
            json.dumps(
                [{"network": e.network_id, "folder": str(e.folder), "files": list(e.files)} for e in done],
                ensure_ascii=False,
            )
        )
    else:
        for exported in done:
            count = len(exported.files)
            print(f"Données ouvertes du réseau {exported.network_id} : {exported.folder} ({count} fichiers)")
    return 0


class DailyExport(threading.Thread):
    """Exports at start, then every `period` seconds; a failure is logged and retried the next time."""

    def __init__(self, db_url: str, directory: Path, period: float = DAY) -> None:
        super().__init__(name="opendata-export", daemon=True)
        self.db_url, self.directory, self.period = db_url, directory, period
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            db = Database(self.db_url)
            try:
                export(db, self.directory)
                log.info("Données ouvertes exportées dans %s", self.directory)
            except Exception:  # the server keeps serving; the next day tries again
                log.exception("Export des données ouvertes impossible")
            finally:
                db.dispose()
            if self.stopped.wait(self.period):
                return
