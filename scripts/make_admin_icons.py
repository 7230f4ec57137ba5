"""Draw the librarian screens' pictograms into assets/icons/, the same way as scripts/make_icons.py.

Same grid, strokes, colours and `--check` as make_icons.py (whose drawing helpers this script reuses):
a lock (PIN lock-out), a key (admin entry), a card struck out (lost card), an eye and a struck eye
(restore / hide a listing), a flag (moderation), a bin (erase a member), and the tiles of the admin home
that lead to the other librarian screens: two turning arrows (sync), two links (pairing), an arrow into
a tray (export), a gear (settings) and a door (leave the kiosk).

Usage: python scripts/make_admin_icons.py [--check]
"""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Callable
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_icons import (
    DARK,
    OUT,
    ROOT,
    WHITE,
    Draw,
    W,
    arrow_head,
    box,
    coloured,
    disc,
    line,
    mask,
    outline,
    ring,
    up_to_date,
)


def lock(d: Draw) -> None:
    d.arc((146, 50, 366, 270), 180, 360, fill=255, width=40)
    line(d, (166, 160), (166, 230))
    line(d, (346, 160), (346, 230))
    box(d, 86, 230, 426, 460)
    disc(d, 256, 320, 30)
    line(d, (256, 330), (256, 400), width=28)


def key(d: Draw) -> None:
    ring(d, 160, 256, 100)
    line(d, (260, 256), (470, 256))
    line(d, (410, 256), (410, 340))
    line(d, (340, 256), (340, 320))


def card_lost(d: Draw) -> None:
    box(d, 60, 130, 452, 390)
    d.rounded_rectangle((110, 190, 190, 260), radius=10, fill=255)
    line(d, (70, 460), (442, 60), width=44)


def eye(d: Draw) -> None:
    d.arc((-44, 156, 556, 756), 220, 320, fill=255, width=W)
    d.arc((-44, -244, 556, 356), 40, 140, fill=255, width=W)
    ring(d, 256, 256, 70, width=36)


def eye_off(d: Draw) -> None:
    eye(d)
    line(d, (90, 440), (422, 72), width=44)


def flag(d: Draw) -> None:
    line(d, (110, 60), (110, 460))
    outline(d, (110, 80), (420, 80), (350, 170), (420, 260), (110, 260))


def trash(d: Draw) -> None:
    line(d, (70, 130), (442, 130))
    line(d, (200, 130), (200, 70), (312, 70), (312, 130))
    outline(d, (110, 130), (140, 450), (372, 450), (402, 130))
    for x in (210, 302):
        line(d, (x, 210), (x, 370), width=28)


def sync(d: Draw) -> None:
    d.arc((80, 80, 432, 432), 200, 340, fill=255, width=W)
    d.arc((80, 80, 432, 432), 20, 160, fill=255, width=W)
    tip = (256 + 176 * math.cos(math.radians(340)), 256 + 176 * math.sin(math.radians(340)))
    arrow_head(d, tip, (tip[0] - 60, tip[1] - 110), 100)
    tip = (256 + 176 * math.cos(math.radians(160)), 256 + 176 * math.sin(math.radians(160)))
    arrow_head(d, tip, (tip[0] + 60, tip[1] + 110), 100)


def link(d: Draw) -> None:
    for cx, cy in ((180, 332), (332, 180)):
        d.rounded_rectangle((cx - 130, cy - 70, cx + 130, cy + 70), radius=70, outline=255, width=W)
    d.rectangle((180, 200, 332, 312), fill=0)
    line(d, (200, 312), (312, 200))


def export(d: Draw) -> None:
    line(d, (256, 60), (256, 320))
    arrow_head(d, (256, 320), (256, 60), 120)
    line(d, (70, 300), (70, 440), (442, 440), (442, 300))


def gear(d: Draw) -> None:
    for i in range(8):
        angle = i * math.pi / 4 + math.pi / 8
        inner = (256 + 120 * math.cos(angle), 256 + 120 * math.sin(angle))
        outer = (256 + 196 * math.cos(angle), 256 + 196 * math.sin(angle))
        line(d, inner, outer, width=76)
    disc(d, 256, 256, 160)
    d.ellipse((256 - 62, 256 - 62, 256 + 62, 256 + 62), fill=0)


def door(d: Draw) -> None:
    line(d, (60, 450), (452, 450))
    line(d, (130, 450), (130, 60), (382, 60), (382, 450))
    outline(d, (130, 60), (300, 110), (300, 470), (130, 450))
    disc(d, 260, 270, 20)


ICONS: dict[str, Callable[[Draw], None]] = {
    "lock": lock,
    "key": key,
    "card-lost": card_lost,
    "eye": eye,
    "eye-off": eye_off,
    "flag": flag,
    "trash": trash,
    "sync": sync,
    "link": link,
    "export": export,
    "gear": gear,
    "door": door,
}


def rendered() -> dict[Path, Image.Image]:
    files: dict[Path, Image.Image] = {}
    for name, draw in ICONS.items():
        alpha = mask(draw)
        files[OUT / f"{name}.png"] = coloured(alpha, DARK)
        files[OUT / f"{name}-white.png"] = coloured(alpha, WHITE)
    return files


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
