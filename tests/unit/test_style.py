"""The shared look keeps its promises: contrast ≥ 4.5:1 for every text pair, sizes above the minimums."""

from __future__ import annotations

import pytest

from screens import style


@pytest.mark.parametrize(("text", "background"), style.TEXT_PAIRS)
def test_every_text_pair_reaches_wcag_aa(text: str, background: str) -> None:
    ratio = style.contrast_ratio(style.PALETTE[text], style.PALETTE[background])
    assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}:1"


def test_contrast_formula_matches_known_values() -> None:
    assert style.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert style.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def test_sizes_respect_the_minimums() -> None:
    assert min(style.SMALL, style.BODY, style.LARGE, style.TITLE, style.HUGE) >= 18
    assert style.TOUCH >= style.TOUCH_MIN >= 64


def test_the_shipped_font_and_its_licence_are_there() -> None:
    for name in ("400Regular", "700Bold", "400Regular_Italic", "700Bold_Italic"):
        assert (style.FONT_DIR / f"AtkinsonHyperlegible_{name}.ttf").stat().st_size > 10_000
    assert "SIL Open Font License" in (style.FONT_DIR / "OFL.txt").read_text()


def test_scale_keeps_the_reference_room_on_every_screen_and_never_shrinks() -> None:
    assert style.ui_scale(800, 480) == 1.0
    assert style.ui_scale(1920, 1080) == pytest.approx(2.25)  # 853×480 of layout room
    assert style.ui_scale(1280, 800) == pytest.approx(1.6)  # 800×500, not 768×480
    assert style.ui_scale(640, 400) == 1.0
