"""Signing in and out, and the home page that sends each role to its own pages."""

from __future__ import annotations

import hmac

from litestar import Request, Response, get, post
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware
from litestar.types import ASGIApp

from api.deps import LedgerDep
from api.web.csrf import LOGIN_CSRF_COOKIE, checked_form, new_login_csrf
from api.web.forms import FormData
from api.web.navigation import redirect, safe_next
from api.web.render import page
from api.web.session import SESSION_COOKIE, NotSignedIn, WebUserDep, cookie
from domain import errors
from domain.roles import Role
from ledger.settings import Settings

HOMES: dict[str, str] = {  # by Role
    Role.ADMIN: "/admin",
    Role.PRESCRIBER: "/prescripteur",
    Role.STRUCTURE: "/structure",
    Role.FUNDER: "/financeur",
    Role.OBSERVATORY: "/observatoire",
}


@get("/", sync_to_thread=True)
def home(request: Request, ledger: LedgerDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    found = ledger.session_actor(token) if token else None
    if found is None:
        return redirect("/connexion")
    return redirect(HOMES[found[0].role])


def sign_in_page(
    request: Request, *, email: str = "", error: str | None = None, status: int = 200, suite: str | None = None
) -> Response:
    """The form; ``suite`` (where to go next) is the posted one after a refusal, else the query's."""
    csrf = new_login_csrf()
    response = page(
        request,
        "connexion.html",
        status=status,
        email=email,
        error=error,
        signed_out=error is None and request.query_params.get("au-revoir") == "1",
        csrf=csrf,
        suite=safe_next(request.query_params.get("suite") if suite is None else suite),
    )
    response.cookies.append(cookie(request, LOGIN_CSRF_COOKIE, csrf, max_age=3600))
    return response


@get("/connexion", sync_to_thread=False)
def sign_in_form(request: Request) -> Response:
    return sign_in_page(request)


SIGN_IN_PER_MINUTE = Settings().sign_in_per_minute


class SignInRateLimit(RateLimitMiddleware):
    """At most ``LEDGER_SIGN_IN_PER_MINUTE`` (default 20) sign-in attempts a minute from one client address,
    then 429 (a French page, ``api/web/errors.py``) until the minute is over. Read when the app is built.
    The address is the connection's: behind a reverse proxy, the proxy must pass the client's address to the
    server, or every visitor shares one limit."""

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        self.max_requests = Settings.from_env().sign_in_per_minute
        if self.max_requests < 1:
            raise ValueError("LEDGER_SIGN_IN_PER_MINUTE must be at least 1")


# On the sign-in handler only: no other route (not even the form's GET) is limited.
SIGN_IN_RATE_LIMIT = RateLimitConfig(rate_limit=("minute", SIGN_IN_PER_MINUTE), middleware_class=SignInRateLimit)


@post("/connexion", sync_to_thread=True, status_code=303, middleware=[SIGN_IN_RATE_LIMIT.middleware])
def sign_in(request: Request, ledger: LedgerDep, data: FormData) -> Response:
    email = str(data.get("email", ""))[:254]
    suite = str(data.get("suite", ""))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = str(data.get("csrf_token", ""))
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        return sign_in_page(
            request,
            email=email,
            status=403,
            suite=suite,
            error="Ce formulaire a expiré ou ne vient pas de ce site : recommencez (les cookies doivent être acceptés).",
        )
    try:
        signed = ledger.sign_in(email, str(data.get("password", "")))
    except (errors.SignInRefused, errors.AccountLocked) as refusal:
        return sign_in_page(request, email=email, error=refusal.detail, status=refusal.status, suite=suite)
    target = safe_next(suite)
    if target == "/":
        target = HOMES[signed.actor.role]
    response = redirect(target, [cookie(request, SESSION_COOKIE, signed.token)])
    response.cookies.append(cookie(request, LOGIN_CSRF_COOKIE, "", max_age=0))
    return response


@post("/deconnexion", sync_to_thread=True, status_code=303)
def sign_out(request: Request, ledger: LedgerDep, web_user: WebUserDep, data: FormData) -> Response:
    checked_form(web_user, data)
    ledger.sign_out(web_user.token)
    return redirect("/connexion?au-revoir=1", [cookie(request, SESSION_COOKIE, "", max_age=0)])


ROUTES = [home, sign_in_form, sign_in, sign_out]
__all__ = ["ROUTES", "HOMES", "NotSignedIn"]
