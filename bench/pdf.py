"""PDF benchmark: the jury ranking of 1000 entries and 100 certificates, from a synthetic frozen snapshot.

    .venv/bin/python bench/pdf.py [--entries N] [--certificates N] [--seed S]

Prints:

    ranking_1000_rows_s:  outputs.internal_pdf for N entries (3 sheets each, 6 criteria, 4 categories): template,
                          charts, WeasyPrint with PDF/A-3a and tags, through competition.core.pdf
    raw_render_s:         plain WeasyPrint of the same HTML with the same variant (HTML(string=…).write_pdf(
                          pdf_variant=…)): what our pipeline (template, charts, URL fetcher) adds is the ratio
    ratio:                ranking_1000_rows_s / raw_render_s
    untagged_render_s:    the same HTML without variant and tags (what tagging and PDF/A cost, for information)
    certificates_100_s:   100 certificates in one document (QR codes included)
    peak_rss_mb:          the process's peak resident memory

Times are the process's CPU seconds (time.process_time: WeasyPrint is single-threaded, and the machine is
shared), the best of --repeat runs; wall-clock seconds in brackets. Targets: ranking ≤ 15 s on the 2-core machine,
ratio ≤ 1.1, certificates ≤ 3 s. No database: the snapshot is not stored and the certificates' codes are made up
(the rendering is what is measured).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from weasyprint import HTML
from weasyprint.urls import path2url

from competition import create_app
from competition.core import pdf as pdf_module
from competition.rankings import outputs
from competition.rankings import ranking as rk
from competition.rankings.models import RankingSnapshot
from competition.rankings.services import canonical_sha256
from config import TestingConfig

CATEGORIES = ["Digitalisierung", "Nachhaltigkeit", "Fachkräfte", "Produktion"]
CRITERIA = [("Innovationsgrad", 30), ("Umsetzung", 20), ("Nutzen", 20), ("Markt", 10), ("Team", 10), ("Region", 10)]


def content(n_entries: int, seed: int) -> dict:
    rnd = random.Random(seed)
    criteria = [rk.Criterion(f"c{i}", w) for i, (_name, w) in enumerate(CRITERIA, start=1)]
    n_jurors = max(6, n_entries // 20)
    offsets = [rnd.gauss(0, 0.8) for _ in range(n_jurors)]
    entries, sheets = {}, []
    for e in range(1, n_entries + 1):
        entry_id = str(e)
        category = str(e % len(CATEGORIES) + 1)
        entries[entry_id] = {"number": f"IND-2026-{e:04d}", "title": f"Beitrag {e}: adaptive Fertigung <{e}>",
                             "company": f"Muster {e} GmbH & Co. KG", "company_id": entry_id, "district": "Chemnitz",
                             "category": category, "summary": "Kurzfassung.", "publish_summary": e % 2 == 0}
        quality = rnd.uniform(3, 8)
        for j in rnd.sample(range(n_jurors), 3):
            scores = {c.id: round(min(10.0, max(0.0, quality + offsets[j] + rnd.gauss(0, 1))) * 2) / 2
                      for c in criteria}
            sheets.append({"juror": f"j{j}", "entry": entry_id, "scores": scores, "comments": {}, "total": 0.0,
                           "overall_comment": "", "feedback": "Gute Arbeit.", "submitted_at": None})
    as_sheets = [rk.Sheet(s["juror"], s["entry"], s["scores"]) for s in sheets]
    scale = rk.Scale(0.0, 10.0)

    def ranked(ids: set[str]) -> dict:
        chosen = [s for s in as_sheets if s.entry in ids]
        return rk.ranking_to_json(rk.rank_entries(chosen, criteria, scale, method="calibrated", expected_sheets=3,
                                                  prize_line=3, resamples=50, seed=seed))

    by_category = {str(i): ranked({k for k, v in entries.items() if v["category"] == str(i)})
                   for i in range(1, len(CATEGORIES) + 1)}
    return {
        "format": 1,
        "edition": {"id": 1, "name": "Industrie. Neu. Denken. 2026", "slug": "ind-2026", "is_blind": False},
        "round": {"id": 2, "name": "Finale", "position": 2, "is_final": True},
        "method": "calibrated", "inputs_sha256": canonical_sha256(sheets),
        "frozen_at": "2026-11-25T15:00:00+00:00", "frozen_by": "Olga Organisatorin",
        "scale": {"min": 0.0, "max": 10.0, "step": 0.5},
        "criteria": [{"id": c.id, "name": name, "weight": float(w), "percent": float(w)}
                     for c, (name, w) in zip(criteria, CRITERIA, strict=True)],
        "categories": [{"id": str(i), "name": name} for i, name in enumerate(CATEGORIES, start=1)],
        "entries": entries,
        "jurors": {f"j{j}": {"name": f"Jurymitglied {j}"} for j in range(n_jurors)},
        "sheets": sheets,
        "overall": ranked(set(entries)),
        "by_category": by_category,
        "decisions": {"shortlist": [], "awards": [
            {"entry": r["ranking"][0]["entry"], "category": cid, "kind": "winner", "place": 1, "justification": "…"}
            for cid, r in by_category.items()], "overrides": [],
            "final_order": {cid: [x["entry"] for x in r["ranking"]] for cid, r in by_category.items()}},
    }


def timed(fn, repeat: int = 1):
    """(best CPU seconds, wall seconds of that run, result)."""
    best = None
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        result = fn()
        run = (time.process_time() - cpu, time.perf_counter() - wall, result)
        if best is None or run[0] < best[0]:
            best = run
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--certificates", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    settings = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    data = content(args.entries, args.seed)
    snapshot = RankingSnapshot(id=1, edition_id=1, round_id=2, method="calibrated", content=data,
                               inputs_sha256=data["inputs_sha256"], sha256=canonical_sha256(data))
    with app.app_context():
        outputs.public_pdf(snapshot)  # warm up: fonts, templates
        captured: dict[str, str] = {}
        original = pdf_module.HTML

        def capture(*a, **kw):
            captured["html"] = kw["string"]
            return original(*a, **kw)

        pdf_module.HTML = capture
        try:
            ranking_s, ranking_wall, pdf = timed(lambda: outputs.internal_pdf(snapshot), args.repeat)
        finally:
            pdf_module.HTML = original
        static = Path(app.static_folder).resolve()
        raw_s, raw_wall, _ = timed(lambda: HTML(string=captured["html"], base_url=path2url(static)).write_pdf(
            pdf_variant=pdf_module.ARCHIVE_VARIANT, pdf_tags=True), args.repeat)
        untagged_s, untagged_wall, _ = timed(
            lambda: HTML(string=captured["html"], base_url=path2url(static)).write_pdf(), args.repeat)
        ranked = [row["entry"] for row in data["overall"]["ranking"]][: args.certificates]
        codes = {entry: f"code{int(entry):012d}" for entry in ranked}
        certificates_s, certificates_wall, certificates = timed(lambda: outputs.render_certificates(
            snapshot, codes, base_url="https://wettbewerb.example"), args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"instance: {args.entries} entries × 3 sheets × {len(CRITERIA)} criteria, {len(CATEGORIES)} categories; "
          f"ranking PDF {len(pdf) / 1e6:.1f} MB, certificates PDF {len(certificates) / 1e6:.1f} MB; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"ranking_{args.entries}_rows_s: {ranking_s:.2f} ({ranking_wall:.2f})")
    print(f"raw_render_s: {raw_s:.2f} ({raw_wall:.2f})")
    print(f"ratio: {ranking_s / raw_s:.2f}")
    print(f"untagged_render_s: {untagged_s:.2f} ({untagged_wall:.2f})")
    print(f"certificates_{args.certificates}_s: {certificates_s:.2f} ({certificates_wall:.2f})")
    print(f"peak_rss_mb: {peak:.0f}")


if __name__ == "__main__":
    main()
