"""Documents worth framing: the certificate, the jury protocol, the public results and the feedback letter, read
back as text and rendered to PNG (kept in test-artifacts/documents/ to be looked at)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess  # nosec B404 - pdftoppm, a fixed command on our own files
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from pypdf import PdfReader

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.extensions import db
from competition.rankings import outputs
from competition.rankings.design import save_design
from competition.rankings.models import Certificate

from .snapshot_factory import make_snapshot, publish

BASE_URL = "https://urkunden.wettbewerb.example"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"


@pytest.fixture
def snapshot(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    snapshot = make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user)
    publish(snapshot)
    return snapshot


def png(width: int, height: int, text: str, colour: str = "#0b5c8a") -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((2, 2, width - 3, height - 3), outline=colour, width=4)
    draw.text((12, height // 2 - 6), text, fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def with_design(snapshot, make_user, *, signatories=3) -> None:
    people = [("Dr. Petra Vorsitz", "Vorsitz der Jury"), ("Thomas Kammer", "Hauptgeschäftsführer IHK Chemnitz"),
              ("Ines Region", "Wirtschaftsförderung Südwestsachsen")]
    texts = {"place": "Chemnitz", "logo_1_text": "Logo der IHK Chemnitz", "logo_2_text": "Logo der Region"}
    for number, (name, function) in enumerate(people[:signatories], start=1):
        texts[f"signatory_{number}_name"] = name
        texts[f"signatory_{number}_function"] = function
    uploads = {"logo_1": png(400, 120, "IHK Chemnitz"), "logo_2": png(300, 120, "Region"),
               "signatory_1_signature": png(500, 120, "P. Vorsitz", "#222222")}
    save_design(edition_id=snapshot.edition_id, texts=texts, uploads=uploads, remove=set(),
                by=make_user(roles=(Role.ORGANISER,)), now=utcnow())
    db.session.commit()


def text_of(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def keep_as_png(pdf: bytes, name: str, dpi: int = 60) -> list[Path]:
    """The PDF's pages as PNG images in test-artifacts/documents/<name>-<page>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run([shutil.which("pdftoppm"), "-png", "-r", str(dpi), str(source), str(ARTIFACTS / name)],  # nosec
                   check=True)
    pngs = sorted(ARTIFACTS.glob(f"{name}-*.png"))
    assert pngs and all(p.stat().st_size > 1000 for p in pngs)
    return pngs


def test_a_certificate_has_logos_signatories_place_in_words_and_its_check_in_small_print(snapshot, make_user):
    with_design(snapshot, make_user)
    pdf = outputs.certificates_pdf(snapshot, base_url=BASE_URL)
    db.session.commit()
    pages = text_of(pdf)
    images = keep_as_png(pdf, "certificates", dpi=150)
    content = snapshot.content
    winner = next(a["entry"] for a in content["decisions"]["awards"] if a["kind"] == "winner")
    number = content["entries"][winner]["number"]
    page = next(p for p in pages if number in p)
    assert "Erster Platz" in page and "1. Platz" not in page
    assert "Digitalisierung" in page and "Chemnitz, den 25.11.2026" in page
    for name, function in (("Dr. Petra Vorsitz", "Vorsitz der Jury"), ("Thomas Kammer", "IHK Chemnitz"),
                           ("Ines Region", "Südwestsachsen")):
        assert name in page and function in page
    code = db.session.scalar(db.select(Certificate.code).where(Certificate.entry_id == int(winner)))
    assert f"Prüfcode: {code}" in page and "Prüfsumme der Ergebnisse (SHA-256)" in page
    assert snapshot.sha256 in page.replace(" ", "")
    for text in pages:  # no internal words on a certificate
        assert "Schnappschuss" not in text and not re.search(r"Seite \d+ von \d+", text)
        assert "Preisträger" not in text and "Finalist" not in text
    reader = PdfReader(io.BytesIO(pdf))
    first = reader.pages[pages.index(page)]
    assert len(first.images) >= 3  # two logos and a signature
    # The QR code, read back from the rendered page, carries BASE_URL and this certificate's code.
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(images[pages.index(page)]))]
    assert decoded == [f"{BASE_URL}/verify/certificate/{code}"]


def test_the_protocol_has_a_signature_block_and_one_term_for_the_frozen_ranking(snapshot, make_user):
    with_design(snapshot, make_user)
    pdf = outputs.protocol_pdf(snapshot)
    keep_as_png(pdf, "protocol")
    text = " ".join(text_of(pdf))
    assert "Finale (Finale)" not in text and "Bewertungsrunde Finale" in text
    assert "Ort, Datum: Chemnitz, den" in text
    assert "Vorsitz der Jury" in text and "Für das Organisationsteam" in text
    assert "Eingefrorener Stand Nr." in text and "Schnappschuss" not in text
    assert "Erster Platz" in text and "Preisträger" not in text


def test_public_results_name_districts_properly(snapshot):
    pdf = outputs.public_pdf(snapshot)
    keep_as_png(pdf, "public")
    text = " ".join(text_of(pdf))
    districts = {e.get("district") for e in snapshot.content["entries"].values()}
    assert districts and all(d and d == d.lower() for d in districts)  # the content holds keys
    assert "Erzgebirgskreis" in text or "Landkreis" in text or "Kreisfreie Stadt" in text
    for key in districts:
        assert f", {key}" not in text
    entry_id = next(iter(snapshot.content["entries"]))
    keep_as_png(outputs.feedback_pdf(snapshot, entry_id), "feedback")
