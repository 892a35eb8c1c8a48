"""What an admin page says back: the fixed message after a successful action (``?fait=``), or the form
again with the refusal's words."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from api.web.forms import field_errors, form_error
from api.web.render import page
from api.web.session import WebUser
from domain import errors

DONE = {
    "financeur": "Financeur créé.",
    "convention": "Convention signée : son montant est disponible pour émettre des chèques.",
    "versement": "Versement enregistré.",
    "structure": "Structure inscrite et habilitée.",
    "suspendue": "Structure suspendue : elle ne peut plus encaisser de chèque pour une séance à partir de la date"
    " donnée.",
    "rehabilitee": "Structure réhabilitée.",
    "coordonnees": "Coordonnées du lieu enregistrées : il figure dans la base nationale et l'annuaire papier.",
    "prescripteur": "Prescripteur inscrit.",
    "compte": "Compte créé : la personne peut se connecter avec son e-mail et le mot de passe donné.",
    "desactive": "Compte désactivé : ses sessions ouvertes sont fermées.",
    "reactive": "Compte réactivé.",
    "efface": "Compte effacé : son adresse e-mail est détruite et il ne peut plus servir.",
    "deverrouille": "Compte déverrouillé.",
    "revoquee": "Clé révoquée : elle ne fonctionne plus.",
    "personne-effacee": "Personne effacée : ses nom, prénom et coordonnées sont détruits.",
    "rembourse": "Remboursement effectué : les lignes prévisualisées sont payées.",
    "expire": "Expiration effectuée : la valeur des chèques expirés est rendue à leurs conventions.",
}


def done(request: Request) -> str | None:
    return DONE.get(request.query_params.get("fait", ""))


def refused(
    render: Any,
    request: Request,
    ledger: Any,
    user: WebUser,
    refusal: errors.DomainError,
    *page_level: type[errors.DomainError],
    names: dict[str, str] | None = None,
    **context: Any,
) -> Response:
    """The form again, with the refusal's words and status (or the error page, see ``form_error``), and each
    faulty field's message by form field (``faults``; ``names``: the form's names of the command's fields)."""
    error = form_error(refusal, *page_level)
    faults = field_errors(refusal, names)
    return render(request, ledger, user, error=error, faults=faults, status=refusal.status, **context)


def admin_page(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    context.setdefault("flash", done(request))
    return page(request, template, status=status, **context)
