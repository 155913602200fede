"""At least once: a RUNNING job whose worker stopped sending heartbeats goes back to the queue
(counted as an attempt) and runs again; a live worker's job is left alone; a job that keeps
losing its worker ends FAILED."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs import job, run_ready
from jobs.models import Worker
from jobs.recovery import jobs_recover, worker_heartbeat, worker_register

pytestmark = pytest.mark.django_db(transaction=True)

done: list[int] = []


@job(retries=1)
def work(n: int) -> None:
    done.append(n)


def claimed_by(worker_id: str, n: int) -> DBTaskResult:
    """A worker registered and claimed `work(n)`, then (for the test) went silent."""
    worker_register(worker_id=worker_id)
    work.enqueue(n)
    row = DBTaskResult.objects.get(args_kwargs__args=[n])
    row.claim(worker_id)
    return row


def test_the_job_of_a_worker_whose_heartbeat_is_stale_runs_again(settings, caplog):
    settings.PARLEY_JOBS_WORKER_TIMEOUT = 30
    done.clear()
    row = claimed_by("dead", 1)
    later = timezone.now() + timedelta(seconds=31)
    assert jobs_recover(now=later) == 1
    row.refresh_from_db()
    assert row.status == "READY" and row.worker_ids == ["dead"]  # one attempt spent
    assert row.exception_class_path == "jobs.recovery.WorkerLost"
    assert "its worker dead died" in caplog.text
    assert not Worker.objects.filter(id="dead").exists()
    run_ready()
    row.refresh_from_db()
    assert done == [1]
    assert row.status == "SUCCESSFUL" and len(row.worker_ids) == 2


def test_a_live_workers_job_is_left_running(settings):
    settings.PARLEY_JOBS_WORKER_TIMEOUT = 30
    row = claimed_by("alive", 2)
    later = timezone.now() + timedelta(seconds=31)
    worker_heartbeat(worker_id="alive", now=later)  # its heartbeat thread goes on
    assert jobs_recover(now=later) == 0
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_a_job_started_within_the_timeout_is_left_running(settings):
    """A worker that registered and claimed since the recovery read the live workers."""
    settings.PARLEY_JOBS_WORKER_TIMEOUT = 30
    row = claimed_by("new", 3)
    Worker.objects.filter(id="new").delete()
    assert jobs_recover(now=timezone.now() + timedelta(seconds=5)) == 0
    row.refresh_from_db()
    assert row.status == "RUNNING"


def test_a_job_whose_worker_dies_every_time_ends_failed(settings, caplog):
    settings.PARLEY_JOBS_WORKER_TIMEOUT = 30
    row = claimed_by("first", 4)
    now = timezone.now() + timedelta(seconds=31)
    jobs_recover(now=now)
    row.refresh_from_db()
    worker_register(worker_id="second")
    row.claim("second")  # its one retry: that worker dies too
    Worker.objects.filter(id="second").update(last_seen=now)
    assert jobs_recover(now=now + timedelta(seconds=31)) == 1
    row.refresh_from_db()
    assert row.status == "FAILED" and row.worker_ids == ["first", "second"]
    assert "no retries left" in caplog.text
