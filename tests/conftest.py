"""Test harness: the real database (SQLite file by default, PostgreSQL with TEST_DATABASE_URL), fresh rows per test.

The schema is created once per run; after each test every table is emptied, so tests are isolated and a live
server thread (browser tests, SMTP tests) sees the same database as the test.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from competition import create_app
from competition.accounts.models import Role, User
from competition.accounts.services import create_verified_user
from competition.core.clock import utcnow
from competition.editions.models import Category, Criterion, Edition, JudgingRound
from competition.extensions import db
from config import TestingConfig

PASSWORD = "richtig-gutes-Passwort-2026"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_root / 'test.sqlite'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def make_app(database_url, tmp_path_factory):
    """Build another app on the same test database with some settings changed (CSRF on, rate limits on, …)."""
    instance = tmp_path_factory.mktemp("instance")

    def factory(**overrides):
        # Jobs run right after the commit, so a test sees their outcome (tests/jobs/test_embedded.py covers the
        # worker thread of the embedded default, tests/jobs/test_rq.py the RQ back end).
        settings = {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": str(instance / "uploads"),
                    "JOBS_BACKEND": "inline"}
        settings.update(overrides)
        return create_app({**{k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}, **settings})

    return factory


@pytest.fixture(scope="session")
def app(make_app):
    app = make_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    return app


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _app_context(request, app):
    """Every test runs inside an app context on an empty database."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        empty_all_tables()
        app.extensions["mailman"].outbox.clear() if hasattr(app.extensions["mailman"], "outbox") else None


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def outbox(app):
    mail = app.extensions["mailman"]
    if not hasattr(mail, "outbox"):
        mail.outbox = []
    mail.outbox.clear()
    return mail.outbox


LINK = re.compile(r"https?://\S+")


def link_in(message, path_fragment: str) -> str:
    """The link in a mail whose path contains `path_fragment`, as a path for the test client."""
    for url in LINK.findall(message.body):
        if path_fragment in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no link with {path_fragment!r} in mail:\n{message.body}")


# --- factories ---------------------------------------------------------------------------------------------------

@pytest.fixture
def make_user():
    counter = iter(range(1, 100000))

    def factory(*, roles=(Role.APPLICANT,), email=None, full_name=None, password=PASSWORD, verified=True,
                **overrides) -> User:
        n = next(counter)
        user = create_verified_user(
            email=email or f"person{n}@firma{n}.example",
            full_name=full_name or f"Person {n}",
            password=password,
            roles=list(roles),
            locale=overrides.pop("locale", None),
            now=utcnow(),
        )
        if not verified:
            user.email_verified_at = None
        for key, value in overrides.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def organiser(make_user):
    return make_user(roles=(Role.ORGANISER,), email="orga@ind.example", full_name="Olga Organisatorin")


@pytest.fixture
def make_edition():
    counter = iter(range(1, 100000))

    def factory(*, conditions: bool = True, **overrides) -> Edition:
        """With ``conditions`` (default) the edition has Teilnahmebedingungen (version 1), so it takes
        submissions; without them it cannot."""
        now = utcnow()
        n = next(counter)
        values = dict(
            name=f"Industrie. Neu. Denken. {2025 + n}",
            slug=f"ind-{2025 + n}",
            description="",
            registration_opens_at=now - timedelta(days=10),
            submission_deadline_at=now + timedelta(days=20),
            jury_starts_at=now + timedelta(days=30),
            jury_ends_at=now + timedelta(days=60),
            publication_at=now + timedelta(days=70),
        )
        values.update(overrides)
        edition = Edition(**values)
        db.session.add(edition)
        db.session.flush()
        if conditions:
            from competition.editions.models import ParticipationConditions

            db.session.add(ParticipationConditions(edition_id=edition.id, version=1, body=(
                "## Teilnahmebedingungen\n\nTeilnehmen können Unternehmen aus Südwestsachsen.")))
            edition.terms_version = "1"
        db.session.commit()
        return edition

    return factory


@pytest.fixture
def make_round():
    def factory(edition: Edition, **overrides) -> JudgingRound:
        values = dict(
            name=f"Runde {len(edition.rounds) + 1}",
            position=len(edition.rounds) + 1,
            scale_min=Decimal(0),
            scale_max=Decimal(10),
            scale_step=Decimal(1),
            jurors_per_entry=3,
            deadline_at=edition.jury_ends_at,
        )
        values.update(overrides)
        judging_round = JudgingRound(edition=edition, **values)
        db.session.add(judging_round)
        db.session.commit()
        return judging_round

    return factory


@pytest.fixture
def make_criterion():
    def factory(judging_round: JudgingRound, **overrides) -> Criterion:
        values = dict(name=f"Kriterium {len(judging_round.criteria) + 1}", weight=Decimal(1),
                      position=len(judging_round.criteria) + 1)
        values.update(overrides)
        criterion = Criterion(round=judging_round, **values)
        db.session.add(criterion)
        db.session.commit()
        return criterion

    return factory


@pytest.fixture
def make_category():
    def factory(edition: Edition, **overrides) -> Category:
        values = dict(name=f"Kategorie {len(edition.categories) + 1}", position=len(edition.categories) + 1)
        values.update(overrides)
        category = Category(edition=edition, **values)
        db.session.add(category)
        db.session.commit()
        return category

    return factory


def login(client, email: str, password: str = PASSWORD, next_url: str | None = None, follow: bool = False):
    data = {"email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data, follow_redirects=follow)


@pytest.fixture
def login_as(client):
    def do(user: User, password: str = PASSWORD):
        response = login(client, user.email, password)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


@pytest.fixture
def make_company():
    """A company with its members (the first one is the company's admin)."""
    from competition.entries.models import Company, CompanyMember, District, TurnoverBand

    counter = iter(range(1, 100000))

    def factory(*members: User, **overrides) -> Company:
        n = next(counter)
        values = dict(
            legal_name=f"Erzgebirge Präzisionstechnik {n}",
            legal_form="GmbH",
            street="Annaberger Straße 1",
            postal_code="09456",
            city="Annaberg-Buchholz",
            district=District.ERZGEBIRGSKREIS,
            employees=45,
            turnover_band=TurnoverBand.FROM_2M_TO_10M,
            industry="Maschinenbau",
            website=f"https://praezision{n}.example",
            contact_name="Anna Schubert",
            contact_email=f"kontakt@praezision{n}.example",
        )
        values.update(overrides)
        company = Company(**values)
        for index, user in enumerate(members):
            company.members.append(CompanyMember(user_id=user.id, is_admin=index == 0))
        db.session.add(company)
        db.session.commit()
        return company

    return factory


@pytest.fixture
def make_entry(make_edition, make_category, make_company, make_user):
    """An entry (draft by default) with complete core fields; edition, category and company made when not given."""
    from competition.entries.models import Entry

    def factory(*, company=None, category=None, edition=None, **overrides) -> Entry:
        if category is None:
            edition = edition or make_edition()
            category = make_category(edition)
        edition = category.edition
        company = company or make_company(make_user())
        values = dict(
            title="Adaptive Spannvorrichtung",
            summary="Eine Spannvorrichtung, die sich selbst auf neue Werkstücke einstellt.",
            description="Sensoren messen das Werkstück; die Vorrichtung stellt sich in Sekunden um.",
            implementation="Pilotbetrieb seit März bei zwei Kunden.",
            regional_benefit="Zwölf neue Arbeitsplätze im Erzgebirge, Zulieferer aus der Region.",
            sustainability="30 % weniger Ausschuss.",
        )
        values.update(overrides)
        entry = Entry(edition_id=edition.id, category_id=category.id, company_id=company.id, **values)
        db.session.add(entry)
        db.session.commit()
        return entry

    return factory


@pytest.fixture
def make_submitted_entry(make_entry):
    """An entry submitted through the real use case (a version with its hashed snapshot and a number), then set to
    `status` (eligible by default, as after the organisers' check). `by`: the submitting member (the company's
    first). The edition is opened for submissions just for the submit; its phase is as before afterwards."""
    from competition.editions.phases import Phase
    from competition.entries.models import EntryStatus
    from competition.entries.services import submit_entry

    def factory(*, status=EntryStatus.ELIGIBLE, by: User | None = None, now=None, **overrides):
        entry = make_entry(**overrides)
        edition = entry.edition
        before = edition.phase_override
        edition.phase_override = Phase.SUBMISSION
        db.session.commit()
        submit_entry(entry=entry, consent=True, lock_version=None, by=by or entry.company.members[0].user,
                     now=now or utcnow())
        edition.phase_override = before
        entry.status = status
        db.session.commit()
        return entry

    return factory


@pytest.fixture
def make_assignment(make_user):
    """A juror's assignment to an entry in a round (a new juror when none is given), as an organiser makes by hand."""
    from competition.judging.models import Assignment, AssignmentSource

    def factory(*, judging_round, entry, juror: User | None = None, **overrides):
        values = dict(source=AssignmentSource.MANUAL)
        values.update(overrides)
        assignment = Assignment(round_id=judging_round.id, entry_id=entry.id,
                                user_id=(juror or make_user(roles=(Role.JUROR,))).id, **values)
        db.session.add(assignment)
        db.session.commit()
        return assignment

    return factory


@pytest.fixture
def make_score_sheet():
    """The score sheet of an assignment, submitted by default. `value` scores every criterion of the round with the
    same value; `scores` ({criterion id: value}) sets single ones; `comments` ({criterion id: text}) adds comments.
    Without either the sheet has no scores."""
    from competition.judging.models import Score, ScoreSheet, SheetStatus

    def factory(assignment, *, status=SheetStatus.SUBMITTED, value=None, scores=None, comments=None, **overrides):
        now = utcnow()
        values = dict(status=status, submitted_at=now if status == SheetStatus.SUBMITTED else None,
                      created_at=now, updated_at=now)
        values.update(overrides)
        sheet = ScoreSheet(assignment_id=assignment.id, round_id=assignment.round_id, entry_id=assignment.entry_id,
                           user_id=assignment.user_id, **values)
        given = dict(scores or {})
        if value is not None:
            round_ = db.session.get(JudgingRound, assignment.round_id)
            given = {criterion.id: given.get(criterion.id, value) for criterion in round_.criteria}
        for criterion_id, score in given.items():
            sheet.scores.append(Score(criterion_id=criterion_id, value=Decimal(str(score)) if score is not None
                                      else None, comment=(comments or {}).get(criterion_id, "")))
        db.session.add(sheet)
        db.session.commit()
        return sheet

    return factory
