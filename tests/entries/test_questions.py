"""Organisers define custom questions; companies answer them; answered questions are never deleted silently."""

from __future__ import annotations

import pytest

from competition.accounts.models import Role
from competition.entries.models import Answer, Question, QuestionKind, Visibility
from competition.extensions import db


@pytest.fixture
def edition(make_edition):
    return make_edition()


def add(client, edition, **data):
    payload = {"label": "Frage", "kind": "short_text", "visibility": "jury", "help_text": "", "choices": ""}
    payload.update(data)
    return client.post(f"/organisation/editions/{edition.id}/questions", data=payload)


def test_organiser_defines_questions_of_every_kind(client, login_as, organiser, edition):
    login_as(organiser)
    for kind in QuestionKind:
        choices = "Ja, geplant\nNein\nWeiß nicht" if "choice" in kind.value else ""
        response = add(client, edition, label=f"Frage {kind.value}", kind=kind.value, choices=choices,
                       is_required="y", visibility="public")
        assert response.status_code == 302, response.get_data(as_text=True)
    questions = db.session.scalars(db.select(Question).order_by(Question.position)).all()
    assert [q.kind for q in questions] == list(QuestionKind)
    assert questions[4].choices == ["Ja, geplant", "Nein", "Weiß nicht"]
    assert all(q.is_required and q.visibility is Visibility.PUBLIC for q in questions)
    page = client.get(f"/organisation/editions/{edition.id}/questions").get_data(as_text=True)
    assert "Frage multiple_choice" in page and "öffentlich, wenn der Beitrag gewinnt" in page


def test_choice_question_needs_two_choices(client, login_as, organiser, edition):
    login_as(organiser)
    page = add(client, edition, label="Zertifikat?", kind="single_choice", choices="Nur eine").get_data(as_text=True)
    assert 'id="choices-error"' in page and "mindestens zwei" in page and 'value="Zertifikat?"' in page


def test_questions_appear_in_the_form_and_answers_are_checked(client, login_as, make_user, make_company, make_entry,
                                                              edition, make_category):
    year = Question(edition_id=edition.id, kind=QuestionKind.NUMBER, label="Gründungsjahr", is_required=True,
                    position=1)
    patent = Question(edition_id=edition.id, kind=QuestionKind.YES_NO, label="Patent angemeldet?",
                      is_required=True, position=2)
    fields = Question(edition_id=edition.id, kind=QuestionKind.MULTIPLE_CHOICE, label="Einsatzfelder",
                      choices=["Auto", "Bahn", "Luft"], position=3)
    hidden = Question(edition_id=edition.id, kind=QuestionKind.SHORT_TEXT, label="Interne Frage", position=4,
                      visibility=Visibility.ORGANISERS, max_length=10)
    db.session.add_all([year, patent, fields, hidden])
    db.session.commit()
    user = make_user()
    entry = make_entry(company=make_company(user), category=make_category(edition))
    login_as(user)
    page = client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    assert "Gründungsjahr" in page and "Patent angemeldet?" in page and "Einsatzfelder" in page
    assert "Für die Einreichung fehlt noch" in page

    form = {"title": entry.title, "summary": entry.summary, "description": entry.description,
            "implementation": entry.implementation, "regional_benefit": entry.regional_benefit,
            "lock_version": entry.lock_version, f"q_{year.id}": "neunzehnhundert", f"q_{patent.id}": "no",
            f"q_{fields.id}": ["Bahn", "Mond"], f"q_{hidden.id}": "viel zu lang für zehn"}
    response = client.post(f"/entries/{entry.id}/edit", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "einzelne Angaben aber nicht" in page
    assert f'id="q_{year.id}-error"' in page and 'value="neunzehnhundert"' in page  # kept on screen
    assert "Bitte geben Sie eine Zahl ein" in page and "nur angebotene Antworten" in page
    assert "höchstens 10 Zeichen" in page
    answers = {a.question_id: a.value for a in db.session.scalars(db.select(Answer))}
    assert answers == {patent.id: False}  # the valid answer is saved, the invalid ones are not

    db.session.refresh(entry)
    form.update({f"q_{year.id}": "1990", f"q_{fields.id}": ["Luft", "Auto"], f"q_{hidden.id}": "kurz",
                 "lock_version": entry.lock_version})
    assert client.post(f"/entries/{entry.id}/edit", data=form).status_code == 302
    answers = {a.question_id: a.value for a in db.session.scalars(db.select(Answer))}
    assert answers == {year.id: 1990, patent.id: False, fields.id: ["Auto", "Luft"], hidden.id: "kurz"}
    assert "Für die Einreichung fehlt noch" not in client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)


def test_answered_question_is_archived_only_when_confirmed(client, login_as, organiser, make_entry, edition,
                                                           make_category):
    question = Question(edition_id=edition.id, kind=QuestionKind.SHORT_TEXT, label="Partner", position=1)
    unused = Question(edition_id=edition.id, kind=QuestionKind.SHORT_TEXT, label="Unbenutzt", position=2)
    db.session.add_all([question, unused])
    db.session.commit()
    entry = make_entry(category=make_category(edition))
    db.session.add(Answer(entry_id=entry.id, question_id=question.id, value="TU Chemnitz"))
    db.session.commit()
    login_as(organiser)
    base = f"/organisation/editions/{edition.id}/questions"

    response = client.post(f"{base}/{question.id}/delete", follow_redirects=True)
    assert "kann nicht gelöscht, nur archiviert werden" in response.get_data(as_text=True)
    assert db.session.get(Question, question.id).archived_at is None

    client.post(f"{base}/{question.id}/delete", data={"confirm_archive": "y"})
    db.session.expire_all()
    assert db.session.get(Question, question.id).archived_at is not None
    assert db.session.scalar(db.select(Answer)).value == "TU Chemnitz"

    client.post(f"{base}/{unused.id}/delete")
    assert db.session.get(Question, unused.id) is None


def test_kind_of_answered_question_cannot_change(client, login_as, organiser, make_entry, edition, make_category):
    question = Question(edition_id=edition.id, kind=QuestionKind.SINGLE_CHOICE, label="Größe",
                        choices=["klein", "groß"], position=1)
    db.session.add(question)
    db.session.commit()
    entry = make_entry(category=make_category(edition))
    db.session.add(Answer(entry_id=entry.id, question_id=question.id, value="klein"))
    db.session.commit()
    login_as(organiser)
    url = f"/organisation/editions/{edition.id}/questions/{question.id}/edit"
    page = client.post(url, data={"label": "Größe", "kind": "number", "visibility": "jury"}).get_data(as_text=True)
    assert "die Art der Frage kann nicht mehr geändert werden" in page
    page = client.post(url, data={"label": "Größe", "kind": "single_choice", "visibility": "jury",
                                  "choices": "groß\nmittel"}).get_data(as_text=True)
    assert "nicht entfernt werden" in page
    ok = client.post(url, data={"label": "Größe", "kind": "single_choice", "visibility": "jury",
                                "choices": "klein\ngroß\nmittel"})
    assert ok.status_code == 302
    db.session.refresh(question)
    assert question.choices == ["klein", "groß", "mittel"]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.JUROR])
def test_only_organisers_manage_questions(client, login_as, make_user, edition, role):
    login_as(make_user(roles=(role,)))
    assert client.get(f"/organisation/editions/{edition.id}/questions").status_code == 403
    assert add(client, edition, label="X").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0
