"""The jobs API: a job enqueued in a transaction exists only if the transaction commits, and
`run_ready` runs what is due."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from jobs import job, run_ready

pytestmark = pytest.mark.django_db(transaction=True)

done: list[str] = []


@job()
def note(text: str) -> None:
    done.append(text)


def test_a_job_enqueued_in_a_rolled_back_transaction_never_runs():
    done.clear()
    with transaction.atomic():
        note.enqueue("kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        note.enqueue("lost")
        raise RuntimeError("the change failed")
    assert DBTaskResult.objects.count() == 1
    run_ready()
    assert done == ["kept"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
