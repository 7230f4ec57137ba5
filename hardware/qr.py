"""QR generation (screen and paper) and the payloads the kiosk puts in its QR codes.

Error correction M (15 %): enough for a scuffed receipt or a glare on the screen, without growing a
member pass beyond version 8. Quiet zone of 4 modules, as the standard asks: phone scanners fail far more
often on a missing margin than on a small code. Images are drawn module by module and scaled with
nearest-neighbour only, so every module stays a crisp square of whole pixels (or printer dots).

No Kivy here: the screen gets raw RGBA bytes and builds its texture (with nearest filtering) itself.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import qrcode
import qrcode.constants
from PIL import Image

from kiosk.passes import PASS_PREFIX

QUIET_ZONE = 4
SCREEN_MODULE_PX = 4  # the smallest size phones decode reliably from a 7" 800x480 screen
PRINT_DOTS_58MM = 384  # printable width of 58 mm paper at 203 dpi (8 dots/mm)
PRINT_DOTS_80MM = 576  # printable width of 80 mm paper at 203 dpi

RECEIPT_PREFIX = "KDSEX1:"
PAIRING_PREFIX = "KDSPAIR1:"
_ID = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
_PAIRING_CODE = re.compile(r"^[A-Za-z0-9-]{4,32}$")
_ANY_PASS_VERSION = re.compile(r"^KDS\d{1,3}\.")


@dataclass(frozen=True)
class QrMatrix:
    """The modules of one QR code, without the quiet zone (`True` = dark)."""

    modules: tuple[tuple[bool, ...], ...]
    version: int

    @property
    def size(self) -> int:
        return len(self.modules)

    @property
    def size_with_quiet_zone(self) -> int:
        return self.size + 2 * QUIET_ZONE


def qr_matrix(text: str) -> QrMatrix:
    """Encode `text` (UTF-8, byte mode unless a denser mode fits) at the smallest version that holds it."""
    code = qrcode.QRCode(
        version=None, error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=0
    )
    code.add_data(text)
    code.make(fit=True)
    modules = tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())
    return QrMatrix(modules=modules, version=int(code.version))


def _grey(matrix: QrMatrix, module_px: int) -> Image.Image:
    """Black on white, quiet zone included, each module `module_px` pixels square (mode "L")."""
    if module_px < 1:
        raise ValueError("module_px must be at least 1")
    blank = b"\xff" * matrix.size_with_quiet_zone
    margin = b"\xff" * QUIET_ZONE
    rows = [blank] * QUIET_ZONE
    rows += [margin + bytes(0 if dark else 255 for dark in row) + margin for row in matrix.modules]
    rows += [blank] * QUIET_ZONE
    side = matrix.size_with_quiet_zone
    small = Image.frombytes("L", (side, side), b"".join(rows))
    return small.resize((side * module_px, side * module_px), Image.Resampling.NEAREST)


def qr_image(text: str | QrMatrix, module_px: int) -> Image.Image:
    """A 1-bit PIL image, as thermal printers want it."""
    matrix = text if isinstance(text, QrMatrix) else qr_matrix(text)
    return _grey(matrix, module_px).convert("1", dither=Image.Dither.NONE)


def qr_png(text: str | QrMatrix, module_px: int, path: Path | None = None) -> bytes:
    """The QR as a 1-bit PNG; also written to `path` when given."""
    buffer = io.BytesIO()
    qr_image(text, module_px).save(buffer, format="PNG", optimize=True)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def qr_rgba(
    text: str | QrMatrix, module_px: int = SCREEN_MODULE_PX, bottom_up: bool = True
) -> tuple[bytes, tuple[int, int]]:
    """Opaque RGBA bytes and (width, height) for a Kivy texture.

    Kivy's `Texture.blit_buffer` takes the bottom row first, hence `bottom_up=True` by default: a QR
    blitted top row first would show mirrored, and many phone scanners refuse a mirrored code. The light
    modules are opaque white so the code stays readable on a dark theme.
    """
    matrix = text if isinstance(text, QrMatrix) else qr_matrix(text)
    image = _grey(matrix, module_px)
    if bottom_up:
        image = image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    rgba = image.convert("RGBA")
    return rgba.tobytes(), rgba.size


def module_px_for(text: str | QrMatrix, max_px: int) -> int:
    """The largest whole number of pixels per module that fits the code and its quiet zone in `max_px`."""
    matrix = text if isinstance(text, QrMatrix) else qr_matrix(text)
    return max(1, max_px // matrix.size_with_quiet_zone)


# --- payloads -----------------------------------------------------------------------------------------


class PayloadKind(StrEnum):
    MEMBER_PASS = "member_pass"
    RECEIPT = "receipt"
    LISTING = "listing"
    PAIRING = "pairing"
    OTHER = "other"


@dataclass(frozen=True)
class Payload:
    """A scanned text sorted by what it is. `value` is the id (or the pass text, or the pairing code)."""

    kind: PayloadKind
    value: str
    hub_url: str = ""


def _base(base_url: str) -> str:
    parsed = urllib.parse.urlsplit(base_url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc or parsed.query or parsed.fragment:
        raise ValueError(f"expected an http(s) base URL without query or fragment, got {base_url!r}")
    return base_url.rstrip("/")


def _checked_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"identifiers in QR payloads are URL-safe and at most 64 characters: {value!r}")
    return value


def member_pass_payload(pass_text: str) -> str:
    """A member pass is its own payload (see kiosk.passes); checked here so a wrong string is not drawn."""
    if not pass_text.startswith(PASS_PREFIX):
        raise ValueError("not a member pass")
    return pass_text


def receipt_payload(exchange_id: str, base_url: str = "") -> str:
    """A phone opens the hub's page of the exchange; without a hub the receipt still names the exchange
    in a form a kiosk recognises."""
    if base_url:
        return f"{_base(base_url)}/e/{_checked_id(exchange_id)}"
    return RECEIPT_PREFIX + _checked_id(exchange_id)


def listing_payload(base_url: str, listing_id: str) -> str:
    """A passer-by takes an offer or request away on their phone."""
    return f"{_base(base_url)}/l/{_checked_id(listing_id)}"


def pairing_payload(hub_url: str, code: str) -> str:
    """`KDSPAIR1:<hub_url>#<code>`, printed by `kiosk-hub pairing-code` and scanned by the kiosk's admin
    screen. The code is one-time and short-lived (DESIGN §5), so showing it in a QR leaks little."""
    if not _PAIRING_CODE.match(code):
        raise ValueError("a pairing code is 4 to 32 letters, digits or dashes")
    return f"{PAIRING_PREFIX}{_base(hub_url)}#{code}"


def parse_pairing(text: str) -> tuple[str, str] | None:
    """(hub_url, code) from a pairing payload, or None."""
    if not text.startswith(PAIRING_PREFIX):
        return None
    hub_url, _, code = text[len(PAIRING_PREFIX) :].rpartition("#")
    try:
        return (_base(hub_url), code) if _PAIRING_CODE.match(code) else None
    except ValueError:
        return None


def classify_payload(text: str, base_url: str = "") -> Payload:
    """Sort a scanned text (the app routes `QrScanned` with it). Never raises: scanners type anything."""
    text = text.strip()
    if _ANY_PASS_VERSION.match(text):  # "KDS1." and future versions: verify_pass judges them
        return Payload(PayloadKind.MEMBER_PASS, text)
    if text.startswith(RECEIPT_PREFIX) and _ID.match(text[len(RECEIPT_PREFIX) :]):
        return Payload(PayloadKind.RECEIPT, text[len(RECEIPT_PREFIX) :])
    pairing = parse_pairing(text)
    if pairing is not None:
        return Payload(PayloadKind.PAIRING, pairing[1], hub_url=pairing[0])
    if base_url:
        try:
            base = _base(base_url)
        except ValueError:
            base = ""
        for kind, marker in ((PayloadKind.LISTING, "/l/"), (PayloadKind.RECEIPT, "/e/")):
            prefix = base + marker
            if base and text.startswith(prefix) and _ID.match(text[len(prefix) :]):
                return Payload(kind, text[len(prefix) :])
    return Payload(PayloadKind.OTHER, text)
