"""Where pages send the browser: redirects, the page asked for before signing in, and the open-redirect
guard on where to go next."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, Response
from litestar.datastructures import Cookie

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
