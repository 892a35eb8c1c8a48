"""Equipment lending (structure, admin) and PIX assessments (structure, prescriber, admin)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from api.auth import idempotency
from api.deps import ActorDep, IdempotencyKey, LedgerDep
from api.problems import post_problems, problems
from ledger import types as t


@post("/v1/equipment-sources", status_code=201, sync_to_thread=True, responses=post_problems(), tags=["lending"])
def register_source(
    data: JSONBody[t.NewEquipmentSource],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.EquipmentSourceOut:
    """A "gisement": where donated equipment comes from."""
    return ledger.register_source(actor, data, idempotency(request, actor, data))


@post("/v1/devices", status_code=201, sync_to_thread=True, responses=post_problems(404), tags=["lending"])
def receive_device(
    data: JSONBody[t.NewDevice],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.DeviceOut:
    return ledger.receive_device(actor, data, idempotency(request, actor, data))


@get("/v1/devices/{device_id:str}", sync_to_thread=True, responses=problems(404), tags=["lending"])
def get_device(device_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.DeviceOut:
    return ledger.get_device(actor, device_id)


@post(
    "/v1/devices/{device_id:str}/refurbishment",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["lending"],
)
def refurbish(
    device_id: FromPath[str],
    data: JSONBody[t.Refurbishment],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.DeviceOut:
    return ledger.refurbish_device(actor, device_id, data, idempotency(request, actor, data))


@post(
    "/v1/devices/{device_id:str}/retirement",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["lending"],
)
def retire(
    device_id: FromPath[str],
    data: JSONBody[t.Retirement],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.DeviceOut:
    return ledger.retire_device(actor, device_id, data, idempotency(request, actor, data))


@post("/v1/loans", status_code=201, sync_to_thread=True, responses=post_problems(404, 409), tags=["lending"])
def sign_loan(
    data: JSONBody[t.NewLoan],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.LoanOut:
    """Device not available: 409 `device-unavailable`."""
    return ledger.sign_loan(actor, data, idempotency(request, actor, data))


@get("/v1/loans", sync_to_thread=True, responses=problems(503), tags=["lending"])
def list_loans(
    ledger: LedgerDep,
    actor: ActorDep,
    status: Annotated[Literal["active", "overdue", "returned", "lost"] | None, QueryParameter(name="status")] = None,
    as_of: Annotated[date | None, QueryParameter(name="as_of")] = None,
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, QueryParameter(name="cursor", max_length=64)] = None,
) -> t.LoanPage:
    """overdue = active and `due_on` < `as_of` (default today): derived, never stored."""
    return ledger.list_loans(actor, status, as_of, limit, cursor)


@get("/v1/lending/journal", sync_to_thread=True, responses=problems(503), tags=["lending"])
def loan_journal(
    ledger: LedgerDep,
    actor: ActorDep,
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, QueryParameter(name="cursor", max_length=64)] = None,
) -> t.LoanPostingPage:
    """Loan money, apart from the cheque fund: deposits held (`beneficiary → deposits_held`), returned
    (`deposits_held → beneficiary`) or kept on loss (`deposits_held → deposits_kept`); fees for the months
    begun, when the loan ends (`beneficiary → fees_collected`)."""
    return ledger.loan_journal(actor, limit, cursor)


@get("/v1/loans/{loan_id:str}", sync_to_thread=True, responses=problems(404), tags=["lending"])
def get_loan(loan_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.LoanOut:
    return ledger.get_loan(actor, loan_id)


@post(
    "/v1/loans/{loan_id:str}/follow-ups",
    status_code=201,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["lending"],
)
def follow_up(
    loan_id: FromPath[str],
    data: JSONBody[t.NewFollowUp],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.FollowUpOut:
    """The note is sealed under the beneficiary's key: erasure erases it too."""
    return ledger.follow_up_loan(actor, loan_id, data, idempotency(request, actor, data))


@post(
    "/v1/loans/{loan_id:str}/extension",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["lending"],
)
def extend(
    loan_id: FromPath[str],
    data: JSONBody[t.LoanExtension],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.LoanOut:
    return ledger.extend_loan(actor, loan_id, data, idempotency(request, actor, data))


@post(
    "/v1/loans/{loan_id:str}/return",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["lending"],
)
def give_back(
    loan_id: FromPath[str],
    data: JSONBody[t.LoanReturn],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.LoanOut:
    """The device is available again only if returned in good condition; otherwise it goes to repair."""
    return ledger.return_loan(actor, loan_id, data, idempotency(request, actor, data))


@post(
    "/v1/loans/{loan_id:str}/loss",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["lending"],
)
def loss(
    loan_id: FromPath[str],
    data: JSONBody[t.LoanLoss],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.LoanOut:
    """The deposit is kept."""
    return ledger.declare_loan_lost(actor, loan_id, data, idempotency(request, actor, data))


@get(
    "/v1/beneficiaries/{beneficiary_id:str}/loans", sync_to_thread=True, responses=problems(404, 503), tags=["lending"]
)
def beneficiary_loans(beneficiary_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.LoanPage:
    return ledger.list_loans(actor, beneficiary_id=beneficiary_id, limit=1000)


@post(
    "/v1/beneficiaries/{beneficiary_id:str}/pix-assessments",
    status_code=201,
    sync_to_thread=True,
    responses=post_problems(404),
    tags=["pix"],
)
def record_pix(
    beneficiary_id: FromPath[str],
    data: JSONBody[t.NewPixAssessment],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.PixAssessmentOut:
    """A score outside 0..1024: 400 `validation-error`."""
    return ledger.record_pix(actor, beneficiary_id, data, idempotency(request, actor, data))


@get(
    "/v1/beneficiaries/{beneficiary_id:str}/pix-assessments",
    sync_to_thread=True,
    responses=problems(404, 503),
    tags=["pix"],
)
def pix_history(beneficiary_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.PixHistory:
    return ledger.pix_history(actor, beneficiary_id)


ROUTES = [
    register_source,
    receive_device,
    get_device,
    refurbish,
    retire,
    sign_loan,
    list_loans,
    loan_journal,
    get_loan,
    follow_up,
    extend,
    give_back,
    loss,
    beneficiary_loans,
    record_pix,
    pix_history,
]
