"""Money reaching structures (admin): the fund's account, bank details waiting for a second person's
approval, the settlements' history, each one's payment order (the XML to send to the bank), its execution
and the structures' payment notices."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, form_error, parse_day
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page, refused
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from ledger import types as t
from paper.payment_notice import render_payment_notice
from paper.payment_order import render_payment_order

DONE = {
    "compte-fonds": "Compte du fonds enregistré : il sera le compte débité des prochains ordres de virement.",
    "valide": "Coordonnées bancaires validées : les remboursements paieront ce compte.",
    "rembourse": "Remboursement effectué : téléchargez l'ordre de virement et transmettez-le à la banque du fonds.",
    "execute": "Exécution enregistrée : les structures voient ce paiement comme payé.",
}


def fund_account(ledger: LedgerDep, user: WebUser) -> t.BankAccountOut | None:
    try:
        return ledger.fund_account(user.actor)
    except errors.NotFound:
        return None


def payments_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    form: str = "",
    status: int = 200,
) -> Response:
    return admin_page(
        request,
        "admin/payments.html",
        status=status,
        title="Paiements des structures",
        fund=fund_account(ledger, user),
        pending=ledger.pending_approvals(user.actor),
        history=ledger.settlements(user.actor, 50).items,
        structure_names={str(s.id): s.name for s in ledger.admin_structures(user.actor)},
        values=values or {},
        error=error,
        faults=faults or {},
        form=form,
        flash=DONE.get(request.query_params.get("fait", "")),
    )


@get("/admin/paiements", sync_to_thread=True)
def payments(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    return payments_page(request, ledger, web_user)


@post("/admin/paiements/compte-du-fonds", sync_to_thread=True, status_code=303)
def set_fund_account(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values: dict[str, Any] = {k: form.get(k) for k in ("holder", "iban", "bic")}
    try:
        ledger.set_fund_account(web_user.actor, form.build(t.FundBankAccount, **values))
    except errors.DomainError as refusal:
        values["iban"] = ""  # never sent back in a page
        return refused(payments_page, request, ledger, web_user, refusal, values=values, form="fund")
    return redirect("/admin/paiements?fait=compte-fonds")


@post("/admin/paiements/validation", sync_to_thread=True, status_code=303)
def approve(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    try:
        ledger.approve_bank_details(web_user.actor, form.get("structure_id"))
    except errors.DomainError as refusal:
        return refused(payments_page, request, ledger, web_user, refusal, form="pending")
    return redirect("/admin/paiements?fait=valide")


def settlement_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    settlement_id: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    settlement = ledger.settlement(user.actor, settlement_id)
    return admin_page(
        request,
        "admin/settlement.html",
        status=status,
        title="Remboursement",
        settlement=settlement,
        fund=fund_account(ledger, user),
        structure_names={str(s.id): s.name for s in ledger.admin_structures(user.actor)},
        error=error,
        today=ledger.today(),
        flash=DONE.get(request.query_params.get("fait", "")),
    )


@get("/admin/paiements/{settlement_id:str}", sync_to_thread=True)
def settlement(request: Request, ledger: LedgerDep, web_user: WebUserDep, settlement_id: FromPath[str]) -> Response:
    require_role(web_user, "admin")
    return settlement_page(request, ledger, web_user, settlement_id)


@get("/admin/paiements/{settlement_id:str}/ordre-de-virement.xml", sync_to_thread=True)
def order_xml(request: Request, ledger: LedgerDep, web_user: WebUserDep, settlement_id: FromPath[str]) -> Response:
    require_role(web_user, "admin")
    try:
        order = ledger.payment_order(web_user.actor, settlement_id)
    except errors.DomainError as refusal:
        if isinstance(refusal, errors.NotFound):
            raise
        return settlement_page(
            request, ledger, web_user, settlement_id, error=form_error(refusal), status=refusal.status
        )
    return Response(
        content=render_payment_order(order),
        media_type="application/xml",
        headers={"Content-Disposition": f'attachment; filename="ordre-de-virement-{settlement_id}.xml"'},
    )


@get("/admin/paiements/{settlement_id:str}/avis/{structure_id:str}", sync_to_thread=True)
def notice_pdf(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, settlement_id: FromPath[str], structure_id: FromPath[str]
) -> Response:
    require_role(web_user, "admin")
    return notice_response(ledger.payment_notice(web_user.actor, settlement_id, structure_id))


def notice_response(notice: Any) -> Response:
    return Response(
        content=render_payment_notice(notice),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="avis-de-paiement-{notice.settlement_id}.pdf"'},
    )


@post("/admin/paiements/{settlement_id:str}/execution", sync_to_thread=True, status_code=303)
def execute(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, settlement_id: FromPath[str], data: FormData
) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    try:
        executed_on = parse_day(form.get("executed_on"), "Date d'exécution", required=True)
        body = form.build(t.NewExecution, executed_on=executed_on, bank_reference=form.get("bank_reference"))
        ledger.record_execution(web_user.actor, settlement_id, body)
    except errors.DomainError as refusal:
        return settlement_page(
            request, ledger, web_user, settlement_id, error=form_error(refusal), status=refusal.status
        )
    return redirect(f"/admin/paiements/{settlement_id}?fait=execute")


ROUTES = [payments, set_fund_account, approve, settlement, order_xml, notice_pdf, execute]
