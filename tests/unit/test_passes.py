"""Signed member passes: round-trip, and every kind of damaged or forged pass refused with a reason.

"Never an exception" is the property that matters most: the text comes from a scanner or a camera, and
a crash there would freeze the kiosk in front of a person.
"""

from __future__ import annotations

import base64
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import hypothesis.strategies as st
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import given, settings

from kiosk.errors import KioskError
from kiosk.pass_errors import PASS_ERRORS, PassRefusal
from kiosk.passes import (
    MAX_PASS_CHARS,
    PassCheck,
    generate_signing_key,
    issue_pass,
    key_id_for,
    load_private_key,
    private_key_from_hex,
    private_key_from_pem,
    private_key_to_hex,
    private_key_to_pem,
    public_key_from_hex,
    public_key_to_hex,
    revoked_before,
    save_private_key,
    verify_pass,
)

HUB_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
HUB_KID = key_id_for(HUB_KEY.public_key())
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
TRUSTED: dict[str, Ed25519PublicKey] = {HUB_KID: HUB_KEY.public_key()}
MEMBER = "01936f8e-8a3c-7b2d-9c4e-5f6a7b8c9d0e"
ISSUED = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def a_pass(member: str = MEMBER, collective: str = "collectif-local", issued: datetime = ISSUED) -> str:
    return issue_pass(HUB_KEY, HUB_KID, member, collective, issued)


VALID = a_pass()

slugs = st.from_regex(r"\A[a-z0-9][a-z0-9._-]{0,63}\Z")
moments = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2105, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))


def refused(check: PassCheck) -> PassRefusal:
    assert not check.ok
    assert check.reason is not None
    return check.reason


def test_a_pass_round_trips_and_stays_small() -> None:
    check = verify_pass(VALID, TRUSTED, expected_collective="collectif-local")
    assert check.ok and check.claims is not None
    assert check.claims.member_id == MEMBER
    assert check.claims.collective_id == "collectif-local"
    assert check.claims.issued_at == ISSUED
    assert check.claims.key_id == HUB_KID
    assert VALID.startswith("KDS1.")
    assert len(VALID) <= 150  # a version 8 QR: legible at 4 px per module


@given(member=st.uuids(), collective=slugs, issued=moments)
def test_any_valid_pass_round_trips(member: uuid.UUID, collective: str, issued: datetime) -> None:
    text = a_pass(str(member), collective, issued)
    check = verify_pass(text, TRUSTED, expected_collective=collective)
    assert check.ok and check.claims is not None
    assert (check.claims.member_id, check.claims.collective_id) == (str(member), collective)
    assert check.claims.issued_at == issued
    assert len(text) <= 220  # even the longest collective id keeps it far below MAX_PASS_CHARS


def test_every_single_bit_flip_is_refused() -> None:
    raw = VALID.encode("ascii")
    for index in range(len(raw)):
        for bit in range(8):
            mutated = bytearray(raw)
            mutated[index] ^= 1 << bit
            text = mutated.decode("latin-1")
            if text.strip() == VALID:
                continue  # whitespace around a pass is a scanner artefact, not a change to it
            assert refused(verify_pass(text, TRUSTED)), (index, bit)


@given(data=st.data())
def test_any_character_substitution_is_refused(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(VALID) - 1))
    char = data.draw(st.characters().filter(lambda c: c != VALID[index]))
    mutated = VALID[:index] + char + VALID[index + 1 :]
    if mutated.strip() != VALID:
        refused(verify_pass(mutated, TRUSTED))


def test_every_truncation_and_extension_is_refused() -> None:
    for length in range(len(VALID)):
        refused(verify_pass(VALID[:length], TRUSTED))
    for suffix in ("A", "=", "==", ".", ".x", "AAAA"):
        refused(verify_pass(VALID + suffix, TRUSTED))


def test_re_signed_with_another_key_is_refused() -> None:
    signed_part = VALID.rsplit(".", 1)[0]
    forged_signature = OTHER_KEY.sign(signed_part.encode("ascii"))
    forged = signed_part + "." + base64.urlsafe_b64encode(forged_signature).rstrip(b"=").decode()
    assert refused(verify_pass(forged, TRUSTED)) is PassRefusal.BAD_SIGNATURE
    # The forger's own key id is simply not trusted.
    own = issue_pass(OTHER_KEY, key_id_for(OTHER_KEY.public_key()), MEMBER, "collectif-local", ISSUED)
    assert refused(verify_pass(own, TRUSTED)) is PassRefusal.UNKNOWN_KEY


def test_oversized_text_is_refused_before_parsing() -> None:
    assert refused(verify_pass(VALID + " " * MAX_PASS_CHARS, TRUSTED)) is PassRefusal.OVERSIZED
    assert refused(verify_pass("K" * (MAX_PASS_CHARS + 1), TRUSTED)) is PassRefusal.OVERSIZED
    assert refused(verify_pass("KDS1." + "A" * 10_000_000, TRUSTED)) is PassRefusal.OVERSIZED


@settings(max_examples=300)
@given(text=st.text(max_size=600) | st.from_regex(r"\AKDS[0-9]{1,3}\.[A-Za-z0-9_.-]{0,300}\Z"))
def test_random_text_is_refused_with_a_reason_never_an_exception(text: str) -> None:
    check = verify_pass(text, TRUSTED)
    assert refused(check) in PassRefusal
    assert check.error().text()


@given(payload=st.binary(max_size=120), signature=st.binary(min_size=64, max_size=64))
def test_well_encoded_garbage_is_refused(payload: bytes, signature: bytes) -> None:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    reason = refused(verify_pass(f"KDS1.{b64(payload)}.{b64(signature)}", TRUSTED))
    assert reason in (PassRefusal.MALFORMED, PassRefusal.UNKNOWN_KEY, PassRefusal.BAD_SIGNATURE)


def test_versions_and_shapes() -> None:
    assert refused(verify_pass("KDS2." + VALID[5:], TRUSTED)) is PassRefusal.UNKNOWN_VERSION
    assert refused(verify_pass("https://example.org/l/42", TRUSTED)) is PassRefusal.MALFORMED
    assert refused(verify_pass("", TRUSTED)) is PassRefusal.MALFORMED
    assert refused(verify_pass("KDS1..", TRUSTED)) is PassRefusal.MALFORMED
    assert refused(verify_pass(VALID, {})) is PassRefusal.UNKNOWN_KEY
    assert verify_pass(f"  {VALID}\r\n", TRUSTED).ok  # scanners add line endings


def test_revoked_passes_are_refused_after_the_signature_is_checked() -> None:
    claims = verify_pass(VALID, TRUSTED).claims
    assert claims is not None
    assert refused(verify_pass(VALID, TRUSTED, revoked={claims.pass_id})) is PassRefusal.REVOKED
    assert verify_pass(VALID, TRUSTED, revoked={"another-pass"}).ok
    cutoff = revoked_before({MEMBER: ISSUED + timedelta(seconds=1)})
    assert refused(verify_pass(VALID, TRUSTED, revoked=cutoff)) is PassRefusal.REVOKED
    newer = a_pass(issued=ISSUED + timedelta(days=1))
    assert verify_pass(newer, TRUSTED, revoked=cutoff).ok
    assert claims.pass_id != verify_pass(newer, TRUSTED).claims.pass_id  # type: ignore[union-attr]


def test_wrong_collective_only_when_asked() -> None:
    other = a_pass(collective="collectif-voisin")
    assert verify_pass(other, TRUSTED).ok
    check = verify_pass(other, TRUSTED, expected_collective="collectif-local")
    assert refused(check) is PassRefusal.WRONG_COLLECTIVE
    assert check.claims is not None and check.claims.collective_id == "collectif-voisin"


def test_every_refusal_has_a_stable_code_and_french_text() -> None:
    assert set(PASS_ERRORS) == set(PassRefusal)
    codes = {kind.code for kind in PASS_ERRORS.values()}
    assert len(codes) == len(PassRefusal) and all(code.startswith("pass.") for code in codes)
    error = verify_pass("n’importe quoi", TRUSTED).error()
    assert isinstance(error, KioskError) and error.code == "pass.malformed"
    assert error.text(language="fr").startswith("Ce QR code n’est pas un passe")
    with pytest.raises(ValueError):
        verify_pass(VALID, TRUSTED).error()


def test_issuing_refuses_what_could_never_verify() -> None:
    with pytest.raises(ValueError):
        issue_pass(HUB_KEY, "nothex!!", MEMBER, "collectif-local", ISSUED)
    with pytest.raises(ValueError):
        issue_pass(HUB_KEY, key_id_for(OTHER_KEY.public_key()), MEMBER, "collectif-local", ISSUED)
    with pytest.raises(ValueError):
        issue_pass(HUB_KEY, HUB_KID, "not-a-uuid", "collectif-local", ISSUED)
    with pytest.raises(ValueError):
        issue_pass(HUB_KEY, HUB_KID, MEMBER, "Collectif Local", ISSUED)
    with pytest.raises(ValueError):
        issue_pass(HUB_KEY, HUB_KID, MEMBER, "collectif-local", ISSUED.replace(tzinfo=None))


def test_keys_serialise_and_come_back(tmp_path: Path) -> None:
    key = generate_signing_key()
    public_hex = public_key_to_hex(key.public_key())
    assert len(public_hex) == 64
    assert key_id_for(public_key_from_hex(public_hex)) == key_id_for(key.public_key())
    assert private_key_to_hex(private_key_from_hex(private_key_to_hex(key))) == private_key_to_hex(key)
    assert private_key_to_hex(private_key_from_pem(private_key_to_pem(key))) == private_key_to_hex(key)
    path = tmp_path / "keys" / "kiosk.pem"
    save_private_key(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert private_key_to_hex(load_private_key(path)) == private_key_to_hex(key)
    with pytest.raises(ValueError):
        public_key_from_hex("00" * 31)
    with pytest.raises(ValueError):
        private_key_from_hex("zz")
