"""Set-up (admin): funders, commitments, payments, structures, prescribers, API keys."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from api.auth import idempotency
from api.deps import ActorDep, IdempotencyKey, LedgerDep
from api.problems import post_problems, problems
from ledger import types as t


@post("/v1/funders", status_code=201, sync_to_thread=True, responses=post_problems(409), tags=["set-up"])
def create_funder(
    data: JSONBody[t.NewFunder],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.FunderOut:
    """A funder of the inter-operator fund. The same code twice: 409 `already-exists`."""
    return ledger.create_funder(actor, data, idempotency(request, actor, data))


@get("/v1/funders/{code:str}", sync_to_thread=True, responses=problems(404), tags=["set-up"])
def get_funder(code: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.FunderOut:
    return ledger.get_funder(actor, code)


@post("/v1/commitments", status_code=201, sync_to_thread=True, responses=post_problems(404), tags=["set-up"])
def sign_commitment(
    data: JSONBody[t.NewCommitment],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.CommitmentOut:
    """A funder's convention. Empty `eligible_publics`: every public; empty `territory`: the whole département.
    Lower `priority` is used first."""
    return ledger.sign_commitment(actor, data, idempotency(request, actor, data))


@get("/v1/commitments/{commitment_id:str}", sync_to_thread=True, responses=problems(404), tags=["set-up"])
def get_commitment(commitment_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.CommitmentOut:
    return ledger.get_commitment(actor, commitment_id)


@post(
    "/v1/funders/{code:str}/payments",
    status_code=201,
    sync_to_thread=True,
    responses=post_problems(404),
    tags=["set-up"],
)
def receive_payment(
    code: FromPath[str],
    data: JSONBody[t.NewPayment],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.PaymentOut:
    """Money actually received from the funder (the fund's cash)."""
    return ledger.receive_payment(actor, code, data, idempotency(request, actor, data))


@post("/v1/structures", status_code=201, sync_to_thread=True, responses=post_problems(), tags=["set-up"])
def register_structure(
    data: JSONBody[t.NewStructure],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.StructureOut:
    return ledger.register_structure(actor, data, idempotency(request, actor, data))


@get("/v1/structures/{structure_id:str}", sync_to_thread=True, responses=problems(404), tags=["set-up"])
def get_structure(structure_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.StructureOut:
    return ledger.get_structure(actor, structure_id)


@post(
    "/v1/structures/{structure_id:str}/suspension",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404),
    tags=["set-up"],
)
def suspend_structure(
    structure_id: FromPath[str],
    data: JSONBody[t.AccreditationChange],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.StructureOut:
    """Suspends accreditation from `on` (default today): redemptions for sessions from that day are refused."""
    return ledger.change_accreditation(actor, structure_id, data, False, idempotency(request, actor, data))


@post(
    "/v1/structures/{structure_id:str}/reinstatement",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404),
    tags=["set-up"],
)
def reinstate_structure(
    structure_id: FromPath[str],
    data: JSONBody[t.AccreditationChange],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.StructureOut:
    return ledger.change_accreditation(actor, structure_id, data, True, idempotency(request, actor, data))


@post("/v1/prescribers", status_code=201, sync_to_thread=True, responses=post_problems(), tags=["set-up"])
def register_prescriber(
    data: JSONBody[t.NewPrescriber],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.PrescriberOut:
    return ledger.register_prescriber(actor, data, idempotency(request, actor, data))


@get("/v1/prescribers/{prescriber_id:str}", sync_to_thread=True, responses=problems(404), tags=["set-up"])
def get_prescriber(prescriber_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.PrescriberOut:
    return ledger.get_prescriber(actor, prescriber_id)


@post("/v1/api-keys", status_code=201, sync_to_thread=True, responses=post_problems(), tags=["set-up"])
def create_api_key(
    data: JSONBody[t.NewApiKey],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.ApiKeyOut:
    """The key is shown once, in this answer; it is stored only as a keyed hash."""
    return ledger.create_api_key(actor, data, idempotency(request, actor, data))


@get("/v1/api-keys", sync_to_thread=True, responses=problems(), tags=["set-up"])
def list_api_keys(
    ledger: LedgerDep,
    actor: ActorDep,
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, QueryParameter(name="cursor", max_length=32)] = None,
) -> t.ApiKeyPage:
    """The API keys, newest first, revoked ones included (`revoked`, `revoked_at`): id, role, organisation and
    creation instant. Never the key itself, which is shown once, at creation. When a key was last used is not
    recorded."""
    return ledger.api_keys(actor, limit, cursor)


@delete("/v1/api-keys/{key_id:str}", status_code=204, sync_to_thread=True, responses=problems(404), tags=["set-up"])
def revoke_api_key(key_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> None:
    """The key stops working at once."""
    ledger.revoke_api_key(actor, key_id)


ROUTES = [
    create_funder,
    get_funder,
    sign_commitment,
    get_commitment,
    receive_payment,
    register_structure,
    get_structure,
    suspend_structure,
    reinstate_structure,
    register_prescriber,
    get_prescriber,
    create_api_key,
    list_api_keys,
    revoke_api_key,
]
