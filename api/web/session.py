"""Who is signed in: the session cookie, the page guard, and CSRF checks on every form.

- ``cl_session``: the session token (HttpOnly, SameSite=Lax, Secure over HTTPS or when
  ``LEDGER_COOKIE_SECURE=1``). Sessions live in the database (see ``ledger/web_sessions.py``).
- Every form carries the session's CSRF token; a POST without the right one is refused (403) and
  changes nothing. The sign-in form, before any session, uses a double-submit cookie instead.
"""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import date
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import msgspec
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body

from api.bootstrap import Ledger
from domain import errors
from ledger.types import Actor

T = TypeVar("T")
SESSION_COOKIE = "cl_session"
LOGIN_CSRF_COOKIE = "cl_login_csrf"

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]


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


class CsrfRefused(errors.DomainError):
    slug = "csrf-refused"
    status = 403
    title = "Formulaire refusé"


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


def form_error(refusal: errors.DomainError, *page_level: type[errors.DomainError]) -> str:
    """The words of a refusal, for the form that caused it; re-raised to the error page when it is about the
    page rather than the fields: a server fault, no right to act, or the kinds named."""
    if refusal.status >= 500 or isinstance(refusal, (errors.Forbidden, *page_level)):
        raise refusal
    return refusal.detail


class Form:
    """A posted form whose CSRF token was checked."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def get(self, name: str, default: str = "") -> str:
        value = self._data.get(name, default)
        if isinstance(value, list):
            value = value[-1] if value else default
        return str(value).strip()

    def getlist(self, name: str) -> list[str]:
        value = self._data.get(name, [])
        return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v)]

    def optional(self, name: str) -> str | None:
        return self.get(name) or None

    def integer(self, name: str, what: str) -> int:
        try:
            return int(self.get(name))
        except ValueError:
            raise errors.ValidationError(f"{what} : un nombre entier est attendu.") from None

    def cents(self, name: str, what: str) -> int:
        """A sum typed in euros (« 20 », « 20,50 », « 1 234,5 ») → integer cents, never a float."""
        text = self.get(name).replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace("€", "")
        whole, _, frac = text.replace(".", ",").partition(",")
        if not whole.isdigit() or not (frac == "" or (frac.isdigit() and len(frac) <= 2)):
            raise errors.ValidationError(f"{what} : un montant en euros est attendu, par exemple 20 ou 20,50.")
        return int(whole) * 100 + int(frac.ljust(2, "0") or 0)


    def build(self, struct: type[T], /, **fields: Any) -> T:
        return build_input(struct, **fields)


def build_input(struct: type[T], /, **fields: Any) -> T:
    """The command's input type, with its constraints checked (messages name fields, never values)."""
    try:
        return msgspec.convert(fields, struct)
    except msgspec.ValidationError as e:
        raise errors.ValidationError(f"Champ invalide : {field_name(str(e))}.") from None


def parse_day(text: str | None, what: str, *, required: bool = False) -> date | None:
    """A date typed in a form or a query (AAAA-MM-JJ); empty is None unless required."""
    if not text:
        if required:
            raise errors.ValidationError(f"{what} : une date est attendue.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise errors.ValidationError(f"{what} : une date au format AAAA-MM-JJ est attendue.") from None


def field_name(message: str) -> str:
    """msgspec says « Expected `int` >= 1 - at `$.count` » or « Object missing required field `code` »:
    keep the field, in plain words (never the value sent)."""
    found = re.search(r"at `\$\.([^`]+)`|missing required field `([^`]+)`", message)
    if not found:
        return "un champ"
    path = found.group(1) or found.group(2)
    last = re.sub(r"\[\d+\]", "", path).split(".")[-1]
    return FIELD_NAMES.get(last, last)


FIELD_NAMES = {
    "name": "nom", "funder_code": "financeur", "reference": "référence", "amount_cents": "montant",
    "valid_from": "début de validité", "valid_until": "fin de validité", "eligible_publics": "publics",
    "territory": "communes", "priority": "priorité", "received_on": "date de réception", "siret": "SIRET",
    "labels": "labels", "on": "date", "password": "mot de passe", "role": "rôle", "org": "organisation",
    "through": "date", "as_of": "date", "monthly_fee_cents": "mensualité", "deposit_cents": "caution",
    "device_id": "appareil", "beneficiary_id": "bénéficiaire", "start_on": "début", "due_on": "retour prévu",
    "condition": "état", "phase": "test", "score": "score", "taken_on": "date du test",
    "first_name": "prénom", "last_name": "nom", "birth_year": "année de naissance", "commune_insee": "commune",
    "publics": "publics", "phone": "téléphone", "email": "e-mail", "count": "nombre de chèques",
    "face_value_cents": "valeur d'un chèque", "reason": "motif", "serial": "numéro du chèque", "code": "code",
    "session": "séance", "date": "date", "duration_minutes": "durée", "themes": "thèmes", "kind": "type",
}


def checked_form(user: WebUser, data: dict[str, Any]) -> Form:
    token = data.get("csrf_token", "")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), user.csrf.encode()):
        raise CsrfRefused("Ce formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.")
    return Form(data)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


MAX_NEXT = 2000


def visible_ascii(text: str) -> bool:
    """Only characters 0x21..0x7E: no control character (a tab or a line break is dropped by browsers, or
    splits a header), no space, nothing beyond ASCII."""
    return all("!" <= c <= "~" for c in text)


def redirect(location: str, cookies: list[Cookie] | None = None) -> Response:
    if not visible_ascii(location):  # never a header with a control character: home instead
        location = "/"
    return Response(content=b"", status_code=303, headers={"Location": location}, cookies=cookies or [])


def asked_path(request: Request) -> str:
    """The page asked for (path and query), percent-encoded: a plain local path to come back to."""
    path = quote(request.url.path, safe="/:@!$&'()*+,;=")
    query = quote(request.url.query, safe="%/:@!$&'()*+,;=?")
    return path + (f"?{query}" if query else "")


def sign_in_location(next_path: str) -> str:
    return "/connexion?suite=" + quote(next_path, safe="/")


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of this site or ``/`` (open-redirect guard). Visible ASCII only,
    one leading slash (``//host`` is another site), no backslash (browsers read it as a slash), not the API."""
    if (
        value
        and len(value) <= MAX_NEXT
        and value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and visible_ascii(value)
        and not value.startswith("/v1")
    ):
        return value
    return "/"
