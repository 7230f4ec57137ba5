"""The on-screen keyboard's pages: which keys, in which rows, for AZERTY, QWERTY, accents and digits.

Plain data (no Kivy): screens/widgets/keyboard.py builds the keys from it, tests read it to know where a
character is.
"""

from __future__ import annotations

from dataclasses import dataclass

from screens import style


@dataclass(frozen=True)
class KeySpec:
    action: str  # "char", "shift", "backspace", "space", "enter", "page", "spacer"
    value: str = ""  # the character, or the page a "page" key opens
    weight: float = 1.0  # share of the row's width (a row is 10 units)


def _chars(text: str) -> list[KeySpec]:
    return [KeySpec("char", c) for c in text]


KEY_GAP = 6  # px at 800×480 (dp), between keys and rows
TRAY_PADDING = 4  # px at 800×480 (dp), around the keys

SHIFT = KeySpec("shift", weight=1.5)
BACKSPACE = KeySpec("backspace", weight=1.5)


def _spacer(weight: float) -> KeySpec:
    return KeySpec("spacer", weight=weight)


LETTER_ROWS: dict[str, list[list[KeySpec]]] = {
    "azerty": [
        _chars("azertyuiop"),
        _chars("qsdfghjklm"),
        [SHIFT, *_chars("wxcvbn’"), BACKSPACE],
    ],
    "qwerty": [
        _chars("qwertyuiop"),
        [_spacer(0.5), *_chars("asdfghjkl"), _spacer(0.5)],
        [SHIFT, *_chars("zxcvbnm"), BACKSPACE],
    ],
}
ACCENT_ROWS = [
    _chars("éèêëàâçùûô"),
    _chars("îïœæüÿ’-.,"),
    [SHIFT, *_chars("ñãõáíóú"), BACKSPACE],
]
DIGIT_ROWS = [
    _chars("1234567890"),
    _chars("@._-+',?!/"),
    [_spacer(1.5), *_chars("():;#&€"), BACKSPACE],
]
# The bottom row: the same places on every page, so a hand learns them once.
PAGE_KEYS = {
    "letters": (KeySpec("page", "digits", 1.5), KeySpec("page", "accents", 1.5)),
    "accents": (KeySpec("page", "digits", 1.5), KeySpec("page", "letters", 1.5)),
    "digits": (KeySpec("page", "letters", 1.5), KeySpec("page", "accents", 1.5)),
}
PAGE_LABELS = {"letters": "ABC", "accents": "éàç", "digits": "123"}
ICONS = {"shift": "shift", "backspace": "backspace"}


def layout_for(language: str) -> str:
    return "qwerty" if language == "en" else "azerty"


def page_rows(layout: str, page: str) -> list[list[KeySpec]]:
    rows = {"letters": LETTER_ROWS[layout], "accents": ACCENT_ROWS, "digits": DIGIT_ROWS}[page]
    first, second = PAGE_KEYS[page]
    bottom = [first, second, KeySpec("space", " ", 4.0), KeySpec("char", "." if page != "digits" else ",")]
    bottom.append(KeySpec("enter", weight=2.0))
    return [*rows, bottom]


def _row_min_width(row: list[KeySpec]) -> float:
    """Width at which the row's narrowest key (weight ≥ 1) is exactly TOUCH_MIN."""
    gaps = (len(row) - 1) * KEY_GAP  # spacers are children too: they have gaps beside them
    return 2 * TRAY_PADDING + gaps + style.TOUCH_MIN * sum(spec.weight for spec in row)


# The narrowest keyboard whose keys are all ≥ 64 px, on every page of both layouts (708 px at 800×480).
MIN_WIDTH = max(
    _row_min_width(row) for layout in LETTER_ROWS for page in PAGE_LABELS for row in page_rows(layout, page)
)

# Every page has as many rows; the keyboard keeps this height (dp) with or without its keys (lent elsewhere).
ROW_COUNT = 4
TRAY_HEIGHT = ROW_COUNT * style.TOUCH_MIN + (ROW_COUNT - 1) * KEY_GAP + 2 * TRAY_PADDING
