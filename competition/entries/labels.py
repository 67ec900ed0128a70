"""Display labels for the entries' enumerations, shared by pages, PDFs, mails and exports (German msgids)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import District, EntryStatus, QuestionKind, TurnoverBand, Visibility

DISTRICT_LABELS = {
    District.CHEMNITZ: _l("Kreisfreie Stadt Chemnitz"),
    District.ZWICKAU: _l("Landkreis Zwickau"),
    District.MITTELSACHSEN: _l("Landkreis Mittelsachsen"),
    District.ERZGEBIRGSKREIS: _l("Erzgebirgskreis"),
    District.VOGTLANDKREIS: _l("Vogtlandkreis"),
    District.OTHER_SAXONY: _l("anderer Ort in Sachsen"),
    District.OUTSIDE_SAXONY: _l("außerhalb Sachsens"),
}

TURNOVER_LABELS = {
    TurnoverBand.UNDER_2M: _l("unter 2 Mio. €"),
    TurnoverBand.FROM_2M_TO_10M: _l("2 bis 10 Mio. €"),
    TurnoverBand.FROM_10M_TO_50M: _l("10 bis 50 Mio. €"),
    TurnoverBand.OVER_50M: _l("über 50 Mio. €"),
}

STATUS_LABELS = {
    EntryStatus.DRAFT: _l("Entwurf"),
    EntryStatus.SUBMITTED: _l("Eingereicht"),
    EntryStatus.ELIGIBLE: _l("Zugelassen"),
    EntryStatus.INELIGIBLE: _l("Nicht zugelassen"),
    EntryStatus.IN_REVIEW: _l("In Bewertung"),
    EntryStatus.SHORTLISTED: _l("Shortlist"),
    EntryStatus.AWARDED: _l("Ausgezeichnet"),
    EntryStatus.NOT_AWARDED: _l("Nicht ausgezeichnet"),
    EntryStatus.WITHDRAWN: _l("Zurückgezogen"),
}

QUESTION_KIND_LABELS = {
    QuestionKind.SHORT_TEXT: _l("Kurzer Text"),
    QuestionKind.LONG_TEXT: _l("Langer Text"),
    QuestionKind.NUMBER: _l("Zahl"),
    QuestionKind.DATE: _l("Datum"),
    QuestionKind.SINGLE_CHOICE: _l("Einfachauswahl"),
    QuestionKind.MULTIPLE_CHOICE: _l("Mehrfachauswahl"),
    QuestionKind.YES_NO: _l("Ja/Nein"),
    QuestionKind.FILE: _l("Datei"),
}

VISIBILITY_LABELS = {
    Visibility.JURY: _l("Jury und Organisationsteam"),
    Visibility.ORGANISERS: _l("nur Organisationsteam"),
    Visibility.PUBLIC: _l("öffentlich, wenn der Beitrag gewinnt"),
}

CORE_FIELD_LABELS = {
    "title": _l("Titel des Beitrags"),
    "summary": _l("Kurzbeschreibung"),
    "description": _l("Beschreibung der Innovation"),
    "implementation": _l("Stand der Umsetzung"),
    "regional_benefit": _l("Nutzen für die Region"),
    "sustainability": _l("Nachhaltigkeit"),
    "video_url": _l("Link zu einem Video (optional)"),
}
