"""`kiosk staff add` / `kiosk staff pin`: the first librarian of a new kiosk, and a forgotten PIN.

The librarian's space needs a staff card and a PIN, and only a librarian can enrol cards from the screen:
on a new kiosk somebody must make the first one. This is done at the kiosk's own keyboard (or over SSH) by
whoever installs it — the same person who may read the database anyway. The PIN is typed twice without
echo (`getpass`), or read from standard input for scripts (`--pin-stdin`); it is stored hashed, locally,
like the screen's (kiosk/services/admin.py). The card is read from the NFC reader (as `kiosk tap` does),
or given as a UID in hexadecimal (`--uid`, what `kiosk tap` prints) when the reader is elsewhere.
"""

from __future__ import annotations

import argparse
import getpass
import queue
import sys
from collections.abc import Callable
from typing import TextIO

from kiosk.cardid import CardRead
from kiosk.config import Config
from kiosk.domain import Identified, Member, Role
from kiosk.errors import KioskError
from kiosk.services import Services, open_services
from kiosk.services.admin import check_pin_format

ROLES = {"librarian": Role.LIBRARIAN, "animator": Role.ANIMATOR}
CARD_WAIT_SECONDS = 60.0
EXIT_OK, EXIT_NEEDS_ACTION, EXIT_ERROR = 0, 1, 2


class StaffError(Exception):
    """Said to the person at the terminal, in one sentence."""


def read_pin(stdin: bool, *, source: TextIO | None = None) -> str:
    """The new PIN: one line of `source` (scripts), or typed twice without echo."""
    if stdin:
        return (source or sys.stdin).readline().strip()
    first = getpass.getpass("Nouveau code (4 à 8 chiffres) : ")
    if getpass.getpass("Le même code, encore une fois : ") != first:
        raise StaffError("Les deux codes ne sont pas les mêmes : rien n’est changé.")
    return first


def wait_for_card(config: Config, services: Services, timeout: float = CARD_WAIT_SECONDS) -> CardRead:
    """The next card put on the NFC reader (PC/SC), as the kiosk will read it."""
    from hardware.card_wait import first_card_event
    from hardware.events import CardReadError, CardRefused, CardTapped
    from hardware.nfc import NfcSettings, PcscNfcReader
    from hardware.pcsc import PcscUnavailable

    settings = NfcSettings(feedback=config.nfc.feedback)

    def reader(events: queue.Queue[object]) -> PcscNfcReader:
        made = PcscNfcReader(events, services.ctx.card_key, settings)  # PcscUnavailable: no pyscard
        print(f"Posez la carte sur le lecteur (j’attends {timeout:g} s)…", flush=True)
        return made

    try:
        event = first_card_event(reader, timeout)
    except PcscUnavailable as error:
        raise StaffError(
            f"Pas de lecteur de cartes utilisable ({error}) : donnez la carte avec --uid."
        ) from None
    if isinstance(event, CardRefused):
        raise StaffError(
            "Cette carte change d’identifiant à chaque passage (un téléphone ?) : elle ne peut pas servir."
        )
    if isinstance(event, CardReadError):
        raise StaffError(
            "La carte n’a pas pu être lue : posez-la bien à plat au centre du lecteur, puis recommencez."
        )
    if isinstance(event, CardTapped):
        return services.cards.read(event.uid)
    raise StaffError(f"Aucune carte posée en {timeout:g} s : rien n’est changé.")


def _card_from_uid(services: Services, uid_hex: str) -> CardRead:
    try:
        uid = bytes.fromhex(uid_hex.replace(":", "").replace(" ", ""))
    except ValueError:
        raise StaffError(
            f"« {uid_hex} » n’est pas un identifiant de carte en hexadécimal (ex. 04A1B2C3D4E5F6)."
        ) from None
    if not 4 <= len(uid) <= 10:
        raise StaffError("Un identifiant de carte fait 4, 7 ou 10 octets.")
    return services.cards.read(uid)


def _find(services: Services, pseudonym: str) -> Member | None:
    wanted = pseudonym.strip().casefold()
    return next((m for m in services.members.find(pseudonym) if m.pseudonym.casefold() == wanted), None)


def add_staff(
    services: Services,
    pseudonym: str,
    role: Role,
    quartier: str,
    card: Callable[[], CardRead],
    pin: Callable[[], str],
    out: TextIO,
) -> Member:
    """Create the staff member (or take the existing one with that role), enrol the card, set the PIN.
    Everything is checked first (PIN, card): a refusal leaves the kiosk as it was."""
    member = _find(services, pseudonym)
    if member is not None and not services.admin.is_staff(member):
        raise StaffError(
            f"{member.pseudonym} existe déjà sans rôle de bibliothécaire ni d’animateur·rice :"
            " choisissez un autre pseudonyme (le rôle d’un membre existant ne change pas d’ici)."
        )
    new_pin = check_pin_format(pin())
    read = card()
    known = services.cards.identify(read)
    if known.outcome is Identified.REVOKED:
        raise StaffError("Cette carte a été désactivée : prenez-en une autre.")
    owner = known.member
    if owner is not None and (member is None or owner.id != member.id):
        raise StaffError(f"Cette carte est déjà celle de {owner.pseudonym} : prenez-en une autre.")
    if member is None:
        member = services.members.register(pseudonym, quartier, roles=(role,))
        title = "bibliothécaire" if role is Role.LIBRARIAN else "animateur·rice"
        print(f"Membre créé : {member.pseudonym} ({title}).", file=out)
    if owner is None:
        services.cards.enrol(read, member.id)
        print("Carte enrôlée.", file=out)
    services.admin.set_pin(member.id, new_pin)
    print(
        f"Code enregistré. {member.pseudonym} peut ouvrir l’espace bibliothécaire : sa carte, puis son code.",
        file=out,
    )
    return member


def set_staff_pin(services: Services, pseudonym: str, pin: Callable[[], str], out: TextIO) -> Member:
    member = _find(services, pseudonym)
    if member is None:
        raise StaffError(f"Aucun membre « {pseudonym} » ici.")
    services.admin.set_pin(member.id, pin())
    print(f"Nouveau code enregistré pour {member.pseudonym}.", file=out)
    return member


def staff_command(config: Config, args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    services = open_services(config)
    try:

        def pin() -> str:  # asked only when needed
            return str(read_pin(args.pin_stdin))

        if args.staff_command == "add":
            uid = args.uid

            def card() -> CardRead:
                return _card_from_uid(services, uid) if uid else wait_for_card(config, services)

            add_staff(services, args.pseudonym, ROLES[args.role], args.quartier, card, pin, out)
        else:
            set_staff_pin(services, args.pseudonym, pin, out)
    except StaffError as error:
        print(str(error), file=sys.stderr)
        return EXIT_NEEDS_ACTION
    except KioskError as error:
        print(error.text(), file=sys.stderr)
        return EXIT_NEEDS_ACTION
    finally:
        services.close()
    return EXIT_OK


def cmd_staff(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.i18n import set_language

    config = load_config(args.config)
    set_language(config.kiosk.language)
    return staff_command(config, args)


def add_staff_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """`kiosk staff add|pin`, registered by kiosk/cli.py's `add` (which gives --config)."""
    staff = add("staff", cmd_staff, "le personnel : créer le premier bibliothécaire, changer un code oublié")
    actions = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")

    def action(name: str, text: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=text, description=text)
        # also after the action (`kiosk staff add X --config F`); SUPPRESS keeps the one given before it
        parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        parser.add_argument("pseudonym", metavar="PSEUDONYME")
        parser.add_argument("--pin-stdin", action="store_true", help="lire le code sur l’entrée standard")
        return parser

    new = action("add", "créer un·e bibliothécaire (ou animateur·rice) : sa carte et son code")
    new.add_argument(
        "--role", choices=sorted(ROLES), default="librarian", help="librarian (défaut) ou animator"
    )
    new.add_argument(
        "--quartier", default="Autre quartier", help="son quartier (défaut : « Autre quartier »)"
    )
    new.add_argument(
        "--uid", metavar="HEX", help="l’identifiant de la carte (sinon : posez-la sur le lecteur)"
    )
    action("pin", "donner un nouveau code à un membre du personnel")
