"""A structure's payments: its bank details (the form, their state, who did what), the settlements that
paid it (ordonnancé, payé le …) and their payment notices."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, form_error
from api.web.navigation import redirect
from api.web.pages_admin.payments import notice_response
from api.web.pages_structure import structure_id
from api.web.render import page
from api.web.session import WebUser, WebUserDep
from domain import errors
from ledger import types as t

DONE = {
    "coordonnees": "Coordonnées bancaires enregistrées : elles seront utilisées une fois validées par le gestionnaire"
    " du fonds. D'ici là, vos remboursements sont retenus.",
}


def payments_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    sid = structure_id(user, request)
    try:
        account: t.BankAccountOut | None = ledger.bank_account(user.actor, sid)
    except errors.NotFound:
        account = None
    return page(
        request,
        "structure/payments.html",
        status=status,
        title="Paiements et coordonnées bancaires",
        structure=ledger.get_structure(user.actor, sid),
        account=account,
        statement=ledger.statement(user.actor, sid),
        values=values or {},
        error=error,
        flash=DONE.get(request.query_params.get("fait", "")),
    )


@get("/structure/paiements", sync_to_thread=True)
def payments(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    return payments_page(request, ledger, web_user)


@post("/structure/paiements/coordonnees", sync_to_thread=True, status_code=303)
def submit(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    sid = structure_id(web_user, request)
    form = checked_form(web_user, data)
    values = {"holder": form.get("holder"), "iban": form.get("iban"), "bic": form.get("bic")}
    try:
        body = form.build(t.NewBankDetails, holder=values["holder"], iban=values["iban"], bic=values["bic"] or None)
        ledger.submit_bank_details(web_user.actor, sid, body)
    except errors.DomainError as refusal:
        values["iban"] = ""  # an account number is never sent back in a page
        return payments_page(request, ledger, web_user, values=values, error=form_error(refusal), status=refusal.status)
    return redirect("/structure/paiements?fait=coordonnees")


@get("/structure/paiements/{settlement_id:str}/avis", sync_to_thread=True)
def notice(request: Request, ledger: LedgerDep, web_user: WebUserDep, settlement_id: FromPath[str]) -> Response:
    sid = structure_id(web_user, request)
    return notice_response(ledger.payment_notice(web_user.actor, settlement_id, sid))


ROUTES = [payments, submit, notice]
