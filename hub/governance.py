"""Elections in mode "hub" and published draw records (issue 8): the hub's HTTP endpoints.

In mode "hub" every kiosk of the collective can be a booth, so one vote per member needs one place that
knows who voted: the hub. A ballot arrives with its voter; the hub writes the voter into the sign-in
register and the grades into the ballot box in ONE transaction, in two tables that share nothing but the
election (random ballot id, no time, no kiosk, no order), and answers « a voté » or « a déjà voté ».

The register and the box are fed by the kiosks' events too (hub/governance_events.py). After the close,
the result and the shuffled ballots are published only with at least PUBLISH_MIN_VOTERS voters.

No `from __future__ import annotations`: FastAPI reads the endpoint annotations at run time.
"""

import json
import secrets
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import Connection, delete, func, insert, select

from hub import schema as t
from hub.auth import KioskAuth
from hub.db import Database
from hub.governance_events import CLOSED, ID_PATTERN, normalise_grades
from hub.sync import authenticate
from hub.util import iso, utcnow
from kiosk.governance.majority import PUBLISH_MIN_VOTERS, MajorityResult, tally
from sync_client.protocol import API_PREFIX, ErrorBody

router = APIRouter(tags=["élections et tirages"])
_bearer = HTTPBearer(auto_error=False, description="The kiosk token received at pairing.")


class BallotCode(StrEnum):
    """Stable codes of the answers (sync_client/ballots.py maps each one to what the booth says)."""

    A_VOTE = "a_vote"
    ALREADY_VOTED = "already_voted"
    UNKNOWN_ELECTION = "unknown_election"
    FORBIDDEN = "forbidden"
    WRONG_MODE = "wrong_mode"
    ELECTION_NOT_OPEN = "election_not_open"
    ELECTION_CLOSED = "election_closed"
    ELECTION_OPEN = "election_open"
    NO_CANDIDATES = "no_candidates"
    INVALID_GRADES = "invalid_grades"
    UNKNOWN_MEMBER = "unknown_member"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Refusal:
    status: int
    code: BallotCode
    message: str

    def response(self) -> JSONResponse:
        return JSONResponse(
            ErrorBody(code=self.code, message=self.message).model_dump(exclude_none=True), self.status
        )


_UNKNOWN = Refusal(
    404,
    BallotCode.UNKNOWN_ELECTION,
    "Élection inconnue du hub : synchronisez la borne qui l’a annoncée, puis réessayez.",
)
_OTHER_COLLECTIVE = Refusal(403, BallotCode.FORBIDDEN, "Cette élection est celle d’un autre collectif.")


# Wire models -----------------------------------------------------------------------------------------

Id = Annotated[str, Field(pattern=ID_PATTERN)]
PathId = Annotated[str, PathParam(pattern=ID_PATTERN)]


def _number(value: Any) -> Any:
    """JSON Schema's integer: 4 and 4.0, not true nor "4" (pydantic's lax int would take those too)."""
    if isinstance(value, bool | str):
        raise ValueError("a grade is a number from 0 to 6")
    return value


Grade = Annotated[int, Field(ge=0, le=6), BeforeValidator(_number)]


class BallotRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    member_id: Id
    grades: dict[str, Grade | None] = Field(
        description="Candidate member id → grade, 0 (« À rejeter ») to 6 (« Excellent »); blank counts as 0."
    )


class BallotAccepted(BaseModel):
    status: str = BallotCode.A_VOTE.value


class VoterAnswer(BaseModel):
    voted: bool


class RankedCandidate(BaseModel):
    candidate: str
    median: int
    profile: list[int] = Field(description="How many voters gave each grade, 0 (« À rejeter ») first.")
    majority_values: list[int]


class PublishedBallot(BaseModel):
    ballot_id: str
    grades: dict[str, int]


class ElectionResult(BaseModel):
    election_id: str
    voters: int
    published: bool
    candidates: list[str]
    ranking: list[RankedCandidate] = Field(default_factory=list, description="Best first; empty unpublished.")
    tie_broken_by_seed: bool = False
    tie_seed: str = Field(
        description="Exact ties are broken by SHA-256(tie_seed | candidate): the election id."
    )
    ballots: list[PublishedBallot] | None = Field(default=None, description="Shuffled; only when published.")


class UnpublishedResult(BaseModel):
    """Closed with too few voters to keep the secret: nothing but their number."""

    published: Literal[False] = False
    voters: int


# Dependencies ----------------------------------------------------------------------------------------


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _kiosk(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> KioskAuth:
    header = f"{credentials.scheme} {credentials.credentials}" if credentials else None
    return authenticate(_db(request), header)


Kiosk = Annotated[KioskAuth, Depends(_kiosk)]
_REFUSALS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422)
}


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type="application/json")


# Ballots ---------------------------------------------------------------------------------------------


@router.post(
    f"{API_PREFIX}/elections/{{election_id}}/ballots", response_model=BallotAccepted, responses=_REFUSALS
)
def cast_ballot(election_id: PathId, body: BallotRequest, request: Request, auth: Kiosk) -> Response:
    """One member's ballot, from a kiosk of the election's collective: « a voté » or « a déjà voté »."""
    outcome = _db(request).write_retrying(lambda conn: _cast(conn, auth, election_id, body))
    return outcome.response() if isinstance(outcome, Refusal) else _json(BallotAccepted())


def _cast(conn: Connection, auth: KioskAuth, election_id: str, body: BallotRequest) -> Refusal | None:
    # The election row is locked: ballots of one election and its close are serialised (PostgreSQL), so a
    # ballot never lands in a box that a close has just destroyed, and a second submission waits for the
    # first and then finds its voter in the register.
    election = conn.execute(
        select(t.hub_elections).where(t.hub_elections.c.id == election_id).with_for_update()
    ).first()
    if election is None:
        return _UNKNOWN
    if election.collective_id != auth.collective_id:
        return _OTHER_COLLECTIVE
    if election.mode != "hub":
        return Refusal(
            422, BallotCode.WRONG_MODE, "Cette élection se vote à sa borne-isoloir, pas par le hub."
        )
    phase = _phase(election)
    if phase == "closed":
        return Refusal(409, BallotCode.ELECTION_CLOSED, "Le scrutin est clos : le vote n’est plus possible.")
    if phase == "not_open":
        return Refusal(409, BallotCode.ELECTION_NOT_OPEN, "Le scrutin n’est pas encore ouvert.")
    candidates: list[str] = json.loads(election.candidates)
    if not candidates:
        return Refusal(409, BallotCode.NO_CANDIDATES, "Aucun candidat connu du hub : synchronisez la borne.")
    grades = normalise_grades(candidates, body.grades)
    if grades is None:
        return Refusal(
            422,
            BallotCode.INVALID_GRADES,
            "Bulletin invalide : chaque mention va de 0 à 6 et porte sur un candidat de l’élection.",
        )
    member = conn.execute(select(t.members).where(t.members.c.id == body.member_id)).first()
    if member is None or member.collective_id != auth.collective_id or member.erased_at is not None:
        return Refusal(
            422, BallotCode.UNKNOWN_MEMBER, "Membre inconnu du hub : synchronisez la borne, puis réessayez."
        )
    if _signed(conn, election_id, body.member_id):
        return Refusal(409, BallotCode.ALREADY_VOTED, "Cette personne a déjà voté.")
    conn.execute(insert(t.hub_election_register).values(election_id=election_id, member_id=body.member_id))
    _put_in_box(conn, election_id, json.dumps(grades, sort_keys=True))
    return None


def _put_in_box(conn: Connection, election_id: str, grades: str) -> None:
    """Add a ballot under a random id (uuid4: no time in it), then write the election's whole box again in
    the order of the ids.

    Inserted alone, the ballot would sit after the previous one in the table's pages, in the order of the
    votes, like the register's rows; and on PostgreSQL each row shows the transaction that wrote it (`xmin`),
    the same for a voter's register row and their ballot. Written again, every ballot of the box has this
    transaction's `xmin` and a place given by its random id.
    """
    box = t.hub_ballot_box
    ballots = [
        {"ballot_id": ballot_id, "election_id": election_id, "grades": text}
        for ballot_id, text in conn.execute(
            select(box.c.ballot_id, box.c.grades).where(box.c.election_id == election_id)
        )
    ]
    ballots.append({"ballot_id": str(uuid.uuid4()), "election_id": election_id, "grades": grades})
    conn.execute(delete(box).where(box.c.election_id == election_id))
    conn.execute(insert(box), sorted(ballots, key=lambda ballot: ballot["ballot_id"]))


@router.get(
    f"{API_PREFIX}/elections/{{election_id}}/voters/{{member_id}}",
    response_model=VoterAnswer,
    responses=_REFUSALS,
)
def voter_status(
    election_id: PathId,
    member_id: PathId,
    request: Request,
    auth: Kiosk,
) -> Response:
    """Whether the member is in the sign-in register: what the assessor's screen shows, nothing more."""
    with _db(request).read() as conn:
        election = _find(conn, election_id)
        refusal = _check(election, auth)
        if refusal is not None:
            return refusal.response()
        return _json(VoterAnswer(voted=_signed(conn, election_id, member_id)))


# Results ---------------------------------------------------------------------------------------------


@router.get(
    f"{API_PREFIX}/elections/{{election_id}}/result", response_model=ElectionResult, responses=_REFUSALS
)
def election_result(election_id: PathId, request: Request, auth: Kiosk) -> Response:
    """After the close: the count of voters; with at least 5, the ranking and the shuffled ballots."""
    with _db(request).read() as conn:
        election = _find(conn, election_id)
        refusal = _check(election, auth)
        if refusal is not None:
            return refusal.response()
        if _phase(election) != "closed":
            return Refusal(
                409, BallotCode.ELECTION_OPEN, "Le scrutin n’est pas clos : pas de résultat."
            ).response()
        return _json(_result(conn, election))


@router.get(
    f"{API_PREFIX}/public/elections/{{election_id}}",
    response_model=ElectionResult | UnpublishedResult,
    responses={404: {"model": ErrorBody}},
)
def public_election(election_id: PathId, request: Request) -> Response:
    """For anyone who wants to recount: the published result, or how many voted when too few did."""
    with _db(request).read() as conn:
        election = _find(conn, election_id)
        if election is None or _phase(election) != "closed":
            return Refusal(
                404, BallotCode.NOT_FOUND, "Pas de résultat publié pour cette élection."
            ).response()
        result = _result(conn, election)
    if not result.published:
        return _json(UnpublishedResult(voters=result.voters))
    return _json(result)


@router.get(
    f"{API_PREFIX}/public/draws/{{draw_id}}",
    response_model=dict[str, Any],
    responses={404: {"model": ErrorBody}},
)
def public_draw(draw_id: PathId, request: Request) -> Response:
    """The published record of a draw (`kiosk-hub draw verify FILE` recomputes it)."""
    return _draw_document(request, draw_id, "record", "Pas de tirage publié sous ce numéro.")


@router.get(
    f"{API_PREFIX}/public/draws/{{draw_id}}/frozen",
    response_model=dict[str, Any],
    responses={404: {"model": ErrorBody}},
)
def public_frozen_pool(draw_id: PathId, request: Request) -> Response:
    """The pool as frozen at the cut-off — its hash, counts per category and, with quotas, the panels and
    each ticket's chance — published before the public randomness exists, so nobody can choose them after."""
    return _draw_document(request, draw_id, "frozen", "Pas de liste figée publiée sous ce numéro.")


def _draw_document(request: Request, draw_id: str, column: str, missing: str) -> Response:
    table = t.hub_draw_records
    with _db(request).read() as conn:
        text = conn.execute(select(table.c[column]).where(table.c.draw_id == draw_id)).scalar()
    if text is None:
        return Refusal(404, BallotCode.NOT_FOUND, missing).response()
    return Response(text, media_type="application/json")


# Helpers ---------------------------------------------------------------------------------------------


def _find(conn: Connection, election_id: str) -> Any:
    return conn.execute(select(t.hub_elections).where(t.hub_elections.c.id == election_id)).first()


def _check(election: Any, auth: KioskAuth) -> Refusal | None:
    if election is None:
        return _UNKNOWN
    return _OTHER_COLLECTIVE if election.collective_id != auth.collective_id else None


def _phase(election: Any) -> str:
    """ "not_open", "open" or "closed" (closed by its kiosk, or its closing time passed: hub clock)."""
    now = iso(utcnow())
    if election.status == CLOSED or now >= election.closes_at:
        return "closed"
    return "not_open" if now < election.opens_at else "open"


def _signed(conn: Connection, election_id: str, member_id: str) -> bool:
    register = t.hub_election_register.c
    found = conn.execute(
        select(register.member_id).where(register.election_id == election_id, register.member_id == member_id)
    ).first()
    return found is not None


def _result(conn: Connection, election: Any) -> ElectionResult:
    register, box = t.hub_election_register.c, t.hub_ballot_box.c
    voters = conn.execute(select(func.count()).where(register.election_id == election.id)).scalar_one()
    rows = conn.execute(select(box.ballot_id, box.grades).where(box.election_id == election.id)).all()
    candidates: list[str] = json.loads(election.candidates)
    published = voters >= PUBLISH_MIN_VOTERS and len(rows) > 0
    base = ElectionResult(
        election_id=election.id,
        voters=voters,
        published=published,
        candidates=candidates,
        tie_seed=election.id,
    )
    if not published:
        return base
    ballots = [PublishedBallot(ballot_id=row.ballot_id, grades=json.loads(row.grades)) for row in rows]
    secrets.SystemRandom().shuffle(ballots)  # whatever order the database kept them in
    outcome = tally(candidates, [ballot.grades for ballot in ballots], tie_seed=election.id)
    return base.model_copy(
        update={
            "ranking": _ranking(outcome),
            "tie_broken_by_seed": outcome.tie_broken_by_seed,
            "ballots": ballots,
        }
    )


def _ranking(outcome: MajorityResult) -> list[RankedCandidate]:
    return [
        RankedCandidate(
            candidate=entry.candidate,
            median=entry.median,
            profile=list(entry.profile),
            majority_values=list(entry.majority_values),
        )
        for entry in outcome.ranking
    ]
