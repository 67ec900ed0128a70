"""After publication a company sees its outcome on its entry's page, downloads its certificate and feedback letter,
and finds the public results; the home page links the results of published editions."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from competition.entries.models import CompanyMember, Entry
from competition.extensions import db

from .snapshot_factory import make_snapshot, publish


@pytest.fixture
def world(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    return make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                         make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                         make_user=make_user)


def _member(entry_id: str):
    entry = db.session.get(Entry, int(entry_id))
    member = db.session.scalar(db.select(CompanyMember).where(CompanyMember.company_id == entry.company_id))
    return entry, member.user


def test_a_winner_sees_place_justification_downloads_and_the_results(world, client, login_as):
    publish(world)
    award = next(a for a in world.content["decisions"]["awards"] if a["kind"] == "winner" and a["place"] == 1)
    entry, user = _member(award["entry"])
    login_as(user)
    page = client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "Ergebnis Ihres Beitrags" in page and "Erster Platz in der Kategorie „Digitalisierung“" in page
    assert "Aus der Begründung der Jury:" in page
    assert f"/entries/{entry.id}/ergebnis/urkunde.pdf" in page
    assert f"/entries/{entry.id}/ergebnis/rueckmeldung.pdf" in page
    assert "/ergebnisse/ind-2026" in page

    certificate = client.get(f"/entries/{entry.id}/ergebnis/urkunde.pdf")
    assert certificate.status_code == 200 and certificate.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(certificate.data)).pages
    assert len(pages) == 1
    text = pages[0].extract_text()
    assert "Erster Platz" in text and entry.company.legal_name in text and "Prüfcode" in text
    feedback = client.get(f"/entries/{entry.id}/ergebnis/rueckmeldung.pdf")
    assert feedback.status_code == 200 and entry.number in PdfReader(io.BytesIO(feedback.data)).pages[0].extract_text()

    home = client.get("/").get_data(as_text=True)
    assert "Ergebnisse von „Industrie. Neu. Denken. 2026“" in home and 'href="/ergebnisse/ind-2026"' in home


def test_another_company_cannot_fetch_someone_elses_certificate(world, client, login_as):
    publish(world)
    first, second = list(world.content["entries"])[:2]
    entry, _owner = _member(first)
    _other_entry, other = _member(second)
    login_as(other)
    assert client.get(f"/entries/{entry.id}/ergebnis/urkunde.pdf").status_code == 403
    assert client.get(f"/entries/{entry.id}/ergebnis/rueckmeldung.pdf").status_code == 403
    assert client.get(f"/entries/{entry.id}").status_code == 403
    assert client.get("/entries/999999/ergebnis/urkunde.pdf").status_code == 404


def test_before_publication_there_is_no_outcome_and_no_download(world, client, login_as):
    publish(world, public=False)  # a publication exists, but the publication phase has not begun
    entry, user = _member(next(iter(world.content["entries"])))
    login_as(user)
    page = client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "Ergebnis Ihres Beitrags" not in page and "urkunde.pdf" not in page
    assert client.get(f"/entries/{entry.id}/ergebnis/urkunde.pdf").status_code == 404
    assert "/ergebnisse/ind-2026" not in client.get("/").get_data(as_text=True)
