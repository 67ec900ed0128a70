"""Links in mails and on certificates come from BASE_URL, never from the request's Host or X-Forwarded-Host header;
requests for a host the platform does not serve are refused.

The attack: `POST /password/forgot` with `Host: evil.example` made the platform mail a valid reset link to
`http://evil.example/password/reset/<token>`; one click by the owner hands the token to the attacker's server.
"""

from __future__ import annotations

import importlib
import io
import re

import pytest
from pypdf import PdfReader

from competition import create_app
from competition.core.urls import BaseUrlInvalid, external_url, parse_base_url, trusted_hosts
from competition.extensions import db
from config import ProductionConfig
from tests.conftest import PASSWORD

BASE = "https://wettbewerb.example"
URL = re.compile(r"https?://[^\s<>\"']+")


def mail_outbox(app) -> list:
    mail = app.extensions["mailman"]
    if not hasattr(mail, "outbox"):
        mail.outbox = []
    mail.outbox.clear()
    return mail.outbox


def links(messages) -> list[str]:
    return [url for message in messages for url in URL.findall(message.subject + "\n" + message.body)]


@pytest.fixture
def public_app(make_app):
    """The platform as deployed: a public BASE_URL, and an internal name (e.g. the health check's) also served."""
    return make_app(BASE_URL=BASE, TRUSTED_HOSTS_EXTRA=("intern.example",))


def test_a_reset_request_for_a_foreign_host_is_refused_and_mails_nothing(public_app, make_user):
    user = make_user(email="owner@firma.example")
    outbox = mail_outbox(public_app)
    response = public_app.test_client().post("/password/forgot", data={"email": user.email},
                                             headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert outbox == []


def test_the_reset_link_is_built_from_base_url_whatever_host_the_request_names(public_app, make_user):
    user = make_user(email="owner@firma.example")
    outbox = mail_outbox(public_app)
    client = public_app.test_client()
    response = client.post("/password/forgot", data={"email": user.email}, headers={"Host": "intern.example"})
    assert response.status_code == 200
    (link,) = [url for url in links(outbox) if "/password/reset/" in url]
    assert link.startswith(BASE + "/password/reset/")
    assert "intern.example" not in outbox[0].body
    # and the link works on the platform
    assert client.get(link.removeprefix(BASE)).status_code == 200


@pytest.mark.parametrize("host_setting", [0, 1])
def test_x_forwarded_host_never_reaches_a_mail(make_app, make_user, host_setting):
    """Behind a proxy (PROXY_FIX_X_FOR=1) X-Forwarded-Host is ignored by default; trusted explicitly, a foreign
    forwarded host is refused like a foreign Host header. Either way no mail names it."""
    app = make_app(BASE_URL=BASE, PROXY_FIX_X_FOR=1, PROXY_FIX_X_HOST=host_setting)
    user = make_user(email="owner@firma.example")
    outbox = mail_outbox(app)
    response = app.test_client().post("/password/forgot", data={"email": user.email},
                                      headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-For": "203.0.113.9",
                                               "X-Forwarded-Proto": "https"})
    assert response.status_code == (200 if host_setting == 0 else 400)
    assert all("evil.example" not in m.body for m in outbox)
    assert all(url.startswith(BASE + "/") for url in links(outbox))
    assert len(outbox) == (1 if host_setting == 0 else 0)


def test_pages_for_an_unknown_host_are_refused_in_german(public_app):
    client = public_app.test_client()
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
    assert client.get("/", headers={"Host": "wettbewerb.example"}).status_code == 200
    assert client.get("/", headers={"Host": "wettbewerb.example:443"}).status_code == 200
    assert client.get("/", headers={"Host": "intern.example"}).status_code == 200
    assert client.get("/").status_code == 200  # the test client (localhost) outside production


def test_trusted_hosts_come_from_base_url_the_setting_and_loopback_outside_production():
    production = {"BASE_URL": BASE, "TRUSTED_HOSTS_EXTRA": ("app1.intern",), "ENV_NAME": "production"}
    assert trusted_hosts(production) == ["wettbewerb.example", "app1.intern"]
    development = {"BASE_URL": "http://127.0.0.1:5000", "TRUSTED_HOSTS_EXTRA": "", "ENV_NAME": "development"}
    assert trusted_hosts(development) == ["127.0.0.1", "localhost", "::1"]


@pytest.mark.parametrize("value", [None, "", "wettbewerb.example", "ftp://wettbewerb.example", "https://",
                                   "https://wettbewerb.example/?x=1", "https://user:pw@wettbewerb.example"])
def test_a_base_url_that_is_not_a_public_address_is_refused(value):
    with pytest.raises(BaseUrlInvalid, match="BASE_URL"):
        parse_base_url(value)


def test_production_refuses_to_start_without_base_url(monkeypatch):
    with pytest.raises(RuntimeError, match="BASE_URL"):
        ProductionConfig.validate({"SECRET_KEY": "x" * 48, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("COMPETITION_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("BASE_URL", raising=False)
    import config

    importlib.reload(config)
    try:
        with pytest.raises(RuntimeError, match="BASE_URL must be set"):
            create_app()
        monkeypatch.setenv("BASE_URL", "https://wettbewerb.example/")
        importlib.reload(config)
        app = create_app()
        assert app.config["BASE_URL"] == "https://wettbewerb.example"
        assert app.config["TRUSTED_HOSTS"] == ["wettbewerb.example"]  # no loopback names in production
    finally:
        monkeypatch.undo()
        importlib.reload(config)


def test_external_url_keeps_a_path_prefix_and_works_outside_requests(make_app):
    app = make_app(BASE_URL="https://example.org/wettbewerb/")
    with app.app_context():
        assert external_url("accounts.reset_password", token="abc") == (
            "https://example.org/wettbewerb/password/reset/abc")
        assert external_url("jury_admin.jury", edition_id=3, _anchor="runde-1").endswith("/jury#runde-1")
    with app.test_request_context("/", base_url="http://localhost:8080"):
        assert external_url("accounts.login") == "https://example.org/wettbewerb/login"


def test_certificates_carry_base_url_whatever_host_the_organiser_used(public_app, make_edition, make_round,
                                                                      make_category, make_criterion, make_company,
                                                                      make_entry, make_user, organiser):
    from competition.jobs import Job, JobStatus
    from competition.rankings.models import Certificate
    from tests.rankings.snapshot_factory import make_snapshot, publish

    snapshot = make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user)
    publish(snapshot)  # valid certificates (with codes) come only from the published snapshot
    db.session.commit()
    client = public_app.test_client()
    headers = {"Host": "intern.example"}
    assert client.post("/login", data={"email": organiser.email, "password": PASSWORD},
                       headers=headers).status_code == 302
    response = client.post(f"/organisation/editions/{snapshot.edition_id}/rankings/snapshots/{snapshot.id}"
                           "/bulk/certificates", headers=headers)
    assert response.status_code == 302, response.get_data(as_text=True)
    job = db.session.scalar(db.select(Job).where(Job.kind == "rankings.certificates"))
    db.session.refresh(job)
    assert job.status is JobStatus.DONE, job.message
    assert "base_url" not in job.params  # nothing from the request is handed to the job
    pdf = client.get(f"/organisation/jobs/{job.id}/download", headers=headers)
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages))
    codes = db.session.scalars(db.select(Certificate.code)).all()
    assert codes and all(f"{BASE}/verify/certificate/{code}" in text for code in codes)
    assert "intern.example" not in text and "localhost" not in text


def test_every_mail_kind_links_to_base_url_whatever_host_the_request_names(public_app, make_user, make_company,
                                                                            make_entry, make_edition, make_round,
                                                                            organiser):
    """Each sender, called while serving a request for another (trusted) host: every link starts with BASE_URL."""
    from datetime import timedelta

    from competition.accounts import mails as account_mails
    from competition.accounts.models import Invitation, Role
    from competition.communications.audiences import Recipient
    from competition.communications.tasks import personalise
    from competition.core.clock import utcnow
    from competition.entries import mails as entry_mails
    from competition.judging import mails as judging_mails
    from competition.judging import notices
    from competition.rankings import mails as ranking_mails

    user = make_user(email="anna@firma.example", pending_email="neu@firma.example")
    juror = make_user(roles=(Role.JUROR,), email="jan@uni.example")
    entry = make_entry(number="IND-1", company=make_company(user))
    judging_round = make_round(entry.edition)
    invitation = Invitation(email="neu@uni.example", role=Role.JUROR, expires_at=utcnow() + timedelta(days=14))
    content = {"edition": {"name": "Industrie. Neu. Denken. 2026", "slug": "ind-2026"},
               "entries": {str(entry.id): {"number": "IND-1", "title": "Spannvorrichtung"}}}
    outbox = mail_outbox(public_app)
    with public_app.test_request_context("/password/forgot", base_url="http://intern.example"):
        assert account_mails.send_verification_mail(user, "t1")
        assert account_mails.send_already_registered_mail(user)
        assert account_mails.send_reset_mail(user, "t2")
        assert account_mails.send_email_change_mail(user, "t3")
        assert account_mails.send_invitation_mail(invitation, "t4")
        assert entry_mails.send_company_invite(to="kollege@firma.example", locale="de", company=entry.company,
                                               inviter=user, token="t5")
        assert judging_mails.send_jury_reminder(juror=juror, judging_round=judging_round, open_count=2)
        described = {"entry": {"number": "IND-1", "title": entry.title}, "company": {"legal_name": "Firma"},
                     "edition_id": entry.edition_id, "blind": False, "reason": "Kunde", "withdrawal_reason": None}
        assert notices.tell_declared(described=described, juror=juror, outcome="declared", affected=[]) == 1
        assert ranking_mails.send_results_mail(user=user, locale="de", content=content, entry_id=str(entry.id),
                                               outcome="Finale.", attachment=("r.pdf", b"%PDF", "application/pdf"))
        group = personalise("Hallo", "Ihr Link: {Link}", Recipient(user=juror, kind="juror", fields={}))
    expected = {"/verify/t1", "/login", "/password/forgot", "/password/reset/t2", "/account/email/confirm/t3",
                "/invitation/t4", "/company/join/t5", "/jury",
                f"/organisation/editions/{entry.edition_id}/jury#befangenheiten",
                "/ergebnisse/ind-2026"}
    found = links(outbox) + URL.findall(group.body)
    assert len(outbox) == 9 and len(found) == 11
    assert all(url.startswith(BASE + "/") for url in found), found
    assert {url.removeprefix(BASE) for url in found} == expected
    assert not any("intern.example" in m.body or "localhost" in m.body for m in outbox)


def test_reminders_started_on_another_host_link_to_base_url(public_app, make_user, make_entry, make_round,
                                                           organiser, make_assignment):
    from competition.accounts.models import Role
    from competition.jobs import Job

    juror = make_user(roles=(Role.JUROR,), email="jan@uni.example")
    entry = make_entry()
    judging_round = make_round(entry.edition)
    make_assignment(judging_round=judging_round, entry=entry, juror=juror)
    outbox = mail_outbox(public_app)
    client = public_app.test_client()
    headers = {"Host": "intern.example"}
    client.post("/login", data={"email": organiser.email, "password": PASSWORD}, headers=headers)
    response = client.post(f"/organisation/editions/{entry.edition_id}/rounds/{judging_round.id}/remind",
                           headers=headers)
    assert response.status_code == 302
    job = db.session.scalar(db.select(Job).where(Job.kind == "judging.reminders"))
    assert "base_url" not in job.params
    (mail,) = [m for m in outbox if m.to == [juror.email]]
    assert links([mail]) == [BASE + "/jury"]
