"""People's accounts (create, disable, re-enable, unlock, erase) and API keys (create, shown once; listed;
revoked after a confirmation step). The organisation is picked in the list of the role's kind: one list per
kind, the one of the chosen role shown (``site.css``, no script needed), the one of the role read."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import Form, FormData
from api.web.navigation import redirect
from api.web.pages_admin.feedback import admin_page, refused
from api.web.render import page
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from domain.roles import ROLE_LABELS, ROLES_WITH_ORG
from ledger import types as t

KEYS_SHOWN = 200  # newest first; more than that many keys would want paging


def organisations(ledger: LedgerDep, user: WebUser) -> dict[str, list[tuple[str, str]]]:
    """The organisations an account or a key may belong to, by the role that belongs to them, by name."""
    return {
        "prescriber": sorted(((str(p.id), p.name) for p in ledger.admin_prescribers(user.actor)), key=_by_name),
        "structure": sorted(((str(s.id), s.name) for s in ledger.admin_structures(user.actor)), key=_by_name),
        "funder": sorted(((f.code, f.name) for f in ledger.admin_funders(user.actor)), key=_by_name),
    }


def _by_name(pair: tuple[str, str]) -> str:
    return pair[1].casefold()


def org_names(orgs: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    return {value: name for group in orgs.values() for value, name in group}


def role_and_org(form: Form, prefix: str) -> tuple[dict[str, str], dict[str, str]]:
    """What was typed (every list, to show again) and the role's field names: the organisation is read from
    the list of the chosen role's kind (``{prefix}org_{role}``), the other lists are ignored."""
    role = form.get(f"{prefix}role")
    values = {f"{prefix}role": role} | {f"{prefix}org_{r}": form.get(f"{prefix}org_{r}") for r in ROLES_WITH_ORG}
    org_field = f"{prefix}org_{role}" if role in ROLES_WITH_ORG else f"{prefix}role"
    return values, {"role": f"{prefix}role", "org": org_field}


def accounts_page(
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
    orgs = organisations(ledger, user)
    keys = ledger.api_keys(user.actor, limit=KEYS_SHOWN)
    return admin_page(
        request,
        "admin/accounts.html",
        status=status,
        title="Comptes et clés",
        users=ledger.list_users(user.actor),
        keys=keys.items,
        more_keys=keys.next_cursor is not None,
        roles=ROLE_LABELS,
        orgs=orgs,
        org_names=org_names(orgs),
        me=(user.actor.key_id or "").removeprefix("user:"),
        form=form,
        values=values or {},
        error=error,
        faults=faults or {},
    )


@get("/admin/comptes", sync_to_thread=True)
def accounts(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    return accounts_page(request, ledger, web_user)


@post("/admin/comptes", sync_to_thread=True, status_code=303)
def create_user(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values, names = role_and_org(form, "")
    values["email"] = form.get("email")
    try:
        password = data.get("password", "")  # as typed: the policy refuses surrounding spaces rather than strip them
        password = str(password[-1] if isinstance(password, list) and password else password or "")
        org = form.get(names["org"]) if names["org"] != "role" else ""
        body = form.build(
            t.NewUser, names=names, email=values["email"], password=password, role=values["role"], org=org or None
        )
        ledger.create_user(web_user.actor, body)
    except errors.DomainError as refusal:
        return refused(accounts_page, request, ledger, web_user, refusal, form="user", values=values, names=names)
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
    values, names = role_and_org(form, "key_")
    try:
        org = form.get(names["org"]) if names["org"] != "key_role" else ""
        key = ledger.create_api_key(
            web_user.actor, form.build(t.NewApiKey, names=names, role=values["key_role"], org=org or None)
        )
    except errors.DomainError as refusal:
        return refused(accounts_page, request, ledger, web_user, refusal, form="key", values=values, names=names)
    names_of = org_names(organisations(ledger, web_user))
    return page(
        request, "admin/key.html", status=201, title="Clé d'API créée", key=key, roles=ROLE_LABELS, org_names=names_of
    )


@get("/admin/comptes/cles/{key_id:str}/revocation", sync_to_thread=True)
def confirm_revocation(request: Request, ledger: LedgerDep, web_user: WebUserDep, key_id: FromPath[str]) -> Response:
    """The confirmation step before a key is revoked (it cannot be undone): what the key is, two buttons."""
    require_role(web_user, "admin")
    key = ledger.api_key(web_user.actor, key_id)
    if key.revoked:
        return redirect("/admin/comptes#cles")
    names = org_names(organisations(ledger, web_user))
    return page(
        request, "admin/revoke.html", title="Révoquer une clé d'API", key=key, roles=ROLE_LABELS, org_names=names
    )


@post("/admin/comptes/cles/revocation", sync_to_thread=True, status_code=303)
def revoke_key(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    key_id = form.get("key_id")
    try:
        if not key_id:
            raise errors.ValidationError("Choisissez la clé à révoquer dans la liste.")
        ledger.revoke_api_key(web_user.actor, key_id)
    except errors.DomainError as refusal:
        return refused(accounts_page, request, ledger, web_user, refusal, form="revoke")
    return redirect("/admin/comptes?fait=revoquee")


ROUTES = [accounts, create_user, user_state, create_key, confirm_revocation, revoke_key]
