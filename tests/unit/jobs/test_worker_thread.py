"""The embedded mode: the worker thread `parley serve` starts runs a job a request enqueued,
with no other command, woken when the request's transaction commits (not by its poll)."""

import time

import pytest

from realtime.jobs import start_job_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.unit.jobs.urls")]


def test_the_server_s_worker_thread_runs_a_job_a_request_enqueued(client, settings, tmp_path):
    settings.PARLEY_JOBS_POLL_INTERVAL = 3600  # only the wake-up on commit can start it soon
    settings.PARLEY_EMAIL_RUN_INTERVAL = 0
    worker = start_job_worker()
    assert worker is not None
    try:
        done = tmp_path / "done"
        assert client.get("/enqueue", {"name": str(done)}).status_code == 202
        deadline = time.monotonic() + 30  # a bounded wait, far below the poll
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert done.exists()
    finally:
        worker.stop()
    assert not worker.thread.is_alive()
