"""Text that wraps and never spills out of its box, in the kiosk's few sizes and colours.

`Heading`, `Body` and `Muted` wrap to their width and take the height their text needs (put them in a
vertical BoxLayout or a ScrollView). `Tag` is the « Je propose » / « Je cherche » badge of a listing.
`Panel` is a rounded white surface holding a group of widgets.

Every label's text (Kivy's `Label` and its subclasses, buttons included) is sampled with nearest filtering:
the `<Label>` rule in text.kv, with `style.crisp`.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label


class WrappingLabel(Label):  # type: ignore[misc]  # Kivy is untyped
    """A label whose text wraps to its width and whose height follows the text."""


class Heading(WrappingLabel):
    pass


class Body(WrappingLabel):
    pass


class Muted(WrappingLabel):
    pass


class Tag(Label):  # type: ignore[misc]  # Kivy is untyped
    """« Je propose » (green) or « Je cherche » (violet): its size follows its text."""

    kind = OptionProperty("offer", options=("offer", "request"))


class Panel(BoxLayout):  # type: ignore[misc]  # Kivy is untyped
    """A rounded surface; `surface` is "surface" (white) or "surface_alt" (warm grey)."""

    surface = StringProperty("surface")


_KV = str(Path(__file__).with_suffix(".kv"))
if _KV not in Builder.files:
    Builder.load_file(_KV)

__all__ = ["Body", "Heading", "Muted", "Panel", "Tag", "WrappingLabel"]
