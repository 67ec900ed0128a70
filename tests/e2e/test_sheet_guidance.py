"""Issue 14, the jurors' sheet in the browser: never lose a typed word (an invalid score next to a comment, a reload,
a second tab, a lost connection, an expired session), a provisional live total equal to the server's, the bar that
never hides the focused field, the next open entry, the overview at 1280 px, the phone layout and the sheet without
JavaScript."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.editions.phases import Phase
from competition.entries.models import EntryStatus
from competition.entries.services import submit_entry
from competition.extensions import db
from competition.judging import services, sheets
from competition.judging.models import ScoreSheet, SheetStatus

from .flows import log_in

CRITERIA = ["Innovationsgrad", "Technische Umsetzung", "Regionale Wirkung", "Nachhaltigkeit",
            "Wirtschaftlichkeit und Skalierbarkeit"]
TITLES = ["Vernetzte Fertigungslinie für Kleinserien mit digitalem Zwilling und KI-gestützter Qualitätskontrolle",
          "Kreislauffähige Verpackung aus Agrarreststoffen", "Wasserstoff-Shuttle für Werksgelände"]


@pytest.fixture
def jury(make_user, make_edition, make_category, make_round, make_criterion, make_company, make_entry, organiser):
    """A juror with three entries in a round on a whole-number scale 0–10 with five weighted criteria."""
    edition = make_edition(phase_override=Phase.SUBMISSION)
    category = make_category(edition, name="Digitalisierung")
    judging_round = make_round(edition, name="Vorauswahl", jurors_per_entry=1)
    criteria = [make_criterion(judging_round, name=name, weight=weight, rubric_low="kaum erkennbar",
                               rubric_mid="solide, mit Lücken", rubric_high="herausragend und belegt")
                for name, weight in zip(CRITERIA, (3, 2, 2, 1, 1), strict=True)]
    juror = make_user(roles=(Role.JUROR,), email="prof@tu-chemnitz.example", full_name="Prof. Jana Beispiel")
    assignments = []
    for n, title in enumerate(TITLES):
        owner = make_user(email=f"kontakt{n}@firma{n}.example")
        entry = make_entry(company=make_company(owner, legal_name=f"Firma {n} GmbH"), category=category, title=title)
        submit_entry(entry=entry, consent=True, lock_version=None, by=owner, now=utcnow())
        entry.status = EntryStatus.ELIGIBLE
        db.session.commit()
        assignments.append(entry)
    edition.phase_override = Phase.JURY
    assignments = [services.add_assignment(judging_round=judging_round, juror=juror, entry=entry, by=organiser,
                                           now=utcnow()) for entry in assignments]
    db.session.commit()
    return judging_round, criteria, juror, assignments


def _open_sheet(page, live_server, assignment):
    page.goto(f"{live_server}/jury/assignments/{assignment.id}")
    if page.get_by_role("button", name="Ich bin nicht befangen").count():
        page.get_by_role("button", name="Ich bin nicht befangen").click()
        # wait for the page after the confirmation: typing into the old one would be lost with its navigation
        expect(page.get_by_role("button", name="Ich bin nicht befangen")).to_have_count(0)
    expect(page.locator("#score-form")).to_be_visible()
    expect(page.locator("#sheet-bar")).to_be_visible()
    page.wait_for_load_state("load")


def _stored(assignment) -> ScoreSheet:
    db.session.expire_all()
    return sheets.sheet_for(assignment)


@pytest.mark.e2e
def test_a_comment_survives_an_invalid_score_and_a_reload_and_submit_refuses_at_the_field(
        live_server, new_page, jury, screenshot):
    judging_round, criteria, juror, assignments = jury
    page = new_page()
    log_in(page, live_server, juror.email)
    _open_sheet(page, live_server, assignments[0])
    first, second = criteria[0], criteria[1]
    page.locator(f"#comment_{first.id}").fill("Überzeugender Ansatz, Pilot bei zwei Kunden belegt.")
    page.locator(f"#score_{first.id}").fill("8")
    page.locator(f"#score_{second.id}").fill("7,5")  # not on a whole-number scale
    error = page.locator(f"#score_{second.id}-error")
    expect(error).to_have_text("Bitte wählen Sie eine Punktzahl in Schritten von 1.", timeout=8000)
    field = page.locator(f"#score_{second.id}")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", f"score_{second.id}-error")
    status = page.locator("#sheet-status")
    expect(status).to_contain_text("Entwurf gespeichert")
    expect(status).to_contain_text("8,00")  # only the valid score counts …
    expect(status).to_contain_text("vorläufig (1 von 5 Kriterien)")  # … and the total says it is provisional
    # the bar names the criterion and its link puts the cursor into the field
    link = page.locator("#sheet-attention").get_by_role("link", name="Technische Umsetzung")
    expect(link).to_be_visible()
    page.locator(f"#comment_{first.id}").focus()
    link.click()
    expect(field).to_be_focused()
    screenshot(page, "sheet-invalid-score")

    stored = {s.criterion_id: s for s in _stored(assignments[0]).scores}
    assert stored[first.id].comment == "Überzeugender Ansatz, Pilot bei zwei Kunden belegt."
    assert stored[first.id].value == Decimal(8) and stored[second.id].value is None
    assert stored[second.id].typed == "7,5"

    page.reload()
    expect(page.locator(f"#comment_{first.id}")).to_have_value("Überzeugender Ansatz, Pilot bei zwei Kunden belegt.")
    expect(field).to_have_value("7,5")
    expect(error).to_have_text("Bitte wählen Sie eine Punktzahl in Schritten von 1.")
    expect(field).to_have_attribute("aria-invalid", "true")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Bewertung einreichen").click()
    expect(page.get_by_role("alert").filter(has_text="nicht eingereicht")).to_be_visible()
    expect(error).to_have_text("Bitte wählen Sie eine Punktzahl in Schritten von 1.")
    expect(page.locator(f"#score_{criteria[2].id}-error")).to_have_text("Bitte vergeben Sie eine Punktzahl.")
    expect(page.locator(f"#comment_{first.id}")).to_have_value("Überzeugender Ansatz, Pilot bei zwei Kunden belegt.")
    expect(field).to_have_value("7,5")
    assert _stored(assignments[0]).status is SheetStatus.DRAFT


@pytest.mark.e2e
def test_provisional_total_then_the_servers_total_then_the_next_open_entry(live_server, new_page, jury, screenshot):
    judging_round, criteria, juror, assignments = jury
    page = new_page()
    log_in(page, live_server, juror.email)
    _open_sheet(page, live_server, assignments[1])
    expect(page.get_by_text("0 von 3 bewertet")).to_be_visible()
    status = page.locator("#sheet-status")
    for n, (criterion, value) in enumerate(zip(criteria, ("9", "6", "7", "4", "5"), strict=True), start=1):
        page.locator(f"#score_{criterion.id}").fill(value)
        if n < len(criteria):
            expect(status).to_contain_text(f"vorläufig ({n} von 5 Kriterien)", timeout=8000)
    expect(status).not_to_contain_text("vorläufig", timeout=8000)
    expect(status).to_contain_text("Entwurf gespeichert")
    shown = status.locator(".live-total strong").inner_text()
    server = sheets.total_of(_stored(assignments[1]))
    assert server == Decimal("6.89")  # (3·9 + 2·6 + 2·7 + 4 + 5) / 9 = 62 / 9
    assert shown == "6,89"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Bewertung einreichen").click()
    expect(page.get_by_role("status").filter(has_text="Ihre Bewertung ist eingereicht")).to_be_visible()
    expect(page.get_by_text("1 von 3 bewertet")).to_be_visible()
    screenshot(page, "sheet-submitted-next")
    page.get_by_role("link", name="Nächster offener Beitrag").click()
    # the next unscored assignment after this one in the work order: the first entry (drafts and open ones first)
    expect(page).to_have_url(f"{live_server}/jury/assignments/{assignments[0].id}")
    expect(page.get_by_role("heading", name=TITLES[0])).to_be_visible()

    page.goto(f"{live_server}/jury")
    rows = page.locator("table.sortable tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.last).to_contain_text(TITLES[1])  # open work first, the submitted entry last
    expect(page.get_by_text("1 von 3 bewertet")).to_be_visible()
    expect(page.get_by_text("2 Beiträge offen")).to_be_visible()
    expect(page.locator(".countdown").first).to_be_visible()  # time left next to the deadline


@pytest.mark.e2e
def test_the_bar_is_at_most_64_px_and_never_covers_the_focused_field(live_server, new_page, jury):
    judging_round, criteria, juror, assignments = jury
    page = new_page()
    log_in(page, live_server, juror.email)
    _open_sheet(page, live_server, assignments[0])
    for criterion in criteria:
        page.locator(f"#score_{criterion.id}").fill("x")  # every criterion named in the bar
    expect(page.locator("#sheet-attention a")).to_have_count(5, timeout=8000)
    bar = page.locator("#sheet-bar").bounding_box()
    if os.environ.get("E2E_SCREENSHOTS"):  # the window as the juror sees it, bar included
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/sheet-bar-1280-viewport.png")
    assert bar["height"] <= 64, bar
    print(f"sheet bar at 1280 × 900 with five criteria named: {bar['height']:.1f} px")
    page.locator("h1").focus()
    page.evaluate("window.scrollTo(0, 0)")
    names = [f"score_{c.id}" for c in criteria] + [f"comment_{c.id}" for c in criteria] + ["overall_comment"]
    for name in names:
        page.locator(f"#{name}").focus()
        page.wait_for_timeout(50)
        box = page.locator(f"#{name}").bounding_box()
        bar_top = page.locator("#sheet-bar").bounding_box()["y"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= bar_top, (name, box, bar_top)
    # keyboard: Tab through the form from the first score
    page.locator(f"#score_{criteria[0].id}").focus()
    for _ in range(8):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
            return [r.bottom, document.getElementById('sheet-bar').getBoundingClientRect().top,
                    document.activeElement.closest('#sheet-bar') !== null]; }""")
        assert focused[2] or focused[0] <= focused[1], focused


@pytest.mark.e2e
def test_a_second_tab_never_silently_overwrites_and_keeps_the_typed_text(live_server, new_page, jury):
    judging_round, criteria, juror, assignments = jury
    first = new_page()
    log_in(first, live_server, juror.email)
    _open_sheet(first, live_server, assignments[0])
    second = first.context.new_page()
    _open_sheet(second, live_server, assignments[0])
    score = f"#score_{criteria[0].id}"
    first.locator(score).fill("9")
    expect(first.locator("#sheet-status")).to_contain_text("Entwurf gespeichert", timeout=8000)

    second.locator(score).fill("3")
    second.locator(f"#comment_{criteria[0].id}").fill("Mein Kommentar aus dem zweiten Tab")
    status = second.locator("#sheet-status")
    expect(status).to_contain_text("an anderer Stelle gespeichert", timeout=8000)
    expect(second.locator(score)).to_have_value("3")
    expect(second.locator(f"#comment_{criteria[0].id}")).to_have_value("Mein Kommentar aus dem zweiten Tab")
    expect(second.get_by_text("gespeichert: 9")).to_be_visible()
    assert _stored(assignments[0]).values()[criteria[0].id] == Decimal(9)  # nothing overwritten silently

    second.get_by_role("button", name="Meine Eingaben speichern").click()
    expect(status).to_contain_text("Entwurf gespeichert", timeout=8000)
    stored = _stored(assignments[0])
    assert stored.values()[criteria[0].id] == Decimal(3)
    assert {s.criterion_id: s.comment for s in stored.scores}[criteria[0].id] == "Mein Kommentar aus dem zweiten Tab"


@pytest.mark.e2e
def test_a_lost_connection_and_an_expired_session_keep_the_text_and_save_when_back(live_server, new_page, jury):
    judging_round, criteria, juror, assignments = jury
    page = new_page()
    log_in(page, live_server, juror.email)
    _open_sheet(page, live_server, assignments[0])
    comment = f"#comment_{criteria[0].id}"
    status = page.locator("#sheet-status")

    # the connection drops while typing: said, kept on the page and in this browser; saved once it is back
    page.context.set_offline(True)
    page.locator(comment).fill("Geschrieben im Zug ohne Netz")
    expect(status).to_contain_text("Keine Verbindung", timeout=8000)
    kept = page.evaluate(f"localStorage.getItem('sheet-{assignments[0].id}')")
    assert "Geschrieben im Zug ohne Netz" in kept
    page.context.set_offline(False)
    expect(status).to_contain_text("Entwurf gespeichert", timeout=8000)
    assert {s.criterion_id: s.comment for s in _stored(assignments[0]).scores}[criteria[0].id] == (
        "Geschrieben im Zug ohne Netz")

    # the autosave never arrives and the tab is reloaded: the copy in this browser comes back and is saved
    page.route("**/autosave", lambda route: route.abort())
    page.locator(comment).fill("Nach dem Neuladen noch da")
    expect(status).to_contain_text("Keine Verbindung", timeout=8000)
    page.unroute("**/autosave")
    page.reload()
    expect(page.locator(comment)).to_have_value("Nach dem Neuladen noch da")
    expect(status).to_contain_text("Entwurf gespeichert", timeout=8000)
    assert {s.criterion_id: s.comment for s in _stored(assignments[0]).scores}[criteria[0].id] == (
        "Nach dem Neuladen noch da")

    # the session expires: said, the text stays; after signing in again in another tab it is saved
    page.context.clear_cookies()
    page.locator(comment).fill("Nach Ablauf der Sitzung getippt")
    expect(status).to_contain_text("Sitzung ist abgelaufen", timeout=8000)
    expect(page.locator(comment)).to_have_value("Nach Ablauf der Sitzung getippt")
    other = page.context.new_page()
    log_in(other, live_server, juror.email)
    page.locator(comment).press("End")
    page.locator(comment).type(".")
    expect(status).to_contain_text("Entwurf gespeichert", timeout=15000)
    assert {s.criterion_id: s.comment for s in _stored(assignments[0]).scores}[criteria[0].id] == (
        "Nach Ablauf der Sitzung getippt.")


@pytest.mark.e2e
def test_the_overview_shows_every_criterion_without_scrolling_sideways_and_sorts(live_server, new_page, jury,
                                                                                  make_criterion, screenshot):
    judging_round, criteria, juror, assignments = jury
    make_criterion(judging_round, name="Übertragbarkeit auf andere Branchen", weight=1)  # six criteria
    page = new_page()
    log_in(page, live_server, juror.email)
    for assignment, values in zip(assignments, (("9", "6"), ("3", "4"), ("6", "8")), strict=True):
        _open_sheet(page, live_server, assignment)
        for criterion in judging_round.criteria:
            page.locator(f"#score_{criterion.id}").fill(values[0] if criterion.position % 2 else values[1])
        expect(page.locator("#sheet-status")).not_to_contain_text("vorläufig", timeout=8000)
    page.goto(f"{live_server}/jury")
    table = page.locator("table.sortable")
    for criterion in judging_round.criteria:
        expect(table.locator("thead")).to_contain_text(f"K{criterion.position}")
        expect(page.locator(".criteria-legend")).to_contain_text(criterion.name)
    sideways = page.evaluate("""() => [document.documentElement.scrollWidth - document.documentElement.clientWidth,
        ...Array.from(document.querySelectorAll('.overflow-auto')).map(e => e.scrollWidth - e.clientWidth)]""")
    assert all(extra <= 0 for extra in sideways), sideways
    expect(page.get_by_role("heading", name="Verteilung Ihrer Gesamtnoten")).to_be_visible()
    expect(page.locator(".distribution figcaption")).to_contain_text("3 vollständig bewerteten Beiträge")
    screenshot(page, "juror-overview")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the table scrolls in its box, not the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    # sorted in place by the total, highest first, then lowest first
    page.locator("thead a[data-sort='total']").click()
    expect(page).to_have_url(f"{live_server}/jury?sort=total&dir=desc#runde-{judging_round.id}")
    titles = page.locator("table.sortable tbody tr td:nth-child(2) a")
    expect(titles).to_have_text([TITLES[0], TITLES[2], TITLES[1]])
    expect(page.locator("thead th[aria-sort='descending']")).to_contain_text("Gesamt")
    page.locator("thead a[data-sort='total']").click()
    expect(titles).to_have_text([TITLES[1], TITLES[2], TITLES[0]])

    # the same links work without JavaScript
    plain = new_page(java_script_enabled=False)
    log_in(plain, live_server, juror.email)
    plain.goto(f"{live_server}/jury")
    plain.locator("thead a[data-sort='total']").click()
    expect(plain).to_have_url(f"{live_server}/jury?sort=total&dir=desc#runde-{judging_round.id}")
    expect(plain.locator("table.sortable tbody tr td:nth-child(2) a")).to_have_text([TITLES[0], TITLES[2], TITLES[1]])


@pytest.mark.e2e
def test_the_sheet_on_a_phone(live_server, new_page, jury, screenshot):
    judging_round, criteria, juror, assignments = jury
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(page, live_server, juror.email)
    _open_sheet(page, live_server, assignments[0])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first = page.locator(f"#criterion-{criteria[0].id}")
    score, comment = page.locator(f"#score_{criteria[0].id}"), page.locator(f"#comment_{criteria[0].id}")
    # criteria stack: score above comment, the rubric's three levels one below the other, all in the width
    assert score.bounding_box()["y"] + score.bounding_box()["height"] <= comment.bounding_box()["y"]
    levels = first.locator(".rubric > div")
    assert levels.nth(0).bounding_box()["y"] < levels.nth(1).bounding_box()["y"] < levels.nth(2).bounding_box()["y"]
    assert all(levels.nth(i).bounding_box()["x"] + levels.nth(i).bounding_box()["width"] <= 390 for i in range(3))
    for name in ("Entwurf speichern", "Bewertung einreichen"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844 and box["x"] + box["width"] <= 390
        assert box["height"] >= 24  # a target a thumb can hit
    score.fill("7")
    expect(page.locator("#sheet-status")).to_contain_text("Entwurf gespeichert", timeout=8000)
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(path=f"{os.environ['E2E_SCREENSHOTS']}/sheet-phone-390-viewport.png")
    screenshot(page, "sheet-phone")


@pytest.mark.e2e
def test_without_javascript_a_juror_saves_a_draft_and_submits(live_server, new_page, jury):
    judging_round, criteria, juror, assignments = jury
    page = new_page(java_script_enabled=False)
    log_in(page, live_server, juror.email)
    _open_sheet(page, live_server, assignments[2])
    page.locator(f"#score_{criteria[0].id}").fill("12")
    page.locator(f"#comment_{criteria[0].id}").fill("Ohne Skript geschrieben")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.get_by_role("status").filter(has_text="Entwurf ist gespeichert")).to_be_visible()
    expect(page.locator(f"#score_{criteria[0].id}")).to_have_value("12")
    expect(page.locator(f"#score_{criteria[0].id}-error")).to_have_text("Die Punktzahl muss zwischen 0 und 10 liegen.")
    expect(page.locator(f"#comment_{criteria[0].id}")).to_have_value("Ohne Skript geschrieben")
    for criterion, value in zip(criteria, ("8", "7", "6", "5", "4"), strict=True):
        page.locator(f"#score_{criterion.id}").fill(value)
    page.get_by_role("button", name="Bewertung einreichen").click()
    expect(page.get_by_role("status").filter(has_text="Ihre Bewertung ist eingereicht")).to_be_visible()
    stored = _stored(assignments[2])
    assert stored.status is SheetStatus.SUBMITTED and sheets.total_of(stored) == Decimal("6.56")  # 59 / 9
