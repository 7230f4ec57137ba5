"""The layout of a register file as spreadsheets write it: encoding, separator, header, rows. Pure: no I/O.

What arrives is whatever Excel wrote on the librarian's machine: `;` (French Excel), `,` or tabs;
Windows-1252, UTF-8 with or without a BOM, or UTF-16 (« Texte Unicode »); an optional `sep=;` first line;
extra columns; blank lines. Problems with the whole file raise `CellError`; problems with one row are
collected as `RowError`s with the row's physical line number (the header is line 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from kiosk.i18n import N_
from kiosk.register_parse import CellError, RowError, shown, tr
from kiosk.text import clean, fold

# Columns ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # what the export writes (a file format, so never translated)
    aliases: tuple[str, ...]  # header keys also accepted, see `header_key`
    required: bool = True


def _column(key: str, header: str, aliases: str, required: bool = True) -> Column:
    return Column(key, header, tuple(aliases.split()), required)


COLUMNS = (
    _column("date", "Date", "date jour datedelechange"),
    _column(
        "transmitters",
        "Qui transmet",
        "quitransmet transmet transmetteur transmetteurs transmetteurrice transmetteurrices"
        " quienseigne quidonne quirend quipropose",
    ),
    _column(
        "learners",
        "Qui apprend",
        "quiapprend apprend apprenant apprenants apprenante apprenantes quirecoit quibeneficie"
        " beneficiaire beneficiaires",
    ),
    _column("kind", "Nature", "nature type savoirouservice", required=False),
    _column("theme", "Thème", "theme themes soustheme domaine categorie"),
    _column("title", "Intitulé", "intitule titre objet libelle sujet"),
    _column("duration", "Durée", "duree temps"),
    _column("quartier", "Quartier", "quartier", required=False),
    _column("status", "Statut", "statut status etat", required=False),
)
_BY_ALIAS = {alias: column.key for column in COLUMNS for alias in column.aliases}
_NOT_KEY = re.compile(r"\([^)]*\)|\[[^\]]*\]|[^a-z0-9]")
_DELIMITERS = (";", ",", "\t")
_SEP_LINE = re.compile(r"sep=([;,\t|])[ \r\n]*")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def header_key(text: str) -> str:
    """'Durée (h)' → 'duree': accents, case, units in brackets, spaces and punctuation never matter."""
    return _NOT_KEY.sub("", fold(text))


def expected_headers() -> str:
    return " ; ".join(column.header for column in COLUMNS)


@dataclass(frozen=True)
class Header:
    positions: dict[str, int]  # column key → index in a row
    width: int
    ignored: tuple[str, ...]  # headers we do not know, ignored (a « Remarques » column is common)


def match_header(cells: list[str]) -> Header:
    """Which column holds what. A missing required column or a twice-named one stops the whole file."""
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        key = _BY_ALIAS.get(header_key(cell))
        if key is None:
            if clean(cell):
                ignored.append(shown(cell))
        elif key in positions:
            raise CellError(
                N_("La colonne « {column} » apparaît deux fois dans l’en-tête."), column=shown(cell)
            )
        else:
            positions[key] = index
    if len(positions) < 2:
        raise CellError(
            N_("La première ligne n’est pas un en-tête de registre. Colonnes attendues : {expected}."),
            expected=expected_headers(),
        )
    missing = [column.header for column in COLUMNS if column.required and column.key not in positions]
    if missing:
        raise CellError(
            N_("Colonne(s) manquante(s) dans l’en-tête : {missing}. Colonnes attendues : {expected}."),
            missing=", ".join(missing),
            expected=expected_headers(),
        )
    return Header(positions, len(cells), tuple(ignored))


def sniff_delimiter(header_line: str) -> str:
    """The separator that makes the most known headers; « ; » on a tie (French Excel writes it)."""

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([header_line], delimiter=delimiter), [])
        except csv.Error:  # a huge or broken first line: no known header either way
            return 0, 0
        known = {_BY_ALIAS[key] for cell in cells if (key := header_key(cell)) in _BY_ALIAS}
        return len(known), header_line.count(delimiter)

    return max(_DELIMITERS, key=score)


def unescape_cell(text: str) -> str:
    """Undo the export's guard against spreadsheet formulas (a leading apostrophe before = + - @)."""
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def excel_safe(text: str) -> str:
    """A cell Excel shows as text and never runs as a formula (« CSV injection » by what members typed)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


# Whole file ------------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding.

    UTF-16 is recognised by its BOM (Excel's « Texte Unicode »). UTF-8 is tried strictly first: a
    Windows-1252 file with accents is almost never valid UTF-8, so falling back is safe, and Windows-1252
    is what French Excel's « CSV (séparateur : point-virgule) » writes.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise CellError(N_("Le fichier commence comme un texte UTF-16 mais est abîmé.")) from None
    if b"\x00" in data:
        raise CellError(
            N_(
                "Ce fichier n’est pas un texte CSV (classeur Excel, image… ?). Dans le tableur : "
                "Enregistrer sous › « CSV (séparateur : point-virgule) »."
            )
        )
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as error:
        if data.startswith(codecs.BOM_UTF8):
            line = data[: error.start].count(b"\n") + 1
            raise CellError(N_("Le texte UTF-8 est abîmé à la ligne {line}."), line=line) from None
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CellError(
            N_("Le fichier n’est ni en UTF-8 ni en Windows-1252 (octet illisible ligne {line})."), line=line
        ) from None


@dataclass
class Parsed:
    delimiter: str
    header: Header
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, column key → cell)
    errors: list[RowError] = field(default_factory=list)
    count: int = 0  # data rows that were not blank, good or bad


def _first_filled(lines: list[str], after: int = 0) -> int:
    """1-based number of the first non-blank line after `after`, or 0."""
    return next((n for n, line in enumerate(lines, 1) if n > after and line.strip()), 0)


def parse_register(text: str) -> Parsed:
    """Header and rows with their physical line numbers (a quoted cell may span several lines)."""
    lines = io.StringIO(text, newline="").readlines()  # split exactly as the csv reader counts lines
    first = _first_filled(lines)
    delimiter = ""
    if first and (sep := _SEP_LINE.fullmatch(lines[first - 1].lstrip())):  # Excel's « sep=; » line
        delimiter, first = sep[1], _first_filled(lines, first)
    if not first:
        raise CellError(N_("Le fichier est vide."))
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(lines[first - 1])
    )
    parsed: Parsed | None = None
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            if parsed is None or reader.line_num == previous:
                raise CellError(N_("Le fichier est illisible comme CSV.")) from None
            reason = tr(N_("ligne illisible : cellule trop longue ou guillemet non fermé."))
            parsed.errors.append(RowError(previous + 1, reason))
            previous = reader.line_num
            continue
        line, previous = previous + 1, reader.line_num
        if line < first or not any(cell.strip() for cell in cells):
            continue
        if parsed is None:
            parsed = Parsed(reader.dialect.delimiter, match_header(cells))
            continue
        parsed.count += 1
        row = _row_cells(parsed.header, cells)
        if isinstance(row, str):
            parsed.errors.append(RowError(line, row))
        else:
            parsed.rows.append((line, row))
    if parsed is None:
        raise CellError(N_("Le fichier est vide."))
    return parsed


def _row_cells(header: Header, cells: list[str]) -> dict[str, str] | str:
    """The row's cells by column, or why its cell count does not fit the header."""
    if any(cell.strip() for cell in cells[header.width :]):
        return tr(
            N_(
                "la ligne a {count} cellules pour {width} colonnes d’en-tête "
                "(un séparateur dans une cellule sans guillemets ?)."
            ),
            count=len(cells),
            width=header.width,
        )
    if any(index >= len(cells) for index in header.positions.values()):
        return tr(
            N_("la ligne n’a que {count} cellule(s) pour {width} colonnes d’en-tête."),
            count=len(cells),
            width=header.width,
        )
    return {key: unescape_cell(cells[index]) for key, index in header.positions.items()}
