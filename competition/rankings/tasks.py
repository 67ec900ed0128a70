"""Bulk outputs of a frozen snapshot as background jobs: all certificates in one PDF, all feedback letters in one
PDF (each company on its own pages). A single document is rendered on request instead (see views.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core import urls
from ..extensions import db
from ..jobs import task
from .models import RankingSnapshot
from .queries import file_stem


def _snapshot(ctx, snapshot_id: int) -> RankingSnapshot:
    snapshot = db.session.get(RankingSnapshot, snapshot_id)
    if snapshot is None:
        raise ValueError(f"Den eingefrorenen Stand {snapshot_id} gibt es nicht mehr.")
    return snapshot


@task("rankings.certificates", label=_l("Urkunden (alle)"))
def certificates(ctx, *, snapshot_id: int, base_url: str | None = None) -> None:
    """All certificates of a snapshot: valid ones with codes from the published snapshot (decided when the job runs,
    not when it was queued), otherwise a draft marked "Entwurf" without codes. base_url: only in jobs queued by older
    versions; ignored, the QR codes carry BASE_URL."""
    from . import outputs
    from .certificates import is_published

    snapshot = _snapshot(ctx, snapshot_id)
    published = is_published(snapshot)
    data = outputs.certificates_pdf(snapshot, base_url=urls.base_url(), progress=ctx.progress)
    if not published:
        ctx.set_message(str(_l("Entwurf: Dieser Stand ist nicht veröffentlicht; die Urkunden tragen den Vermerk "
                               "„Entwurf“ und keinen Prüfcode.")))
    ctx.save_result(f"urkunden{'' if published else '-entwurf'}-{file_stem(snapshot)}.pdf", data, "application/pdf")


@task("rankings.feedback", label=_l("Rückmeldungen an die Unternehmen (alle)"))
def feedback(ctx, *, snapshot_id: int) -> None:
    from . import outputs

    snapshot = _snapshot(ctx, snapshot_id)
    data = outputs.feedback_pdfs(snapshot, progress=ctx.progress)
    ctx.save_result(f"rueckmeldungen-{file_stem(snapshot)}.pdf", data, "application/pdf")


def outcome_sentence(content: dict, entry_id: str) -> str:
    """What the jury decided for one entry, in one sentence (in the current locale)."""
    from .certificates import certificate_kind

    entry = content["entries"][entry_id]
    category = next((c["name"] for c in content.get("categories", []) if c["id"] == entry.get("category")), "")
    kind = certificate_kind(content, entry_id)
    if kind == "winner":
        place = next((a.get("place") for a in content["decisions"]["awards"] if a["entry"] == entry_id), None)
        return str(_l("Ihr Beitrag wurde mit dem %(place)s. Platz in der Kategorie „%(category)s“ ausgezeichnet – "
                      "herzlichen Glückwunsch!", place=place or 1, category=category))
    if kind == "mention":
        return str(_l("Ihr Beitrag erhält eine Anerkennung der Jury in der Kategorie „%(category)s“ – herzlichen "
                      "Glückwunsch!", category=category))
    if kind == "finalist":
        return str(_l("Ihr Beitrag war im Finale der Kategorie „%(category)s“; für einen Preis hat es diesmal nicht "
                      "gereicht.", category=category))
    return str(_l("Ihr Beitrag wurde in der Kategorie „%(category)s“ bewertet; für das Finale hat es diesmal nicht "
                  "gereicht.", category=category))


@task("rankings.results_mail", label=_l("Ergebnisse an die Unternehmen"))
def results_mail(ctx, *, snapshot_id: int, base_url: str | None = None) -> None:
    """One mail per member of every ranked company with the outcome and the jury's feedback letter attached. Who
    got it is noted in the job, so a retry never mails anyone twice."""
    from flask_babel import force_locale
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from ..entries.models import CompanyMember, Entry
    from ..jobs import RetryLater
    from . import outputs
    from .mails import send_results_mail
    from .models import Publication

    snapshot = _snapshot(ctx, snapshot_id)
    if db.session.scalar(select(Publication.id).where(Publication.snapshot_id == snapshot.id)) is None:
        ctx.set_message(str(_l("Dieser Stand ist nicht (mehr) veröffentlicht; es wurde nichts versendet.")))
        return
    content = snapshot.content
    entry_ids = list(content["entries"])
    companies = dict(db.session.execute(select(Entry.id, Entry.company_id)
                                        .where(Entry.id.in_([int(e) for e in entry_ids]))).all())
    members: dict[int, list] = {}
    company_ids = set(companies.values())
    for member in db.session.scalars(select(CompanyMember).where(CompanyMember.company_id.in_(company_ids))
                                     .options(joinedload(CompanyMember.user))):
        if member.user is not None and member.user.is_active_account:
            members.setdefault(member.company_id, []).append(member.user)
    done = set(ctx.job.params.get("sent", []))
    failed = 0
    for step, entry_id in enumerate(entry_ids, start=1):
        pdfs: dict[str, bytes] = {}
        for user in members.get(companies.get(int(entry_id)), []):
            key = f"{entry_id}:{user.id}"
            if key in done:
                continue
            locale = user.locale or "de"
            if locale not in pdfs:
                pdfs[locale] = outputs.feedback_pdf(snapshot, entry_id, lang=locale)
            meta = content["entries"][entry_id]
            with force_locale(locale):
                outcome = outcome_sentence(content, entry_id)
            sent = send_results_mail(user=user, locale=locale, content=content, entry_id=entry_id, outcome=outcome,
                                     attachment=(f"rueckmeldung-{meta['number'] or entry_id}.pdf", pdfs[locale],
                                                 "application/pdf"))
            if sent:
                done.add(key)
                ctx.job.params = {**ctx.job.params, "sent": sorted(done)}
            else:
                failed += 1
        ctx.progress(step, len(entry_ids))  # commits who has been mailed
    if failed:
        raise RetryLater(str(_l("%(n)s E-Mails konnten nicht gesendet werden (Mailserver).", n=failed)))
    ctx.set_message(str(_l("%(n)s E-Mails mit Ergebnis und Rückmeldung gesendet.", n=len(done))))
