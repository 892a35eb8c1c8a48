"""Refusals on pages: a French page with the same status the API would give, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from api.web.navigation import redirect, sign_in_location
from api.web.render import page
from api.web.session import NotSignedIn
from domain import errors
from ledger.connections import service_unavailable

log = logging.getLogger("cheque_ledger.errors")

TITLES = {
    400: "Demande invalide",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    429: "Trop de tentatives",
}


def on_not_signed_in(request: Request, exc: NotSignedIn) -> Response:
    return redirect(sign_in_location(exc.next_path))


def on_domain_error(request: Request, exc: errors.DomainError) -> Response:
    response = page(request, "erreur.html", status=exc.status, title=exc.title, detail=exc.detail)
    if exc.status == 503:
        response.set_header("Retry-After", "1")
    return response


def on_validation(request: Request, exc: ValidationException) -> Response:
    return page(
        request,
        "erreur.html",
        status=400,
        title="Demande invalide",
        detail="Un champ du formulaire est invalide ou manquant.",
    )


def on_http(request: Request, exc: HTTPException) -> Response:
    title = TITLES.get(exc.status_code, "Erreur")
    detail = title if exc.status_code >= 500 else (exc.detail if isinstance(exc.detail, str) else title)
    if exc.status_code == 404:
        detail = "Cette page n'existe pas."
    if exc.status_code == 429:
        detail = "Trop de tentatives depuis votre adresse en une minute : patientez un instant puis réessayez."
    response = page(request, "erreur.html", status=exc.status_code, title=title, detail=detail)
    if exc.status_code == 429:  # the rate limit's RateLimit-* headers, and when to come back
        limits = exc.headers or {}
        response.headers.update({**limits, "Retry-After": limits.get("RateLimit-Reset", "60")})
    return response


def wants_page(request: Request) -> bool:
    """A browser asking for a path outside the API gets an HTML refusal, not problem+json."""
    return not request.url.path.startswith(
        ("/v1", "/schema", "/metrics", "/healthz")
    ) and "text/html" in request.headers.get("accept", "")


def on_unexpected(request: Request, exc: Exception) -> Response:
    unavailable = service_unavailable(exc)  # the database went away: a 503 page, not a 500
    if unavailable is not None:
        log.warning(
            "database unavailable (%s) on %s %s",
            type(exc).__name__,
            request.method,
            request.scope.get("path_template", "?"),
        )
        return on_domain_error(request, unavailable)
    log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.scope.get("path_template", "?"))
    return page(
        request,
        "erreur.html",
        status=500,
        title="Erreur interne",
        detail="Une erreur interne est survenue ; elle a été enregistrée.",
    )


WEB_EXCEPTION_HANDLERS: dict[Any, Any] = {
    NotSignedIn: on_not_signed_in,
    errors.DomainError: on_domain_error,
    ValidationException: on_validation,
    HTTPException: on_http,
    Exception: on_unexpected,
}
