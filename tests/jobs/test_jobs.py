"""Background jobs, inline (the embedded default): the same life cycle, progress, result and UI as with RQ."""

from __future__ import annotations

from datetime import timedelta

import pytest

from competition.accounts.models import Role
from competition.core.clock import utcnow
from competition.extensions import db
from competition.jobs import Job, JobStatus, runner, submit


def test_a_job_runs_after_the_commit_and_reports_progress_and_result(inline, organiser):
    job = submit("tests.count", params={"n": 4, "result": True}, by=organiser, now=utcnow())
    assert job.status == JobStatus.QUEUED  # nothing runs before the commit
    db.session.commit()
    db.session.refresh(job)
    assert job.status == JobStatus.DONE
    assert (job.progress_done, job.progress_total, job.attempts) == (4, 4, 1)
    assert job.result_filename == "zahlen.txt"
    assert job.started_at and job.finished_at and job.message == "Erledigt."


def test_a_rolled_back_submit_runs_nothing(inline, organiser, monkeypatch):
    ran = []
    monkeypatch.setattr(runner, "run_job", lambda job_id: ran.append(job_id))
    submit("tests.count", params={"n": 1}, by=organiser, now=utcnow())
    db.session.rollback()
    db.session.commit()
    assert ran == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 0


def test_unknown_task_is_refused_at_submit(inline, organiser):
    with pytest.raises(ValueError):
        submit("tests.nope", params={}, by=organiser, now=utcnow())


def test_a_failing_task_is_marked_failed_with_a_message_and_can_be_restarted(inline, organiser, client, login_as):
    job = submit("tests.count", params={"n": 2, "fail": True}, by=organiser, now=utcnow())
    db.session.commit()
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED
    assert "unerwarteten Fehler" in job.message
    login_as(organiser)
    page = client.get(f"/organisation/jobs/{job.id}").get_data(as_text=True)
    assert "Fehlgeschlagen" in page and "unerwarteten Fehler" in page and "Erneut starten" in page
    job.params = {"n": 2}
    db.session.commit()
    response = client.post(f"/organisation/jobs/{job.id}/restart")
    assert response.headers["Location"].endswith(f"/organisation/jobs/{job.id}")
    db.session.refresh(job)
    assert job.status == JobStatus.DONE


def _stuck(organiser, *, attempts: int, minutes_ago: int = 30) -> Job:
    """A job whose worker died: marked running, no heartbeat for a while."""
    then = utcnow() - timedelta(minutes=minutes_ago)
    job = Job(kind="tests.count", params={"n": 3}, status=JobStatus.RUNNING, attempts=attempts, created_at=then,
              started_at=then, heartbeat_at=then, created_by_id=organiser.id, progress_done=1, progress_total=3)
    db.session.add(job)
    db.session.commit()
    return job


def test_recover_requeues_a_job_whose_worker_died(inline, organiser):
    job = _stuck(organiser, attempts=1)
    fresh = _stuck(organiser, attempts=1, minutes_ago=1)  # still alive: left alone
    actions = runner.recover(now=utcnow())
    db.session.commit()  # inline: runs again right after the commit
    assert [(j.id, a) for j, a in actions] == [(job.id, "requeued")]
    db.session.refresh(job)
    db.session.refresh(fresh)
    assert job.status == JobStatus.DONE and job.attempts == 2
    assert fresh.status == JobStatus.RUNNING


def test_recover_gives_up_after_three_attempts_with_a_message(inline, organiser, client, login_as):
    job = _stuck(organiser, attempts=3)
    runner.recover(now=utcnow())
    db.session.commit()
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Der Auftrag wurde nach 3 Versuchen abgebrochen.")
    assert "Hintergrunddienst" in job.message
    login_as(organiser)
    assert "nach 3 Versuchen abgebrochen" in client.get(f"/organisation/jobs/{job.id}").get_data(as_text=True)


def test_recover_command(app, inline, organiser):
    job = _stuck(organiser, attempts=1)
    result = app.test_cli_runner().invoke(args=["jobs", "recover"])
    assert result.exit_code == 0, result.output
    assert f"Auftrag {job.id} (tests.count): requeued" in result.output
    db.session.refresh(job)
    assert job.status == JobStatus.DONE


def test_worker_command_needs_redis(app, inline):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL" in result.output


# --- UI ----------------------------------------------------------------------------------------------------------

def test_job_pages_show_progress_poll_while_active_and_offer_the_download(inline, organiser, client, login_as,
                                                                         make_edition):
    edition = make_edition()
    other = make_edition()
    old = Job(kind="tests.count", params={}, status=JobStatus.RUNNING, progress_done=2, progress_total=5,
              created_at=utcnow() - timedelta(hours=1), heartbeat_at=utcnow(), edition_id=other.id)
    db.session.add(old)
    db.session.commit()
    done = submit("tests.count", params={"n": 3, "result": True}, by=organiser, now=utcnow(), edition_id=edition.id)
    db.session.commit()
    login_as(organiser)

    page = client.get("/organisation/jobs").get_data(as_text=True)
    assert page.index(f"Auftrag {done.id}<") < page.index(f"Auftrag {old.id}<")  # newest first
    filtered = client.get(f"/organisation/jobs?edition_id={edition.id}").get_data(as_text=True)
    assert f"Auftrag {done.id}<" in filtered and f"Auftrag {old.id}<" not in filtered

    running = client.get(f"/organisation/jobs/{old.id}").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in running
    assert '<progress id="job-progress" value="2" max="5">' in running
    assert "Fortschritt: 2 von 5" in running
    partial = client.get(f"/organisation/jobs/{old.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="job-status"' in partial and "<html" not in partial

    finished = client.get(f"/organisation/jobs/{done.id}").get_data(as_text=True)
    assert "hx-trigger" not in finished
    assert "Fertig" in finished and "Ergebnis herunterladen" in finished
    download = client.get(f"/organisation/jobs/{done.id}/download")
    assert download.status_code == 200
    assert download.data == b"1,2,3"
    assert "zahlen.txt" in download.headers["Content-Disposition"]
    assert client.get(f"/organisation/jobs/{old.id}/download").status_code == 404  # no result (yet)


def test_only_organisers_see_jobs(inline, organiser, make_user, client, login_as):
    job = submit("tests.count", params={"n": 1, "result": True}, by=organiser, now=utcnow())
    db.session.commit()
    for role in (Role.APPLICANT, Role.JUROR):
        client.post("/logout")
        login_as(make_user(roles=(role,)))
        for path in ("/organisation/jobs", f"/organisation/jobs/{job.id}", f"/organisation/jobs/{job.id}/download"):
            assert client.get(path).status_code == 403, path
    client.post("/logout")
    assert client.get(f"/organisation/jobs/{job.id}").headers["Location"].startswith("/login")
    login_as(organiser)
    assert client.get("/organisation/jobs/999999").status_code == 404


def test_the_organiser_dashboard_links_to_jobs_and_communications(client, login_as, organiser):
    login_as(organiser)
    page = client.get("/organisation/").get_data(as_text=True)
    for path in ("/organisation/jobs", "/organisation/communications", "/organisation/mail-templates"):
        assert f'href="{path}"' in page


def test_a_long_step_without_progress_keeps_its_heartbeat(inline, organiser, monkeypatch, app):
    monkeypatch.setitem(app.config, "JOBS_HEARTBEAT_SECONDS", 0.1)
    job = submit("tests.quiet", params={"seconds": 0.6}, by=organiser, now=utcnow())
    db.session.commit()
    db.session.refresh(job)
    assert job.status == JobStatus.DONE and job.message == "beat"


def test_job_list_hides_routine_receipts_unless_chosen_but_shows_failed_ones(client, login_as, organiser):
    from competition.core.clock import utcnow
    from competition.extensions import db
    from competition.jobs import Job, JobStatus

    now = utcnow()
    for kind, status in (("entries.receipt", JobStatus.DONE), ("entries.receipt", JobStatus.FAILED),
                         ("rankings.certificates", JobStatus.DONE)):
        db.session.add(Job(kind=kind, status=status, params={}, created_at=now, attempts=1))
    db.session.commit()
    done_receipt, failed_receipt, certificates = db.session.scalars(db.select(Job).order_by(Job.id)).all()
    login_as(organiser)

    def listed(query=""):
        html = client.get(f"/organisation/jobs{query}").get_data(as_text=True)
        jobs = (done_receipt, failed_receipt, certificates)
        return {job.id for job in jobs if f"/organisation/jobs/{job.id}\"" in html}

    assert listed() == {failed_receipt.id, certificates.id}
    assert listed("?kind=all") == {done_receipt.id, failed_receipt.id, certificates.id}
    assert listed("?kind=entries.receipt") == {done_receipt.id, failed_receipt.id}
