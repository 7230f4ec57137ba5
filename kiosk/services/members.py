"""Members: sign-up (pseudonym + quartier by default, contact only with consent) and GDPR erasure."""

from __future__ import annotations

from kiosk.domain import Consent, ErasurePreview, Member, Role
from kiosk.errors import KioskError, codes
from kiosk.ids import new_id
from kiosk.services.context import Context, member_from_row
from kiosk.text import clean, fold

LANGUAGE_CODE_MAX = 8


def check_pseudonym(pseudonym: str) -> str:
    """The cleaned pseudonym, or `INVALID_PSEUDONYM` (shared with the paper register import)."""
    pseudonym = clean(pseudonym)
    if not 2 <= len(pseudonym) <= 40 or not any(ch.isalpha() for ch in pseudonym):
        raise KioskError(codes.INVALID_PSEUDONYM)
    return pseudonym


def check_quartier(quartier: str) -> str:
    quartier = clean(quartier)
    if not 1 <= len(quartier) <= 60:
        raise KioskError(codes.INVALID_QUARTIER)
    return quartier


def _of_this_collective(member: Member) -> Member:
    """`member`, unless they are a visitor from another collective (`home_collective`: its name)."""
    if member.home_collective is not None:
        raise KioskError(codes.OTHER_COLLECTIVE_MEMBER, collective=member.home_collective)
    return member


class Members:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def register(
        self,
        pseudonym: str,
        quartier: str,
        *,
        roles: tuple[Role, ...] = (Role.MEMBER,),
        languages: tuple[str, ...] = ("fr",),
        contact: str | None = None,
        consent: Consent | None = None,
    ) -> Member:
        pseudonym, quartier = check_pseudonym(pseudonym), check_quartier(quartier)
        for role in roles:
            if role not in Role.__members__.values():
                raise KioskError(codes.INVALID_ROLE, role=role)
        contact = clean(contact) if contact else None
        if contact and consent is None:
            raise KioskError(codes.CONSENT_REQUIRED)
        langs = sorted({clean(lang).lower()[:LANGUAGE_CODE_MAX] for lang in languages if lang})
        member_id = new_id()
        payload = {
            "member_id": member_id,
            "collective_id": self.ctx.collective_id,
            "pseudonym": pseudonym,
            "quartier": quartier,
            "roles": sorted(str(role) for role in set(roles) | {Role.MEMBER}),
            "languages": langs,
            "contact": contact,
            "consent": (
                {"text_version": consent.text_version, "given_at": consent.given_at}
                if contact and consent
                else None
            ),
        }
        with self.ctx.store.transaction() as conn:
            taken = conn.execute(
                "SELECT 1 FROM members WHERE collective_id = ? AND pseudonym_key = ? AND erased_at IS NULL",
                (self.ctx.collective_id, fold(pseudonym)),
            ).fetchone()
            if taken:
                raise KioskError(codes.PSEUDONYM_TAKEN, pseudonym=pseudonym)
            self.ctx.write_in(conn, "member.registered", payload)
        return self.ctx.member(member_id)

    def get(self, member_id: str) -> Member:
        return self.ctx.member(member_id, allow_erased=True)

    def find(self, text: str, limit: int = 20) -> list[Member]:
        """Members whose pseudonym starts with (or contains) the typed text, accents ignored."""
        key = fold(text)
        rows = self.ctx.store.query(
            "SELECT * FROM members WHERE erased_at IS NULL AND pseudonym_key LIKE ?"
            " ORDER BY pseudonym_key NOT LIKE ?, pseudonym_key LIMIT ?",
            (f"%{key}%", f"{key}%", limit),
        )
        return [member_from_row(row) for row in rows]

    def erase(self, member_id: str, actor_id: str) -> None:
        """Erase on request: personal data goes, anonymised exchange counts stay.

        The member themself or a librarian may ask. Cards are revoked, listings withdrawn and blanked,
        and the personal fields of past journal events are blanked too. A visitor from another collective
        of the network is erased by their own collective only (issue 9): its erasure reaches this one.
        """
        member = _of_this_collective(self.ctx.member(member_id))
        if actor_id != member_id:
            actor = self.ctx.member(actor_id)
            if not actor.has_role(Role.LIBRARIAN):
                raise KioskError(codes.LIBRARIANS_ONLY)
        self.ctx.write("member.erased", {"member_id": member.id, "by": actor_id})

    def erasure_preview(self, member_id: str) -> ErasurePreview:
        """What erasing this member would remove (listings, cards) and keep (their exchanges, anonymised)."""
        member = _of_this_collective(self.ctx.member(member_id))
        conn = self.ctx.store.conn
        exchanges, minutes = conn.execute(
            "SELECT count(*), coalesce(sum(e.duration_min), 0) FROM exchange_participants p"
            " JOIN exchanges e ON e.id = p.exchange_id WHERE p.member_id = ? AND e.status != 'cancelled'"
            " AND p.confirmation != 'declined'",
            (member.id,),
        ).fetchone()
        listings = conn.execute(
            "SELECT count(*) FROM listings WHERE member_id = ? AND status IN ('active', 'hidden')",
            (member.id,),
        ).fetchone()[0]
        cards = conn.execute(
            "SELECT count(*) FROM cards WHERE member_id = ? AND status = 'active'", (member.id,)
        ).fetchone()[0]
        return ErasurePreview(
            member.pseudonym, int(exchanges), round(minutes / 60, 2), int(listings), int(cards)
        )
