"""Short pseudonymous ticket codes for volunteers, like « JAR-7K3Q ».

Three letters say the theme, four characters of Crockford's base32 make the code: no I, L, O or U, so nobody
confuses 1 and I, 0 and O, and no word gets spelled by accident. 32⁴ ≈ one million codes per theme: a draw
that sees the same code twice asks for another one (`new_ticket` is given the codes already taken).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Container

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TICKET_PATTERN = re.compile(r"^[A-Z]{3}-[0-9A-HJKMNP-TV-Z]{4}$")


def theme_letters(theme_code: str) -> str:
    """« jardinage.potager » → « JAR »; accents folded, letters only, padded with X if the code is short."""
    folded = unicodedata.normalize("NFKD", theme_code)
    letters = "".join(c for c in folded if c.isascii() and c.isalpha()).upper()
    return (letters + "XXX")[:3]


def new_ticket(theme_code: str, rng: random.Random, taken: Container[str] = ()) -> str:
    """A fresh ticket code for `theme_code`; `rng` is `secrets.SystemRandom()` on a kiosk, seeded in tests."""
    prefix = theme_letters(theme_code)
    while True:
        ticket = prefix + "-" + "".join(rng.choice(CROCKFORD) for _ in range(4))
        if ticket not in taken:
            return ticket


def is_ticket(text: str) -> bool:
    return TICKET_PATTERN.fullmatch(text) is not None
