"""Preferences before assignment through the real stack: the organiser opens and closes the phase (audited, jurors
mailed), jurors mark entries with htmx or one plain form, "befangen" goes through the conflict service, blind
editions show no company, nobody marks what is not theirs, organisers see progress, the plan honours the marks."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from competition.accounts.models import Role
from competition.core.audit import AuditEvent
from competition.core.clock import to_berlin, utcnow
from competition.entries.models import EntryStatus, EntryVersion
from competition.entries.services import snapshot
from competition.extensions import db
from competition.judging import services
from competition.judging.models import (
    Conflict,
    ConflictSource,
    Preference,
    PreferencePhase,
    PreferenceValue,
    RoundJuror,
)
from tests.conftest import link_in

HTMX = {"HX-Request": "true"}
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"')


def submitted(make_entry, *, company, category, number: str, title: str, summary: str = ""):
    """An eligible entry with the submitted version the jury sees."""
    entry = make_entry(company=company, category=category, status=EntryStatus.ELIGIBLE, number=number, title=title,
                       summary=summary or f"Kurzbeschreibung von {title}.")
    now = utcnow() - timedelta(days=1)
    owner = company.members[0].user
    db.session.add(EntryVersion(entry_id=entry.id, number=1, submitted_at=now, submitted_by_id=owner.id,
                                terms_version="2026-1", consent_at=now,
                                content=snapshot(entry, version=1, by=owner, now=now), content_sha256="0" * 64))
    db.session.commit()
    return entry


@pytest.fixture
def bidding(make_edition, make_category, make_round, make_user, make_company, make_entry, organiser):
    """Edition with two categories and a round; three jurors in the round's pool; five entries of four companies
    (Zeta has two). Numbers are in the opposite order of the companies' names."""
    edition = make_edition(slug="ind-2026")
    mobility = make_category(edition, name="Mobilität")
    digital = make_category(edition, name="Digitalisierung")
    judging_round = make_round(edition, name="Vorauswahl", jurors_per_entry=1)
    jurors = []
    for n, expertise in enumerate(([mobility], [digital], [mobility, digital])):
        juror = make_user(roles=(Role.JUROR,), email=f"juror{n}@uni{n}.example", full_name=f"Juror {n}")
        services.save_profile(user=juror, data=services.ProfileData(
            organisation=f"Universität {n}", position="", employer_domains=[f"uni{n}.example"], former_employers=[],
            capacity=5, expertise=[c.id for c in expertise]), by=juror, now=utcnow())
        db.session.add(RoundJuror(round_id=judging_round.id, user_id=juror.id, capacity=5))
        jurors.append(juror)
    outsider = make_user(roles=(Role.JUROR,), email="aussen@uni9.example", full_name="Außen Stehend")
    db.session.commit()
    companies = {name: make_company(make_user(), legal_name=name, city=city, website=f"https://{slug}.example")
                 for name, city, slug in (("Zeta Antriebe GmbH", "Crimmitschau", "zeta"),
                                          ("Ypsilon Daten AG", "Plauen", "ypsilon"),
                                          ("Xaver Kreislauf KG", "Freiberg", "xaver"),
                                          ("Alpha Werkzeug GmbH", "Annaberg", "alpha"))}
    spec = [("IND-2026-0001", "Zeta Antriebe GmbH", mobility, "Leichter E-Antrieb"),
            ("IND-2026-0002", "Ypsilon Daten AG", digital, "Datenraum Fertigung"),
            ("IND-2026-0003", "Xaver Kreislauf KG", mobility, "Kreislauf-Lager"),
            ("IND-2026-0004", "Alpha Werkzeug GmbH", digital, "Werkzeug-Zwilling"),
            ("IND-2026-0005", "Zeta Antriebe GmbH", digital, "Antriebsdaten-Plattform")]
    entries = [submitted(make_entry, company=companies[name], category=category, number=number, title=title)
               for number, name, category, title in spec]
    return edition, judging_round, jurors, entries, companies, outsider


def open_phase(judging_round, by, *, ends_at=None):
    db.session.add(PreferencePhase(round_id=judging_round.id, opened_at=utcnow() - timedelta(minutes=1),
                                   opened_by_id=by.id, ends_at=ends_at))
    db.session.commit()


def url(judging_round, *parts) -> str:
    return "/".join([f"/jury/rounds/{judging_round.id}/preferences", *map(str, parts)])


def marks(juror, judging_round) -> dict[int, str]:
    rows = db.session.scalars(db.select(Preference).where(Preference.user_id == juror.id,
                                                          Preference.round_id == judging_round.id))
    return {p.entry_id: p.value.value for p in rows}


def article(page: str, entry) -> str:
    """The entry's block on the list, without the (per-session) CSRF tokens."""
    start = page.index(f'id="beitrag-{entry.id}"')
    return TOKEN.sub("", page[start:page.index("</article>", start)])


# --- the phase ---------------------------------------------------------------------------------------------------

def test_organiser_opens_the_phase_jurors_are_mailed_with_base_url_links_and_it_is_audited(
        client, login_as, organiser, bidding, outbox, app, monkeypatch):
    edition, judging_round, jurors, entries, _companies, outsider = bidding
    monkeypatch.setitem(app.config, "BASE_URL", "https://wettbewerb.example")  # the request comes to localhost
    login_as(organiser)
    admin = f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/preferences"
    page = client.get(admin).get_data(as_text=True)
    assert "nicht geöffnet" in page and "Präferenzphase öffnen" in page
    ends = to_berlin(utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"{admin}/open", data={"ends_at": ends, "notify": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(admin)
    phase = db.session.scalar(db.select(PreferencePhase))
    assert phase.is_open(utcnow()) and phase.ends_at is not None
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "preferences.opened"))
    assert event is not None and event.actor_id == organiser.id
    assert sorted(m.to[0] for m in outbox) == sorted(j.email for j in jurors)  # the pool, not the outsider
    mail = outbox[0]
    assert "Vorauswahl" in mail.subject and "Bitte markieren Sie bis" in mail.body
    assert f"https://wettbewerb.example/jury/rounds/{judging_round.id}/preferences" in mail.body
    assert "localhost" not in mail.body
    page = client.get(admin).get_data(as_text=True)
    assert "geöffnet" in page and "Ende ändern" in page and "0 von 5" in page

    login_as(jurors[0])
    listing = client.get(link_in(mail, "/preferences")).get_data(as_text=True)
    assert "0 von 5 markiert" in listing and "Leichter E-Antrieb" in listing
    assert "Präferenzphase der Bewertungsrunde „Vorauswahl“" in client.get("/jury").get_data(as_text=True)

    login_as(organiser)
    client.post(f"{admin}/close")
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "preferences.closed")) is not None
    assert "geschlossen" in client.get(admin).get_data(as_text=True)


def test_open_refuses_an_end_in_the_past_and_keeps_the_input(client, login_as, organiser, bidding, outbox):
    edition, judging_round, *_rest = bidding
    login_as(organiser)
    past = to_berlin(utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/preferences/open",
                           data={"ends_at": past, "notify": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "muss in der Zukunft liegen" in page and f'value="{past}"' in page
    assert db.session.scalar(db.select(PreferencePhase)) is None and outbox == []


# --- marking -----------------------------------------------------------------------------------------------------

def test_juror_marks_with_htmx_and_with_one_plain_form(client, login_as, organiser, bidding):
    _edition, judging_round, jurors, entries, _companies, _outsider = bidding
    open_phase(judging_round, organiser)
    juror = jurors[0]
    login_as(juror)
    page = client.get(url(judging_round)).get_data(as_text=True)
    assert page.index("IND-2026-0001") < page.index("IND-2026-0002") < page.index("IND-2026-0005")
    assert "Taste 1 = gern, 2 = neutral, 3 = lieber nicht" in page and 'hx-post="' in page

    fragment = client.post(url(judging_round, entries[0].id), data={f"mark_{entries[0].id}": "gern"},
                           headers=HTMX).get_data(as_text=True)
    assert "gespeichert: gern" in fragment and "1 von 5 markiert" in fragment and 'hx-swap-oob="true"' in fragment
    client.post(url(judging_round, entries[0].id), data={f"mark_{entries[0].id}": "lieber_nicht"}, headers=HTMX)
    assert marks(juror, judging_round) == {entries[0].id: "lieber_nicht"}

    # without JavaScript: the whole list in one form; unchanged fields (mark = was) are left alone, so an older
    # page does not undo entry 1's newer mark
    response = client.post(url(judging_round), data={
        f"mark_{entries[0].id}": "gern", f"was_{entries[0].id}": "gern",
        f"mark_{entries[1].id}": "gern", f"was_{entries[1].id}": "",
        f"mark_{entries[2].id}": "neutral", f"was_{entries[2].id}": "",
        "kategorie": str(entries[1].category_id)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{url(judging_round)}?kategorie={entries[1].category_id}"
    assert marks(juror, judging_round) == {entries[0].id: "lieber_nicht", entries[1].id: "gern",
                                           entries[2].id: "neutral"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 Markierungen gespeichert" in page and "3 von 5 markiert" in page
    assert "Datenraum Fertigung" in page and "Leichter E-Antrieb" not in page  # the category filter
    open_only = client.get(url(judging_round) + "?offen=1").get_data(as_text=True)
    assert "Werkzeug-Zwilling" in open_only and "Datenraum Fertigung" not in open_only

    plain = client.post(url(judging_round, entries[3].id), data={f"mark_{entries[3].id}": "neutral"})
    assert plain.headers["Location"].endswith(f"#beitrag-{entries[3].id}")
    bad = client.post(url(judging_round, entries[4].id), data={f"mark_{entries[4].id}": "befangen"}, headers=HTMX)
    assert "Bitte wählen Sie „gern“, „neutral“ oder „lieber nicht“" in bad.get_data(as_text=True)
    assert entries[4].id not in marks(juror, judging_round)


def test_juror_cannot_mark_another_rounds_or_a_conflicted_entry_nor_outside_the_pool(
        client, login_as, organiser, bidding, make_edition, make_category, make_round, make_company, make_user,
        make_entry):
    edition, judging_round, jurors, entries, companies, outsider = bidding
    open_phase(judging_round, organiser)
    other_edition = make_edition(slug="ind-2027")
    foreign = submitted(make_entry, company=make_company(make_user()), category=make_category(other_edition),
                        number="IND-2027-0001", title="Fremder Beitrag")
    other_round = make_round(edition, name="Finale")
    db.session.add(Conflict(user_id=jurors[1].id, company_id=companies["Ypsilon Daten AG"].id,
                            source=ConflictSource.ORGANISER, reason="Aufsichtsrat"))
    db.session.commit()
    login_as(jurors[1])
    page = client.get(url(judging_round)).get_data(as_text=True)
    assert "Datenraum Fertigung" not in page and "0 von 4 markiert" in page
    for target in (entries[1], foreign):
        for path, data in ((url(judging_round, target.id), {f"mark_{target.id}": "gern"}),
                           (url(judging_round, target.id, "conflict"), {"reason": "x"})):
            response = client.post(path, data=data, headers=HTMX)
            assert response.status_code == 404 and "Datenraum" not in response.get_data(as_text=True)
    # the final takes the shortlist: entry 1 is not in it; entry 4 is, but the final's phase is not open yet
    entries[3].status = EntryStatus.SHORTLISTED
    db.session.commit()
    assert client.post(url(other_round, entries[0].id), data={f"mark_{entries[0].id}": "gern"}).status_code == 404
    assert "noch nicht geöffnet" in client.get(url(other_round)).get_data(as_text=True)
    refused = client.post(url(other_round, entries[3].id), data={f"mark_{entries[3].id}": "gern"}, headers=HTMX)
    assert "noch nicht geöffnet" in refused.get_data(as_text=True)
    assert marks(jurors[1], judging_round) == {} and marks(jurors[1], other_round) == {}

    login_as(outsider)
    assert client.get(url(judging_round)).status_code == 403
    assert client.post(url(judging_round, entries[0].id), data={f"mark_{entries[0].id}": "gern"}).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Preference)) == 0


def test_nothing_can_be_marked_once_the_phase_is_closed_or_has_ended(client, login_as, organiser, bidding):
    edition, judging_round, jurors, entries, _companies, _outsider = bidding
    open_phase(judging_round, organiser)
    login_as(jurors[0])
    client.post(url(judging_round, entries[0].id), data={f"mark_{entries[0].id}": "gern"}, headers=HTMX)
    login_as(organiser)
    client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/preferences/close")
    login_as(jurors[0])
    fragment = client.post(url(judging_round, entries[0].id), data={f"mark_{entries[0].id}": "lieber_nicht"},
                           headers=HTMX).get_data(as_text=True)
    assert "ist seit" in fragment and "geschlossen" in fragment and 'role="alert"' in fragment
    plain = client.post(url(judging_round), data={f"mark_{entries[1].id}": "gern"}, follow_redirects=True)
    assert "geschlossen" in plain.get_data(as_text=True)
    declared = client.post(url(judging_round, entries[2].id, "conflict"), data={"reason": "x"}, follow_redirects=True)
    assert "geschlossen" in declared.get_data(as_text=True)
    assert marks(jurors[0], judging_round) == {entries[0].id: "gern"}
    assert db.session.scalar(db.select(db.func.count()).select_from(Conflict)) == 0
    page = client.get(url(judging_round)).get_data(as_text=True)
    assert "1 von 5 markiert" in page and "disabled" in page and "Befangenheit erklären" not in page

    phase = db.session.scalar(db.select(PreferencePhase))  # reopened with an end that has passed by now
    phase.closed_at, phase.ends_at = None, utcnow() - timedelta(seconds=1)
    db.session.commit()
    fragment = client.post(url(judging_round, entries[0].id), data={f"mark_{entries[0].id}": "neutral"},
                           headers=HTMX).get_data(as_text=True)
    assert "geschlossen" in fragment and marks(jurors[0], judging_round)[entries[0].id] == "gern"


# --- befangen ----------------------------------------------------------------------------------------------------

def test_befangen_is_a_conflict_declaration_organisers_are_mailed_and_the_mark_is_locked(
        client, login_as, organiser, bidding, outbox):
    edition, judging_round, jurors, entries, companies, _outsider = bidding
    open_phase(judging_round, organiser)
    juror = jurors[2]
    login_as(juror)
    response = client.post(url(judging_round, entries[1].id, "conflict"), data={"reason": "Frühere Beratung"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Ihre Befangenheit bei Beitrag IND-2026-0002 ist erfasst" in page
    conflict = db.session.scalar(db.select(Conflict))
    # recorded against the entry (the juror marked an entry; in a blind round they do not know the company)
    assert (conflict.user_id, conflict.entry_id, conflict.company_id, conflict.source) == \
        (juror.id, entries[1].id, None, ConflictSource.DECLARED)
    assert entries[1].company_id == companies["Ypsilon Daten AG"].id
    assert "IND-2026-0002" in conflict.reason and "Frühere Beratung" in conflict.reason
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "conflict.declared")) is not None
    assert [m.to[0] for m in outbox] == [organiser.email]
    assert "Juror 2" in outbox[0].body and "IND-2026-0002" in outbox[0].body and "Frühere Beratung" in outbox[0].body
    assert f"/organisation/editions/{edition.id}/jury#befangenheiten" in outbox[0].body
    assert marks(juror, judging_round) == {entries[1].id: "befangen"}
    assert "1 von 5 markiert" in page and "Zurücknehmen kann sie nur das Organisationsteam" in page

    refused = client.post(url(judging_round, entries[1].id), data={f"mark_{entries[1].id}": "gern"}, headers=HTMX)
    assert "zurücknehmen kann sie nur das Organisationsteam" in refused.get_data(as_text=True)
    assert marks(juror, judging_round) == {entries[1].id: "befangen"}
    plan = services.plan_round(judging_round=judging_round).plan
    assert (str(juror.id), str(entries[1].id)) not in plan.assignments


def test_blind_edition_shows_no_company_and_befangen_changes_nothing_else_on_the_list(
        client, login_as, organiser, bidding):
    edition, judging_round, jurors, entries, companies, _outsider = bidding
    edition.is_blind = True
    db.session.commit()
    open_phase(judging_round, organiser)
    juror = jurors[2]
    login_as(juror)
    before = client.get(url(judging_round)).get_data(as_text=True)
    secrets = [s for name, company in companies.items() for s in (name, company.city, company.website,
                                                                     company.contact_email, name.split()[0])]
    assert [s for s in secrets if s in before] == []
    assert "Anonyme Bewertung" in before
    numbers = re.findall(r"IND-2026-000\d", before)
    assert numbers == sorted(numbers)  # by number, not by company name

    # "befangen" on Zeta's first entry: Zeta's second entry looks exactly as before and can be marked
    declared = client.post(url(judging_round, entries[0].id, "conflict"), data={}, follow_redirects=True)
    after = declared.get_data(as_text=True)
    assert [s for s in secrets if s in after] == []
    assert article(after, entries[4]) == article(before, entries[4])
    assert "1 von 5 markiert" in after
    fragment = client.post(url(judging_round, entries[4].id), data={f"mark_{entries[4].id}": "gern"}, headers=HTMX)
    assert "gespeichert: gern" in fragment.get_data(as_text=True)
    assert marks(juror, judging_round) == {entries[0].id: "befangen", entries[4].id: "gern"}
    plan = services.plan_round(judging_round=judging_round).plan  # the conflict holds for both entries
    assert not {(str(juror.id), str(entries[0].id)), (str(juror.id), str(entries[4].id))} & set(plan.assignments)


def test_with_names_shown_the_companys_other_entries_carry_the_conflict(client, login_as, organiser, bidding):
    _edition, judging_round, jurors, entries, _companies, _outsider = bidding
    open_phase(judging_round, organiser)
    login_as(jurors[2])
    page = client.post(url(judging_round, entries[0].id, "conflict"), data={"reason": "Kunde"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Sie haben eine Befangenheit gegenüber dem Unternehmen dieses Beitrags erklärt" in article(page,
                                                                                                        entries[4])
    refused = client.post(url(judging_round, entries[4].id), data={f"mark_{entries[4].id}": "gern"}, headers=HTMX)
    assert "Befangenheit erklärt" in refused.get_data(as_text=True)


# --- organisers: progress, plan, command --------------------------------------------------------------------------

def test_organiser_sees_progress_per_juror(client, login_as, organiser, bidding):
    edition, judging_round, jurors, entries, _companies, _outsider = bidding
    open_phase(judging_round, organiser)
    login_as(jurors[0])
    for entry, value in ((entries[0], "gern"), (entries[1], "lieber_nicht"), (entries[2], "gern")):
        client.post(url(judging_round, entry.id), data={f"mark_{entry.id}": value}, headers=HTMX)
    login_as(jurors[1])
    client.post(url(judging_round, entries[3].id, "conflict"), data={})
    login_as(organiser)
    page = client.get(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/preferences")
    text = re.sub(r"\s+", " ", page.get_data(as_text=True))
    cell = r'\s*<td class="num">([^<]+)</td>'
    rows = {name: re.search(rf"<td>{name}</td>{cell * 4}", text).groups()
            for name in ("Juror 0", "Juror 1", "Juror 2")}
    assert rows == {"Juror 0": ("3 von 5", "2", "1", "0"), "Juror 1": ("1 von 5", "0", "0", "1"),
                    "Juror 2": ("0 von 5", "0", "0", "0")}
    assert "Mit dem Markieren begonnen: 2 von 3 Jurymitgliedern · alle Beiträge markiert: 0" in text


def test_the_plan_honours_marks_and_the_preview_and_command_show_them(app, client, login_as, organiser, bidding):
    edition, judging_round, jurors, entries, _companies, _outsider = bidding
    open_phase(judging_round, organiser)
    # every juror could take every entry; juror 2 (expert in both) would rather not judge entry 1 and 3
    for juror, entry, value in ((jurors[2], entries[0], PreferenceValue.LIEBER_NICHT),
                                (jurors[2], entries[2], PreferenceValue.LIEBER_NICHT),
                                (jurors[1], entries[3], PreferenceValue.GERN),
                                (jurors[0], entries[0], PreferenceValue.GERN)):
        db.session.add(Preference(round_id=judging_round.id, user_id=juror.id, entry_id=entry.id, value=value))
    db.session.commit()
    login_as(organiser)
    page = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/plan").get_data(as_text=True)
    assert "„Gern“ erfüllt: 2 von 2 Markierungen" in page
    assert "„Lieber nicht“ dennoch zugewiesen: 0 von 2 Markierungen" in page
    result = app.test_cli_runner().invoke(args=["judging", "assign", "--edition", "ind-2026", "--dry-run", "--json"])
    summary = json.loads(result.output)
    assert (summary["preferences_met"], summary["preferences_violated"]) == (2, 0)

    for juror in jurors[:2]:  # now only juror 2 has room: the "lieber nicht" cannot be avoided, and it shows
        db.session.execute(db.update(RoundJuror).where(RoundJuror.user_id == juror.id).values(capacity=0))
    db.session.commit()
    page = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/plan").get_data(as_text=True)
    assert "„Lieber nicht“ dennoch zugewiesen: 2 von 2 Markierungen" in page
    assert "Zugewiesen trotz „lieber nicht“" in page and "Juror 2 – IND-2026-0001 Leichter E-Antrieb" in page


def test_blind_list_does_not_depend_on_which_company_the_juror_named(client, login_as, organiser, bidding):
    """Declaring a conflict with a named company on /jury/conflicts is no oracle: the preference list and the
    progress stay byte for byte the same, so they never tell which entries are that company's."""
    edition, judging_round, jurors, entries, companies, _outsider = bidding
    edition.is_blind = True
    db.session.commit()
    open_phase(judging_round, organiser)
    login_as(jurors[0])
    client.get("/jury")  # shows (and so ends) the login message
    client.post(url(judging_round, entries[1].id), data={f"mark_{entries[1].id}": "gern"}, headers=HTMX)
    before = TOKEN.sub("", client.get(url(judging_round)).get_data(as_text=True))
    for name in ("Zeta Antriebe GmbH", "Alpha Werkzeug GmbH"):
        declared = client.post("/jury/conflicts", data={"company_id": companies[name].id, "reason": "Probe"},
                               follow_redirects=True)
        assert "ist erfasst" in declared.get_data(as_text=True)
        assert TOKEN.sub("", client.get(url(judging_round)).get_data(as_text=True)) == before
    fragment = client.post(url(judging_round, entries[0].id), data={f"mark_{entries[0].id}": "neutral"},
                           headers=HTMX).get_data(as_text=True)
    assert "gespeichert: neutral" in fragment and "2 von 5 markiert" in fragment


@pytest.mark.parametrize("hostile", ["<script>alert('x7q')</script>", "'; DROP TABLE preferences;--", "a\x00b",
                                     "\u202egnp.exe", "9" * 30, "-1", "befangen", ""])
def test_hostile_input_never_breaks_the_list(client, login_as, organiser, bidding, hostile):
    _edition, judging_round, jurors, entries, _companies, _outsider = bidding
    open_phase(judging_round, organiser)
    login_as(jurors[0])
    answers = [
        client.get(url(judging_round) + f"?kategorie={hostile}&offen={hostile}"),
        client.post(url(judging_round, entries[0].id), data={f"mark_{entries[0].id}": hostile}, headers=HTMX),
        client.post(url(judging_round), data={f"mark_{hostile}": "gern", f"mark_{entries[1].id}": hostile,
                                              f"mark_{'9' * 9}": "gern", f"was_{entries[1].id}": hostile}),
        client.post(url(judging_round, entries[2].id, "conflict"), data={"reason": hostile * 3}),
    ]
    assert all(a.status_code < 500 for a in answers)
    assert "<script>alert" not in answers[0].get_data(as_text=True)
    assert set(marks(jurors[0], judging_round).values()) <= {"befangen"}
    conflict = db.session.scalar(db.select(Conflict))
    assert conflict is not None and "\x00" not in conflict.reason
    too_long = client.post(url(judging_round, entries[3].id, "conflict"), data={"reason": "x" * 1001},
                           follow_redirects=True)
    assert "Die Begründung ist zu lang (höchstens 1000 Zeichen)" in too_long.get_data(as_text=True)
    assert entries[3].id not in marks(jurors[0], judging_round)
