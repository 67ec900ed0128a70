"""Issue 13.7: frozen rankings take the submitted version, not live company data. Reproduction: in the jury phase a
company renamed itself to a competitor's name; the next snapshot and the certificate check showed the new name
although the submitted version kept the old one. Now everything published about an entry (company name, district,
title) comes from its submitted version; the rename is audited and shown to organisers (entry page, deliberation,
entries export), never carried into results, PDFs, certificates or exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import District
from competition.extensions import db
from competition.rankings import services
from competition.rankings.models import AwardKind, RankingSnapshot

from ..judging.round_world import COMPANIES, TITLES, build_round_world

RIVAL = "Konkurrenz Maschinenbau AG"  # the name the second company takes during the jury phase


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_company, make_entry, make_user, organiser):
    """Final round; entry 1 (the second company, Erzgebirgskreis) will win."""
    return build_round_world(make_edition=make_edition, make_category=make_category, make_round=make_round,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user, organiser=organiser, final=True,
                             scores=((("5", "5"), ("9", "9")), (("6", "4"), ("8", "9"))))


def _rename(client, login_as, world) -> None:
    """The second company's admin renames it and moves it to Chemnitz, through the company form."""
    company = world.entries[1].company
    login_as(world.owners[1])
    response = client.post("/company", data={
        "legal_name": RIVAL, "legal_form": "AG", "street": "Neue Straße 1", "postal_code": "09111",
        "city": "Chemnitz", "district": District.CHEMNITZ.value, "employees": "45",
        "turnover_band": company.turnover_band.value, "industry": "Maschinenbau", "website": "",
        "contact_name": "Anna Schubert", "contact_email": "kontakt@konkurrenz.example", "contact_phone": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")
    db.session.expire_all()
    assert world.entries[1].company.legal_name == RIVAL


def _published(client, login_as, world, organiser) -> RankingSnapshot:
    """Organiser: freeze, award entry 1, freeze again, publish; the edition is in its publication phase."""
    login_as(organiser)
    base = f"/organisation/editions/{world.edition.id}/rankings"
    client.post(f"{base}/rounds/{world.judging_round.id}/freeze", data={"method": "weighted-mean"})
    services.set_award(judging_round=world.judging_round, entry=world.entries[1], kind=AwardKind.WINNER, place=1,
                       justification="Überzeugende Umsetzung in der Region.", by=organiser,
                       now=utcnow() + timedelta(seconds=1))
    db.session.commit()
    client.post(f"{base}/rounds/{world.judging_round.id}/freeze", data={"method": "weighted-mean"})
    snapshot = db.session.scalars(db.select(RankingSnapshot).order_by(RankingSnapshot.id.desc())).first()
    client.post(f"{base}/snapshots/{snapshot.id}/publish")
    world.edition.phase_override = Phase.PUBLISHED
    db.session.commit()
    return snapshot


def _pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_a_rename_in_the_jury_phase_is_audited_and_never_reaches_what_is_published(client, login_as, world,
                                                                                    organiser):
    _rename(client, login_as, world)
    snapshot = _published(client, login_as, world, organiser)
    entry = snapshot.content["entries"][str(world.entries[1].id)]
    assert entry["company"] == COMPANIES[1] and entry["district"] == "erzgebirgskreis"
    assert entry["title"] == TITLES[1] and entry["city"] == "Annaberg-Buchholz"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "company.renamed"))
    assert event.actor_id == world.owners[1].id and event.object_id == world.entries[1].company_id
    assert event.data == {"before": COMPANIES[1], "after": RIVAL}
    moved = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "company.updated"))
    assert moved.data["values"]["district"] == ["erzgebirgskreis", "chemnitz"]
    assert "contact_email" in moved.data["changed"] and "contact_email" not in moved.data["values"]

    base = f"/organisation/editions/{world.edition.id}/rankings/snapshots/{snapshot.id}"
    documents = {
        "certificate": client.get(f"{base}/certificates/{world.entries[1].id}.pdf").data,
        "internal": client.get(f"{base}/internal.pdf").data,
        "protocol": client.get(f"{base}/protocol.pdf").data,
        "feedback": client.get(f"{base}/feedback/{world.entries[1].id}.pdf").data,
    }
    for name, data in documents.items():
        text = _pdf_text(data)
        assert COMPANIES[1] in text and RIVAL not in text, name
    code = re.search(r"/verify/certificate/([A-Za-z0-9_-]{16})", _pdf_text(documents["certificate"])
                     .replace(" ", "")).group(1)
    exported = client.get(f"{base}/export.csv").data.decode("utf-8-sig")
    assert COMPANIES[1] in exported and RIVAL not in exported
    client.post("/logout")

    slug = world.edition.slug
    public = client.get(f"/ergebnisse/{slug}").get_data(as_text=True)
    assert COMPANIES[1] in public and RIVAL not in public and "Erzgebirgskreis" in public
    public_pdf = _pdf_text(client.get(f"/ergebnisse/{slug}/ergebnisse.pdf").data)
    assert COMPANIES[1] in public_pdf and RIVAL not in public_pdf
    check = client.get(f"/verify/certificate/{code}").get_data(as_text=True)
    assert "Diese Urkunde ist echt." in check and COMPANIES[1] in check and RIVAL not in check


def test_organisers_see_the_rename_on_the_entry_in_the_deliberation_and_in_the_export(client, login_as, world,
                                                                                      organiser):
    _rename(client, login_as, world)
    _published(client, login_as, world, organiser)
    notice = f"Unternehmen hat sich nach der Einreichung umbenannt: „{COMPANIES[1]}“ → „{RIVAL}“."
    entry_page = client.get(f"/organisation/entries/{world.entries[1].id}").get_data(as_text=True)
    assert notice in entry_page
    assert notice not in client.get(f"/organisation/entries/{world.entries[0].id}").get_data(as_text=True)
    deliberation = client.get(f"/organisation/editions/{world.edition.id}/rankings/rounds/"
                              f"{world.judging_round.id}/deliberation").get_data(as_text=True)
    assert deliberation.count("nach der Einreichung umbenannt") == 1 and notice in deliberation
    rows = list(csv.DictReader(io.StringIO(client.get(f"/organisation/entries/export.csv?edition="
                                                      f"{world.edition.id}").data.decode("utf-8-sig")),
                               delimiter=";"))
    renamed = next(r for r in rows if r["Titel"] == TITLES[1])
    assert renamed["Unternehmen"] == RIVAL and renamed["Name bei Einreichung"] == COMPANIES[1]


def test_jurors_score_the_submitted_version_not_the_renamed_company(client, login_as, world):
    _rename(client, login_as, world)
    login_as(world.jurors[0])
    page = client.get(f"/jury/assignments/{world.assignment(0, 1).id}").get_data(as_text=True)
    assert COMPANIES[1] in page and RIVAL not in page
