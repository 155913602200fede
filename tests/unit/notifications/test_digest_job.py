"""The email digests run as a background job: enqueued once per PARLEY_EMAIL_RUN_INTERVAL
however many workers look, not at all when digests are off, and a mail server that refuses
leaves the digest due for the next run."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chat.services.messages import message_post
from chat.services.rooms import room_join
from jobs import run_ready
from jobs.schedule import schedules_enqueue
from notifications.models import EmailedMessage
from notifications.tasks import digests_send_due

pytestmark = pytest.mark.django_db(transaction=True)


def digest_jobs() -> int:
    return DBTaskResult.objects.filter(task_path=digests_send_due.module_path).count()


def test_the_digest_job_is_enqueued_once_per_interval_however_many_workers_look(settings):
    settings.PARLEY_EMAIL_RUN_INTERVAL = 60
    now = timezone.now()
    for _ in range(4):  # four workers' rounds at the same moment
        schedules_enqueue(now=now)
    assert digest_jobs() == 1
    schedules_enqueue(now=now + timedelta(seconds=30))
    assert digest_jobs() == 1
    schedules_enqueue(now=now + timedelta(seconds=61))
    assert digest_jobs() == 2


def test_no_digest_job_when_digests_are_off(settings):
    settings.PARLEY_EMAIL_RUN_INTERVAL = 60
    settings.PARLEY_EMAIL_DIGESTS = False  # production without EMAIL_HOST
    schedules_enqueue(now=timezone.now())
    assert digest_jobs() == 0


def test_no_digest_job_with_interval_0(settings):
    settings.PARLEY_EMAIL_RUN_INTERVAL = 0  # only `parley senddigests`
    schedules_enqueue(now=timezone.now())
    assert digest_jobs() == 0


def test_a_mail_server_that_refuses_is_logged_and_the_next_run_sends(
    make_user, make_room, settings, caplog, refusing_mail_server
):
    settings.PARLEY_EMAIL_DELAY = 0
    alice, bob = make_user(), make_user()
    bob.email = "bob@example.com"
    bob.save(update_fields=["email"])
    room = make_room(alice)
    room_join(room=room, user=bob)
    message_post(author=alice, room=room, body=f"@{bob.username} hi", client_id=uuid.uuid4())
    digests_send_due.enqueue()
    run_ready()
    assert "tried again on the next run" in caplog.text
    assert not EmailedMessage.objects.exists()  # still due: the next run sends it
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    digests_send_due.enqueue()
    run_ready()
    assert EmailedMessage.objects.count() == 1
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
