"""Who gets into which page: every GET route, for every role, with the objects it is about.

Roles: anonymous, applicant of another company ("stranger"), the entry's own applicant ("owner"), juror, organiser.
Expected codes: 200 (in), 302 (to the login page, or on to the right page), 403 (signed in, not allowed).
Every GET route of the app must be listed here; a new route fails `test_every_get_route_is_in_the_matrix` until
its expectations are written down.
"""

from __future__ import annotations

import pytest

from competition.accounts.models import Role
from competition.entries.models import EntryStatus, EntryVersion, Question, QuestionKind
from competition.extensions import db

ROLES = ["anonymous", "stranger", "owner", "juror", "organiser"]


def row(anonymous, stranger, owner, juror, organiser):
    return dict(zip(ROLES, (anonymous, stranger, owner, juror, organiser), strict=True))


PUBLIC = row(200, 200, 200, 200, 200)
SIGNED_IN = row(302, 200, 200, 200, 200)
ORGANISER = row(302, 403, 403, 403, 200)
OWNER_ONLY = row(302, 403, 200, 403, 403)
OWNER_AND_ORGANISER = row(302, 403, 200, 403, 200)
JUROR_ONLY = row(302, 403, 403, 200, 403)

MATRIX = {
    "/": PUBLIC,
    "/login": row(200, 302, 302, 302, 302),
    "/register": row(200, 302, 302, 302, 302),
    "/password/forgot": PUBLIC,
    "/verify/resend": PUBLIC,
    "/healthz": PUBLIC,
    "/account": SIGNED_IN,
    "/dashboard": row(302, 200, 200, 200, 302),
    "/company": SIGNED_IN,
    "/organisation/": ORGANISER,
    "/organisation/editions": ORGANISER,
    "/organisation/editions/new": ORGANISER,
    "/organisation/invitations": ORGANISER,
    "/organisation/editions/<edition_id>": ORGANISER,
    "/organisation/editions/<edition_id>/edit": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/new": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/<round_id>": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/<round_id>/edit": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/<round_id>/criteria/new": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/<round_id>/criteria/<criterion_id>/edit": ORGANISER,
    "/organisation/editions/<edition_id>/categories/<category_id>/edit": ORGANISER,
    "/organisation/editions/<edition_id>/questions": ORGANISER,
    "/organisation/editions/<edition_id>/questions/<question_id>/edit": ORGANISER,
    "/entries/<entry_id>": OWNER_AND_ORGANISER,
    "/entries/<entry_id>/edit": OWNER_ONLY,
    "/entries/<entry_id>/submit": OWNER_ONLY,
    "/entries/<entry_id>/withdraw": OWNER_ONLY,
    "/entries/<entry_id>/versions/<number>/receipt.pdf": OWNER_AND_ORGANISER,
    "/attachments/<attachment_id>": OWNER_AND_ORGANISER,
    "/organisation/entries": ORGANISER,
    "/organisation/entries/<entry_id>": ORGANISER,
    "/organisation/entries/export.csv": ORGANISER,
    "/organisation/entries/export.xlsx": ORGANISER,
    "/organisation/categories/<category_id>/attachments.zip": ORGANISER,
    "/jury": JUROR_ONLY,
    "/jury/profile": JUROR_ONLY,
    "/jury/conflicts": JUROR_ONLY,
    "/organisation/editions/<edition_id>/jury": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/<round_id>/assignments": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/<round_id>/matrix": ORGANISER,
    "/jury/assignments/<assignment_id>": JUROR_ONLY,
    "/jury/rounds/<round_id>/preferences": JUROR_ONLY,  # every juror while the round has no pool of its own
    "/organisation/editions/<edition_id>/rounds/<round_id>/preferences": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/<round_id>/progress": ORGANISER,
    "/organisation/editions/<edition_id>/rounds/<round_id>/entries/<entry_id>/sheets": ORGANISER,
    "/organisation/audit": ORGANISER,  # the juror of the assignment (others: 403, see test_sheets)
    "/organisation/audit.csv": ORGANISER,
    "/organisation/jobs": ORGANISER,
    "/organisation/jobs/<job_id>": ORGANISER,
    "/organisation/jobs/<job_id>/download": ORGANISER,
    "/organisation/communications": ORGANISER,
    "/organisation/communications/new": ORGANISER,
    "/organisation/communications/<campaign_id>": ORGANISER,
    "/organisation/mail-templates": ORGANISER,
    "/organisation/mail-templates/new": ORGANISER,
    "/organisation/mail-templates/<key>/<locale>": ORGANISER,
    "/impressum": PUBLIC,
    "/datenschutz": PUBLIC,
    "/nutzungsbedingungen": PUBLIC,
    "/consent": SIGNED_IN,
    "/account/data": SIGNED_IN,
    "/account/delete": SIGNED_IN,
    "/organisation/legal/imprint": ORGANISER,
    "/organisation/legal/privacy": ORGANISER,
    "/organisation/legal/terms": ORGANISER,
    "/organisation/privacy": ORGANISER,
    # an unknown code, for everyone (a real certificate: tests/rankings/test_certificates.py)
    "/verify/certificate/<code>": row(404, 404, 404, 404, 404),
    "/organisation/editions/<edition_id>/rankings": ORGANISER,
    # no frozen ranking yet: the organiser is sent back to the rankings page with a message
    "/organisation/editions/<edition_id>/rankings/rounds/<round_id>/deliberation": row(302, 403, 403, 403, 302),
    # not published (the public pages of a published edition: tests/rankings/test_deliberation.py)
    "/ergebnisse/<slug>": row(404, 404, 404, 404, 404),
    "/ergebnisse/<slug>/ergebnisse.pdf": row(404, 404, 404, 404, 404),
}

# Routes whose access is proven by their own tests (signed links), with the test that does it.
ELSEWHERE = {
    "/verify/<token>": "tests/accounts/test_registration.py",
    "/password/reset/<token>": "tests/accounts/test_password_reset.py",
    "/account/email/confirm/<token>": "tests/accounts/test_email_change.py",
    "/invitation/<token>": "tests/accounts/test_invitations.py",
    "/company/join/<token>": "tests/entries/test_entry_flow.py",
    "/jury/assignments/<assignment_id>/attachments/<number>": "tests/judging/test_sheets.py",
    # downloads of a frozen snapshot (needs one): organisers only
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/<any(internal, protocol, public):kind>.pdf":
        "tests/rankings/test_deliberation.py",
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/feedback/<entry_id>.pdf":
        "tests/rankings/test_deliberation.py",
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/export.<any(xlsx, csv):fmt>":
        "tests/rankings/test_deliberation.py",
    "/organisation/editions/<edition_id>/rankings/snapshots/<snapshot_id>/certificates/<entry_id>.pdf":
        "tests/rankings/test_certificate_validity.py",
}


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def get_rules(app) -> set[str]:
    rules = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            text = rule.rule
            for converter in ("int:", "path:", "string:"):
                text = text.replace(f"<{converter}", "<")
            rules.add(text)
    return rules


def test_every_get_route_is_in_the_matrix(app):
    missing = get_rules(app) - set(MATRIX) - set(ELSEWHERE)
    assert missing == set(), f"routes without access expectations: {sorted(missing)}"


@pytest.fixture
def world(make_user, make_company, make_edition, make_round, make_category, make_criterion, make_entry):
    edition = make_edition()
    judging_round = make_round(edition)
    criterion = make_criterion(judging_round)
    category = make_category(edition)
    owner = make_user(email="owner@firma.example")
    stranger = make_user(email="stranger@andere.example")
    make_company(stranger, legal_name="Andere GmbH")
    entry = make_entry(company=make_company(owner), category=category, status=EntryStatus.SUBMITTED,
                       number="IND-2026-0001")
    from competition.core.clock import utcnow
    from competition.entries.services import snapshot

    content = snapshot(entry, version=1, by=owner, now=utcnow())
    db.session.add(EntryVersion(entry_id=entry.id, number=1, submitted_at=utcnow(), submitted_by_id=owner.id,
                                terms_version="2026-1", consent_at=utcnow(), content=content, content_sha256="0" * 64))
    question = Question(edition_id=edition.id, kind=QuestionKind.SHORT_TEXT, label="Frage", position=1)
    db.session.add(question)
    db.session.commit()
    from competition.entries.attachments import add_attachment

    entry.status = EntryStatus.DRAFT  # uploads need an editable entry; the status goes back below
    attachment = add_attachment(entry=entry, stream_or_file=_png(), filename="foto.png", by=owner, now=utcnow())
    entry.status = EntryStatus.SUBMITTED
    db.session.commit()
    juror = make_user(roles=(Role.JUROR,), email="jury@uni.example")
    from competition.judging.models import Assignment, AssignmentSource

    assignment = Assignment(round_id=judging_round.id, entry_id=entry.id, user_id=juror.id,
                            source=AssignmentSource.MANUAL)
    db.session.add(assignment)
    db.session.commit()
    users = {
        "anonymous": None,
        "stranger": stranger,
        "owner": owner,
        "juror": juror,
        "organiser": make_user(roles=(Role.ORGANISER,), email="orga@ind.example"),
    }
    ids = {"edition_id": edition.id, "round_id": judging_round.id, "criterion_id": criterion.id,
           "category_id": category.id, "entry_id": entry.id, "question_id": question.id, "number": 1,
           "attachment_id": attachment.id, "assignment_id": assignment.id, "slug": edition.slug}
    ids.update(_jobs_and_communications(edition, users["organiser"]))
    return users, ids


def _jobs_and_communications(edition, organiser) -> dict:
    """A finished job with a result file and a group mail, for the jobs and communications pages."""
    import io

    from competition.communications.models import Audience, Campaign
    from competition.core.clock import utcnow
    from competition.core.storage import get_storage
    from competition.jobs.models import Job, JobStatus

    stored = get_storage().save(io.BytesIO(b"Ergebnis"))
    job = Job(kind="communications.campaign", params={}, status=JobStatus.DONE, result_key=stored.key,
              result_filename="ergebnis.txt", result_mimetype="text/plain", edition_id=edition.id,
              created_by_id=organiser.id, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    campaign = Campaign(edition_id=edition.id, audience=Audience.APPLICANTS, subject="Hinweis", body="Text",
                        job_id=job.id, created_by_id=organiser.id, created_at=utcnow())
    db.session.add(campaign)
    db.session.commit()
    return {"job_id": job.id, "campaign_id": campaign.id, "key": "verify_email", "locale": "de"}


@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, login_as, world, role):
    users, ids = world
    if users[role] is not None:
        login_as(users[role])
    wrong = []
    for rule, expected in MATRIX.items():
        path = rule
        for key, value in ids.items():
            path = path.replace(f"<{key}>", str(value))
        response = client.get(path)
        if response.status_code != expected[role]:
            wrong.append((path, expected[role], response.status_code))
        elif role == "anonymous" and expected[role] == 302:
            assert response.headers["Location"].startswith("/login?next="), path
    assert wrong == [], f"{role}: (path, expected, got) {wrong}"
