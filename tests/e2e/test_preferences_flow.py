"""Preferences in the browser: the organiser opens the phase, a juror marks entries with the keyboard (keys 1/2/3
jump on to the next entry, arrow keys change a mark), each mark saved at once (htmx) and still there after a reload,
"befangen" with its confirmation; the organiser sees the progress."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.extensions import db
from competition.judging import services
from competition.judging.models import Conflict, Preference, RoundJuror

from ..judging.test_preferences import submitted
from .flows import log_in


def marks(juror) -> dict[int, str]:
    db.session.expire_all()
    return {p.entry_id: p.value.value for p in db.session.scalars(db.select(Preference)
                                                                    .where(Preference.user_id == juror.id))}


@pytest.mark.e2e
def test_juror_marks_preferences_with_the_keyboard(
    live_server, new_page, make_user, make_edition, make_category, make_round, make_company, make_entry, organiser,
    screenshot,
):
    edition = make_edition(name="Industrie. Neu. Denken. 2026", slug="ind-2026")
    mobility = make_category(edition, name="Mobilität")
    digital = make_category(edition, name="Digitalisierung")
    judging_round = make_round(edition, name="Vorauswahl", jurors_per_entry=1)
    juror = make_user(roles=(Role.JUROR,), email="prof@tu-chemnitz.example", full_name="Prof. Jana Beispiel")
    services.save_profile(user=juror, data=services.ProfileData(
        organisation="TU Chemnitz", position="", employer_domains=["tu-chemnitz.example"], former_employers=[],
        capacity=5, expertise=[mobility.id]), by=juror, now=utcnow())
    db.session.add(RoundJuror(round_id=judging_round.id, user_id=juror.id, capacity=5))
    titles = ["Leichter E-Antrieb", "Datenraum Fertigung", "Kreislauf-Lager", "Werkzeug-Zwilling"]
    entries = [submitted(make_entry, company=make_company(make_user(), legal_name=f"Firma {n} GmbH"),
                         category=(mobility, digital)[n % 2], number=f"IND-2026-000{n + 1}", title=title,
                         summary=f"<p>{title}: worum es geht, in zwei Sätzen. Was es der Region bringt.</p>")
               for n, title in enumerate(titles)]
    db.session.commit()

    admin = new_page()
    log_in(admin, live_server, organiser.email)
    admin.goto(f"{live_server}/organisation/editions/{edition.id}/rounds/{judging_round.id}")
    admin.get_by_role("button", name="Präferenzphase der Jury").click()
    admin.get_by_role("button", name="Präferenzphase öffnen").click()
    expect(admin.get_by_role("status").filter(has_text="Die Präferenzphase ist geöffnet.")).to_be_visible()

    page = new_page()
    log_in(page, live_server, juror.email)
    page.goto(f"{live_server}/jury")
    page.get_by_role("link", name="Beiträge markieren").click()
    progress = page.locator("#preference-progress")
    expect(progress).to_contain_text("0 von 4 markiert")
    screenshot(page, "juror-preferences")

    first = page.get_by_role("group", name="Ihre Präferenz für IND-2026-0001 „Leichter E-Antrieb“")
    first.get_by_role("radio", name="gern").focus()
    page.keyboard.press("1")  # gern, on to the next entry
    expect(page.locator(f"#status-{entries[0].id}")).to_contain_text("gespeichert: gern")
    second = page.get_by_role("group", name="Ihre Präferenz für IND-2026-0002 „Datenraum Fertigung“")
    expect(second.get_by_role("radio", name="gern")).to_be_focused()
    page.keyboard.press("3")  # lieber nicht
    expect(page.locator(f"#status-{entries[1].id}")).to_contain_text("gespeichert: lieber nicht")
    third = page.get_by_role("group", name="Ihre Präferenz für IND-2026-0003 „Kreislauf-Lager“")
    expect(third.get_by_role("radio", name="gern")).to_be_focused()
    page.keyboard.press("2")  # neutral
    expect(page.locator(f"#status-{entries[2].id}")).to_contain_text("gespeichert: neutral")
    expect(progress).to_contain_text("3 von 4 markiert")
    # arrow keys within an entry: from "neutral" on to "lieber nicht" (the radio group's own keyboard use)
    third.get_by_role("radio", name="neutral").focus()
    page.keyboard.press("ArrowRight")
    expect(third.get_by_role("radio", name="lieber nicht")).to_be_checked()
    expect(page.locator(f"#status-{entries[2].id}")).to_contain_text("gespeichert: lieber nicht")
    assert marks(juror) == {entries[0].id: "gern", entries[1].id: "lieber_nicht", entries[2].id: "lieber_nicht"}

    page.reload()
    expect(first.get_by_role("radio", name="gern")).to_be_checked()
    expect(second.get_by_role("radio", name="lieber nicht")).to_be_checked()
    expect(progress).to_contain_text("3 von 4 markiert")

    fourth = page.locator(f"#beitrag-{entries[3].id}")
    fourth.get_by_text("Befangen …").click()
    fourth.get_by_label("Grund (optional)").fill("Ehemaliger Kunde")
    fourth.get_by_role("button", name="Befangenheit erklären").click()
    expect(page.get_by_role("status").filter(has_text="Ihre Befangenheit bei Beitrag IND-2026-0004 ist erfasst")
           ).to_be_visible()
    expect(page.locator(f"#beitrag-{entries[3].id}")).to_contain_text("Zurücknehmen kann sie nur das Organisationsteam")
    expect(progress).to_contain_text("4 von 4 markiert")
    assert db.session.scalar(db.select(Conflict.reason)).endswith("Ehemaliger Kunde")
    page.get_by_label("Kategorie").select_option(label="Digitalisierung")
    page.get_by_role("button", name="Filtern").click()
    expect(page.locator(".preference-item")).to_have_count(2)
    screenshot(page, "juror-preferences-marked")

    admin.reload()
    expect(admin.get_by_role("row", name="Prof. Jana Beispiel")).to_contain_text("4 von 4")
    screenshot(admin, "organiser-preferences")
