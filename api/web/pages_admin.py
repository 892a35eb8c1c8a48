"""Admin pages: the dashboard, funders (commitments, payments), structures (accreditation), prescribers,
people's accounts and API keys, and the settlement and expiry runs, each previewed before it happens.

Every action calls the same ledger command as the API, with the person's actor; a refusal re-renders the
form with its reason and status, having changed nothing; a success redirects with a fixed message."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath

from api.deps import LedgerDep
from api.web.csrf import checked_form
from api.web.forms import Form, FormData, build_input, communes, form_error, parse_day
from api.web.navigation import redirect
from api.web.pages_prescriber import PUBLICS
from api.web.render import page
from api.web.session import WebUser, WebUserDep, require_role
from domain import errors
from ledger import types as t

FUNDER_KINDS = [
    ("department", "Département"), ("state", "État"), ("eu", "Union européenne (FSE+)"), ("caf", "CAF"),
    ("france_travail", "France Travail"), ("conference_financeurs", "Conférence des financeurs"),
    ("epci", "EPCI (intercommunalité)"), ("msa", "MSA"), ("carsat", "Carsat"), ("private", "Partenaire privé"),
    ("other", "Autre"),
]
STRUCTURE_LABELS = [
    ("eclaireurs_du_numerique", "Éclaireurs du numérique"), ("france_services", "France services"),
    ("conseiller_numerique", "Conseiller numérique"), ("aidants_connect", "Aidants Connect"),
    ("pix_center", "Centre d'évaluation PIX"), ("other", "Autre"),
]
PRESCRIBER_KINDS = [
    ("ccas", "CCAS"), ("caf", "CAF"), ("france_services", "France services"), ("department", "Département"),
    ("france_travail", "France Travail"), ("msa", "MSA"), ("association", "Association"), ("other", "Autre"),
]
ROLES = [
    ("prescriber", "Prescripteur"), ("structure", "Structure de médiation"), ("funder", "Financeur"),
    ("observatory", "Observatoire"), ("admin", "Administration"),
]
STATUS_NAMES = {
    "issued": "émis", "redeemed": "encaissés", "settled": "remboursés", "expired": "expirés", "cancelled": "annulés",
}
DONE = {
    "financeur": "Financeur créé.",
    "convention": "Convention signée : son montant est disponible pour émettre des chèques.",
    "versement": "Versement enregistré.",
    "structure": "Structure inscrite et habilitée.",
    "suspendue": "Structure suspendue : elle ne peut plus encaisser de chèque pour une séance à partir de la date"
    " donnée.",
    "rehabilitee": "Structure réhabilitée.",
    "prescripteur": "Prescripteur inscrit.",
    "compte": "Compte créé : la personne peut se connecter avec son e-mail et le mot de passe donné.",
    "desactive": "Compte désactivé : ses sessions ouvertes sont fermées.",
    "reactive": "Compte réactivé.",
    "efface": "Compte effacé : son adresse e-mail est détruite et il ne peut plus servir.",
    "deverrouille": "Compte déverrouillé.",
    "revoquee": "Clé révoquée : elle ne fonctionne plus.",
    "rembourse": "Remboursement effectué : les lignes prévisualisées sont payées.",
    "expire": "Expiration effectuée : la valeur des chèques expirés est rendue à leurs conventions.",
}
def done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("fait", ""))


def refused(render: Any, request: Request, ledger: Any, user: WebUser, refusal: errors.DomainError,
            *page_level: type[errors.DomainError], **context: Any) -> Response:
    """The form again, with the refusal's words and status (or the error page, see ``form_error``)."""
    return render(request, ledger, user, error=form_error(refusal, *page_level), status=refusal.status, **context)


def admin_page(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    context.setdefault("flash", done(request))
    return page(request, template, status=status, **context)


# -- dashboard ---------------------------------------------------------------------------------------------
@get("/admin", sync_to_thread=True)
def dashboard(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    actor = web_user.actor
    funders = ledger.admin_funders(actor)
    structures = ledger.admin_structures(actor)
    counts = ledger.admin_cheque_counts(actor)
    return admin_page(
        request, "admin/dashboard.html", title="Tableau de bord",
        funders=funders, reconciliations={f.code: ledger.reconciliation(actor, f.code) for f in funders},
        structures=len(structures), suspended=sum(1 for s in structures if not s.accredited),
        prescribers=len(ledger.admin_prescribers(actor)), accounts=len(ledger.list_users(actor)),
        counts=counts, status_names=STATUS_NAMES, to_pay=ledger.preview_settlement(actor, ledger.today()),
    )


# -- funders -----------------------------------------------------------------------------------------------
def funders_page(request: Request, ledger: LedgerDep, user: WebUser, *, form: str = "", values: dict | None = None,
                 error: str | None = None, status: int = 200) -> Response:
    funders = ledger.admin_funders(user.actor)
    today = ledger.today()
    return admin_page(
        request, "admin/funders.html", status=status, title="Financeurs", funders=funders,
        reconciliations={f.code: ledger.reconciliation(user.actor, f.code) for f in funders},
        kinds=FUNDER_KINDS, kind_names=dict(FUNDER_KINDS), publics=PUBLICS, form=form, values=values or {},
        error=error, today=today,
        defaults={
            "valid_from": today.isoformat(), "valid_until": date(today.year, 12, 31).isoformat(), "priority": "100",
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
    values = {k: form.get(k) for k in ("code", "name", "kind")}
    values["code"] = values["code"].upper()
    try:
        ledger.create_funder(web_user.actor, build_input(t.NewFunder, **values))
    except errors.DomainError as refusal:
        return refused(funders_page, request, ledger, web_user, refusal, form="funder", values=values)
    return redirect("/admin/financeurs?fait=financeur")


@post("/admin/financeurs/conventions", sync_to_thread=True, status_code=303)
def sign_commitment(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    names = ("funder_code", "reference", "amount", "valid_from", "valid_until", "territory", "priority")
    values: dict[str, Any] = {k: form.get(k) for k in names}
    values["eligible_publics"] = form.getlist("eligible_publics")
    try:
        body = build_input(
            t.NewCommitment, funder_code=values["funder_code"], reference=values["reference"],
            amount_cents=form.cents("amount", "Montant"), valid_from=values["valid_from"],
            valid_until=values["valid_until"],
            eligible_publics=values["eligible_publics"],
            territory=[c.strip() for c in values["territory"].replace(";", ",").split(",") if c.strip()],
            priority=form.integer("priority", "Priorité"),
        )
        if body.valid_until < body.valid_from:
            raise errors.ValidationError("La fin de validité doit suivre son début.")
        ledger.sign_commitment(web_user.actor, body)
    except errors.DomainError as refusal:
        return refused(funders_page, request, ledger, web_user, refusal, form="commitment", values=values)
    return redirect("/admin/financeurs?fait=convention")


@post("/admin/financeurs/versements", sync_to_thread=True, status_code=303)
def receive_payment(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values = {k: form.get(k) for k in ("payment_funder", "payment_amount", "received_on", "payment_reference")}
    try:
        body = build_input(
            t.NewPayment, amount_cents=form.cents("payment_amount", "Montant"), received_on=values["received_on"],
            reference=values["payment_reference"],
        )
        if not values["payment_funder"]:
            raise errors.ValidationError("Choisissez le financeur qui a versé.")
        ledger.receive_payment(web_user.actor, values["payment_funder"], body)
    except errors.DomainError as refusal:
        return refused(funders_page, request, ledger, web_user, refusal, form="payment", values=values)
    return redirect("/admin/financeurs?fait=versement")


# -- structures --------------------------------------------------------------------------------------------
def structures_page(request: Request, ledger: LedgerDep, user: WebUser, *, form: str = "", values: dict | None = None,
                    error: str | None = None, status: int = 200) -> Response:
    places = communes(ledger)
    return admin_page(
        request, "admin/structures.html", status=status, title="Structures de médiation",
        structures=ledger.admin_structures(user.actor), communes=places, commune_names=dict(places),
        labels=STRUCTURE_LABELS, label_names=dict(STRUCTURE_LABELS), form=form, values=values or {}, error=error,
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
        ledger.register_structure(web_user.actor, build_input(t.NewStructure, **values))
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
        body = build_input(t.AccreditationChange, reason=values["reason"], on=values["on"] or None)
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


# -- prescribers -------------------------------------------------------------------------------------------
def prescribers_page(request: Request, ledger: LedgerDep, user: WebUser, *, values: dict | None = None,
                     error: str | None = None, status: int = 200) -> Response:
    places = communes(ledger)
    return admin_page(
        request, "admin/prescribers.html", status=status, title="Prescripteurs",
        prescribers=ledger.admin_prescribers(user.actor), communes=places, commune_names=dict(places),
        kinds=PRESCRIBER_KINDS, kind_names=dict(PRESCRIBER_KINDS), values=values or {}, error=error,
    )


@get("/admin/prescripteurs", sync_to_thread=True)
def prescribers(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    require_role(web_user, "admin")
    return prescribers_page(request, ledger, web_user)


@post("/admin/prescripteurs", sync_to_thread=True, status_code=303)
def register_prescriber(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    require_role(web_user, "admin")
    form = checked_form(web_user, data)
    values = {k: form.get(k) for k in ("name", "kind", "commune_insee")}
    try:
        ledger.register_prescriber(web_user.actor, build_input(t.NewPrescriber, **values))
    except errors.DomainError as refusal:
        return refused(prescribers_page, request, ledger, web_user, refusal, values=values)
    return redirect("/admin/prescripteurs?fait=prescripteur")


# -- accounts and API keys ---------------------------------------------------------------------------------
def organisations(ledger: LedgerDep, user: WebUser) -> list[tuple[str, list[tuple[str, str]]]]:
    """The organisations an account or a key may belong to, grouped by role."""
    return [
        ("Prescripteurs", [(str(p.id), p.name) for p in ledger.admin_prescribers(user.actor)]),
        ("Structures", [(str(s.id), s.name) for s in ledger.admin_structures(user.actor)]),
        ("Financeurs", [(f.code, f.name) for f in ledger.admin_funders(user.actor)]),
    ]


def accounts_page(request: Request, ledger: LedgerDep, user: WebUser, *, form: str = "", values: dict | None = None,
                  error: str | None = None, status: int = 200) -> Response:
    orgs = organisations(ledger, user)
    return admin_page(
        request, "admin/accounts.html", status=status, title="Comptes et clés", users=ledger.list_users(user.actor),
        roles=ROLES, role_names=dict(ROLES), orgs=orgs, org_names={k: v for _, group in orgs for k, v in group},
        me=(user.actor.key_id or "").removeprefix("user:"), form=form, values=values or {}, error=error,
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


USER_ACTIONS = {"desactiver": ({"disabled": True}, "desactive"), "reactiver": ({"disabled": False}, "reactive"),
                "deverrouiller": ({"unlock": True}, "deverrouille"), "effacer": ({}, "efface")}


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
        request, "admin/key.html", status=201, title="Clé d'API créée", key=key, role_names=dict(ROLES), org_names=names
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


# -- settlement and expiry runs ----------------------------------------------------------------------------
def expiry_day(text: str, today: date) -> date:
    """An expiry run expires cheques valid until before the day given: never later than today, which would
    expire cheques still valid (the run cannot be undone)."""
    as_of = parse_day(text, "Date d'expiration", required=True)
    if as_of > today:
        raise errors.ValidationError("La date d'expiration ne peut pas être postérieure à aujourd'hui.")
    return as_of


def operations_page(request: Request, ledger: LedgerDep, user: WebUser, *, settlement: Any = None, expiry: Any = None,
                    form: str = "", error: str | None = None, status: int = 200) -> Response:
    names = {str(s.id): s.name for s in ledger.admin_structures(user.actor)}
    funder_names = {f.code: f.name for f in ledger.admin_funders(user.actor)}
    return admin_page(
        request, "admin/operations.html", status=status, title="Remboursements et expirations",
        settlement=settlement, expiry=expiry, structure_names=names, funder_names=funder_names, form=form, error=error,
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
            settlement = ledger.preview_settlement(web_user.actor, parse_day(request.query_params["jusquau"], "Date", required=True))
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
        ledger.settle(web_user.actor, t.NewSettlement(through=through))
    except errors.DomainError as refusal:
        return refused(operations_page, request, ledger, web_user, refusal, settlement=preview, form="settlement")
    return redirect("/admin/operations?fait=rembourse")


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


ROUTES = [
    dashboard, funders, create_funder, sign_commitment, receive_payment, structures, register_structure, suspend,
    reinstate, prescribers, register_prescriber, accounts, create_user, user_state, create_key, revoke_key, operations,
    settle, expire,
]
