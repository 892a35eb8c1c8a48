"""Structures: registering (and accrediting) one, suspending and reinstating its accreditation."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, communes
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page, refused
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from domain.places import PLACE_SERVICE_LABELS
from domain.values import STRUCTURE_LABEL_LABELS
from ledger import types as t


def structures_page(
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
    places = communes(ledger)
    return admin_page(
        request,
        "admin/structures.html",
        status=status,
        title="Structures de médiation",
        structures=ledger.admin_structures(user.actor),
        communes=places,
        communes_named=[(insee, f"{name} ({insee})") for insee, name in places],
        commune_names=dict(places),
        labels=STRUCTURE_LABEL_LABELS,
        incomplete=ledger.incomplete_places(user.actor),
        services=PLACE_SERVICE_LABELS,
        form=form,
        values=values or {},
        error=error,
        faults=faults or {},
        today=ledger.today(),
    )


@get("/admin/structures", sync_to_thread=True)
def structures(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    return structures_page(request, ledger, web_user)


@post("/admin/structures", sync_to_thread=True, status_code=303)
def register_structure(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values: dict[str, Any] = {k: form.get(k) for k in ("siret", "name", "commune_insee")}
    values["siret"] = values["siret"].replace(" ", "").replace("\u00a0", "")
    values["labels"] = form.getlist("labels")
    try:
        ledger.register_structure(web_user.actor, form.build(t.NewStructure, **values))
    except errors.DomainError as refusal:
        return refused(structures_page, request, ledger, web_user, refusal, form="register", values=values)
    return redirect("/admin/structures?fait=structure")


def _accreditation(
    request: Request, ledger: LedgerDep, user: WebUser, structure_id: str, data: dict, accredited: bool
) -> Response:
    require_role(user, "admin")
    form = checked_form(user, data)
    values = {"reason": form.get("reason"), "on": form.get("on"), "structure_id": structure_id}
    try:
        body = form.build(t.AccreditationChange, reason=values["reason"], on=values["on"] or None)
        ledger.change_accreditation(user.actor, structure_id, body, accredited)
    except errors.DomainError as refusal:
        return refused(
            structures_page, request, ledger, user, refusal, errors.NotFound, form=structure_id, values=values
        )
    return redirect("/admin/structures?fait=" + ("rehabilitee" if accredited else "suspendue"))


@post("/admin/structures/{structure_id:str}/suspension", sync_to_thread=True, status_code=303)
def suspend(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, structure_id: FromPath[str], data: FormData
) -> Response:
    return _accreditation(request, ledger, web_user, structure_id, data, False)


@post("/admin/structures/{structure_id:str}/rehabilitation", sync_to_thread=True, status_code=303)
def reinstate(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, structure_id: FromPath[str], data: FormData
) -> Response:
    return _accreditation(request, ledger, web_user, structure_id, data, True)


DETAILS = ("address", "postal_code", "phone", "email", "website", "opening_hours")


@post("/admin/structures/{structure_id:str}/coordonnees", sync_to_thread=True, status_code=303)
def place_details(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, structure_id: FromPath[str], data: FormData
) -> Response:
    """The place's address, contacts, services and hours (the national schema's), so it is exported and printed."""
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values: dict[str, Any] = {k: (form.get(k) or "").strip() or None for k in DETAILS}
    values["services"] = form.getlist("services")
    try:
        ledger.update_structure_details(web_user.actor, structure_id, form.build(t.StructureDetails, **values))
    except errors.DomainError as refusal:
        values["structure_id"] = structure_id
        return refused(
            structures_page,
            request,
            ledger,
            web_user,
            refusal,
            errors.NotFound,
            form="place-" + structure_id,
            values=values,
        )
    return redirect("/admin/structures?fait=coordonnees")


ROUTES = [structures, register_structure, suspend, reinstate, place_details]
