"""The server's periodic jobs: which start, and that a job's failure is logged, not raised."""

import threading
import uuid

from chat.services.messages import message_post
from chat.services.rooms import room_join
from notifications.models import EmailedMessage
from realtime.jobs import send_digests_once, start_jobs


def test_jobs_with_interval_0_do_not_start(settings):
    settings.PARLEY_GUEST_CLEANUP_INTERVAL = 0
    settings.PARLEY_EMAIL_RUN_INTERVAL = 0
    assert start_jobs() == []


def test_no_digest_thread_when_digests_are_off(settings):
    settings.PARLEY_GUEST_CLEANUP_INTERVAL = 0
    settings.PARLEY_EMAIL_RUN_INTERVAL = 60
    settings.PARLEY_EMAIL_DIGESTS = False  # production without EMAIL_HOST
    assert start_jobs() == []


def test_a_mail_server_that_refuses_is_logged_and_the_job_goes_on(
    transactional_db, make_user, make_room, settings, caplog, refusing_mail_server
):
    settings.PARLEY_EMAIL_DELAY = 0
    alice, bob = make_user(), make_user()
    bob.email = "bob@example.com"
    bob.save(update_fields=["email"])
    room = make_room(alice)
    room_join(room=room, user=bob)
    message_post(author=alice, room=room, body=f"@{bob.username} hi", client_id=uuid.uuid4())
    # On a thread of its own, as in the server (it closes its connection when done).
    job = threading.Thread(target=send_digests_once)
    job.start()
    job.join()
    assert "tried again on the next run" in caplog.text
    assert not EmailedMessage.objects.exists()  # still due: the next run sends it
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    job = threading.Thread(target=send_digests_once)
    job.start()
    job.join()
    assert EmailedMessage.objects.count() == 1
