"""Issue 15: the organisers' ranking page shows its charts one category at a time. Without JavaScript the chooser's
links (`?kategorie=<id>#diagramme`) choose the panel on the server; the other panels are in the page but hidden (the
script switches them in place, see tests/e2e/test_cockpit_pages.py). A chosen value that is not a category of this
snapshot shows the first category and is never echoed. The internal PDF keeps each category's charts on their own."""

from __future__ import annotations

import re
from html import unescape

import pytest

from competition.rankings import chart_panels

from .snapshot_factory import make_snapshot
from .test_outputs import outputs_html


@pytest.fixture
def snapshot(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    return make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                         make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                         make_user=make_user)


def _page(client, snapshot, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"round": snapshot.round_id, **args}.items())
    response = client.get(f"/organisation/editions/{snapshot.edition_id}/rankings?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _panels(html: str) -> dict[str, tuple[bool, list[str]]]:
    """Each chart panel: (shown?, the titles of its charts)."""
    out = {}
    for match in re.finditer(r'<div id="diagramme-([^"]+)" class="chart-panel"( hidden)?[^>]*>(.*?)</div>\s*</div>',
                             html, re.S):
        titles = [unescape(t) for t in re.findall(r'<text class="chart-title"[^>]*>([^<]*)</text>', match.group(3))]
        out[match.group(1)] = (match.group(2) is None, titles)
    return out


def _chosen(html: str) -> list[str]:
    return [unescape(t) for t in re.findall(r'<a href="[^"]*" data-panel="[^"]+" aria-current="true">([^<]+)</a>',
                                            html)]


def test_the_page_shows_one_categorys_charts_and_the_links_choose_another(client, login_as, organiser, snapshot):
    login_as(organiser)
    categories = {c["name"]: str(c["id"]) for c in snapshot.content["categories"]}
    html = _page(client, snapshot)
    panels = _panels(html)
    assert list(panels) == [categories["Digitalisierung"], categories["Nachhaltigkeit & Energie"], "gesamt"]
    shown = [key for key, (visible, _titles) in panels.items() if visible]
    assert shown == [categories["Digitalisierung"]]  # the first category by default, nothing else
    assert _chosen(html) == ["Digitalisierung"]
    titles = panels[categories["Digitalisierung"]][1]
    assert titles == ["Rangliste Digitalisierung mit Rangintervallen", "Verteilung der Punktzahlen: Digitalisierung",
                      "Milde und Strenge der Jury: Digitalisierung"]
    # the chooser's links work without JavaScript and land on the charts
    link = re.search(r'<a href="([^"]+)" data-panel="diagramme-' + categories["Nachhaltigkeit & Energie"], html)
    href = unescape(link.group(1))
    assert f"kategorie={categories['Nachhaltigkeit & Energie']}" in href and href.endswith("#diagramme")

    html = _page(client, snapshot, kategorie=categories["Nachhaltigkeit & Energie"])
    panels = _panels(html)
    assert [key for key, (visible, _t) in panels.items() if visible] == [categories["Nachhaltigkeit & Energie"]]
    assert _chosen(html) == ["Nachhaltigkeit & Energie"]
    assert panels[categories["Nachhaltigkeit & Energie"]][1][0] == \
        "Rangliste Nachhaltigkeit & Energie mit Rangintervallen"
    # the category's ranking chart holds its own entries only, the distribution its total and every criterion
    assert "Wasserstoff-Schweißzelle" in html.split('id="diagramme-' + categories["Nachhaltigkeit & Energie"])[1] \
        .split('id="diagramme-gesamt"')[0]
    section = html.split('id="diagramme-' + categories["Nachhaltigkeit & Energie"])[1].split('id="diagramme-gesamt"')[0]
    assert "Adaptive Spannvorrichtung" not in section
    for label in ("Gesamtpunktzahl", "Innovationsgrad", "Umsetzung", "Nutzen für die Region"):
        assert f"<th scope=\"row\">{label}</th>" in section  # the table alternative has a row for each

    html = _page(client, snapshot, kategorie="gesamt")
    panels = _panels(html)
    assert [key for key, (visible, _t) in panels.items() if visible] == ["gesamt"]
    assert panels["gesamt"][1] == ["Gesamtrangliste mit Rangintervallen", "Verteilung der Punktzahlen je Kategorie",
                                   "Milde und Strenge der Jury"]


@pytest.mark.parametrize("value", ["%3Cscript%3Ealert(1)%3C/script%3E", "999999", "", "gesamt%22%20onclick%3D%22x"])
def test_a_made_up_category_shows_the_first_one_and_is_never_echoed(client, login_as, organiser, snapshot, value):
    login_as(organiser)
    html = _page(client, snapshot, kategorie=value)
    assert _chosen(html) == ["Digitalisierung"]
    assert "<script>alert(1)</script>" not in html  # (the language switch keeps the address, escaped)
    section = html.split("data-chart-panels")[1].split("</section>")[0]
    assert "onclick" not in section and "999999" not in section and "<script>" not in section


def test_only_organisers_see_the_charts(client, login_as, make_user, snapshot):
    from competition.accounts.models import Role

    for roles in ((Role.JUROR,), (Role.APPLICANT,)):
        client.get("/logout")
        login_as(make_user(roles=roles))
        response = client.get(f"/organisation/editions/{snapshot.edition_id}/rankings?round={snapshot.round_id}"
                              "&kategorie=gesamt")
        assert response.status_code in (403, 404)
        assert "diagramme-gesamt" not in response.get_data(as_text=True)


def test_the_internal_pdf_keeps_each_categorys_charts_on_their_own(snapshot):
    html = outputs_html(snapshot)
    titles = [unescape(t) for t in re.findall(r"<title[^>]*>([^<]*)</title>", html)]
    for name in ("Digitalisierung", "Nachhaltigkeit & Energie"):
        assert f"Rangliste {name} mit Rangintervallen" in titles
        assert f"Verteilung der Punktzahlen: {name}" in titles
    assert "Verteilung der Punktzahlen je Kategorie" in titles  # all categories side by side stays for comparison
    assert len(chart_panels.page_charts(snapshot)) == 3
