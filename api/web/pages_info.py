"""Pages anyone may read, signed in or not: the accessibility statement (RGAA) and the legal notice, both
linked from every page's footer."""

from __future__ import annotations

from litestar import Request, Response, get

from api.web.render import page


@get("/accessibilite", sync_to_thread=False)
def accessibility(request: Request) -> Response:
    return page(request, "info/accessibility.html", title="Déclaration d'accessibilité")


@get("/mentions-legales", sync_to_thread=False)
def legal(request: Request) -> Response:
    return page(request, "info/legal.html", title="Mentions légales")


ROUTES = [accessibility, legal]
