"""The litestar application: ``create_app(ledger=None)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController

from api import (
    projection_metrics,
    replica_metrics,
    routes_audit,
    routes_badges,
    routes_cheques,
    routes_lending,
    routes_observatory,
    routes_payments,
    routes_places,
    routes_redemptions,
    routes_setup,
)
from api.access_log import access_log_middleware
from api.auth import get_actor
from api.bootstrap import Ledger, ledger_from_env
from api.deps import LedgerDep
from api.door import at_the_door, document_media_type
from api.fast_redemptions import FastRedemptions
from api.openapi_structs import StrictStructSchemaPlugin
from api.problems import EXCEPTION_HANDLERS, on_http_error
from api.query_params import allowed_query_parameters
from api.reference_page import reference_assets, reference_page
from api.web import errors as web_errors
from api.web.routes import web_routers
from ledger.types import Output

MAX_BODY = 2 * 1024 * 1024
V1 = [
    *routes_setup.ROUTES,
    *routes_cheques.ROUTES,
    *routes_redemptions.ROUTES,
    *routes_observatory.ROUTES,
    *routes_lending.ROUTES,
    *routes_audit.ROUTES,
    *routes_places.ROUTES,
    *routes_badges.ROUTES,
    *routes_payments.ROUTES,
]


class Metrics(PrometheusController):
    """Prometheus metrics (text format), outside the JSON API's schema."""

    include_in_schema = False


class Health(Output):
    status: str
    position: int


class Degraded(Output, omit_defaults=True):
    status: str
    failing: list[str]  # projections' names, or "event_store"
    position: int | None = None


def get_ledger(state: State) -> Ledger:
    return state.ledger


DEGRADED = ResponseSpec(
    data_container=Degraded,
    generate_examples=False,
    description="Le registre ne répond pas (`event_store`) ou des vues sont en panne (leurs noms dans `failing`)",
)


@get("/healthz", sync_to_thread=True, tags=["health"], responses={503: DEGRADED})
def healthz(ledger: LedgerDep) -> Response[Health]:
    """Health (no key needed): 200 with the ledger's last position while the event store answers and every
    projection is live; 503 naming what fails otherwise."""
    position, failing = ledger.health()
    if failing:
        return Response(Degraded(status="degraded", failing=failing, position=position), status_code=503)  # type: ignore[arg-type]  # documented: responses={503: DEGRADED}
    assert position is not None
    return Response(Health(status="ok", position=position))


def on_http_error_anywhere(request: Request, exc: HTTPException) -> Response:
    """Unknown paths and methods: an HTML page for a browser outside the API, problem+json otherwise."""
    if web_errors.wants_page(request):
        return web_errors.on_http(request, exc)
    return on_http_error(request, exc)


class LitestarWithShortPath(Litestar):
    """Litestar, with ``POST /v1/redemptions`` on a short path (``api/fast_redemptions.py``) when enabled."""

    fast: FastRedemptions | None = None

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def, override]
        if self.fast is not None and self.fast.takes(scope):
            scope["app"] = scope["litestar_app"] = self
            scope.setdefault("state", {})
            await self.fast(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    ledger: Ledger | None = None, *, background_projections: bool = True, fast_redemptions: bool = True
) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        opened = ledger is None
        app.state.ledger = ledger_from_env() if opened else ledger
        projection_metrics.COLLECTOR.watch(app.state.ledger.views)
        replica_metrics.COLLECTOR.watch(app.state.ledger.replica)
        if background_projections:
            app.state.ledger.views.start()
        try:
            yield
        finally:
            app.state.ledger.views.stop()
            if opened:
                app.state.ledger.close()

    metrics_config = PrometheusConfig(
        app_name="cheque_ledger", prefix="cheque_ledger", group_path=True, exclude=["/metrics"]
    )
    app = LitestarWithShortPath(
        route_handlers=[
            healthz,
            Metrics,
            Router(path="/", security=[{"bearer": []}], route_handlers=V1, before_request=at_the_door),
            *web_routers(),
            reference_assets(),
        ],
        dependencies={
            "ledger": Provide(get_ledger, sync_to_thread=False),
            "actor": Provide(get_actor, sync_to_thread=False),
        },
        exception_handlers={**EXCEPTION_HANDLERS, HTTPException: on_http_error_anywhere},
        plugins=[StrictStructSchemaPlugin()],
        middleware=[access_log_middleware, metrics_config.middleware],
        lifespan=[lifespan],
        request_max_body_size=MAX_BODY,
        openapi_config=OpenAPIConfig(
            title="cheque-ledger",
            version="1.0.0",
            description="Registre du chèque numérique Drômois et du prêt de matériel reconditionné. "
            "Errors are RFC 9457 application/problem+json; money is integer euro cents.",
            path="/schema",
            render_plugins=[reference_page(), JsonRenderPlugin(path="/openapi.json")],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="API key")}
            ),
        ),
    )
    routes_observatory.document_csv(app.openapi_schema)
    routes_cheques.document_pdf(app.openapi_schema)
    routes_places.document_import(app.openapi_schema)
    document_media_type(app.openapi_schema)
    app.state.query_parameters = allowed_query_parameters(app)
    if fast_redemptions:
        app.fast = FastRedemptions(super(LitestarWithShortPath, app).__call__, metrics_config, MAX_BODY)
    return app
