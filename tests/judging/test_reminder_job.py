"""Reminders to the jury run as a background job; a retry never mails a juror twice."""

from __future__ import annotations

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.entries.models import EntryStatus
from competition.extensions import db
from competition.jobs import Job, JobStatus
from competition.jobs.runner import restart, run_job


def test_reminders_are_a_job_and_a_restart_does_not_mail_twice(client, login_as, organiser, outbox, make_edition,
                                                                  make_round, make_category, make_entry, make_user,
                                                                  make_assignment):
    edition = make_edition()
    judging_round = make_round(edition)
    category = make_category(edition)
    entry = make_entry(category=category, status=EntryStatus.ELIGIBLE)
    jurors = [make_user(roles=(Role.JUROR,), email=f"jury{i}@uni.example") for i in range(3)]
    for juror in jurors:
        make_assignment(judging_round=judging_round, entry=entry, juror=juror)
    login_as(organiser)
    outbox.clear()
    response = client.post(f"/organisation/editions/{edition.id}/rounds/{judging_round.id}/remind",
                           follow_redirects=True)
    assert "3 Erinnerungen gesendet" in response.get_data(as_text=True)
    assert sorted(m.to[0] for m in outbox) == [j.email for j in jurors]
    job = db.session.scalar(db.select(Job).where(Job.kind == "judging.reminders"))
    assert job.status is JobStatus.DONE and sorted(job.params["sent"]) == sorted(j.id for j in jurors)

    restart(job, now=utcnow())  # e.g. an organiser starts it again after a worker died
    db.session.commit()
    run_job(job.id)
    assert len(outbox) == 3  # everyone had theirs already
