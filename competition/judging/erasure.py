"""Judging's part of a person's erasure: juror profile fields (organisation, position, employer domains, former
employers), expertise and round membership go. Score sheets, scores, comments and conflicts are kept, linked only
to the anonymised account (see `privacy.erasure` for why)."""

from __future__ import annotations

from sqlalchemy import delete, select

from ..accounts.erasure import PersonErasure, erasure_step
from ..extensions import db
from .models import JurorExpertise, JurorProfile, RoundJuror


@erasure_step("judging.jury_data", order=20)
def erase_jury_data(person: PersonErasure) -> None:
    user_id = person.user.id
    profile = db.session.scalar(select(JurorProfile).where(JurorProfile.user_id == user_id))
    if profile is not None:
        profile.organisation = ""
        profile.position = ""
        profile.employer_domains = []
        profile.former_employers = []
        profile.capacity = 0
    db.session.execute(delete(JurorExpertise).where(JurorExpertise.user_id == user_id))
    db.session.execute(delete(RoundJuror).where(RoundJuror.user_id == user_id))
    db.session.flush()
