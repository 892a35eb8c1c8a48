"""Beneficiaries and cheques (prescriber; admin may do all), printable books."""

from __future__ import annotations

from litestar import Request, Response, delete, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Schema
from litestar.params import FromPath, JSONBody

from api.auth import idempotency
from api.deps import ActorDep, IdempotencyKey, LedgerDep
from api.problems import post_problems, problems
from ledger import types as t
from paper.cheque_book import render_cheque_book

PDF = "application/pdf"


def _book_answer(request: Request, ledger: LedgerDep, book: t.ChequeBookOut, status: int) -> Response:
    if PDF in request.headers.get("accept", ""):
        names = ledger.funder_names({c.funder_code for c in book.cheques})
        return Response(
            content=render_cheque_book(book, names, ledger.directory_of_beneficiary(book.beneficiary_id)),
            media_type=PDF,
            status_code=status,
            headers={"Content-Disposition": f'attachment; filename="carnet-{book.id}.pdf"'},
        )
    return Response(content=book, status_code=status)


def document_pdf(openapi) -> None:  # type: ignore[no-untyped-def]
    """Issuing and reprinting answer JSON, or the printable book with `Accept: application/pdf`."""
    pdf = OpenAPIMediaType(
        schema=Schema(
            type=OpenAPIType.STRING,
            format=OpenAPIFormat.BINARY,
            description="The printable book (A4, 8 vouchers a page)",
        )
    )
    for path in ("/v1/cheque-books", "/v1/cheque-books/{book_id}/reprint"):
        for code, response in openapi.paths[path].post.responses.items():
            if code.startswith("2") and response.content is not None:
                response.content["application/pdf"] = pdf


BOOK_RESPONSES = {
    **post_problems(404, 409),
    201: ResponseSpec(
        data_container=t.ChequeBookOut,
        description="The book as JSON (codes shown only here), or with `Accept: application/pdf` the printable book (one cut-out voucher a cheque)",
    ),
}


@post("/v1/beneficiaries", status_code=201, sync_to_thread=True, responses=post_problems(), tags=["beneficiaries"])
def register_beneficiary(
    data: JSONBody[t.NewBeneficiary],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.BeneficiaryOut:
    """Personal fields are sealed with a key per beneficiary, never stored in clear; the answer holds only
    the pseudonymous id and coarse facts."""
    return ledger.register_beneficiary(actor, data, idempotency(request, actor, data))


@get("/v1/beneficiaries/{beneficiary_id:str}", sync_to_thread=True, responses=problems(404), tags=["beneficiaries"])
def get_beneficiary(beneficiary_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.BeneficiaryRecord:
    return ledger.get_beneficiary(actor, beneficiary_id)


@delete(
    "/v1/beneficiaries/{beneficiary_id:str}",
    status_code=204,
    sync_to_thread=True,
    responses=problems(404),
    tags=["beneficiaries"],
)
def erase_beneficiary(beneficiary_id: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> None:
    """Right to erasure: the key is destroyed, the personal data becomes unrecoverable; amounts and dates stay."""
    ledger.erase_beneficiary(actor, beneficiary_id)


@post("/v1/cheque-books", status_code=201, sync_to_thread=True, responses=BOOK_RESPONSES, tags=["cheques"])
def issue_book(
    data: JSONBody[t.NewChequeBook],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.ChequeBookOut:
    """Each cheque funded by one eligible commitment, preferring commitments that leave at least 90 days of
    validity; not enough eligible money for all: 409, nothing issued. When a cheque would still be valid for
    less than 90 days, the answer carries `warnings: [{code: "short-validity", message}]` (French message to
    show the prescriber). `beneficiary_reference` is the person's reference, printed on the book's cover."""
    book = ledger.issue_book(actor, data, idempotency(request, actor, data))
    return _book_answer(request, ledger, book, 201)  # type: ignore[return-value]


@post(
    "/v1/cheque-books/{book_id:str}/reprint",
    status_code=200,
    sync_to_thread=True,
    responses={**BOOK_RESPONSES, 200: BOOK_RESPONSES[201]},
    tags=["cheques"],
)
def reprint_book(
    book_id: FromPath[str], ledger: LedgerDep, actor: ActorDep, request: Request, idempotency_key: IdempotencyKey = None
) -> t.ChequeBookOut:
    """Reprints exactly book `{book_id}` (no other book of the person): new codes for its still-issued cheques,
    same serials, values and validity. **The codes printed on the old paper book stop working at once**: a person
    who still holds it can no longer use it, so tell them (the web page asks the prescriber to confirm this).
    Redeemed, cancelled and expired cheques are left as they are and are not reprinted."""
    book = ledger.reprint_book(actor, book_id, idempotency(request, actor, {"book": book_id}))
    return _book_answer(request, ledger, book, 200)  # type: ignore[return-value]


@get("/v1/cheques/{serial:str}", sync_to_thread=True, responses=problems(404), tags=["cheques"])
def get_cheque(serial: FromPath[str], ledger: LedgerDep, actor: ActorDep) -> t.ChequeOut:
    return ledger.get_cheque(actor, serial)


@post(
    "/v1/cheques/{serial:str}/cancellation",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409, 410),
    tags=["cheques"],
)
def cancel_cheque(
    serial: FromPath[str],
    data: JSONBody[t.ReasonBody],
    ledger: LedgerDep,
    actor: ActorDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> t.ChequeOut:
    """The value returns to its commitment. Already redeemed: 409 `cheque-already-redeemed`."""
    return ledger.cancel_cheque(actor, serial, data, idempotency(request, actor, data))


@post(
    "/v1/cheques/{serial:str}/unlock",
    status_code=200,
    sync_to_thread=True,
    responses=post_problems(404, 409),
    tags=["cheques"],
)
def unlock_cheque(
    serial: FromPath[str], ledger: LedgerDep, actor: ActorDep, request: Request, idempotency_key: IdempotencyKey = None
) -> t.ChequeOut:
    return ledger.unlock_cheque(actor, serial, idempotency(request, actor, {"serial": serial}))


ROUTES = [
    register_beneficiary,
    get_beneficiary,
    erase_beneficiary,
    issue_book,
    reprint_book,
    get_cheque,
    cancel_cheque,
    unlock_cheque,
]
