"""Form conventions: "Bitte wählen" where the user must decide, one required mark, an error summary that links to
each refused field and keeps what was typed, websites without a scheme completed, and a warning before a required
question is added after entries were submitted."""

from __future__ import annotations

import html
import re

from competition.entries.models import Company, EntryStatus, Question
from competition.extensions import db

from .test_entry_flow import PROFILE


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_company_form_makes_the_user_choose_and_marks_required_fields(client, login_as, make_user):
    login_as(make_user())
    page = _text(client.get("/company"))
    for name in ("legal_form", "district", "turnover_band"):
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
        first = re.search(r"<option([^>]*)>([^<]*)</option>", select)
        assert first.group(2) == "Bitte wählen" and 'value=""' in first.group(1), name
        assert "selected" not in first.group(1) or 'value=""' in first.group(1)
    assert 'class="is-required"' in page and "Mit * markierte Felder müssen ausgefüllt werden." in page


def test_refused_form_has_a_summary_linking_to_each_field_and_keeps_the_input(client, login_as, make_user):
    login_as(make_user())
    data = {**PROFILE, "district": "", "postal_code": "123", "legal_name": "Vogtland <b>Textil</b>"}
    response = client.post("/company", data=data)
    page = _text(response)
    assert db.session.scalar(db.select(Company)) is None
    summary = re.search(r'<div class="error-summary" role="alert"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "Bitte prüfen Sie 2 Angaben" in summary
    assert '<a href="#district">' in summary and '<a href="#postal_code">' in summary
    assert "Bitte wählen Sie den Landkreis oder die kreisfreie Stadt." in summary
    assert 'value="Vogtland <b>Textil</b>"' in page or 'value="Vogtland &lt;b&gt;Textil&lt;/b&gt;"' in \
        response.get_data(as_text=True)  # typed text kept, escaped
    assert "<b>Textil</b>" not in response.get_data(as_text=True)


def test_website_without_scheme_is_completed(client, login_as, make_user):
    login_as(make_user())
    client.post("/company", data={**PROFILE, "website": "www.textilwerke.example"})
    company = db.session.scalar(db.select(Company))
    assert company is not None and company.website == "https://www.textilwerke.example"
    refused = _text(client.post("/company", data={**PROFILE, "website": "javascript:alert(1)"}))
    db.session.refresh(company)
    assert company.website == "https://www.textilwerke.example"
    assert "Bitte geben Sie eine vollständige Adresse an" in refused


def test_required_question_after_submissions_needs_confirmation(client, login_as, organiser, make_edition,
                                                                make_category, make_entry):
    from competition.core.clock import utcnow

    edition = make_edition()
    category = make_category(edition)
    for n in range(2):
        make_entry(category=category, status=EntryStatus.SUBMITTED, number=f"IND-{n}", last_submitted_at=utcnow())
    login_as(organiser)
    data = {"label": "Wie viele Patente halten Sie?", "kind": "short_text", "visibility": "jury", "is_required": "y",
            "help_text": "", "max_length": "", "choices": ""}
    url = f"/organisation/editions/{edition.id}/questions"
    page = _text(client.post(url, data=data))
    assert "2 Beiträge sind bereits eingereicht." in page and "Ja, trotzdem als Pflichtfrage speichern" in page
    assert 'value="Wie viele Patente halten Sie?"' in page  # kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0
    response = client.post(url, data={**data, "confirm_required": "1"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Question)).is_required
    optional = client.post(url, data={**data, "label": "Anmerkungen", "is_required": ""})
    assert optional.status_code == 302  # an optional question needs no confirmation
