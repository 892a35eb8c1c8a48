"""Unknown query parameters are refused (400 `validation-error`), as unknown body fields are: a typo such
as ``?limt=10`` must not be silently ignored. The parameters each operation accepts come from the OpenAPI
schema, so the schema and this check cannot disagree."""

from __future__ import annotations

from litestar import Litestar, Request

from domain import errors

Allowed = dict[tuple[str, str], frozenset[str]]


def allowed_query_parameters(app: Litestar) -> Allowed:
    allowed: Allowed = {}
    for path, item in (app.openapi_schema.paths or {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is not None:
                names = frozenset(p.name for p in operation.parameters or [] if p.param_in == "query")
                allowed[(method.upper(), path)] = names
    return allowed


def refuse_unknown_query_parameters(request: Request) -> None:
    """A ``before_request`` hook of the API's router."""
    if not request.query_params:
        return
    allowed: Allowed = request.app.state.query_parameters
    known = allowed.get((request.method, request.scope.get("path_template", "")), frozenset())
    if set(request.query_params) - known:
        accepted = ", ".join(sorted(known)) or "aucun"
        raise errors.ValidationError(f"Paramètre de requête inconnu (paramètres admis ici : {accepted}).")
