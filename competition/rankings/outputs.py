"""The published outputs of a frozen ranking, as PDF bytes: the jury's ranking, the public results, certificates,
feedback letters for the companies and the jury protocol.

Everything is made from ``snapshot.content`` (format 1, see the snapshot brief), never from live scores, so a
document printed today and one printed next year from the same snapshot say the same; every page's footer carries
the snapshot's SHA-256. Texts in the content are untrusted input: the templates autoescape them.

Variants: the jury ranking and the protocol are archived documents (PDF/A-3a: PDF/A and tagged, so they are also
accessible); the public results, certificates and feedback letters are published (PDF/UA-1).

``certificates_pdf`` gets or creates a `Certificate` row per entry when the snapshot is the published one (it flushes;
the caller commits); from any other snapshot it prints a draft marked "Entwurf" without codes.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..core.pdf import ARCHIVE_VARIANT, PDF_VARIANT, render_pdf
from . import chart_panels, charts
from . import document_content as doc
from .certificates import (
    KIND_LABELS,
    certificate_kind,
    ensure_certificates,
    is_published,
    place_in_words,
    qr_svg,
    ranked_entries,
    verify_url,
    when,
)
from .design import design_of, find_design
from .models import RankingSnapshot
from .snapshot_content import SnapshotContent

Progress = Callable[[int, int], None] | None


# --- internal jury ranking ----------------------------------------------------------------------------------------

def internal_pdf(snapshot: RankingSnapshot, *, lang: str = "de") -> bytes:
    """The jury's ranking per category and overall, with every number, the charts and the decisions (PDF/A)."""
    from .reliability_panel import build as reliability_panel

    content = doc.parsed(snapshot)
    context = doc.common(snapshot)
    with force_locale(lang):
        # as frozen, never recomputed
        reliability = reliability_panel(snapshot, doc.read(snapshot), None, stored_only=True)
        sections = []
        for category in doc.category_refs(content):
            ranking = doc.category_ranking(content, category["id"])
            rows = doc.rows(content, ranking)
            title = str(_l("Rangliste %(name)s mit Rangintervallen", name=category["name"]))
            sections.append({"category": category, "rows": rows,
                             "chart": chart_panels.interval_chart(rows, title),
                             "distribution": chart_panels.category_distribution(content, category, rows,
                                                                                context["scale"])
                             if rows else None,
                             "kendall_tau": ranking.kendall_tau})
        overall = content.overall
        overall_rows = doc.rows(content, overall)
        jurors = doc.jurors(content, overall)
        scale = context["scale"]
        title = str(_l("Jury-Rangliste – %(round)s", round=context["round"].get("name", "")))
        return render_pdf(
            "rankings/pdf/internal.html", title=title, lang=lang, variant=ARCHIVE_VARIANT, **context,
            sections=sections, overall_rows=overall_rows,
            overall_chart=chart_panels.interval_chart(overall_rows, str(_l("Gesamtrangliste mit Rangintervallen"))),
            jurors=jurors, kendall_tau=overall.kendall_tau if overall else None,
            distribution_chart=charts.score_distribution(chart_panels.score_groups(content), scale_min=scale["min"],
                                                         scale_max=scale["max"]),
            leniency_chart=chart_panels.leniency_chart(jurors),
            decisions=doc.decisions(content), tie_rules=doc.TIE_RULE_LABELS,
            category_names={c["id"]: c["name"] for c in doc.category_refs(content)}, reliability=reliability,
        )


# --- public results -----------------------------------------------------------------------------------------------

def public_pdf(snapshot: RankingSnapshot, *, lang: str = "de", extra_awards: list | None = None) -> bytes:
    """Winners, special mentions with their justification, the finalists (or the shortlist) per category; summaries
    only where the company allowed it; no scores, no juror names (PDF/UA-1)."""
    content = doc.parsed(snapshot)
    context = doc.common(snapshot)
    decisions = doc.decisions(content)
    judging_round = context["round"]
    shortlist = {e["id"] for e in decisions["shortlist"]}
    sections = []
    for category in doc.category_refs(content):
        awards = [a for a in decisions["awards"] if a.get("category") == category["id"]]
        awarded = {a["entry"]["id"] for a in awards}
        ranked = [doc.entry(content, r.entry) for r in doc.category_ranking(content, category["id"]).ranking]
        if judging_round.get("is_final"):
            others = [e for e in ranked if e["id"] not in awarded]
        else:
            others = [e for e in ranked if e["id"] in shortlist]
        others.sort(key=lambda e: (e["company"].casefold(), e["number"]))
        sections.append({"category": category, "winners": [a for a in awards if a.get("kind") == "winner"],
                         "mentions": [a for a in awards if a.get("kind") == "mention"], "others": others})
    with force_locale(lang):
        title = str(_l("Ergebnisse – %(edition)s", edition=context["edition_name"]))
        return render_pdf("rankings/pdf/public.html", title=title, lang=lang, variant=PDF_VARIANT, **context,
                          sections=sections, is_final=bool(judging_round.get("is_final")),
                          extra_awards=extra_awards or [])


# --- certificates -------------------------------------------------------------------------------------------------

def certificates_pdf(snapshot: RankingSnapshot, *, base_url: str, entries: list[str] | None = None,
                     progress: Progress = None, lang: str = "de") -> bytes:
    """One document, one page per certificate (PDF/UA-1). From the published snapshot each page has its QR code to
    its verification page (missing `Certificate` rows are made: flush); from any other snapshot the pages are a
    draft, marked "Entwurf", without a code (see `certificates.is_published`).
    `entries`: only these entry ids (default: every ranked entry)."""
    wanted = ranked_entries(doc.read(snapshot))
    if entries is not None:
        chosen = {str(e) for e in entries}
        wanted = [e for e in wanted if e in chosen]
    if not is_published(snapshot):
        return render_certificates(snapshot, dict.fromkeys(wanted), base_url=base_url, progress=progress,
                                   lang=lang)
    certificates = ensure_certificates(snapshot, wanted)
    return render_certificates(snapshot, {e: c.code for e, c in certificates.items()}, base_url=base_url,
                               progress=progress, lang=lang)


def render_certificates(snapshot: RankingSnapshot, codes: dict[str, str | None], *, base_url: str,
                        progress: Progress = None, lang: str = "de") -> bytes:
    """The certificates of the entries in `codes` (entry id → verification code, None for a draft page without a
    code), in that order."""
    raw = doc.read(snapshot)
    content = doc.parsed(snapshot)
    context = doc.common(snapshot)
    categories = {c["id"]: c["name"] for c in doc.category_refs(content)}
    awards = {a["entry"]["id"]: a for a in doc.decisions(content)["awards"]}
    pages = []
    total = len(codes)
    with force_locale(lang):
        label = str(_l("QR-Code zur Prüfung dieser Urkunde"))
        for done, (entry_id, code) in enumerate(codes.items(), start=1):
            entry = doc.entry(content, entry_id)
            kind = certificate_kind(raw, entry_id)
            url = verify_url(base_url, code) if code else None
            place = (awards.get(entry_id) or {}).get("place")
            pages.append({"entry": entry, "kind": kind, "kind_label": KIND_LABELS[kind],
                          "place": place, "place_words": place_in_words(place),
                          "category": categories.get(entry["category"], ""), "code": code, "url": url,
                          "qr": qr_svg(url, label=label) if url else None})
            if progress and done % 10 == 0 and done < total:
                progress(done, total)
        draft = any(p["code"] is None for p in pages)
        title = str(_l("Urkunden (Entwurf) – %(edition)s", edition=context["edition_name"]) if draft
                    else _l("Urkunden – %(edition)s", edition=context["edition_name"]))
        pdf = render_pdf("rankings/pdf/certificates.html", title=title, lang=lang, variant=PDF_VARIANT,
                         **{**context, "document_id": ""}, pages=pages, draft=draft,
                         design=design_of(find_design(snapshot.edition_id)))
    if progress:
        progress(total, total)  # the last step only once the document is rendered
    return pdf


# --- feedback letters ---------------------------------------------------------------------------------------------

def _shuffle_key(snapshot: RankingSnapshot, entry_id: str, juror: str) -> str:
    """A random-looking but fixed order of the feedback texts: who wrote which cannot be read from the order."""
    return hashlib.sha256(f"{snapshot.sha256}:{entry_id}:{juror}".encode()).hexdigest()


def _feedback_letter(snapshot: RankingSnapshot, entry_id: str, content: SnapshotContent | None = None
                     ) -> dict[str, Any]:
    content = content or doc.parsed(snapshot)
    entry = doc.entry(content, entry_id)
    scale = doc.scale(content)
    category_name = next((c["name"] for c in doc.category_refs(content) if c["id"] == entry["category"]), "")
    rows = doc.category_ranking(content, entry["category"]).ranking
    own = next((r for r in rows if r.entry == entry_id), None)
    if own is None:
        own = next((r for r in content.overall_rows if r.entry == entry_id), None)
    criteria = []
    bands = []
    for criterion in content.criteria:
        values = [r.criteria[criterion.id] for r in rows if r.criteria.get(criterion.id) is not None]
        value = own.criteria.get(criterion.id) if own else None
        if values:
            low, q1, median, q3, high = charts.quartiles(values)
            bands.append(charts.CriterionBand(criterion.name, value, low, q1, median, q3, high))
        else:
            low = q1 = median = q3 = high = None
        criteria.append({"name": criterion.name, "percent": criterion.percent, "value": value,
                         "min": low, "q1": q1, "median": median, "q3": q3, "max": high})
    totals = [r.score for r in rows if r.score is not None]
    total = None
    if totals:
        total = {"value": own.score if own else None, "min": min(totals), "median": statistics.median(totals),
                 "max": max(totals), "count": len(totals)}
    sheets = [s for s in content.sheets if s.entry == entry_id and (s.feedback or "").strip()]
    sheets.sort(key=lambda s: _shuffle_key(snapshot, entry_id, s.juror))
    return {"entry": entry, "category": category_name, "criteria": criteria, "total": total,
            "feedback": [s.feedback.strip() for s in sheets],
            "chart": charts.criterion_profile(bands, scale_min=scale["min"], scale_max=scale["max"]) if bands else None}


def _feedback_entries(content: dict) -> list[str]:
    return ranked_entries(content)


def feedback_pdf(snapshot: RankingSnapshot, entry_id: str, *, lang: str = "de") -> bytes:
    """The feedback letter for one company's entry: its criteria against its category, the jury's feedback texts
    without names (PDF/UA-1). Raises KeyError for an entry that is not in the snapshot."""
    entry_id = str(entry_id)
    if entry_id not in doc.parsed(snapshot).entries:
        raise KeyError(entry_id)
    context = doc.common(snapshot)
    with force_locale(lang):
        letter = _feedback_letter(snapshot, entry_id)
        title = str(_l("Rückmeldung der Jury – %(number)s", number=letter["entry"]["number"]))
        return render_pdf("rankings/pdf/feedback.html", title=title, lang=lang, variant=PDF_VARIANT, **context,
                          letters=[letter])


def feedback_pdfs(snapshot: RankingSnapshot, progress: Progress = None, *, lang: str = "de") -> bytes:
    """Every company's feedback letter in one document, each on a new page."""
    context = doc.common(snapshot)
    wanted = _feedback_entries(doc.read(snapshot))
    content = doc.parsed(snapshot)
    letters = []
    with force_locale(lang):
        for done, entry_id in enumerate(wanted, start=1):
            letters.append(_feedback_letter(snapshot, entry_id, content))
            if progress and done % 10 == 0 and done < len(wanted):
                progress(done, len(wanted))
        title = str(_l("Rückmeldungen der Jury – %(edition)s", edition=context["edition_name"]))
        pdf = render_pdf("rankings/pdf/feedback.html", title=title, lang=lang, variant=PDF_VARIANT, **context,
                         letters=letters)
    if progress:
        progress(len(wanted), len(wanted))  # the last step only once the document is rendered
    return pdf


# --- jury protocol ------------------------------------------------------------------------------------------------

def protocol_pdf(snapshot: RankingSnapshot, *, lang: str = "de") -> bytes:
    """The jury protocol: what was frozen, when and by whom, from which inputs; the decisions with their reasons;
    the jurors; the final order per category (PDF/A)."""
    content = doc.parsed(snapshot)
    context = doc.common(snapshot)
    sheets_per_juror: dict[str, int] = {}
    for sheet in content.sheets:
        sheets_per_juror[sheet.juror] = sheets_per_juror.get(sheet.juror, 0) + 1
    jurors = sorted(({"name": v.name or k, "sheets": sheets_per_juror.get(k, 0)}
                     for k, v in content.jurors.items()), key=lambda j: j["name"].casefold())
    decisions = doc.decisions(content)
    orders = []
    for category in doc.category_refs(content):
        order = decisions["final_order"].get(category["id"])
        if order is None:
            order = [doc.entry(content, r.entry) for r in doc.category_ranking(content, category["id"]).ranking]
        orders.append({"category": category, "entries": order})
    with force_locale(lang):
        title = str(_l("Jury-Protokoll – %(round)s", round=context["round"].get("name", "")))
        return render_pdf("rankings/pdf/protocol.html", title=title, lang=lang, variant=ARCHIVE_VARIANT, **context,
                          jurors=jurors, decisions=decisions, orders=orders,
                          design=design_of(find_design(snapshot.edition_id)),
                          sheet_count=len(content.sheets), entry_count=len(content.entries))


KINDS = {
    "internal": internal_pdf,
    "public": public_pdf,
    "protocol": protocol_pdf,
}


def frozen_at(snapshot: RankingSnapshot) -> datetime | None:
    return when(doc.parsed(snapshot).frozen_at)
