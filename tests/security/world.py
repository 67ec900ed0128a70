"""One realistic competition in the jury phase, for the security tests: every role and every object a URL can name.

Edition "Sicherheitsprobe" in the jury phase with two categories, a round with two criteria, two companies with a
submitted entry each (with an attachment and an answer), jurors with assignments, a submitted and a draft sheet, an
organiser-recorded and a declared conflict, plus spare objects that destructive routes may delete without harming
the rest (a spare category, round, criterion, question, attachment, invitation, conflict, sheet).

The strings in SECRETS are distinctive on purpose: a test can look for them in any response body.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from competition.accounts.models import Invitation, Role, User
from competition.core import tokens
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import CompanyInvite, EntryStatus, Question, QuestionKind
from competition.extensions import db

ENTRY_TITLE = "Magnetgreifer Quarzwerk-4711"
COMPANY_NAME = "Geheimwerk Zwönitz Feinmechanik"
OTHER_TITLE = "Kühlmittelrückgewinnung Lößnitz-93"
OTHER_COMPANY = "Andere Lößnitzer Drehteile"
SCORE_VALUE = "8,75"  # entry A, criterion 1, by the assigned juror (submitted)
SCORE_COMMENT = "Bewertungsnotiz-XQ93-vertraulich"
DRAFT_COMMENT = "Entwurfsnotiz-ZR57-vertraulich"

# Who may see what. Company names of participants are shown to every juror on purpose (to declare conflicts), so
# the company name is checked only in answers that deny access and in answers to non-jurors.
MAY_SEE = {
    "entry_title": {"owner", "juror_assigned", "organiser"},
    "company_name": {"owner", "juror_assigned", "organiser", "juror_unassigned", "juror_conflicted"},
    "score": {"juror_assigned", "organiser"},
}
SECRETS = {
    "entry_title": [ENTRY_TITLE],
    "company_name": [COMPANY_NAME],
    "score": [SCORE_VALUE, SCORE_COMMENT, DRAFT_COMMENT],
}


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class World:
    users: dict[str, User | None]
    ids: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)


def build_world(*, make_user, make_company, make_edition, make_category, make_round, make_criterion,
                make_entry) -> World:
    from competition.entries import services as entry_services
    from competition.entries.attachments import add_attachment
    from competition.judging import services as jury
    from competition.judging import sheets
    from competition.judging.models import (
        CompanyGroup,
        Conflict,
        ConflictSource,
        ConflictStatus,
        RoundJuror,
    )

    now = utcnow()
    organiser = make_user(roles=(Role.ORGANISER,), email="orga@sicherheit.example", full_name="Olga Orga")
    owner = make_user(email="anna@geheimwerk.example", full_name="Anna Antrag")
    other = make_user(email="bernd@drehteile.example", full_name="Bernd Bewerber")
    juror_assigned = make_user(roles=(Role.JUROR,), email="jana@tu.example", full_name="Jana Jury")
    juror_unassigned = make_user(roles=(Role.JUROR,), email="udo@hs.example", full_name="Udo Unzugewiesen")
    juror_conflicted = make_user(roles=(Role.JUROR,), email="bea@ihk.example", full_name="Bea Befangen")
    juror_second = make_user(roles=(Role.JUROR,), email="zweit@fh.example", full_name="Zora Zweit")
    spare_user = make_user(email="reserve@firma.example", full_name="Rita Reserve")
    unverified = make_user(email="neu@firma.example", full_name="Nils Neu", verified=False)

    edition = make_edition(name="Sicherheitsprobe 2026", slug="sicherheit-2026",
                           registration_opens_at=now - timedelta(days=60),
                           submission_deadline_at=now + timedelta(days=1),
                           jury_starts_at=now + timedelta(days=2), jury_ends_at=now + timedelta(days=40),
                           publication_at=now + timedelta(days=50), phase_override=Phase.SUBMISSION)
    category = make_category(edition, name="Mobilität")
    other_category = make_category(edition, name="Digitalisierung")
    spare_category = make_category(edition, name="Reservekategorie")
    judging_round = make_round(edition, name="Vorauswahl", scale_step=Decimal("0.25"), jurors_per_entry=2)
    criterion = make_criterion(judging_round, name="Innovationsgrad", weight=3)
    criterion_2 = make_criterion(judging_round, name="Regionale Wirkung", weight=1)
    spare_round = make_round(edition, name="Reserverunde")  # its criterion is deleted by the walk
    spare_criterion = make_criterion(spare_round, name="Reservekriterium")
    disposable_round = make_round(edition, name="Wegwerfrunde")  # deleted by the walk
    question = Question(edition_id=edition.id, kind=QuestionKind.SHORT_TEXT, label="Ihre Zielgruppe", position=1)
    spare_question = Question(edition_id=edition.id, kind=QuestionKind.SHORT_TEXT, label="Reservefrage", position=2)
    db.session.add_all([question, spare_question])
    db.session.commit()

    company = make_company(owner, legal_name=COMPANY_NAME)
    other_company = make_company(other, legal_name=OTHER_COMPANY)
    entry = make_entry(company=company, category=category, title=ENTRY_TITLE)
    other_entry = make_entry(company=other_company, category=other_category, title=OTHER_TITLE)
    attachment = add_attachment(entry=entry, stream_or_file=png_bytes(), filename="foto.png", by=owner, now=now)
    other_attachment = add_attachment(entry=other_entry, stream_or_file=png_bytes(), filename="bild.png", by=other,
                                      now=now)
    db.session.commit()
    entry_services.submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=now)
    entry_services.submit_entry(entry=other_entry, consent=True, lock_version=None, by=other, now=now)
    # Added after submission: not part of any version, so the owner may delete it for real.
    entry.status = EntryStatus.DRAFT
    spare_attachment = add_attachment(entry=entry, stream_or_file=png_bytes(), filename="reserve.png", by=owner,
                                      now=now)
    entry.status = EntryStatus.ELIGIBLE
    other_entry.status = EntryStatus.ELIGIBLE
    edition.phase_override = Phase.JURY
    db.session.commit()

    for juror in (juror_assigned, juror_unassigned, juror_conflicted, juror_second):
        db.session.add(RoundJuror(round_id=judging_round.id, user_id=juror.id, capacity=5))
    assignment = jury.add_assignment(judging_round=judging_round, juror=juror_assigned, entry=entry, by=organiser,
                                     now=now)
    draft_assignment = jury.add_assignment(judging_round=judging_round, juror=juror_assigned, entry=other_entry,
                                           by=organiser, now=now)
    conflicted_assignment = jury.add_assignment(judging_round=judging_round, juror=juror_conflicted, entry=entry,
                                                by=organiser, now=now)
    second_assignment = jury.add_assignment(judging_round=judging_round, juror=juror_second, entry=entry,
                                            by=organiser, now=now)
    db.session.commit()

    def score(assignment, values, comment, *, submit, by):
        sheets.confirm_no_conflict(assignment=assignment, by=by, now=now)
        data = sheets.SheetInput(values={c.id: v for c, v in values.items()}, comments={criterion.id: comment},
                                 overall_comment="", feedback="")
        sheet = sheets.save_sheet(assignment=assignment, data=data, version=None, by=by, now=now)
        if submit:
            sheets.submit_sheet(assignment=assignment, version=sheet.version, by=by, now=now)
        db.session.commit()
        return sheet

    sheet = score(assignment, {criterion: "8,75", criterion_2: "6"}, SCORE_COMMENT, submit=True, by=juror_assigned)
    draft = score(draft_assignment, {criterion: "4,25"}, DRAFT_COMMENT, submit=False, by=juror_assigned)
    second_sheet = score(second_assignment, {criterion: "5", criterion_2: "5"}, "", submit=True, by=juror_second)

    # The conflicted juror was assigned, then the organising team recorded a conflict with the company; the juror
    # also declared one with the other company (withdrawable by the juror).
    recorded = jury.declare_conflict(juror=juror_conflicted, company=company, reason="Beiratsmitglied",
                                     by=organiser, now=now)
    declared = jury.declare_conflict(juror=juror_conflicted, company=other_company, reason="Ehemaliger Arbeitgeber",
                                     by=juror_conflicted, now=now)
    detected = Conflict(user_id=juror_second.id, company_id=other_company.id, source=ConflictSource.DETECTED,
                        status=ConflictStatus.ACTIVE, reason="Gleiche E-Mail-Domain", created_at=now)
    group = CompanyGroup(name="Reservegruppe", members=["reserve.example"])
    db.session.add_all([detected, group])
    db.session.commit()

    from competition.judging.extensions import grant_scoring_extension

    extension = grant_scoring_extension(judging_round=judging_round, juror=juror_assigned,
                                        until=judging_round.deadline_at + timedelta(days=1),
                                        reason="Krankheit", by=organiser, now=now)
    db.session.commit()
    snapshot_id = _optional(_snapshot, judging_round, organiser, now)
    job_id = _optional(_job, edition, organiser, now)
    campaign_id = _optional(_campaign, edition, organiser, now)
    template_key = _optional(_template_key)
    _optional(_audience_vote, edition, entry, now)
    invitation, _token = _invitation(organiser, now)
    company_invite = CompanyInvite(company_id=company.id, email="kollegin@geheimwerk.example", created_by_id=owner.id,
                                   created_at=now, expires_at=now + timedelta(days=14))
    db.session.add(company_invite)
    db.session.commit()

    users = {
        "anonymous": None,
        "owner": owner,
        "other_applicant": other,
        "juror_unassigned": juror_unassigned,
        "juror_assigned": juror_assigned,
        "juror_conflicted": juror_conflicted,
        "organiser": organiser,
    }
    ids = {
        "edition_id": edition.id, "category_id": category.id, "round_id": judging_round.id,
        "criterion_id": criterion.id, "question_id": question.id, "entry_id": entry.id, "number": 1,
        "attachment_id": attachment.id, "assignment_id": assignment.id, "sheet_id": sheet.id,
        "conflict_id": declared.id, "invitation_id": invitation.id, "extension_id": extension.id,
        "item_id": group.id, "kind": "groups",
        "action": "confirm", "direction": "up",
        # spares, for routes that delete or change what they name
        "spare_category_id": spare_category.id, "spare_round_id": spare_round.id,
        "disposable_round_id": disposable_round.id,
        "snapshot_id": snapshot_id, "job_id": job_id, "slug": edition.slug,
        "pdf_kind": "internal", "bulk_kind": "certificates", "fmt": "csv", "version": 1,
        "other_juror_id": juror_unassigned.id, "campaign_id": campaign_id, "key": template_key, "locale": "de",
        "code": "UNBEKANNT-0000", "token": "kein-gueltiger-link",
        "spare_criterion_id": spare_criterion.id, "spare_question_id": spare_question.id,
        "spare_attachment_id": spare_attachment.id, "detected_conflict_id": detected.id,
        "recorded_conflict_id": recorded.id, "draft_sheet_id": draft.id, "second_sheet_id": second_sheet.id,
        "other_entry_id": other_entry.id, "other_attachment_id": other_attachment.id,
        "conflicted_assignment_id": conflicted_assignment.id, "draft_assignment_id": draft_assignment.id,
        "spare_user_id": spare_user.id,
        "verify_token": tokens.make_token("verify-email", {"u": unverified.id, "e": unverified.email}),
        "reset_token": tokens.make_token("password-reset", {"u": spare_user.id,
                                                            "p": tokens.fingerprint(spare_user.password_hash)}),
        "email_token": tokens.make_token("change-email", {"u": spare_user.id, "e": "rita.neu@firma.example"}),
        "invitation_token": _token,
        "company_invite_token": tokens.make_token("company-invite", {"i": company_invite.id,
                                                                     "e": company_invite.email}),
    }
    return World(users=users, ids=ids, objects={"entry": entry, "edition": edition, "company": company})


def _audience_vote(edition, entry, now) -> None:
    """An open audience vote naming the secret entry, whose company has not agreed to publication: the gallery must
    not show it to anybody."""
    from competition.audience.models import AudienceVote

    db.session.add(AudienceVote(edition_id=edition.id, opens_at=now - timedelta(days=1),
                                closes_at=now + timedelta(days=7), entry_ids=[entry.id], salt="welt"))
    db.session.commit()


def _invitation(organiser: User, now) -> tuple[Invitation, str]:
    from competition.accounts.services import create_invitation

    invitation, token = create_invitation(email="neue.jurorin@uni.example", role=Role.JUROR, full_name="Nora Neu",
                                          locale=None, by=organiser, now=now)
    db.session.commit()
    return invitation, token


def _optional(make, *args):
    """Objects of modules that may not exist in every checkout (rankings, jobs): None when the module is missing."""
    try:
        return make(*args)
    except ImportError:
        return None


def _snapshot(judging_round, organiser: User, now) -> int:
    from competition.rankings.services import freeze_ranking

    snapshot = freeze_ranking(judging_round=judging_round, method="weighted-mean", by=organiser, now=now)
    db.session.commit()
    return snapshot.id


def _job(edition, organiser: User, now) -> int:
    from competition.core.storage import get_storage
    from competition.jobs.models import Job, JobStatus

    storage = get_storage()
    spool = storage.spool(max_bytes=1024)
    spool.write(f"Titel\n{ENTRY_TITLE}\n".encode())
    stored = storage.save(spool)
    job = Job(kind="entries.export", status=JobStatus.DONE, params={}, progress_done=1, progress_total=1,
              result_key=stored.key, result_filename="beitraege.csv", result_mimetype="text/csv",
              edition_id=edition.id, created_by_id=organiser.id, created_at=now, finished_at=now)
    db.session.add(job)
    db.session.commit()
    return job.id


def _campaign(edition, organiser: User, now) -> int:
    from competition.communications.models import Audience, Campaign

    campaign = Campaign(edition_id=edition.id, audience=Audience.APPLICANTS, subject="Hinweis zur Jury",
                        body="Guten Tag", recipient_count=0, created_at=now, created_by_id=organiser.id)
    db.session.add(campaign)
    db.session.commit()
    return campaign.id


def _template_key() -> str:
    from competition.communications.catalog import system_templates

    return system_templates()[0].key
