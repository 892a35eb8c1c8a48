"""CSRF checks on every form: each form carries the session's CSRF token, and a POST without the right one
is refused (403) having changed nothing. The sign-in form, before any session, uses a double-submit cookie
(``cl_login_csrf``) instead."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from api.web.forms import Form
from api.web.session import WebUser
from domain import errors

LOGIN_CSRF_COOKIE = "cl_login_csrf"


class CsrfRefused(errors.DomainError):
    slug = "csrf-refused"
    status = 403
    title = "Formulaire refusé"


def checked_form(user: WebUser, data: dict[str, Any]) -> Form:
    token = data.get("csrf_token", "")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), user.csrf.encode()):
        raise CsrfRefused("Ce formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez.")
    return Form(data)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)
