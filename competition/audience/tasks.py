"""The confirmation mail of a vote as a background job: the vote request only writes its row and this job."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.clock import utcnow
from ..core.urls import external_url
from ..entries.models import Entry
from ..extensions import db
from ..jobs import RetryLater, task
from .mails import confirm_values, send_confirm_mail
from .models import AudienceVote, Ballot


@task("audience.confirmation", label=_l("Bestätigungslink einer Publikumsstimme"), routine=True)
def send_confirmation(ctx, *, ballot_id: int, nonce: str) -> None:
    from .services import confirm_token

    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or ballot.nonce != nonce or not ballot.email:
        ctx.set_message(str(_l("Die Stimme wurde inzwischen geändert oder gelöscht; keine E-Mail versendet.")))
        return
    vote = db.session.get(AudienceVote, ballot.vote_id)
    entry = db.session.get(Entry, ballot.pending_entry_id)
    values = confirm_values(edition_name=vote.edition.name, entry_title=entry.title,
                            company=entry.company.legal_name, category=entry.category.name,
                            link=external_url("audience.confirm", token=confirm_token(ballot.id, nonce)),
                            closes_at=vote.closes_at, is_change=ballot.entry_id is not None)
    if not send_confirm_mail(to=ballot.email, locale=ballot.locale, values=values):
        raise RetryLater(str(_l("Der Mailserver war nicht erreichbar.")))
    ballot.mail_sent_at = utcnow()
    db.session.commit()
