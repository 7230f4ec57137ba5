"""Pure parsing of the cells of a paper register (dates, durations, people, themes): no I/O.

Librarians type years of signed paper registers into spreadsheets, the way people write: `25/11/26`,
`1 h 30`, `1,5`, « Ali et Zoé », « Vélo ». Each function reads one cell and returns a value or raises
`CellError` with the sentence the librarian will read, so the importer can list every problem of every row
instead of stopping at the first one. The file layout (encoding, separator, header) is `register_file`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import get_close_matches

from kiosk.domain import MAX_DURATION_MIN, MIN_DURATION_MIN, ExchangeKind
from kiosk.i18n import N_, gettext
from kiosk.text import clean, fold


def tr(message: str, **params: object) -> str:
    """A French message id in the active language, placeholders filled."""
    return gettext(message).format(**params)


def shown(value: str, limit: int = 40) -> str:
    """A cell as quoted in a message: cleaned and cut, so one huge cell cannot flood the report."""
    text = clean(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CellError(ValueError):
    """One problem with a cell, a header or the whole file, as the sentence the librarian reads.

    `message` is a French message id (marked with `N_`), translated here into the active language.
    """

    def __init__(self, message: str, **params: object) -> None:
        self.reason = tr(message, **params)
        super().__init__(self.reason)


@dataclass(frozen=True)
class RowError:
    line: int  # physical line in the file; the header is line 1
    reason: str


_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})")
_YMD = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TIME_SUFFIX = re.compile(r"\s+[0-9]{1,2}[:h][0-9]{2}(?::[0-9]{2})?$")
_EXCEL_SERIAL = re.compile(r"[0-9]{5}")
EXCEL_EPOCH = date(1899, 12, 30)
OLDEST_YEAR = 1950


def parse_date(text: str, today: date) -> date:
    """25/11/2026, 25/11/26, 2026-11-25 (a time after it is ignored: Excel may add one).

    A five-digit number is an Excel date serial (the cell was formatted as a number). Two-digit years are
    this century unless that would be in the future. Dates after `today` or before 1950 are typos.
    """
    value = _TIME_SUFFIX.sub("", clean(text))
    if not value:
        raise CellError(N_("date manquante."))
    if match := _DMY.fullmatch(value):
        year = int(match[3])
        if len(match[3]) == 2:
            year += 2000 if year <= today.year % 100 else 1900
        parts = (year, int(match[2]), int(match[1]))
    elif match := _YMD.fullmatch(value):
        parts = (int(match[1]), int(match[2]), int(match[3]))
    elif _EXCEL_SERIAL.fullmatch(value):
        serial = EXCEL_EPOCH + timedelta(days=int(value))
        parts = (serial.year, serial.month, serial.day)
    else:
        raise CellError(N_("date « {value} » illisible : écrivez-la comme 25/11/2026."), value=shown(text))
    try:
        when = date(*parts)
    except ValueError:
        raise CellError(N_("date « {value} » impossible."), value=shown(text)) from None
    if when > today:
        raise CellError(N_("date « {value} » dans le futur."), value=shown(text))
    if when.year < OLDEST_YEAR:
        raise CellError(N_("date « {value} » trop ancienne (faute de frappe ?)."), value=shown(text))
    return when


_UNIT_H = r"(?:h|hr|hrs|heure|heures)"
_UNIT_MIN = r"(?:m|mn|mns|min|mins|minute|minutes)"
_HOURS_MINUTES = re.compile(rf"([0-9]{{1,3}}){_UNIT_H}(?:([0-9]{{1,2}}){_UNIT_MIN}?)?")
_MINUTES = re.compile(rf"([0-9]{{1,4}}){_UNIT_MIN}")
_DECIMAL_HOURS = re.compile(rf"([0-9]{{1,3}})[.,]([0-9]{{1,3}}){_UNIT_H}?")
_CLOCK_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::00)?")
_BARE = re.compile(r"[0-9]{1,4}")
AMBIGUOUS_BELOW = 10


def parse_duration(text: str) -> int:
    """Minutes from 1h30, 1 h 30, 0h45, 2h, 90 min, 1,5 (hours), 1:30 (an Excel time) or a bare number.

    A bare number is minutes (« 45 »). From 1 to 9 it is refused as ambiguous: on paper « 2 » usually
    meant two hours, and importing two minutes would quietly belittle what a member gave.
    """
    value = re.sub(r"\s+", "", fold(text))
    if not value:
        raise CellError(N_("durée manquante."))
    if match := _HOURS_MINUTES.fullmatch(value):
        if int(match[2] or 0) > 59:
            raise CellError(N_("durée « {value} » : plus de 59 minutes après les heures."), value=shown(text))
        total = int(match[1]) * 60 + int(match[2] or 0)
    elif match := _MINUTES.fullmatch(value):
        total = int(match[1])
    elif match := _CLOCK_TIME.fullmatch(value):
        total = int(match[1]) * 60 + int(match[2])
    elif match := _DECIMAL_HOURS.fullmatch(value):
        total = round(float(f"{match[1]}.{match[2]}") * 60)
    elif _BARE.fullmatch(value):
        total = int(value)
        if 0 < total < AMBIGUOUS_BELOW:
            raise CellError(
                N_("durée « {value} » ambiguë : écrivez « {value}h » ou « {value} min »."), value=total
            )
    else:
        raise CellError(
            N_("durée « {value} » illisible : écrivez-la comme 1h30, 45 min ou 1,5."), value=shown(text)
        )
    if not MIN_DURATION_MIN <= total <= MAX_DURATION_MIN:
        raise CellError(
            N_("durée « {value} » hors limites : entre 1 minute et 12 heures."), value=shown(text)
        )
    return total


_KINDS = {
    "": ExchangeKind.KNOWLEDGE,
    "savoir": ExchangeKind.KNOWLEDGE,
    "savoirs": ExchangeKind.KNOWLEDGE,
    "connaissance": ExchangeKind.KNOWLEDGE,
    "knowledge": ExchangeKind.KNOWLEDGE,
    "service": ExchangeKind.SERVICE,
    "services": ExchangeKind.SERVICE,
}


def parse_kind(text: str) -> ExchangeKind:
    """« savoir » (also when empty: most registers only list knowledge) or « service »."""
    kind = _KINDS.get(fold(text))
    if kind is None:
        raise CellError(
            N_("nature « {value} » inconnue : écrivez « savoir » ou « service »."), value=shown(text)
        )
    return kind


_CONFIRMED = {"", "confirme", "confirmee", "confirmes", "signe", "oui", "confirmed"}
_PENDING = {"en attente", "attente", "a confirmer", "pending"}
_CANCELLED = {"annule", "annulee", "cancelled", "canceled"}


def parse_status(text: str) -> bool:
    """True when confirmed. A paper register is signed, so empty means confirmed; « en attente » (as the
    export writes it) keeps the exchange waiting for each participant's confirmation at their next tap."""
    value = fold(text)
    if value in _CONFIRMED:
        return True
    if value in _PENDING:
        return False
    if value in _CANCELLED:
        raise CellError(N_("échange annulé : retirez la ligne, les échanges annulés ne s’importent pas."))
    raise CellError(
        N_("statut « {value} » inconnu : écrivez « confirmé » ou « en attente »."), value=shown(text)
    )


_PEOPLE_SEPARATOR = re.compile(r"(\s*[,+/;&\n]\s*|\s+et\s+)", re.IGNORECASE)
_LONGEST_NAME_PIECES = 4


def split_people(text: str, is_known: Callable[[str], bool]) -> list[str]:
    """Several people in one cell (« Ali, Zoé et Marc ») make a workshop.

    Separators are `,` `+` `/` `;` `&` and « et ». A known pseudonym that itself holds one (« Jean et
    Marie ») stays whole: the longest run of pieces (up to 4) naming a known member wins.
    """
    parts = _PEOPLE_SEPARATOR.split(text)
    pieces, separators = parts[0::2], parts[1::2]

    def joined(start: int, stop: int) -> str:
        return pieces[start] + "".join(separators[i] + pieces[i + 1] for i in range(start, stop - 1))

    people: list[str] = []
    start = 0
    while start < len(pieces):
        longest = min(len(pieces), start + _LONGEST_NAME_PIECES)
        stop = next(
            (stop for stop in range(longest, start + 1, -1) if is_known(joined(start, stop))), start + 1
        )
        if name := clean(joined(start, stop)):
            people.append(name)
        start = stop
    return people


def theme_key(text: str) -> str:
    return fold(text).replace("’", "'")


@dataclass(frozen=True)
class ThemeIndex:
    """Themes found by id or by French or English label, accents and case aside."""

    by_key: dict[str, str]  # folded id or label → theme id ("" when two themes share a label)
    by_label: dict[str, str]  # folded label → theme id, for prefixes
    labels: dict[str, str]  # folded label → label as written, for suggestions

    @classmethod
    def build(cls, themes: Iterable[tuple[str, str, str]]) -> ThemeIndex:
        ids: dict[str, str] = {}
        by_label: dict[str, str] = {}
        labels: dict[str, str] = {}
        for theme_id, label_fr, label_en in themes:
            ids[theme_key(theme_id)] = theme_id
            for text in (label_fr, label_en):
                key = theme_key(text)
                by_label[key] = theme_id if by_label.get(key, theme_id) == theme_id else ""
                labels[key] = text
        return cls({**by_label, **ids}, by_label, labels)  # an id wins over a label folding alike

    def resolve(self, text: str) -> str:
        """« Vélo », « velo », « Bicycle » and « reparation.velo » all give reparation.velo.

        A unique label prefix of 4 letters or more is enough (« Français » for « Français (FLE, …) »).
        """
        key = theme_key(text)
        if not key:
            raise CellError(N_("thème manquant."))
        found = self.by_key.get(key)
        if found is None and len(key) >= 4:
            matches = {theme for label, theme in self.by_label.items() if label.startswith(key)}
            found = matches.pop() if len(matches) == 1 else None
        if found:
            return found
        if found == "":
            raise CellError(
                N_("thème « {value} » ambigu : écrivez son identifiant (ex. reparation.velo)."),
                value=shown(text),
            )
        close = get_close_matches(key, list(self.labels), n=1, cutoff=0.75)
        if close:
            raise CellError(
                N_("thème « {value} » inconnu : vouliez-vous dire « {suggestion} » ?"),
                value=shown(text),
                suggestion=self.labels[close[0]],
            )
        raise CellError(N_("thème « {value} » inconnu."), value=shown(text))


def format_date(when: date) -> str:
    return when.strftime("%d/%m/%Y")


def format_duration(minutes: int) -> str:
    """1h30, 2h, 0h45: as librarians write it, and Excel keeps it as text (never turns it into a time)."""
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"
