"""Export the exchanges of a date range as a CSV that French Excel opens as is, onto a USB stick if one is in.

UTF-8 with a BOM (Excel then reads the accents), `;` between cells, CRLF, dates as JJ/MM/AAAA and hours
with a decimal comma (« 1,5 »). One row per exchange (date, type, theme, title, hours, who transmitted,
who learned, status, place of the kiosk), cancelled ones included (their status says so).
The destination is the first writable removable mount (a USB stick: vfat, exfat, ntfs or ext* under
/media, /run/media or /mnt, as the system's mount table says), else `<data_dir>/exports/`. A file is never
overwritten (« -2 », « -3 »… are added) and appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from kiosk.domain import Confirmation, Exchange, ExchangeKind, ExchangeStatus, ParticipantRole
from kiosk.errors import KioskError, codes
from kiosk.register_file import excel_safe
from kiosk.services import Services

REMOVABLE_ROOTS = ("/media", "/run/media", "/mnt")
REMOVABLE_TYPES = frozenset({"vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk", "ext2", "ext3", "ext4"})
HEADER = (
    "Date",
    "Type",
    "Thème",
    "Titre",
    "Durée (heures)",
    "Transmis par",
    "Appris par",
    "Statut",
    "Lieu",  # where it was recorded: the site of the kiosk
)
_KINDS = {ExchangeKind.KNOWLEDGE: "Savoir", ExchangeKind.SERVICE: "Service"}
_STATUSES = {
    ExchangeStatus.CONFIRMED: "Confirmé",
    ExchangeStatus.PENDING: "En attente",
    ExchangeStatus.CANCELLED: "Annulé",
}
MAX_SUFFIX = 999
_OCTAL = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int  # exchanges written (the header aside)
    on_usb: bool


def _unescape(field: str) -> str:
    """The mount table writes a space, tab, newline or backslash in a mount point as octal (`\\040`)."""
    return _OCTAL.sub(lambda found: chr(int(found.group(1), 8)), field)


def removable_mounts(
    mounts: Path = Path("/proc/mounts"), roots: Sequence[str] = REMOVABLE_ROOTS
) -> list[Path]:
    """Writable mounts of removable-media file systems under `roots`, in the mount table's order."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found: list[Path] = []
    for line in lines:
        fields = line.split()
        if len(fields) < 4 or fields[2] not in REMOVABLE_TYPES:
            continue
        point = Path(_unescape(fields[1]))
        under_root = any(point == Path(root) or Path(root) in point.parents for root in roots)
        read_only = "ro" in fields[3].split(",")
        if under_root and not read_only and os.access(point, os.W_OK) and point.is_dir():
            found.append(point)
    return found


def _hours(minutes: int) -> str:
    """1,5 for 90 minutes; 0,75 for 45: a number French Excel sums (never a time of day)."""
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _rows(services: Services, exchanges: list[Exchange]) -> Iterator[list[str]]:
    conn = services.store.conn
    labels: dict[str, str] = dict(conn.execute("SELECT id, label_fr FROM themes").fetchall())
    sites: dict[str, str] = dict(conn.execute("SELECT id, name FROM sites").fetchall())
    for exchange in exchanges:
        people = [p for p in exchange.participants if p.confirmation is not Confirmation.DECLINED]
        cells = [
            date.fromisoformat(exchange.occurred_at[:10]).strftime("%d/%m/%Y"),
            _KINDS[exchange.kind],
            labels.get(exchange.theme_id, exchange.theme_id),
            exchange.title,
            _hours(exchange.duration_min),
            ", ".join(p.pseudonym for p in people if p.role is ParticipantRole.TRANSMITTER),
            ", ".join(p.pseudonym for p in people if p.role is ParticipantRole.LEARNER),
            _STATUSES[exchange.status],
            sites.get(exchange.site_id, exchange.site_id),
        ]
        yield [excel_safe(cell) for cell in cells]


def _csv_bytes(rows: Iterator[list[str]]) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return buffer.getvalue().encode("utf-8-sig"), count


def _write_new(folder: Path, stem: str, data: bytes) -> Path:
    """`folder/stem.csv`, or `stem-2.csv`… the first free name: written beside, flushed, then linked in
    place (a link never replaces an existing file, so two exports at once cannot overwrite each other)."""
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{stem}.{os.getpid()}.part"
    try:
        with temp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        for n in range(1, MAX_SUFFIX + 1):
            target = folder / (f"{stem}.csv" if n == 1 else f"{stem}-{n}.csv")
            try:
                os.link(temp, target)
            except FileExistsError:
                continue
            except OSError:  # FAT and exFAT sticks have no hard links: create exclusively instead
                try:
                    _write_exclusively(target, data)
                except FileExistsError:
                    continue
            return target
        raise OSError("trop de fichiers d’export du même nom")
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def _write_exclusively(target: Path, data: bytes) -> None:
    try:
        with target.open("xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except FileExistsError:
        raise
    except OSError:
        with contextlib.suppress(OSError):
            target.unlink()  # never half a file on the stick
        raise


def export_exchanges(
    services: Services,
    start: date,
    end: date,
    data_dir: Path,
    mounts: Path = Path("/proc/mounts"),
    *,
    roots: Sequence[str] = REMOVABLE_ROOTS,
) -> ExportResult:
    """Exchanges that took place from `start` to `end` (both included), oldest first, saying where."""
    if start > end:
        raise KioskError(codes.EXPORT_BAD_RANGE)
    exchanges = services.exchanges.between(start.isoformat(), (end + timedelta(days=1)).isoformat())
    data, count = _csv_bytes(_rows(services, exchanges))
    stem = f"echanges_{start.isoformat()}_{end.isoformat()}"
    last_error: OSError | None = None
    for folder, on_usb in [
        *((m, True) for m in removable_mounts(mounts, roots)),
        (data_dir / "exports", False),
    ]:
        try:
            return ExportResult(_write_new(folder, stem, data), count, on_usb)
        except OSError as error:  # a stick pulled out or full: the next place (in the end, the kiosk)
            last_error = error
    detail = (last_error.strerror or str(last_error)) if last_error else ""
    raise KioskError(codes.EXPORT_FAILED, detail=detail)
