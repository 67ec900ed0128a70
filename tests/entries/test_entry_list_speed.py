"""Issue 17: the organiser's entries list works out each row's link, labels and date once per page instead of
`url_for` and Babel per row; what the organiser sees stays the same, in German and English, on every page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask_babel import refresh

from competition.entries.models import Entry
from competition.extensions import db


@pytest.fixture
def orga(client, login_as, organiser):
    login_as(organiser)
    return client


def test_the_total_and_the_pages_stay_right(orga, make_edition, make_category,
                                                                            make_company, make_entry):
    category = make_category(make_edition())
    for n in range(53):
        make_entry(category=category, company=make_company(), title=f"Beitrag {n:03d}")
    page = orga.get("/organisation/entries?page=2&sort=title").get_data(as_text=True)
    assert "53 Beiträge" in page
    assert re.findall(r'<a href="/organisation/entries/\d+">([^<]+)</a>', page) == [
        "Beitrag 050", "Beitrag 051", "Beitrag 052"]
    beyond = orga.get("/organisation/entries?page=9").get_data(as_text=True)
    assert "53 Beiträge" in beyond and "Zur ersten Seite" in beyond
    filtered = orga.get("/organisation/entries?q=Beitrag%20052").get_data(as_text=True)
    assert 'role="status">1 Beitrag (gefiltert)' in filtered
    nothing = orga.get("/organisation/entries?q=gibt-es-nicht").get_data(as_text=True)
    assert "0 Beiträge" in nothing and "Keine Beiträge gefunden." in nothing


def test_each_row_links_to_its_own_entry_and_shows_the_berlin_time(orga, make_edition, make_category,
                                                                  make_company, make_entry):
    category = make_category(make_edition())
    first = make_entry(category=category, company=make_company(), title="Wärmepumpe")
    second = make_entry(category=category, company=make_company(), title="Fräszentrum")
    first.last_submitted_at = datetime(2026, 11, 24, 13, 30, tzinfo=UTC)  # 14:30 in Berlin (winter time)
    second.last_submitted_at = datetime(2026, 7, 1, 22, 5, tzinfo=UTC)  # 00:05 the next day (summer time)
    db.session.commit()
    page = orga.get("/organisation/entries").get_data(as_text=True)
    for entry in (first, second):
        link = re.search(rf'<a href="(/organisation/entries/\d+)">{entry.title}</a>', page).group(1)
        assert link == f"/organisation/entries/{entry.id}"
        assert entry.title in orga.get(link).get_data(as_text=True)
    row = next(r for r in page.split("<tr") if "Wärmepumpe" in r)
    assert "24.11.2026<br>14:30 Uhr" in row
    row = next(r for r in page.split("<tr") if "Fräszentrum" in r)
    assert "02.07.2026<br>00:05 Uhr" in row
    orga.post("/language", data={"lang": "en"})
    refresh()  # the tests' outer app context would otherwise keep the locale Flask-Babel cached
    english = orga.get("/organisation/entries").get_data(as_text=True)
    row = next(r for r in english.split("<tr") if "Wärmepumpe" in r)
    assert "24 Nov 2026<br>14:30" in row and "Uhr" not in row
    assert db.session.get(Entry, first.id).title == "Wärmepumpe"
