"""Public pages of the audience vote: the gallery, an entry with its vote form, the confirmation link, the image of
an entry and the verification of a Publikumspreis certificate. No account needed."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.storage import get_storage
from ..entries.labels import DISTRICT_LABELS
from ..entries.models import Attachment, Entry
from ..extensions import csrf, db, limiter
from . import extras as _extras  # noqa: F401 - the Publikumspreis on the results page
from . import queries, services
from . import tasks as _tasks  # noqa: F401 - registers the confirmation job
from .forms import ConfirmForm, VoteForm
from .models import AudienceCertificate, AudienceVote
from .patterns import network_of
from .throttle import address_key, network_key

bp = Blueprint("audience", __name__, url_prefix="/publikumspreis")
verify_bp = Blueprint("audience_verify", __name__)

DISTRICTS = {d.value: label for d, label in DISTRICT_LABELS.items()}


def _vote(slug: str):
    found = queries.open_edition_by_slug(slug)
    if found is None:
        abort(404)
    return found


def _gallery_entry(vote: AudienceVote, entry_id: int) -> Entry:
    entry = next((e for e in queries.gallery_entries(vote) if e.id == entry_id), None)
    if entry is None:
        abort(404)
    return entry


@bp.get("/<slug>", endpoint="gallery")
def gallery(slug: str):
    edition, vote = _vote(slug)
    now = utcnow()
    categories = [c for c in edition.categories]
    category_id = request.args.get("kategorie", type=int)
    district = request.args.get("kreis") or None
    if category_id is not None and category_id not in {c.id for c in categories}:
        category_id = None
    if district not in DISTRICTS:
        district = None
    entries = queries.gallery_entries(vote, category_id=category_id, district=district)
    images = queries.images_of([e.id for e in entries])
    return render_template("audience/gallery.html", edition=edition, vote=vote, entries=entries, images=images,
                           categories=categories, category_id=category_id, district=district, DISTRICTS=DISTRICTS,
                           is_open=vote.is_open(now), is_closed=vote.is_closed(now), now=now)


def _vote_limits():
    return current_app.config["RATELIMIT_AUDIENCE_PER_NETWORK"]


@bp.route("/<slug>/beitrag/<int:entry_id>", methods=["GET", "POST"], endpoint="entry")
@limiter.limit(_vote_limits, key_func=network_key, methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_AUDIENCE_PER_ADDRESS"], key_func=address_key, methods=["POST"])
@csrf.exempt  # no session and no account is involved: a forged request could do nothing the sender cannot do
def entry_page(slug: str, entry_id: int):
    now = utcnow()
    form = VoteForm(meta={"csrf": False})
    if request.method == "POST" and form.validate():
        # Lean on purpose (a viral vote): one query for the vote and the entry's category, one upsert, one job row;
        # the page is rendered only when something is wrong.
        vote, category_id = queries.vote_and_category(slug, entry_id)
        if vote is None or category_id is None:
            abort(404)
        try:
            ballot_id = services.request_vote(vote=vote, entry_id=entry_id, category_id=category_id,
                                           email=form.email.data, network=network_of(get_remote_address()),
                                           locale=str(get_locale() or "de")[:5], now=now)
        except DomainError as exc:
            db.session.rollback()
            if exc.field == "email":
                form.email.errors = [str(exc.message)]
            else:
                flash(str(exc.message), "error")
        else:
            db.session.commit()
            return redirect(url_for(".requested", slug=slug, entry_id=entry_id,
                                    state="already" if ballot_id is None else "sent"))
    edition, vote = _vote(slug)
    entry = _gallery_entry(vote, entry_id)
    images = queries.images_of([entry.id])
    return render_template("audience/entry.html", edition=edition, vote=vote, entry=entry, form=form,
                           image_id=images.get(entry.id), DISTRICTS=DISTRICTS, is_open=vote.is_open(now),
                           is_closed=vote.is_closed(now), now=now), 200 if not form.errors else 422


@bp.get("/<slug>/beitrag/<int:entry_id>/gesendet", endpoint="requested")
def requested(slug: str, entry_id: int):
    edition, vote = _vote(slug)
    entry = _gallery_entry(vote, entry_id)
    return render_template("audience/requested.html", edition=edition, vote=vote, entry=entry,
                           already=request.args.get("state") == "already")


@bp.route("/bestaetigen/<token>", methods=["GET", "POST"], endpoint="confirm")
@limiter.limit(lambda: current_app.config["RATELIMIT_AUDIENCE_CONFIRM"], key_func=network_key, methods=["POST"])
@csrf.exempt  # the unguessable token in the URL is the authority; a forged POST needs it already
def confirm(token: str):
    """GET shows a button and changes nothing (mail scanners open links); POST counts the vote."""
    form = ConfirmForm(meta={"csrf": False})
    if request.method == "POST":
        try:
            confirmed = services.confirm_vote(token=token, now=utcnow())
        except DomainError as exc:
            db.session.rollback()
            return render_template("audience/confirm.html", error=str(exc.message), form=form, token=token), 400
        db.session.commit()
        shown = queries.confirmed_choice(confirmed.vote_id, confirmed.entry_id)
        return render_template("audience/confirmed.html", shown=shown)
    return render_template("audience/confirm.html", error=None, form=form, token=token)


@bp.get("/<slug>/bild/<int:attachment_id>", endpoint="image")
def image(slug: str, attachment_id: int):
    """The entry's image for the gallery, re-encoded without metadata (no camera data, no location)."""
    from PIL import Image

    _edition, vote = _vote(slug)
    attachment = db.get_or_404(Attachment, attachment_id)
    if (attachment.removed_at is not None or attachment.kind not in queries.IMAGE_KINDS
            or not queries.image_allowed(attachment.id)):
        abort(404)
    _gallery_entry(vote, attachment.entry_id)
    try:
        with get_storage().open(attachment.storage_key) as raw, Image.open(raw) as picture:
            picture = picture.convert("RGB")
            picture.thumbnail((960, 720))
            out = io.BytesIO()
            picture.save(out, format="JPEG", quality=82, optimize=True)
    except (FileNotFoundError, OSError):
        abort(404)
    out.seek(0)
    response = send_file(out, mimetype="image/jpeg", download_name=f"beitrag-{attachment.entry_id}.jpg")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@verify_bp.get("/verify/publikumspreis/<code>", endpoint="verify")
def verify(code: str):
    certificate = None
    if code and len(code) <= 32:
        certificate = db.session.scalar(select(AudienceCertificate).where(AudienceCertificate.code == code))
    if certificate is None:
        return render_template("audience/verify.html", certificate=None, code=code), 404
    vote = certificate.vote
    valid = vote.published_at is not None and services.verify_vote(vote)
    entry = (vote.content or {}).get("entries", {}).get(str(certificate.entry_id)) if valid else None
    winners = [w for c in (vote.content or {}).get("categories", []) for w in c.get("winners", [])] if valid else []
    if entry is None or str(certificate.entry_id) not in winners:
        valid = False
    category = next((c["name"] for c in (vote.content or {}).get("categories", [])
                     if str(certificate.entry_id) in c.get("winners", [])), "")
    votes = next((r["votes"] for c in (vote.content or {}).get("categories", []) for r in c.get("ranking", [])
                  if r["entry"] == str(certificate.entry_id)), 0)
    return render_template("audience/verify.html", certificate=certificate, code=code, valid=valid, entry=entry,
                           vote=vote, category=category, votes=votes, edition_name=vote.edition.name), \
        200 if valid else 409
