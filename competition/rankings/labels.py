"""Human labels of a ranking's methods, flags, tie-break rules and awards, as the pages show them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

METHOD_LABELS = {
    "weighted-mean": _l("Gewichteter Mittelwert"),
    "median": _l("Median"),
    "trimmed-mean": _l("Getrimmter Mittelwert (ab 5 Bögen je Beitrag)"),
    "calibrated": _l("Kalibriert (milde und strenge Jurymitglieder ausgeglichen)"),
}
FLAG_LABELS = {
    "high_disagreement": _l("Jury uneinig"),
    "missing_sheets": _l("Bögen fehlen"),
    "juror_not_calibrated": _l("Jurymitglied nicht kalibriert"),
    "single_sheet": _l("nur ein Bogen"),
    "trimmed_fallback": _l("zu wenige Bögen zum Trimmen"),
}
TIE_RULE_LABELS = {
    "score": _l("Punktzahl"),
    "calibrated": _l("kalibrierter Wert"),
    "median": _l("Median"),
    "top_criterion": _l("höchstgewichtetes Kriterium"),
    "top_scores": _l("Zahl der Höchstwertungen"),
    "jury_decision": _l("Entscheidung der Jury"),
    "entry_id": _l("Eingangsreihenfolge"),
}
AWARD_LABELS = {"winner": _l("Preisträger"), "mention": _l("Anerkennung")}
