"""Organiser pages for entries: list with filters, search, sorting and pages; detail; eligibility; extensions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from competition.accounts.models import Role
from competition.core.clock import BERLIN, utcnow
from competition.entries import services
from competition.entries.models import Answer, District, Entry, EntryStatus, Question, QuestionKind, Visibility
from competition.extensions import db
from tests.conftest import login


def submit(entry: Entry) -> Entry:
    """Submit through the real service, as the company's first member."""
    services.submit_entry(entry=entry, consent=True, lock_version=None, by=entry.company.members[0].user,
                          now=utcnow())
    db.session.commit()
    return entry


def titles_in(page: str) -> list[str]:
    """The entry titles in the list, in the order shown."""
    return re.findall(r'<a href="/organisation/entries/\d+">([^<]+)</a>', page)


def next_years_edition(make_edition):
    """An open edition whose deadline lies in another year (entry numbers count per year: IND-<year>-0001)."""
    now = utcnow()
    return make_edition(submission_deadline_at=now + timedelta(days=400), jury_starts_at=now + timedelta(days=410),
                        jury_ends_at=now + timedelta(days=420), publication_at=now + timedelta(days=430))


@pytest.fixture
def orga(client, login_as, organiser):
    login_as(organiser)
    return client


@pytest.fixture
def other_client(app):
    return app.test_client()


# --- access -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.JUROR])
def test_only_organisers_get_in(client, login_as, make_user, make_entry, role):
    entry = submit(make_entry())
    if role is not None:
        user = entry.company.members[0].user if role is Role.APPLICANT else make_user(roles=(role,))
        login_as(user)
    gets = ["/organisation/entries", f"/organisation/entries?edition={entry.edition_id}",
            f"/organisation/entries/{entry.id}", "/organisation/entries/export.csv",
            "/organisation/entries/export.xlsx", f"/organisation/categories/{entry.category_id}/attachments.zip"]
    posts = {f"/organisation/entries/{entry.id}/eligibility": {"decision": "ineligible", "reason": "x"},
             f"/organisation/entries/{entry.id}/extension": {"until": "2099-01-01T12:00", "reason": "x"}}
    for path in gets:
        response = client.get(path)
        if role is None:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login?next="), path
        else:
            assert response.status_code == 403, (path, role)
    for path, data in posts.items():
        response = client.post(path, data=data)
        if role is None:
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
        else:
            assert response.status_code == 403, (path, role)
    db.session.expire_all()
    assert entry.status is EntryStatus.SUBMITTED
    assert services.permissions.extension_for(entry.company_id, entry.edition_id) is None


def test_organiser_gets_every_page(orga, make_entry):
    entry = submit(make_entry())
    for path in ["/organisation/entries", f"/organisation/entries/{entry.id}", "/organisation/entries/export.csv",
                 "/organisation/entries/export.xlsx", f"/organisation/categories/{entry.category_id}/attachments.zip"]:
        assert orga.get(path).status_code == 200, path
    assert orga.get("/organisation/entries/999999").status_code == 404
    assert orga.get("/organisation/categories/999999/attachments.zip").status_code == 404


# --- list ---------------------------------------------------------------------------------------------------------

def test_list_shows_columns_and_marks_drafts(orga, make_edition, make_category, make_company, make_user,
                                             make_entry):
    edition = make_edition(max_employees=50)
    category = make_category(edition, name="Mobilität")
    done = submit(make_entry(category=category, title="Wasserstoff-Stapler",
                             company=make_company(make_user(), legal_name="Zwickauer Antriebe GmbH",
                                                  district=District.ZWICKAU, employees=120)))
    make_entry(category=category, title="Halb fertige Idee",
               company=make_company(make_user(), legal_name="Leipziger Logistik", district=District.OTHER_SAXONY))
    page = orga.get("/organisation/entries").get_data(as_text=True)
    assert "2 Beiträge" in page
    assert done.number in page and "Wasserstoff-Stapler" in page and "Zwickauer Antriebe GmbH" in page
    assert "Mobilität" in page and "Landkreis Zwickau" in page and "Eingereicht" in page
    assert "mehr als 50 Beschäftigte" in page
    assert "außerhalb Südwestsachsens" in page
    draft_row = next(row for row in page.split("<tr") if "Halb fertige Idee" in row)
    assert 'class="row-draft"' in draft_row and "Entwurf" in draft_row and "noch nicht eingereicht" in draft_row
    submitted_row = next(row for row in page.split("<tr") if "Wasserstoff-Stapler" in row)
    assert re.search(r"\d\d\.\d\d\.\d{4}<br>\d\d:\d\d Uhr", submitted_row)


def test_filters(orga, make_edition, make_category, make_company, make_user, make_entry):
    edition = make_edition(max_employees=249)
    other_edition = next_years_edition(make_edition)
    mobility = make_category(edition, name="Mobilität")
    digital = make_category(edition, name="Digitalisierung")
    elsewhere = make_category(other_edition, name="Kreislaufwirtschaft")
    erz = make_company(make_user(), legal_name="Erzgebirge Holz", district=District.ERZGEBIRGSKREIS)
    big = make_company(make_user(), legal_name="Chemnitzer Großwerk", district=District.CHEMNITZ, employees=900)
    far = make_company(make_user(), legal_name="Dresdner Sensorik", district=District.OTHER_SAXONY)
    submit(make_entry(category=mobility, company=erz, title="Holzbahn"))
    submit(make_entry(category=digital, company=big, title="Digitaler Zwilling"))
    make_entry(category=mobility, company=far, title="Sensor-Entwurf")
    submit(make_entry(category=elsewhere, company=erz, title="Alte Runde"))

    def shown(query):
        return sorted(titles_in(orga.get(f"/organisation/entries?{query}").get_data(as_text=True)))

    assert shown("") == ["Alte Runde", "Digitaler Zwilling", "Holzbahn", "Sensor-Entwurf"]
    assert shown(f"edition={edition.id}") == ["Digitaler Zwilling", "Holzbahn", "Sensor-Entwurf"]
    assert shown(f"edition={edition.id}&category={mobility.id}") == ["Holzbahn", "Sensor-Entwurf"]
    assert shown("status=draft") == ["Sensor-Entwurf"]
    assert shown("status=submitted&category=" + str(digital.id)) == ["Digitaler Zwilling"]
    assert shown("district=erzgebirgskreis") == ["Alte Runde", "Holzbahn"]
    assert shown(f"edition={edition.id}&proposal=concerns") == ["Digitaler Zwilling", "Sensor-Entwurf"]
    assert shown(f"edition={edition.id}&proposal=ok") == ["Holzbahn"]
    # the other edition has no size limit: 900 employees are no concern there
    assert shown(f"edition={other_edition.id}&proposal=ok") == ["Alte Runde"]
    # unknown values are ignored, not an error
    assert shown("status=nonsense&edition=abc&proposal=x") == shown("")
    page = orga.get(f"/organisation/entries?edition={edition.id}").get_data(as_text=True)
    assert f"Beiträge – {edition.name}" in page
    assert "Kreislaufwirtschaft" not in page.split("<table")[0]  # only this edition's categories to choose from


def test_search_is_case_insensitive_on_title_company_and_number(orga, make_company, make_user, make_entry,
                                                                make_edition, make_category):
    edition = make_edition()
    first = submit(make_entry(category=make_category(edition), title="Präzisionsgreifer mit KI",
                              company=make_company(make_user(), legal_name="Vogtland ÖKO-Guss")))
    make_entry(category=make_category(edition), title="100% Recycling_Linie",
               company=make_company(make_user(), legal_name="Muldental Kunststoff"))

    def shown(term):
        return titles_in(orga.get("/organisation/entries", query_string={"q": term}).get_data(as_text=True))

    assert shown("PRÄZISION") == ["Präzisionsgreifer mit KI"]
    assert shown("präzisionsgreifer ki") == ["Präzisionsgreifer mit KI"]  # every word must match
    assert shown("öko-guss") == ["Präzisionsgreifer mit KI"]
    assert shown(first.number.lower()) == ["Präzisionsgreifer mit KI"]
    assert shown("muldental") == ["100% Recycling_Linie"]
    assert shown("%") == ["100% Recycling_Linie"]  # LIKE wildcards are searched for literally
    assert shown("g_linie") == ["100% Recycling_Linie"]
    assert shown("y_c") == []
    assert "Keine Beiträge gefunden" in orga.get("/organisation/entries?q=nichtda").get_data(as_text=True)


def test_sorting(orga, make_edition, make_category, make_company, make_user, make_entry):
    edition = make_edition()
    entries = []
    for title, name in [("Bremse", "Cäsar AG"), ("Achse", "Bertha KG"), ("Chassis", "Anton GmbH")]:
        entries.append(make_entry(category=make_category(edition), title=title,
                                  company=make_company(make_user(), legal_name=name)))
    for entry in (entries[2], entries[0]):  # Chassis gets number 1, Bremse number 2; Achse stays a draft
        submit(entry)

    def order(query):
        return titles_in(orga.get(f"/organisation/entries?{query}").get_data(as_text=True))

    assert order("") == ["Chassis", "Bremse", "Achse"]  # by number, drafts last
    assert order("sort=number&dir=desc") == ["Bremse", "Chassis", "Achse"]
    assert order("sort=title") == ["Achse", "Bremse", "Chassis"]
    assert order("sort=title&dir=desc") == ["Chassis", "Bremse", "Achse"]
    assert order("sort=company") == ["Chassis", "Achse", "Bremse"]
    assert order("sort=submitted") == ["Chassis", "Bremse", "Achse"]
    assert order("sort=submitted&dir=desc") == ["Bremse", "Chassis", "Achse"]
    page = orga.get("/organisation/entries?sort=title").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page and "sort=title&amp;dir=desc" in page


def test_pages_of_fifty(orga, make_edition, make_category, make_company, make_entry):
    edition = make_edition()
    category = make_category(edition)
    for n in range(53):
        make_entry(category=category, company=make_company(), title=f"Beitrag {n:03d}")
    first = orga.get("/organisation/entries?sort=title").get_data(as_text=True)
    assert "53 Beiträge" in first and len(titles_in(first)) == 50
    assert "Beitrag 000" in first and "Beitrag 050" not in first
    assert "sort=title&amp;page=2" in first or "page=2&amp;sort=title" in first
    second = orga.get("/organisation/entries?sort=title&page=2").get_data(as_text=True)
    assert titles_in(second) == ["Beitrag 050", "Beitrag 051", "Beitrag 052"]
    beyond = orga.get("/organisation/entries?page=9").get_data(as_text=True)
    assert "Zur ersten Seite" in beyond


def test_list_needs_the_same_number_of_queries_for_few_and_many_entries(orga, make_edition, make_category,
                                                                        make_company, make_entry):
    edition = make_edition(max_employees=10)

    def queries_for_list() -> int:
        statements = []

        def count(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert orga.get("/organisation/entries").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    for _ in range(2):
        make_entry(category=make_category(edition), company=make_company())
    few = queries_for_list()
    for _ in range(10):
        make_entry(category=make_category(edition), company=make_company())
    assert queries_for_list() == few


# --- detail -------------------------------------------------------------------------------------------------------

def _question(edition, label, kind=QuestionKind.SHORT_TEXT, visibility=Visibility.JURY, position=1):
    question = Question(edition_id=edition.id, label=label, kind=kind, visibility=visibility, position=position)
    db.session.add(question)
    db.session.commit()
    return question


def test_detail_shows_the_submitted_version(orga, make_entry, make_edition, make_category):
    edition = make_edition()
    public = _question(edition, "Wie viele Patente?", QuestionKind.NUMBER, Visibility.PUBLIC, 1)
    secret = _question(edition, "Interne Notiz für das Organisationsteam", visibility=Visibility.ORGANISERS,
                       position=2)
    entry = make_entry(category=make_category(edition), title="Eingereichter Titel")
    entry.answers.extend([Answer(question_id=public.id, value=3.5),
                          Answer(question_id=secret.id, value="Nur für Sie")])
    db.session.commit()
    submit(entry)
    entry.title = "Geänderter Titel im Arbeitsstand"
    entry.company.employees = 999
    db.session.commit()

    page = orga.get(f"/organisation/entries/{entry.id}").get_data(as_text=True)
    assert "<h1>Eingereichter Titel</h1>" in page
    assert "Geänderter Titel" not in page
    assert "zuletzt eingereichte Version 1" in page
    assert "Änderungen gespeichert, die noch nicht eingereicht sind" in page
    assert f'href="/entries/{entry.id}"' in page  # the working copy, on the company's page
    assert "Wie viele Patente?" in page and "3,5" in page
    assert "Nur für Sie" in page and "nur Organisationsteam" in page
    assert "Erzgebirgskreis" in page and ">45<" in page  # the company as submitted
    assert "Das Unternehmensprofil wurde nach der Einreichung geändert: Beschäftigte" in page
    assert f"/entries/{entry.id}/versions/1/receipt.pdf" in page
    assert "Sensoren messen das Werkstück" in page


def test_detail_of_a_draft_shows_the_working_copy_without_decision(orga, make_entry):
    entry = make_entry(title="Nur ein Entwurf")
    page = orga.get(f"/organisation/entries/{entry.id}").get_data(as_text=True)
    assert "Nur ein Entwurf" in page and "noch nicht eingereicht (Entwurf)" in page
    assert "sobald der Beitrag eingereicht ist" in page
    assert f"/organisation/entries/{entry.id}/eligibility" not in page
    response = orga.post(f"/organisation/entries/{entry.id}/eligibility", data={"decision": "eligible"})
    assert response.status_code == 422
    assert "nur bei eingereichten Beiträgen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status is EntryStatus.DRAFT


# --- eligibility --------------------------------------------------------------------------------------------------

def test_eligibility_decision(orga, other_client, make_entry, organiser):
    entry = submit(make_entry())
    applicant = entry.company.members[0].user

    response = orga.post(f"/organisation/entries/{entry.id}/eligibility", data={"decision": "ineligible",
                                                                                 "reason": "  "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'<small id="reason-error" class="field-error">([^<]+)</small>', page)
    assert error and "Bitte begründen Sie die Ablehnung" in error.group(1)
    assert 'aria-invalid="true"' in page.split('id="reason"')[0][-300:] + page.split('id="reason"')[1][:300]
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status is EntryStatus.SUBMITTED

    response = orga.post(f"/organisation/entries/{entry.id}/eligibility", data={"reason": "egal"})
    assert response.status_code == 422 and "Bitte wählen Sie eine Entscheidung." in response.get_data(as_text=True)

    reason = "Der Sitz des Unternehmens liegt außerhalb Südwestsachsens."
    response = orga.post(f"/organisation/entries/{entry.id}/eligibility",
                         data={"decision": "ineligible", "reason": reason})
    assert response.headers["Location"] == f"/organisation/entries/{entry.id}#zulassung"
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.status is EntryStatus.INELIGIBLE and entry.eligibility_reason == reason
    assert entry.eligibility_decided_by_id == organiser.id
    page = orga.get(f"/organisation/entries/{entry.id}").get_data(as_text=True)
    assert "ist nicht zugelassen" in page and "Olga Organisatorin" in page and reason in page
    assert re.search(r'<input checked[^>]*value="ineligible"', page)

    login(other_client, applicant.email)
    company_page = other_client.get(f"/entries/{entry.id}").get_data(as_text=True)
    assert "Nicht zugelassen" in company_page and reason in company_page

    response = orga.post(f"/organisation/entries/{entry.id}/eligibility", data={"decision": "eligible", "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status is EntryStatus.ELIGIBLE
    assert "Zugelassen" in orga.get("/organisation/entries?status=eligible").get_data(as_text=True)


# --- deadline extension -------------------------------------------------------------------------------------------

def test_extension_lets_a_late_company_edit_again(orga, other_client, make_edition, make_category, make_entry):
    now = utcnow()
    edition = make_edition(registration_opens_at=now - timedelta(days=30),
                           submission_deadline_at=now - timedelta(days=1),
                           jury_starts_at=now + timedelta(days=10), jury_ends_at=now + timedelta(days=20),
                           publication_at=now + timedelta(days=30))
    entry = make_entry(category=make_category(edition), title="Zu spät dran")
    applicant = entry.company.members[0].user
    login(other_client, applicant.email)
    response = other_client.get(f"/entries/{entry.id}/edit")
    assert response.status_code == 302 and response.headers["Location"] == f"/entries/{entry.id}"

    response = orga.post(f"/organisation/entries/{entry.id}/extension",
                         data={"until": "", "reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="until-error"' in page and 'id="reason-error"' in page

    too_early = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = orga.post(f"/organisation/entries/{entry.id}/extension",
                         data={"until": too_early, "reason": "Serverausfall beim Unternehmen"})
    assert response.status_code == 422
    assert "nach der regulären Einreichungsfrist" in response.get_data(as_text=True)

    until = (now + timedelta(days=3)).astimezone(BERLIN)
    response = orga.post(f"/organisation/entries/{entry.id}/extension",
                         data={"until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "Serverausfall beim Unternehmen"})
    assert response.headers["Location"] == f"/organisation/entries/{entry.id}#frist"
    page = orga.get(f"/organisation/entries/{entry.id}").get_data(as_text=True)
    assert "ist bis" in page and "verlängert" in page
    assert "Serverausfall beim Unternehmen" in page and "Olga Organisatorin" in page
    assert until.strftime("%d.%m.%Y, %H:%M Uhr") in page

    response = other_client.get(f"/entries/{entry.id}/edit")
    assert response.status_code == 200
    assert "Zu spät dran" in response.get_data(as_text=True)
