"""The settlement and expiry runs: previewed first (read-only), then confirmed for the figures shown."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get, post

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import Form, FormData, form_error, parse_day
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page, refused
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from ledger import types as t


def expiry_day(text: str, today: date) -> date:
    """An expiry run expires cheques valid until before the day given: never later than today, which would
    expire cheques still valid (the run cannot be undone)."""
    as_of = parse_day(text, "Date d'expiration", required=True)
    if as_of > today:
        raise errors.ValidationError("La date d'expiration ne peut pas être postérieure à aujourd'hui.")
    return as_of


def operations_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    *,
    settlement: Any = None,
    expiry: Any = None,
    form: str = "",
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    names = {str(s.id): s.name for s in ledger.admin_structures(user.actor)}
    funder_names = {f.code: f.name for f in ledger.admin_funders(user.actor)}
    return admin_page(
        request,
        "admin/operations.html",
        status=status,
        title="Remboursements et expirations",
        settlement=settlement,
        expiry=expiry,
        structure_names=names,
        funder_names=funder_names,
        form=form,
        error=error,
        faults=faults or {},
        today=ledger.today(),
    )


@get("/admin/operations", sync_to_thread=True)
def operations(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    """``?jusquau=`` previews a settlement, ``?au=`` an expiry: read-only, nothing is recorded."""
    require_role(web_user, "admin")
    settlement = expiry = None
    form, error, status = "", None, 200
    try:
        if request.query_params.get("jusquau"):
            form = "settlement"
            settlement = ledger.preview_settlement(
                web_user.actor, parse_day(request.query_params["jusquau"], "Date", required=True)
            )
        if request.query_params.get("au"):
            form = "expiry"
            expiry = ledger.preview_expiry(web_user.actor, expiry_day(request.query_params["au"], ledger.today()))
    except errors.DomainError as refusal:
        error, status = form_error(refusal), refusal.status
    return operations_page(
        request, ledger, web_user, settlement=settlement, expiry=expiry, form=form, error=error, status=status
    )


def confirmed(form: Form, count: int, cents: int) -> None:
    """The run is confirmed for the figures the person saw; if they changed since, nothing happens."""
    if (form.get("count"), form.get("total_cents")) != (str(count), str(cents)):
        raise errors.DomainError(
            "Les chiffres ont changé depuis la prévisualisation : vérifiez-les ci-dessous et confirmez de nouveau."
        )
    if count == 0:
        raise errors.DomainError("Il n'y a rien à traiter à cette date.")


@post("/admin/operations/remboursement", sync_to_thread=True, status_code=303)
def settle(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    preview = None
    try:
        through = parse_day(form.get("through"), "Date", required=True)
        preview = ledger.preview_settlement(web_user.actor, through)
        confirmed(form, preview.count, preview.total_cents)
        run = ledger.settle(web_user.actor, t.NewSettlement(through=through, expected_total_cents=preview.total_cents))
    except errors.DomainError as refusal:
        return refused(operations_page, request, ledger, web_user, refusal, settlement=preview, form="settlement")
    return redirect(f"/admin/paiements/{run.id}?fait=rembourse")


@post("/admin/operations/expiration", sync_to_thread=True, status_code=303)
def expire(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    preview = None
    try:
        as_of = expiry_day(form.get("as_of"), ledger.today())
        preview = ledger.preview_expiry(web_user.actor, as_of)
        confirmed(form, preview.expired_count, preview.released_cents)
        ledger.expire(web_user.actor, t.NewExpiry(as_of=as_of))
    except errors.DomainError as refusal:
        return refused(operations_page, request, ledger, web_user, refusal, expiry=preview, form="expiry")
    return redirect("/admin/operations?fait=expire")


ROUTES = [operations, settle, expire]
