"""Organisers set up an edition: dates in Berlin time, categories, rounds, criteria with weights."""

from datetime import UTC, datetime

import pytest

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.editions.models import Category, Criterion, Edition, JudgingRound
from competition.extensions import db

EDITION = {
    "name": "Industrie. Neu. Denken. 2027",
    "description": "Der Wettbewerb.",
    "registration_opens_at": "2027-01-10T09:00",
    "submission_deadline_at": "2027-03-31T23:59",
    "jury_starts_at": "2027-04-07T09:00",
    "jury_ends_at": "2027-05-15T18:00",
    "publication_at": "2027-06-01T18:00",
    "max_file_mb": "20",
    "max_entry_mb": "50",
    "max_files": "10",
    "terms_version": "2027-1",
}


@pytest.fixture
def signed_in_organiser(client, login_as, organiser):
    login_as(organiser)
    return client


def test_create_edition_stores_utc_and_shows_berlin(signed_in_organiser):
    client = signed_in_organiser
    response = client.post("/organisation/editions/new", data=EDITION)
    edition = db.session.scalar(db.select(Edition))
    assert response.headers["Location"] == f"/organisation/editions/{edition.id}"
    assert edition.submission_deadline_at == datetime(2027, 3, 31, 21, 59, tzinfo=UTC)  # summer time: UTC+2
    assert edition.registration_opens_at == datetime(2027, 1, 10, 8, 0, tzinfo=UTC)  # winter time: UTC+1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "31.03.2027, 23:59 Uhr" in page
    assert "angelegt" in page


def test_dates_out_of_order_are_explained_next_to_the_field_and_input_kept(signed_in_organiser):
    data = {**EDITION, "jury_starts_at": "2027-03-01T09:00"}
    response = signed_in_organiser.post("/organisation/editions/new", data=data)
    page = response.get_data(as_text=True)
    assert 'id="jury_starts_at-error"' in page
    assert "„Beginn der Jurybewertung“ muss nach „Einreichungsfrist“ liegen." in page
    assert 'value="Industrie. Neu. Denken. 2027"' in page and 'value="2027-03-01T09:00"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Edition)) == 0


def test_missing_and_impossible_dates(signed_in_organiser):
    data = {**EDITION, "publication_at": "", "jury_ends_at": "2027-03-28T02:30"}
    page = signed_in_organiser.post("/organisation/editions/new", data=data).get_data(as_text=True)
    assert 'id="publication_at-error"' in page and "Bitte geben Sie Datum und Uhrzeit an." in page
    assert "Zeitumstellung" in page


def test_duplicate_edition_name(signed_in_organiser, make_edition):
    make_edition(name="Industrie. Neu. Denken. 2027")
    page = signed_in_organiser.post("/organisation/editions/new", data=EDITION).get_data(as_text=True)
    assert 'id="name-error"' in page and "gibt es bereits" in page


def test_edit_edition_and_phase_override(signed_in_organiser, make_edition):
    client = signed_in_organiser
    edition = make_edition()
    form = client.get(f"/organisation/editions/{edition.id}/edit").get_data(as_text=True)
    assert edition.name in form
    client.post(f"/organisation/editions/{edition.id}/edit", data={**EDITION, "name": "Neu benannt"})
    db.session.refresh(edition)
    assert edition.name == "Neu benannt"
    assert edition.phase(utcnow()).value == "preparation"  # 2027 dates lie ahead
    client.post(f"/organisation/editions/{edition.id}/phase", data={"phase": "jury", "confirmed": "1"})
    db.session.refresh(edition)
    assert edition.phase(utcnow()).value == "jury"
    page = client.get(f"/organisation/editions/{edition.id}").get_data(as_text=True)
    assert "manuell festgelegt" in page and "Jurybewertung" in page
    client.post(f"/organisation/editions/{edition.id}/phase", data={"phase": "", "confirmed": "1"})
    db.session.refresh(edition)
    assert edition.phase_override is None


def test_categories(signed_in_organiser, make_edition):
    client = signed_in_organiser
    edition = make_edition()
    for name in ("Mobilität", "Digitalisierung"):
        response = client.post(f"/organisation/editions/{edition.id}/categories", data={"name": name})
        assert response.status_code == 302
    duplicate = client.post(f"/organisation/editions/{edition.id}/categories", data={"name": "mobilität"})
    assert duplicate.status_code == 422 and "gibt es in dieser Ausschreibung bereits" in duplicate.get_data(
        as_text=True)
    mobility = db.session.scalar(db.select(Category).where(Category.name == "Mobilität"))
    client.post(f"/organisation/editions/{edition.id}/categories/{mobility.id}/edit",
                data={"name": "Mobilität & Logistik", "description": "Neu"})
    db.session.refresh(mobility)
    assert mobility.name == "Mobilität & Logistik"
    client.post(f"/organisation/editions/{edition.id}/categories/{mobility.id}/delete")
    assert [c.name for c in db.session.scalars(db.select(Category))] == ["Digitalisierung"]
    client.get("/")  # shows the flash message once
    assert "Mobilität &amp; Logistik" not in client.get("/").get_data(as_text=True)


ROUND = {"name": "Vorauswahl", "description": "", "scale_min": "0", "scale_max": "10", "scale_step": "0,5",
         "jurors_per_entry": "3", "deadline_at": "2099-05-01T18:00"}


def test_round_with_criteria_and_weights(signed_in_organiser, make_edition):
    client = signed_in_organiser
    edition = make_edition()
    response = client.post(f"/organisation/editions/{edition.id}/rounds/new", data=ROUND)
    judging_round = db.session.scalar(db.select(JudgingRound))
    assert response.headers["Location"] == f"/organisation/editions/{edition.id}/rounds/{judging_round.id}"
    assert str(judging_round.scale_step) in ("0.50", "0.5") and judging_round.position == 1
    base = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}"
    for name, weight in (("Innovationsgrad", "3"), ("Umsetzbarkeit", "1,5"), ("Regionale Wirkung", "1,5")):
        assert client.post(f"{base}/criteria/new", data={"name": name, "weight": weight}).status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "50,0\u00a0%" in page and "25,0\u00a0%" in page and "100,0\u00a0%" in page
    assert "0–10 (Schritt 0,5)" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"scale_step": "3"}, "scale_max", "in ganzen Schritten"),
        ({"scale_min": "10", "scale_max": "0"}, "scale_max", "unter dem größten"),
        ({"scale_step": "0"}, "scale_step", "größer als 0"),
        ({"jurors_per_entry": "0"}, "jurors_per_entry", "zwischen 1 und 50"),
        ({"deadline_at": "2000-01-01T10:00"}, "deadline_at", "nach der Einreichungsfrist"),
        ({"scale_max": "zehn"}, "scale_max", "Bitte geben Sie eine Zahl ein"),
    ],
)
def test_round_input_errors(signed_in_organiser, make_edition, changes, field, message):
    edition = make_edition()
    response = signed_in_organiser.post(f"/organisation/editions/{edition.id}/rounds/new", data={**ROUND, **changes})
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert 'value="Vorauswahl"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(JudgingRound)) == 0


def test_criterion_weight_must_be_positive(signed_in_organiser, make_edition, make_round):
    edition = make_edition()
    judging_round = make_round(edition)
    url = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/criteria/new"
    page = signed_in_organiser.post(url, data={"name": "Innovationsgrad", "weight": "-1"}).get_data(as_text=True)
    assert 'id="weight-error"' in page and "größer als 0" in page and 'value="Innovationsgrad"' in page


def test_second_round_must_end_after_the_first(signed_in_organiser, make_edition, make_round):
    edition = make_edition()
    make_round(edition, name="Vorauswahl", deadline_at=edition.jury_ends_at)
    page = signed_in_organiser.post(
        f"/organisation/editions/{edition.id}/rounds/new",
        data={**ROUND, "name": "Finale", "deadline_at": "2000-01-01T10:00"},
    ).get_data(as_text=True)
    assert 'id="deadline_at-error"' in page


def test_locked_round_refuses_criteria_and_scale_changes(signed_in_organiser, make_edition, make_round,
                                                         make_criterion):
    client = signed_in_organiser
    edition = make_edition()
    judging_round = make_round(edition, name="Vorauswahl")
    criterion = make_criterion(judging_round, name="Innovationsgrad", weight=3)
    judging_round.scoring_started_at = utcnow()
    db.session.commit()
    base = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}"

    page = client.post(f"{base}/criteria/new", data={"name": "Neu", "weight": "1"}).get_data(as_text=True)
    assert "bereits bewertet" in page
    response = client.post(f"{base}/criteria/{criterion.id}/edit", data={"name": "Anders", "weight": "5"})
    assert "bereits bewertet" in response.get_data(as_text=True)
    client.post(f"{base}/criteria/{criterion.id}/delete")
    edited = client.post(f"{base}/edit", data={**ROUND, "scale_max": "5", "scale_step": "1",
                                               "deadline_at": "2099-05-01T18:00"})
    assert "bereits bewertet" in edited.get_data(as_text=True)
    db.session.expire_all()
    assert [(c.name, c.weight) for c in db.session.scalars(db.select(Criterion))] == [("Innovationsgrad", 3)]
    assert db.session.get(JudgingRound, judging_round.id).scale_max == 10
    # The deadline may still move.
    ok = client.post(f"{base}/edit", data={**ROUND, "scale_step": "1", "deadline_at": "2099-06-01T18:00"})
    assert ok.status_code == 302


def test_only_the_last_unlocked_round_can_be_deleted(signed_in_organiser, make_edition, make_round):
    edition = make_edition()
    first = make_round(edition, name="Vorauswahl")
    second = make_round(edition, name="Finale")
    signed_in_organiser.post(f"/organisation/editions/{edition.id}/rounds/{first.id}/delete")
    assert db.session.scalar(db.select(db.func.count()).select_from(JudgingRound)) == 2
    signed_in_organiser.post(f"/organisation/editions/{edition.id}/rounds/{second.id}/delete")
    assert [r.name for r in db.session.scalars(db.select(JudgingRound))] == ["Vorauswahl"]


def test_objects_of_another_edition_give_404(signed_in_organiser, make_edition, make_round):
    mine, other = make_edition(), make_edition()
    foreign_round = make_round(other)
    assert signed_in_organiser.get(f"/organisation/editions/{mine.id}/rounds/{foreign_round.id}").status_code == 404
    assert signed_in_organiser.get("/organisation/editions/99999").status_code == 404


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.JUROR])
def test_setup_is_for_organisers_only(client, login_as, make_user, make_edition, role):
    edition = make_edition()
    login_as(make_user(roles=(role,)))
    assert client.get("/organisation/editions").status_code == 403
    assert client.post("/organisation/editions/new", data=EDITION).status_code == 403
    assert client.post(f"/organisation/editions/{edition.id}/categories", data={"name": "X"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Category)) == 0


def test_anonymous_users_are_sent_to_login(client, make_edition):
    edition = make_edition()
    response = client.post(f"/organisation/editions/{edition.id}/categories", data={"name": "X"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
