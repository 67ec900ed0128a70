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

Each module erases its own part (``<module>/erasure.py``, registered with `accounts.erasure.erasure_step`): entries
(membership, company contacts, submitted snapshots, colleague invitations), judging (jury data), rankings (names
beside snapshots), communications (mail log), accounts (invitations). This module checks who may erase whom (the
checks are in `privacy.permissions`), runs the registered steps and then empties the account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from ..accounts.erasure import ERASED_DOMAIN, PersonErasure, erased_email, erased_name, is_erased, run_erasure_steps
from ..accounts.models import User
from ..accounts.passwords import verify_password
from ..accounts.services import end_all_sessions
from ..core import audit
from ..core.errors import PermissionDenied, ValidationFailed
from . import permissions

__all__ = ["ERASED_DOMAIN", "Erasure", "erase_user", "erased_email", "erased_name", "is_erased"]


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
    elif why := permissions.why_not_erase_other(by):
        raise PermissionDenied(why)
    why = permissions.why_not_erase(user)
    if why:
        raise PermissionDenied(why)

    person = PersonErasure(user=user, name=user.full_name.strip(),
                           emails={e for e in (user.email, user.pending_email) if e}, now=now)
    roles = sorted(role.value for role in user.roles)
    run_erasure_steps(person)  # each module erases its own part, in the registered order
    result = Erasure(user_id=user.id, company_id=person.report.get("company"),
                     company_deleted=person.report.get("company_deleted", False),
                     redacted_versions=person.report.get("redacted_versions", []))
    placeholder = erased_email(user.id)

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
