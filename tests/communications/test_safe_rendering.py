"""Organisers' mail templates cannot change the database or exhaust the server.

Reproductions from the issue: `{{ juror.role_rows.clear() }}` in the reminder template removed a juror's role when
reminders were sent; `{{ 'a' * 10**9 }}` in a preview took 2.2 GB. Templates now render over plain values built
per mail kind, in a sandbox that bounds work and output.
"""

from __future__ import annotations

import tracemalloc

import pytest
from markupsafe import escape

from competition.accounts.models import Role, UserRole
from competition.communications import rendering
from competition.communications.models import MailTemplate
from competition.communications.sandbox import TemplateTooBig
from competition.core.mail import send_mail
from competition.core.placeholders import NotPlain, plain_values
from competition.extensions import db

LIMIT_BYTES = 64 * 1024 * 1024  # the preview may use a little memory, never the gigabytes the template asks for


def _juror_with_open_work(make_user, make_entry, make_round, make_assignment):
    juror = make_user(roles=(Role.JUROR,), email="jan@uni.example", full_name="Jan Vogel")
    entry = make_entry()
    judging_round = make_round(entry.edition)
    make_assignment(judging_round=judging_round, entry=entry, juror=juror)
    return juror, judging_round


def test_a_stored_template_cannot_remove_a_jurors_role_when_reminders_are_sent(client, login_as, organiser, outbox,
                                                                              make_user, make_entry, make_round,
                                                                              make_assignment):
    juror, judging_round = _juror_with_open_work(make_user, make_entry, make_round, make_assignment)
    # Stored as it was before the fix (saved when the check let it through, or written into the database).
    db.session.add(MailTemplate(key="jury_reminder", locale="de", subject="Erinnerung",
                                body="{{ juror.role_rows.clear() }}{{ juror.full_name }}: {{ link }}"))
    db.session.commit()
    login_as(organiser)
    response = client.post(f"/organisation/editions/{judging_round.edition_id}/rounds/{judging_round.id}/remind")
    assert response.status_code == 302
    db.session.expire_all()
    assert [r.role for r in db.session.scalars(db.select(UserRole).where(UserRole.user_id == juror.id))] == [
        Role.JUROR]
    (mail,) = [m for m in outbox if m.to == [juror.email]]
    assert "Jan Vogel" in mail.body and "/jury" in mail.body  # the reminder still went out (the file's text)


def test_the_editor_refuses_reaching_into_a_person_and_says_why(client, login_as, organiser):
    login_as(organiser)
    page = client.post("/organisation/mail-templates/jury_reminder/de", data={
        "subject": "Erinnerung", "body": "{{ juror.role_rows.clear() }}", "action": "save"})
    assert page.status_code == 200
    assert "Unbekannter Platzhalter" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(MailTemplate)) == 0


@pytest.mark.parametrize(("body", "message"), [
    ("{{ 'a' * 10**9 }}", "zu viel Rechenaufwand"),
    ("{% set ns = namespace(s='a') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
     "zu viel Rechenaufwand"),
    ("{{ 'a'.ljust(10**9) }}", "zu viel Rechenaufwand"),
    ("{{ '%999999999s' % 1 }}", "zu viel Rechenaufwand"),
    ("{{ '{:>999999999}'.format(1) }}", "zu viel Rechenaufwand"),
    ("{{ range(100000)|join('x' * 100000) }}", "zu viel Rechenaufwand"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "zu viel Rechenaufwand"),
    ("{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}", "zu tief"),
    ("{% set s = 'x' * 900 %}{% for i in range(1200) %}{{ s }}{% endfor %}", "mehr als 1 MB"),
    ("{% set s = 'x' * 500000 %}{% macro m() %}{% for i in range(10000) %}{{ s }}{% endfor %}{% endmacro %}"
     "{{ m()|length }}", "mehr als 1 MB"),
])
def test_a_preview_over_the_limits_is_refused_quickly_with_a_message(client, login_as, organiser, body, message):
    login_as(organiser)
    tracemalloc.start()
    try:
        page = client.post("/organisation/mail-templates/verify_email/de",
                           data={"subject": "Betreff", "body": body, "action": "preview"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and message in text and 'aria-invalid="true"' in text
    assert str(escape(body)) in text  # what was typed stays in the form
    assert peak < LIMIT_BYTES, f"the preview allocated {peak / 1e6:.0f} MB"


def test_the_save_check_runs_every_variant_of_the_sample_data(client, login_as, organiser):
    """A mistake in a branch only some mails reach (a receipt without attachments, an invitation without a name,
    a group mail to jurors) is found at save time, not when the mail is sent."""
    login_as(organiser)
    cases = [
        ("receipt", "{% if data.attachments %}{{ data.entry.title }}{% else %}{{ data.gibt_es_nicht }}{% endif %}"),
        ("invitation", "{% if invitation.full_name %}{{ link }}{% else %}{{ invitation.vorname }}{% endif %}"),
    ]
    for key, body in cases:
        page = client.post(f"/organisation/mail-templates/{key}/de",
                           data={"subject": "Betreff", "body": body, "action": "save"})
        assert "Unbekannter Platzhalter" in page.get_data(as_text=True), key
    custom = client.post("/organisation/mail-templates/new", data={
        "name": "Nur Unternehmen", "locale": "de", "subject": "Hallo {{ name }}",
        "body": "{% if company %}{{ company }}{% else %}{{ 1 / 0 }}{% endif %}", "action": "save"})
    assert "lässt sich nicht anwenden" in custom.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(MailTemplate)) == 0


def test_templates_see_only_plain_values(app, make_user, outbox):
    user = make_user(full_name="Berta Beispiel")
    with pytest.raises(NotPlain, match="user"):
        rendering.render("Hallo", "{{ user.full_name }}", {"user": user})
    with pytest.raises(NotPlain, match="juror"), app.test_request_context():
        send_mail(to=user.email, template="jury_reminder", locale="de", juror=user, judging_round={}, open_count=1,
                  link="x")
    assert outbox == []
    values = plain_values({"user": {"full_name": "A", "tags": ("x", "y")}, "n": 3})
    assert values == {"user": {"full_name": "A", "tags": ["x", "y"]}, "n": 3}


def test_lists_and_dicts_in_plain_values_cannot_be_changed_by_a_template():
    values = {"data": {"attachments": [{"name": "a.pdf"}]}}
    with pytest.raises(Exception, match="unsafe"):
        rendering.render("x", "{{ data.attachments.append(1) }}{{ data.clear() }}", values, strict=True)
    assert values == {"data": {"attachments": [{"name": "a.pdf"}]}}


def test_a_normal_template_with_loops_and_filters_still_renders(app):
    with app.test_request_context():
        rendered = rendering.render(
            "Eingang {{ data.entry.number }}",
            "{% for a in data.attachments %}- {{ a.name|upper }} ({{ a.size_text }})\n{% endfor %}"
            "{{ data.attachments|map(attribute='name')|join(', ') }} / {{ '%s von %s'|replace('von', 'aus') }}",
            {"data": {"entry": {"number": "IND-7"},
                      "attachments": [{"name": "a.pdf", "size_text": "1 MB"}, {"name": "b.png", "size_text": "2 KB"}]}})
    assert rendered.subject == "Eingang IND-7"
    assert rendered.body == "- A.PDF (1 MB)\n- B.PNG (2 KB)\na.pdf, b.png / %s aus %s"


def test_a_template_that_grows_too_big_for_a_recipient_falls_back_to_the_file(app, make_user, outbox):
    user = make_user(full_name="Berta Beispiel")
    db.session.add(MailTemplate(key="reset_password", locale="de", subject="Hallo",
                                body="{{ user.full_name * 100000 }}"))
    db.session.commit()
    from competition.accounts.mails import send_reset_mail

    with app.test_request_context():
        assert send_reset_mail(user, "token") is True
    assert outbox[-1].subject == "Passwort zurücksetzen"
    with pytest.raises(TemplateTooBig):
        rendering.render("x", "{{ user.full_name * 100000 }}", {"user": {"full_name": "Berta Beispiel"}})


def test_a_group_mail_that_fails_for_one_person_is_reported_not_a_crash(inline, world, client, login_as, organiser,
                                                                        outbox):
    """The samples pass, but one recipient's own values push the template over the limit: the preview says so,
    and the sending job records that person's mail as failed with the reason and sends the others."""
    from competition.communications.models import MailLog, MailStatus

    body = "Guten Tag {{ name }}{% if 'Kreislauf' in entry_title %}{{ entry_title * 100000 }}{% endif %}"
    form = {"edition_id": world.edition.id, "audience": "applicants", "category_id": "", "subject": "Hinweis",
            "body": body, "template_key": ""}
    login_as(organiser)
    carla = world.applicants["carla"]
    page = client.post("/organisation/communications/new", data={**form, "action": "preview",
                                                                   "preview_user_id": carla.id})
    assert page.status_code == 200 and "zu viel Rechenaufwand" in page.get_data(as_text=True)
    client.post("/organisation/communications/new", data={**form, "action": "send"})
    assert sorted(m.to[0] for m in outbox) == ["anna@praezision.example", "bernd@praezision.example"]
    row = db.session.scalar(db.select(MailLog).where(MailLog.user_id == carla.id))
    assert row.status is MailStatus.FAILED and "lässt sich für diese Person nicht anwenden" in row.error
