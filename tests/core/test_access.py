"""Who gets into which page: every GET route for every role (the full matrix grows with each module)."""

import pytest

from competition.accounts.models import Role

PUBLIC = ["/", "/login", "/register", "/password/forgot", "/verify/resend", "/healthz"]
SIGNED_IN = ["/account"]
ORGANISER = ["/organisation/", "/organisation/editions", "/organisation/editions/new",
             "/organisation/invitations", "/organisation/editions/{edition}",
             "/organisation/editions/{edition}/edit", "/organisation/editions/{edition}/rounds/new",
             "/organisation/editions/{edition}/rounds/{round}",
             "/organisation/editions/{edition}/rounds/{round}/edit",
             "/organisation/editions/{edition}/rounds/{round}/criteria/new"]


def test_every_get_route_is_in_the_matrix(app):
    listed = {p.split("?")[0] for p in PUBLIC + SIGNED_IN + ORGANISER}
    pattern = {p.replace("{edition}", "<edition_id>").replace("{round}", "<round_id>") for p in listed}
    token_routes = {"/verify/<token>", "/password/reset/<token>", "/account/email/confirm/<token>",
                    "/invitation/<token>"}  # covered by the accounts tests
    item_routes = {"/organisation/editions/<edition_id>/categories/<category_id>/edit",
                   "/organisation/editions/<edition_id>/rounds/<round_id>/criteria/<criterion_id>/edit"}
    get_routes = {r.rule.replace("<int:", "<") for r in app.url_map.iter_rules()
                  if "GET" in r.methods and r.endpoint != "static"}
    assert get_routes - pattern - token_routes - item_routes == set()


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.JUROR, Role.ORGANISER])
def test_matrix(client, login_as, make_user, make_edition, make_round, role):
    edition = make_edition()
    judging_round = make_round(edition)
    if role is not None:
        login_as(make_user(roles=(role,)))

    def url(path):
        return path.format(edition=edition.id, round=judging_round.id)

    for path in PUBLIC:
        assert client.get(url(path)).status_code in (200, 302), path
    for path in SIGNED_IN:
        expected = 302 if role is None else 200
        assert client.get(url(path)).status_code == expected, path
    for path in ORGANISER:
        response = client.get(url(path))
        expected = {None: 302, Role.APPLICANT: 403, Role.JUROR: 403, Role.ORGANISER: 200}[role]
        assert response.status_code == expected, (path, role, response.status_code)
        if role is None:
            assert response.headers["Location"].startswith("/login?next=")
