"""Reads of the audience vote that several views share (statements or small loaders, no writes)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ..editions.models import Category, Edition
from ..entries.models import Attachment, Company, Entry, EntryStatus, Question, Visibility
from ..extensions import db
from ..judging.models import ShortlistEntry
from .models import AudienceVote, Ballot
from .patterns import BallotFact

# Entries that may stand in the vote: submitted and not refused, withdrawn or in draft.
CANDIDATE_STATUSES = (EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE, EntryStatus.IN_REVIEW, EntryStatus.SHORTLISTED,
                      EntryStatus.AWARDED, EntryStatus.NOT_AWARDED)
FINALIST_STATUSES = (EntryStatus.SHORTLISTED, EntryStatus.AWARDED, EntryStatus.NOT_AWARDED)
IMAGE_KINDS = ("png", "jpeg")


def vote_of(edition_id: int) -> AudienceVote | None:
    return db.session.scalar(select(AudienceVote).where(AudienceVote.edition_id == edition_id))


def candidate_entries(edition_id: int) -> list[Entry]:
    """Entries an organiser may open to the vote: submitted, not refused, and the company agreed to publication
    (``publish_summary``, the same consent the public results page reads)."""
    return list(db.session.scalars(
        select(Entry).options(joinedload(Entry.company), joinedload(Entry.category))
        .where(Entry.edition_id == edition_id, Entry.status.in_(CANDIDATE_STATUSES), Entry.publish_summary.is_(True))
        .order_by(Entry.category_id, Entry.number, Entry.id)))


def default_entry_ids(edition_id: int) -> list[int]:
    """The finalists (shortlisted for the final round, or decided in it) among the candidates."""
    shortlisted = set(db.session.scalars(select(ShortlistEntry.entry_id).join(
        Entry, Entry.id == ShortlistEntry.entry_id).where(Entry.edition_id == edition_id)))
    return [e.id for e in candidate_entries(edition_id) if e.id in shortlisted or e.status in FINALIST_STATUSES]


def gallery_entries(vote: AudienceVote, *, category_id: int | None = None, district: str | None = None
                    ) -> list[Entry]:
    """The entries of the gallery that are (still) allowed to be shown, company and category loaded in one query."""
    if not vote.entry_ids:
        return []
    statement = (select(Entry).options(joinedload(Entry.company), joinedload(Entry.category))
                 .where(Entry.id.in_(vote.entry_ids), Entry.status.in_(CANDIDATE_STATUSES),
                        Entry.publish_summary.is_(True)))
    if category_id is not None:
        statement = statement.where(Entry.category_id == category_id)
    if district:
        from ..entries.models import Company

        statement = statement.join(Company, Company.id == Entry.company_id).where(Company.district == district)
    entries = list(db.session.scalars(statement))
    entries.sort(key=lambda e: (e.category.position, e.category_id, e.title.casefold(), e.id))
    return entries


def vote_and_category(slug: str, entry_id: int) -> tuple[AudienceVote | None, int | None]:
    """The vote of the edition ``slug`` and the category of ``entry_id`` if a vote may be cast for it (in the gallery
    and still allowed: a candidate whose company agreed to publication), else None; one query for the vote request."""
    category = (select(Entry.category_id)
                .where(Entry.id == entry_id, Entry.edition_id == AudienceVote.edition_id,
                       Entry.status.in_(CANDIDATE_STATUSES), Entry.publish_summary.is_(True))
                .correlate(AudienceVote).scalar_subquery())
    row = db.session.execute(select(AudienceVote, category).join(Edition, Edition.id == AudienceVote.edition_id)
                             .where(Edition.slug == slug)).first()
    if row is None:
        return None, None
    vote, category_id = row
    return vote, (category_id if entry_id in (vote.entry_ids or []) else None)


def public_attachment():
    """An attachment the public may see: not one uploaded for a question the organisers keep for the jury or for
    themselves (``Question.visibility``); attachments without a question belong to the entry's core."""
    return or_(Attachment.question_id.is_(None), Question.visibility == Visibility.PUBLIC)


def image_allowed(attachment_id: int) -> bool:
    return db.session.scalar(select(Attachment.id).outerjoin(Question, Question.id == Attachment.question_id)
                             .where(Attachment.id == attachment_id, public_attachment())) is not None


def images_of(entry_ids: list[int]) -> dict[int, int]:
    """entry id → the id of its first image attachment (one query for the whole gallery)."""
    if not entry_ids:
        return {}
    rows = db.session.execute(
        select(Attachment.entry_id, func.min(Attachment.id))
        .outerjoin(Question, Question.id == Attachment.question_id)
        .where(Attachment.entry_id.in_(entry_ids), Attachment.kind.in_(IMAGE_KINDS), Attachment.removed_at.is_(None),
               public_attachment())
        .group_by(Attachment.entry_id)).all()
    return {entry_id: attachment_id for entry_id, attachment_id in rows}


def open_edition_by_slug(slug: str) -> tuple[Edition, AudienceVote] | None:
    row = db.session.execute(select(Edition, AudienceVote).join(AudienceVote, AudienceVote.edition_id == Edition.id)
                             .where(Edition.slug == slug)).first()
    return (row[0], row[1]) if row else None


def ballot_facts(vote_id: int) -> list[BallotFact]:
    rows = db.session.execute(select(Ballot.id, Ballot.network, Ballot.domain, Ballot.local, Ballot.requested_at,
                                     Ballot.mail_sent_at, Ballot.confirmed_at).where(Ballot.vote_id == vote_id))
    return [BallotFact(r.id, r.network or "", r.domain or "", r.local or "", r.requested_at, r.mail_sent_at,
                       r.confirmed_at) for r in rows]


def confirmed_timeline(vote_id: int) -> list[tuple[int, object]]:
    """(entry id, confirmed at) of every counted (confirmed, not excluded) vote."""
    return [(r.entry_id, r.confirmed_at) for r in db.session.execute(
        select(Ballot.entry_id, Ballot.confirmed_at).where(Ballot.vote_id == vote_id, Ballot.entry_id.is_not(None),
                                                           Ballot.excluded_at.is_(None)))]


def counts(vote_id: int) -> dict[str, int]:
    """requested (every ballot), confirmed, excluded."""
    row = db.session.execute(select(
        func.count(Ballot.id), func.count(Ballot.entry_id),
        func.count(Ballot.excluded_at)).where(Ballot.vote_id == vote_id)).one()
    return {"requested": row[0], "confirmed": row[1], "excluded": row[2]}


def confirmed_choice(vote_id: int, entry_id: int):
    """What the confirmation page names, in one query: the entry's title, company and category, the end of the vote
    and the edition's slug (for the link back to the gallery)."""
    return db.session.execute(
        select(Entry.title, Company.legal_name.label("company"), Category.name.label("category"),
               AudienceVote.closes_at, Edition.slug)
        .join(Company, Company.id == Entry.company_id).join(Category, Category.id == Entry.category_id)
        .join(AudienceVote, AudienceVote.id == vote_id).join(Edition, Edition.id == AudienceVote.edition_id)
        .where(Entry.id == entry_id)).one()
