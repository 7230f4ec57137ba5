"""Cards and passes presented while « Enregistrer un échange » is open (screens/record.py): the partners.

A member of this collective joins the exchange at once. A card this kiosk does not know may be a member
of another collective of the network, visiting (issue 9): it is asked of the hub exactly as the shell asks
for a tap on Accueil (screens/visitor.py — « Un instant… », at most LOOK_UP_PATIENCE_S, the tap journaled
as an unknown card when nobody knows it), and the visitor the hub names becomes the partner; the exchange
then counts in both collectives on the hub. Offline, or a card the hub does not know either: today's
unknown-card answer, and the wizard stays where it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.domain import Identification, Identified, Member
from kiosk.i18n import N_, _
from screens.record_flow import RecordFlow, TapOutcome
from screens.sounds import SUCCESS

if TYPE_CHECKING:
    from screens.record import RecordScreen

UNKNOWN_CARD = N_(
    "Cette carte n’est pas encore enregistrée. Pour une personne sans carte, touchez « Une personne non "
    "inscrite »."
)
OWN_CARD = N_("C’est votre carte : faites passer celle de l’autre personne.")


class PartnerTaps:
    def __init__(self, wizard: RecordScreen) -> None:
        self.wizard = wizard

    def presented(self, identification: Identification) -> bool:
        """The wizard's `on_identified`: True when the tap was about the exchange (the wizard stays)."""
        flow = self.wizard.flow
        if flow is None or flow.saved is not None:
            return False
        shell = self.wizard.shell
        if identification.outcome is Identified.UNKNOWN:
            if identification.refusal is not None:
                return False  # a pass whose member has not synced here yet: the shell says so
            card = shell.last_card
            if card is None or not card.uid_hash:
                self._unknown()
            else:
                shell.visitors.ask(card.uid_hash, lambda visitor: self._visitor(flow, visitor), self._unknown)
            return True
        member = identification.member
        if identification.outcome is not Identified.MEMBER or member is None:
            return False  # revoked, random UID, foreign pass: the shell says why, the wizard stays
        self._joins(flow, member)
        return True

    def _visitor(self, flow: RecordFlow, visitor: Member) -> None:
        """The hub named the card. The visit is journaled already; if the exchange was abandoned or saved
        meanwhile, nobody is left to join."""
        if self.wizard.flow is flow and flow.saved is None:
            self._joins(flow, visitor)

    def _joins(self, flow: RecordFlow, member: Member) -> None:
        shell = self.wizard.shell
        if flow.partner_tapped(member) is TapOutcome.OWN_CARD:
            shell.notify(_(OWN_CARD), "error")
        else:
            # No message over the screen: it would take the next touch. The list shows who is in.
            shell.sounds.play(SUCCESS)
        self.wizard.show()

    def _unknown(self) -> None:
        shell = self.wizard.shell
        if shell.current is self.wizard:
            shell.notify(_(UNKNOWN_CARD), "error")
        else:  # the wizard was left while the hub was asked: the shell's words, where the person is
            shell.unknown_card()
