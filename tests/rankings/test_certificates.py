"""Certificates: one page each, kinds from the decisions, codes kept when printed again, and the public
verification page that the QR code points to."""

from __future__ import annotations

import io
import re

import pytest
import segno
from pypdf import PdfReader

from competition.extensions import db
from competition.rankings import outputs
from competition.rankings.certificates import certificate_kind, qr_svg
from competition.rankings.models import Certificate

from .snapshot_factory import JURORS, MARKUP_TITLE, make_snapshot, publish

BASE_URL = "https://wettbewerb.example"
URL = re.compile(re.escape(BASE_URL) + r"(/verify/certificate/[A-Za-z0-9_-]{16})")  # token_urlsafe(12)


@pytest.fixture
def factories(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    return dict(make_edition=make_edition, make_round=make_round, make_category=make_category,
                make_criterion=make_criterion, make_company=make_company, make_entry=make_entry, make_user=make_user)


@pytest.fixture
def snapshot(factories):
    """The published snapshot of an edition in its publication phase (only such a snapshot gets certificates with
    codes; see test_certificate_validity.py for the others)."""
    snapshot = make_snapshot(**factories)
    publish(snapshot)
    return snapshot


def pages_of(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_one_page_per_ranked_entry_with_kind_company_title_and_verification_url(snapshot):
    calls = []
    pdf = outputs.certificates_pdf(snapshot, base_url=BASE_URL, progress=lambda d, t: calls.append((d, t)))
    db.session.commit()
    pages = pages_of(pdf)
    content = snapshot.content
    assert len(pages) == len(content["entries"]) == 6 and calls[-1] == (6, 6)
    certificates = {str(c.entry_id): c for c in db.session.scalars(db.select(Certificate))}
    assert len(certificates) == 6
    for text in pages:
        assert "Urkunde" in text and "Industrie. Neu. Denken. 2026" in text and "25.11.2026" in text
        assert not re.search(r"Seite \d von 6", text) and snapshot.sha256 in text.replace(" ", "")
    by_number = {}
    for entry_id, entry in content["entries"].items():
        page = next(p for p in pages if entry["number"] in p)
        by_number[entry_id] = page
        assert entry["company"] in page
        assert certificates[entry_id].code in page
        assert f"{BASE_URL}/verify/certificate/{certificates[entry_id].code}" in page.replace(" ", "")
    winner, mention, _other_winner = (a["entry"] for a in content["decisions"]["awards"])
    assert "Erster Platz" in by_number[winner] and "Besondere Anerkennung" in by_number[mention]
    assert certificates[winner].kind == "winner" and certificates[mention].kind == "mention"
    markup_entry = next(e for e, v in content["entries"].items() if v["title"] == MARKUP_TITLE)
    assert MARKUP_TITLE in by_number[markup_entry]
    assert certificates[markup_entry].kind == "finalist" and "Teilnahme am Finale" in by_number[markup_entry]
    for text in pages:
        for name in JURORS:
            assert name not in text


def test_printing_again_keeps_the_codes_and_a_selection_prints_only_those(snapshot):
    outputs.certificates_pdf(snapshot, base_url=BASE_URL)
    db.session.commit()
    before = {c.entry_id: c.code for c in db.session.scalars(db.select(Certificate))}
    one = next(iter(snapshot.content["entries"]))
    pages = pages_of(outputs.certificates_pdf(snapshot, base_url=BASE_URL + "/", entries=[one]))
    db.session.commit()
    after = {c.entry_id: c.code for c in db.session.scalars(db.select(Certificate))}
    assert after == before and len(set(after.values())) == 6
    assert len(pages) == 1 and before[int(one)] in pages[0]
    assert "//verify" not in pages[0]  # base URL with a trailing slash


def test_the_verification_page_confirms_a_real_certificate(snapshot, client):
    pages = pages_of(outputs.certificates_pdf(snapshot, base_url=BASE_URL))
    db.session.commit()
    content = snapshot.content
    markup_entry = next(e for e, v in content["entries"].items() if v["title"] == MARKUP_TITLE)
    page = next(p for p in pages if content["entries"][markup_entry]["number"] in p)
    path = URL.search(page.replace(" ", "")).group(1)  # the URL printed under the QR code, followed
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Diese Urkunde ist echt" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Fett&lt;/b&gt;" in html and "<script>alert" not in html
    assert "Teilnahme am Finale" in html and "Industrie. Neu. Denken. 2026" in html and snapshot.sha256[:16] in html
    assert "=HYPERLINK(&#34;http://evil.example&#34;) AG" in html or "=HYPERLINK(&quot;" in html
    winner = content["decisions"]["awards"][0]["entry"]
    code = db.session.scalar(db.select(Certificate.code).where(Certificate.entry_id == int(winner)))
    winner_page = client.get(f"/verify/certificate/{code}").get_data(as_text=True)
    assert "Preis: Erster Platz" in winner_page and content["entries"][winner]["company"] in winner_page
    for name in JURORS:
        assert name not in html


def test_the_qr_code_encodes_the_verification_url():
    url = BASE_URL + "/verify/certificate/abcDEF123_-xyz45"
    svg = str(qr_svg(url, label="QR-Code"))
    expected = segno.make(url, error="m", micro=False)
    assert expected.error == "M" and 'role="img"' in svg and "<title>QR-Code</title>" in svg
    path = re.search(r' d="([^"]+)"', svg).group(1)
    assert path == re.search(r' d="([^"]+)"', expected.svg_inline(scale=1, border=4)).group(1)
    assert url in svg  # also in the description


def test_unknown_code_is_a_404_with_a_german_message(client):
    response = client.get("/verify/certificate/gibt-es-nicht")
    assert response.status_code == 404
    assert "Zu diesem Prüfcode gibt es keine Urkunde" in response.get_data(as_text=True)
    assert client.get("/verify/certificate/" + "x" * 200).status_code == 404


def test_a_snapshot_that_no_longer_verifies_is_not_confirmed(factories, client):
    snapshot = make_snapshot(**factories, tamper=True)
    publish(snapshot)
    pages = pages_of(outputs.certificates_pdf(snapshot, base_url=BASE_URL))
    db.session.commit()
    path = URL.search(pages[0].replace(" ", "")).group(1)
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "kann nicht bestätigt werden" in html and "Diese Urkunde ist echt" not in html


def test_certificate_kinds_follow_the_decisions():
    content = {"round": {"position": 1, "is_final": False},
               "decisions": {"shortlist": ["2"], "awards": [{"entry": "1", "kind": "winner"}]}}
    assert certificate_kind(content, "1") == "winner"
    assert certificate_kind(content, "2") == "finalist"
    assert certificate_kind(content, "3") == "participant"
    final = {"round": {"position": 2, "is_final": True}, "decisions": {"awards": [{"entry": "1", "kind": "mention"}]}}
    assert certificate_kind(final, "1") == "mention" and certificate_kind(final, "3") == "finalist"
    single = {"round": {"position": 1, "is_final": True}, "decisions": {}}
    assert certificate_kind(single, "3") == "participant"
