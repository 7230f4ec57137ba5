"""`kiosk doctor` checks for the NFC chain: pyscard, the pcscd service, the card readers.

Returns plain `(name, status, message)` tuples, status being "ok", "warn" or "fail": the values of
`kiosk.doctor.Status`, not imported here so that this module needs nothing of the store. Each call
returns at once: no card is waited for, nothing is left running.
"""

from __future__ import annotations

import contextlib

from hardware.nfc import DEFAULT_IGNORED_READERS, is_picc_reader
from hardware.pcsc import SCARD_W_SECURITY_VIOLATION, Pcsc, PcscError, PcscUnavailable, pcscd_installed

OK, WARN, FAIL = "ok", "warn", "fail"
NOT_INSTALLED = "pcscd n’est pas installé : lancez `sudo apt install pcscd`."
Check = tuple[str, str, str]


def nfc_checks(required: bool = True, ignored: tuple[str, ...] = DEFAULT_IGNORED_READERS) -> list[Check]:
    """pyscard importable, pcscd answering, at least one contactless reader attached.

    `required=False` (a kiosk that works with QR passes only) turns the failures into warnings.
    """
    problem = FAIL if required else WARN
    try:
        pcsc = Pcsc()
    except PcscUnavailable as error:
        return [
            (
                "lecteur NFC",
                problem,
                f"pyscard n’est pas utilisable ({error}) : lancez `make setup` (paquets Debian swig, "
                "libpcsclite-dev) pour l’installer.",
            )
        ]
    try:
        context = pcsc.establish()
    except PcscError as error:
        if not pcscd_installed():
            message = NOT_INSTALLED
        elif error.code == SCARD_W_SECURITY_VIOLATION:
            message = (
                "pcscd refuse l’accès à cet utilisateur (polkit) : autorisez-le par une règle polkit "
                "(org.debian.pcsc-lite.access_pcsc et access_card), "
                "ou lancez la borne avec l’utilisateur prévu."
            )
        else:
            message = f"le service ne répond pas ({error.text}) : lancez `sudo systemctl start pcscd`."
        return [("pcscd", problem, message)]
    try:
        names = pcsc.list_readers(context)
    except PcscError as error:
        return [("pcscd", problem, f"le service répond mal ({error}) : `sudo systemctl restart pcscd`.")]
    finally:
        with contextlib.suppress(PcscError):  # the check is over either way
            pcsc.release(context)
    checks: list[Check] = [("pcscd", OK, "le service répond.")]
    picc = [name for name in names if is_picc_reader(name, ignored)]
    skipped = [name for name in names if name not in picc]
    note = f" (ignoré{'s' if len(skipped) > 1 else ''} : {', '.join(skipped)})" if skipped else ""
    if picc:
        checks.append(("lecteurs NFC", OK, ", ".join(picc) + note))
    else:
        checks.append(
            (
                "lecteurs NFC",
                problem,
                "aucun lecteur sans contact n’est branché"
                + note
                + " : branchez le lecteur USB (ACR122U, ACR1252U…) et relancez `kiosk doctor`.",
            )
        )
    return checks
