"""Write the kiosk's two feedback sounds into assets/sounds/ (run again after changing a note).

- success.wav: a soft rising chime (two bell-like notes), heard when a card or pass is recognised;
- refusal.wav: a gentle falling pair of low notes, heard with a calm refusal message.

Only the standard library (`wave`, `math`): the same bytes on every machine, so the files are committed
and the script stays the recipe. Quiet on purpose (peak about a third of full scale): a kiosk in a
library or a market should be heard by the person in front of it, not by the whole room.

Usage: python scripts/make_sounds.py [OUTPUT_DIR]
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "assets" / "sounds"

# (frequency Hz, start s, length s, loudness 0..1)
Note = tuple[float, float, float, float]
SUCCESS: tuple[Note, ...] = ((659.25, 0.00, 0.30, 0.9), (987.77, 0.11, 0.42, 0.8))  # E5 then B5
REFUSAL: tuple[Note, ...] = ((392.00, 0.00, 0.26, 0.9), (311.13, 0.20, 0.40, 0.9))  # G4 then E♭4
PEAK = 0.33


def _note_sample(freq: float, t: float, length: float) -> float:
    """A bell-ish tone: a sine with a little of its octave, soft 8 ms attack, exponential decay."""
    if t < 0 or t >= length:
        return 0.0
    attack = min(1.0, t / 0.008)
    decay = math.exp(-5.0 * t / length)
    release = min(1.0, (length - t) / 0.02)  # no click at the end
    tone = math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t)
    return attack * decay * release * tone / 1.25


def render(notes: tuple[Note, ...]) -> bytes:
    duration = max(start + length for _, start, length, _ in notes)
    frames = bytearray()
    for n in range(int(duration * RATE)):
        t = n / RATE
        value = sum(level * _note_sample(freq, t - start, length) for freq, start, length, level in notes)
        clipped = max(-1.0, min(1.0, PEAK * value))
        frames += struct.pack("<h", round(clipped * 32767))
    return bytes(frames)


def write(path: Path, notes: tuple[Note, ...]) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(render(notes))


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else OUT
    folder.mkdir(parents=True, exist_ok=True)
    write(folder / "success.wav", SUCCESS)
    write(folder / "refusal.wav", REFUSAL)
    print(f"Sons écrits dans {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
