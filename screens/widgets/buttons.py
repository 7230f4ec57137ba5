"""Big, calm buttons: one look for every action on every screen.

`BigButton` is a Kivy `Button` (text, font_size, on_press/on_release all work as usual) with:
- `kind`: "primary" (the main action), "secondary", "danger", "success", "quiet" (outlined, no fill);
  each kind uses a text/background pair from `style.TEXT_PAIRS`, so contrast is ≥ 4.5:1 by construction;
- `icon`: the name of `assets/icons/<name>.png`, drawn left of the text ("" for none). Dark kinds use the
  white variant `<name>-white.png` that `scripts/make_icons.py` draws beside it.

Text that does not fit on one line wraps inside the button and the button grows taller (it never shrinks
below `style.TOUCH`), so nothing is clipped at 800×480 in French or English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
from kivy.uix.button import Button

from kiosk.paths import assets_dir
from screens import style
from screens.widgets import text  # noqa: F401  (text.kv's <Label> rule: every text sampled nearest)

ICON_DIR = assets_dir() / "icons"

# kind → (background, text colour): every pair is in style.TEXT_PAIRS ("quiet" has no fill: its text sits
# on whatever panel or background is behind it, and text on background/surface is a checked pair).
KINDS: dict[str, tuple[str | None, str]] = {
    "primary": ("primary", "on_primary"),
    "secondary": ("secondary", "text"),
    "danger": ("danger", "on_danger"),
    "success": ("success", "on_success"),
    "quiet": (None, "text"),
    "key": ("surface", "text"),  # the on-screen keyboard's letter keys (on a surface_alt tray)
}
DARK_KINDS = frozenset({"primary", "danger", "success"})  # white text → white icon
DISABLED = ("surface_alt", "text_muted")
PRESSED_DARKEN = 0.82  # a pressed face is this much darker: visible feedback, contrast only improves

_icon_cache: dict[tuple[str, int], Texture | None] = {}


def icon_path(name: str, white: bool = False) -> Path:
    return ICON_DIR / f"{name}{'-white' if white else ''}.png"


def icon_texture(name: str, white: bool = False, px: int = 0) -> Texture | None:
    """The icon's texture, cached; None if the name is unknown, so a typo shows a button without an icon
    rather than a crash. `px`: the size it is drawn at, in pixels — the 128 px drawing is scaled down once
    to exactly that (BigButton's 36 px at 800×480: 5 KB instead of 87 KB with mipmaps, and no mipmap
    generation in the frame that first shows it, ~10 ms each with a software renderer). 0: the 128 px
    drawing, mipmapped, for an icon shown at several sizes."""
    path = icon_path(name, white)
    key = (str(path), px)
    if key not in _icon_cache:
        if not path.is_file():
            _icon_cache[key] = None
        elif px <= 0:
            _icon_cache[key] = CoreImage(str(path), mipmap=True).texture
        else:
            _icon_cache[key] = _scaled_texture(path, px)
    return _icon_cache[key]


def _scaled_texture(path: Path, px: int) -> Texture:
    # Pillow is loaded with Kivy's image loaders already; its PNG reader alone, not every format's
    from PIL import Image, PngImagePlugin

    with PngImagePlugin.PngImageFile(path) as drawing:
        # premultiplied while scaling: no dark fringe from the transparent pixels' colour
        scaled = drawing.convert("RGBa").resize((px, px), Image.Resampling.LANCZOS).convert("RGBA")
    texture = Texture.create(size=(px, px), colorfmt="rgba")
    texture.blit_buffer(scaled.transpose(Image.Transpose.FLIP_TOP_BOTTOM).tobytes(), colorfmt="rgba")
    style.crisp(texture)  # drawn at its own size, at a whole pixel (BigButton._place_icon)
    return texture


def button_icon_px() -> int:
    """The size of a button's icon, in pixels (36 at 800×480, within the 64 px touch height)."""
    size: float = min(dp(36), dp(style.TOUCH_MIN) - 2 * dp(style.GAP))
    return round(size)


def _darker(rgba: tuple[float, ...], factor: float) -> list[float]:
    return [rgba[0] * factor, rgba[1] * factor, rgba[2] * factor, rgba[3]]


class BigButton(Button):  # type: ignore[misc]  # Kivy is untyped
    kind = OptionProperty("primary", options=tuple(KINDS))
    icon = StringProperty("")
    # False: never wrap (the button's width follows its text instead, as BackButton does)
    wrap = BooleanProperty(True)

    # Drawn by buttons.kv; computed here from kind / state / disabled so the kv holds bindings only.
    face_rgba = ListProperty([0.0, 0.0, 0.0, 0.0])
    edge_rgba = ListProperty([0.0, 0.0, 0.0, 0.0])
    edge_width = NumericProperty(1.0)
    icon_texture = ObjectProperty(None, allownone=True)
    icon_rgba = ListProperty([1.0, 1.0, 1.0, 1.0])
    icon_size = NumericProperty(0)
    icon_pos = ListProperty([0.0, 0.0])

    def __init__(self, **kwargs: Any) -> None:
        self._refit = Clock.create_trigger(self._fit_text, -1)
        super().__init__(**kwargs)
        self.fbind("kind", self._restyle)
        self.fbind("state", self._restyle)
        self.fbind("disabled", self._restyle)
        self.fbind("icon", self._restyle)
        for name in ("text", "width", "font_size", "icon", "wrap", "bold", "font_name"):
            self.fbind(name, self._refit)
        for name in ("pos", "size", "texture_size", "icon_size"):
            self.fbind(name, self._place_icon)
        self._restyle()
        self._refit()

    def _restyle(self, *_args: object) -> None:
        background, foreground = DISABLED if self.disabled else KINDS[self.kind]
        if self.kind == "quiet" and not self.disabled:
            face = [0.0, 0.0, 0.0, 0.0]
        else:
            face = list(style.colour(background or "surface_alt"))
        pressed = self.state == "down"
        if pressed and face[3] > 0:
            face = _darker(tuple(face), PRESSED_DARKEN)
        self.face_rgba = face
        self.color = style.colour(foreground)
        self.disabled_color = style.colour(DISABLED[1])
        # quiet buttons need an outline to look tappable at all; the others get one while pressed
        if pressed:
            self.edge_rgba, self.edge_width = list(style.colour("text")), dp(3)
        elif self.kind in ("quiet", "key"):  # no fill, or white on a light tray: an outline shows the edge
            self.edge_rgba, self.edge_width = list(style.colour("text_muted")), dp(1.5)
        else:
            self.edge_rgba, self.edge_width = [0.0, 0.0, 0.0, 0.0], dp(1)
        white = self.kind in DARK_KINDS and not self.disabled
        self.icon_texture = icon_texture(self.icon, white, button_icon_px()) if self.icon else None
        self.icon_rgba = [1.0, 1.0, 1.0, 0.6 if self.disabled else 1.0]
        self._refit()

    def _reserve_icon_space(self) -> None:
        self.icon_size = button_icon_px() if self.icon_texture else 0
        gap = dp(10) if self.icon_texture and self.text else 0
        self.padding = [self.icon_size + gap, 0, 0, 0]

    def _fit_text(self, *_args: object) -> None:
        """One line when it fits; otherwise wrap to the button's width (the kv rule grows the height)."""
        self._reserve_icon_space()
        self.text_size = (None, None)
        if not self.wrap:
            return
        self.texture_update()
        available = max(dp(10), self.width - 2 * dp(style.GAP))
        if self.texture_size[0] > available:
            self.text_size = (available, None)

    def _place_icon(self, *_args: object) -> None:
        # the label's texture (icon space included as left padding) is centred: the icon sits at its left
        # from x/width, not center_x: when only the width changed, center_x is not updated yet here
        left = self.x + self.width / 2 - self.texture_size[0] / 2
        self.icon_pos = [int(left), int(self.y + self.height / 2 - self.icon_size / 2)]


class BackButton(BigButton):
    """« Retour », always in the same place and look; its width follows its text."""


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)

__all__ = ["KINDS", "BackButton", "BigButton", "icon_path", "icon_texture"]
