"""QR generation decoded back with the real zxing-cpp decoder, at the sizes the kiosk really uses.

On screen: 4 px per module from the RGBA buffer the Kivy texture gets. On paper: the 1-bit image that goes
to a 58 mm (384 dots) or 80 mm (576 dots) printer. Then camera frames, as the camera scanner sees them.
"""

from __future__ import annotations

import io
import queue
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from hardware.events import QrScanned
from hardware.printer import slip_image
from hardware.qr import (
    QUIET_ZONE,
    PayloadKind,
    classify_payload,
    listing_payload,
    member_pass_payload,
    module_px_for,
    pairing_payload,
    parse_pairing,
    qr_matrix,
    qr_png,
    qr_rgba,
    receipt_payload,
)
from hardware.qr_camera import FrameScanner, ScanDebouncer, decode_frame
from kiosk.passes import issue_pass, key_id_for

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
EXCHANGE = "01936f8e-8a3c-7b2d-9c4e-5f6a7b8c9d0e"
BASE = "https://savoirs.example.org/kiosque"


def member_pass(collective: str = "collectif-local") -> str:
    return issue_pass(
        KEY, key_id_for(KEY.public_key()), EXCHANGE, collective, datetime(2026, 11, 25, tzinfo=UTC)
    )


PAYLOADS = {
    "member_pass": member_pass_payload(member_pass()),
    "member_pass_longest_collective": member_pass_payload(member_pass("c" * 64)),
    "receipt_url": receipt_payload(EXCHANGE, BASE),
    "receipt_offline": receipt_payload(EXCHANGE),
    "listing": listing_payload(BASE, EXCHANGE),
    "pairing": pairing_payload("https://hub.example.org", "K7P2-Q9XW"),
}


def decode(image: Image.Image) -> zxingcpp.Barcode:
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_on_screen_at_4_px_per_module(name: str) -> None:
    payload = PAYLOADS[name]
    data, (width, height) = qr_rgba(payload, module_px=4)
    assert width == height == qr_matrix(payload).size_with_quiet_zone * 4
    assert len(data) == width * height * 4
    # Kivy's blit_buffer reads the bottom row first: turn it back as the screen will show it.
    shown = Image.frombytes("RGBA", (width, height), data).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    barcode = decode(shown)
    assert barcode.text == payload
    assert barcode.ec_level == "M"
    assert barcode.orientation == 0  # not mirrored: phone scanners may refuse a mirrored code


@pytest.mark.parametrize("dots", [384, 576])
@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_on_paper_58_and_80_mm(name: str, dots: int) -> None:
    payload = PAYLOADS[name]
    image = slip_image(payload, dots)
    assert image.mode == "1" and image.width == dots
    assert decode(image).text == payload


def test_passes_stay_small_enough_for_a_7_inch_screen() -> None:
    matrix = qr_matrix(PAYLOADS["member_pass"])
    assert matrix.version <= 8
    assert matrix.size_with_quiet_zone * 4 <= 240  # leaves room for text beside it at 800x480
    assert module_px_for(matrix, 384) >= 6  # 0.75 mm modules on 58 mm paper


def test_quiet_zone_is_four_white_modules() -> None:
    data, (width, _) = qr_rgba("KDSEX1:abc", module_px=4, bottom_up=False)
    image = Image.frombytes("RGBA", (width, width), data).convert("L")
    margin = QUIET_ZONE * 4
    for y in range(width):
        for x in list(range(margin)) + list(range(width - margin, width)):
            assert image.getpixel((x, y)) == 255 and image.getpixel((y, x)) == 255
    assert image.getpixel((margin, margin)) == 0  # the finder pattern starts right after it


def test_png_is_one_bit_and_written_when_asked(tmp_path: Any) -> None:
    path = tmp_path / "pass.png"
    data = qr_png(PAYLOADS["member_pass"], module_px=5, path=path)
    assert path.read_bytes() == data
    image = Image.open(io.BytesIO(data))
    assert image.mode == "1"
    assert decode(image.convert("L")).text == PAYLOADS["member_pass"]


def test_payloads_are_classified() -> None:
    kinds = {name: classify_payload(text, BASE) for name, text in PAYLOADS.items()}
    assert kinds["member_pass"].kind is PayloadKind.MEMBER_PASS
    assert kinds["receipt_url"].kind is PayloadKind.RECEIPT and kinds["receipt_url"].value == EXCHANGE
    assert kinds["receipt_offline"].kind is PayloadKind.RECEIPT
    assert kinds["listing"].kind is PayloadKind.LISTING and kinds["listing"].value == EXCHANGE
    pairing = kinds["pairing"]
    assert (pairing.kind, pairing.value, pairing.hub_url) == (
        PayloadKind.PAIRING,
        "K7P2-Q9XW",
        "https://hub.example.org",
    )
    assert classify_payload("KDS9.whatever").kind is PayloadKind.MEMBER_PASS  # verify_pass says why not
    assert classify_payload(PAYLOADS["listing"]).kind is PayloadKind.OTHER  # without a base URL
    for odd in ("", "bonjour", "https://ailleurs.example/l/1", f"{BASE}/l/", "KDSPAIR1:ftp://x#1234"):
        assert classify_payload(odd, BASE).kind is PayloadKind.OTHER


def test_builders_refuse_what_would_not_parse() -> None:
    assert receipt_payload(EXCHANGE, BASE + "/") == f"{BASE}/e/{EXCHANGE}"
    assert parse_pairing("KDSPAIR1:https://hub.example.org/#abcd") == ("https://hub.example.org", "abcd")
    assert parse_pairing("KDSPAIR1:https://hub.example.org#ab") is None
    calls: list[Callable[[], str]] = [
        lambda: listing_payload("savoirs.example.org", "1"),
        lambda: listing_payload(BASE + "?x=1", "1"),
        lambda: listing_payload(BASE, "a/b"),
        lambda: receipt_payload("x" * 65),
        lambda: pairing_payload("https://hub.example.org", "a b"),
        lambda: member_pass_payload("https://example.org"),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            call()


# --- camera frames ----------------------------------------------------------------------------------


def camera_frame(payload: str, size: tuple[int, int] = (1280, 720), module_px: int = 5) -> Image.Image:
    """A grey background with the code somewhere in it, as a webcam pointed at a phone would see it."""
    frame = Image.new("L", size, 170)
    code = slip_image(payload, 384).convert("L").resize((57 * module_px, 57 * module_px))
    frame.paste(code, (size[0] // 3, size[1] // 5))
    return frame


@pytest.mark.parametrize("fmt", ["L", "RGB", "BGR", "RGBA", "BGRA"])
def test_camera_frames_of_every_layout_decode(fmt: str) -> None:
    frame = camera_frame(PAYLOADS["member_pass"])
    mode = {"L": "L", "RGB": "RGB", "BGR": "RGB", "RGBA": "RGBA", "BGRA": "RGBA"}[fmt]
    pixels = frame.convert(mode).tobytes()
    assert decode_frame(pixels, *frame.size, fmt=fmt) == [PAYLOADS["member_pass"]]


def test_kivy_texture_frames_are_bottom_up() -> None:
    data, (width, height) = qr_rgba(PAYLOADS["receipt_url"])
    assert decode_frame(data, width, height, "RGBA", bottom_up=True) == [PAYLOADS["receipt_url"]]


def test_torn_or_empty_frames_are_no_scan() -> None:
    frame = camera_frame(PAYLOADS["listing"]).tobytes()
    assert decode_frame(frame[:1000], 1280, 720, "L") == []
    assert decode_frame(bytes(640 * 480), 640, 480, "L") == []
    with pytest.raises(ValueError):
        decode_frame(frame, 1280, 720, "YUYV")


def test_debounce_slides_with_the_code_in_view() -> None:
    debouncer = ScanDebouncer(window=3.0)
    assert debouncer.accept("a", 0.0)
    assert not debouncer.accept("a", 2.0)
    assert not debouncer.accept("a", 4.5)  # still in view: the window slid along
    assert debouncer.accept("b", 4.6)
    assert debouncer.accept("a", 8.0)  # shown again after a pause of more than 3 s
    for index in range(200):
        debouncer.accept(str(index), 100.0 + index * 10)
    assert len(debouncer._last_seen) <= 65  # bounded memory


def test_frame_scanner_thread_puts_one_scan_per_presentation() -> None:
    events: queue.Queue[Any] = queue.Queue()
    scanner = FrameScanner(events, source="camera")
    scanner.start()
    try:
        frame = camera_frame(PAYLOADS["member_pass"], size=(640, 480), module_px=4)
        for _ in range(5):
            scanner.submit(frame.tobytes(), 640, 480, "L")
            time.sleep(0.02)
        event = events.get(timeout=5)
        assert isinstance(event, QrScanned)
        assert (event.text, event.source) == (PAYLOADS["member_pass"], "camera")
        time.sleep(0.2)
        assert events.empty()  # the same code, frame after frame, is one scan
    finally:
        scanner.stop()
    assert not scanner._thread
