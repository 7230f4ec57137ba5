"""Import a paper register typed into a spreadsheet; export exchanges so French Excel opens them as is.

The import is all-or-nothing. Every row is checked first (a dry run stops there) and every bad row is
reported with its line number and reason; only when none is bad does ONE transaction write the members to
create and the exchanges, through the same services (so the same rules and journal events) as the kiosk.
Rows in a register were signed on paper: their participants are all confirmed, unless a « Statut » column
says « en attente ». Unknown pseudonyms become members of the row's « Quartier », else of the site's.

The columns are `kiosk.register_file.COLUMNS`; the export writes them too, so export → import round-trips.
"""

from __future__ import annotations

import contextlib
import csv
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from kiosk.domain import Confirmation, Exchange, ExchangeKind, ExchangeStatus, ParticipantRole, Partner
from kiosk.errors import ErrorKind, KioskError
from kiosk.i18n import N_
from kiosk.register_check import DEFAULT_QUARTIER, Plan, plan_register
from kiosk.register_file import COLUMNS, decode, excel_safe, parse_register
from kiosk.register_parse import CellError, RowError, format_date, format_duration, tr
from kiosk.services import Services

MAX_FILE_BYTES = 20 * 1024 * 1024  # years of a register are a few MB; more is another file
NAMES_SHOWN = 30
T, L = ParticipantRole.TRANSMITTER, ParticipantRole.LEARNER
EXPORT_FAILED = ErrorKind(
    "register.export_failed",
    N_("Le fichier {path} n’a pas pu être écrit ({detail})."),
    N_("Vérifiez le dossier et la place libre ; aucun fichier à moitié écrit n’a été laissé."),
)


@dataclass
class ImportReport:
    path: str
    dry_run: bool
    encoding: str = ""
    delimiter: str = ""
    rows: int = 0  # data rows read (blank lines aside), good or bad
    exchanges: int = 0  # good rows: ready to import, or imported when `imported`
    new_members: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # sorted by line
    file_error: str | None = None  # the whole file is unusable (empty, binary, no header…)
    ignored_columns: tuple[str, ...] = ()
    imported: bool = False

    @property
    def ok(self) -> bool:
        return self.file_error is None and not self.errors and self.exchanges > 0

    def describe(self) -> str:
        """French sentences for the librarian (in the active language)."""
        name = Path(self.path).name
        if self.file_error is not None:
            return tr(
                N_("Registre {file} : {problem} Rien n’a été importé."), file=name, problem=self.file_error
            )
        separators = {";": N_("point-virgule"), ",": N_("virgule"), "\t": N_("tabulation")}
        known = separators.get(self.delimiter)
        separator = tr(known) if known else f"« {self.delimiter} »"
        out = [
            tr(
                N_("Registre {file} : {rows} ligne(s) lue(s), encodage {encoding}, séparateur {separator}."),
                file=name,
                rows=self.rows,
                encoding=self.encoding,
                separator=separator,
            )
        ]
        if self.ignored_columns:
            columns = ", ".join(f"« {column} »" for column in self.ignored_columns)
            out.append(tr(N_("Colonne(s) ignorée(s) : {columns}."), columns=columns))
        if self.errors:
            out.append(tr(N_("{count} problème(s) à corriger :"), count=len(self.errors)))
            out += [tr(N_("  ligne {line} : {reason}"), line=e.line, reason=e.reason) for e in self.errors]
            if self.dry_run:
                out.append(tr(N_("Vérification seulement : rien n’a été importé.")))
            else:
                out.append(tr(N_("Rien n’a été importé : l’import se fait en entier ou pas du tout.")))
            out.append(tr(N_("Corrigez ces lignes dans le tableur puis relancez.")))
            return "\n".join(out)
        if self.exchanges == 0:
            out.append(tr(N_("Aucun échange à importer : le fichier n’a que son en-tête.")))
        elif self.imported:
            out.append(
                tr(
                    N_("{count} échange(s) importé(s), {members} membre(s) créé(s)."),
                    count=self.exchanges,
                    members=len(self.new_members),
                )
            )
        else:
            out.append(
                tr(
                    N_("Vérification réussie : {count} échange(s) à importer, {members} membre(s) à créer."),
                    count=self.exchanges,
                    members=len(self.new_members),
                )
            )
            out.append(tr(N_("Rien n’a encore été importé : relancez sans --dry-run pour importer.")))
        if self.new_members:
            names = ", ".join(self.new_members[:NAMES_SHOWN])
            more = "…" if len(self.new_members) > NAMES_SHOWN else ""
            out.append(tr(N_("Nouveaux membres : {names}{more}"), names=names, more=more))
        return "\n".join(out)


class _RowFailed(Exception):
    """A row the services refused while writing (checked beforehand, so not expected): rolls all back."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


def import_register(services: Services, path: Path, *, dry_run: bool) -> ImportReport:
    """Check a register and, unless `dry_run`, import it all or nothing. Always a report, never a traceback.

    Only a storage failure (disk full…) raises, as a `KioskError` that says nothing was saved.
    """
    report = ImportReport(str(path), dry_run)
    try:
        text, report.encoding = decode(_read(path))
        parsed = parse_register(text)
    except CellError as problem:
        report.file_error = problem.reason
        return report
    report.delimiter, report.rows = parsed.delimiter, parsed.count
    report.ignored_columns = parsed.header.ignored
    now = services.ctx.clock.now()
    if dry_run:
        return _with_plan(report, plan_register(services, parsed, now.date()))
    plan = Plan({}, DEFAULT_QUARTIER)
    try:
        with services.store.transaction() as conn:
            # Checked again under the write lock: nothing changes between the check and the write.
            plan = plan_register(services, parsed, now.date())
            if not plan.errors:
                _write(services, conn, plan, now)
    except _RowFailed as failed:
        plan.errors.append(failed.error)
    report.imported = not plan.errors and bool(plan.exchanges)
    return _with_plan(report, plan)


def _with_plan(report: ImportReport, plan: Plan) -> ImportReport:
    report.errors = sorted(plan.errors, key=lambda error: error.line)
    report.exchanges = len(plan.exchanges)
    report.new_members = [member.pseudonym for member in plan.new.values()]
    return report


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CellError(N_("le fichier {path} est introuvable."), path=str(path)) from None
    except IsADirectoryError:
        raise CellError(N_("{path} est un dossier, pas un fichier CSV."), path=str(path)) from None
    except OSError as error:
        detail = error.strerror or str(error)
        raise CellError(
            N_("le fichier {path} n’a pas pu être lu ({detail})."), path=str(path), detail=detail
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise CellError(
            N_("le fichier dépasse {size} Mo : est-ce bien un registre ?"), size=MAX_FILE_BYTES >> 20
        )
    return data


# Writing ---------------------------------------------------------------------------------------


def _write(services: Services, conn: sqlite3.Connection, plan: Plan, now: datetime) -> None:
    """Inside the caller's transaction: members first (exchanges name them), then the exchanges."""
    ids = dict(plan.known)
    for key, member in plan.new.items():
        try:
            ids[key] = services.members.register(member.pseudonym, member.quartier).id  # joins `conn`
        except KioskError as error:
            raise _RowFailed(RowError(member.line, error.text())) from None
    for row in plan.exchanges:
        partners = [Partner(T, ids[key], present=row.confirmed) for key in row.transmitters]
        partners += [Partner(L, ids[key], present=row.confirmed) for key in row.learners]
        # A register gives a day, not an hour: noon keeps the day in any time zone (never after now).
        when = min(datetime.combine(row.day, time(12), tzinfo=now.tzinfo), now)
        try:
            services.exchanges.record_in(
                conn, None, row.kind, row.theme_id, row.title, row.duration_min, partners, occurred_at=when
            )
        except KioskError as error:
            raise _RowFailed(RowError(row.line, error.text())) from None


# Export ----------------------------------------------------------------------------------------


def export_exchanges(services: Services, path: Path, start: date, end: date) -> int:
    """Confirmed and pending exchanges from `start` to `end` (inclusive) into `path`; returns their count.

    `;`, UTF-8 with BOM, CRLF, dd/mm/yyyy and 1h30: French Excel opens it as is. Written into a temporary
    file then renamed, so a failure never leaves half a file.
    """
    found = services.exchanges.between(start.isoformat(), (end + timedelta(days=1)).isoformat())
    exchanges = [exchange for exchange in found if exchange.status is not ExchangeStatus.CANCELLED]
    conn = services.store.conn
    labels: dict[str, str] = dict(conn.execute("SELECT id, label_fr FROM themes").fetchall())
    quartiers = _quartiers(conn, {p.member_id for e in exchanges for p in e.participants if p.member_id})
    rows = [[column.header for column in COLUMNS]]
    rows += [_export_row(exchange, labels, quartiers) for exchange in exchanges]
    _write_atomically(path, rows)
    return len(exchanges)


def _quartiers(conn: sqlite3.Connection, member_ids: Iterable[str]) -> dict[str, str]:
    ids, found = sorted(member_ids), dict[str, str]()
    for offset in range(0, len(ids), 500):  # stay far below SQLite's bound-parameter limit
        chunk = ids[offset : offset + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            conn.execute(f"SELECT id, quartier FROM members WHERE id IN ({marks})", chunk).fetchall()
        )
    return found


def _export_row(exchange: Exchange, labels: dict[str, str], quartiers: dict[str, str]) -> list[str]:
    """One exchange in the import's columns. A quartier is written only when all its members share it."""
    people = [p for p in exchange.participants if p.confirmation is not Confirmation.DECLINED]
    places = {quartiers[p.member_id] for p in people if p.member_id in quartiers}
    cells = {
        "date": format_date(date.fromisoformat(exchange.occurred_at[:10])),
        "transmitters": ", ".join(p.pseudonym for p in people if p.role is T),
        "learners": ", ".join(p.pseudonym for p in people if p.role is L),
        "kind": "service" if exchange.kind is ExchangeKind.SERVICE else "savoir",
        "theme": labels.get(exchange.theme_id, exchange.theme_id),
        "title": exchange.title,
        "duration": format_duration(exchange.duration_min),
        "quartier": places.pop() if len(places) == 1 else "",
        "status": "confirmé" if exchange.status is ExchangeStatus.CONFIRMED else "en attente",
    }
    return [excel_safe(cells[column.key]) for column in COLUMNS]


def _write_atomically(path: Path, rows: list[list[str]]) -> None:
    """A temporary file beside `path`, flushed to disk, then renamed over it: all or nothing."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    temp = ""
    try:
        handle_fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(handle_fd, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as error:
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise KioskError(EXPORT_FAILED, path=str(path), detail=error.strerror or str(error)) from None
    except BaseException:
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise
