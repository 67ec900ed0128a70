"""Exports for organisers: CSV and XLSX of the entry list (formula injection neutralised) and attachment ZIPs."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from datetime import timedelta

import openpyxl
import pytest

from competition.core import tabular
from competition.core.clock import to_berlin, utcnow
from competition.core.storage import get_storage
from competition.entries import exports
from competition.entries.models import (
    Answer,
    Attachment,
    District,
    EntryStatus,
    Question,
    QuestionKind,
    Visibility,
)
from competition.extensions import db
from tests.entries.test_organiser_entries import next_years_edition, submit

EVIL_TITLE = '=HYPERLINK("http://evil")'
EVIL_COMPANY = "@SUM(1)"


@pytest.fixture
def orga(client, login_as, organiser):
    login_as(organiser)
    return client


def _question(edition, label, kind, position, visibility=Visibility.JURY):
    question = Question(edition_id=edition.id, label=label, kind=kind, visibility=visibility, position=position)
    db.session.add(question)
    db.session.commit()
    return question


@pytest.fixture
def exported(make_edition, make_category, make_company, make_user, make_entry):
    """One submitted entry with a hostile title and company name, one draft, one entry of another district."""
    edition = make_edition(max_employees=100)
    category = make_category(edition, name="Digitalisierung")
    patents = _question(edition, "Patente", QuestionKind.NUMBER, 1)
    notes = _question(edition, "Interne Anmerkung", QuestionKind.LONG_TEXT, 2, Visibility.ORGANISERS)
    cert = _question(edition, "Zertifiziert?", QuestionKind.YES_NO, 3)
    evil = make_entry(category=category, title=EVIL_TITLE,
                      company=make_company(make_user(), legal_name=EVIL_COMPANY, legal_form="AG",
                                           district=District.CHEMNITZ, employees=12))
    evil.answers.extend([Answer(question_id=patents.id, value=2.5),
                         Answer(question_id=notes.id, value="<p>Erste Zeile</p><ul><li>-Punkt</li></ul>"),
                         Answer(question_id=cert.id, value=True)])
    db.session.commit()
    submit(evil)
    evil.answers[0].value = 99  # a later, unsubmitted change: the export shows what was submitted
    db.session.commit()
    draft = make_entry(category=make_category(edition, name="Mobilität"), title="Entwurf mit Antwort",
                       company=make_company(make_user(), legal_name="Plauener Spitze", district=District.VOGTLANDKREIS))
    draft.answers.append(Answer(question_id=patents.id, value=7))
    db.session.commit()
    other = submit(make_entry(category=category, title="Anderswo",
                              company=make_company(make_user(), legal_name="Dresdner Werk",
                                                   district=District.OTHER_SAXONY)))
    return {"edition": edition, "evil": evil, "draft": draft, "other": other}


def _csv_rows(response) -> list[list[str]]:
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: German Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def _by_title_prefix(rows, prefix):
    header = rows[0]
    return next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[1].startswith(prefix))


# --- pure pieces --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+49 371 123", "'+49 371 123"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tTab", "'\tTab"), ("\rCR", "'\rCR"), ("＝1", "'＝1"), ("Hallo = Welt", "Hallo = Welt"), ("", ""),
    ("'schon", "'schon"),
])
def test_neutralise(value, expected):
    assert tabular.neutralise(value) == expected


def test_safe_and_unique_names():
    assert exports.safe_name("../../etc/passwd", fallback="x") == "_.._etc_passwd"
    assert exports.safe_name('Achse/Welle: neu?', fallback="x") == "Achse_Welle_ neu_"
    assert exports.safe_name(" ... ", fallback="Anlage") == "Anlage"
    long = exports.safe_name("a" * 200 + ".pdf", fallback="x")
    assert len(long) == 80 and long.endswith(".pdf")
    taken: set[str] = set()
    assert [exports.unique_name(n, taken) for n in ("Bericht.pdf", "bericht.PDF", "Bericht.pdf", "README")] == [
        "Bericht.pdf", "bericht (2).PDF", "Bericht (3).pdf", "README"]


def test_plain_text_of_rich_answers():
    assert exports.plain_text("<p>Eins &amp; zwei</p><ul><li>a</li><li>b</li></ul>") == "Eins & zwei\n• a\n• b"


# --- CSV ----------------------------------------------------------------------------------------------------------

def test_csv_export(orga, exported):
    edition, evil = exported["edition"], exported["evil"]
    response = orga.get(f"/organisation/entries/export.csv?edition={edition.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    today = to_berlin(utcnow()).date().isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="beitraege-{today}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    rows = _csv_rows(response)
    assert rows[0] == ["Nr.", "Titel", "Unternehmen", "Name bei Einreichung", "Rechtsform", "Landkreis",
                       "Beschäftigte", "Jahresumsatz", "Kategorie", "Status", "Zuletzt eingereicht",
                       "Begründung zur Zulassung", "Patente", "Interne Anmerkung", "Zertifiziert?"]
    assert len(rows) == 4
    row = _by_title_prefix(rows, "'=")
    assert row["Titel"] == "'" + EVIL_TITLE and row["Unternehmen"] == "'" + EVIL_COMPANY
    assert row["Nr."] == evil.number and row["Rechtsform"] == "AG" and row["Landkreis"] == "Kreisfreie Stadt Chemnitz"
    assert row["Beschäftigte"] == "12" and row["Jahresumsatz"] == "2 bis 10 Mio. €"
    assert row["Kategorie"] == "Digitalisierung" and row["Status"] == "Eingereicht"
    assert row["Zuletzt eingereicht"] == to_berlin(evil.last_submitted_at).strftime("%d.%m.%Y %H:%M")
    assert row["Patente"] == "2,5"  # the submitted value with a decimal comma, not the later 99
    assert row["Interne Anmerkung"] == "Erste Zeile\n• -Punkt"
    assert row["Zertifiziert?"] == "Ja"
    draft = _by_title_prefix(rows, "Entwurf mit Antwort")
    assert draft["Nr."] == "(Entwurf)" and draft["Status"] == "Entwurf" and draft["Patente"] == "7"
    assert draft["Zuletzt eingereicht"] == ""
    # every cell of the file, not just the hostile ones: nothing starts with a formula character
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for line in rows for cell in line)


def test_csv_export_uses_the_list_filters(orga, exported):
    rows = _csv_rows(orga.get("/organisation/entries/export.csv?district=sachsen_andere"))
    assert [r[1] for r in rows[1:]] == ["Anderswo"]
    rows = _csv_rows(orga.get("/organisation/entries/export.csv", query_string={"q": "plauener"}))
    assert [r[1] for r in rows[1:]] == ["Entwurf mit Antwort"]
    rows = _csv_rows(orga.get(f"/organisation/entries/export.csv?edition={exported['edition'].id}&proposal=concerns"))
    assert [r[1] for r in rows[1:]] == ["Anderswo"]


def test_export_of_several_editions_names_each_question_with_its_edition(orga, exported, make_edition,
                                                                         make_category, make_entry):
    other = next_years_edition(make_edition)
    _question(other, "Patente", QuestionKind.SHORT_TEXT, 1)
    make_entry(category=make_category(other), title="Nächstes Jahr")
    rows = _csv_rows(orga.get("/organisation/entries/export.csv"))
    assert f"{exported['edition'].name}: Patente" in rows[0] and f"{other.name}: Patente" in rows[0]
    assert len(rows) == 5


# --- XLSX ---------------------------------------------------------------------------------------------------------

def test_xlsx_export(orga, exported):
    evil = exported["evil"]
    evil.title = EVIL_TITLE + "\x07"  # a control character in the working copy must not break the file
    db.session.commit()
    response = orga.get(f"/organisation/entries/export.xlsx?edition={exported['edition'].id}&sort=title")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r'attachment; filename="beitraege-\d{4}-\d\d-\d\d\.xlsx"',
                        response.headers["Content-Disposition"])
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = workbook.active
    assert sheet.title == "Beiträge" and sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Nr.", "Titel", "Unternehmen"] and header[-3:] == ["Patente", "Interne Anmerkung",
                                                                             "Zertifiziert?"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"'" + EVIL_TITLE, "Anderswo", "Entwurf mit Antwort"}
    evil_row = rows["'" + EVIL_TITLE]
    assert evil_row[2].value == "'" + EVIL_COMPANY
    assert evil_row[1].data_type == "s" and evil_row[2].data_type == "s"
    assert evil_row[3].value == "'" + EVIL_COMPANY  # the name as submitted, neutralised as well
    assert evil_row[6].value == 12 and evil_row[12].value == 2.5  # numbers stay numbers
    assert abs(evil_row[10].value - to_berlin(evil.last_submitted_at).replace(tzinfo=None)) < timedelta(seconds=1)
    assert evil_row[10].number_format == "DD.MM.YYYY HH:MM"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.coordinate
    assert sheet.column_dimensions["B"].width >= len(EVIL_TITLE)
    assert all(8 <= sheet.column_dimensions[c].width <= 60 for c in "ABCDEFGHIJKLMNO")


def test_empty_export_is_still_a_valid_file(orga):
    workbook = openpyxl.load_workbook(io.BytesIO(orga.get("/organisation/entries/export.xlsx").data))
    assert workbook.active["A1"].value == "Nr." and workbook.active.max_row == 1
    assert len(_csv_rows(orga.get("/organisation/entries/export.csv"))) == 1


# --- ZIP of a category's attachments ------------------------------------------------------------------------------

def _attach(entry, name: str, data: bytes, **extra) -> Attachment:
    stored = get_storage().save(io.BytesIO(data))
    attachment = Attachment(entry_id=entry.id, original_name=name, content_type="application/pdf", kind="pdf",
                            size_bytes=stored.size, sha256=stored.sha256, storage_key=stored.key, **extra)
    db.session.add(attachment)
    db.session.commit()
    return attachment


def test_category_zip(orga, make_edition, make_category, make_company, make_user, make_entry):
    edition = make_edition()
    category = make_category(edition, name="Kreislaufwirtschaft")
    elsewhere = make_category(edition, name="Mobilität")

    main = make_entry(category=category, title="Achse/Welle: neu?")
    files = {
        "Bericht.pdf": b"%PDF-1.4 erster Bericht",
        "bericht.pdf": b"%PDF-1.4 zweiter Bericht",
        "../../etc/passwd": b"%PDF-1.4 boeser Name",
        "Später entfernt.pdf": b"%PDF-1.4 in Version 1",
    }
    attachments = {name: _attach(main, name, data) for name, data in files.items()}
    submit(main)
    attachments["Später entfernt.pdf"].removed_at = utcnow()  # removed after the submit: the jury still sees it
    db.session.commit()
    _attach(main, "Nicht eingereicht.pdf", b"%PDF-1.4 neu")  # uploaded after the submit: not in the version

    second = make_entry(category=category, title="Zweiter Beitrag",
                        company=make_company(make_user(), legal_name="Zweite GmbH"))
    _attach(second, "Bericht.pdf", b"%PDF-1.4 anderer Beitrag")
    submit(second)
    second.status = EntryStatus.ELIGIBLE
    db.session.commit()

    draft = make_entry(category=category, title="Entwurf", company=make_company(make_user()))
    _attach(draft, "Entwurf.pdf", b"%PDF draft")
    withdrawn = make_entry(category=category, title="Zurückgezogen", company=make_company(make_user()))
    _attach(withdrawn, "Zurueck.pdf", b"%PDF withdrawn")
    submit(withdrawn)
    withdrawn.status = EntryStatus.WITHDRAWN
    db.session.commit()
    other = make_entry(category=elsewhere, title="Andere Kategorie", company=make_company(make_user()))
    _attach(other, "Andere.pdf", b"%PDF other")
    submit(other)

    response = orga.get(f"/organisation/categories/{category.id}/attachments.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "anlagen-Kreislaufwirtschaft" in disposition
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    folder = f"{main.number} Achse_Welle_ neu_"
    second_folder = f"{second.number} Zweiter Beitrag"
    assert sorted(archive.namelist()) == sorted([
        f"{folder}/Bericht.pdf", f"{folder}/bericht (2).pdf", f"{folder}/_.._etc_passwd",
        f"{folder}/Später entfernt.pdf", f"{second_folder}/Bericht.pdf", "manifest.csv",
    ])
    assert archive.read(f"{folder}/bericht (2).pdf") == files["bericht.pdf"]
    assert archive.read(f"{second_folder}/Bericht.pdf") == b"%PDF-1.4 anderer Beitrag"

    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    assert manifest[0] == ["Nr.", "Titel", "Datei im Archiv", "Originalname", "Größe (Bytes)", "SHA-256", "Prüfung"]
    assert len(manifest) == 6
    for number, _title, path, _original, size, sha, check in manifest[1:]:
        data = archive.read(path)
        assert hashlib.sha256(data).hexdigest() == sha and int(size) == len(data) and check == "in Ordnung"
        assert number in (main.number, second.number)
    originals = {row[3] for row in manifest[1:]}
    assert "../../etc/passwd" in originals


def test_category_zip_reports_missing_and_altered_files(orga, make_edition, make_category, make_entry):
    category = make_category(make_edition())
    entry = make_entry(category=category, title="Lückenhaft")
    gone = _attach(entry, "Weg.pdf", b"%PDF gone")
    altered = _attach(entry, "Veraendert.pdf", b"%PDF original")
    submit(entry)
    get_storage().delete(gone.storage_key)
    altered.sha256 = "0" * 64  # the stored checksum no longer matches the bytes
    db.session.commit()
    archive = zipfile.ZipFile(io.BytesIO(orga.get(f"/organisation/categories/{category.id}/attachments.zip").data))
    manifest = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))
    checks = {row[3]: row[6] for row in manifest[1:]}
    assert checks == {"Weg.pdf": "Datei fehlt im Speicher",
                      "Veraendert.pdf": "Prüfsumme weicht von der beim Hochladen ab"}
    assert archive.namelist() == [f"{entry.number} Lückenhaft/Veraendert.pdf", "manifest.csv"]


def test_empty_category_gives_an_archive_with_only_the_manifest(orga, make_edition, make_category):
    category = make_category(make_edition())
    archive = zipfile.ZipFile(io.BytesIO(orga.get(f"/organisation/categories/{category.id}/attachments.zip").data))
    assert archive.namelist() == ["manifest.csv"]
