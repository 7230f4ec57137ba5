"""List every translatable message id: calls to `_`, `N_` and `gettext` in the Python sources, and
`_("…")` / `tr._("…")` with a literal string in the screens' .kv files.

Usage: python scripts/extract_messages.py [--missing LANG]   (prints the ids, or those LANG lacks)
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("kiosk", "screens", "hardware", "sync_client")
MARKERS = {"_", "N_", "gettext"}
KV_CALL = re.compile(r"""(?<![\w])_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


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
        for path in sorted((root / folder).rglob("*.kv")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                for match in KV_CALL.finditer(line):
                    yield ast.literal_eval(match.group(1)), path, number


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from kiosk.i18n import load_catalogue

    missing_for = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--missing" else None
    known = load_catalogue(missing_for) if missing_for else {}
    seen: set[str] = set()
    for message, path, line in message_ids():
        if message in seen or message in known:
            continue
        seen.add(message)
        print(f"#: {path.relative_to(ROOT)}:{line}\nmsgid {message!r}\n")
