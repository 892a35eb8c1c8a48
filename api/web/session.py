"""Who is signed in: the session cookie, the person behind it, and the page guard by role.

- ``cl_session``: the session token (HttpOnly, SameSite=Lax, Secure over HTTPS or when
  ``LEDGER_COOKIE_SECURE=1``). Sessions live in the database (see ``ledger/web_sessions.py``).
- CSRF checks on forms are in ``api/web/csrf.py``.
"""

from __future__ import annotations

import msgspec
from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from api.bootstrap import Ledger
from api.web.navigation import asked_path
from domain import errors
from ledger.types import Actor

SESSION_COOKIE = "cl_session"


class WebUser(msgspec.Struct, frozen=True):
    actor: Actor
    csrf: str
    token: str

    @property
    def role(self) -> str:
        return self.actor.role

    @property
    def org(self) -> str | None:
        return self.actor.org


WebUserDep = NamedDependency[WebUser]


class NotSignedIn(Exception):
    """The page needs a signed-in person: the handler redirects to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def secure_cookies(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.ledger.settings.cookie_secure


def cookie(request: Request, name: str, value: str, *, max_age: int | None = None) -> Cookie:
    return Cookie(
        key=name, value=value, path="/", httponly=True, samesite="lax", secure=secure_cookies(request), max_age=max_age
    )


def get_web_user(request: Request, ledger: NamedDependency[Ledger]) -> WebUser:
    token = request.cookies.get(SESSION_COOKIE, "")
    found = ledger.session_actor(token) if token else None
    if found is None:
        raise NotSignedIn(asked_path(request))
    actor, csrf = found
    user = WebUser(actor=actor, csrf=csrf, token=token)
    request.scope.setdefault("state", {})["web_user"] = user
    request.scope["state"]["actor"] = actor
    return user


def require_role(user: WebUser, *roles: str) -> None:
    """Pages of a role are for that role (and the admin, like the API)."""
    if user.role != "admin" and user.role not in roles:
        raise errors.Forbidden("Cette page n'est pas ouverte à votre rôle.")


def acting_org(user: WebUser, request: Request, role: str, param: str, missing: str) -> str:
    """The organisation a role's page is about: the person's own, or for the admin the one named by ``?param=``."""
    require_role(user, role)
    if user.role == role:
        return user.org or ""
    chosen = request.query_params.get(param, "")
    if not chosen:
        raise errors.ValidationError(missing)
    return chosen
