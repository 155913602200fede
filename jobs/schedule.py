"""The periodic jobs (`jobs.every`): each worker looks every few seconds, and one of them
enqueues each run.

A `Schedule` row per periodic job holds its next run. Enqueueing a run moves `next_run` forward
with one conditional UPDATE (`WHERE next_run <= now`) in the same transaction as the enqueue:
of N workers looking at once, one UPDATE matches, so one run is enqueued, and a rolled-back
enqueue leaves the run due.
"""

from datetime import datetime, timedelta

from django.db import transaction

from .api import PERIODIC
from .models import Schedule


def schedules_enqueue(*, now: datetime) -> int:
    """Enqueue the periodic jobs that are due at `now`; how many."""
    enqueued = 0
    for name, (declared, interval) in PERIODIC.items():
        seconds = interval()
        if not seconds:
            continue
        with transaction.atomic():
            Schedule.objects.get_or_create(name=name, defaults={"next_run": now})
            due = Schedule.objects.filter(name=name, next_run__lte=now)
            if due.update(next_run=now + timedelta(seconds=seconds)):
                declared.enqueue()
                enqueued += 1
    return enqueued
