"""The web pages' router: sign-in, each role's pages, the static files; HTML refusals; no OpenAPI."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from api.web import (
    pages_auth,
    pages_badges,
    pages_directory,
    pages_funder,
    pages_info,
    pages_lending,
    pages_observatory,
    pages_prescriber,
    pages_proofs,
    pages_statement,
    pages_structure,
    pages_structure_payments,
)
from api.web.errors import WEB_EXCEPTION_HANDLERS
from api.web.pages_admin import accounts, dashboard, erasure, funders, operations, payments, prescribers, structures
from api.web.session import get_web_user

STATIC = Path(__file__).parent / "static"
PAGES = [
    *pages_auth.ROUTES,
    *pages_info.ROUTES,
    *pages_prescriber.ROUTES,
    *pages_structure.ROUTES,
    *pages_statement.ROUTES,
    *pages_structure_payments.ROUTES,
    *pages_lending.ROUTES,
    *pages_funder.ROUTES,
    *pages_proofs.ROUTES,
    *pages_observatory.ROUTES,
    *pages_directory.ROUTES,
    *dashboard.ROUTES,
    *funders.ROUTES,
    *structures.ROUTES,
    *prescribers.ROUTES,
    *accounts.ROUTES,
    *operations.ROUTES,
    *pages_badges.ROUTES,
    *payments.ROUTES,
    *erasure.ROUTES,
]


def web_routers() -> list[Router]:
    pages = Router(
        path="/",
        route_handlers=PAGES,
        dependencies={"web_user": Provide(get_web_user, sync_to_thread=True)},
        exception_handlers=WEB_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static", directories=[STATIC], include_in_schema=False, cache_control=None, name="static"
    )
    return [pages, static]
