"""List every translatable message id in the Python sources (calls to `_`, `N_` and `gettext`).

Usage: python scripts/extract_messages.py [--missing LANG]   (prints the ids, or those LANG lacks)
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("kiosk", "screens", "hardware", "sync_client")
MARKERS = {"_", "N_", "gettext"}


def message_ids(root: Path = ROOT) -> Iterator[tuple[str, Path, int]]:
    for folder in SOURCES:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in MARKERS
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    yield node.args[0].value, path, node.lineno


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from kiosk.i18n import catalogue_path, parse_po

    missing_for = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--missing" else None
    known = parse_po(catalogue_path(missing_for).read_text(encoding="utf-8")) if missing_for else {}
    seen: set[str] = set()
    for message, path, line in message_ids():
        if message in seen or message in known:
            continue
        seen.add(message)
        print(f"#: {path.relative_to(ROOT)}:{line}\nmsgid {message!r}\n")
