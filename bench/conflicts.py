"""Conflict check benchmark: `judging.conflict_check` against a real database at planner sizes.

    .venv/bin/python bench/conflicts.py [--database-url URL]

Builds (in a temporary SQLite file unless a URL is given; the database is emptied first) one edition with E entries
of E companies (two staff addresses each, one a free-mail address), J jurors with profiles and employer domains,
one juror in ten a present or past member of a company, 1 % recorded conflicts, 50 company groups and 50 domain
aliases. Prints per size (entries × jurors):

    batch_seconds:   conflict_map for every juror × every entry (what the planner asks)
    batch_queries:   statements it sent (fixed, whatever the size: no N+1)
    single_ms:       one pair (what a juror's page asks, once per request: the answer is kept until a write),
                     median of 20
    single_queries:  statements for one pair
    conflicted:      conflicted pairs found
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = ((2000, 200), (20000, 2000))


def build(n_entries: int, n_jurors: int):
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from competition.accounts.models import Role, User, UserRole
    from competition.editions.models import Category, Edition
    from competition.entries.models import Company, CompanyMember, Entry, PastCompanyMembership
    from competition.extensions import db
    from competition.judging.models import CompanyGroup, Conflict, DomainAlias, JurorProfile

    now = datetime(2026, 1, 1, tzinfo=UTC)
    edition = Edition(name=f"Bench {n_entries}", slug=f"bench-{n_entries}", registration_opens_at=now,
                      submission_deadline_at=now, jury_starts_at=now, jury_ends_at=now, publication_at=now)
    db.session.add(edition)
    db.session.flush()
    category = Category(edition_id=edition.id, name="Alle", position=1)
    db.session.add(category)
    db.session.flush()
    users = [{"email": f"j{i}@institut-{i % 300}.example", "full_name": f"Juror {i}", "password_hash": "!",
              "is_active_account": True, "created_at": now} for i in range(n_jurors)]
    users += [{"email": f"staff{i}@firma-{i}.example", "full_name": f"Staff {i}", "password_hash": "!",
               "is_active_account": True, "created_at": now} for i in range(n_entries)]
    db.session.execute(insert(User), users)
    ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    jurors, staff = ids[:n_jurors], ids[n_jurors:]
    db.session.execute(insert(UserRole), [{"user_id": j, "role": Role.JUROR} for j in jurors])
    db.session.execute(insert(JurorProfile), [{"user_id": j, "organisation": f"Institut {j}", "capacity": 30,
                                              "employer_domains": [f"firma-{j * 7 % n_entries}.example"],
                                              "former_employers": [], "updated_at": now} for j in jurors])
    db.session.execute(insert(Company), [{"legal_name": f"Firma {i} GmbH", "district": "chemnitz",
                                          "turnover_band": "unter_2", "website": f"https://firma-{i}.example",
                                          "contact_email": f"inhaber{i}@gmx.de", "created_at": now,
                                          "updated_at": now} for i in range(n_entries)])
    companies = list(db.session.scalars(select(Company.id).order_by(Company.id)))
    db.session.execute(insert(CompanyMember), [{"company_id": c, "user_id": s, "is_admin": True, "joined_at": now}
                                               for c, s in zip(companies, staff, strict=True)])
    members = [{"company_id": companies[j * 13 % n_entries], "user_id": j, "joined_at": now}
               for j in jurors[::20]]
    db.session.execute(insert(PastCompanyMembership), [{**m, "left_at": now} for m in members])
    db.session.execute(insert(Entry), [{"edition_id": edition.id, "company_id": c, "category_id": category.id,
                                        "status": "eligible", "title": f"Vorhaben {c}", "created_at": now,
                                        "updated_at": now, "lock_version": 1} for c in companies])
    db.session.execute(insert(Conflict), [{"user_id": jurors[i % n_jurors], "company_id": companies[i * 31 % n_entries],
                                           "source": "declared", "status": "active", "reason": "x",
                                           "created_at": now} for i in range(n_entries * n_jurors // 100 // 50)])
    db.session.execute(insert(CompanyGroup), [{"name": f"Gruppe {g}", "members": [f"Firma {g * 3} GmbH",
                                                                                  f"firma-{g * 3 + 1}.example"]}
                                              for g in range(50)])
    db.session.execute(insert(DomainAlias), [{"domain": f"institut-{a}.example", "alias": f"firma-{a * 5}.example"}
                                             for a in range(50)])
    db.session.commit()
    return jurors, list(db.session.scalars(select(Entry.id).order_by(Entry.id)))


def counted(call, **kwargs):
    from sqlalchemy import event

    from competition.extensions import db

    count = 0

    def before(*_args):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        started = time.perf_counter()
        result = call(**kwargs)
        return result, time.perf_counter() - started, count
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    args = parser.parse_args()
    from competition import create_app
    from competition.extensions import db
    from competition.judging import conflict_check

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "UPLOAD_FOLDER": folder,
                          "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "locmem"})
        for n_entries, n_jurors in SIZES:
            with app.app_context():
                db.drop_all()
                db.create_all()
                jurors, entries = build(n_entries, n_jurors)
                found, seconds, queries = counted(conflict_check.conflict_map, juror_ids=jurors, entries=entries)
                # one pair through conflict_map (findings() would answer from what it remembers)
                singles = [counted(conflict_check.conflict_map, juror_ids=[jurors[0]], entries=[entries[0]])
                           for _ in range(20)]
                print(f"{n_entries}x{n_jurors}: batch_seconds={seconds:.2f} batch_queries={queries} "
                      f"single_ms={statistics.median(s for _r, s, _q in singles) * 1000:.1f} "
                      f"single_queries={singles[0][2]} conflicted={len(found.pairs())}", flush=True)
                db.session.remove()
                db.drop_all()


if __name__ == "__main__":
    main()
