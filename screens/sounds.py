"""Sound feedback: a soft chime when a card or pass is recognised, a gentle tone with a refusal.

The WAV files are made by scripts/make_sounds.py (committed with it). Sounds are loaded on first use, or
ahead by `preload` (the app calls it once Accueil is drawn: the first load opens the audio device and
takes ~80 ms, which a card tap must not wait for). A kiosk without a working audio device (or a test
under Xvfb) plays nothing and carries on — sound is a help, never a condition. `played` keeps the last
names asked for, so a test can check that the refusal tone went with a refusal without needing speakers.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path
from typing import Any

from kiosk.paths import assets_dir

log = logging.getLogger(__name__)

SOUND_DIR = assets_dir() / "sounds"
SUCCESS = "success"
REFUSAL = "refusal"
VOLUME = 0.7


class Sounds:
    def __init__(self, enabled: bool = True, folder: Path = SOUND_DIR) -> None:
        self.enabled = enabled
        self.folder = folder
        self.played: deque[str] = deque(maxlen=20)
        self._loaded: dict[str, Any] = {}

    def play(self, name: str) -> None:
        self.played.append(name)
        if not self.enabled:
            return
        sound = self._load(name)
        if sound is None:
            return
        try:
            sound.stop()  # a second tap restarts the chime rather than stacking two
            sound.play()
        except Exception:  # an audio device that vanished must not take a tap down with it
            log.warning("could not play sound %s", name, exc_info=True)

    def preload(self) -> None:
        """Load every sound now, so that the first tap plays at once."""
        if self.enabled:
            for name in (SUCCESS, REFUSAL):
                self._load(name)

    def _load(self, name: str) -> Any:
        if name not in self._loaded:
            from kivy.core.audio import SoundLoader

            path = self.folder / f"{name}.wav"
            sound = None
            try:
                sound = SoundLoader.load(str(path)) if path.is_file() else None
            except Exception:
                log.warning("could not load sound %s", path, exc_info=True)
            if sound is not None:
                sound.volume = VOLUME
            else:
                log.info("no sound for %s (missing file or no audio device)", name)
            self._loaded[name] = sound
        return self._loaded[name]
