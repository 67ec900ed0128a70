"""Every organiser page at 1280 and 390 px, screenshots kept under test-artifacts/cockpit/ (looked at by a person):
no table on the ranking, entries, assignment matrix and progress pages scrolls sideways at 1280 px, every chart has
a visible title and labelled axes, and the audit log shows no raw action key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from competition.admin.demo import DEMO_PASSWORD
from competition.core.audit_labels import ACTION_LABELS
from competition.editions.models import Edition, JudgingRound
from competition.entries.models import Entry, EntryStatus
from competition.extensions import db

from .conftest import ARTIFACTS
from .flows import log_in

pytestmark = pytest.mark.e2e

SHOTS = ARTIFACTS / "cockpit"
ORGANISER = "orga@ind-demo.example"

# Tables whose container is wider than its box: the scroll container (or the table itself) at 1280 px.
WIDE_TABLES = """() => [...document.querySelectorAll("main table")].filter((table) => {
  const box = table.closest(".overflow-auto") || table.parentElement;
  return box.scrollWidth > box.clientWidth + 1 || table.getBoundingClientRect().right >
         document.documentElement.clientWidth + 1;
}).map((table) => (table.className || "table") + ": " + (table.querySelector("th") || table).textContent.trim()
   .slice(0, 40))"""

OVERFLOW_SCRIPT = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest(".overflow-auto"))
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + ": "
                 + (el.textContent || "").trim().slice(0, 40));
}"""

PAGE_OVERFLOW = """() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"""

# Each shown chart (a hidden category panel is checked once it is chosen): a visible title and axis labels drawn in
# the SVG, a legend, a text alternative (<desc>) and a table of its values.
CHART_PROBLEMS = """() => [...document.querySelectorAll("svg.chart")].filter((svg) => !svg.closest("[hidden]"))
 .flatMap((svg) => {
  const problems = [];
  const visible = (el) => el && el.getBoundingClientRect().width > 0 && (el.textContent || "").trim() !== "";
  if (!visible(svg.querySelector(".chart-title"))) problems.push("title");
  if (!visible(svg.querySelector(".chart-x-label"))) problems.push("x axis label");
  if (!visible(svg.querySelector(".chart-y-label"))) problems.push("y axis label");
  if (!visible(svg.querySelector(".chart-legend"))) problems.push("legend");
  if (!svg.querySelector("desc") || !svg.querySelector("desc").textContent.trim()) problems.push("description");
  const figure = svg.closest("figure");
  if (figure && figure.closest("[data-chart-panels]") && !figure.querySelector("details.chart-table table tr th"))
    problems.push("table");
  return problems.map((p) => svg.getAttribute("class") + ": no " + p);
})"""


def _shoot(page, name: str) -> list[str]:
    """Screenshots at both widths; returns what sticks out sideways at 390 px (the phone must not scroll)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    sticking_out = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if width == 390:
            sticking_out = page.evaluate(OVERFLOW_SCRIPT)
    page.set_viewport_size({"width": 1280, "height": 900})
    return [f"{name} at 390 px: {item}" for item in sticking_out]


def _check_chart_chooser(page, url: str, categories: list[str]) -> None:
    """The ranking page's charts, one category at a time: the first category is shown, its charts' titles name it,
    choosing another (by mouse and by keyboard) shows that one's charts in place and only those, each with title,
    axes, legend and table; the address keeps the choice, so a reload (or a browser without JavaScript) shows it."""
    page.goto(url)
    chooser = page.get_by_role("navigation", name="Kategorie der Diagramme")
    expect(chooser.get_by_role("link")).to_have_count(len(categories) + 1)  # and "Alle Kategorien"
    first, second = categories[0], categories[1]
    expect(chooser.get_by_role("link", name=first, exact=True)).to_have_attribute("aria-current", "true")
    shown = page.locator(".chart-panel:not([hidden]) svg.chart .chart-title")
    expect(shown).to_have_count(3)
    expect(shown.first).to_have_text(f"Rangliste {first} mit Rangintervallen")
    expect(shown.nth(1)).to_have_text(f"Verteilung der Punktzahlen: {first}")
    assert page.evaluate(CHART_PROBLEMS) == []
    _shoot(page, "rankings-charts")

    chooser.get_by_role("link", name=second, exact=True).click()
    expect(shown.first).to_have_text(f"Rangliste {second} mit Rangintervallen")
    expect(shown.nth(1)).to_have_text(f"Verteilung der Punktzahlen: {second}")
    expect(page.locator(".chart-panel:not([hidden])")).to_have_count(1)
    expect(chooser.get_by_role("link", name=second, exact=True)).to_have_attribute("aria-current", "true")
    expect(chooser.get_by_role("link", name=first, exact=True)).not_to_have_attribute("aria-current", "true")
    expect(page.get_by_role("status").filter(has_text=f"Kategorie {second}")).to_be_attached()
    assert page.evaluate(CHART_PROBLEMS) == []
    assert "kategorie=" in page.url
    page.locator(".chart-panel:not([hidden]) details.chart-table summary").first.click()
    expect(page.locator(".chart-panel:not([hidden]) details.chart-table table").first).to_be_visible()
    _shoot(page, "rankings-charts-second")

    page.reload()  # the choice is in the address: the server shows the same panel
    expect(shown.first).to_have_text(f"Rangliste {second} mit Rangintervallen")

    all_link = chooser.get_by_role("link", name="Alle Kategorien", exact=True)
    all_link.focus()
    page.keyboard.press("Enter")  # keyboard use
    expect(shown.first).to_have_text("Gesamtrangliste mit Rangintervallen")
    expect(all_link).to_have_attribute("aria-current", "true")
    assert page.evaluate(CHART_PROBLEMS) == []


def _seed(app) -> None:
    runner = app.test_cli_runner()
    for args in (["demo", "seed", "--entries", "40", "--jurors", "8", "--seed", "7", "--scored"],
                 ["demo", "results", "--seed", "7"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output


def test_every_organiser_page_fits_speaks_german_and_is_photographed(app, live_server, browser_page):
    _seed(app)
    current = db.session.scalar(db.select(Edition).where(Edition.slug != "ind-2025").order_by(Edition.id.desc()))
    published = db.session.scalar(db.select(Edition).where(Edition.slug == "ind-2025"))
    first = db.session.scalar(db.select(JudgingRound).where(JudgingRound.edition_id == current.id,
                                                            JudgingRound.position == 1))
    final_published = db.session.scalar(db.select(JudgingRound).where(JudgingRound.edition_id == published.id)
                                         .order_by(JudgingRound.position.desc()))
    entry = db.session.scalar(db.select(Entry).where(Entry.edition_id == current.id,
                                                     Entry.status != EntryStatus.DRAFT).order_by(Entry.id))
    base = live_server
    e, r = current.id, first.id
    pages = {
        "dashboard": "/organisation/",
        "editions": "/organisation/editions",
        "edition": f"/organisation/editions/{e}",
        "round": f"/organisation/editions/{e}/rounds/{r}",
        "questions": f"/organisation/editions/{e}/questions",
        "entries": f"/organisation/entries?edition={e}",
        "entry": f"/organisation/entries/{entry.id}",
        "jury": f"/organisation/editions/{e}/jury",
        "assignments": f"/organisation/editions/{e}/rounds/{r}/assignments",
        "matrix": f"/organisation/editions/{e}/rounds/{r}/matrix",
        "preferences": f"/organisation/editions/{e}/rounds/{r}/preferences",
        "progress": f"/organisation/editions/{e}/rounds/{r}/progress",
        "entry-sheets": f"/organisation/editions/{e}/rounds/{r}/entries/{entry.id}/sheets",
        "rankings": f"/organisation/editions/{e}/rankings",
        "rankings-published": f"/organisation/editions/{published.id}/rankings?round={final_published.id}",
        "deliberation": f"/organisation/editions/{published.id}/rankings/rounds/{final_published.id}/deliberation",
        "invitations": "/organisation/invitations",
        "campaigns": "/organisation/communications",
        "campaign-new": "/organisation/communications/new",
        "mail-templates": "/organisation/mail-templates",
        "jobs": "/organisation/jobs",
        "audit": "/organisation/audit",
        "privacy-requests": "/organisation/privacy",
        "legal": "/organisation/legal/imprint",
    }
    must_fit = {"entries", "matrix", "progress", "rankings", "rankings-published", "entry-sheets"}
    page = browser_page
    log_in(page, base, ORGANISER, DEMO_PASSWORD)
    problems: list[str] = []
    charts_seen = 0
    for name, path in pages.items():
        response = page.goto(base + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        problems.extend(_shoot(page, name))
        if page.evaluate(PAGE_OVERFLOW):
            problems.append(f"{name}: the page scrolls sideways at 1280 px")
        if name in must_fit:
            problems.extend(f"{name}: table scrolls at 1280 px: {t}" for t in page.evaluate(WIDE_TABLES))
        charts_seen += page.locator("svg.chart").count()
        problems.extend(f"{name}: {p}" for p in page.evaluate(CHART_PROBLEMS))
        text = page.locator("main").inner_text()
        for word in ("Wettbewerbsrunde", "Kendall", "None", "null"):
            if re.search(rf"\b{word}\b", text):
                problems.append(f"{name}: shows „{word}“")
    assert charts_seen >= 3  # the published ranking's charts were checked
    assert problems == [], "\n".join(problems)

    # the published ranking's charts, one category at a time
    names = [c.name for c in published.categories]
    _check_chart_chooser(page, base + pages["rankings-published"], names)

    # the audit log: German labels only, never a raw action key, also after filtering
    page.goto(base + "/organisation/audit")
    text = page.locator("main").inner_text()
    raw = [key for key in ACTION_LABELS if key in text]
    assert raw == [], raw
    domains = r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:de|com|org|net|example)\b"  # mail domains are data, not keys
    plain = re.sub(domains, "", text.replace("z. B.", ""))
    assert not re.search(r"\b[a-z]+_?[a-z]*\.[a-z_]+\b", plain), "a dotted key is visible"
    page.get_by_label("Art").select_option(label="Bewertungsbogen eingereicht")
    page.get_by_role("button", name="Filtern").click()
    expect(page.locator("table.audit-table tbody tr").first).to_contain_text("Bewertungsbogen eingereicht")
    _shoot(page, "audit-filtered")
    page.get_by_role("button", name="Unveränderlichkeit prüfen").click()
    expect(page.get_by_role("status").filter(has_text="Die Hash-Kette ist intakt")).to_be_visible()

    # the phase switch: confirmation with what follows, photographed
    page.goto(f"{base}/organisation/editions/{e}")
    page.get_by_label("Phase manuell festlegen").select_option(label="Jurysitzung")
    page.get_by_role("button", name="Phase übernehmen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phase wechseln?")
    expect(page.locator(".consequences")).to_contain_text("offene Bewertungsbögen können dann nicht mehr eingereicht")
    _shoot(page, "phase-confirm")
    assert Path(SHOTS / "dashboard-390.png").stat().st_size > 10_000
