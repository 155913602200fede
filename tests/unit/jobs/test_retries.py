"""A failing job is tried again up to its `retries`, each time later (exponential backoff with
jitter), each failure logged at WARNING with its traceback; the last failure is FAILED, logged
at ERROR and kept on the row for the admin."""

import logging
import random
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jobs import job, run_ready
from jobs.retries import retry_delay

pytestmark = pytest.mark.django_db(transaction=True)

calls: list[int] = []


@job(retries=2)
def flaky(failures: int) -> str:
    """Fails its first `failures` attempts."""
    calls.append(len(calls) + 1)
    if len(calls) <= failures:
        raise ConnectionError(f"attempt {len(calls)}: the service is away")
    return "done"


def make_due(row: DBTaskResult) -> None:
    """The backoff has passed (as a worker would see it later)."""
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())


def test_the_backoff_doubles_per_attempt_up_to_the_cap_with_jitter_in_its_upper_half():
    rng = random.Random(7)
    for attempts, full in [(1, 10), (2, 20), (3, 40), (4, 80), (10, 600), (30, 600)]:
        delays = [retry_delay(attempts, base=10, cap=600, rng=rng) for _ in range(50)]
        assert all(full / 2 <= delay <= full for delay in delays)
        assert len(set(delays)) > 1  # jittered


def test_a_failing_job_waits_its_backoff_then_runs_again_and_succeeds(settings, caplog):
    settings.PARLEY_JOBS_BACKOFF, settings.PARLEY_JOBS_BACKOFF_MAX = 10, 600
    calls.clear()
    flaky.enqueue(1)
    before = timezone.now()
    with caplog.at_level(logging.WARNING, logger="jobs"):
        run_ready()
    row = DBTaskResult.objects.get()
    assert calls == [1]  # not again in the same run: its backoff has not passed
    assert row.status == "READY"
    assert before + timedelta(seconds=5) <= row.run_after <= timezone.now() + timedelta(seconds=10)
    assert row.exception_class_path == "builtins.ConnectionError"  # shown in the admin
    assert "attempt 1: the service is away" in row.traceback
    [warning] = [r for r in caplog.records if r.name == "jobs.retries"]
    assert warning.levelno == logging.WARNING
    assert "attempt 1 of 3" in warning.getMessage() and warning.exc_info

    run_ready()
    assert calls == [1]  # still waiting
    make_due(row)
    run_ready()
    row.refresh_from_db()
    assert calls == [1, 2]
    assert row.status == "SUCCESSFUL" and row.return_value == "done"
    assert len(row.worker_ids) == 2  # the attempts


def test_the_second_retry_waits_about_twice_as_long(settings):
    settings.PARLEY_JOBS_BACKOFF, settings.PARLEY_JOBS_BACKOFF_MAX = 100, 10_000
    calls.clear()
    flaky.enqueue(5)
    run_ready()
    row = DBTaskResult.objects.get()
    make_due(row)
    before = timezone.now()
    run_ready()
    row.refresh_from_db()
    assert row.status == "READY" and len(row.worker_ids) == 2
    assert (
        before + timedelta(seconds=100) <= row.run_after <= timezone.now() + timedelta(seconds=200)
    )


def test_a_job_failing_for_good_is_failed_logged_at_error_and_kept(settings, caplog):
    calls.clear()
    flaky.enqueue(99)
    with caplog.at_level(logging.WARNING, logger="jobs"):
        for _ in range(3):  # the first attempt and its two retries
            run_ready()
            make_due(DBTaskResult.objects.get())
    run_ready()
    row = DBTaskResult.objects.get()
    assert calls == [1, 2, 3]
    assert row.status == "FAILED" and row.finished_at is not None
    assert "attempt 3: the service is away" in row.traceback
    ours = [r for r in caplog.records if r.name == "jobs.retries"]
    assert [r.levelno for r in ours] == [logging.WARNING, logging.WARNING, logging.ERROR]
    assert "failed for good after 3 attempt(s)" in ours[-1].getMessage()
    assert ours[-1].exc_info


@job(retries=0)
def once() -> None:
    raise ValueError("no")


def test_a_job_with_no_retries_fails_at_once():
    once.enqueue()
    run_ready()
    assert DBTaskResult.objects.get().status == "FAILED"
