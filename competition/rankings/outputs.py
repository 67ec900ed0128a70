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
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..core.pdf import ARCHIVE_VARIANT, PDF_VARIANT, render_pdf
from ..entries.labels import DISTRICT_LABELS
from ..entries.models import District
from . import charts
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

Progress = Callable[[int, int], None] | None

METHOD_LABELS = {
    "weighted-mean": _l("gewichtetes Mittel"),
    "median": _l("Median"),
    "trimmed-mean": _l("getrimmtes Mittel"),
    "calibrated": _l("kalibriert (Milde und Strenge der Jury ausgeglichen)"),
}
TIE_RULE_LABELS = {
    "score": _l("Punktzahl"),
    "calibrated": _l("kalibrierter Wert"),
    "median": _l("Median"),
    "top_criterion": _l("höchstgewichtetes Kriterium"),
    "top_scores": _l("Anzahl der Höchstwertungen"),
    "jury_decision": _l("Entscheidung der Jury"),
    "entry_id": _l("Beitragsnummer (letzte Stufe)"),
}
FLAG_LABELS = {
    "high_disagreement": _l("große Uneinigkeit der Jury"),
    "missing_sheets": _l("Bewertungsbögen fehlen"),
    "juror_not_calibrated": _l("Jurymitglied nicht kalibriert"),
    "single_sheet": _l("nur ein Bewertungsbogen"),
    "trimmed_fallback": _l("zu wenige Bögen für das getrimmte Mittel"),
}
JUROR_REASON_LABELS = {
    "too_few_entries": _l("zu wenige bewertete Beiträge"),
    "too_little_overlap": _l("zu wenig Überschneidung mit anderen Jurymitgliedern"),
}


# --- reading the content ------------------------------------------------------------------------------------------

def _content(snapshot: RankingSnapshot) -> dict[str, Any]:
    from .queries import resolved_content

    return resolved_content(snapshot)


def _edition_name(content: dict) -> str:
    edition = content.get("edition")
    return edition.get("name", "") if isinstance(edition, dict) else str(edition or "")


def _round(content: dict) -> dict:
    value = content.get("round")
    return value if isinstance(value, dict) else {"name": str(value or ""), "position": None, "is_final": False}


def _document_id(snapshot: RankingSnapshot) -> str:
    return f"Eingefrorener Stand {snapshot.id} · SHA-256 {snapshot.sha256}"


def _common(snapshot: RankingSnapshot) -> dict[str, Any]:
    content = _content(snapshot)
    return {
        "snapshot": {"id": snapshot.id, "sha256": snapshot.sha256, "inputs_sha256": content.get("inputs_sha256")},
        "edition_name": _edition_name(content),
        "document_id": _document_id(snapshot),
        "round": _round(content),
        "method": content.get("method"),
        "method_label": METHOD_LABELS.get(content.get("method"), content.get("method")),
        "frozen_at": when(content.get("frozen_at")),
        "frozen_by": content.get("frozen_by"),
        "scale": content.get("scale") or {"min": 0.0, "max": 10.0},
        "criteria": content.get("criteria") or [],
    }


def _entry(content: dict, entry_id: str) -> dict[str, Any]:
    entry = (content.get("entries") or {}).get(entry_id) or {}
    return {"id": entry_id, "number": entry.get("number") or entry_id, "title": entry.get("title") or "",
            "company": entry.get("company") or "", "category": entry.get("category"),
            "district": _district(entry.get("district")), "summary": entry.get("summary") or "",
            "publish_summary": bool(entry.get("publish_summary"))}


def _district(key: str | None) -> str:
    """The district by its proper name („Landkreis Zwickau“), never its key; an unknown value as it is."""
    if not key:
        return ""
    try:
        return str(DISTRICT_LABELS[District(key)])
    except (ValueError, KeyError):
        return key


def _categories(content: dict) -> list[dict[str, str]]:
    return [{"id": str(c["id"]), "name": c.get("name", "")} for c in content.get("categories") or []]


def _category_ranking(content: dict, category_id: str) -> dict:
    ranking = (content.get("by_category") or {}).get(category_id)
    if ranking:
        return ranking
    entries = content.get("entries") or {}
    rows = [r for r in (content.get("overall") or {}).get("ranking", [])
            if entries.get(r["entry"], {}).get("category") == category_id]
    return {"method": content.get("method"), "ranking": rows, "jurors": [], "agreement": {}}


def _rows(content: dict, ranking: dict) -> list[dict[str, Any]]:
    rows = []
    for row in ranking.get("ranking") or []:
        interval = row.get("rank_interval")
        rows.append({
            **row,
            "entry": _entry(content, row["entry"]),
            "interval": tuple(interval) if interval else None,
            "tie_rule_label": TIE_RULE_LABELS.get(row.get("tie_rule")) if row.get("tie_rule") else None,
            "flag_labels": [FLAG_LABELS.get(f, f) for f in row.get("flags") or []],
            "criteria": row.get("criteria") or {},
        })
    return rows


def _jurors(content: dict, ranking: dict) -> list[dict[str, Any]]:
    names = content.get("jurors") or {}
    out = []
    for j in ranking.get("jurors") or []:
        out.append({**j, "name": (names.get(j["juror"]) or {}).get("name") or j["juror"],
                    "reason_label": JUROR_REASON_LABELS.get(j.get("reason"), j.get("reason"))})
    return out


def _decisions(content: dict) -> dict[str, Any]:
    decisions = content.get("decisions") or {}
    categories = {c["id"]: c["name"] for c in _categories(content)}
    awards = [{**a, "entry": _entry(content, a["entry"]), "category_name": categories.get(a.get("category"), ""),
               "kind_label": KIND_LABELS.get(a.get("kind"), a.get("kind")),
               "place_words": place_in_words(a.get("place"))}
              for a in decisions.get("awards") or []]
    awards.sort(key=lambda a: (list(categories).index(a["category"]) if a.get("category") in categories else 99,
                               a.get("kind") != "winner", a.get("place") or 99, a["entry"]["number"]))
    overrides = [{**o, "entry": _entry(content, o["entry"]), "category_name": categories.get(o.get("category"), ""),
                  "at": when(o.get("at"))} for o in decisions.get("overrides") or []]
    final_order = {cid: [_entry(content, e) for e in order]
                   for cid, order in (decisions.get("final_order") or {}).items()}
    return {"shortlist": [_entry(content, e) for e in decisions.get("shortlist") or []], "awards": awards,
            "overrides": overrides, "final_order": final_order}


def _score_groups(content: dict) -> list[charts.Distribution]:
    groups = []
    for category in _categories(content):
        rows = _category_ranking(content, category["id"]).get("ranking") or []
        groups.append(charts.Distribution(category["name"], [r["score"] for r in rows if r.get("score") is not None]))
    return groups


def _interval_chart(rows: list[dict], title: str) -> Any:
    return charts.ranking_intervals(
        [charts.RankRow(f"{r['entry']['number']} {r['entry']['title']}", r["rank"], r["interval"], bool(r.get("tie")))
         for r in rows], title=title)


def _category_distribution(content: dict, category: dict, rows: list[dict], scale: dict) -> Any:
    """One category's spread: the total score and each criterion's average, one row each."""
    groups = [charts.Distribution(str(_l("Gesamtpunktzahl")),
                                  [r["score"] for r in rows if r.get("score") is not None])]
    for criterion in content.get("criteria") or []:
        values = [(r.get("criteria") or {}).get(criterion["id"]) for r in rows]
        groups.append(charts.Distribution(criterion.get("name", ""), [v for v in values if v is not None]))
    return charts.score_distribution(groups, scale_min=scale["min"], scale_max=scale["max"],
                                     title=str(_l("Verteilung der Punktzahlen: %(name)s", name=category["name"])),
                                     row_label=str(_l("Punktzahl und Kriterien")))


def _leniency_chart(jurors: list[dict], title: str | None = None) -> Any:
    return charts.juror_leniency([charts.Leniency(j["name"], j.get("offset") or 0.0, bool(j.get("calibrated")))
                                  for j in jurors], title=title)


@dataclass(frozen=True)
class ChartPanel:
    """The charts of one category (or of all categories together) on the organisers' ranking page."""

    key: str
    name: str
    heading: str
    charts: tuple[Any, ...]


OVERALL_PANEL = "gesamt"


def page_charts(snapshot: RankingSnapshot) -> list[ChartPanel]:
    """The charts of the organisers' ranking page, one panel per category (its ranking with rank intervals, its
    spread, its jury's leniency) and one for all categories together; the same SVGs as in the jury ranking PDF."""
    content = _content(snapshot)
    scale = _common(snapshot)["scale"]
    panels = []
    for category in _categories(content):
        ranking = _category_ranking(content, category["id"])
        rows = _rows(content, ranking)
        if not rows:
            continue
        name = category["name"]
        jurors = _jurors(content, ranking)
        panel_charts = [_interval_chart(rows, str(_l("Rangliste %(name)s mit Rangintervallen", name=name))),
                        _category_distribution(content, category, rows, scale)]
        if jurors:
            panel_charts.append(_leniency_chart(jurors, str(_l("Milde und Strenge der Jury: %(name)s", name=name))))
        panels.append(ChartPanel(category["id"], name, str(_l("Kategorie %(name)s", name=name)),
                                 tuple(panel_charts)))
    overall = content.get("overall") or {}
    jurors = _jurors(content, overall)
    panels.append(ChartPanel(OVERALL_PANEL, str(_l("Alle Kategorien")), str(_l("Alle Kategorien im Vergleich")), (
        _interval_chart(_rows(content, overall), str(_l("Gesamtrangliste mit Rangintervallen"))),
        charts.score_distribution(_score_groups(content), scale_min=scale["min"], scale_max=scale["max"]),
        _leniency_chart(jurors),
    )))
    return panels


# --- internal jury ranking ----------------------------------------------------------------------------------------

def internal_pdf(snapshot: RankingSnapshot, *, lang: str = "de") -> bytes:
    """The jury's ranking per category and overall, with every number, the charts and the decisions (PDF/A)."""
    from .reliability_panel import build as reliability_panel

    content = _content(snapshot)
    context = _common(snapshot)
    with force_locale(lang):
        reliability = reliability_panel(snapshot, content, None, stored_only=True)  # as frozen, never recomputed
        sections = []
        for category in _categories(content):
            ranking = _category_ranking(content, category["id"])
            rows = _rows(content, ranking)
            sections.append({"category": category, "rows": rows,
                             "chart": _interval_chart(rows, str(_l("Rangliste %(name)s mit Rangintervallen",
                                                                     name=category["name"]))),
                             "distribution": _category_distribution(content, category, rows, context["scale"])
                             if rows else None,
                             "kendall_tau": (ranking.get("agreement") or {}).get("kendall_tau")})
        overall = content.get("overall") or {}
        overall_rows = _rows(content, overall)
        jurors = _jurors(content, overall)
        scale = context["scale"]
        title = str(_l("Jury-Rangliste – %(round)s", round=context["round"].get("name", "")))
        return render_pdf(
            "rankings/pdf/internal.html", title=title, lang=lang, variant=ARCHIVE_VARIANT, **context,
            sections=sections, overall_rows=overall_rows,
            overall_chart=_interval_chart(overall_rows, str(_l("Gesamtrangliste mit Rangintervallen"))),
            jurors=jurors, kendall_tau=(overall.get("agreement") or {}).get("kendall_tau"),
            distribution_chart=charts.score_distribution(_score_groups(content), scale_min=scale["min"],
                                                         scale_max=scale["max"]),
            leniency_chart=_leniency_chart(jurors),
            decisions=_decisions(content), tie_rules=TIE_RULE_LABELS,
            category_names={c["id"]: c["name"] for c in _categories(content)}, reliability=reliability,
        )


# --- public results -----------------------------------------------------------------------------------------------

def public_pdf(snapshot: RankingSnapshot, *, lang: str = "de", extra_awards: list | None = None) -> bytes:
    """Winners, special mentions with their justification, the finalists (or the shortlist) per category; summaries
    only where the company allowed it; no scores, no juror names (PDF/UA-1)."""
    content = _content(snapshot)
    context = _common(snapshot)
    decisions = _decisions(content)
    judging_round = context["round"]
    shortlist = {e["id"] for e in decisions["shortlist"]}
    sections = []
    for category in _categories(content):
        awards = [a for a in decisions["awards"] if a.get("category") == category["id"]]
        awarded = {a["entry"]["id"] for a in awards}
        ranked = [_entry(content, r["entry"]) for r in _category_ranking(content, category["id"]).get("ranking", [])]
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
    wanted = ranked_entries(_content(snapshot))
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
    content = _content(snapshot)
    context = _common(snapshot)
    categories = {c["id"]: c["name"] for c in _categories(content)}
    awards = {a["entry"]["id"]: a for a in _decisions(content)["awards"]}
    pages = []
    total = len(codes)
    with force_locale(lang):
        label = str(_l("QR-Code zur Prüfung dieser Urkunde"))
        for done, (entry_id, code) in enumerate(codes.items(), start=1):
            entry = _entry(content, entry_id)
            kind = certificate_kind(content, entry_id)
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


def _feedback_letter(snapshot: RankingSnapshot, entry_id: str) -> dict[str, Any]:
    content = _content(snapshot)
    entry = _entry(content, entry_id)
    scale = content.get("scale") or {"min": 0.0, "max": 10.0}
    category_name = next((c["name"] for c in _categories(content) if c["id"] == entry["category"]), "")
    rows = _category_ranking(content, entry["category"]).get("ranking") or []
    own = next((r for r in rows if r["entry"] == entry_id), None)
    if own is None:
        own = next((r for r in (content.get("overall") or {}).get("ranking", []) if r["entry"] == entry_id), None)
    criteria = []
    bands = []
    for criterion in content.get("criteria") or []:
        values = [r["criteria"][criterion["id"]] for r in rows
                  if r.get("criteria", {}).get(criterion["id"]) is not None]
        value = (own or {}).get("criteria", {}).get(criterion["id"])
        if values:
            low, q1, median, q3, high = charts.quartiles(values)
            bands.append(charts.CriterionBand(criterion["name"], value, low, q1, median, q3, high))
        else:
            low = q1 = median = q3 = high = None
        criteria.append({"name": criterion["name"], "percent": criterion.get("percent"), "value": value,
                         "min": low, "q1": q1, "median": median, "q3": q3, "max": high})
    totals = [r["score"] for r in rows if r.get("score") is not None]
    total = None
    if totals:
        total = {"value": (own or {}).get("score"), "min": min(totals), "median": statistics.median(totals),
                 "max": max(totals), "count": len(totals)}
    sheets = [s for s in content.get("sheets") or []
              if s.get("entry") == entry_id and (s.get("feedback") or "").strip()]
    sheets.sort(key=lambda s: _shuffle_key(snapshot, entry_id, s.get("juror", "")))
    return {"entry": entry, "category": category_name, "criteria": criteria, "total": total,
            "feedback": [s["feedback"].strip() for s in sheets],
            "chart": charts.criterion_profile(bands, scale_min=scale["min"], scale_max=scale["max"]) if bands else None}


def _feedback_entries(content: dict) -> list[str]:
    return ranked_entries(content)


def feedback_pdf(snapshot: RankingSnapshot, entry_id: str, *, lang: str = "de") -> bytes:
    """The feedback letter for one company's entry: its criteria against its category, the jury's feedback texts
    without names (PDF/UA-1). Raises KeyError for an entry that is not in the snapshot."""
    entry_id = str(entry_id)
    if entry_id not in (_content(snapshot).get("entries") or {}):
        raise KeyError(entry_id)
    context = _common(snapshot)
    with force_locale(lang):
        letter = _feedback_letter(snapshot, entry_id)
        title = str(_l("Rückmeldung der Jury – %(number)s", number=letter["entry"]["number"]))
        return render_pdf("rankings/pdf/feedback.html", title=title, lang=lang, variant=PDF_VARIANT, **context,
                          letters=[letter])


def feedback_pdfs(snapshot: RankingSnapshot, progress: Progress = None, *, lang: str = "de") -> bytes:
    """Every company's feedback letter in one document, each on a new page."""
    context = _common(snapshot)
    wanted = _feedback_entries(_content(snapshot))
    letters = []
    with force_locale(lang):
        for done, entry_id in enumerate(wanted, start=1):
            letters.append(_feedback_letter(snapshot, entry_id))
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
    content = _content(snapshot)
    context = _common(snapshot)
    names = content.get("jurors") or {}
    sheets_per_juror: dict[str, int] = {}
    for sheet in content.get("sheets") or []:
        sheets_per_juror[sheet.get("juror")] = sheets_per_juror.get(sheet.get("juror"), 0) + 1
    jurors = sorted(({"name": (v or {}).get("name") or k, "sheets": sheets_per_juror.get(k, 0)}
                     for k, v in names.items()), key=lambda j: j["name"].casefold())
    decisions = _decisions(content)
    orders = []
    for category in _categories(content):
        order = decisions["final_order"].get(category["id"])
        if order is None:
            order = [_entry(content, r["entry"])
                     for r in _category_ranking(content, category["id"]).get("ranking", [])]
        orders.append({"category": category, "entries": order})
    with force_locale(lang):
        title = str(_l("Jury-Protokoll – %(round)s", round=context["round"].get("name", "")))
        return render_pdf("rankings/pdf/protocol.html", title=title, lang=lang, variant=ARCHIVE_VARIANT, **context,
                          jurors=jurors, decisions=decisions, orders=orders,
                          design=design_of(find_design(snapshot.edition_id)),
                          sheet_count=len(content.get("sheets") or []), entry_count=len(content.get("entries") or {}))


KINDS = {
    "internal": internal_pdf,
    "public": public_pdf,
    "protocol": protocol_pdf,
}


def frozen_at(snapshot: RankingSnapshot) -> datetime | None:
    return when(_content(snapshot).get("frozen_at"))
