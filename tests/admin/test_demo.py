from competition.accounts.models import Role, User
from competition.admin.demo import DEMO_PASSWORD, REGIONS, plan_demo
from competition.editions.models import Edition
from competition.extensions import db
from tests.conftest import login


def test_plan_is_deterministic_and_regional():
    first = plan_demo(entries=25, jurors=8, seed=7)
    assert first == plan_demo(entries=25, jurors=8, seed=7)
    assert first != plan_demo(entries=25, jurors=8, seed=8)
    assert {p.region for p in first.applicants} == set(REGIONS)
    assert len({p.email for p in first.applicants}) == 25  # one company each
    assert all(p.email.endswith(".example") for p in first.applicants + first.jurors)


def test_seed_twice_creates_everything_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--entries", "6", "--jurors", "4", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "angelegt" in result.output and "orga@ind-demo.example" in result.output
    assert DEMO_PASSWORD in result.output

    again = runner.invoke(args=["demo", "seed", "--entries", "6", "--jurors", "4", "--seed", "3"])
    assert again.exit_code == 0, again.output
    assert "bereits vorhanden" in again.output and "jury01@ind-demo.example" in again.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Edition)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1 + 4 + 6

    from pypdf import PdfReader

    from competition.core.storage import get_storage
    from competition.entries.models import Attachment, Company, Entry, EntryStatus

    assert db.session.scalar(db.select(db.func.count()).select_from(Company)) == 6
    statuses = [e.status for e in db.session.scalars(db.select(Entry).order_by(Entry.id))]
    assert statuses.count(EntryStatus.ELIGIBLE) == 5 and statuses.count(EntryStatus.DRAFT) == 1
    attachments = db.session.scalars(db.select(Attachment)).all()
    assert sorted(a.kind for a in attachments) == ["pdf"] * 5 + ["png"] * 5
    pdf = next(a for a in attachments if a.kind == "pdf")
    with get_storage().open(pdf.storage_key) as handle:
        assert len(PdfReader(handle).pages) == 1  # a real PDF on disk
    submitted = db.session.scalar(db.select(Entry).where(Entry.status == EntryStatus.ELIGIBLE))
    assert len(submitted.versions[0].content["attachments"]) == 2
    # The preliminary round is assigned: 5 eligible entries × 3 jurors, none conflicted.
    from competition.judging.models import Assignment

    assignments = db.session.scalars(db.select(Assignment)).all()
    assert len(assignments) == 15 and {a.round.name for a in assignments} == {"Vorauswahl"}
    assert "Vorauswahl zugewiesen: 15 Zuweisungen" in result.output

    edition = db.session.scalar(db.select(Edition))
    assert [c.name for c in edition.categories] == ["Mobilität", "Digitalisierung", "Kreislaufwirtschaft"]
    assert [r.name for r in edition.rounds] == ["Vorauswahl", "Finale"]
    preselection = edition.rounds[0]
    assert [c.name for c in preselection.criteria][:2] == ["Innovationsgrad", "Wirtschaftliches Potenzial"]
    assert sum(share for _c, share in preselection.weight_percentages()) == 100


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["demo", "seed", "--entries", "2", "--jurors", "2"])
    assert login(client, "orga@ind-demo.example", DEMO_PASSWORD).headers["Location"] == "/organisation/"
    juror = db.session.scalar(db.select(User).where(User.email == "jury01@ind-demo.example"))
    assert juror.has_role(Role.JUROR)
