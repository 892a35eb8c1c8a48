"""Prescribers: the list, and registering one."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, communes
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page, refused
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from domain.values import PRESCRIBER_KIND_LABELS
from ledger import types as t


def prescribers_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    *,
    values: dict | None = None,
    error: str | None = None,
    faults: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    places = communes(ledger)
    return admin_page(
        request,
        "admin/prescribers.html",
        status=status,
        title="Prescripteurs",
        prescribers=ledger.admin_prescribers(user.actor),
        communes=places,
        communes_named=[(insee, f"{name} ({insee})") for insee, name in places],
        commune_names=dict(places),
        kinds=PRESCRIBER_KIND_LABELS,
        values=values or {},
        error=error,
        faults=faults or {},
    )


@get("/admin/prescripteurs", sync_to_thread=True)
def prescribers(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    return prescribers_page(request, ledger, web_user)


@post("/admin/prescripteurs", sync_to_thread=True, status_code=303)
def register_prescriber(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values: dict[str, Any] = {k: form.get(k) for k in ("name", "kind", "commune_insee")}
    try:
        ledger.register_prescriber(web_user.actor, form.build(t.NewPrescriber, **values))
    except errors.DomainError as refusal:
        return refused(prescribers_page, request, ledger, web_user, refusal, values=values)
    return redirect("/admin/prescripteurs?fait=prescripteur")


ROUTES = [prescribers, register_prescriber]
