"""A realistic frozen ranking for the output tests: a snapshot whose content follows snapshot format 1, made from
real rows (edition, rounds, categories, companies, entries, jurors) so certificates can point at entries.

2 categories × 3 entries, 3 jurors who each score every entry, awards, a shortlist, an override, an entry title
with markup. The rankings in the content are computed by the real ranking code from the sheets.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from competition.accounts.models import Role
from competition.editions.models import Category, JudgingRound
from competition.extensions import db
from competition.rankings import ranking as rk
from competition.rankings.models import RankingSnapshot
from competition.rankings.services import canonical_sha256

MARKUP_TITLE = "<script>alert(1)</script> & <b>Fett</b>"
FROZEN_AT = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
CRITERIA = [("Innovationsgrad", 30.0), ("Umsetzung", 40.0), ("Nutzen für die Region", 30.0)]
# (title, company, category index, base quality, publish_summary)
ENTRIES = [
    ("Adaptive Spannvorrichtung", "Erzgebirge Präzision GmbH", 0, 8.4, True),
    (MARKUP_TITLE, "=HYPERLINK(\"http://evil.example\") AG", 0, 6.1, False),
    ("Digitaler Zwilling für Strickmaschinen", "Textil Neu GmbH & Co. KG", 0, 7.2, True),
    ("Wasserstoff-Schweißzelle", "Chemnitzer Anlagenbau GmbH", 1, 7.9, True),
    ("Kreislauf-Gießerei", "Gießerei Freiberg GmbH", 1, 7.0, False),
    ("Holz-Hybridträger", "Vogtland Holzbau eG", 1, 5.5, True),
]
JURORS = ["Dr. Jana Jury", "Prof. Karl Kritisch", "Mila Milde"]
JUROR_OFFSETS = [0.0, -0.8, 1.2]


def make_snapshot(*, make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user,
                  is_final: bool = True, slug: str = "ind-2026", tamper: bool = False) -> RankingSnapshot:
    edition = make_edition(name=f"Industrie. Neu. Denken. {slug[-4:]}", slug=slug)
    first = make_round(edition, name="Vorauswahl")
    final = make_round(edition, name="Finale") if is_final else first
    criteria = [make_criterion(final, name=name, weight=Decimal(str(weight))) for name, weight in CRITERIA]
    categories: list[Category] = [make_category(edition, name="Digitalisierung"),
                                  make_category(edition, name="Nachhaltigkeit & Energie")]
    jurors = [make_user(roles=(Role.JUROR,), full_name=name) for name in JURORS]
    entries = []
    for i, (title, company_name, category_index, _quality, _publish) in enumerate(ENTRIES, start=1):
        company = make_company(make_user(), legal_name=company_name, legal_form="")
        entries.append(make_entry(company=company, category=categories[category_index], title=title,
                                  number=f"IND-{slug[-4:]}-{i:04d}"))
    crit_ids = [str(c.id) for c in criteria]
    sheets = []
    for e_index, entry in enumerate(entries):
        quality = ENTRIES[e_index][3]
        for j_index, juror in enumerate(jurors):
            scores = {cid: max(0.0, min(10.0, round((quality + JUROR_OFFSETS[j_index] + 0.3 * ((c + e_index) % 3 - 1))
                                                    * 2) / 2)) for c, cid in enumerate(crit_ids)}
            feedback = f"Hinweis {j_index + 1} zu {entry.number}: weiter so, <i>klar</i> & deutlich."
            sheets.append({"juror": str(juror.id), "entry": str(entry.id), "scores": scores,
                           "comments": {crit_ids[0]: f"=SUM(A1:A9) Kommentar {j_index + 1}"},
                           "total": None, "overall_comment": f"Intern {j_index + 1}", "feedback": feedback,
                           "submitted_at": (FROZEN_AT - timedelta(days=2)).isoformat()})
    rk_criteria = [rk.Criterion(cid, weight) for cid, (_n, weight) in zip(crit_ids, CRITERIA, strict=True)]
    scale = rk.Scale(0.0, 10.0)
    for sheet in sheets:
        sheet["total"] = round(rk.sheet_total(rk.Sheet(sheet["juror"], sheet["entry"], sheet["scores"]),
                                              rk_criteria), 4)

    def ranked(entry_ids: set[str]) -> dict:
        chosen = [rk.Sheet(s["juror"], s["entry"], s["scores"]) for s in sheets if s["entry"] in entry_ids]
        return rk.ranking_to_json(rk.rank_entries(chosen, rk_criteria, scale, method="calibrated",
                                                  expected_sheets=3, prize_line=1, min_entries=2, min_overlap=1))

    by_category = {str(c.id): ranked({str(e.id) for e in entries if e.category_id == c.id}) for c in categories}
    cat_a, cat_b = (str(c.id) for c in categories)
    order_a = [r["entry"] for r in by_category[cat_a]["ranking"]]
    order_b = [r["entry"] for r in by_category[cat_b]["ranking"]]
    moved = order_b[2]
    final_b = [order_b[0], moved, order_b[1]]
    decisions = {
        "shortlist": [] if is_final else order_a[:2] + order_b[:2],
        "awards": [
            {"entry": order_a[0], "category": cat_a, "kind": "winner", "place": 1,
             "justification": "Überzeugt durch <em>Mut</em> & Umsetzung."},
            {"entry": order_a[1], "category": cat_a, "kind": "mention", "place": None,
             "justification": "Besonders mutige Idee."},
            {"entry": order_b[0], "category": cat_b, "kind": "winner", "place": 1,
             "justification": "Klarer Nutzen für die Region."},
        ] if is_final else [],
        "overrides": [{"entry": moved, "category": cat_b, "from_rank": 3, "to_rank": 2,
                       "reason": "Pilotkunde bestätigt; Jury einstimmig.", "by": "Olga Organisatorin",
                       "at": (FROZEN_AT - timedelta(hours=1)).isoformat()}],
        "final_order": {cat_a: order_a, cat_b: final_b},
    }
    content = {
        "format": 1,
        "edition": {"id": edition.id, "name": edition.name, "slug": edition.slug, "is_blind": False},
        "round": {"id": final.id, "name": final.name, "position": final.position, "is_final": is_final},
        "method": "calibrated",
        "inputs_sha256": canonical_sha256(sheets),
        "frozen_at": FROZEN_AT.isoformat(),
        "frozen_by": "Olga Organisatorin",
        "scale": {"min": 0.0, "max": 10.0, "step": 0.5},
        "criteria": [{"id": cid, "name": name, "weight": weight, "percent": weight}
                     for cid, (name, weight) in zip(crit_ids, CRITERIA, strict=True)],
        "categories": [{"id": str(c.id), "name": c.name} for c in categories],
        "entries": {
            str(e.id): {"number": e.number, "title": e.title, "company": ENTRIES[i][1],
                        "company_id": str(e.company_id), "district": "erzgebirgskreis",
                        "category": str(e.category_id), "summary": f"Kurzfassung {i + 1}: <b>nicht fett</b>.",
                        "publish_summary": ENTRIES[i][4]}
            for i, e in enumerate(entries)
        },
        "jurors": {str(j.id): {"name": j.full_name} for j in jurors},
        "sheets": sheets,
        "overall": ranked({str(e.id) for e in entries}),
        "by_category": by_category,
        "decisions": decisions,
    }
    snapshot = RankingSnapshot(edition_id=edition.id, round_id=final.id, method="calibrated", content=content,
                               inputs_sha256=content["inputs_sha256"], sha256=canonical_sha256(content),
                               created_at=FROZEN_AT)
    if tamper:
        snapshot.sha256 = "0" * 64
    db.session.add(snapshot)
    db.session.commit()
    return snapshot


def publish(snapshot: RankingSnapshot, *, public: bool = True) -> None:
    """Make `snapshot` the edition's published one (a Publication row, as `publish_results` leaves it) and, with
    `public`, put the edition into its publication phase."""
    from competition.editions.models import Edition
    from competition.editions.phases import Phase
    from competition.rankings.models import Publication

    publication = db.session.scalar(db.select(Publication).where(Publication.edition_id == snapshot.edition_id))
    if publication is None:
        publication = Publication(edition_id=snapshot.edition_id, snapshot_id=snapshot.id, published_at=FROZEN_AT)
        db.session.add(publication)
    publication.snapshot_id = snapshot.id
    if public:
        db.session.get(Edition, snapshot.edition_id).phase_override = Phase.PUBLISHED
    db.session.commit()


def judging_round(snapshot: RankingSnapshot) -> JudgingRound:
    return db.session.get(JudgingRound, snapshot.round_id)
