"""The QR widget in a real Kivy window (Xvfb, 800×480): read back from the framebuffer, decoded by zxing-cpp.

The frame is compared pixel for pixel with `hardware.qr.qr_image` at the same module size: that proves at
once the integer scale, the nearest filtering (only pure black and white), the orientation (a texture
blitted top row first would be mirrored) and the quiet zone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from hardware.qr import QUIET_ZONE, SCREEN_MODULE_PX, listing_payload, qr_image, qr_matrix
from tests.ui.conftest import WINDOW_SIZE, save_screenshot

Show = Callable[[Any], Image.Image]

LISTING = listing_payload("https://savoirs.example.org", "atelier-reparation-velo-42")
# a member pass is the longest payload the kiosk shows (kiosk.passes): a higher version, smaller modules
LONG = "KDS1." + "A" * 180 + ".signature-" + "b" * 86


def code_area(frame: Image.Image, widget: Any) -> Image.Image:
    """The drawn square (quiet zone included), in the frame's top-down coordinates."""
    x, y = (int(v) for v in widget._rect.pos)
    side = int(widget._rect.size[0])
    top = frame.height - (y + side)
    return frame.crop((x, top, x + side, top + side))


def decoded(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("payload", [LISTING, LONG], ids=["listing", "member-pass"])
def test_qr_in_the_800x480_window_decodes_back_sharp_and_whole(show: Show, payload: str) -> None:
    from screens.widgets.qr_image import QrImage

    widget = QrImage(payload=payload)
    frame = show(widget)

    side = qr_matrix(payload).size_with_quiet_zone
    assert widget.fits
    assert widget.module_px >= SCREEN_MODULE_PX
    # the largest whole scale that fits the 480 px height, not a fraction of it
    assert widget.module_px == WINDOW_SIZE[1] // side
    assert decoded(frame) == [payload]

    area = code_area(frame, widget)
    assert area.size == (side * widget.module_px,) * 2
    # nearest filtering: no grey at module edges, only the two colours of the code
    colours = area.getcolors(maxcolors=256) or []
    assert {colour for _, colour in colours} == {(0, 0, 0), (255, 255, 255)}
    # every module a whole `module_px` square, quiet zone white, not mirrored: identical to the print path
    expected = qr_image(payload, widget.module_px).convert("RGB")
    assert area.tobytes() == expected.tobytes()
    # the quiet zone is there on screen: a white band of 4 modules on every side
    band = QUIET_ZONE * widget.module_px
    assert area.crop((0, 0, area.width, band)).getcolors() == [(area.width * band, (255, 255, 255))]

    if payload == LISTING:
        save_screenshot(frame, "qr_image-800x480.png")


def test_a_box_too_small_overflows_rather_than_shrinking_modules_below_4_px(show: Show) -> None:
    from screens.widgets.qr_image import QrImage

    widget = QrImage(payload=LISTING, size_hint=(None, None), size=(100, 100), pos=(350, 190))
    frame = show(widget)

    assert not widget.fits
    assert widget.module_px == SCREEN_MODULE_PX
    assert decoded(frame) == [LISTING]
    expected = qr_image(LISTING, SCREEN_MODULE_PX).convert("RGB")
    assert code_area(frame, widget).tobytes() == expected.tobytes()


def test_the_scale_follows_the_box_by_whole_steps_and_an_empty_payload_draws_nothing(show: Show) -> None:
    from screens.widgets.qr_image import QrImage

    side = qr_matrix(LISTING).size_with_quiet_zone  # version 4: 41 modules with the quiet zone
    widget = QrImage(payload=LISTING, size_hint=(None, None), size=(300, 340), pos=(10, 20))
    frame = show(widget)
    assert widget.module_px == 300 // side  # 7 px; the 13 px left over are not stretched into the code
    assert decoded(frame) == [LISTING]
    expected = qr_image(LISTING, widget.module_px).convert("RGB")
    assert code_area(frame, widget).tobytes() == expected.tobytes()

    widget.payload = ""
    frame = show(QrImage())  # a second, empty widget beside the emptied one
    assert widget.module_px == 0
    assert decoded(frame) == []
    assert frame.getcolors() == [(frame.width * frame.height, (0, 0, 0))]  # only the window's black
