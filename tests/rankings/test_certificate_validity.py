"""Issue 13.6: certificates verify only while valid. Valid certificates (with a code) come only from the published
snapshot; a certificate printed from any other snapshot is a draft marked "Entwurf" without a code. The verification
page confirms only certificates of the currently published snapshot and says plainly when a certificate was replaced
(by a newer publication: when, and what the current certificate says) or its results were withdrawn.

Checked for the single download, the bulk job (see also test_deliberation), the CLI and next to the e-mail
confirmation links (/verify/<token>)."""

from __future__ import annotations

import io
import re
import secrets
from datetime import timedelta

import pytest
from pypdf import PdfReader

from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.extensions import db
from competition.rankings import services
from competition.rankings.models import AwardKind, Certificate, RankingSnapshot

from ..judging.round_world import COMPANIES, TITLES, build_round_world

CODE = re.compile(r"/verify/certificate/([A-Za-z0-9_-]{16})")


@pytest.fixture
def world(make_edition, make_category, make_round, make_criterion, make_company, make_entry, make_user, organiser):
    """The final (only) round scored; entry 0 ranks first."""
    return build_round_world(make_edition=make_edition, make_category=make_category, make_round=make_round,
                             make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                             make_user=make_user, organiser=organiser, final=True)


def _freeze(world, organiser, *, seconds: int) -> RankingSnapshot:
    snapshot = services.freeze_ranking(judging_round=world.judging_round, method="weighted-mean", by=organiser,
                                       now=utcnow() + timedelta(seconds=seconds))
    db.session.commit()
    return snapshot


def _award(world, organiser, kind: AwardKind, place: int | None = None) -> None:
    services.set_award(judging_round=world.judging_round, entry=world.entries[0], kind=kind, place=place,
                       justification="Die Jury würdigt die konsequente Umsetzung.", by=organiser, now=utcnow())
    db.session.commit()


def _pages(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def _certificate(client, world, snapshot) -> tuple[bytes, str]:
    url = (f"/organisation/editions/{world.edition.id}/rankings/snapshots/{snapshot.id}/certificates/"
           f"{world.entries[0].id}.pdf")
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data, response.headers["Content-Disposition"]


def _publish(client, world, snapshot) -> None:
    from competition.rankings.models import Publication

    response = client.post(f"/organisation/editions/{world.edition.id}/rankings/snapshots/{snapshot.id}/publish")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(db.select(Publication.snapshot_id)) == snapshot.id


@pytest.fixture
def two_snapshots(world, organiser):
    """An older snapshot (entry 0 without award: "Teilnahme") and a newer one with entry 0 "1. Platz"."""
    _award(world, organiser, AwardKind.MENTION)
    older = _freeze(world, organiser, seconds=1)
    _award(world, organiser, AwardKind.WINNER, place=1)
    newer = _freeze(world, organiser, seconds=2)
    world.edition.phase_override = Phase.PUBLISHED
    db.session.commit()
    return older, newer


def test_a_certificate_from_an_older_snapshot_is_a_draft_and_an_old_code_says_it_was_replaced(
        client, login_as, world, organiser, two_snapshots):
    older, newer = two_snapshots
    login_as(organiser)
    _publish(client, world, newer)
    data, disposition = _certificate(client, world, older)  # printed from the older snapshot
    text = _pages(data)[0]
    assert "ENTWURF – keine gültige Urkunde" in text and "UNGÜLTIG – ENTWURF" in text and "kein Prüfcode" in text
    assert "/verify/certificate/" not in text.replace(" ", "") and "Prüfcode: UNGÜLTIG" in text
    assert "urkunde-entwurf-" in disposition
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0
    # A certificate the old code made from the older snapshot (the reproduction) no longer verifies as "echt".
    legacy = Certificate(code=secrets.token_urlsafe(12), snapshot_id=older.id, entry_id=world.entries[0].id,
                         kind="mention")
    db.session.add(legacy)
    db.session.commit()
    client.post("/logout")
    response = client.get(f"/verify/certificate/{legacy.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 410 and "Diese Urkunde ist echt" not in page
    assert "Diese Urkunde ist nicht mehr gültig: Sie wurde am" in page and "ersetzt" in page
    assert "Die aktuelle Urkunde lautet" in page and "Preis: Erster Platz" in page
    assert COMPANIES[0] in page and TITLES[0] in page and newer.sha256[:16] in page


def test_only_the_published_snapshot_makes_valid_certificates_and_they_verify_only_while_published(
        client, login_as, world, organiser, two_snapshots):
    older, newer = two_snapshots
    login_as(organiser)
    _publish(client, world, newer)
    data, disposition = _certificate(client, world, newer)
    text = _pages(data)[0]
    assert "Entwurf" not in text and "Erster Platz" in text and "urkunde-entwurf" not in disposition
    code = CODE.search(text.replace(" ", "")).group(1)
    again, _d = _certificate(client, world, newer)
    assert code in _pages(again)[0]  # printed again: the same code
    client.post("/logout")
    valid = client.get(f"/verify/certificate/{code}")
    page = valid.get_data(as_text=True)
    assert valid.status_code == 200 and "Diese Urkunde ist echt." in page and "Preis: Erster Platz" in page

    # The publication is withdrawn: the certificate is no longer confirmed, and the page says when.
    login_as(organiser)
    assert client.post(f"/organisation/editions/{world.edition.id}/rankings/unpublish").status_code == 302
    client.post("/logout")
    withdrawn = client.get(f"/verify/certificate/{code}")
    page = withdrawn.get_data(as_text=True)
    assert withdrawn.status_code == 410 and "Diese Urkunde ist echt" not in page and "Preis:" not in page
    assert "wurde am" in page and "zurückgezogen" in page

    # Published again from the same snapshot: valid again. Then a newer publication replaces it.
    login_as(organiser)
    _publish(client, world, newer)
    assert client.get(f"/verify/certificate/{code}").status_code == 200
    _award(world, organiser, AwardKind.WINNER, place=2)
    newest = _freeze(world, organiser, seconds=3)
    _publish(client, world, newest)
    client.post("/logout")
    replaced = client.get(f"/verify/certificate/{code}")
    page = replaced.get_data(as_text=True)
    assert replaced.status_code == 410 and "Diese Urkunde ist echt" not in page and "ersetzt" in page
    assert "Die aktuelle Urkunde lautet" in page and "Preis: Zweiter Platz" in page and "Erster Platz" not in page


def test_before_the_publication_phase_a_certificate_is_not_confirmed_and_reveals_nothing(
        client, login_as, world, organiser, two_snapshots):
    _older, newer = two_snapshots
    world.edition.phase_override = Phase.DELIBERATION
    db.session.commit()
    login_as(organiser)
    _publish(client, world, newer)  # released, public from the publication date on
    code = CODE.search(_pages(_certificate(client, world, newer)[0])[0].replace(" ", "")).group(1)
    client.post("/logout")
    response = client.get(f"/verify/certificate/{code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "noch nicht veröffentlicht" in page and "Eine Prüfung ist ab" in page
    assert COMPANIES[0] not in page and "Preis:" not in page


def test_the_cli_prints_the_published_snapshot_by_default_and_a_draft_from_any_other(
        app, client, login_as, world, organiser, two_snapshots, tmp_path):
    older, newer = two_snapshots
    login_as(organiser)
    _publish(client, world, newer)
    _freeze(world, organiser, seconds=5)  # the newest snapshot is not the published one
    runner = app.test_cli_runner()
    out = tmp_path / "urkunden.pdf"
    result = runner.invoke(args=["rankings", "pdf", "--edition", world.edition.slug, "--kind", "certificates",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Stand {newer.id}" in result.output and "Entwurf" not in result.output
    pages = _pages(out.read_bytes())
    assert len(pages) == 2 and all(CODE.search(p.replace(" ", "")) for p in pages)
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 2
    result = runner.invoke(args=["rankings", "pdf", "--edition", world.edition.slug, "--kind", "certificates",
                                 "--out", str(out), "--snapshot", str(older.id)])
    assert result.exit_code == 0, result.output
    assert "nicht veröffentlicht" in result.output and "Entwurf ohne Prüfcodes" in result.output
    pages = _pages(out.read_bytes())
    assert all("ENTWURF" in p and not CODE.search(p.replace(" ", "")) for p in pages)
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 2  # no codes for the draft


def test_certificate_codes_and_e_mail_confirmation_links_do_not_stand_in_for_each_other(
        client, login_as, world, organiser, two_snapshots, make_user):
    from competition.core import tokens

    _older, newer = two_snapshots
    login_as(organiser)
    _publish(client, world, newer)
    code = CODE.search(_pages(_certificate(client, world, newer)[0])[0].replace(" ", "")).group(1)
    client.post("/logout")
    as_mail_link = client.get(f"/verify/{code}")  # the e-mail confirmation route
    assert as_mail_link.status_code == 400 and "Diese Urkunde ist echt" not in as_mail_link.get_data(as_text=True)
    person = make_user(email="neu@firma.example", verified=False)
    token = tokens.make_token("verify-email", {"u": person.id, "e": person.email})
    assert client.get(f"/verify/certificate/{token}").status_code == 404
    assert client.get("/verify/certificate/").status_code == 404


def test_the_single_download_is_for_organisers_and_only_for_ranked_entries(client, login_as, world, organiser,
                                                                           two_snapshots):
    _older, newer = two_snapshots
    url = f"/organisation/editions/{world.edition.id}/rankings/snapshots/{newer.id}/certificates"
    login_as(world.owners[0])
    assert client.get(f"{url}/{world.entries[0].id}.pdf").status_code == 403
    client.post("/logout")
    login_as(organiser)
    assert client.get(f"{url}/999999.pdf").status_code == 404
    assert client.get(f"/organisation/editions/{world.edition.id + 1}/rankings/snapshots/{newer.id}/certificates/"
                      f"{world.entries[0].id}.pdf").status_code == 404


def _bulk_certificates(client, world, snapshot) -> str:
    """All certificates of a snapshot through the background job, as the organiser starts it; the PDF's text."""
    from competition.jobs import Job, JobStatus

    client.post(f"/organisation/editions/{world.edition.id}/rankings/snapshots/{snapshot.id}/bulk/certificates")
    job = db.session.scalars(db.select(Job).where(Job.kind == "rankings.certificates").order_by(Job.id.desc())).first()
    db.session.refresh(job)
    assert job.status is JobStatus.DONE, job.message
    return " ".join(_pages(client.get(f"/organisation/jobs/{job.id}/download").data))


def test_reproduction_bulk_certificates_of_an_older_snapshot_and_after_withdrawal(client, login_as, world, organiser,
                                                                                  two_snapshots):
    older, newer = two_snapshots
    login_as(organiser)
    _publish(client, world, newer)  # the published snapshot says "1. Platz"
    text = _bulk_certificates(client, world, older)  # the older one says "Besondere Anerkennung"
    assert "Besondere Anerkennung" in text and "ENTWURF – keine gültige Urkunde" in text
    assert CODE.search(text.replace(" ", "")) is None  # nothing that could verify as "echt … Anerkennung"
    text = _bulk_certificates(client, world, newer)
    code = CODE.search(text.replace(" ", "")).group(1)
    client.post("/logout")
    assert "Diese Urkunde ist echt." in client.get(f"/verify/certificate/{code}").get_data(as_text=True)
    login_as(organiser)
    client.post(f"/organisation/editions/{world.edition.id}/rankings/unpublish")
    client.post("/logout")
    response = client.get(f"/verify/certificate/{code}")
    assert response.status_code == 410
    assert "Diese Urkunde ist echt" not in response.get_data(as_text=True)
