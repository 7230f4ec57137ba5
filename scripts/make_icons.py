"""Draw the kiosk's pictograms into assets/icons/: <name>.png (dark strokes) and <name>-white.png.

Simple, bold line drawings that people recognise at a glance (arrow, house, magnifier…), 128×128 with a
transparent background. Each is drawn once as a mask at 4× size and scaled down (smooth edges without
anti-aliasing support in ImageDraw), then coloured twice: #1F2328 for light buttons, white for the dark
ones. Deterministic: the same drawing gives the same pixels, so the PNGs are committed and `--check`
tells whether they are up to date (it compares pixels, not bytes: zlib versions compress differently).

Usage: python scripts/make_icons.py [--check]
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "icons"
SIZE = 128
SCALE = 4
G = SIZE * SCALE  # the drawing grid: 512 × 512
W = 40  # stroke width on the grid (10 px at 128)
DARK = (0x1F, 0x23, 0x28)
WHITE = (0xFF, 0xFF, 0xFF)

Point = tuple[float, float]
Draw = ImageDraw.ImageDraw


def line(d: Draw, *points: Point, width: int = W) -> None:
    d.line(list(points), fill=255, width=width, joint="curve")
    r = width / 2  # round caps: ImageDraw draws square ends
    for x, y in (points[0], points[-1]):
        d.ellipse((x - r, y - r, x + r, y + r), fill=255)


def ring(d: Draw, cx: float, cy: float, r: float, width: int = W) -> None:
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=255, width=width)


def disc(d: Draw, cx: float, cy: float, r: float) -> None:
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)


def box(d: Draw, x0: float, y0: float, x1: float, y1: float, radius: float = 30, width: int = W) -> None:
    d.rounded_rectangle((x0, y0, x1, y1), radius=radius, outline=255, width=width)


def outline(d: Draw, *points: Point, width: int = W) -> None:
    line(d, *points, points[0], width=width)


def arrow_head(d: Draw, tip: Point, towards: Point, size: float = 130) -> None:
    """Two strokes from `tip` back along the direction of `towards`, at ±45°."""
    angle = math.atan2(towards[1] - tip[1], towards[0] - tip[0])
    for turn in (-math.pi / 4, math.pi / 4):
        end = (tip[0] + size * math.cos(angle + turn), tip[1] + size * math.sin(angle + turn))
        line(d, tip, end)


def back(d: Draw) -> None:
    line(d, (420, 256), (100, 256))
    arrow_head(d, (100, 256), (420, 256), 150)


def home(d: Draw) -> None:
    line(d, (60, 250), (256, 76), (452, 250))
    line(d, (120, 210), (120, 440), (392, 440), (392, 210))
    line(d, (216, 440), (216, 330), (296, 330), (296, 440))


def card(d: Draw) -> None:
    box(d, 36, 150, 300, 400)
    d.rounded_rectangle((80, 210, 150, 270), radius=10, fill=255)
    for radius in (70, 130, 190):
        d.arc((300 - radius, 275 - radius, 300 + radius, 275 + radius), -50, 50, fill=255, width=W)


def exchange(d: Draw) -> None:
    line(d, (90, 190), (420, 190))
    arrow_head(d, (420, 190), (90, 190), 110)
    line(d, (420, 322), (90, 322))
    arrow_head(d, (90, 322), (420, 322), 110)


def people(d: Draw) -> None:
    for cx in (170, 342):
        ring(d, cx, 170, 62)
        d.arc((cx - 110, 270, cx + 110, 490), 180, 360, fill=255, width=W)
        line(d, (cx - 110, 380), (cx + 110, 380))


def book(d: Draw) -> None:
    outline(d, (256, 140), (60, 100), (60, 400), (256, 440))
    outline(d, (256, 140), (452, 100), (452, 400), (256, 440))
    for y in (190, 260):
        line(d, (110, y - 20), (200, y), width=24)
        line(d, (312, y), (402, y - 20), width=24)


def search(d: Draw) -> None:
    ring(d, 210, 210, 140)
    line(d, (318, 318), (450, 450), width=56)


def plus(d: Draw) -> None:
    line(d, (256, 80), (256, 432), width=48)
    line(d, (80, 256), (432, 256), width=48)


def pencil(d: Draw) -> None:
    outline(d, (350, 70), (442, 162), (170, 434), (78, 434), (78, 342))
    line(d, (300, 120), (392, 212))


def person_add(d: Draw) -> None:
    ring(d, 200, 170, 80)
    d.arc((60, 300, 340, 580), 180, 360, fill=255, width=W)
    line(d, (60, 440), (340, 440))
    line(d, (420, 110), (420, 290))
    line(d, (330, 200), (500, 200))


def globe(d: Draw) -> None:
    ring(d, 256, 256, 196)
    d.ellipse((166, 60, 346, 452), outline=255, width=W - 8)
    line(d, (60, 256), (452, 256), width=W - 8)
    line(d, (100, 150), (412, 150), width=W - 12)
    line(d, (100, 362), (412, 362), width=W - 12)


def printer(d: Draw) -> None:
    box(d, 140, 60, 372, 200, radius=12)
    box(d, 50, 190, 462, 380)
    d.rectangle((140, 300, 372, 460), fill=0)
    box(d, 140, 300, 372, 460, radius=12)
    disc(d, 400, 250, 18)


def check(d: Draw) -> None:
    line(d, (80, 270), (210, 400), (440, 130), width=52)


def cross(d: Draw) -> None:
    line(d, (110, 110), (402, 402), width=52)
    line(d, (402, 110), (110, 402), width=52)


def circle(d: Draw) -> None:
    """An empty choice (beside "check" for a chosen one, in the same place)."""
    ring(d, 256, 256, 150, width=36)


def clock(d: Draw) -> None:
    ring(d, 256, 256, 196)
    line(d, (256, 256), (256, 130))
    line(d, (256, 256), (350, 310))


def calendar(d: Draw) -> None:
    box(d, 60, 110, 452, 450)
    line(d, (60, 210), (452, 210))
    line(d, (170, 60), (170, 150))
    line(d, (342, 60), (342, 150))
    for x in (150, 256, 362):
        for y in (290, 380):
            d.rounded_rectangle((x - 26, y - 22, x + 26, y + 22), radius=6, fill=255)


def qr(d: Draw) -> None:
    for x, y in ((60, 60), (300, 60), (60, 300)):
        box(d, x, y, x + 152, y + 152, radius=16, width=32)
        d.rectangle((x + 52, y + 52, x + 100, y + 100), fill=255)
    for x, y in ((300, 300), (396, 300), (348, 348), (300, 396), (396, 396)):
        d.rectangle((x, y, x + 56, y + 56), fill=255)


def star(d: Draw) -> None:
    points = []
    for i in range(10):
        radius = 210 if i % 2 == 0 else 90
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((256 + radius * math.cos(angle), 270 + radius * math.sin(angle)))
    outline(d, *points, width=32)


def bell(d: Draw) -> None:
    d.arc((136, 80, 376, 320), 180, 360, fill=255, width=W)
    line(d, (136, 200), (136, 330), (80, 400), (432, 400), (376, 330), (376, 200))
    line(d, (256, 40), (256, 80))
    d.pieslice((206, 400, 306, 480), 0, 180, fill=255)


def logout(d: Draw) -> None:
    line(d, (290, 150), (290, 70), (70, 70), (70, 442), (290, 442), (290, 362))
    line(d, (190, 256), (460, 256))
    arrow_head(d, (460, 256), (190, 256), 110)


def shift(d: Draw) -> None:
    outline(d, (256, 64), (448, 262), (342, 262), (342, 440), (170, 440), (170, 262), (64, 262))


def backspace(d: Draw) -> None:
    outline(d, (40, 256), (170, 110), (470, 110), (470, 402), (170, 402))
    line(d, (260, 190), (390, 322))
    line(d, (390, 190), (260, 322))


ICONS: dict[str, Callable[[Draw], None]] = {
    "back": back,
    "home": home,
    "card": card,
    "exchange": exchange,
    "people": people,
    "book": book,
    "search": search,
    "plus": plus,
    "pencil": pencil,
    "person-add": person_add,
    "globe": globe,
    "printer": printer,
    "check": check,
    "cross": cross,
    "circle": circle,
    "clock": clock,
    "calendar": calendar,
    "qr": qr,
    "star": star,
    "bell": bell,
    "logout": logout,
    "shift": shift,
    "backspace": backspace,
}


def mask(draw: Callable[[Draw], None]) -> Image.Image:
    big = Image.new("L", (G, G), 0)
    draw(ImageDraw.Draw(big))
    return big.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def coloured(alpha: Image.Image, rgb: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (*rgb, 0))
    image.putalpha(alpha)
    return image


def rendered() -> dict[Path, Image.Image]:
    files = {}
    for name, draw in ICONS.items():
        alpha = mask(draw)
        files[OUT / f"{name}.png"] = coloured(alpha, DARK)
        files[OUT / f"{name}-white.png"] = coloured(alpha, WHITE)
    return files


def up_to_date(path: Path, image: Image.Image) -> bool:
    if not path.is_file():
        return False
    with Image.open(path) as stored:
        return stored.mode == image.mode and stored.size == image.size and stored.tobytes() == image.tobytes()


def main(argv: list[str]) -> int:
    files = rendered()
    if "--check" in argv:
        stale = [path for path, image in files.items() if not up_to_date(path, image)]
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for path, image in files.items():
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        path.write_bytes(buffer.getvalue())
    print(f"{len(files)} icons written to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
