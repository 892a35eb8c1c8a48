"""Unknown query parameters are refused (400 `validation-error`), as unknown body fields are: a typo such
as ``?limt=10`` must not be silently ignored. The parameters each operation accepts come from the OpenAPI
schema, so the schema and this check cannot disagree. A parameter given twice is refused too, unless the schema
makes it a list: ``?limit=5&limit=1000`` has no one meaning."""

from __future__ import annotations

from litestar import Litestar, Request

from domain import errors

Allowed = dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]]  # (names, names that take a list)


def allowed_query_parameters(app: Litestar) -> Allowed:
    allowed: Allowed = {}
    for path, item in (app.openapi_schema.paths or {}).items():
        for method in ("get", "post", "put", "patch", "delete"):
            operation = getattr(item, method, None)
            if operation is not None:
                query = [p for p in operation.parameters or [] if p.param_in == "query"]
                lists = frozenset(p.name for p in query if getattr(p.schema, "type", None) == "array")
                allowed[(method.upper(), path)] = (frozenset(p.name for p in query), lists)
    return allowed


def refuse_unknown_query_parameters(request: Request) -> None:
    """A ``before_request`` hook of the API's router."""
    if not request.query_params:
        return
    allowed: Allowed = request.app.state.query_parameters
    known, lists = allowed.get((request.method, request.scope.get("path_template", "")), (frozenset(), frozenset()))
    if set(request.query_params) - known:
        accepted = ", ".join(sorted(known)) or "aucun"
        raise errors.ValidationError(f"Paramètre de requête inconnu (paramètres admis ici : {accepted}).")
    names = [name for name, _ in request.query_params.multi_items()]
    repeated = sorted({name for name in names if names.count(name) > 1} - lists)
    if repeated:
        raise errors.ValidationError(f"Paramètre de requête donné plusieurs fois : {', '.join(repeated)}.")
