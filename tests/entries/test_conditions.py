"""The Teilnahmebedingungen: versioned per edition, shown on the submit page before the consent box, the agreed
version stored with the submitted version and readable from the entry at any time; no submission without them."""

from __future__ import annotations

import io

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.editions.conditions import publish_conditions
from competition.editions.models import ParticipationConditions
from competition.entries.models import EntryStatus
from competition.extensions import db

from .test_entry_flow import applicant, signed_in  # noqa: F401 - fixtures


def test_the_submit_page_shows_the_version_agreed_to_and_the_entry_keeps_it(signed_in, applicant, make_company,  # noqa: F811
                                                                             make_entry, make_user):
    entry = make_entry(company=make_company(applicant))
    organiser = make_user(roles=(Role.ORGANISER,))
    publish_conditions(edition=entry.edition, body="## Bedingungen\n\nNur Unternehmen aus **Südwestsachsen**.",
                       pdf=None, pdf_name="", by=organiser, now=utcnow())
    db.session.commit()
    page = signed_in.get(f"/entries/{entry.id}/submit").get_data(as_text=True)
    shown, consent = page.index("Teilnahmebedingungen, Fassung 2 vom"), page.index('name="consent"')
    assert shown < consent  # shown before the consent box
    assert "Nur Unternehmen aus <strong>Südwestsachsen</strong>." in page
    assert f"/ausschreibungen/{entry.edition_id}/teilnahmebedingungen/2" in page
    assert "Sie stimmen der Fassung 2 der Teilnahmebedingungen zu" in page

    signed_in.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version})
    db.session.refresh(entry)
    version = entry.latest_version
    agreed = db.session.get(ParticipationConditions, version.conditions_id)
    assert entry.status is EntryStatus.SUBMITTED and agreed.version == 2 and version.terms_version == "2"

    # A later version does not change what was agreed; the entry links the agreed version, which stays readable.
    publish_conditions(edition=entry.edition, body="Neue Fassung.", pdf=None, pdf_name="", by=organiser,
                       now=utcnow())
    db.session.commit()
    page = signed_in.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "Teilnahmebedingungen, Fassung 2" in page
    old = signed_in.get(f"/ausschreibungen/{entry.edition_id}/teilnahmebedingungen/2").get_data(as_text=True)
    assert "Südwestsachsen" in old and "Inzwischen gilt Fassung 3." in old


def test_without_conditions_nothing_can_be_submitted(signed_in, applicant, make_company, make_entry,  # noqa: F811
                                                     make_edition, make_category):
    edition = make_edition(conditions=False)
    entry = make_entry(company=make_company(applicant), edition=edition, category=make_category(edition))
    page = signed_in.get(f"/entries/{entry.id}/submit").get_data(as_text=True)
    assert "Die Teilnahmebedingungen dieser Ausschreibung liegen noch nicht vor." in page
    assert 'name="consent"' not in page
    response = signed_in.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version})
    assert "liegen noch nicht vor" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.status is EntryStatus.DRAFT and entry.versions == []


def test_organisers_publish_text_or_pdf_and_others_cannot(client, login_as, make_user, make_edition):
    edition = make_edition(conditions=False)
    organiser = make_user(roles=(Role.ORGANISER,))
    login_as(organiser)
    page = client.get(f"/organisation/editions/{edition.id}").get_data(as_text=True)
    assert "Die Teilnahmebedingungen dieser Ausschreibung liegen noch nicht vor." in page
    refused = client.post(f"/organisation/editions/{edition.id}/phase", data={"phase": "submission"})
    assert refused.status_code == 302
    assert "liegen noch nicht vor" in client.get(f"/organisation/editions/{edition.id}").get_data(as_text=True)
    db.session.refresh(edition)
    assert edition.phase_override is None

    bad = client.post(f"/organisation/editions/{edition.id}/conditions", data={
        "body": "Mein Text", "pdf": (io.BytesIO(b"kein pdf"), "bedingungen.pdf"), "action": "save"},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "keine gültige PDF-Datei" in bad and "Mein Text" in bad
    client.post(f"/organisation/editions/{edition.id}/conditions", data={
        "body": "", "pdf": (io.BytesIO(b"%PDF-1.7\n%%EOF"), "bedingungen.pdf"), "action": "save"},
        content_type="multipart/form-data")
    pdf = client.get(f"/ausschreibungen/{edition.id}/teilnahmebedingungen/1")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    client.post("/logout")
    login_as(make_user(roles=(Role.APPLICANT,)))
    assert client.post(f"/organisation/editions/{edition.id}/conditions",
                       data={"body": "Gehackt", "action": "save"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(ParticipationConditions)) == 1
    assert client.get(f"/ausschreibungen/{edition.id}/teilnahmebedingungen/9").status_code == 404
