"""Art. 17 GDPR: erasing a person by anonymising their account.

What happens to whose data, and why:

- The account stays as an empty shell so that foreign keys keep pointing somewhere: the name becomes
  "Gelöschte Person #<id>", the address ``deleted-<id>@deleted.invalid`` (the reserved ``.invalid`` top-level domain
  never receives mail), the password becomes unusable, roles, language, pending address and login times are
  removed, the account is deactivated, and the session generation is raised so every session and remember-me
  cookie ends at once.
- Score sheets and their scores, comments and history are KEPT, linked only to the anonymised account. Reason
  (documented in the privacy notice): the integrity of the competition — rankings, frozen snapshots and jury
  decisions must stay reproducible and verifiable, and entrants may contest a result (Art. 17 (3) (b) and (e)
  GDPR). The same holds for conflicts of interest, which explain why a juror did not score an entry.
- Consents are kept as proof that they were given (Art. 7 (1) GDPR); they name only the version and the time.
- Juror profile fields (organisation, position, employer domains, former employers), expertise and round
  membership are removed.
- The company membership ends. A company is a legal entity, not a person: it stays while it has entries that were
  submitted, but its contact fields that hold this person's name, address or phone are cleared, in the company and
  in the submitted snapshots (``submitted_by``), whose SHA-256 is then recomputed; the old and new hashes go into
  the audit event of the erasure. A company whose only member leaves and that never submitted anything is deleted
  with its drafts and files (nobody could reach it any more).
- Invitations to this address (jury, organisation, colleagues) and the mail log get the anonymous address.
- Frozen ranking snapshots refer to jurors and organisers by id in their hashed content; the names beside it
  (``RankingSnapshot.people``, not hashed) are replaced, so published hashes stay valid.
- Audit events keep the actor id; their data is never rewritten because the hash chain must stay intact. The
  callers of ``core.audit.record`` store ids, numbers, hashes and object names, not names or e-mail addresses of
  people (checked by the erasure test), so nothing personal is left there.
- The last organiser cannot be erased: the platform would be left without administration.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select

from ..accounts.models import Invitation, Role, User, UserRole
from ..accounts.passwords import verify_password
from ..accounts.services import end_all_sessions
from ..communications.models import MailLog
from ..core import audit
from ..core.errors import PermissionDenied, ValidationFailed
from ..core.storage import delete_after_commit, get_storage
from ..entries import blind_copies
from ..entries.models import Attachment, Company, CompanyInvite, CompanyMember, Entry, EntryVersion
from ..entries.receipts import snapshot_sha256
from ..entries.services import end_membership
from ..extensions import db
from ..judging.models import JurorExpertise, JurorProfile, RoundJuror

ERASED_DOMAIN = "deleted.invalid"


def erased_name(user_id: int) -> str:
    return f"Gelöschte Person #{user_id}"


def erased_email(user_id: int) -> str:
    return f"deleted-{user_id}@{ERASED_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email.endswith("@" + ERASED_DOMAIN)


def _other_organisers(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(UserRole).join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ORGANISER, User.is_active_account.is_(True), User.id != user.id)
    )


def why_not_erase(user: User) -> str | None:
    if is_erased(user):
        return str(_l("Dieses Konto wurde bereits gelöscht."))
    if user.is_organiser and _other_organisers(user) == 0:
        return str(_l("Sie sind die letzte Person im Organisationsteam. Bitte laden Sie zuerst eine weitere Person "
                      "in das Organisationsteam ein; danach können Sie Ihr Konto löschen."))
    return None


@dataclass
class Erasure:
    user_id: int
    company_id: int | None = None
    company_deleted: bool = False
    redacted_versions: list[dict[str, Any]] = field(default_factory=list)


def erase_user(*, user: User, password: str | None, by: User, now: datetime) -> Erasure:
    """Anonymise `user` (by themself with their password, or by an organiser on a written request)."""
    if by.id == user.id:
        if not verify_password(user.password_hash, password or ""):
            raise ValidationFailed(_l("Das Passwort ist falsch. Ihr Konto wurde nicht gelöscht."), field="password")
    elif not by.is_organiser:
        raise PermissionDenied(_l("Nur das Organisationsteam kann Konten anderer Personen löschen."))
    why = why_not_erase(user)
    if why:
        raise PermissionDenied(why)

    name, emails = user.full_name.strip(), {e for e in (user.email, user.pending_email) if e}
    result = Erasure(user_id=user.id)
    roles = sorted(role.value for role in user.roles)

    _leave_company(user, result, now)
    companies = _clear_company_contacts(name, emails)
    if result.company_id is not None and not result.company_deleted:
        companies.add(result.company_id)
    _redact_snapshots(user, name, emails, companies, result, now)
    _clear_jury_data(user)
    from ..rankings.services import erase_person_from_snapshots

    # Frozen rankings name people by id only (the hashed content stays valid); the names beside them go.
    erase_person_from_snapshots(user.id, replacement=erased_name(user.id))
    placeholder = erased_email(user.id)
    for invitation in db.session.scalars(select(Invitation).where(
            or_(Invitation.email.in_(emails), Invitation.accepted_by_id == user.id))):
        invitation.email = placeholder
        invitation.full_name = None
    for invite in db.session.scalars(select(CompanyInvite).where(CompanyInvite.email.in_(emails))):
        invite.email = placeholder
    for log in db.session.scalars(select(MailLog).where(
            or_(MailLog.user_id == user.id, func.lower(MailLog.address).in_(emails)))):
        log.address = placeholder  # what was sent stays countable, not to whom

    user.full_name = erased_name(user.id)
    user.email = placeholder
    user.pending_email = None
    user.password_hash = "!erased-" + secrets.token_hex(16)  # no password ever matches
    user.locale = None
    user.email_verified_at = None
    user.last_login_at = None
    user.password_changed_at = now
    user.is_active_account = False
    user.role_rows.clear()
    end_all_sessions(user=user)  # flushes
    audit.record(actor=by, action="account.erased", obj_type="user", obj_id=user.id, now=now,
                 by_self=by.id == user.id, roles=roles, company=result.company_id,
                 company_deleted=result.company_deleted, redacted_versions=result.redacted_versions)
    return result


def _leave_company(user: User, result: Erasure, now: datetime) -> None:
    membership = db.session.scalar(select(CompanyMember).where(CompanyMember.user_id == user.id))
    if membership is None:
        return
    company = membership.company
    result.company_id = company.id
    end_membership(membership=membership, now=now)
    if company.members:
        if membership.is_admin and not any(m.is_admin for m in company.members):
            company.members[0].is_admin = True  # someone must be able to invite colleagues
        return
    submitted = db.session.scalar(select(EntryVersion.id).join(Entry).where(Entry.company_id == company.id).limit(1))
    if submitted is not None:
        return  # the legal entity and its submissions stay; its contact fields are cleared below
    storage = get_storage()
    entry_ids = select(Entry.id).where(Entry.company_id == company.id).scalar_subquery()
    for key in db.session.scalars(select(Attachment.storage_key).where(Attachment.entry_id.in_(entry_ids))):
        delete_after_commit(db.session, storage, key)
    for key in blind_copies.keys_of(select(Attachment.id).where(Attachment.entry_id.in_(entry_ids))):
        delete_after_commit(db.session, storage, key)
    db.session.execute(delete(Attachment).where(Attachment.entry_id.in_(entry_ids)))
    for entry in list(company.entries):
        db.session.delete(entry)
    db.session.flush()
    db.session.expire(company, ["entries"])
    db.session.delete(company)
    db.session.flush()
    result.company_deleted = True


def _clear_company_contacts(name: str, emails: set[str]) -> set[int]:
    cleared = set()
    for company in db.session.scalars(select(Company).where(
            or_(Company.contact_name == name, func.lower(Company.contact_email).in_(emails)))):
        company.contact_name = ""
        company.contact_email = ""
        company.contact_phone = ""
        cleared.add(company.id)
    db.session.flush()
    return cleared


def _redact_snapshots(user: User, name: str, emails: set[str], companies: set[int], result: Erasure,
                      now: datetime) -> None:
    versions = db.session.scalars(select(EntryVersion).where(
        or_(EntryVersion.submitted_by_id == user.id,
            EntryVersion.entry_id.in_(select(Entry.id).where(Entry.company_id.in_(companies or {0})))))
        .order_by(EntryVersion.id))
    for version in versions:
        content = dict(version.content or {})
        changed = False
        submitted_by = content.get("submitted_by") or ""
        if version.submitted_by_id == user.id or any(e in submitted_by for e in emails):
            content["submitted_by"] = erased_name(user.id)
            changed = True
        company = dict(content.get("company") or {})
        if company.get("contact_name") == name or (company.get("contact_email") or "").lower() in emails:
            company.update(contact_name="", contact_email="", contact_phone="")
            content["company"] = company
            changed = True
        if not changed:
            continue
        old = version.content_sha256
        content["redacted"] = {"at": now.isoformat(), "reason": "Art. 17 DSGVO"}
        version.content = content
        version.content_sha256 = snapshot_sha256(content)
        result.redacted_versions.append({"version": version.id, "old_sha256": old, "new_sha256":
                                         version.content_sha256})
    db.session.flush()


def _clear_jury_data(user: User) -> None:
    profile = db.session.scalar(select(JurorProfile).where(JurorProfile.user_id == user.id))
    if profile is not None:
        profile.organisation = ""
        profile.position = ""
        profile.employer_domains = []
        profile.former_employers = []
        profile.capacity = 0
    db.session.execute(delete(JurorExpertise).where(JurorExpertise.user_id == user.id))
    db.session.execute(delete(RoundJuror).where(RoundJuror.user_id == user.id))
    db.session.flush()
