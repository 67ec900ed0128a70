from competition.accounts.models import Invitation, Role, User
from competition.extensions import db
from tests.conftest import link_in, login

NEW = "Jury-Passwort für 2026"


def invite(client, email="jury@tu-chemnitz.example", role="juror", name="Prof. Dr. Jana Beispiel"):
    return client.post("/organisation/invitations",
                       data={"email": email, "full_name": name, "role": role, "locale": "de"})


def test_organiser_invites_a_juror_who_accepts(app, client, outbox, login_as, organiser):
    login_as(organiser)
    response = invite(client)
    assert response.headers["Location"] == "/organisation/invitations"
    page = client.get("/organisation/invitations").get_data(as_text=True)
    assert "jury@tu-chemnitz.example" in page and "offen bis" in page
    message = outbox[0]
    assert message.to == ["jury@tu-chemnitz.example"]
    assert "Jury" in message.body and "Prof. Dr. Jana Beispiel" in message.body
    link = link_in(message, "/invitation/")

    guest = app.test_client()
    form = guest.get(link).get_data(as_text=True)
    assert "als Jurymitglied" in form and 'value="Prof. Dr. Jana Beispiel"' in form
    accepted = guest.post(link, data={"full_name": "Jana Beispiel", "password": NEW, "password_repeat": NEW,
                                      "accept_terms": "y"})
    assert accepted.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "jury@tu-chemnitz.example"))
    assert user.roles == {Role.JUROR} and user.is_email_verified
    assert guest.get("/account").status_code == 200  # signed in

    reused = app.test_client().get(link)
    assert reused.status_code == 400 and "bereits angenommen" in reused.get_data(as_text=True)


def test_invitation_for_an_existing_account_adds_the_role_after_login(app, client, outbox, login_as, organiser,
                                                                     make_user):
    existing = make_user(email="anna@firma.example")
    login_as(organiser)
    invite(client, email="anna@firma.example", role="organiser")
    link = link_in(outbox[0], "/invitation/")

    anna = app.test_client()
    page = anna.get(link).get_data(as_text=True)
    assert "bereits ein Konto" in page and f"/login?next={link}" in page.replace("%2F", "/")
    login(anna, existing.email)
    assert anna.post(link).status_code == 302
    db.session.refresh(existing)
    assert existing.roles == {Role.APPLICANT, Role.ORGANISER}


def test_existing_account_cannot_be_taken_over_by_the_invitation(app, client, outbox, login_as, organiser,
                                                                 make_user):
    make_user(email="anna@firma.example")
    login_as(organiser)
    invite(client, email="anna@firma.example")
    link = link_in(outbox[0], "/invitation/")
    stranger = app.test_client()
    stranger.post(link, data={"full_name": "X", "password": NEW, "password_repeat": NEW})
    user = db.session.scalar(db.select(User).where(User.email == "anna@firma.example"))
    assert user.roles == {Role.APPLICANT}


def test_revoked_and_expired_invitations(app, client, outbox, login_as, organiser):
    from datetime import timedelta

    from competition.core.clock import utcnow

    login_as(organiser)
    invite(client, email="a@uni.example")
    invite(client, email="b@uni.example")
    first, second = db.session.scalars(db.select(Invitation).order_by(Invitation.id)).all()
    client.post(f"/organisation/invitations/{first.id}/revoke")
    revoked = app.test_client().get(link_in(outbox[0], "/invitation/"))
    assert revoked.status_code == 400 and "zurückgezogen" in revoked.get_data(as_text=True)

    second.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = app.test_client().get(link_in(outbox[1], "/invitation/"))
    assert expired.status_code == 400 and "abgelaufen" in expired.get_data(as_text=True)


def test_tampered_invitation_link(client):
    response = client.get("/invitation/abc.def.ghi")
    assert response.status_code == 400 and "ungültig" in response.get_data(as_text=True)


def test_only_organisers_invite(client, login_as, make_user, outbox):
    login_as(make_user(roles=(Role.JUROR,)))
    assert client.get("/organisation/invitations").status_code == 403
    assert invite(client).status_code == 403
    assert outbox == [] and db.session.scalar(db.select(db.func.count()).select_from(Invitation)) == 0


def test_inviting_someone_who_has_the_role_already(client, login_as, organiser, make_user):
    make_user(email="jury@uni.example", roles=(Role.JUROR,))
    login_as(organiser)
    page = invite(client, email="jury@uni.example").get_data(as_text=True)
    assert "hat diese Rolle bereits" in page and 'value="jury@uni.example"' in page


def test_resend_invitation(client, outbox, login_as, organiser):
    login_as(organiser)
    invite(client)
    invitation = db.session.scalar(db.select(Invitation))
    client.post(f"/organisation/invitations/{invitation.id}/resend")
    assert len(outbox) == 2 and outbox[1].to == outbox[0].to
    assert link_in(outbox[1], "/invitation/") == link_in(outbox[0], "/invitation/")


def test_weak_password_on_acceptance_keeps_the_name(app, client, outbox, login_as, organiser):
    login_as(organiser)
    invite(client)
    link = link_in(outbox[0], "/invitation/")
    page = app.test_client().post(link, data={"full_name": "Jana B.", "password": "kurz", "password_repeat": "kurz"})
    text = page.get_data(as_text=True)
    assert "mindestens 12 Zeichen" in text and 'value="Jana B."' in text
    assert db.session.scalar(db.select(User).where(User.email == "jury@tu-chemnitz.example")) is None
