"""`export(db, DIR)`: one folder per network, `DIR/<producer>/`, replaced whole or not at all.

The files are written into a temporary folder beside the target, flushed, then swapped in by renames: a
crash leaves the previous export (or none), never half of one; leftovers are cleaned at the next run.
The data stop at the end of the export date (Paris time), so the same date gives the same bytes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime, time, timedelta
from pathlib import Path

from hub.db import Database
from hub.opendata.exchanges import exchanges_dataset, month_tables
from hub.opendata.governance import categories_dataset, draws_dataset, elections_dataset
from hub.opendata.listings import listings_dataset
from hub.opendata.members import members_dataset
from hub.opendata.model import PARIS, Dataset
from hub.opendata.writers import csv_bytes, datapackage, file_name, json_bytes, readme
from hub.stats.facts import Scope, load_facts, networks
from hub.stats.model import Facts
from hub.util import slug

LEFTOVER_PREFIX = ".export-"
LOCK_FILE = ".export.lock"


@dataclass(frozen=True)
class Exported:
    network_id: str
    producer: str
    folder: Path
    files: tuple[str, ...]


def today() -> str:
    return datetime.now(PARIS).strftime("%Y%m%d")


def cutoff_of(day: str) -> datetime:
    """The end of the day `AAAAMMJJ` in Paris: what happened before it is exported."""
    parsed = Date(int(day[:4]), int(day[4:6]), int(day[6:]))
    return datetime.combine(parsed + timedelta(days=1), time(0), tzinfo=PARIS)


def build_datasets(facts: Facts, day: str) -> list[Dataset]:
    cutoff = cutoff_of(day)
    tables = month_tables(facts, cutoff)
    return [
        exchanges_dataset(facts, tables),
        listings_dataset(facts, cutoff),
        members_dataset(facts, cutoff, tables),
        draws_dataset(facts),
        categories_dataset(facts),
        elections_dataset(facts),
    ]


def export(
    db: Database, directory: Path, network_id: str | None = None, day: str | None = None
) -> list[Exported]:
    day = day or today()
    cutoff_of(day)  # a wrong date fails here, before anything is written
    with db.read() as conn:
        known = networks(conn)
        chosen = [(key, name) for key, name in known if network_id in (None, key)]
        if network_id is not None and not chosen:
            raise ValueError(f"Réseau inconnu : {network_id}.")
        loaded = [(key, name, load_facts(conn, Scope(key))) for key, name in chosen]
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the daily export and a librarian's command never interleave
        _clean_leftovers(directory)
        return [write_network(directory, key, name, facts, day) for key, name, facts in loaded]


def write_network(directory: Path, network_id: str, name: str, facts: Facts, day: str) -> Exported:
    producer = slug(name)
    datasets = build_datasets(facts, day)
    files = {file_name(day, producer, dataset): csv_bytes(dataset) for dataset in datasets}
    files["datapackage.json"] = json_bytes(datapackage(day, producer, name, datasets))
    files["README.md"] = readme(day, producer, name, datasets).encode("utf-8")
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{LEFTOVER_PREFIX}{producer}-", dir=directory))
    for file, content in sorted(files.items()):
        with open(staging / file, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    staging.chmod(0o755)
    target = directory / producer
    _swap(staging, target)
    return Exported(network_id, producer, target, tuple(sorted(files)))


def _swap(staging: Path, target: Path) -> None:
    """Put `staging` in place of `target`: each rename is atomic, and the target is never half-written."""
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f"{LEFTOVER_PREFIX}old-", dir=target.parent))
        os.replace(target, retired / target.name)
        os.replace(staging, target)
        shutil.rmtree(retired)
    else:
        os.replace(staging, target)
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _clean_leftovers(directory: Path) -> None:
    """Temporary folders of an export that crashed: never published, safe to remove."""
    for leftover in directory.glob(f"{LEFTOVER_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
