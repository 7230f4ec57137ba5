"""QR benchmark: generate + decode per payload type, on screen (4 px/module) and on 58 mm paper.

Also, side by side in the same run: a camera frame decoded at full size and downscaled as the camera
scanner does it, and member pass signing and verification. Figures only: nothing here passes or fails.
`python -m bench.qr_bench [--count N]`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from bench.stats import Figure, timed
from hardware.printer import slip_image
from hardware.qr import (
    PRINT_DOTS_58MM,
    listing_payload,
    pairing_payload,
    qr_matrix,
    qr_rgba,
    receipt_payload,
)
from hardware.qr_camera import decode_frame
from kiosk.passes import issue_pass, key_id_for, verify_pass

_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_ID = "01936f8e-8a3c-7b2d-9c4e-5f6a7b8c9d0e"
_BASE = "https://savoirs.example.org"


def _payloads(key: Ed25519PrivateKey) -> dict[str, str]:
    issued = datetime(2026, 11, 25, tzinfo=UTC)
    return {
        "member pass": issue_pass(key, key_id_for(key.public_key()), _ID, "collectif-local", issued),
        "exchange receipt (URL)": receipt_payload(_ID, _BASE),
        "exchange receipt (offline)": receipt_payload(_ID),
        "listing link": listing_payload(_BASE, _ID),
        "hub pairing": pairing_payload("https://hub.example.org", "K7P2-Q9WX"),
    }


def _screen_image(payload: str) -> Image.Image:
    data, size = qr_rgba(payload, 4, bottom_up=False)
    return Image.frombytes("RGBA", size, data)


def _decode(image: Image.Image, expected: str) -> None:
    found = zxingcpp.read_barcodes(image, formats=_QR)
    if not found or found[0].text != expected:
        raise RuntimeError(f"decode failed for {expected!r}")  # a wrong figure is worse than none


def _round_trip(payload: str) -> None:
    _decode(_screen_image(payload), payload)


def _camera_frame(payload: str) -> bytes:
    frame = Image.new("L", (1280, 720), 170)
    frame.paste(slip_image(payload, PRINT_DOTS_58MM).convert("L"), (420, 160))
    return frame.tobytes()


def run(count: int = 200, out: Callable[[str], None] = print) -> list[Figure]:
    key = Ed25519PrivateKey.generate()
    warmup = max(5, count // 20)
    figures: list[Figure] = []

    def measure(label: str, action: Callable[[], object]) -> Figure:
        figure = Figure(label, timed(action, count, warmup))
        figures.append(figure)
        out(figure.line())
        return figure

    out("QR: generate (qrcode) + decode (zxing-cpp), per payload type")
    payloads = _payloads(key)
    for name, payload in payloads.items():
        matrix = qr_matrix(payload)
        out(f" {name}: {len(payload)} chars, version {matrix.version} ({matrix.size} modules)")
        screen = _screen_image(payload)
        paper = slip_image(payload, PRINT_DOTS_58MM)
        measure("generate, screen 4 px/module (RGBA)", partial(qr_rgba, payload, 4))
        measure("generate, 58 mm paper (1-bit)", partial(slip_image, payload, PRINT_DOTS_58MM))
        measure("decode, screen", partial(_decode, screen, payload))
        measure("decode, 58 mm paper", partial(_decode, paper, payload))
        measure("generate + decode, screen", partial(_round_trip, payload))

    out(" camera frame 1280x720 with a member pass in it (same frame, same run):")
    pass_text = payloads["member pass"]
    frame = _camera_frame(pass_text)
    full = measure("decode, full size", partial(decode_frame, frame, 1280, 720, "L", 0))
    reduced = measure(
        "decode, reduced to 640 px (what the app does)", partial(decode_frame, frame, 1280, 720, "L")
    )
    out(f"  ratio p95 full / reduced: {full.p(95) / reduced.p(95):.1f}x")

    out(" member pass signature (Ed25519):")
    kid = key_id_for(key.public_key())
    issued = datetime(2026, 11, 25, tzinfo=UTC)
    measure("issue_pass", partial(issue_pass, key, kid, _ID, "collectif-local", issued))
    measure("verify_pass", partial(verify_pass, pass_text, {kid: key.public_key()}))
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.qr_bench", description=__doc__)
    parser.add_argument("--count", type=int, default=200, help="timed runs per figure (default 200)")
    parser.add_argument("--quick", action="store_true", help="30 runs per figure (smoke run)")
    args = parser.parse_args(argv)
    run(30 if args.quick else args.count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
