"""RFC 9457 problem details: every refusal, with the contract's slugs; never a stack trace or a value
the client sent (it may be personal data)."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec

from domain import errors
from ledger.connections import service_unavailable
from ledger.types import FieldError, Problem

MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("cheque_ledger.errors")

HTTP_SLUGS = {
    400: ("validation-error", "Requête invalide"),
    401: ("unauthenticated", "Authentification requise"),
    403: ("forbidden", "Accès refusé"),
    404: ("not-found", "Ressource introuvable"),
    405: ("method-not-allowed", "Méthode non autorisée"),
    406: ("not-acceptable", "Format de réponse non disponible"),
    413: ("payload-too-large", "Requête trop volumineuse"),
    415: ("unsupported-media-type", "Type de contenu non pris en charge"),
    429: ("too-many-requests", "Trop de requêtes"),
    500: ("internal-error", "Erreur interne"),
    503: ("service-unavailable", "Service momentanément indisponible"),
}


class Unauthenticated(NotAuthorizedException):
    """No key, or an unknown or revoked key."""


def problem_bytes(
    status: int, slug: str, title: str, detail: str, fields: list[tuple[str, str]] | None = None
) -> bytes:
    faulty = [FieldError(field=field, message=message) for field, message in fields] if fields is not None else None
    return msgspec.json.encode(
        Problem(type=f"/problems/{slug}", title=title, status=status, detail=detail, errors=faulty)
    )


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    fields: list[tuple[str, str]] | None = None,
) -> Response:
    content = problem_bytes(status, slug, title, detail, fields)
    return Response(content=content, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def domain_problem_bytes(exc: errors.DomainError) -> bytes:
    """A refusal of the domain as problem+json; a validation error names its fields."""
    fields = exc.fields if isinstance(exc, errors.ValidationError) else None
    return problem_bytes(exc.status, exc.slug, exc.title, exc.detail, fields)


def domain_error_headers(exc: errors.DomainError) -> dict[str, str] | None:
    return {"Retry-After": "1"} if exc.status == 503 else None


def on_domain_error(_: Request, exc: errors.DomainError) -> Response:
    return Response(
        content=domain_problem_bytes(exc),
        status_code=exc.status,
        media_type=MEDIA_TYPE,
        headers=domain_error_headers(exc),
    )


def on_validation_error(_: Request, exc: ValidationException) -> Response:
    """Litestar's refusals of path, query and header parameters (bodies are decoded by ``api/strict_body.py``):
    the parameters named, in French; msgspec's English words and the values sent are not repeated."""
    fields = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            fields.append((str(item.get("key") or item.get("source") or ""), "Valeur invalide pour ce paramètre."))
    fields = fields or [("", "La requête ne respecte pas le schéma.")]
    detail = "Un paramètre est invalide." if len(fields) == 1 else f"{len(fields)} paramètres sont invalides."
    return problem_response(400, "validation-error", "Requête invalide", f"{detail} Voir « errors ».", fields=fields)


def on_unauthenticated(_: Request, exc: Unauthenticated) -> Response:
    return problem_response(
        401,
        "unauthenticated",
        "Authentification requise",
        exc.detail or "Clé d'API absente ou invalide.",
        {"WWW-Authenticate": 'Bearer realm="cheque-ledger"'},
    )


def on_http_error(_: Request, exc: HTTPException) -> Response:
    slug, title = HTTP_SLUGS.get(exc.status_code, ("http-error", "Erreur"))
    detail = title if exc.status_code >= 500 else (exc.detail if isinstance(exc.detail, str) else title)
    headers = {"Retry-After": "1", **(exc.headers or {})} if exc.status_code == 503 else exc.headers or None
    return problem_response(exc.status_code, slug, title, detail, headers)


UNEXPECTED = (500, "internal-error", "Erreur interne", "Une erreur interne est survenue ; elle a été enregistrée.")


def log_unexpected(exc: Exception, method: str, path_template: str) -> None:
    log.error("unhandled %s on %s %s", type(exc).__name__, method, path_template)


def log_unavailable(exc: BaseException, method: str, path_template: str) -> None:
    log.warning("database unavailable (%s) on %s %s", type(exc).__name__, method, path_template)


def on_unexpected(request: Request, exc: Exception) -> Response:
    unavailable = service_unavailable(exc)  # the database went away: 503 service-unavailable, not a 500
    if unavailable is not None:
        log_unavailable(exc, request.method, request.scope.get("path_template", "?"))
        return on_domain_error(request, unavailable)
    log_unexpected(exc, request.method, request.scope.get("path_template", "?"))
    return problem_response(*UNEXPECTED)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    errors.DomainError: on_domain_error,
    ValidationException: on_validation_error,
    Unauthenticated: on_unauthenticated,
    HTTPException: on_http_error,
    Exception: on_unexpected,
}

DESCRIPTIONS = {
    400: "Corps ou paramètres invalides (`validation-error`)",
    401: "Clé absente ou inconnue (`unauthenticated`)",
    403: "Rôle ou organisation non autorisés (`forbidden`, `structure-not-accredited`)",
    404: "Identifiant inconnu (`not-found`, `unknown-cheque`)",
    409: "Conflit avec l'état du registre",
    410: "Chèque annulé ou expiré",
    413: "Corps trop volumineux",
    422: "Code erroné, ou clé d'idempotence réutilisée avec un autre corps",
    423: "Chèque verrouillé",
    503: "Base de données momentanément indisponible (`service-unavailable`), vues en retard (`projection-lagging`)"
    " ou en panne (`projection-failed`), ou trop de conflits : réessayer (`Retry-After`)",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for the refusals a route can give, as problem+json."""
    return {
        code: ResponseSpec(
            data_container=Problem, media_type=MEDIA_TYPE, description=DESCRIPTIONS[code], generate_examples=False
        )
        for code in sorted({400, 401, 403, 413, 503, *codes})  # 503: any route, should the database go away
    }


def post_problems(*codes: int) -> dict[int, ResponseSpec]:
    """A POST's refusals: those of ``problems`` and an Idempotency-Key reused with another body (422)."""
    return problems(422, *codes)
