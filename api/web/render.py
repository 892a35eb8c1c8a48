"""Jinja rendering for the pages: French formats for money and dates, security headers on every page."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response

from domain.codes import reference_of
from domain.roles import ROLE_LABELS, Role
from domain.values import FRENCH_MONTHS, french_day
from ledger.clock import PARIS

TEMPLATES = Path(__file__).parent / "templates"
MONTHS = list(FRENCH_MONTHS)

# Pages load nothing from elsewhere and cannot be framed; forms post only to this site.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
    " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def euros(cents: int | None) -> str:
    """1234567 → « 12 345,67 € » (narrow no-break space between thousands, as French typography wants)."""
    if cents is None:
        return "—"
    sign = "−" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{rest:02d}\u00a0€"


def day(value: date | str | None) -> str:
    if value is None or value == "":
        return "—"
    d = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return french_day(d)


def instant(value: str | None) -> str:
    """A stored UTC instant, shown in Paris time."""
    if not value:
        return "—"
    at = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(PARIS)
    return f"{day(at.date())} à {at:%H:%M}"


def number(value: int | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return f"{value:,}".replace(",", "\u202f")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}".replace(".", ",") + "\u00a0%"


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def person_reference(beneficiary_id: object) -> str:
    """The person's reference printed on the cover of their cheque book (``domain.codes.reference_of``):
    what a structure knows the person by, rather than an internal id."""
    return reference_of(beneficiary_id if isinstance(beneficiary_id, UUID) else UUID(str(beneficiary_id)))


ENV.filters.update(euros=euros, day=day, instant=instant, number=number, percent=percent, reference=person_reference)

ENV.globals["ROLE_LABELS"] = ROLE_LABELS


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    user = request.scope.get("state", {}).get("web_user")
    context.setdefault("flash", None)
    html = ENV.get_template(template).render(user=user, path=request.url.path, **context)
    return Response(content=html, status_code=status, media_type="text/html", headers=SECURITY_HEADERS)


NAV: dict[str, list[tuple[str, str]]] = {  # by Role
    Role.PRESCRIBER: [
        ("/prescripteur", "Mes bénéficiaires"),
        ("/prescripteur/nouveau", "Inscrire un bénéficiaire"),
        ("/annuaire", "Annuaire des lieux"),
    ],
    Role.STRUCTURE: [
        ("/structure", "Encaisser un chèque"),
        ("/structure/releve", "Relevé"),
        ("/structure/paiements", "Paiements et banque"),
        ("/structure/prets", "Prêts et matériel"),
        ("/structure/materiel", "Matériel et gisements"),
        ("/structure/retards", "Prêts en retard"),
        ("/structure/pix", "Tests PIX"),
        ("/structure/badges", "Certifications et badges"),
    ],
    Role.FUNDER: [
        ("/financeur", "Rapprochement"),
        ("/financeur/resultats", "Ce que l'argent a payé"),
        ("/financeur/journal", "Journal"),
        ("/financeur/preuves", "Preuves"),
    ],
    Role.OBSERVATORY: [("/observatoire", "Indicateurs")],
    Role.ADMIN: [
        ("/admin", "Tableau de bord"),
        ("/admin/financeurs", "Financeurs"),
        ("/admin/structures", "Structures"),
        ("/admin/prescripteurs", "Prescripteurs"),
        ("/admin/comptes", "Comptes et clés"),
        ("/admin/operations", "Remboursements et expirations"),
        ("/annuaire", "Annuaire des lieux"),
        ("/admin/badges", "Badges"),
        ("/admin/paiements", "Paiements"),
        ("/admin/effacement", "Effacer une personne"),
        ("/observatoire", "Indicateurs"),
    ],
}
ENV.globals["nav_for"] = lambda role: NAV.get(role, [])


def current_link(path: str, links: list[tuple[str, str]]) -> str | None:
    """The menu entry of this page: the longest link the path is at or under (one entry only)."""
    matches = [href for href, _ in links if path == href or path.startswith(href + "/")]
    return max(matches, key=len, default=None)


ENV.globals["current_link"] = current_link
