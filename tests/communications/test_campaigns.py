"""Group mails: audiences, preview, background sending, the log, and no duplicate mails on retry."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from flask_mailman import EmailMessage

from competition.accounts.models import Role
from competition.communications.audiences import recipients
from competition.communications.models import Audience, Campaign, MailLog, MailStatus
from competition.core.clock import utcnow
from competition.extensions import db
from competition.jobs import Job, JobStatus, runner

BODY = "Guten Tag {Name},\nIhr Beitrag: {Beitragstitel} ({Kategorie}).\nFrist: {Frist}\n{Link}"


def _emails(world, audience, category=None):
    people = recipients(edition=world.edition, audience=audience, category_id=category.id if category else None,
                        now=utcnow())
    return sorted(p.user.email for p in people)


def test_audiences(world):
    assert _emails(world, Audience.APPLICANTS) == ["anna@praezision.example", "bernd@praezision.example",
                                                   "carla@kreislauf.example"]  # not the withdrawn entry's company
    assert _emails(world, Audience.CATEGORY, world.categories[0]) == ["anna@praezision.example",
                                                                      "bernd@praezision.example"]
    assert _emails(world, Audience.FINALISTS) == ["carla@kreislauf.example"]
    assert _emails(world, Audience.JURORS_OPEN) == ["jana@uni.example"]
    assert _emails(world, Audience.JURORS) == ["jana@uni.example", "karl@uni.example", "lea@uni.example"]
    jana = next(p for p in recipients(edition=world.edition, audience=Audience.JURORS_OPEN, category_id=None,
                                      now=utcnow()))
    assert jana.fields["open_count"] == 1


def _form(world, **overrides):
    data = {"edition_id": world.edition.id, "audience": "applicants", "category_id": "", "subject": "Hinweis zur Frist",
            "body": BODY, "template_key": ""}
    data.update(overrides)
    return data


def test_preview_for_one_chosen_recipient_then_send_in_the_background(inline, world, client, login_as, organiser,
                                                                      outbox):
    login_as(organiser)
    assert "Empfängergruppe" in client.get("/organisation/communications/new").get_data(as_text=True)
    bernd = world.applicants["bernd"]
    page = client.post("/organisation/communications/new",
                       data=_form(world, action="preview", preview_user_id=bernd.id)).get_data(as_text=True)
    assert "3 Empfänger" in page
    assert "Vorschau für Bernd Klein" in page
    assert "Guten Tag Bernd Klein,\nIhr Beitrag: Adaptive Spannvorrichtung (Mobilität)." in page
    assert "http://localhost/dashboard" in page
    assert outbox == [] and db.session.scalar(db.select(db.func.count()).select_from(Campaign)) == 0

    response = client.post("/organisation/communications/new", data=_form(world, action="send"))
    campaign = db.session.scalars(db.select(Campaign)).one()
    assert response.headers["Location"].endswith(f"/organisation/communications/{campaign.id}")
    assert campaign.job.status == JobStatus.DONE and campaign.job.message == "3 von 3 E-Mails versandt."
    assert sorted(m.to[0] for m in outbox) == _emails(world, Audience.APPLICANTS)
    carla_mail = next(m for m in outbox if m.to == ["carla@kreislauf.example"])
    assert carla_mail.subject == "Hinweis zur Frist"
    assert carla_mail.body.startswith("Guten Tag Carla Roth,\nIhr Beitrag: Digitaler Kreislauf (Digitalisierung).")
    assert "http://localhost/dashboard" in carla_mail.body

    detail = client.get(f"/organisation/communications/{campaign.id}").get_data(as_text=True)
    for email in _emails(world, Audience.APPLICANTS):
        assert email in detail
    assert "versandt: 3" in detail and "fehlgeschlagen: 0" in detail
    listing = client.get("/organisation/communications").get_data(as_text=True)
    assert "Hinweis zur Frist" in listing and "Alle Einreichenden der Ausschreibung" in listing


def test_jurors_get_their_open_work_and_the_round_deadline(inline, world, client, login_as, organiser, outbox):
    login_as(organiser)
    client.post("/organisation/communications/new", data=_form(
        world, audience="jurors_open", subject="Noch {Offene-Bewertungen} offen", body="{Name}: {Link}",
        action="send"))
    assert [(m.to, m.subject) for m in outbox] == [(["jana@uni.example"], "Noch 1 offen")]
    assert outbox[0].body == "Jana Jury: http://localhost/jury"


def test_bad_input_is_refused_with_a_message(inline, world, client, login_as, organiser, outbox):
    login_as(organiser)
    broken = client.post("/organisation/communications/new",
                         data=_form(world, body="Hallo {Name", action="send")).get_data(as_text=True)
    assert "Zeile 1" in broken
    unknown = client.post("/organisation/communications/new",
                          data=_form(world, body="Hallo {Vorname}", action="preview")).get_data(as_text=True)
    assert "Unbekannter Platzhalter" in unknown
    no_category = client.post("/organisation/communications/new",
                              data=_form(world, audience="category", action="send")).get_data(as_text=True)
    assert "Bitte wählen Sie eine Kategorie dieser Ausschreibung." in no_category
    world.entries["kreis"].status = "submitted"
    db.session.commit()
    empty = client.post("/organisation/communications/new",
                        data=_form(world, audience="finalists", action="send")).get_data(as_text=True)
    assert "keine Empfängerinnen und Empfänger" in empty
    assert outbox == [] and db.session.scalar(db.select(db.func.count()).select_from(Campaign)) == 0


class WorkerDied(BaseException):
    """What a killed worker looks like from inside: the run stops and nothing after it happens."""


def _start(client, world, **overrides):
    client.post("/organisation/communications/new", data=_form(world, action="send", **overrides))


def test_a_retried_campaign_never_mails_anyone_twice(inline, world, client, login_as, organiser, outbox,
                                                     monkeypatch, make_user, make_company, make_entry):
    for n in range(3):  # six recipients in all
        make_entry(company=make_company(make_user(full_name=f"Person Extra {n}")), category=world.categories[1])
    login_as(organiser)
    original = runner.JobContext.progress

    def dies_halfway(self, done, total=None):
        original(self, done, total)
        if self.job.attempts == 1 and done == 3:
            raise WorkerDied

    monkeypatch.setattr(runner.JobContext, "progress", dies_halfway)
    with pytest.raises(WorkerDied):
        _start(client, world)
    db.session.remove()  # the dead run's session
    job = db.session.scalars(db.select(Job)).one()
    assert job.status == JobStatus.RUNNING and len(outbox) == 3

    actions = runner.recover(now=utcnow() + timedelta(minutes=30))
    assert [a for _, a in actions] == ["requeued"]
    db.session.commit()  # the retry runs (inline) after this commit
    db.session.refresh(job)
    assert job.status == JobStatus.DONE and job.attempts == 2
    counts = Counter(m.to[0] for m in outbox)
    assert len(counts) == 6 and set(counts.values()) == {1}  # everyone exactly once
    assert db.session.scalar(db.select(db.func.count()).select_from(MailLog)
                             .where(MailLog.status == MailStatus.SENT)) == 6


def test_a_crash_during_a_send_is_reported_as_uncertain_and_not_repeated(inline, world, client, login_as, organiser,
                                                                         outbox, monkeypatch):
    login_as(organiser)
    original = EmailMessage.send
    calls = []

    def send_then_die(self, *args, **kwargs):
        calls.append(self.to[0])
        result = original(self, *args, **kwargs)
        if len(calls) == 2:
            raise WorkerDied  # the mail left, the worker died before it could write that down
        return result

    monkeypatch.setattr(EmailMessage, "send", send_then_die)
    with pytest.raises(WorkerDied):
        _start(client, world)
    db.session.remove()  # the dead run's session
    runner.recover(now=utcnow() + timedelta(minutes=30))
    db.session.commit()
    assert sorted(m.to[0] for m in outbox) == _emails(world, Audience.APPLICANTS)  # each once
    uncertain = db.session.scalars(db.select(MailLog).where(MailLog.status == MailStatus.UNCERTAIN)).one()
    assert uncertain.address == calls[1]
    campaign = db.session.scalars(db.select(Campaign)).one()
    assert "bei 1 ist die Zustellung unklar" in campaign.job.message
    detail = client.get(f"/organisation/communications/{campaign.id}").get_data(as_text=True)
    assert "unklar: 1" in detail and "nicht erneut gesendet" in detail


def test_smtp_down_failures_are_logged_and_sent_on_the_retry(inline, world, client, login_as, organiser, outbox,
                                                              monkeypatch):
    login_as(organiser)
    original = EmailMessage.send
    down_for = {"carla@kreislauf.example"}

    def flaky(self, *args, **kwargs):
        if self.to[0] in down_for:
            down_for.discard(self.to[0])
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    _start(client, world)
    campaign = db.session.scalars(db.select(Campaign)).one()
    job = campaign.job
    assert job.status == JobStatus.DONE and job.attempts == 2  # the job's retry sent the failed one
    assert sorted(m.to[0] for m in outbox) == _emails(world, Audience.APPLICANTS)
    carla = db.session.scalars(db.select(MailLog).where(MailLog.address == "carla@kreislauf.example")).one()
    assert carla.status == MailStatus.SENT and carla.attempts == 2


def test_smtp_down_for_good_fails_the_job_and_the_organiser_sees_why(inline, world, client, login_as, organiser,
                                                                     outbox, monkeypatch):
    login_as(organiser)

    def down(self, *args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(EmailMessage, "send", down)
    _start(client, world)
    campaign = db.session.scalars(db.select(Campaign)).one()
    assert campaign.job.status == JobStatus.FAILED and campaign.job.attempts == 3
    assert "nach 3 Versuchen abgebrochen" in campaign.job.message
    assert "3 von 3 E-Mails konnten nicht zugestellt werden" in campaign.job.message
    assert outbox == []
    detail = client.get(f"/organisation/communications/{campaign.id}").get_data(as_text=True)
    assert "fehlgeschlagen: 3" in detail and "Connection refused" in detail
    assert "Einige E-Mails konnten nicht zugestellt werden" in detail


def test_communications_are_for_organisers_only(inline, world, client, login_as, make_user, outbox):
    login_as(make_user(roles=(Role.JUROR,)))
    assert client.get("/organisation/communications").status_code == 403
    assert client.get("/organisation/communications/new").status_code == 403
    assert client.post("/organisation/communications/new", data=_form(world, action="send")).status_code == 403
    assert outbox == [] and db.session.scalar(db.select(db.func.count()).select_from(Campaign)) == 0
