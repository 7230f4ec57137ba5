"""The rounded faces of buttons and panels (screens/widgets/shapes.py): the shape Kivy's RoundedRectangle
draws, made of triangles a tiled software renderer fills quickly. Plain geometry, no window needed."""

from __future__ import annotations

import math

import pytest

from screens.widgets.shapes import FACE_INDICES, rounded_face


def points(vertices: list[float]) -> list[tuple[float, float]]:
    return [(vertices[i], vertices[i + 1]) for i in range(0, len(vertices), 4)]


def area(vertices: list[float]) -> float:
    p = points(vertices)
    total = 0.0
    for a, b, c in zip(FACE_INDICES[0::3], FACE_INDICES[1::3], FACE_INDICES[2::3], strict=True):
        (x1, y1), (x2, y2), (x3, y3) = p[a], p[b], p[c]
        total += abs((x2 - x1) * (y3 - y1) - (x3 - x1) * (y2 - y1)) / 2
    return total


@pytest.mark.parametrize(("size", "radius"), [((300, 72), 14), ((120, 20), 14), ((450, 330), 22)])
def test_the_face_covers_the_rounded_rectangle_once_and_stays_inside_it(
    size: tuple[float, float], radius: float
) -> None:
    x, y, (width, height) = 16.0, 40.0, size
    vertices = rounded_face(x, y, width, height, radius)
    r = min(radius, width / 2, height / 2)
    assert max(FACE_INDICES) < len(points(vertices))
    # the area of the rounded rectangle (corners as polygons of 8 segments: within 1 % of the circle's)
    expected = width * height - (4 - math.pi) * r * r
    assert area(vertices) == pytest.approx(expected, rel=0.01)
    for px, py in points(vertices):
        assert x - 1e-9 <= px <= x + width + 1e-9 and y - 1e-9 <= py <= y + height + 1e-9
        # nothing in the cut corners: every point is inside the rounded outline
        cx = min(max(px, x + r), x + width - r)
        cy = min(max(py, y + r), y + height - r)
        assert math.hypot(px - cx, py - cy) <= r + 1e-9


def test_the_big_triangles_are_the_rectangles_a_tile_renderer_fills_whole() -> None:
    vertices = rounded_face(0, 0, 400, 300, 14)
    p = points(vertices)
    middle = [p[i] for i in FACE_INDICES[:6]]
    assert {(round(px), round(py)) for px, py in middle} == {(14, 0), (386, 0), (386, 300), (14, 300)}


def test_an_empty_box_draws_nothing() -> None:
    assert rounded_face(10, 10, 0, 72, 14) == []
    assert rounded_face(10, 10, 200, -1, 14) == []
