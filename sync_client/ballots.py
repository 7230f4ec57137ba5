"""The hub's ballot box, seen from a kiosk (elections in mode "hub", issue 8).

Every kiosk of the collective can be a booth when the election runs through the hub: the ballot and its voter
go to the hub in one request, and the hub answers « a voté » or « a déjà voté » from its sign-in register.
Only after « a voté » does the kiosk journal `election.voter_signed` (Elections.record_hub_vote).

Answers are codes, never exceptions: the booth shows a sentence for each (the app calls these off the Kivy
thread and hands the code back to the screen). Same token, TLS settings and timeouts as the sync client,
with a shorter read timeout: a voter is waiting in front of the screen.

A cast whose answer was lost (network cut after the hub wrote it) answers `hub_unavailable`; asking again
then answers `already_voted`: the first ballot counted, and the hub never counts two.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from sync_client.client import HubClient, HubError, HubUnavailable
from sync_client.engine import HubLink

BOOTH_CONNECT_TIMEOUT = 3.0
BOOTH_READ_TIMEOUT = 10.0


class BallotAnswer(StrEnum):
    """What the hub said (the hub's codes, hub/governance.py BallotCode), or why it could not say it."""

    A_VOTE = "a_vote"
    ALREADY_VOTED = "already_voted"
    CAN_VOTE = "can_vote"
    UNKNOWN_ELECTION = "unknown_election"  # its announcement not synced to the hub yet
    FORBIDDEN = "forbidden"  # another collective's election
    WRONG_MODE = "wrong_mode"  # an election of one booth kiosk
    ELECTION_NOT_OPEN = "election_not_open"
    ELECTION_CLOSED = "election_closed"
    ELECTION_OPEN = "election_open"  # a result asked before the close
    NO_CANDIDATES = "no_candidates"
    INVALID_GRADES = "invalid_grades"
    INVALID_REQUEST = "invalid_request"  # a grade outside 0..6, an id that is not one
    UNKNOWN_MEMBER = "unknown_member"  # the member's registration not synced to the hub yet
    NOT_FOUND = "not_found"
    HUB_UNAVAILABLE = "hub_unavailable"  # network, timeout, hub down: the voter may try again
    NOT_PAIRED = "not_paired"
    KIOSK_REVOKED = "kiosk_revoked"
    REFUSED = "refused"  # any other definite refusal


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)  # a newer hub may say more


class _Accepted(_Model):
    status: str


class _Voter(_Model):
    voted: bool


class RankedCandidate(_Model):
    candidate: str
    median: int
    profile: list[int]
    majority_values: list[int]


class PublishedBallot(_Model):
    ballot_id: str
    grades: dict[str, int]


class HubElectionResult(_Model):
    """After the close: `published` only with at least 5 voters; then the ranking and the shuffled ballots."""

    election_id: str
    voters: int
    published: bool
    candidates: list[str]
    ranking: list[RankedCandidate] = []
    tie_broken_by_seed: bool = False
    tie_seed: str = ""
    ballots: list[PublishedBallot] | None = None


@dataclass
class RemoteBallotBox(HubClient):
    connect_timeout: float = BOOTH_CONNECT_TIMEOUT
    read_timeout: float = BOOTH_READ_TIMEOUT

    @classmethod
    def for_link(
        cls, link: HubLink, hub_url: str | None = None, ca_file: str | None = None
    ) -> RemoteBallotBox:
        """The box of the hub this kiosk is paired with (`hub_url` / `ca_file` from the `[hub]` config)."""
        return cls(hub_url or link.hub_url, link.token, ca_file)

    def cast(self, election_id: str, member_id: str, grades: dict[str, int | None]) -> str:
        """Send one ballot: `a_vote`, `already_voted`, or why not (a BallotAnswer value)."""
        body: dict[str, Any] = {"member_id": member_id, "grades": grades}
        try:
            self._call("POST", f"{self._election(election_id)}/ballots", _Accepted, body=body)
        except HubError as error:
            return answer_code(error)
        return BallotAnswer.A_VOTE.value

    def voter_status(self, election_id: str, member_id: str) -> str:
        """`can_vote` or `already_voted` from the hub's register, or why it could not tell."""
        try:
            voter = self._call(
                "GET", f"{self._election(election_id)}/voters/{quote(member_id, safe='')}", _Voter
            )
        except HubError as error:
            return answer_code(error)
        return (BallotAnswer.ALREADY_VOTED if voter.voted else BallotAnswer.CAN_VOTE).value

    def result(self, election_id: str) -> HubElectionResult | str:
        """The result after the close, or a code (`election_open` before it)."""
        try:
            return self._call("GET", f"{self._election(election_id)}/result", HubElectionResult)
        except HubError as error:
            return answer_code(error)

    @staticmethod
    def _election(election_id: str) -> str:
        return f"/elections/{quote(election_id, safe='')}"


_KNOWN = frozenset(answer.value for answer in BallotAnswer)


def answer_code(error: HubError) -> str:
    """The BallotAnswer value for a failed request (a code the booth knows how to say)."""
    if isinstance(error, HubUnavailable):
        return BallotAnswer.HUB_UNAVAILABLE.value
    if error.code == "unauthorized":
        return BallotAnswer.NOT_PAIRED.value
    return error.code if error.code in _KNOWN else BallotAnswer.REFUSED.value
