"""Keyboard layouts for USB HID barcode scanners (keyboard wedges): Linux key code → character.

A wedge scanner "types" what it reads by sending the key codes a person would press on the layout it was
configured for. Reading those codes with evdev bypasses the system keymap, so we translate them ourselves:
the kiosk then reads scans the same way whatever the desktop's layout is (the Pi's console is often left
in US while the scanner ships configured for AZERTY, or the reverse).

Key codes are the stable Linux input ABI (linux/input-event-codes.h, the numbers `evdev.ecodes` exposes);
they are written as plain numbers so decoding works where evdev is not installed (tests cross-check them).
Dead keys are read as their plain character: a scanner types characters, it never composes accents.
"""

from __future__ import annotations

from dataclasses import dataclass

# Modifiers and special keys (linux/input-event-codes.h).
KEY_ENTER = 28
KEY_KPENTER = 96
KEY_TAB = 15
KEY_LEFTSHIFT = 42
KEY_RIGHTSHIFT = 54
KEY_LEFTCTRL = 29
KEY_RIGHTCTRL = 97
KEY_LEFTALT = 56
KEY_RIGHTALT = 100  # AltGr on European layouts
KEY_CAPSLOCK = 58
KEY_SPACE = 57

SHIFT_KEYS = frozenset({KEY_LEFTSHIFT, KEY_RIGHTSHIFT})
CTRL_KEYS = frozenset({KEY_LEFTCTRL, KEY_RIGHTCTRL})

# Keypad: the same characters on every layout (scanners send digits there in "keypad" or Alt+code modes).
KEYPAD: dict[int, str] = {
    82: "0",
    79: "1",
    80: "2",
    81: "3",
    75: "4",
    76: "5",
    77: "6",
    71: "7",
    72: "8",
    73: "9",
    83: ".",  # KEY_KPDOT
    98: "/",  # KEY_KPSLASH
    55: "*",  # KEY_KPASTERISK
    74: "-",  # KEY_KPMINUS
    78: "+",  # KEY_KPPLUS
    117: "=",  # KEY_KPEQUAL
    121: ",",  # KEY_KPCOMMA
}
KEYPAD_DIGITS: dict[int, int] = {code: int(char) for code, char in KEYPAD.items() if char.isdigit()}


@dataclass(frozen=True)
class Keymap:
    """Characters per key code on three levels: plain, with Shift, with AltGr ('' = nothing typed)."""

    name: str
    keys: dict[int, tuple[str, str, str]]

    def char(self, code: int, shift: bool, altgr: bool, capslock: bool) -> str:
        if code == KEY_SPACE:
            return " "
        if code in KEYPAD:
            return KEYPAD[code]  # NumLock is assumed on: scanners rely on it
        levels = self.keys.get(code)
        if levels is None:
            return ""
        plain, shifted, alt = levels
        if altgr:
            return alt
        # Caps Lock shifts letters only (as Linux's fr and us layouts do), never the digit row.
        if capslock and plain.isascii() and plain.isalpha():
            shift = not shift
        return shifted if shift else plain


def _rows(*rows: tuple[int, str, str, str]) -> dict[int, tuple[str, str, str]]:
    """Build a table from (first key code, plain row, shifted row, AltGr row) with one character per key;
    a space in the AltGr row means "no character on that level"."""
    table: dict[int, tuple[str, str, str]] = {}
    for first, plain, shifted, alt in rows:
        alt = alt.ljust(len(plain))
        for offset, (p, s, a) in enumerate(zip(plain, shifted, alt, strict=True)):
            table[first + offset] = (p, s, "" if a == " " else a)
    return table


US_QWERTY = Keymap(
    "us",
    _rows(
        (2, "1234567890-=", "!@#$%^&*()_+", ""),  # KEY_1 .. KEY_EQUAL
        (16, "qwertyuiop[]", "QWERTYUIOP{}", ""),  # KEY_Q .. KEY_RIGHTBRACE
        (30, "asdfghjkl;'`", 'ASDFGHJKL:"~', ""),  # KEY_A .. KEY_GRAVE
        (43, "\\zxcvbnm,./", "|ZXCVBNM<>?", ""),  # KEY_BACKSLASH .. KEY_SLASH
        (86, "\\", "|", ""),  # KEY_102ND
    ),
)

FR_AZERTY = Keymap(
    "fr",
    _rows(
        (2, "&é\"'(-è_çà)=", "1234567890°+", " ~#{[|`\\^@]}"),  # KEY_1 .. KEY_EQUAL
        (16, "azertyuiop^$", "AZERTYUIOP¨£", "  €        ¤"),  # KEY_Q .. KEY_RIGHTBRACE
        (30, "qsdfghjklmù²", "QSDFGHJKLM%²", ""),  # KEY_A .. KEY_GRAVE
        (43, "*wxcvbn,;:!", "µWXCVBN?./§", ""),  # KEY_BACKSLASH .. KEY_SLASH
        (86, "<", ">", ""),  # KEY_102ND
    ),
)

KEYMAPS: dict[str, Keymap] = {"fr": FR_AZERTY, "us": US_QWERTY}


def keymap(name: str) -> Keymap:
    try:
        return KEYMAPS[name]
    except KeyError:
        raise ValueError(f"unknown scanner layout {name!r}; expected one of {', '.join(KEYMAPS)}") from None
