"""Copy into docs/images/ exactly the screenshots the guides show, fresh from `make screenshots`.

The guides (docs/*.md) link images as `![alt](images/<scene>-<lang>-800x480.png)`, the names
scripts/screenshots.py gives its captures in build/screenshots/. This script reads every link, copies each
named capture from build/screenshots/ to docs/images/, and removes the images no guide links any more, so
docs/images/ holds the guides' images and nothing else. A link whose capture is missing is said, and the exit
status is 1 (run `make screenshots` first, or fix the link). `--check` changes nothing: it lists what is
missing, out of date or unused, and exits 1 if anything is.

Usage: python scripts/update_doc_images.py [--check] [--source DIR]
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
IMAGES = DOCS / "images"
SOURCE = ROOT / "build" / "screenshots"
IMAGE_LINK = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<target>[^)\s]+)\)")


def image_links(markdown: str) -> list[tuple[str, str]]:
    """(alt text, link target) of every image in a Markdown text, in order."""
    return [(match["alt"], match["target"]) for match in IMAGE_LINK.finditer(markdown)]


def guides(docs: Path = DOCS) -> list[Path]:
    return sorted(docs.glob("*.md"))


def referenced_images(docs: Path = DOCS) -> set[str]:
    """File names under images/ that some guide links."""
    names: set[str] = set()
    for guide in guides(docs):
        for _alt, target in image_links(guide.read_text(encoding="utf-8")):
            if target.startswith("images/"):
                names.add(target.removeprefix("images/"))
    return names


def plan(source: Path, docs: Path = DOCS) -> tuple[list[str], list[str], list[str]]:
    """(to copy, missing from the source, unused in docs/images)."""
    images = docs / "images"
    wanted = referenced_images(docs)
    missing = sorted(name for name in wanted if not (source / name).is_file())
    stale = [
        name
        for name in sorted(wanted)
        if name not in missing
        and not ((images / name).is_file() and filecmp.cmp(source / name, images / name, shallow=False))
    ]
    present = {path.name for path in images.glob("*")} if images.is_dir() else set()
    unused = sorted(present - wanted)
    return stale, missing, unused


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="ne rien changer ; dire ce qui n’est pas à jour")
    parser.add_argument("--source", type=Path, default=SOURCE, help="les captures (défaut build/screenshots)")
    args = parser.parse_args(argv)
    to_copy, missing, unused = plan(args.source)
    for name in missing:
        print(f"capture introuvable : {args.source / name} (lancez « make screenshots »)", file=sys.stderr)
    if args.check:
        for name in to_copy:
            print(f"pas à jour : docs/images/{name}")
        for name in unused:
            print(f"inutilisée : docs/images/{name}")
        return 1 if missing or to_copy or unused else 0
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in to_copy:
        shutil.copyfile(args.source / name, IMAGES / name)
        print(f"copiée : docs/images/{name}")
    for name in unused:
        (IMAGES / name).unlink()
        print(f"retirée : docs/images/{name}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
