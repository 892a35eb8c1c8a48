"""The funder's "Preuves" page: what the signed Merkle log proves, the latest signed checkpoint, a proof
bundle of its postings to download, and the standalone script that checks it offline."""

from __future__ import annotations

import json

from litestar import Request, Response, get

from api.audit_bundle import SCRIPT, funder_bundle
from api.deps import LedgerDep
from api.web.pages_funder import funder_code
from api.web.render import SECURITY_HEADERS, page
from api.web.session import WebUserDep


@get("/financeur/preuves", sync_to_thread=True)
def proofs(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    code = funder_code(request, web_user)
    checkpoint = ledger.audit.checkpoint()
    query = f"code={code}" if web_user.role == "admin" else ""
    return page(request, "funder/proofs.html", title="Preuves", code=code, checkpoint=checkpoint, query=query)


@get("/financeur/preuves/paquet.json", sync_to_thread=True)
def bundle(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    """Up to 1 000 postings, oldest first; ``?curseur=`` continues (the bundle's ``next_cursor``)."""
    code = funder_code(request, web_user)
    content = funder_bundle(ledger, web_user.actor, code, request.query_params.get("curseur") or None)
    size = content["checkpoint"]["tree_size"]
    return Response(
        content=json.dumps(content, ensure_ascii=False, indent=1).encode(),
        media_type="application/json",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="preuves-{code}-{size}.json"'},
    )


@get("/financeur/preuves/point-de-controle.json", sync_to_thread=True)
def checkpoint_file(request: Request, ledger: LedgerDep, web_user: WebUserDep) -> Response:
    """The latest signed checkpoint, to keep: a later one must be consistent with it."""
    funder_code(request, web_user)
    cp = ledger.audit.checkpoint()
    body = {f: getattr(cp, f) for f in ("tree_size", "root_hash", "signed_at", "signature", "public_key")}
    return Response(
        content=json.dumps(body, indent=1).encode(),
        media_type="application/json",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="point-de-controle-{cp.tree_size}.json"',
        },
    )


@get("/financeur/preuves/verifier_preuves.py", sync_to_thread=True)
def script(request: Request, web_user: WebUserDep) -> Response:
    funder_code(request, web_user)  # a funder's page, as the others (the same file is public under /static/)
    return Response(
        content=SCRIPT.read_bytes(),
        media_type="text/x-python; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": 'attachment; filename="verifier_preuves.py"'},
    )


ROUTES = [proofs, bundle, checkpoint_file, script]
