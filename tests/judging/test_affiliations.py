"""Company groups and domain aliases change who is conflicted, so organisers keep them through audited services
(issue 18, item 6); nobody else can add or remove them."""

from __future__ import annotations

import pytest

from competition.core.audit import AuditEvent
from competition.core.clock import utcnow
from competition.core.errors import PermissionDenied
from competition.extensions import db
from competition.judging import affiliation_services, conflict_check
from competition.judging.models import CompanyGroup, DomainAlias
from tests.conftest import PASSWORD
from tests.judging.blind_world import COMPANIES, build_blind_world


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def test_an_organiser_adds_and_removes_a_group_and_each_change_is_audited(client):
    world = build_blind_world(blind=False)
    base = f"/organisation/editions/{world.edition.id}/jury"
    sign_in(client, world.organiser)

    # One member only: the message stands next to the field, what was typed stays, nothing is stored.
    refused = client.post(f"{base}/groups", data={"name": "Konzern", "members": f"{COMPANIES[0]}\n  \n"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Bitte nennen Sie mindestens zwei Mitglieder." in page and COMPANIES[0] in page
    assert db.session.scalar(db.select(db.func.count()).select_from(CompanyGroup)) == 0
    assert events("company_group.added") == []

    added = client.post(f"{base}/groups", data={"name": " Konzern ", "members": f"{COMPANIES[0]}\nfirma4.example"})
    assert added.status_code == 302 and added.headers["Location"].endswith("/jury#gruppen")
    group = db.session.scalar(db.select(CompanyGroup))
    assert (group.name, group.members) == ("Konzern", [COMPANIES[0], "firma4.example"])
    [event] = events("company_group.added")
    assert (event.actor_id, event.object_id) == (world.organiser.id, group.id)
    assert event.data == {"name": "Konzern", "members": [COMPANIES[0], "firma4.example"]}

    # The group counts at the next check: company 4's entry is now locked for a member of company 1's domain.
    db.session.add(DomainAlias(domain="hochschule.example", alias="firma1.example"))
    db.session.commit()
    found = conflict_check.conflict_map(juror_ids=[world.juror.id], entries=world.entries)
    assert (world.juror.id, world.entries[3].id) in found.pairs()

    removed = client.post(f"{base}/groups/{group.id}/delete", data={})
    assert removed.status_code == 302 and removed.headers["Location"].endswith("/jury#gruppen")
    assert db.session.get(CompanyGroup, group.id) is None
    [event] = events("company_group.deleted")
    assert event.object_id == group.id and event.data["members"] == [COMPANIES[0], "firma4.example"]
    assert "Der Eintrag wurde entfernt." in client.get(base).get_data(as_text=True)


def test_an_alias_is_stored_once_by_registrable_domain_and_removal_is_audited(client):
    world = build_blind_world(blind=False)
    base = f"/organisation/editions/{world.edition.id}/jury"
    sign_in(client, world.organiser)

    same = client.post(f"{base}/aliases", data={"domain": "vw.de", "alias": "www.vw.de"})
    assert same.status_code == 422
    assert "Bitte geben Sie eine andere Firmen-Domain an, z. B. volkswagen.de." in same.get_data(as_text=True)

    for _ in range(2):
        response = client.post(f"{base}/aliases", data={"domain": "mail.vw.de", "alias": "www.volkswagen.de"})
        assert response.status_code == 302
    assert "vw.de und volkswagen.de gelten jetzt als dieselbe Firma." in client.get(base).get_data(as_text=True)
    [pair] = db.session.scalars(db.select(DomainAlias)).all()
    assert (pair.domain, pair.alias) == ("vw.de", "volkswagen.de")
    [event] = events("domain_alias.added")  # the second, identical request changed nothing and recorded nothing
    assert event.data == {"domain": "vw.de", "alias": "volkswagen.de"}

    assert client.post(f"{base}/aliases/{pair.id}/delete", data={}).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(DomainAlias)) == 0
    assert [e.object_id for e in events("domain_alias.deleted")] == [pair.id]


@pytest.mark.parametrize("who", ["juror", "applicant"])
def test_jurors_and_companies_cannot_add_or_remove_groups_or_aliases(client, who):
    world = build_blind_world(blind=False)
    group = CompanyGroup(name="Konzern", members=[COMPANIES[0], "firma4.example"])
    pair = DomainAlias(domain="hochschule.example", alias="firma1.example")
    db.session.add_all([group, pair])
    db.session.commit()
    user = world.juror if who == "juror" else world.owners[0]
    sign_in(client, user)
    base = f"/organisation/editions/{world.edition.id}/jury"
    # A juror would lift their own conflict by removing the alias; a company could hide a subsidiary.
    responses = [client.post(f"{base}/groups", data={"name": "X", "members": "a.example\nb.example"}),
                 client.post(f"{base}/aliases", data={"domain": "firma2.example", "alias": "institut.example"}),
                 client.post(f"{base}/groups/{group.id}/delete", data={}),
                 client.post(f"{base}/aliases/{pair.id}/delete", data={})]
    assert [r.status_code for r in responses] == [403] * 4
    assert db.session.scalar(db.select(db.func.count()).select_from(CompanyGroup)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(DomainAlias)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.object_type.in_(["company_group", "domain_alias"]))) == 0

    # The services refuse as well, whoever calls them.
    with pytest.raises(PermissionDenied):
        affiliation_services.delete_domain_alias(pair=pair, by=user, now=utcnow())
    with pytest.raises(PermissionDenied):
        affiliation_services.add_company_group(name="X", members=["a", "b"], by=user, now=utcnow())
