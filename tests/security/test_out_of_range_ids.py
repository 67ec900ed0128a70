"""Numbers the id columns cannot hold, in every place an id arrives: never a server error.

Reproduction from the issue: `/entries/9999999999999999999999999` gave a 500 on PostgreSQL (the database refused
the query). Every route with a number in its path gets such numbers (a 404 is the answer), every page gets them in
its id-carrying query parameters, and every form in its id-carrying fields, for an organiser, a company and a
juror, on whichever database the suite runs on.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from werkzeug.routing import IntegerConverter

from competition.core.ids import MAX_DB_INT, db_int
from tests.conftest import PASSWORD
from tests.security.test_access_matrix import MATRIX, PLACEHOLDER, normalise
from tests.security.world import build_world

HUGE = ["9999999999999999999999999", str(2**63), str(MAX_DB_INT + 1)]
QUERY_IDS = ("edition_id", "edition", "category", "category_id", "round", "round_id", "snapshot", "snapshot_id",
             "page", "per_category", "propose", "entry", "entry_id", "juror_id", "user_id", "question_id",
             "assignment_id", "preview_user_id", "status")
FORM_IDS = ("entry_id", "juror_id", "category_id", "company_id", "question_id", "edition_id", "preview_user_id",
            "version", "lock_version", "expertise", "entry", "capacity", "place", "to_rank", "per_category",
            "round_id", "snapshot_id", "user_id", "criterion_id", "conflict_id", "score_99999999999999999999",
            "comment_99999999999999999999")


@pytest.fixture
def world(make_user, make_company, make_edition, make_category, make_round, make_criterion, make_entry):
    return build_world(make_user=make_user, make_company=make_company, make_edition=make_edition,
                       make_category=make_category, make_round=make_round, make_criterion=make_criterion,
                       make_entry=make_entry)


def int_rules(app):
    """(rule path, names of its int parts, methods) for every route with a number in its path."""
    for rule in app.url_map.iter_rules():
        names = [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]
        if names:
            yield rule.rule, names, rule.methods - {"HEAD", "OPTIONS"}


def fill(rule: str, ids: dict, override: dict[str, str]) -> str:
    row = MATRIX[normalise(rule)]

    def value(match):
        name = match.group(1)
        return override.get(name) or str(ids[row.params.get(name, name)])

    return PLACEHOLDER.sub(value, rule)


def signed_in(app, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.parametrize("role", ["organiser", "owner", "juror_assigned"])
def test_out_of_range_ids_are_never_a_server_error(app, world, role):
    client = signed_in(app, world.users[role].email)
    problems = []
    for rule, names, methods in int_rules(app):
        if MATRIX[normalise(rule)].last:
            continue  # logs out or deletes what the rest of the walk needs
        for name in names:
            for huge in HUGE:
                path = fill(rule, world.ids, {name: huge})
                for method in sorted(methods):
                    response = client.open(path, method=method, data={})
                    if response.status_code not in (404, 405):  # 405: the path has no POST (or GET) anyway
                        problems.append(f"{method} {path}: {response.status_code}")
    query = urlencode({name: HUGE[0] for name in QUERY_IDS})
    form = {name: HUGE[0] for name in FORM_IDS}
    for rule in app.url_map.iter_rules():
        row = MATRIX.get(normalise(rule.rule))
        if rule.endpoint == "static" or row is None or row.last:
            continue
        path = fill(rule.rule, world.ids, {})
        if "GET" in rule.methods:
            response = client.get(f"{path}?{query}")
            if response.status_code >= 500:
                problems.append(f"GET {path}?…: {response.status_code}")
        if "POST" in rule.methods:
            response = client.post(path, data=form)
            if response.status_code >= 500:
                problems.append(f"POST {path} (form): {response.status_code}")
    assert problems == [], "\n".join(problems)


def test_the_issues_reproduction(client, login_as, organiser):
    login_as(organiser)
    response = client.get("/entries/9999999999999999999999999")
    assert response.status_code == 404 and "Seite nicht gefunden" in response.get_data(as_text=True)
    assert client.get(f"/entries/{MAX_DB_INT + 1}").status_code == 404


@pytest.mark.parametrize("value", ["-1", "+1", " 1", "1e3", "１", "99999999999", str(MAX_DB_INT + 1), "", "abc"])
def test_db_int_refuses_what_no_id_column_holds(value):
    with pytest.raises(ValueError):
        db_int(value)


def test_db_int_takes_every_id_the_columns_hold():
    assert [db_int(v) for v in ("0", "7", str(MAX_DB_INT), 12)] == [0, 7, MAX_DB_INT, 12]


def test_an_out_of_range_choice_in_a_form_is_a_form_error(client, login_as, world):
    login_as(world.users["juror_assigned"])
    page = client.post("/jury/profile", data={"capacity": "3", "organisation": "TU Chemnitz", "expertise": HUGE[0]})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Bitte wählen Sie nur aus den angezeigten Kategorien." in text
    assert 'value="TU Chemnitz"' in text  # nothing typed is lost
