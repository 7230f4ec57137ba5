"""The pages' palette meets WCAG contrast (computed from the style sheet the hub serves), and the charts
are drawn from their figures (no server)."""

from __future__ import annotations

import re

import pytest

from hub.web.charts import bar_chart, heat_level, heat_map, paired_bars
from hub.web.render import STATIC

# (text, background, minimum): 4.5 for text, 3 for chart marks and borders against the page.
PAIRS = [
    ("ink", "bg", 4.5),
    ("ink", "surface", 4.5),
    ("muted", "bg", 4.5),
    ("muted", "surface", 4.5),
    ("accent", "bg", 4.5),
    ("accent", "surface", 4.5),
    ("on-accent", "accent", 4.5),
    ("on-accent", "accent-hover", 4.5),
    ("on-danger", "danger", 4.5),
    ("notice-ink", "notice-bg", 4.5),
    ("error-ink", "error-bg", 4.5),
    ("ok-ink", "bg", 4.5),
    ("warn-ink", "bg", 4.5),
    ("off-ink", "bg", 4.5),
    ("focus-ink", "focus-bg", 4.5),
    ("series-a", "bg", 3.0),
    ("series-b", "bg", 3.0),
    ("series-c", "bg", 3.0),
    ("line", "bg", 3.0),
    ("heat-4", "bg", 3.0),
    ("heat-3", "bg", 3.0),
]


def _palette() -> dict[str, str]:
    css = (STATIC / "hub.css").read_text()
    root = css[css.index(":root") : css.index("}", css.index(":root"))]
    return dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})", root))


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, two: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic grey limit


@pytest.mark.parametrize(("fore", "back", "minimum"), PAIRS)
def test_every_colour_pair_of_the_pages_is_readable(fore: str, back: str, minimum: float) -> None:
    palette = _palette()
    assert contrast(palette[fore], palette[back]) >= minimum, (fore, back)


def test_the_heat_map_shades_get_darker_step_by_step() -> None:
    palette = _palette()
    shades = [_luminance(palette[f"heat-{n}"]) for n in range(5)]
    assert shades == sorted(shades, reverse=True)
    assert [heat_level(v, 8) for v in (0, 1, 2, 3, 4, 5, 6, 8)] == [0, 1, 1, 2, 2, 3, 3, 4]


def test_charts_carry_title_desc_and_their_figures() -> None:
    svg = bar_chart("Échanges <par> mois", "Douze mois", ["01", "02"], [3, 10])
    assert "<title id=" in svg and "Échanges &lt;par&gt; mois" in svg and "<desc id=" in svg
    heights = [float(h) for h in re.findall(r'class="series-a"[^>]*height="([0-9.]+)"', svg)]
    assert heights == pytest.approx([190 * 3 / 10, 190.0])  # the axis tops at 10 here
    bars = paired_bars("T", "D", ["Cuisine"], [(2, 4)], ("Offres", "Demandes"))
    assert "Cuisine, Offres : 2" in bars and "Cuisine, Demandes : 4" in bars
    grid = [[0] * 24 for _ in range(7)]
    grid[2][18] = 5
    heat = heat_map("H", "D", ["L", "M", "Me", "J", "V", "S", "D"], [f"{h}h" for h in range(24)], grid)
    assert heat.count('class="heat-4"') == 2 and "Me 18h : 5" in heat  # the cell and the key
