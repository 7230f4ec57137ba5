"""`kiosk-hub` command line. The hub itself arrives with the hub and sync issue."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print(
        "Le hub (serveur de synchronisation) n’est pas encore livré dans cette version.",
        file=sys.stderr,
    )
    return 2
