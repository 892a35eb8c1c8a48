"""Every ``/v1`` request passes here first (the API router's ``before_request``), in this order:

1. the bearer key is authenticated: no key or a bad key is 401 whatever the rest of the request;
2. unknown query parameters are refused;
3. for an operation that takes a body: the content type must be JSON (415 otherwise, the body unread),
   the ``Idempotency-Key`` well formed, and the body is decoded strictly (``api/strict_body.py``); the
   handler then receives the decoded request as its ``data``.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Request
from litestar.exceptions import HTTPException
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse

from api.auth import authenticated, idempotency_key
from api.query_params import refuse_unknown_query_parameters
from api.strict_body import decode_body


class UnsupportedMediaType(HTTPException):
    status_code = 415


def body_type(request: Request) -> Any:
    """The request type of the operation's ``data`` parameter, or None when it takes no body."""
    parameter = request.route_handler.parsed_fn_signature.parameters.get("data")
    return None if parameter is None else parameter.annotation


def is_json(content_type: str) -> bool:
    """``application/json``, with at most a UTF-8 ``charset`` (JSON is UTF-8: RFC 8259 §8.1)."""
    media, *parameters = (part.strip().lower() for part in content_type.split(";"))
    if media != "application/json":
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            return False
    return True


async def at_the_door(request: Request) -> None:
    ledger = request.app.state.ledger
    actor = await authenticated(request, ledger)
    request.scope.setdefault("state", {})["actor"] = actor
    refuse_unknown_query_parameters(request)
    if request.method == "POST":
        idempotency_key(request)  # a malformed one is refused before the body is read
    cls = body_type(request)
    if cls is None:
        return
    if not is_json(request.headers.get("content-type", "")):
        raise UnsupportedMediaType(detail="Le corps doit être envoyé en application/json (UTF-8).")
    body = await request.body()
    today = ledger.today()
    if len(body) > 64 * 1024:  # a large batch: decoded off the event loop
        data = await anyio.to_thread.run_sync(decode_body, cls, body, today)
    else:
        data = decode_body(cls, body, today)
    request._connection_state.json = data  # the handler's ``data``: litestar passes a decoded struct through


def document_media_type(openapi: OpenAPI) -> None:
    """Every operation that takes a body may answer 415 (a body that is not JSON)."""
    problem = next(
        (
            r
            for item in (openapi.paths or {}).values()
            for op in (item.post, item.put)
            if op is not None
            for code, r in (op.responses or {}).items()
            if code == "400" and isinstance(r, OpenAPIResponse)
        ),
        None,
    )
    if problem is None:
        return
    for item in (openapi.paths or {}).values():
        for operation in (item.post, item.put, item.patch):
            if operation is not None and operation.request_body is not None and operation.responses is not None:
                operation.responses["415"] = OpenAPIResponse(
                    description="Corps non JSON (`unsupported-media-type`) : envoyez `application/json`",
                    content={
                        key: OpenAPIMediaType(schema=media.schema) for key, media in (problem.content or {}).items()
                    },
                )
