"""Funders: creating one, signing a commitment (convention) and recording a payment received."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get, post

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page, refused
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from domain.values import FUNDER_KIND_LABELS, PUBLIC_LABELS
from ledger import types as t


def funders_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    *,
    form: str = "",
    values: dict | None = None,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    funders = ledger.admin_funders(user.actor)
    today = ledger.today()
    return admin_page(
        request,
        "admin/funders.html",
        status=status,
        title="Financeurs",
        funders=funders,
        funder_options=[(f.code, f"{f.name} ({f.code})") for f in funders],
        reconciliations={f.code: ledger.reconciliation(user.actor, f.code) for f in funders},
        kinds=FUNDER_KIND_LABELS,
        publics=PUBLIC_LABELS,
        form=form,
        values=values or {},
        error=error,
        faults=faults or {},
        today=today,
        defaults={
            "valid_from": today.isoformat(),
            "valid_until": date(today.year, 12, 31).isoformat(),
            "priority": "100",
            "received_on": today.isoformat(),
        },
    )


@get("/admin/financeurs", sync_to_thread=True)
def funders(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    return funders_page(request, ledger, web_user)


@post("/admin/financeurs", sync_to_thread=True, status_code=303)
def create_funder(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values: dict[str, Any] = {k: form.get(k) for k in ("code", "name", "kind")}
    values["code"] = values["code"].upper()
    try:
        ledger.create_funder(web_user.actor, form.build(t.NewFunder, messages=FUNDER_MESSAGES, **values))
    except errors.DomainError as refusal:
        return refused(funders_page, request, ledger, web_user, refusal, form="funder", values=values)
    return redirect("/admin/financeurs?fait=financeur")


FUNDER_MESSAGES = {"code": "Code : de 2 à 32 caractères, lettres majuscules, chiffres ou tiret, par exemple CAF26."}
# The forms' names of the commands' fields, where they differ (faults are shown beside the form's fields).
COMMITMENT_FIELDS = {"amount_cents": "amount"}
PAYMENT_FIELDS = {"amount_cents": "payment_amount", "reference": "payment_reference"}


@post("/admin/financeurs/conventions", sync_to_thread=True, status_code=303)
def sign_commitment(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    names = ("funder_code", "reference", "amount", "valid_from", "valid_until", "territory", "priority")
    values: dict[str, Any] = {k: form.get(k) for k in names}
    values["eligible_publics"] = form.getlist("eligible_publics")
    try:
        body = form.build(
            t.NewCommitment,
            names=COMMITMENT_FIELDS,
            funder_code=values["funder_code"],
            reference=values["reference"],
            amount_cents=form.cents("amount", "Montant"),
            valid_from=values["valid_from"],
            valid_until=values["valid_until"],
            eligible_publics=values["eligible_publics"],
            territory=[c.strip() for c in values["territory"].replace(";", ",").split(",") if c.strip()],
            priority=form.integer("priority", "Priorité"),
        )
        if body.valid_until < body.valid_from:
            raise errors.ValidationError(
                "Valable jusqu'au : la fin de validité doit suivre son début.", field="valid_until"
            )
        ledger.sign_commitment(web_user.actor, body)
    except errors.DomainError as refusal:
        named = COMMITMENT_FIELDS
        return refused(funders_page, request, ledger, web_user, refusal, form="commitment", values=values, names=named)
    return redirect("/admin/financeurs?fait=convention")


@post("/admin/financeurs/versements", sync_to_thread=True, status_code=303)
def receive_payment(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values = {k: form.get(k) for k in ("payment_funder", "payment_amount", "received_on", "payment_reference")}
    try:
        if not values["payment_funder"]:
            form.faults["payment_funder"] = "Financeur qui a versé : choisissez un financeur dans la liste."
        body = form.build(
            t.NewPayment,
            names=PAYMENT_FIELDS,
            amount_cents=form.cents("payment_amount", "Montant reçu"),
            received_on=values["received_on"],
            reference=values["payment_reference"],
        )
        ledger.receive_payment(web_user.actor, values["payment_funder"], body)
    except errors.DomainError as refusal:
        names = PAYMENT_FIELDS
        return refused(funders_page, request, ledger, web_user, refusal, form="payment", values=values, names=names)
    return redirect("/admin/financeurs?fait=versement")


ROUTES = [funders, create_funder, sign_commitment, receive_payment]
