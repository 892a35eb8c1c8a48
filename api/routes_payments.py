"""Money reaching structures: bank details (the fund's, each structure's, four eyes), the settlements'
history, their SEPA payment orders, execution, and the structures' payment notices."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, Response, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from api.auth import idempotency
from api.deps import ActorDep, IdempotencyKey, LedgerDep
from api.problems import post_problems, problems
from domain import errors
from ledger import types as t
from paper.payment_notice import render_payment_notice
from paper.payment_order import render_payment_order


@put("/v1/fund/bank-account", status_code=200, sync_to_thread=True, responses=problems(), tags=["payments"])
def set_fund_account(data: JSONBody[t.FundBankAccount], ledger: LedgerDep, actor: ActorDep) -> t.BankAccountOut:
    """The fund's own account, the debtor of every transfer (admin). IBAN (ISO 13616) and BIC checked: 400."""
    return ledger.set_fund_account(actor, data)


@get("/v1/fund/bank-account", sync_to_thread=True, responses=problems(404), tags=["payments"])
def get_fund_account(ledger: LedgerDep, actor: ActorDep) -> t.BankAccountOut:
    return ledger.fund_account(actor)


@post(
    "/v1/structures/{structure_id:str}/bank-account",
    status_code=202,
    sync_to_thread=True,
    responses=post_problems(404),
    tags=["payments"],
)
def submit_bank_details(
    structure_id: FromPath[str],
    data: JSONBody[t.NewBankDetails],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.BankDetailsStatus:
    """The structure (its own) or an admin submits bank details: pending until another person approves them.
    A change to an active account puts it back to pending (nothing is paid meanwhile)."""
    return ledger.submit_bank_details(actor, structure_id, data, idempotency(request, actor, data))


@post(
    "/v1/structures/{structure_id:str}/bank-account/approval",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["payments"],
)
def approve_bank_details(
    structure_id: FromPath[str],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.BankDetailsStatus:
    """An admin other than the one who submitted them (four eyes, by API key or account): 409 `four-eyes`;
    nothing waiting: 409 `nothing-pending`."""
    return ledger.approve_bank_details(actor, structure_id, idempotency(request, actor, {"approve": structure_id}))


@get(
    "/v1/structures/{structure_id:str}/bank-account",
    sync_to_thread=True,
    responses=problems(404),
    tags=["payments"],
)
def get_bank_account(structure_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.BankAccountOut:
    """Own structure or admin: the IBAN masked, its history; admins also see it in clear (`iban`)."""
    return ledger.bank_account(actor, structure_id)


@get("/v1/settlements", sync_to_thread=True, responses=problems(), tags=["payments"])
def list_settlements(
    ledger: LedgerDep,
    actor: ActorDep,
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, QueryParameter(name="cursor", max_length=32)] = None,
) -> t.SettlementPage:
    """The settlements, newest first."""
    return ledger.settlements(actor, limit, cursor)


@get("/v1/settlements/{settlement_id:str}", sync_to_thread=True, responses=problems(404), tags=["payments"])
def get_settlement(settlement_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.SettlementOut:
    return ledger.settlement(actor, settlement_id)


@get(
    "/v1/settlements/{settlement_id:str}/payment-order.xml",
    sync_to_thread=True,
    responses=problems(404, 409),
    tags=["payments"],
    media_type="application/xml",
)
def payment_order(settlement_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> Response[bytes]:
    """The SEPA credit transfer order (ISO 20022 pain.001.001.09, valid against its XSD): debtor the fund's
    account, one transfer per paid line. Nothing paid: 409 `nothing-to-pay`; no fund account: 409
    `fund-account-missing`."""
    order = ledger.payment_order(actor, settlement_id)
    return Response(
        content=render_payment_order(order),
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="ordre-de-virement-{order.settlement_id}.xml"'},
    )


@post(
    "/v1/settlements/{settlement_id:str}/execution",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["payments"],
)
def record_execution(
    settlement_id: FromPath[str],
    data: JSONBody[t.NewExecution],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.SettlementOut:
    """The bank executed the order: its date (not in the future) and reference. Twice: 409 `already-executed`."""
    return ledger.record_execution(actor, settlement_id, data, idempotency(request, actor, data))


@get(
    "/v1/settlements/{settlement_id:str}/notices/{notice_file:str}",
    sync_to_thread=True,
    responses=problems(404),
    tags=["payments"],
    media_type="application/pdf",
)
def payment_notice(
    settlement_id: FromPath[str], notice_file: FromPath[str], ledger: LedgerDep, actor: ActorDep
) -> Response[bytes]:
    """`notice_file` = `{structure_id}.pdf`: the structure's payment notice (avis de paiement, French), each
    cheque with its serial, session date and amount, the account paid (masked). Own structure or admin."""
    structure_id, dot, extension = notice_file.rpartition(".")
    if not dot or extension != "pdf":
        raise errors.NotFound("Avis de paiement introuvable : l'adresse se termine par {structure_id}.pdf.")
    notice = ledger.payment_notice(actor, settlement_id, structure_id)
    return Response(
        content=render_payment_notice(notice),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="avis-de-paiement-{settlement_id}.pdf"'},
    )


ROUTES = [
    set_fund_account,
    get_fund_account,
    submit_bank_details,
    approve_bank_details,
    get_bank_account,
    list_settlements,
    get_settlement,
    payment_order,
    record_execution,
    payment_notice,
]
