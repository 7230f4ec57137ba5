"""Find labels whose text does not fit their box: the "nothing clipped at 800×480" check of every screen.

Kivy never clips a label: a text too wide or too tall for its box is drawn across its neighbours, and a
label given a fixed `text_size` silently drops the lines (or, with `shorten`, the words) that do not fit.
So for each visible label with text, the size its *whole* text needs is measured again — at the width it
wraps to, with no height limit, no shortening, no line limit — and compared with the label's box.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.core.text.markup import MarkupLabel as CoreMarkupLabel
from kivy.uix.label import Label
from kivy.uix.widget import Widget

TOLERANCE = 1.0  # px: texture sizes are whole pixels, layout sizes are not


def needed_size(label: Label) -> tuple[float, float]:
    """Width and height the label's whole text takes, wrapped at `text_size[0]` when that is set."""
    options = {name: getattr(label, name) for name in Label._font_properties}
    wrap_width = label.text_size[0] if label.text_size else None
    options.update(text_size=(wrap_width, None), shorten=False, max_lines=0)
    options["usersize"] = (wrap_width, None)
    core = (CoreMarkupLabel if label.markup else CoreLabel)(**options)
    core.refresh()
    if core.texture is None:
        return (0.0, 0.0)
    width, height = core.texture.size
    return (float(width), float(height))


def is_clipped(label: Label) -> bool:
    label.texture_update()
    if label.is_shortened:
        return True
    width, height = needed_size(label)
    return bool(width > label.width + TOLERANCE or height > label.height + TOLERANCE)


def _visible(root: Widget) -> Iterator[Widget]:
    """`root` and its descendants, leaving out hidden subtrees (opacity 0), as a person sees them."""
    if root.opacity == 0:
        return
    yield root
    for child in root.children:
        yield from _visible(child)


def clipped_labels(root: Widget) -> list[Any]:
    """Visible labels (buttons included) under `root` whose text overflows their box."""
    return [
        widget
        for widget in _visible(root)
        if isinstance(widget, Label) and widget.text and is_clipped(widget)
    ]


def describe(labels: list[Any]) -> str:
    """For assertion messages: which text, which box, what it needs."""
    lines = []
    for label in labels:
        width, height = needed_size(label)
        lines.append(
            f"{type(label).__name__} {label.text[:40]!r}: box {label.width:.0f}×{label.height:.0f}, "
            f"text needs {width:.0f}×{height:.0f}"
        )
    return "\n".join(lines)


__all__ = ["clipped_labels", "describe", "is_clipped", "needed_size"]
