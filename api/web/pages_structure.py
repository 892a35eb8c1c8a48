"""Structure pages: redeem a cheque (serial, code, session), loans and devices, PIX results (the statement:
``pages_statement.py``)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, field_errors, form_error
from api.web.navigation import redirect
from api.web.render import page
from api.web.session import WebUser, WebUserDep, acting_org, require_role
from domain import errors
from domain.lending import DEVICE_KIND_LABELS, DEVICE_STATUS_LABELS, LOAN_STATUS_LABELS, RETURN_CONDITION_LABELS
from domain.pix import PHASE_LABELS
from domain.values import SESSION_KIND_LABELS
from ledger import types as t

DONE = {
    "encaisse": "Chèque encaissé : la séance est enregistrée et sera remboursée à la structure.",
    "pix": "Résultat PIX enregistré.",
    "pret": "Prêt signé : la caution est enregistrée.",
    "retour": "Retour enregistré : la caution est rendue ou retenue selon l'état, les mois commencés sont dus.",
}


def structure_id(user: WebUser, request: Request) -> str:
    """A structure works on its own cheques; the admin names one with ``?structure=``."""
    return acting_org(
        user,
        request,
        "structure",
        "structure",
        "Choisissez une structure depuis la page Structures de l'administration.",
    )


def redeem_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    *,
    values: dict | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "structure/redeem.html",
        status=status,
        title="Encaisser un chèque",
        kinds=SESSION_KIND_LABELS,
        values=values or {"session_date": ledger.today().isoformat(), "duration_minutes": "60"},
        error=error,
        flash=DONE.get(request.query_params.get("fait", "")),
        today=ledger.today(),
        recent=ledger.redeemed_cheques(user.actor, structure_id(user, request), 5) if user.role == "structure" else [],
        structure=ledger.get_structure(user.actor, user.org) if user.role == "structure" and user.org else None,
    )


@get("/structure", sync_to_thread=True)
def redeem_form(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "structure")
    return redeem_page(request, ledger, web_user)


@post("/structure/encaissement", sync_to_thread=True, status_code=303)
def redeem(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    values = {k: form.get(k) for k in ("serial", "code", "session_date", "kind", "duration_minutes", "themes")}
    try:
        body = form.build(
            t.NewRedemption,
            serial=values["serial"],
            code=values["code"],
            session={
                "date": values["session_date"],
                "kind": values["kind"],
                "duration_minutes": form.integer("duration_minutes", "Durée"),
                "themes": [theme.strip() for theme in values["themes"].split(",") if theme.strip()],
            },
        )
        ledger.redeem(web_user.actor, body)
    except errors.DomainError as refusal:
        values["code"] = ""  # never sent back into the page
        return redeem_page(request, ledger, web_user, values=values, error=form_error(refusal), status=refusal.status)
    return redirect("/structure?fait=encaisse")


def person_faults(refusal: errors.DomainError) -> dict[str, str]:
    """Faults by form field; an unknown reference is the reference field's fault."""
    if isinstance(refusal, errors.NotFound) and "éférence" in refusal.detail:
        return {"beneficiary": refusal.detail}
    return field_errors(refusal)


def loans_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    *,
    values: dict | None = None,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    sid = structure_id(user, request)
    devices = ledger.structure_devices(user.actor, sid)
    return page(
        request,
        "structure/loans.html",
        status=status,
        title="Prêts et matériel",
        loans=ledger.list_loans(user.actor).items,
        devices=devices,
        device_kinds={d.id: d.kind for d in devices},
        loan_states=LOAN_STATUS_LABELS,
        device_states=DEVICE_STATUS_LABELS,
        device_names=DEVICE_KIND_LABELS,
        values=values or {},
        error=error,
        faults=faults or {},
        today=ledger.today(),
        flash=DONE.get(request.query_params.get("fait", "")),
        conditions=RETURN_CONDITION_LABELS,
    )


@get("/structure/prets", sync_to_thread=True)
def loans(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    return loans_page(request, ledger, web_user)


@post("/structure/prets", sync_to_thread=True, status_code=303)
def sign_loan(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    values = {k: form.get(k) for k in ("device_id", "beneficiary", "start_on", "due_on", "monthly_fee", "deposit")}
    try:
        if not values["beneficiary"]:
            form.faults["beneficiary"] = "Référence du bénéficiaire : recopiez celle imprimée sur son carnet."
        body = form.build(
            t.NewLoan,
            device_id=values["device_id"],
            beneficiary_ref=values["beneficiary"] or None,
            start_on=values["start_on"],
            due_on=values["due_on"],
            monthly_fee_cents=form.cents("monthly_fee", "Mensualité"),
            deposit_cents=form.cents("deposit", "Caution"),
        )
        ledger.sign_loan(web_user.actor, body)
    except errors.DomainError as refusal:
        error, faults = form_error(refusal), person_faults(refusal)
        return loans_page(request, ledger, web_user, values=values, error=error, faults=faults, status=refusal.status)
    return redirect("/structure/prets?fait=pret")


@post("/structure/prets/{loan_id:str}/retour", sync_to_thread=True, status_code=303)
def return_loan(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, loan_id: FromPath[str], data: FormData
) -> Response:
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    try:
        body = form.build(t.LoanReturn, on=form.get("on"), condition=form.get("condition"))
        ledger.return_loan(web_user.actor, loan_id, body)
    except errors.DomainError as refusal:
        return loans_page(request, ledger, web_user, error=form_error(refusal, errors.NotFound), status=refusal.status)
    return redirect("/structure/prets?fait=retour")


def pix_page(
    request: Request,
    user: WebUser,
    *,
    values: dict | None = None,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "structure/pix.html",
        status=status,
        title="Tests PIX",
        phases=PHASE_LABELS,
        values=values or {},
        error=error,
        faults=faults or {},
        flash=DONE.get(request.query_params.get("fait", "")),
    )


@get("/structure/pix", sync_to_thread=True)
def pix_form(request: Request, web_user: WebUserDep) -> Response:
    require_role(web_user, "structure")
    return pix_page(request, web_user)


@post("/structure/pix", sync_to_thread=True, status_code=303)
def record_pix(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "structure")
    form = checked_form(web_user, data)
    values = {k: form.get(k) for k in ("beneficiary", "phase", "score", "taken_on")}
    try:
        if not values["beneficiary"]:
            form.faults["beneficiary"] = "Référence du bénéficiaire : recopiez celle imprimée sur son carnet."
        body = form.build(
            t.NewPixAssessment, phase=values["phase"], score=form.integer("score", "Score"), taken_on=values["taken_on"]
        )
        ledger.record_pix(web_user.actor, values["beneficiary"], body)
    except errors.DomainError as refusal:
        error, faults = form_error(refusal), person_faults(refusal)
        return pix_page(request, web_user, values=values, error=error, faults=faults, status=refusal.status)
    return redirect("/structure/pix?fait=pix")


ROUTES = [
    redeem_form,
    redeem,
    loans,
    sign_loan,
    return_loan,
    pix_form,
    record_pix,
]
