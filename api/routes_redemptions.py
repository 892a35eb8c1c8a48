"""Redemptions (structure), settlements and expiries (admin), funders' figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from litestar import Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from api.auth import idempotency
from api.deps import ActorDep, IdempotencyKey, LedgerDep
from api.problems import post_problems, problems
from api.routes_observatory import FromDate, ToDate
from api.statement_files import file_name, statement_csv, statement_paper, whole_period
from ledger import types as t
from paper.statement import render_statement


@post("/v1/redemptions", status_code=201, responses=post_problems(404, 409, 410, 422, 423), tags=["redemptions"])
async def redeem(
    data: JSONBody[t.NewRedemption],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.RedemptionOut:
    """Refusals, in this order: unknown serial 404, locked 423, wrong code 422 (the 5th in a row locks),
    cancelled 410, expired 410, already redeemed 409, structure not accredited on the session date 403,
    session date in the future (or before issue) 400."""
    return await ledger.redeem_async(actor, data, idempotency(request, actor, data))


@post("/v1/redemptions/batch", status_code=200, sync_to_thread=True, responses=post_problems(), tags=["redemptions"])
def redeem_batch(
    data: JSONBody[t.RedemptionBatch],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.BatchResult:
    """Up to 1000 redemptions, each decided on its own, in order, saved in one transaction."""
    return ledger.redeem_batch(actor, data, idempotency(request, actor, data))


@post(
    "/v1/redemptions/{redemption_id:str}/reversal",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["redemptions"],
)
def reverse(
    redemption_id: FromPath[str],
    data: JSONBody[t.ReasonBody],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.ReversalOut:
    """Before settlement only; the cheque is issued again."""
    return ledger.reverse_redemption(actor, redemption_id, data, idempotency(request, actor, data))


@get(
    "/v1/structures/{structure_id:str}/statement",
    sync_to_thread=True,
    responses=problems(404, 503),
    tags=["redemptions"],
)
def statement(
    structure_id: FromPath[str],
    ledger: LedgerDep,
    actor: ActorDep,
    start: FromDate = None,
    end: ToDate = None,
    limit: Annotated[int | None, QueryParameter(name="limit", ge=1, le=1000)] = None,
    cursor: Annotated[str | None, QueryParameter(name="cursor", max_length=64)] = None,
    fmt: Annotated[Literal["json", "csv"] | None, QueryParameter(name="format")] = None,
) -> t.StatementOut | t.PeriodStatementOut:
    """Without parameters: the totals since the start (v1). With `from` and/or `to` (Paris days, both
    included; `to` defaults to today, `from` to the first day of `to`'s month; not after today, `to` not
    before `from`), or `limit`, `cursor` or `format`: the statement of that period, its balances at the
    start and the end, the period's figures, one keyset page of its redemptions and reversals (`limit`,
    default 100, `next_cursor`) and its settlements. `format=csv`: the whole period as CSV (French headers,
    `;`-separated, UTF-8 with a BOM); the PDF is `statement.pdf`."""
    if (start, end, limit, cursor, fmt) == (None, None, None, None, None):
        return ledger.statement(actor, structure_id)
    if fmt == "csv":
        whole = whole_period(ledger, actor, structure_id, start, end)
        return Response(  # type: ignore[return-value]
            content=statement_csv(whole),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{file_name(whole, "csv")}"'},
        )
    return ledger.period_statement(actor, structure_id, start, end, limit or 100, cursor)


@get(
    "/v1/structures/{structure_id:str}/statement.pdf",
    sync_to_thread=True,
    responses=problems(404, 503),
    tags=["redemptions"],
    media_type="application/pdf",
)
def structure_statement_pdf(
    structure_id: FromPath[str], ledger: LedgerDep, actor: ActorDep, start: FromDate = None, end: ToDate = None
) -> Response[bytes]:
    """The statement of the period (`from`, `to`: as for the statement; default this month) to print (PDF,
    French): every redemption, reversal and settlement of the period, page X / Y."""
    whole = whole_period(ledger, actor, structure_id, start, end)
    return Response(
        content=statement_paper(ledger, actor, whole),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{file_name(whole, "pdf")}"'},
    )


@post("/v1/settlements", status_code=201, sync_to_thread=True, responses=post_problems(409, 503), tags=["fund"])
def settle(
    data: JSONBody[t.NewSettlement],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.SettlementOut:
    """Pays every redeemed, unsettled cheque whose session date ≤ `through`, in one transaction, to the
    structures whose bank account is active; the others' cheques stay redeemed, listed in `held`. With
    `expected_total_cents` (the total of a preview) and another total to pay: 409 `settlement-changed`,
    nothing paid. The answer is also a payment order (`payment_status: ordered`)."""
    return ledger.settle(actor, data, idempotency(request, actor, data))


@post("/v1/expiries", status_code=200, sync_to_thread=True, responses=post_problems(503), tags=["fund"])
def expire(
    data: JSONBody[t.NewExpiry],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.ExpiryOut:
    """Every still-issued cheque with `valid_until` < `as_of` expires; its value returns to its commitment."""
    return ledger.expire(actor, data, idempotency(request, actor, data))


@get("/v1/funders/{code:str}/reconciliation", sync_to_thread=True, responses=problems(404, 503), tags=["funders"])
def reconciliation(
    code: FromPath[str],
    ledger: LedgerDep,
    actor: ActorDep,
    as_of: Annotated[date | None, QueryParameter(name="as_of")] = None,
) -> t.Reconciliation:
    """Figures at the end of `as_of` (default today, Europe/Paris). committed = available + reserved + redeemed + paid."""
    return ledger.reconciliation(actor, code, as_of)


@get(
    "/v1/funders/{code:str}/statement.pdf",
    sync_to_thread=True,
    responses=problems(404, 503),
    tags=["funders"],
    media_type="application/pdf",
)
def statement_pdf(
    code: FromPath[str],
    ledger: LedgerDep,
    actor: ActorDep,
    as_of: Annotated[date | None, QueryParameter(name="as_of")] = None,
) -> Response[bytes]:
    """The reconciliation as a printable statement (PDF, French)."""
    rec = ledger.reconciliation(actor, code, as_of)
    name = ledger.funder_names({code}).get(code, code)
    return Response(
        content=render_statement(rec, name),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="releve-{code}-{rec.as_of}.pdf"'},
    )


@get("/v1/funders/{code:str}/journal", sync_to_thread=True, responses=problems(404, 503), tags=["funders"])
def journal(
    code: FromPath[str],
    ledger: LedgerDep,
    actor: ActorDep,
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, QueryParameter(name="cursor", max_length=64)] = None,
) -> t.PostingPage:
    """The double-entry postings behind the figures, oldest first."""
    return ledger.journal(actor, code, limit, cursor)


ROUTES = [
    redeem,
    redeem_batch,
    reverse,
    statement,
    structure_statement_pdf,
    settle,
    expire,
    reconciliation,
    statement_pdf,
    journal,
]
