"""A job whose end cannot be written (the database went away as it finished) is put back in
the queue once the database answers, and runs again: the worker's heartbeat goes on, so the
recovery would never pick it up."""

import pytest
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from jobs import job, run_ready

pytestmark = pytest.mark.django_db(transaction=True)

runs: list[int] = []
failing_saves = [0]


@job()
def loses_the_database() -> None:
    runs.append(1)
    if len(runs) == 1:
        # set_successful tries 3 times, then the failure's requeue once: all 4 fail.
        failing_saves[0] = 4


def test_a_job_whose_end_cannot_be_written_runs_again(monkeypatch, caplog):
    save = DBTaskResult.save

    def flaky_save(self, *args, **kwargs):
        if failing_saves[0]:
            failing_saves[0] -= 1
            raise OperationalError("the database is away")
        return save(self, *args, **kwargs)

    monkeypatch.setattr(DBTaskResult, "save", flaky_save)
    runs.clear()
    loses_the_database.enqueue()
    run_ready()
    row = DBTaskResult.objects.get()
    assert len(runs) == 2
    assert row.status == "SUCCESSFUL"
    assert "could not record how job" in caplog.text
