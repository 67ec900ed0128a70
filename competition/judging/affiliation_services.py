"""Use cases of the affiliations organisers keep for conflict detection: company groups (parent and subsidiaries,
by names and/or domains) and domain aliases (two company domains that are one firm).

Both change who counts as conflicted at every later check (`conflict_check`), so each change is audited with what
was added or removed (company names and domains, never people)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import ValidationFailed
from ..core.permissions import require_organiser
from ..extensions import db
from .conflicts import registrable_domain
from .models import CompanyGroup, DomainAlias


def add_company_group(*, name: str, members: list[str], by: User, now: datetime) -> CompanyGroup:
    """A group of at least two members (company names or domains, one per entry; blanks are dropped)."""
    require_organiser(by)
    name = name.strip()
    members = [member.strip() for member in members if member.strip()]
    if len(members) < 2:
        raise ValidationFailed(_l("Bitte nennen Sie mindestens zwei Mitglieder."), field="members")
    return _audited(CompanyGroup(name=name, members=members), "added", by=by, now=now, name=name, members=members)


def add_domain_alias(*, domain: str, alias: str, by: User, now: datetime) -> DomainAlias:
    """Make two company domains one firm (each reduced to its registrable domain); an existing pair is kept as it
    is and not recorded again."""
    require_organiser(by)
    domain, alias = registrable_domain(domain), registrable_domain(alias)
    if not domain:
        raise ValidationFailed(_l("Bitte geben Sie eine Firmen-Domain an, z. B. vw.de."), field="domain")
    if not alias or alias == domain:
        raise ValidationFailed(_l("Bitte geben Sie eine andere Firmen-Domain an, z. B. volkswagen.de."),
                               field="alias")
    existing = db.session.scalar(select(DomainAlias).where(DomainAlias.domain == domain, DomainAlias.alias == alias))
    if existing is not None:
        return existing
    return _audited(DomainAlias(domain=domain, alias=alias), "added", by=by, now=now, domain=domain, alias=alias)


def delete_company_group(*, group: CompanyGroup, by: User, now: datetime) -> None:
    require_organiser(by)
    _audited(group, "deleted", by=by, now=now, name=group.name, members=list(group.members or []))


def delete_domain_alias(*, pair: DomainAlias, by: User, now: datetime) -> None:
    require_organiser(by)
    _audited(pair, "deleted", by=by, now=now, domain=pair.domain, alias=pair.alias)


_ACTIONS = {("company_group", "added"): "company_group.added", ("company_group", "deleted"): "company_group.deleted",
            ("domain_alias", "added"): "domain_alias.added", ("domain_alias", "deleted"): "domain_alias.deleted"}


def _audited(row: CompanyGroup | DomainAlias, change: str, *, by: User, now: datetime, **data: Any):
    """Add or delete `row` and record the change (`company_group.added`, `domain_alias.deleted`, …) with `data`."""
    kind = "company_group" if isinstance(row, CompanyGroup) else "domain_alias"
    if change == "added":
        db.session.add(row)
        db.session.flush()
    audit.record(actor=by, action=_ACTIONS[kind, change], obj_type=kind, obj_id=row.id, now=now, **data)
    if change == "deleted":
        db.session.delete(row)
        db.session.flush()
    return row
