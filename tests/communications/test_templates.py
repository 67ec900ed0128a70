"""Editable mail templates: system mails use the organisers' version per language, checked when saved."""

from __future__ import annotations

import pytest

from competition.accounts.models import Role
from competition.communications import services
from competition.communications.models import MailTemplate
from competition.core.clock import utcnow
from competition.core.errors import ValidationFailed
from competition.extensions import db
from tests.accounts.test_registration import FORM


def test_the_list_shows_every_system_template_per_language(client, login_as, organiser):
    login_as(organiser)
    page = client.get("/organisation/mail-templates").get_data(as_text=True)
    for key in ("verify_email", "jury_reminder", "receipt", "invitation"):
        assert f"/organisation/mail-templates/{key}/de" in page
        assert f"/organisation/mail-templates/{key}/en" in page
    assert "Registrierung: E-Mail-Adresse bestätigen" in page


def test_an_edited_system_mail_is_sent_in_its_language_and_reset_brings_back_the_file(app, client, login_as, organiser,
                                                                                       outbox, make_user):
    login_as(organiser)
    edit = client.get("/organisation/mail-templates/verify_email/de").get_data(as_text=True)
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse" in edit  # starts from the file's text
    assert "user.full_name" in edit and "{{ link }}" in edit  # the placeholders it can use

    preview = client.post("/organisation/mail-templates/verify_email/de", data={
        "subject": "Willkommen, {{ user.full_name }}!", "body": "Hallo {{ user.full_name }},\nbitte hier: {{ link }}",
        "action": "preview"}).get_data(as_text=True)
    assert "Willkommen, Anna Schubert!" in preview  # sample data
    assert db.session.scalar(db.select(db.func.count()).select_from(MailTemplate)) == 0  # preview saves nothing

    response = client.post("/organisation/mail-templates/verify_email/de", data={
        "subject": "Willkommen, {{ user.full_name }}!", "body": "Hallo {{ user.full_name }},\nbitte hier: {{ link }}",
        "action": "save"})
    assert response.headers["Location"].endswith("/organisation/mail-templates/verify_email/de")
    client.post("/logout")

    client.post("/register", data=FORM)
    assert outbox[-1].subject == "Willkommen, Anna Schubert!"
    assert outbox[-1].body.startswith("Hallo Anna Schubert,\nbitte hier: http")
    assert "/verify/" in outbox[-1].body

    from competition.accounts.mails import send_verification_mail

    with app.test_request_context():
        send_verification_mail(make_user(email="en@firma.example", locale="en"), "token")
    english = outbox[-1]
    assert english.to == ["en@firma.example"] and "Willkommen" not in english.subject  # English: still the file

    login_as(organiser)
    client.post("/organisation/mail-templates/verify_email/de/reset")
    assert db.session.scalar(db.select(db.func.count()).select_from(MailTemplate)) == 0
    client.post("/logout")
    client.post("/register", data={**FORM, "email": "drei@firma.example"})
    assert outbox[-1].subject == "Bitte bestätigen Sie Ihre E-Mail-Adresse"


@pytest.mark.parametrize(("body", "message"), [
    ("Hallo {{ user.full_name }\n", "Zeile 1"),
    ("Hallo\n\n{% if link %}{{ link }}\n", "Zeile 3"),
    ("Hallo {{ vorname }}", "Unbekannter Platzhalter"),
    ("{{ user.__class__.__mro__ }}", "nicht erlaubt"),
])
def test_a_broken_or_unsafe_template_is_refused_at_save_with_line_and_message(client, login_as, organiser, body,
                                                                              message):
    login_as(organiser)
    page = client.post("/organisation/mail-templates/verify_email/de",
                       data={"subject": "Betreff", "body": body, "action": "save"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert message in text and 'aria-invalid="true"' in text
    assert db.session.scalar(db.select(db.func.count()).select_from(MailTemplate)) == 0


def test_the_sandbox_hides_internals_of_database_rows(app, make_user, organiser, outbox):
    """Even a stored template (e.g. edited in the database) cannot read password hashes or call methods."""
    user = make_user(full_name="Berta Beispiel")
    db.session.add(MailTemplate(key="reset_password", locale="de", subject="Hallo",
                                body="{{ user.full_name }}|{{ user.password_hash }}|{{ user.query }}"))
    db.session.commit()
    from competition.accounts.mails import send_reset_mail

    with app.test_request_context():
        assert send_reset_mail(user, "token") is True
    # Forbidden attributes come out empty (and are refused outright when an organiser saves such a template).
    assert outbox[-1].subject == "Hallo"
    assert outbox[-1].body == "Berta Beispiel||"
    assert user.password_hash not in outbox[-1].body


def test_a_stored_template_that_fails_at_send_time_falls_back_to_the_file(app, make_user, outbox):
    user = make_user(full_name="Berta Beispiel")
    db.session.add(MailTemplate(key="reset_password", locale="de", subject="Hallo", body="{{ 1 / 0 }}"))
    db.session.commit()
    from competition.accounts.mails import send_reset_mail

    with app.test_request_context():
        assert send_reset_mail(user, "token") is True
    assert outbox[-1].subject == "Passwort zurücksetzen" and "Berta Beispiel" in outbox[-1].body


def test_services_refuse_unknown_templates_and_locales(organiser):
    with pytest.raises(ValidationFailed):
        services.save_system_template(key="gibt_es_nicht", locale="de", subject="x", body="y", by=organiser,
                                      now=utcnow())
    with pytest.raises(ValidationFailed):
        services.save_system_template(key="verify_email", locale="fr", subject="x", body="y", by=organiser,
                                      now=utcnow())


def test_custom_templates_for_group_mails(client, login_as, organiser, make_edition):
    make_edition()
    login_as(organiser)
    response = client.post("/organisation/mail-templates/new", data={
        "name": "Erinnerung Einreichung", "locale": "de", "subject": "Frist: {{ deadline }}",
        "body": "Guten Tag {{ name }}, Ihr Beitrag {{ entry_title }} …", "action": "save"})
    assert response.headers["Location"].endswith("/organisation/mail-templates/eigene-erinnerung-einreichung/de")
    page = client.get("/organisation/mail-templates").get_data(as_text=True)
    assert "Erinnerung Einreichung" in page
    assert "/organisation/communications/new?template=eigene-erinnerung-einreichung" in page
    english = client.get("/organisation/mail-templates/eigene-erinnerung-einreichung/en")
    assert english.status_code == 200 and "Frist: {{ deadline }}" in english.get_data(as_text=True)
    saved = client.post("/organisation/mail-templates/eigene-erinnerung-einreichung/en", data={
        "name": "Erinnerung Einreichung", "subject": "Deadline: {{ deadline }}", "body": "Dear {{ name }}",
        "action": "save"})
    assert saved.headers["Location"].endswith("/eigene-erinnerung-einreichung/en")
    english = services.find_template("eigene-erinnerung-einreichung", "en")
    assert (english.subject, english.body) == ("Deadline: {{ deadline }}", "Dear {{ name }}")
    prefilled = client.get("/organisation/communications/new?template=eigene-erinnerung-einreichung&locale=en")
    assert "Deadline: {{ deadline }}" in prefilled.get_data(as_text=True)
    client.post("/organisation/mail-templates/eigene-erinnerung-einreichung/en/reset")
    assert services.find_template("eigene-erinnerung-einreichung", "en") is None
    assert client.get("/organisation/mail-templates/eigene-unbekannt/de").status_code == 404
    assert client.get("/organisation/mail-templates/verify_email/fr").status_code == 404


def test_mail_templates_are_for_organisers_only(client, login_as, make_user):
    login_as(make_user(roles=(Role.JUROR,)))
    assert client.get("/organisation/mail-templates").status_code == 403
    assert client.post("/organisation/mail-templates/verify_email/de",
                       data={"subject": "x", "body": "y", "action": "save"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(MailTemplate)) == 0
