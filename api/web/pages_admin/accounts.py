"""People's accounts (create, disable, re-enable, unlock, erase) and API keys (create, shown once; revoke)."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import FormData, build_input
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page, refused
from api.web.render import page
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from domain.roles import ROLE_LABELS
from ledger import types as t


def organisations(ledger: LedgerDep, user: WebUser) -> list[tuple[str, list[tuple[str, str]]]]:
    """The organisations an account or a key may belong to, grouped by role."""
    return [
        ("Prescripteurs", [(str(p.id), p.name) for p in ledger.admin_prescribers(user.actor)]),
        ("Structures", [(str(s.id), s.name) for s in ledger.admin_structures(user.actor)]),
        ("Financeurs", [(f.code, f.name) for f in ledger.admin_funders(user.actor)]),
    ]


def accounts_page(
    request: Request,
    ledger: LedgerDep,
    user: WebUser,
    *,
    form: str = "",
    values: dict | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    orgs = organisations(ledger, user)
    return admin_page(
        request,
        "admin/accounts.html",
        status=status,
        title="Comptes et clés",
        users=ledger.list_users(user.actor),
        roles=ROLE_LABELS,
        orgs=orgs,
        org_names={k: v for _, group in orgs for k, v in group},
        me=(user.actor.key_id or "").removeprefix("user:"),
        form=form,
        values=values or {},
        error=error,
    )


@get("/admin/comptes", sync_to_thread=True)
def accounts(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    return accounts_page(request, ledger, web_user)


@post("/admin/comptes", sync_to_thread=True, status_code=303)
def create_user(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values = {"email": form.get("email"), "role": form.get("role"), "org": form.get("org")}
    try:
        password = data.get("password", "")  # as typed: the policy refuses surrounding spaces rather than strip them
        password = str(password[-1] if isinstance(password, list) and password else password or "")
        body = build_input(
            t.NewUser, email=values["email"], password=password, role=values["role"], org=values["org"] or None
        )
        ledger.create_user(web_user.actor, body)
    except errors.DomainError as refusal:
        return refused(accounts_page, request, ledger, web_user, refusal, form="user", values=values)
    return redirect("/admin/comptes?fait=compte")


USER_ACTIONS = {
    "desactiver": ({"disabled": True}, "desactive"),
    "reactiver": ({"disabled": False}, "reactive"),
    "deverrouiller": ({"unlock": True}, "deverrouille"),
    "effacer": ({}, "efface"),
}


@post("/admin/comptes/{user_id:str}/etat", sync_to_thread=True, status_code=303)
def user_state(
    request: Request, ledger: LedgerDep, web_user: WebUserDep, user_id: FromPath[str], data: FormData
) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    action = form.get("action")
    try:
        if action not in USER_ACTIONS:
            raise errors.ValidationError("Action inconnue.")
        change, word = USER_ACTIONS[action]
        if action in ("desactiver", "effacer") and web_user.actor.key_id == f"user:{user_id}":
            raise errors.ValidationError("Vous ne pouvez pas désactiver ni effacer votre propre compte.")
        if action == "effacer":
            ledger.erase_user(web_user.actor, user_id)
        else:
            ledger.set_user_state(web_user.actor, user_id, **change)
    except errors.DomainError as refusal:
        return refused(accounts_page, request, ledger, web_user, refusal, errors.NotFound, form=user_id)
    return redirect(f"/admin/comptes?fait={word}")


@post("/admin/comptes/cles", sync_to_thread=True, status_code=201)
def create_key(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    """The new key is shown once, on the answer to this form; it is stored only hashed."""
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values = {"key_role": form.get("key_role"), "key_org": form.get("key_org")}
    try:
        body = build_input(t.NewApiKey, role=values["key_role"], org=values["key_org"] or None)
        key = ledger.create_api_key(web_user.actor, body)
    except errors.DomainError as refusal:
        return refused(accounts_page, request, ledger, web_user, refusal, form="key", values=values)
    names = {k: v for _, group in organisations(ledger, web_user) for k, v in group}
    return page(
        request, "admin/key.html", status=201, title="Clé d'API créée", key=key, roles=ROLE_LABELS, org_names=names
    )


@post("/admin/comptes/cles/revocation", sync_to_thread=True, status_code=303)
def revoke_key(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values = {"key_id": form.get("key_id")}
    try:
        if not values["key_id"]:
            raise errors.ValidationError("Donnez l'identifiant de la clé à révoquer.")
        ledger.revoke_api_key(web_user.actor, values["key_id"])
    except errors.DomainError as refusal:
        return refused(accounts_page, request, ledger, web_user, refusal, form="revoke", values=values)
    return redirect("/admin/comptes?fait=revoquee")


ROUTES = [accounts, create_user, user_state, create_key, revoke_key]
