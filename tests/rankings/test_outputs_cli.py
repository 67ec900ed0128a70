"""`flask rankings pdf` and `flask rankings export`: the files, which snapshot, and clear refusals (exit 2)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from competition.editions.models import JudgingRound
from competition.extensions import db
from competition.rankings.models import Certificate, RankingSnapshot
from competition.rankings.services import canonical_sha256

from .snapshot_factory import FROZEN_AT, make_snapshot, publish


@pytest.fixture
def snapshot(make_edition, make_round, make_category, make_criterion, make_company, make_entry, make_user):
    return make_snapshot(make_edition=make_edition, make_round=make_round, make_category=make_category,
                         make_criterion=make_criterion, make_company=make_company, make_entry=make_entry,
                         make_user=make_user)


def text_of(path) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages))


@pytest.mark.parametrize("kind, expected", [
    ("internal", "Jury-Rangliste"),
    ("public", "Ergebnisse"),
    ("certificates", "Urkunde"),
    ("feedback", "Rückmeldung der Jury"),
    ("protocol", "Jury-Protokoll"),
])
def test_pdf_command_writes_each_kind(app, snapshot, tmp_path, kind, expected):
    publish(snapshot)  # valid certificates come only from the published snapshot
    out = tmp_path / f"{kind}.pdf"
    result = app.test_cli_runner().invoke(args=["rankings", "pdf", "--edition", "ind-2026", "--kind", kind,
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Stand {snapshot.id}" in result.output
    text = text_of(out)
    assert expected in text and snapshot.sha256 in text.replace(" ", "")
    if kind == "certificates":  # codes stored, QR target from BASE_URL
        codes = db.session.scalars(db.select(Certificate.code)).all()
        assert len(codes) == 6
        assert f"{app.config['BASE_URL']}/verify/certificate/{codes[0]}" in text.replace(" ", "")


def test_export_command_writes_xlsx_and_csv(app, snapshot, tmp_path):
    runner = app.test_cli_runner()
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"export.{fmt}"
        result = runner.invoke(args=["rankings", "export", "--edition", "ind-2026", "--format", fmt, "--out",
                                     str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert (tmp_path / "export.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "export.xlsx").read_bytes().startswith(b"PK")


def test_public_and_certificates_use_the_last_round_the_others_the_latest_snapshot(app, snapshot, tmp_path):
    content = {**snapshot.content, "round": {**snapshot.content["round"], "name": "Vorauswahl", "position": 1,
                                             "is_final": False}}
    earlier = db.session.scalar(db.select(JudgingRound).where(JudgingRound.edition_id == snapshot.edition_id,
                                                              JudgingRound.position == 1))
    assert earlier.id != snapshot.round_id
    later = RankingSnapshot(edition_id=snapshot.edition_id, round_id=earlier.id, method="calibrated", content=content,
                            inputs_sha256=content["inputs_sha256"], sha256=canonical_sha256(content),
                            created_at=FROZEN_AT.replace(hour=18))  # made after the final's snapshot
    db.session.add(later)
    db.session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "x.pdf"
    result = runner.invoke(args=["rankings", "pdf", "--edition", "ind-2026", "--kind", "public", "--out", str(out)])
    assert result.exit_code == 0 and f"Stand {snapshot.id}" in result.output
    result = runner.invoke(args=["rankings", "pdf", "--edition", "ind-2026", "--kind", "protocol", "--out", str(out)])
    assert result.exit_code == 0 and f"Stand {later.id}" in result.output
    assert "Vorauswahl" in text_of(out)
    result = runner.invoke(args=["rankings", "pdf", "--edition", "ind-2026", "--kind", "public", "--out", str(out),
                                 "--snapshot", str(later.id)])
    assert result.exit_code == 0 and f"Stand {later.id}" in result.output


def test_bad_input_exits_2_with_a_german_message(app, snapshot, make_edition, tmp_path):
    runner = app.test_cli_runner()
    out = str(tmp_path / "x.pdf")
    make_edition(name="Leere Runde", slug="leer")
    cases = [
        (["rankings", "pdf", "--edition", "gibt-es-nicht", "--kind", "internal", "--out", out],
         "Unbekannte Ausschreibung „gibt-es-nicht“"),
        (["rankings", "pdf", "--edition", "leer", "--kind", "public", "--out", out],
         "hat noch keinen eingefrorenen Stand"),
        (["rankings", "export", "--edition", "leer", "--format", "csv", "--out", out],
         "hat noch keinen eingefrorenen Stand"),
        (["rankings", "pdf", "--edition", "leer", "--kind", "internal", "--out", out, "--snapshot",
          str(snapshot.id)], "hat keinen eingefrorenen Stand Nr."),
        (["rankings", "pdf", "--edition", "ind-2026", "--kind", "poster", "--out", out], "poster"),
        (["rankings", "export", "--edition", "ind-2026", "--format", "ods", "--out", out], "ods"),
        (["rankings", "pdf", "--edition", "ind-2026", "--kind", "internal", "--out",
          str(tmp_path / "fehlt" / "x.pdf")], "lässt sich nicht schreiben"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
