"""The PDFs of a frozen ranking, read back: names, ranks, page numbers, the hash, markup as literal text, what
the public and the companies must not see, the PDF variants."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from competition.rankings import outputs

from .snapshot_factory import JURORS, MARKUP_TITLE, make_snapshot


@pytest.fixture
def snapshot(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    return make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                         make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                         make_user=make_user)


def read(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_frame(reader: PdfReader, pages: list[str], snapshot, title_start: str) -> None:
    """Every page: "Seite X von N" and the snapshot's hash in the footer; the document's title and language."""
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Seite {number} von {total}" in flat(text)
        assert snapshot.sha256 in squeezed(text)
    assert reader.metadata.title.startswith(title_start)
    assert reader.trailer["/Root"]["/Lang"] == "de"


def xmp(reader: PdfReader) -> bytes:
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def entries_by_title(snapshot) -> dict[str, dict]:
    return {e["title"]: {"id": entry_id, **e} for entry_id, e in snapshot.content["entries"].items()}


def test_internal_pdf_has_every_number_per_category_and_overall(snapshot):
    reader, pages = read(outputs.internal_pdf(snapshot))
    assert_frame(reader, pages, snapshot, "Jury-Rangliste – Finale")
    text = flat("\n".join(pages))
    assert "Kategorie: Digitalisierung" in text and "Kategorie: Nachhaltigkeit & Energie" in text
    assert "Gesamtrangliste (alle Kategorien)" in text
    assert "<script>alert(1)</script>&<b>Fett</b>" in squeezed(text)  # the markup title, as text
    for row in snapshot.content["overall"]["ranking"]:
        number = snapshot.content["entries"][row["entry"]]["number"]
        assert number in text
    first = snapshot.content["overall"]["ranking"][0]
    assert f"{first['score']:.2f}".replace(".", ",") in text  # German decimal comma
    assert "entschieden durch: Punktzahl" in text
    for name in JURORS:  # calibration in words, per juror
        assert name in text
    assert re.search(r"Mila Milde bewertet im Mittel \d+,\d+ Punkte über dem Panel", text)
    assert re.search(r"Prof\. Karl Kritisch bewertet im Mittel \d+,\d+ Punkte unter dem Panel", text)
    assert "Kendalls tau" in text
    assert "Pilotkundebestätigt;Juryeinstimmig." in squeezed(text) and "von 3 auf 2" in text  # the override
    assert "ÜberzeugtdurchMut&Umsetzung." not in squeezed(text)
    assert "Überzeugtdurch<em>Mut</em>&Umsetzung." in squeezed(text)  # justification, markup as text
    assert "Durchschnitt je Kriterium" in text and "Umsetzung" in text
    for category in snapshot.content["categories"]:  # per-criterion averages in each category's row
        top = snapshot.content["by_category"][category["id"]]["ranking"][0]
        averages = " ".join(f"{top['criteria'][c['id']]:.2f}".replace(".", ",") for c in snapshot.content["criteria"])
        assert averages in text


def test_internal_pdf_is_pdf_a_and_tagged_with_accessible_charts(snapshot):
    pdf = outputs.internal_pdf(snapshot)
    reader = PdfReader(io.BytesIO(pdf))
    assert b'pdfaid:part="3" pdfaid:conformance="A"' in xmp(reader)  # PDF/A-3a
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    html = outputs_html(snapshot)
    assert html.count('role="img"') >= 4  # interval charts per category and overall, distribution, leniency
    assert "<title" in html and "<desc" in html
    assert "&lt;script&gt;alert(1)" in html and "<script>alert" not in html


def outputs_html(snapshot) -> str:
    """The HTML the internal PDF is made from (to look at the charts' markup)."""
    from competition.core import pdf as pdf_module

    captured = {}
    original = pdf_module.HTML

    def capture(*args, **kwargs):
        captured["html"] = kwargs.get("string")
        return original(*args, **kwargs)

    pdf_module.HTML = capture
    try:
        outputs.internal_pdf(snapshot)
    finally:
        pdf_module.HTML = original
    return captured["html"]


def test_public_pdf_shows_winners_and_finalists_without_scores_or_jurors(snapshot):
    pdf = outputs.public_pdf(snapshot)
    reader, pages = read(pdf)
    assert_frame(reader, pages, snapshot, "Ergebnisse – Industrie. Neu. Denken. 2026")
    text = flat("\n".join(pages))
    entries = entries_by_title(snapshot)
    assert "Adaptive Spannvorrichtung" in text and "Erzgebirge Präzision GmbH" in text
    assert "Besondere Anerkennungen" in text and "Besonders mutige Idee." in text
    assert "Weitere Beiträge im Finale" in text and MARKUP_TITLE in text
    assert "Kurzfassung 1: nicht fett." in text  # the company allowed it; markup is neither printed nor run
    assert "Kurzfassung 2" not in text and "Kurzfassung 5" not in text  # these did not
    for name in JURORS:
        assert name not in text
    for row in snapshot.content["overall"]["ranking"]:
        assert f"{row['score']:.2f}".replace(".", ",") not in text
    assert "Intern 1" not in text and "Hinweis 1" not in text  # internal comments and feedback stay private
    assert entries["Holz-Hybridträger"]["company"] in text
    assert b'pdfuaid:part="1"' in xmp(PdfReader(io.BytesIO(pdf)))  # PDF/UA-1


def test_feedback_letter_compares_with_the_category_and_hides_juror_names(snapshot):
    entry = entries_by_title(snapshot)[MARKUP_TITLE]
    pdf = outputs.feedback_pdf(snapshot, entry["id"])
    reader, pages = read(pdf)
    assert_frame(reader, pages, snapshot, "Rückmeldung der Jury – IND-2026-0002")
    text = flat("\n".join(pages))
    assert MARKUP_TITLE in text and entry["company"] in text
    assert "Innovationsgrad" in text and "Median" in text and "Minimum" in text and "Maximum" in text
    own = [s["feedback"] for s in snapshot.content["sheets"] if s["entry"] == entry["id"]]
    positions = [text.index(feedback) for feedback in own]  # every juror's feedback, as literal text
    assert len(own) == 3 and "<i>klar</i>" in text
    assert "IND-2026-0001: weiter so" not in text  # only this entry's feedback
    for name in JURORS:
        assert name not in text
    assert "Intern 1" not in text and "Kommentar 1" not in text  # internal comments never
    again = flat("\n".join(read(outputs.feedback_pdf(snapshot, entry["id"]))[1]))
    assert [again.index(feedback) for feedback in own] == positions  # deterministic order
    with pytest.raises(KeyError):
        outputs.feedback_pdf(snapshot, "999999")


def test_feedback_pdfs_start_every_company_on_a_new_page(snapshot):
    calls = []
    reader, pages = read(outputs.feedback_pdfs(snapshot, progress=lambda done, total: calls.append((done, total))))
    assert calls[-1] == (6, 6)
    starts = [text for text in pages if "Rückmeldung der Jury Unternehmen" in flat(text)]
    assert len(starts) == 6
    for entry in snapshot.content["entries"].values():
        assert sum(entry["number"] in flat(text) for text in starts) == 1


def test_protocol_pdf_lists_the_decisions_jurors_and_final_order(snapshot):
    pdf = outputs.protocol_pdf(snapshot)
    reader, pages = read(pdf)
    assert_frame(reader, pages, snapshot, "Jury-Protokoll – Finale")
    text = flat("\n".join(pages))
    assert "6 Beiträge, 18 eingereichte Bewertungsbögen" in text
    assert snapshot.content["inputs_sha256"] in squeezed(text)
    assert "25.11.2026, 16:00 Uhr, von Olga Organisatorin" in text  # frozen when (Berlin time) and by whom
    for name in JURORS:
        assert name in text
    assert "Pilotkundebestätigt;Juryeinstimmig." in squeezed(text) and "Olga Organisatorin" in text
    assert "KlarerNutzenfürdieRegion." in squeezed(text)
    # the final order of the second category follows the override
    cat_b = snapshot.content["categories"][1]["id"]
    numbers = [snapshot.content["entries"][e]["number"] for e in snapshot.content["decisions"]["final_order"][cat_b]]
    section = text[text.index("Endgültige Reihenfolge je Kategorie"):]
    section = section[section.index("Nachhaltigkeit & Energie"):]
    assert [section.index(n) for n in numbers] == sorted(section.index(n) for n in numbers)
    assert b'pdfaid:part="3" pdfaid:conformance="A"' in xmp(PdfReader(io.BytesIO(pdf)))


def test_a_round_before_the_final_publishes_its_shortlist(make_edition, make_round, make_category, make_criterion,
                                                          make_company, make_entry, make_user):
    snapshot = make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user, is_final=False)
    text = flat("\n".join(read(outputs.public_pdf(snapshot))[1]))
    assert "Für die nächste Runde ausgewählt" in text and "Preisträger" not in text
    shortlisted = snapshot.content["decisions"]["shortlist"]
    for entry_id, entry in snapshot.content["entries"].items():
        assert (entry["company"] in text) == (entry_id in shortlisted)
    internal = flat("\n".join(read(outputs.internal_pdf(snapshot))[1]))
    assert "Auswahl für die nächste Runde" in internal


def test_pdf_spreadsheet_and_page_name_the_method_and_tie_rules_alike(snapshot):
    """One set of labels (rankings/labels.py): the jury PDF and the spreadsheet say what the page says. They used
    to disagree ("gewichtetes Mittel" in the PDF, "Gewichteter Mittelwert" on the page)."""
    from openpyxl import load_workbook

    from competition.rankings import exports
    from competition.rankings.labels import METHOD_LABELS, TIE_RULE_LABELS

    method = str(METHOD_LABELS[snapshot.content["method"]])
    _reader, pages = read(outputs.internal_pdf(snapshot))
    pdf_text = flat("\n".join(pages))
    assert f"Methode {method}" in pdf_text
    assert "Entscheidung der Jury, früher angelegter Beitrag." in pdf_text  # the legend names the last tie rule
    workbook = load_workbook(io.BytesIO(exports.snapshot_xlsx(snapshot)))
    cells = {str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    assert method in cells
    assert str(TIE_RULE_LABELS["entry_id"]).startswith("früher angelegter Beitrag")
