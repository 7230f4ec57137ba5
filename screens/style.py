"""One look for every screen: colours, type sizes, touch sizes and the shipped font.

Sizes are in pixels at the 800×480 reference screen and scale with the window (`ui_scale`: as far as both
its width and its height allow), so the 7" Pi display and a 1920×1080 screen show the same layout,
bigger. The "larger text" setting multiplies type sizes only. Rules from the issue: touch targets ≥ 64 px,
no text under 18 px at 800×480, contrast ≥ 4.5:1 — every text/background pair below is checked by
tests/unit/test_style.py.

Kivy is imported only inside `register_fonts`, so the tests of colours and sizes need no window.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FONT_DIR = Path(__file__).resolve().parents[1] / "assets" / "fonts"
FONT_NAME = "Kiosque"  # Atkinson Hyperlegible (Braille Institute, SIL OFL 1.1): assets/fonts/OFL.txt
REFERENCE_HEIGHT = 480

# Type sizes at 800×480 (px). Nothing smaller than SMALL may be used for text.
SMALL = 18
BODY = 22
LARGE = 28
TITLE = 34
HUGE = 44

# Touch sizes at 800×480 (px).
TOUCH = 72  # height of a normal button
TOUCH_MIN = 64  # nothing tappable is smaller than this, in either direction
GAP = 12
MARGIN = 16
RADIUS = 14
# Segments per rounded corner of an outline (kv `Line: rounded_rectangle`): Kivy's default, 30, builds
# ~250 vertices per button for a 14 px corner that 8 draw as smoothly (a few KB less per button).
CORNER_SEGMENTS = 8


def rgb(hex_colour: str) -> tuple[float, float, float, float]:
    """'#RRGGBB' → Kivy's (r, g, b, a) in 0..1."""
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b, 1.0)


# A calm, warm palette. Text colours are chosen for ≥ 4.5:1 on the backgrounds they are used on.
PALETTE = {
    "background": "#FBF7F0",  # warm paper
    "surface": "#FFFFFF",  # cards and panels
    "surface_alt": "#EFE8DC",  # secondary panels, keyboard keys
    "text": "#1F2328",  # main text
    "text_muted": "#4A5159",  # secondary text (still ≥ 4.5:1 on background and surface_alt)
    "primary": "#0B5D6B",  # main action buttons (teal); text on it: on_primary
    "on_primary": "#FFFFFF",
    "secondary": "#DCE9EC",  # secondary buttons; text on it: text
    "accent": "#8A3B12",  # highlights and links in text (burnt orange, readable on background)
    "success": "#1E6B34",
    "on_success": "#FFFFFF",
    "danger": "#A4262C",
    "on_danger": "#FFFFFF",
    "warning": "#F4C542",  # banners; text on it: text
    "offer": "#1E6B34",  # « je propose » tag
    "request": "#6A3D9A",  # « je cherche » tag
    "on_tag": "#FFFFFF",
    "overlay": "#1F2328",  # dimmed background behind dialogs (used with alpha)
}

# (text colour, background colour) pairs that screens use; each must reach WCAG AA 4.5:1.
TEXT_PAIRS = (
    ("text", "background"),
    ("text", "surface"),
    ("text", "surface_alt"),
    ("text", "secondary"),
    ("text", "warning"),
    ("text_muted", "background"),
    ("text_muted", "surface"),
    ("text_muted", "surface_alt"),
    ("accent", "background"),
    ("accent", "surface"),
    ("on_primary", "primary"),
    ("on_success", "success"),
    ("on_danger", "danger"),
    ("on_tag", "offer"),
    ("on_tag", "request"),
)


def colour(name: str) -> tuple[float, float, float, float]:
    return rgb(PALETTE[name])


def relative_luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = rgb(hex_colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two '#RRGGBB' colours (1..21)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


REFERENCE_WIDTH = 800


def ui_scale(window_width: float, window_height: float) -> float:
    """Everything grows with the screen, as far as both sides allow: the layout always has at least the
    800×480 reference's room (by height alone, 1280×800 left only 768 px of width and crowded rows)."""
    return max(1.0, min(window_width / REFERENCE_WIDTH, window_height / REFERENCE_HEIGHT))


def crisp(texture: Any) -> None:
    """Nearest sampling for a text's texture (the `<Label>` rule of screens/widgets/text.kv, every label's
    texture once, when Kivy makes it). Kivy draws a text at its texture's own size and at a whole pixel, so
    nearest gives the very pixels linear filtering gives, for less work per pixel under a software renderer
    (~2 ms of the ~15 ms a frame of Accueil takes to draw at 800×480 with llvmpipe)."""
    if texture is not None and texture.mag_filter != "nearest":
        texture.mag_filter = "nearest"
        texture.min_filter = "nearest"


def register_fonts() -> None:
    """Make the shipped font Kivy's default (every Label uses it unless told otherwise)."""
    from kivy.core.text import LabelBase
    from kivy.resources import resource_add_path

    resource_add_path(str(FONT_DIR))
    LabelBase.register(
        name=FONT_NAME,
        fn_regular=str(FONT_DIR / "AtkinsonHyperlegible_400Regular.ttf"),
        fn_bold=str(FONT_DIR / "AtkinsonHyperlegible_700Bold.ttf"),
        fn_italic=str(FONT_DIR / "AtkinsonHyperlegible_400Regular_Italic.ttf"),
        fn_bolditalic=str(FONT_DIR / "AtkinsonHyperlegible_700Bold_Italic.ttf"),
    )
    # "Roboto" is the name every Kivy Label defaults to: pointing it at our font changes them all at once.
    LabelBase.register(
        name="Roboto",
        fn_regular=str(FONT_DIR / "AtkinsonHyperlegible_400Regular.ttf"),
        fn_bold=str(FONT_DIR / "AtkinsonHyperlegible_700Bold.ttf"),
        fn_italic=str(FONT_DIR / "AtkinsonHyperlegible_400Regular_Italic.ttf"),
        fn_bolditalic=str(FONT_DIR / "AtkinsonHyperlegible_700Bold_Italic.ttf"),
    )
