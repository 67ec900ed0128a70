from __future__ import annotations

from dataclasses import dataclass

import pytest

from competition.accounts.models import Role
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.judging.models import RoundJuror, SheetStatus


@dataclass
class World:
    edition: object
    categories: list
    applicants: dict  # name → user
    jurors: dict
    entries: dict


@pytest.fixture
def inline(app, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "inline")
    return app


@pytest.fixture
def world(make_edition, make_category, make_round, make_user, make_company, make_entry, make_assignment,
          make_score_sheet) -> World:
    """Companies with entries in two categories, a withdrawn one, and jurors with and without open work."""
    edition = make_edition()
    mobility = make_category(edition, name="Mobilität")
    digital = make_category(edition, name="Digitalisierung")
    anna = make_user(full_name="Anna Schubert", email="anna@praezision.example")
    bernd = make_user(full_name="Bernd Klein", email="bernd@praezision.example", locale="en")
    carla = make_user(full_name="Carla Roth", email="carla@kreislauf.example")
    dora = make_user(full_name="Dora Weg", email="dora@zurueck.example")
    make_user(full_name="Emil Ohne", email="emil@ohne.example")  # no entry: never in a group
    entries = {
        "spann": make_entry(company=make_company(anna, bernd), category=mobility, title="Adaptive Spannvorrichtung",
                            status=EntryStatus.SUBMITTED, number="IND-1"),
        "kreis": make_entry(company=make_company(carla), category=digital, title="Digitaler Kreislauf",
                            status=EntryStatus.SHORTLISTED, number="IND-2"),
        "weg": make_entry(company=make_company(dora), category=mobility, title="Zurückgezogen",
                          status=EntryStatus.WITHDRAWN),
    }
    first = make_round(edition)
    jana = make_user(roles=(Role.JUROR,), full_name="Jana Jury", email="jana@uni.example")
    karl = make_user(roles=(Role.JUROR,), full_name="Karl Fertig", email="karl@uni.example")
    lea = make_user(roles=(Role.JUROR,), full_name="Lea Pool", email="lea@uni.example")
    for juror in (jana, karl, lea):
        db.session.add(RoundJuror(round_id=first.id, user_id=juror.id, capacity=5))
    for juror, entry, submitted in ((jana, "spann", True), (jana, "kreis", False), (karl, "spann", True)):
        assignment = make_assignment(judging_round=first, entry=entries[entry], juror=juror)
        make_score_sheet(assignment, status=SheetStatus.SUBMITTED if submitted else SheetStatus.DRAFT)
    return World(edition=edition, categories=[mobility, digital],
                 applicants={"anna": anna, "bernd": bernd, "carla": carla, "dora": dora},
                 jurors={"jana": jana, "karl": karl, "lea": lea}, entries=entries)
