"""Editable mail templates: plain text with placeholders such as {Beitragsnummer}, the organisers' version per
language, unknown placeholders refused at save with name and line, values inserted literally."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from competition.accounts.models import Role, UserRole
from competition.communications import catalog, rendering, services
from competition.communications.legacy import convert
from competition.communications.models import MailTemplate
from competition.core.clock import utcnow
from competition.core.errors import ValidationFailed
from competition.core.mail import send_mail
from competition.core.mail_text import fill, mail_kinds, unknown_placeholders
from competition.core.placeholders import NotPlain
from competition.extensions import db
from competition.judging.models import Assignment, AssignmentSource
from tests.accounts.test_registration import FORM

MAIL_FOLDER = Path(__file__).resolve().parents[2] / "templates" / "mail"
TEMPLATE_CODE = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\b_\(|gettext|\|datetime")


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(MailTemplate))


def test_no_default_template_contains_template_code_and_every_placeholder_is_listed(app):
    files = sorted(MAIL_FOLDER.glob("*/*.txt"))
    assert {f.parent.name for f in files} == {"de", "en"}
    assert {f.name for f in files if f.parent.name == "de"} == {f.name for f in files if f.parent.name == "en"}
    assert not list(MAIL_FOLDER.glob("*.txt"))  # no language-less (old) templates left
    kinds = mail_kinds()
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not TEMPLATE_CODE.search(text), f"{path}: template code"
        assert text.startswith("Subject: ")
        kind = kinds[path.stem]
        assert unknown_placeholders(text, kind.names) == [], path
    with app.test_request_context():
        for template in catalog.system_templates():  # every mail kind fills every one of its placeholders
            for texts in template.sample_texts():
                assert set(texts) == set(template.names), template.key
                assert all(isinstance(v, str) for v in texts.values())


def test_every_system_mail_renders_without_leftover_braces_in_both_languages(app, outbox):
    with app.test_request_context():
        for template in catalog.system_templates():
            for values in template.samples():
                for locale in ("de", "en"):
                    assert send_mail(to="x@firma.example", template=template.key, locale=locale, **values)
                    mail = outbox[-1]
                    assert "{" not in mail.subject + mail.body and "}" not in mail.subject + mail.body, template.key
                    assert "\n\n\n" not in mail.body
    receipt_en = [m for m in outbox if m.subject.startswith("Receipt: your entry IND-2026-0007")]
    assert receipt_en and "konzept.pdf (PDF, 1,2 MB)" in receipt_en[0].body


def test_the_list_shows_every_system_template_per_language(client, login_as, organiser):
    login_as(organiser)
    page = client.get("/organisation/mail-templates").get_data(as_text=True)
    for key in ("verify_email", "jury_reminder", "receipt", "invitation"):
        assert f"/organisation/mail-templates/{key}/de" in page
        assert f"/organisation/mail-templates/{key}/en" in page
    assert "Registrierung: E-Mail-Adresse bestätigen" in page


def test_the_editor_shows_plain_text_the_placeholder_list_and_a_preview(client, login_as, organiser):
    login_as(organiser)
    page = client.get("/organisation/mail-templates/receipt/de").get_data(as_text=True)
    assert "{{" not in page and "{%" not in page
    assert "Eingangsbestätigung: Ihr Beitrag {Beitragsnummer} ist eingegangen" in page
    assert 'data-placeholder="{Anlagenliste}"' in page and "Fertige Liste der Anlagen" in page
    assert "Eingangsbestätigung: Ihr Beitrag IND-2026-0007 ist eingegangen" in page  # the preview, from the start
    assert "- konzept.pdf (PDF, 1,2 MB)" in page
    english = client.get("/organisation/mail-templates/receipt/en").get_data(as_text=True)
    assert "Receipt: your entry {Beitragsnummer} has been received" in english


def test_an_edited_system_mail_is_sent_in_its_language_and_reset_brings_back_the_file(app, client, login_as, organiser,
                                                                                       outbox, make_user):
    login_as(organiser)
    data = {"subject": "Willkommen, {Name}!", "body": "Hallo {Name},\nbitte hier: {Link}"}
    preview = client.post("/organisation/mail-templates/verify_email/de",
                          data={**data, "action": "preview"}).get_data(as_text=True)
    assert "Willkommen, Anna Schubert!" in preview  # sample data
    assert _count() == 0  # preview saves nothing

    response = client.post("/organisation/mail-templates/verify_email/de", data={**data, "action": "save"})
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
    assert english.to == ["en@firma.example"] and english.subject == "Please confirm your email address"

    login_as(organiser)
    client.post("/organisation/mail-templates/verify_email/de/reset")
    assert _count() == 0
    client.post("/logout")
    client.post("/register", data={**FORM, "email": "drei@firma.example"})
    assert outbox[-1].subject == "Bitte bestätigen Sie Ihre E-Mail-Adresse"


@pytest.mark.parametrize(("subject", "body", "message"), [
    ("Betreff", "Hallo {Name},\n\n{Vorname}", "Unbekannter Platzhalter {Vorname} in Zeile 3"),
    ("Betreff", "Hallo {{ user.full_name }}\n", "Unbekannter Platzhalter {user.full_name} in Zeile 1"),
    ("Betreff", "Hallo\n{{ link }}", "Meinten Sie {Link}?"),
    ("Betreff", "Hallo\n\n{% if link %}x{% endif %}", "Unbekannter Platzhalter {% if link %} in Zeile 3"),
    ("Hallo {Anlagenliste}", "Text", "Unbekannter Platzhalter {Anlagenliste} in Zeile 1"),
])
def test_unknown_placeholders_are_refused_at_save_with_name_and_line(client, login_as, organiser, subject, body,
                                                                    message):
    login_as(organiser)
    page = client.post("/organisation/mail-templates/verify_email/de",
                       data={"subject": subject, "body": body, "action": "save"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert message in text and 'aria-invalid="true"' in text
    assert _count() == 0
    assert body.split("\n")[0].replace("{", "") in text.replace("{", "")  # what was typed stays in the form


def test_values_are_inserted_literally_never_evaluated():
    texts = {"Titel": "{Beitragsnummer} {{ 7*7 }} {% for x in y %}", "Beitragsnummer": "IND-1"}
    assert fill("{Titel} / {Beitragsnummer}", texts) == "{Beitragsnummer} {{ 7*7 }} {% for x in y %} / IND-1"
    rendered = rendering.render("Zu {Titel}", "a\n\n\n\n{Leer}\n\nb", {"Titel": "x\ny", "Leer": ""})
    assert rendered.subject == "Zu x y" and rendered.body == "a\n\nb"


def test_an_old_template_stored_with_code_cannot_touch_a_juror_and_the_file_is_sent(client, login_as, organiser,
                                                                                     outbox, make_user, make_entry,
                                                                                     make_round):
    """`{{ juror.role_rows.clear() }}` once removed a juror's role: now text in braces is never code."""
    juror = make_user(roles=(Role.JUROR,), email="jan@uni.example", full_name="Jan Vogel")
    entry = make_entry()
    judging_round = make_round(entry.edition)
    db.session.add(Assignment(round_id=judging_round.id, entry_id=entry.id, user_id=juror.id,
                              source=AssignmentSource.MANUAL))
    db.session.add(MailTemplate(key="jury_reminder", locale="de", subject="Erinnerung",
                                body="{{ juror.role_rows.clear() }}{Name}: {Link}",
                                conversion_note="Text, Zeile 1: {{ juror.role_rows.clear() }}"))
    db.session.commit()
    login_as(organiser)
    client.post(f"/organisation/editions/{judging_round.edition_id}/rounds/{judging_round.id}/remind")
    db.session.expire_all()
    assert [r.role for r in db.session.scalars(db.select(UserRole).where(UserRole.user_id == juror.id))] == [
        Role.JUROR]
    (mail,) = [m for m in outbox if m.to == [juror.email]]
    assert mail.subject.startswith("Erinnerung: 1 offene Bewertungen") and "Jan Vogel" in mail.body
    page = client.get("/organisation/mail-templates/jury_reminder/de").get_data(as_text=True)
    assert "nicht vollständig umgewandelt" in page and "juror.role_rows.clear()" in page


def test_templates_see_only_plain_values(app, make_user, outbox):
    user = make_user(full_name="Berta Beispiel")
    with pytest.raises(NotPlain, match="juror"), app.test_request_context():
        send_mail(to=user.email, template="jury_reminder", locale="de", juror=user, judging_round={}, open_count=1,
                  link="x")
    assert outbox == []


def test_old_templates_are_converted_and_what_cannot_be_is_reported():
    converted = convert("{{ _('Guten Tag %(name)s,', name=user.full_name) }}\n{{ link }}\n"
                        "{% if invitation.full_name %}x{% endif %}\n{{ invitation.expires_at|datetime }}",
                        key="invitation")
    assert converted.text == "Guten Tag {Name},\n{Link}\n{% if invitation.full_name %}x{% endif %}\n{Gültig-bis}"
    assert converted.problems == ("Zeile 3: {% if invitation.full_name %}", "Zeile 3: {% endif %}")
    english = convert("{{ _('Guten Tag %(name)s,', name=juror.full_name) }}", key="jury_reminder",
                      translate={"Guten Tag %(name)s,": "Dear %(name)s,"}.get)
    assert english.text == "Dear {Name}," and english.problems == ()
    group = convert("Hallo {{ name }}, Frist {{ deadline }} {{ name|upper }}", key="eigene-x")
    assert group.text == "Hallo {Name}, Frist {Frist} {{ name|upper }}"
    assert group.problems == ("Zeile 1: {{ name|upper }}",)


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
        "name": "Erinnerung Einreichung", "locale": "de", "subject": "Frist: {Frist}",
        "body": "Guten Tag {Name}, Ihr Beitrag {Beitragstitel} …", "action": "save"})
    assert response.headers["Location"].endswith("/organisation/mail-templates/eigene-erinnerung-einreichung/de")
    page = client.get("/organisation/mail-templates").get_data(as_text=True)
    assert "Erinnerung Einreichung" in page
    assert "/organisation/communications/new?template=eigene-erinnerung-einreichung" in page
    english = client.get("/organisation/mail-templates/eigene-erinnerung-einreichung/en")
    assert english.status_code == 200 and "Frist: {Frist}" in english.get_data(as_text=True)
    saved = client.post("/organisation/mail-templates/eigene-erinnerung-einreichung/en", data={
        "name": "Erinnerung Einreichung", "subject": "Deadline: {Frist}", "body": "Dear {Name}",
        "action": "save"})
    assert saved.headers["Location"].endswith("/eigene-erinnerung-einreichung/en")
    english = services.find_template("eigene-erinnerung-einreichung", "en")
    assert (english.subject, english.body) == ("Deadline: {Frist}", "Dear {Name}")
    prefilled = client.get("/organisation/communications/new?template=eigene-erinnerung-einreichung&locale=en")
    assert "Deadline: {Frist}" in prefilled.get_data(as_text=True)
    client.post("/organisation/mail-templates/eigene-erinnerung-einreichung/en/reset")
    assert services.find_template("eigene-erinnerung-einreichung", "en") is None
    assert client.get("/organisation/mail-templates/eigene-unbekannt/de").status_code == 404
    assert client.get("/organisation/mail-templates/verify_email/fr").status_code == 404


def test_a_custom_template_previews_for_a_chosen_real_person(client, login_as, organiser, world):
    login_as(organiser)
    carla = world.applicants["carla"]
    page = client.post("/organisation/mail-templates/new", data={
        "name": "Hinweis", "locale": "de", "subject": "Hallo {Name}", "body": "{Unternehmen}: {Beitragstitel}",
        "action": "preview", "preview_for": f"person-{carla.id}"}).get_data(as_text=True)
    assert f"Hallo {carla.full_name}" in page
    assert _count() == 0


def test_mail_templates_are_for_organisers_only(client, login_as, make_user):
    login_as(make_user(roles=(Role.JUROR,)))
    assert client.get("/organisation/mail-templates").status_code == 403
    assert client.post("/organisation/mail-templates/verify_email/de",
                       data={"subject": "x", "body": "y", "action": "save"}).status_code == 403
    assert _count() == 0
