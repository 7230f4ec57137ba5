"""What goes on a printed slip (exchange receipt, member pass), independent of any printer.

A `Slip` is a list of blocks (text lines, a rule, a QR payload). The ESC/POS printer and the simulated
printer both render the same slips, so the demo shows exactly what paper would. Text is laid out here
for a given line width: French typography keeps "?", "!", ":", ";" and "»" on the line of the word they
follow (they sit behind a non-breaking space), and characters the printer's code page lacks are
transliterated ("œ" → "oe", "’" → "'") rather than printed as garbage.
"""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from kiosk.i18n import N_, gettext

LINE_WIDTHS = {58: 32, 80: 48}  # characters per line in the printers' standard 12x24 font

_GLUE = "\x00"  # stands for a non-breaking space while wrapping (never in cleaned text)
_GLUED_BEFORE = "?!:;»%"
_REPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "„": '"',
    "…": "...",
    "–": "-",
    "—": "-",
    "‑": "-",
    "−": "-",
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "Æ": "AE",
    "€": "EUR",
    "Ł": "L",  # letters with a stroke have no Unicode decomposition
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "·": ".",  # "animateur·rices" where the code page has no middle dot
    "«": '"',
    "»": '"',
}


def transliterate(text: str, codepage: str = "cp858") -> str:
    """Keep what `codepage` can print, replace the rest with its nearest ASCII (or "?")."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if _encodable(char, codepage):
            out.append(char)
            continue
        replacement = _REPLACEMENTS.get(char)
        if replacement is None:
            decomposed = unicodedata.normalize("NFKD", char)
            replacement = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append("".join(c if _encodable(c, codepage) else "?" for c in replacement) or "?")
    return "".join(out)


def _encodable(char: str, codepage: str) -> bool:
    try:
        char.encode(codepage)
    except UnicodeEncodeError:
        return False
    return True


def _clean(text: str) -> str:
    """Control characters out; every kind of space in French typesetting becomes glue or a plain space."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    text = text.replace("\u00a0", _GLUE).replace("\u202f", _GLUE).replace("\u2009", _GLUE)
    for mark in _GLUED_BEFORE:
        text = text.replace(" " + mark, _GLUE + mark)
    return text.replace("« ", "«" + _GLUE)


def wrap(text: str, width: int, codepage: str = "cp858") -> list[str]:
    """Lines of at most `width` printable characters; paragraphs ("\\n") kept; never an empty list."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        printable = transliterate(_clean(paragraph), codepage)
        wrapped = textwrap.wrap(printable, width=width, break_long_words=True, break_on_hyphens=True)
        lines.extend(line.replace(_GLUE, " ") for line in wrapped or [""])
    return lines


# --- slips ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str
    center: bool = False
    bold: bool = False
    big: bool = False  # double width and height: half as many characters per line


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class Qr:
    payload: str


Block = Text | Rule | Qr


@dataclass(frozen=True)
class Slip:
    kind: str  # "receipt" or "pass": names the simulated printer's files
    blocks: tuple[Block, ...]

    @property
    def qr_payload(self) -> str | None:
        return next((block.payload for block in self.blocks if isinstance(block, Qr)), None)


def text_lines(slip: Slip, width: int, codepage: str = "cp858") -> list[str]:
    """The slip as plain lines (the QR as a marker): what the simulated printer writes, and a preview."""
    lines: list[str] = []
    for block in slip.blocks:
        if isinstance(block, Rule):
            lines.append(block.char * width)
        elif isinstance(block, Qr):
            lines.append("[QR] " + block.payload)
        else:
            # Big text prints at double width: half as many characters fit, centred on the full line.
            for line in wrap(block.text, width // 2 if block.big else width, codepage):
                lines.append(line.center(width).rstrip() if block.center else line)
    return lines


@dataclass(frozen=True)
class ExchangeReceipt:
    """One exchange as printed for its participants. Names are pseudonyms (DESIGN §6: nothing more)."""

    exchange_id: str
    title: str
    theme: str
    occurred_at: datetime
    duration_min: int
    place: str
    transmitters: tuple[str, ...]
    learners: tuple[str, ...]
    collective_name: str
    qr_payload: str  # hardware.qr.receipt_payload(exchange_id, base_url)
    pending: bool = False  # a partner has yet to confirm


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def _when(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y %H:%M")  # read the same way in French and in English here


def exchange_receipt_slip(receipt: ExchangeReceipt, language: str | None = None) -> Slip:
    def _(message: str) -> str:
        return gettext(message, language)

    blocks: list[Block] = [
        Text(receipt.collective_name, center=True, bold=True),
        Text(_(N_("Échange de savoirs")), center=True, big=True),
        Rule(),
        Text(receipt.title, bold=True),
        Text(receipt.theme),
        Text(_(N_("Le {when}")).format(when=_when(receipt.occurred_at))),
        Text(_(N_("Durée : {duration}")).format(duration=format_duration(receipt.duration_min))),
        Text(_(N_("Lieu : {place}")).format(place=receipt.place)),
        Text(_(N_("Transmis par : {names}")).format(names=", ".join(receipt.transmitters))),
        Text(_(N_("Appris par : {names}")).format(names=", ".join(receipt.learners))),
    ]
    if receipt.pending:
        blocks.append(Text(_(N_("En attente de la confirmation de l’autre personne."))))
    blocks += [
        Rule(),
        Qr(receipt.qr_payload),
        Text(_(N_("Merci pour ce partage !")), center=True, bold=True),
        Text(receipt.exchange_id[-12:], center=True),
    ]
    return Slip("receipt", tuple(blocks))


def member_pass_slip(
    pseudonym: str, collective_name: str, issued_at: datetime, pass_text: str, language: str | None = None
) -> Slip:
    def _(message: str) -> str:
        return gettext(message, language)

    return Slip(
        "pass",
        (
            Text(collective_name, center=True, bold=True),
            Text(_(N_("Passe membre")), center=True, big=True),
            Text(pseudonym, center=True, bold=True),
            Rule(),
            Qr(pass_text),
            Text(_(N_("Présentez ce QR code à la borne à la place de votre carte."))),
            Text(_(N_("Gardez-le pour vous : il vous identifie."))),
            Text(_(N_("Émis le {when}")).format(when=issued_at.strftime("%d/%m/%Y")), center=True),
        ),
    )
