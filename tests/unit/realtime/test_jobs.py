"""The server's periodic threads: which start; the background jobs' worker thread is started
unless PARLEY_JOBS_IN_SERVER is off."""

from realtime.jobs import start_job_worker, start_jobs


def test_jobs_with_interval_0_do_not_start(settings):
    settings.PARLEY_GUEST_CLEANUP_INTERVAL = 0
    assert start_jobs() == []


def test_no_job_worker_thread_when_jobs_run_only_in_workers(settings):
    settings.PARLEY_JOBS_IN_SERVER = False
    assert start_job_worker() is None
