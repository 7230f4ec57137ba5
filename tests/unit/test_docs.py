"""The guides in docs/ stay true: their screenshots exist and are scenes `make screenshots` makes, their links
land on real headings, and every `kiosk …` / `kiosk-hub …` command they show is one the command line accepts.

Screenshots: each image link must name a file in docs/images/ called `<scene>-<lang>-800x480.png`, where
<scene> is a state scripts/screenshots.py photographs (its walks in scripts/screenshot_*.py) and <lang> the
guide's language (`*.en.md` English, the others French); docs/images/ holds nothing else
(scripts/update_doc_images.py keeps it so). Commands: read from the guides' code (fenced blocks and inline
spans), then walked through the real argparse parsers of kiosk/cli.py and hub/cli.py — each subcommand level
and each option must exist.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from update_doc_images import DOCS, IMAGES, guides, image_links, referenced_images  # noqa: E402

from hub.cli import build_parser as hub_parser  # noqa: E402
from kiosk.cli import build_parser as kiosk_parser  # noqa: E402

IMAGE_NAME = re.compile(r"^(?P<scene>.+)-(?P<lang>fr|en)-800x480\.png$")
FENCE = re.compile(r"^[ \t]*```[^\n]*\n(?P<body>.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)  # in lists too
INLINE = re.compile(r"`(?P<code>[^`\n]+(?:\n[^`\n]+)?)`")
# `kiosk` or `kiosk-hub` as the command itself (starting a line of code, or after a venv's bin/), then a
# word: « sudo -u kiosk /opt/… », « chown root:kiosk », « journalctl -u kiosk -b » or a comment are not.
COMMAND = re.compile(r"(?:^[ \t]*|(?<=/bin/))(?P<prog>kiosk(?:-hub)?)[ \t]+(?P<rest>[a-z][^\n]*)")
SHELL_STOP = {"|", "||", "&&", ";", ">", ">>", "<", "2>&1"}
ELLIPSIS = {"…", "..."}

# Commands the guides document before the command line has them: the set-up of the first librarian (card +
# PIN) and a forgotten PIN, which no screen does. Remove an entry once it is in the parser:
# test_pending_commands_are_still_missing says when.
PENDING: set[tuple[str, str]] = set()


def guide_language(guide: Path) -> str:
    return "en" if guide.name.endswith(".en.md") else "fr"


def screenshot_scenes() -> set[str]:
    """Every state name scripts/screenshots.py photographs (its walks are data; no Kivy import)."""
    from screenshot_admin_pin_cards import ADMIN1_SCENES
    from screenshot_admin_system import admin_system_scenes
    from screenshot_flows import FLOW_SCENES
    from screenshot_scenes import SHELL_SCENES

    walks = [*SHELL_SCENES, *FLOW_SCENES, *ADMIN1_SCENES, *admin_system_scenes()]
    return {name for walk in walks for name, _move in walk.states}


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (accented letters kept), spaces → -."""
    text = heading.strip().replace("`", "").lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    without_code = FENCE.sub("", markdown)
    return {slug(line.lstrip("#")) for line in without_code.splitlines() if re.match(r"#{1,6} ", line)}


def code_lines(markdown: str) -> list[str]:
    """The lines of code a guide shows: fenced blocks, then inline spans (a span may wrap once)."""
    lines: list[str] = []
    for block in FENCE.finditer(markdown):
        lines.extend(block["body"].splitlines())
    prose = FENCE.sub("", markdown)
    lines.extend(match["code"].replace("\n", " ") for match in INLINE.finditer(prose))
    return lines


def commands(markdown: str) -> list[tuple[str, list[str]]]:
    """(program, its words up to a shell operator or comment) for each command in the guide's code."""
    found = []
    for line in code_lines(markdown):
        for match in COMMAND.finditer(line):
            words = []
            for word in shlex.split(match["rest"], comments=True):
                if word in SHELL_STOP:
                    break
                words.append(word)
            found.append((match["prog"], words))
    return found


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction | None:  # type: ignore[type-arg]
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def check_command(parser: argparse.ArgumentParser, words: list[str]) -> str | None:
    """Why `words` is not a command `parser` accepts (None when it is): each subcommand level must exist,
    a command with subcommands must be given one, and every option must be one the command declares."""
    current = parser
    for word in words:
        if word in ELLIPSIS:
            return None  # `kiosk update …`: the family, whichever subcommand follows
        sub = _subcommands(current)
        if word.startswith("-"):
            option = word.split("=", 1)[0]
            if option not in current._option_string_actions:
                return f"{current.prog} has no option {option}"
        elif sub is not None:
            if word not in sub.choices:
                return f"{current.prog} has no subcommand {word!r} (it has: {', '.join(sub.choices)})"
            current = sub.choices[word]
    sub = _subcommands(current)
    if sub is not None and sub.required:
        return f"{current.prog} needs a subcommand ({', '.join(sub.choices)})"
    return None


PARSERS = {"kiosk": kiosk_parser(), "kiosk-hub": hub_parser()}


def _exists(prog: str, name: str) -> bool:
    sub = _subcommands(PARSERS[prog])
    return sub is not None and name in sub.choices


# --- the guides are there ----------------------------------------------------------------------------------


def test_both_guides_exist_in_french_and_english() -> None:
    names = {guide.name for guide in guides()}
    assert {"installation.md", "installation.en.md", "bibliothecaire.md", "bibliothecaire.en.md"} <= names


# --- screenshots -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("guide", guides(), ids=lambda path: path.name)
def test_every_image_is_a_current_scene_in_the_guides_language(guide: Path) -> None:
    scenes = screenshot_scenes()
    language = guide_language(guide)
    problems = []
    for alt, target in image_links(guide.read_text(encoding="utf-8")):
        path = (guide.parent / target).resolve()
        name = IMAGE_NAME.match(path.name)
        if not alt.strip():
            problems.append(f"{target}: no alt text")
        if path.parent != IMAGES.resolve() or not path.is_file():
            problems.append(f"{target}: not a file in docs/images/ (python scripts/update_doc_images.py)")
        if name is None:
            problems.append(f"{target}: not named <scene>-<fr|en>-800x480.png")
        elif name["scene"] not in scenes:
            problems.append(f"{target}: scripts/screenshots.py makes no scene {name['scene']!r}")
        elif name["lang"] != language:
            problems.append(f"{target}: a {name['lang']} screenshot in a {language} guide")
    assert not problems, "\n".join(problems)


def test_the_librarian_guides_show_screens() -> None:
    for name in ("bibliothecaire.md", "bibliothecaire.en.md"):
        assert len(image_links((DOCS / name).read_text(encoding="utf-8"))) >= 15, name


def test_docs_images_holds_only_what_the_guides_show() -> None:
    present = {path.name for path in IMAGES.iterdir()}
    assert present == referenced_images(), "python scripts/update_doc_images.py brings docs/images/ in line"


# --- links between the guides ------------------------------------------------------------------------------


@pytest.mark.parametrize("guide", guides(), ids=lambda path: path.name)
def test_links_land_on_a_guide_and_a_heading(guide: Path) -> None:
    text = guide.read_text(encoding="utf-8")
    problems = []
    for match in re.finditer(r"(?<!!)\[[^\]]*\]\((?P<target>[^)\s]+)\)", FENCE.sub("", text)):
        target = match["target"]
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        file_part, _, anchor = target.partition("#")
        linked = guide if not file_part else (guide.parent / file_part)
        if not linked.is_file():
            problems.append(f"{target}: no file {linked.name}")
        elif anchor and anchor not in anchors(linked.read_text(encoding="utf-8")):
            problems.append(f"{target}: no heading #{anchor} in {linked.name}")
    assert not problems, "\n".join(problems)


def test_slug_follows_github_for_accents_apostrophes_and_code() -> None:
    assert (
        slug("4. Copier le projet et lancer l’installation") == "4-copier-le-projet-et-lancer-linstallation"
    )
    assert slug("17. Quand `kiosk doctor` se plaint") == "17-quand-kiosk-doctor-se-plaint"
    assert slug("9. QR code scanner and camera (optional)") == "9-qr-code-scanner-and-camera-optional"


# --- commands ---------------------------------------------------------------------------------------------


def _guide_commands() -> list[tuple[str, str, list[str]]]:
    return [
        (guide.name, prog, words)
        for guide in guides()
        for prog, words in commands(guide.read_text(encoding="utf-8"))
    ]


def test_the_guides_show_the_commands_an_installer_needs() -> None:
    shown = {(prog, words[0]) for _name, prog, words in _guide_commands() if words}
    needed = {("kiosk", "doctor"), ("kiosk", "pair"), ("kiosk", "tap"), ("kiosk-hub", "pairing-code")}
    assert needed <= shown
    assert shown >= PENDING  # a pending command no guide shows has no business in PENDING


def test_every_command_in_the_guides_is_one_the_command_line_accepts() -> None:
    problems = []
    for name, prog, words in _guide_commands():
        if (prog, words[0]) in PENDING and not _exists(prog, words[0]):
            continue  # not there yet: test_pending_commands_are_still_missing keeps the list honest
        reason = check_command(PARSERS[prog], words)
        if reason:
            problems.append(f"{name}: `{prog} {shlex.join(words)}`: {reason}")
    assert not problems, "\n".join(problems)


def test_pending_commands_are_still_missing() -> None:
    landed = sorted(f"{prog} {name}" for prog, name in PENDING if _exists(prog, name))
    assert not landed, f"now in the command line, remove from PENDING in {Path(__file__).name}: {landed}"


def test_the_command_checker_refuses_what_argparse_would() -> None:
    kiosk = PARSERS["kiosk"]
    hub = PARSERS["kiosk-hub"]
    assert check_command(kiosk, ["doctor", "--json"]) is None
    assert check_command(hub, ["kiosk", "revoke", "KIOSK_ID"]) is None
    assert "no subcommand 'docter'" in (check_command(kiosk, ["docter"]) or "")
    assert "no option --jsn" in (check_command(kiosk, ["doctor", "--jsn"]) or "")
    assert "needs a subcommand" in (check_command(hub, ["kiosk"]) or "")
    assert check_command(hub, ["kiosk", "…"]) is None
    assert "no subcommand 'kiosks'" in (check_command(hub, ["kiosks", "…"]) or "")


def test_commands_are_read_from_code_only_and_not_from_user_names() -> None:
    text = (
        "La borne (`kiosk`) tourne. `sudo chown root:kiosk f` puis `journalctl -u kiosk -b`.\n"
        "```sh\nsudo -u kiosk /opt/kiosque/current/venv/bin/kiosk doctor --json  # vérifier\n"
        "kiosk-hub kiosk list | less\nenabled = true  # a kiosk without a reader\n```\n"
        "kiosk run n’est pas du code.\n"
    )
    assert commands(text) == [("kiosk", ["doctor", "--json"]), ("kiosk-hub", ["kiosk", "list"])]


# --- configuration examples --------------------------------------------------------------------------------


@pytest.mark.parametrize("guide", guides(), ids=lambda path: path.name)
def test_every_toml_example_is_a_configuration_the_kiosk_accepts(guide: Path, tmp_path: Path) -> None:
    from kiosk.config import load_config

    blocks = re.findall(r"^[ \t]*```toml\n(.*?)^[ \t]*```", guide.read_text(encoding="utf-8"), re.M | re.S)
    for number, block in enumerate(blocks):
        site_file = tmp_path / f"example-{number}.toml"
        site_file.write_text(textwrap.dedent(block), encoding="utf-8")
        load_config(site_file)  # an unknown key or a wrong type raises, naming it
    if guide.name.startswith("installation"):
        assert len(blocks) >= 2, "the site file example and the printer example"
