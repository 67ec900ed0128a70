"""Companies: profile, entries, drafts with autosave, submit with versions, deadline, withdrawal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.entries.models import Company, Entry, EntryStatus, EntryVersion
from competition.extensions import db

PROFILE = {
    "legal_name": "Vogtland Textilwerke", "legal_form": "GmbH", "street": "Bahnhofstraße 12", "postal_code": "08523",
    "city": "Plauen", "district": "vogtlandkreis", "employees": "85", "turnover_band": "10_bis_50",
    "industry": "Textil", "website": "https://textilwerke.example", "contact_name": "Heike Lorenz",
    "contact_email": "lorenz@textilwerke.example", "contact_phone": "",
}


@pytest.fixture
def applicant(make_user):
    return make_user(email="lorenz@textilwerke.example", full_name="Heike Lorenz")


@pytest.fixture
def signed_in(client, login_as, applicant):
    login_as(applicant)
    return client


def core_form(**changes):
    data = {
        "title": "Recycelbare Hightech-Faser", "summary": "Eine Faser aus Altkleidern.",
        "description": "<p>Wir trennen <strong>Mischgewebe</strong> sortenrein.</p><script>x()</script>",
        "implementation": "Pilotanlage läuft.", "regional_benefit": "20 Arbeitsplätze in Plauen.",
        "sustainability": "90 % weniger Abfall.", "video_url": "",
    }
    data.update(changes)
    return data


def test_profile_creation_and_errors(signed_in, applicant):
    response = signed_in.post("/company", data={**PROFILE, "postal_code": "812", "website": "textil"})
    page = response.get_data(as_text=True)
    assert 'id="postal_code-error"' in page and "fünfstellige Postleitzahl" in page
    assert 'id="website-error"' in page and 'value="Vogtland Textilwerke"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Company)) == 0

    response = signed_in.post("/company", data=PROFILE)
    assert response.headers["Location"] == "/dashboard"
    company = db.session.scalar(db.select(Company))
    assert company.legal_name == "Vogtland Textilwerke" and company.members[0].user_id == applicant.id
    assert company.members[0].is_admin
    assert "Beiträge von Vogtland Textilwerke" in signed_in.get("/dashboard").get_data(as_text=True)


def test_login_lands_applicants_on_their_dashboard(client, applicant):
    from tests.conftest import login

    assert login(client, applicant.email).headers["Location"] == "/dashboard"
    assert "Unternehmensprofil anlegen" in client.get("/dashboard").get_data(as_text=True)


def _company_with_entry(make_company, make_category, make_edition, applicant, **edition):
    company = make_company(applicant)
    category = make_category(make_edition(**edition), name="Kreislaufwirtschaft")
    return company, category


def test_create_edit_and_submit(signed_in, applicant, outbox, make_company, make_category, make_edition):
    company, category = _company_with_entry(make_company, make_category, make_edition, applicant)
    response = signed_in.post("/entries/new", data={"category_id": category.id})
    entry = db.session.scalar(db.select(Entry))
    assert response.headers["Location"] == f"/entries/{entry.id}/edit"
    assert entry.status is EntryStatus.DRAFT and entry.company_id == company.id

    edit = signed_in.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert "automatisch gespeichert" in edit and 'hx-post="/entries/' in edit
    assert "höchstens 600 Zeichen" in edit  # the counter's server-side text

    response = signed_in.post(f"/entries/{entry.id}/edit",
                              data={**core_form(), "lock_version": entry.lock_version, "next_step": "submit"})
    assert response.headers["Location"] == f"/entries/{entry.id}/submit"
    db.session.refresh(entry)
    assert entry.description == "<p>Wir trennen <strong>Mischgewebe</strong> sortenrein.</p>"  # sanitised

    page = signed_in.get(f"/entries/{entry.id}/submit").get_data(as_text=True)
    assert "ist vollständig" in page
    missing_consent = signed_in.post(f"/entries/{entry.id}/submit", data={"lock_version": entry.lock_version})
    assert 'id="consent-error"' in missing_consent.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(EntryVersion)) == 0

    response = signed_in.post(f"/entries/{entry.id}/submit", data={"consent": "y",
                                                                   "lock_version": entry.lock_version})
    assert response.headers["Location"] == f"/entries/{entry.id}"
    db.session.refresh(entry)
    assert entry.status is EntryStatus.SUBMITTED
    assert entry.number == f"IND-{entry.edition.submission_deadline_at.year}-0001"
    version = entry.versions[0]
    assert version.number == 1 and version.terms_version == entry.edition.terms_version
    assert version.content["company"]["legal_name"] == company.legal_name
    assert version.content["entry"]["title"] == "Recycelbare Hightech-Faser"
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "ist eingereicht (Version 1)" in page
    assert outbox and outbox[-1].to == [applicant.email]


def test_incomplete_entry_cannot_be_submitted(signed_in, applicant, make_company, make_entry):
    entry = make_entry(company=make_company(applicant), title="", regional_benefit="")
    page = signed_in.get(f"/entries/{entry.id}/submit").get_data(as_text=True)
    assert "Titel des Beitrags" in page and "Nutzen für die Region" in page and "ergänzen Sie bitte" in page
    response = signed_in.post(f"/entries/{entry.id}/submit", data={"consent": "y"})
    assert "nicht vollständig" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.status is EntryStatus.DRAFT and entry.versions == []


def test_autosave_returns_status_and_new_lock_version(signed_in, applicant, make_company, make_entry):
    entry = make_entry(company=make_company(applicant))
    old = entry.lock_version
    response = signed_in.post(f"/entries/{entry.id}/autosave",
                              data={**core_form(title="Neu getippt"), "lock_version": old},
                              headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert "automatisch gespeichert" in text
    db.session.refresh(entry)
    assert entry.title == "Neu getippt" and entry.lock_version == old + 1
    assert f'value="{old + 1}"' in text and 'hx-swap-oob="true"' in text


def test_two_tabs_later_save_is_told_and_keeps_its_text(signed_in, applicant, make_company, make_entry):
    entry = make_entry(company=make_company(applicant))
    loaded = entry.lock_version
    signed_in.post(f"/entries/{entry.id}/edit", data={**core_form(title="Tab eins"), "lock_version": loaded})
    response = signed_in.post(f"/entries/{entry.id}/edit", data={**core_form(title="Tab zwei"),
                                                                 "lock_version": loaded})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "an anderer Stelle gespeichert" in page
    assert 'value="Tab zwei"' in page  # what was typed in the second tab is still on screen
    db.session.refresh(entry)
    assert entry.title == "Tab eins"


def test_submit_one_second_late_is_refused_and_draft_kept(signed_in, applicant, make_company, make_entry,
                                                          make_edition, make_category):
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=30),
                           submission_deadline_at=now - timedelta(seconds=1))
    entry = make_entry(company=make_company(applicant), category=make_category(edition))
    response = signed_in.post(f"/entries/{entry.id}/submit", data={"consent": "y"})
    assert "Einreichungsfrist ist abgelaufen" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.status is EntryStatus.DRAFT and entry.title == "Adaptive Spannvorrichtung"
    edit = signed_in.get(f"/entries/{entry.id}/edit")
    assert edit.headers["Location"] == f"/entries/{entry.id}"
    assert signed_in.post(f"/entries/{entry.id}/edit", data=core_form(title="Zu spät")).status_code == 302
    db.session.refresh(entry)
    assert entry.title == "Adaptive Spannvorrichtung"


def test_resubmit_creates_a_new_version_and_profile_edits_do_not_change_it(signed_in, applicant, make_company,
                                                                           make_entry):
    company = make_company(applicant)
    original_name = company.legal_name
    entry = make_entry(company=company)
    signed_in.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version})
    signed_in.post(f"/entries/{entry.id}/edit", data={**core_form(title="Verbessert"),
                                                      "lock_version": entry.lock_version})
    page = signed_in.get("/dashboard").get_data(as_text=True)
    assert "noch nicht eingereicht" in page
    signed_in.post("/company", data={**PROFILE, "legal_name": "Umbenannt GmbH"})
    db.session.refresh(entry)
    signed_in.post(f"/entries/{entry.id}/submit", data={"consent": "y", "lock_version": entry.lock_version})
    db.session.refresh(entry)
    first, second = entry.versions
    assert (first.number, second.number) == (1, 2)
    assert first.content["entry"]["title"] == "Adaptive Spannvorrichtung"
    assert second.content["entry"]["title"] == "Verbessert"
    assert first.content["company"]["legal_name"] == original_name
    assert second.content["company"]["legal_name"] == "Umbenannt GmbH"
    assert first.content_sha256 != second.content_sha256
    assert entry.number.endswith("0001")  # the number stays


def test_double_submit_is_recognised(signed_in, applicant, make_company, make_entry):
    entry = make_entry(company=make_company(applicant))
    form = {"consent": "y", "lock_version": entry.lock_version}
    signed_in.post(f"/entries/{entry.id}/submit", data=form)
    response = signed_in.post(f"/entries/{entry.id}/submit", data=form, follow_redirects=True)
    assert "bereits eingereicht (Version 1)" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert len(entry.versions) == 1


def test_withdraw_with_confirmation_and_not_after_deadline(signed_in, applicant, make_company, make_entry,
                                                           make_edition, make_category):
    entry = make_entry(company=make_company(applicant))
    assert "Beitrag zurückziehen?" in signed_in.get(f"/entries/{entry.id}/withdraw").get_data(as_text=True)
    response = signed_in.post(f"/entries/{entry.id}/withdraw")
    assert response.headers["Location"] == "/dashboard"
    db.session.refresh(entry)
    assert entry.status is EntryStatus.WITHDRAWN
    assert signed_in.get(f"/entries/{entry.id}/edit").headers["Location"] == f"/entries/{entry.id}"

    now = utcnow()
    closed = make_edition(registration_opens_at=now - timedelta(days=30),
                          submission_deadline_at=now - timedelta(hours=1))
    late = make_entry(company=entry.company, category=make_category(closed), status=EntryStatus.SUBMITTED)
    page = signed_in.post(f"/entries/{late.id}/withdraw", follow_redirects=True).get_data(as_text=True)
    assert "nicht mehr zurückgezogen werden" in page
    db.session.refresh(late)
    assert late.status is EntryStatus.SUBMITTED


def test_one_entry_per_category(signed_in, applicant, make_company, make_entry):
    entry = make_entry(company=make_company(applicant))
    page = signed_in.post("/entries/new", data={"category_id": entry.category_id},
                          follow_redirects=True).get_data(as_text=True)
    assert "bereits einen Beitrag" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Entry)) == 1


@pytest.mark.parametrize("path", ["/entries/{id}", "/entries/{id}/edit", "/entries/{id}/submit",
                                  "/entries/{id}/withdraw"])
def test_other_companies_cannot_see_or_change_an_entry(client, login_as, make_user, make_company, make_entry, path):
    entry = make_entry()
    outsider = make_user(email="fremd@konkurrenz.example")
    make_company(outsider, legal_name="Konkurrenz AG")
    login_as(outsider)
    assert client.get(path.format(id=entry.id)).status_code == 403
    if path != "/entries/{id}":  # the read-only page has no POST
        response = client.post(path.format(id=entry.id), data={**core_form(title="Gekapert"), "consent": "y"})
        assert response.status_code == 403
    assert client.post(f"/entries/{entry.id}/autosave", data=core_form(title="Gekapert")).status_code == 403
    db.session.refresh(entry)
    assert entry.title == "Adaptive Spannvorrichtung" and entry.status is EntryStatus.DRAFT


def test_juror_without_company_cannot_open_entries(client, login_as, make_user, make_entry):
    entry = make_entry()
    login_as(make_user(roles=(Role.JUROR,)))
    assert client.get(f"/entries/{entry.id}").status_code == 403


def test_colleague_invitation(app, signed_in, applicant, outbox, make_company, make_user):
    from tests.conftest import link_in, login

    company = make_company(applicant)
    signed_in.post("/company/colleagues", data={"email": "kollege@textilwerke.example"})
    assert outbox[-1].to == ["kollege@textilwerke.example"]
    link = link_in(outbox[-1], "/company/join/")
    colleague = make_user(email="kollege@textilwerke.example")
    other = app.test_client()
    login(other, colleague.email)
    assert "Einladung annehmen" in other.get(link).get_data(as_text=True)
    assert other.post(link).headers["Location"] == "/dashboard"
    db.session.refresh(company)
    assert [m.user_id for m in company.members] == [applicant.id, colleague.id]
    assert not company.members[1].is_admin
    # The colleague is not an admin and cannot invite further people.
    page = other.post("/company/colleagues", data={"email": "dritte@textilwerke.example"}).get_data(as_text=True)
    assert "Nur die Administration" in page


def test_entry_numbers_are_unique_across_editions_of_the_same_year(applicant, make_company, make_entry,
                                                                   make_edition, make_category):
    from competition.entries.services import submit_entry

    company = make_company(applicant)
    first = make_entry(company=company, category=make_category(make_edition()))
    second = make_entry(company=company, category=make_category(make_edition()))
    assert first.edition.submission_deadline_at.year == second.edition.submission_deadline_at.year
    for entry in (first, second):
        submit_entry(entry=entry, consent=True, lock_version=None, by=applicant, now=utcnow())
        db.session.commit()
    year = first.edition.submission_deadline_at.year
    assert (first.number, second.number) == (f"IND-{year}-0001", f"IND-{year}-0002")
