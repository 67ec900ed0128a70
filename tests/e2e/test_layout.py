"""No page scrolls sideways on a phone, a tablet or a desktop (wide tables scroll inside their own box)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from competition.accounts.models import Role

from .flows import log_in

pytestmark = pytest.mark.e2e

WIDTHS = (390, 768, 1280)

# The elements sticking out to the right of the viewport, for a useful failure message.
OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest(".overflow-auto"))
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + ": "
                 + (el.textContent || "").trim().slice(0, 40));
}"""


def assert_fits(page, url: str) -> None:
    page.goto(url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        sticking_out = page.evaluate(OVERFLOW_SCRIPT)
        assert sticking_out == [], f"{url} at {width} px scrolls sideways: {sticking_out}"


def test_pages_fit_the_screen(
    live_server, make_user, make_edition, make_round, make_criterion, make_category, browser_page
):
    edition = make_edition(name="Industrie. Neu. Denken. 2026")
    make_category(edition, name="Kreislaufwirtschaft", description="Ressourcen schonen, Material wiederverwenden")
    judging_round = make_round(edition, name="Vorauswahl")
    make_criterion(judging_round, name="Innovationsgrad", weight=Decimal(3), rubric_low="bekannte Lösung",
                   rubric_mid="neu in der Region", rubric_high="neu am Markt")
    make_criterion(judging_round, name="Übertragbarkeit", weight=Decimal(1))
    organiser = make_user(roles=(Role.ORGANISER,), email="olga@masterplan.example")

    page = browser_page
    for path in ("/", "/login", "/register", "/gibt-es-nicht"):
        assert_fits(page, live_server + path)

    log_in(page, live_server, organiser.email)
    for path in (
        "/",
        "/organisation/",
        "/organisation/editions",
        f"/organisation/editions/{edition.id}",
        f"/organisation/editions/{edition.id}/rounds/{judging_round.id}",
        "/organisation/invitations",
        "/account",
    ):
        assert_fits(page, live_server + path)
