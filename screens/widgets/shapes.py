"""Rounded faces (buttons, panels, cards) as a mesh a software renderer fills quickly.

Kivy's `RoundedRectangle` is one fan of triangles around its centre: every triangle is a long thin sliver
from the centre to the edge, so a tiled software rasteriser (llvmpipe under Xvfb, the Pi without its GPU
driver) finds no tile fully covered by one triangle and takes its slow path everywhere: the faces of
member home's buttons and panel cost ~7 ms of a frame's ~15 ms at 800×480. `rounded_face` covers the
same shape with three rectangles (a tall middle and two side strips, two triangles each) and a small fan
in each corner, for a third less work per frame; the look is the same (corners as smooth as
`style.CORNER_SEGMENTS` make them).

Use in kv: `Mesh: mode: "triangles"; indices: FACE_INDICES; vertices: rounded_face(*self.pos, *self.size, r)`.
"""

from __future__ import annotations

import math

from screens import style

# corner fans: centre, then the arc's points; the middle and the side strips: four corners each
_ARC = [
    (
        math.cos(math.radians(90 * i / style.CORNER_SEGMENTS)),
        math.sin(math.radians(90 * i / style.CORNER_SEGMENTS)),
    )
    for i in range(style.CORNER_SEGMENTS + 1)
]
_CORNER_VERTICES = 1 + len(_ARC)


def _face_indices() -> list[int]:
    indices: list[int] = []
    for quad in range(3):  # middle, left strip, right strip
        a = quad * 4
        indices += [a, a + 1, a + 2, a, a + 2, a + 3]
    for corner in range(4):
        centre = 12 + corner * _CORNER_VERTICES
        for step in range(style.CORNER_SEGMENTS):
            indices += [centre, centre + 1 + step, centre + 2 + step]
    return indices


FACE_INDICES = _face_indices()


def rounded_face(x: float, y: float, width: float, height: float, radius: float) -> list[float]:
    """Vertices (x, y, u, v) of a rounded rectangle for `Mesh(mode="triangles", indices=FACE_INDICES)`;
    none for an empty rectangle (nothing drawn)."""
    if width <= 0 or height <= 0:
        return []
    r = max(0.0, min(radius, width / 2, height / 2))
    right, top = x + width, y + height
    vertices: list[float] = []
    for x0, y0, x1, y1 in (
        (x + r, y, right - r, top),
        (x, y + r, x + r, top - r),
        (right - r, y + r, right, top - r),
    ):
        vertices += [x0, y0, 0, 0, x1, y0, 0, 0, x1, y1, 0, 0, x0, y1, 0, 0]
    for cx, cy, sx, sy in (
        (x + r, y + r, -1, -1),
        (right - r, y + r, 1, -1),
        (right - r, top - r, 1, 1),
        (x + r, top - r, -1, 1),
    ):
        vertices += [cx, cy, 0, 0]
        for ax, ay in _ARC:
            vertices += [cx + sx * r * ax, cy + sy * r * ay, 0, 0]
    return vertices


__all__ = ["FACE_INDICES", "rounded_face"]
