"""Human labels of a ranking's methods, flags, tie-break rules, jurors' calibration reasons and awards: the one
source for the ranking page, the PDFs and the spreadsheets, so that they name a thing the same way."""

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
    "missing_sheets": _l("Bewertungsbögen fehlen"),
    "juror_not_calibrated": _l("Jurymitglied nicht kalibriert"),
    "single_sheet": _l("nur ein Bewertungsbogen"),
    "trimmed_fallback": _l("zu wenige Bögen zum Trimmen"),
}
# entry_id: the last resort of rankings/ranking.py, the lower internal id wins: the entry that was created first
# (not the entry number, which is handed out at the first submit).
TIE_RULE_LABELS = {
    "score": _l("Punktzahl"),
    "calibrated": _l("kalibrierter Wert"),
    "median": _l("Median"),
    "top_criterion": _l("höchstgewichtetes Kriterium"),
    "top_scores": _l("Anzahl der Höchstwertungen"),
    "jury_decision": _l("Entscheidung der Jury"),
    "entry_id": _l("früher angelegter Beitrag (letzte Stufe)"),
}
JUROR_REASON_LABELS = {
    "too_few_entries": _l("zu wenige bewertete Beiträge"),
    "too_little_overlap": _l("zu wenig Überschneidung mit anderen Jurymitgliedern"),
}
AWARD_LABELS = {"winner": _l("Preisträger"), "mention": _l("Anerkennung")}
