"""The submission receipt: data from the stored snapshot, the PDF a company keeps, and the mail that carries it."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from competition.entries.mails import send_receipt_mail
from competition.entries.receipts import (
    ReceiptData,
    format_size,
    receipt_data_from_snapshot,
    render_receipt_pdf,
    rich_text,
    snapshot_sha256,
)

EDITION = "Industrie. Neu. Denken. 2026"
SKETCH_SHA = "3f2a9c0d" * 8
RESULTS_SHA = "9bc1e0d2" * 8
SNAPSHOT = {
    "entry": {
        "id": 17,
        "number": "IND-2026-0001",
        "edition": EDITION,
        "category": "Digitalisierung",
        "title": "Selbstlernende Qualitätsprüfung für Gussteile – „Prüfauge“",
        "summary": "Eine Kamera-Prüfstation erkennt Lunker und Risse in Gussteilen.\n\n"
                   "Sie lernt aus den Entscheidungen der Prüfer.",
        "description": '<p>Unsere <strong>Prüfstation</strong> kombiniert Durchlicht und KI.</p><ul><li>Erkennungsrate '
                       '99,2 %</li><li>Taktzeit unter 4 s</li></ul><script>alert("x")</script>'
                       '<p onclick="steal()">Zweiter Absatz mit <em>Betonung</em>.</p>',
        "implementation": "Pilotbetrieb seit März 2026 in Zwickau; Serienanlage ab Oktober.",
        "regional_benefit": "Zwölf neue Arbeitsplätze, Zusammenarbeit mit der TU Chemnitz.",
        "sustainability": "30 % weniger Ausschuss, 120 t weniger CO₂ im Jahr.",
        "video_url": "https://video.example/pruefauge",
    },
    "company": {
        "legal_name": "Gießerei Müller & Söhne",
        "legal_form": "GmbH & Co. KG",
        "street": "Äußere Schneeberger Straße 12",
        "postal_code": "08056",
        "city": "Zwickau",
        "district": "zwickau",
        "employees": 1240,
        "turnover_band": "10_bis_50",
        "industry": "Metallverarbeitung",
        "website": "https://giesserei-mueller.example",
        "contact_name": "Jürgen Weiß",
        "contact_email": "j.weiss@giesserei-mueller.example",
        "contact_phone": "+49 375 123456",
    },
    "answers": [
        {"question_id": 1, "label": "Seit wann besteht Ihr Unternehmen?", "kind": "date", "visibility": "jury",
         "value": "1998-04-01"},
        {"question_id": 2, "label": "Wie viele Tonnen CO₂ sparen Sie jährlich?", "kind": "number",
         "visibility": "organisers", "value": 1234.5},
        {"question_id": 3, "label": "Wurde die Innovation bereits gefördert?", "kind": "yes_no", "visibility": "jury",
         "value": False},
        {"question_id": 4, "label": "Welche Technologien setzen Sie ein?", "kind": "multiple_choice",
         "visibility": "public", "value": ["Bildverarbeitung", "Maschinelles Lernen"]},
        {"question_id": 5, "label": "Wer sind Ihre Partner?", "kind": "long_text", "visibility": "jury",
         "value": "TU Chemnitz, Professur für Werkstofftechnik.\nWHZ Zwickau."},
        {"question_id": 6, "label": "Projektskizze (PDF)", "kind": "file", "visibility": "jury", "value": None},
        {"question_id": 7, "label": "Kurzname des Projekts", "kind": "short_text", "visibility": "public",
         "value": "</p><h1>Prüfauge</h1>"},
        {"question_id": 8, "label": "Größe des Teams", "kind": "single_choice", "visibility": "jury",
         "value": "10 bis 50"},
        {"question_id": 9, "label": "Geplanter Marktstart", "kind": "date", "visibility": "jury", "value": None},
    ],
    "attachments": [
        {"id": 31, "name": "Projektskizze Prüfauge (final).pdf", "kind": "pdf", "size_bytes": 1_258_291,
         "sha256": SKETCH_SHA, "question_id": 6},
        {"id": 32, "name": "Messergebnisse_Übersicht_2026.xlsx", "kind": "xlsx", "size_bytes": 48_213,
         "sha256": RESULTS_SHA, "question_id": None},
    ],
    "version": 2,
    "submitted_at": "2026-11-24T13:30:00+00:00",
    "submitted_by": "Jürgen Weiß <j.weiss@giesserei-mueller.example>",
    "terms_version": "2026-1",
}
EXPECTED_HASH = hashlib.sha256(
    json.dumps(SNAPSHOT, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
).hexdigest()


def squash(text: str) -> str:
    """Extracted PDF text without whitespace: long names and checksums wrap across lines."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def data(app) -> ReceiptData:
    with app.app_context():
        return receipt_data_from_snapshot(copy.deepcopy(SNAPSHOT), edition_name=EDITION)


@pytest.fixture(scope="module")
def receipt_pdf(app, data) -> bytes:
    with app.app_context():
        return render_receipt_pdf(data)


@pytest.fixture(scope="module")
def receipt(receipt_pdf) -> PdfReader:
    return PdfReader(io.BytesIO(receipt_pdf))


@pytest.fixture(scope="module")
def text(receipt) -> str:
    return "\n".join(page.extract_text() for page in receipt.pages).replace("\u00a0", " ")


# --- the data ----------------------------------------------------------------------------------------------------

def test_data_keeps_the_snapshot_typed(data):
    assert data.entry.number == "IND-2026-0001"
    assert data.submitted_at == datetime(2026, 11, 24, 13, 30, tzinfo=UTC)
    assert data.version == 2 and data.terms_version == "2026-1"
    assert data.snapshot_sha256 == EXPECTED_HASH == snapshot_sha256(SNAPSHOT)
    assert [a.name for a in data.attachments] == ["Projektskizze Prüfauge (final).pdf",
                                                  "Messergebnisse_Übersicht_2026.xlsx"]
    with pytest.raises(AttributeError):
        data.version = 3  # frozen



def test_values_are_shown_in_german(data):
    assert data.submitted_at_text == "24.11.2026, 14:30 Uhr"  # 13:30 UTC is 14:30 in Berlin (winter time)
    company = data.company
    assert company.name == "Gießerei Müller & Söhne GmbH & Co. KG"
    assert company.district_text == "Landkreis Zwickau"
    assert company.turnover_text == "10 bis 50 Mio. €"
    assert company.employees_text == "1.240"
    answers = {a.question_id: a for a in data.answers}
    assert answers[1].text == "01.04.1998"
    assert answers[2].text == "1.234,5"
    assert answers[3].text == "Nein"
    assert answers[4].items == ("Bildverarbeitung", "Maschinelles Lernen")
    assert answers[6].items == ("Projektskizze Prüfauge (final).pdf",)  # file answers name their attachments
    assert answers[7].text == "</p><h1>Prüfauge</h1>"  # plain text: escaped by the template, not here
    assert answers[9].text == "–"
    assert [a.size_text for a in data.attachments] == ["1,2\u00a0MB", "47\u00a0KB"]


@pytest.mark.parametrize(("size", "shown"), [(0, "0\u00a0B"), (999, "999\u00a0B"), (1000, "1\u00a0KB"),
                                              (48_213, "47\u00a0KB"), (1_024_000, "1\u00a0MB"),
                                              (1_258_291, "1,2\u00a0MB"), (5 * 1024**3, "5\u00a0GB")])
def test_file_sizes(size, shown):
    assert format_size(size) == shown


def test_summer_time_is_berlin_too():
    summer = receipt_data_from_snapshot({**SNAPSHOT, "submitted_at": "2026-06-30T21:59:00+00:00"},
                                        edition_name=EDITION)
    assert summer.submitted_at_text == "30.06.2026, 23:59 Uhr"


def test_rich_text_is_sanitised_again(data):
    description = str(data.entry.description)
    assert "<strong>Prüfstation</strong>" in description and "<li>Taktzeit unter 4 s</li>" in description
    assert "script" not in description and "alert" not in description and "onclick" not in description
    assert str(data.entry.summary).count("<p>") == 2  # plain text keeps its paragraphs
    assert str(rich_text('<a href="https://evil.example">Link</a><img src=x onerror=alert(1)>')) == "<p>Link</p>"
    assert str(rich_text("a\nb")) == "<p>a<br>b</p>"
    assert rich_text(None) == ""


def test_missing_or_odd_values_do_not_break_the_receipt():
    odd = copy.deepcopy(SNAPSHOT)
    odd["company"].update(district="unbekannt", employees=None)
    odd["answers"] = [{"question_id": 1, "label": "Zahl", "kind": "number", "visibility": "jury", "value": "12"}]
    data = receipt_data_from_snapshot(odd, edition_name=EDITION)
    assert data.company.district_text == "unbekannt"
    assert data.company.employees_text == "–"
    assert data.answers[0].text == "12"


# --- the PDF -----------------------------------------------------------------------------------------------------

def test_receipt_names_the_entry_and_when_it_arrived(text):
    assert "Eingangsbestätigung" in text
    assert "IND-2026-0001" in text
    assert "24.11.2026, 14:30 Uhr" in text
    assert "Fassung 2026-1" in text
    assert "Seite 1 von" in text
    assert "Industrie. Neu. Denken. 2026" in text


def test_receipt_shows_company_and_all_fields(text):
    flat = squash(text)
    for expected in ("Gießerei Müller & Söhne GmbH & Co. KG", "Äußere Schneeberger Straße 12", "08056 Zwickau",
                     "Landkreis Zwickau", "10 bis 50 Mio. €", "1.240", "Jürgen Weiß",
                     "Selbstlernende Qualitätsprüfung für Gussteile – „Prüfauge“",
                     "Sie lernt aus den Entscheidungen der Prüfer.", "Zweiter Absatz mit Betonung.",
                     "Pilotbetrieb seit März 2026", "120 t weniger CO₂", "https://video.example/pruefauge",
                     "01.04.1998", "1.234,5", "Nein", "Maschinelles Lernen", "WHZ Zwickau", "10 bis 50"):
        assert squash(expected) in flat, expected


def test_receipt_escapes_untrusted_text(text):
    assert "</p><h1>Prüfauge</h1>" in text  # shown as typed
    assert "alert" not in text and "steal" not in text


def test_receipt_lists_attachments_with_full_checksums(text):
    flat = squash(text)
    for name, sha in (("Projektskizze Prüfauge (final).pdf", SKETCH_SHA),
                      ("Messergebnisse_Übersicht_2026.xlsx", RESULTS_SHA)):
        assert squash(name) in flat
        assert sha in flat
    assert "1,2 MB" in text and "XLSX" in text


def test_receipt_carries_the_snapshot_hash_on_every_page(receipt, text):
    assert EXPECTED_HASH in squash(text)
    for page in receipt.pages:
        assert EXPECTED_HASH in squash(page.extract_text())  # running footer


def test_receipt_metadata(receipt):
    assert receipt.metadata.title == "Eingangsbestätigung IND-2026-0001"
    assert receipt.trailer["/Root"]["/Lang"] == "de"


def test_receipt_in_english_numbers_its_pages_in_english(app, data):
    english = PdfReader(io.BytesIO(render_receipt_pdf(data, lang="en")))
    text = english.pages[0].extract_text()
    assert "Page 1 of" in text
    assert "24 Nov 2026, 14:30" in text
    assert english.trailer["/Root"]["/Lang"] == "en"


# --- the mail ----------------------------------------------------------------------------------------------------

def test_receipt_mail_carries_the_pdf(outbox, data, receipt_pdf):
    assert send_receipt_mail(to="j.weiss@giesserei-mueller.example", locale="de", data=data, pdf=receipt_pdf)

    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["j.weiss@giesserei-mueller.example"]
    assert "IND-2026-0001" in message.subject and "Eingangsbestätigung" in message.subject
    body = message.body
    for expected in ("IND-2026-0001", "Selbstlernende Qualitätsprüfung für Gussteile – „Prüfauge“",
                     "24.11.2026, 14:30 Uhr", "Projektskizze Prüfauge (final).pdf", SKETCH_SHA,
                     "Messergebnisse_Übersicht_2026.xlsx", RESULTS_SHA, EXPECTED_HASH):
        assert expected in body, expected
    assert "Subject:" not in body

    assert len(message.attachments) == 1
    filename, content, mimetype = message.attachments[0]
    assert filename == "Eingangsbestaetigung-IND-2026-0001.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF") and content == receipt_pdf
    raw = message.message().as_bytes()
    assert b'filename="Eingangsbestaetigung-IND-2026-0001.pdf"' in raw
