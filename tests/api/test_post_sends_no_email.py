"""Email is the digest job's, never the request's: a post that mentions someone answers without
sending anything, however overdue the job would find it."""

from uuid import uuid4

from django.core import mail
from django.utils import timezone

from chat.services.rooms import room_join
from notifications.services import digests_send


def test_a_post_mentioning_someone_answers_before_any_email(make_user, make_room, api_as, settings):
    settings.PARLEY_EMAIL_DELAY = 0  # due at once: only the job decides when it goes
    alice = make_user("alice")
    bob = make_user("bob")
    bob.email = "bob@example.com"
    bob.save(update_fields=["email"])
    room = make_room(alice, "General")
    room_join(room=room, user=bob)
    response = api_as(alice).post(
        "/rooms/general/messages", {"body": "@bob ping", "client_id": str(uuid4())}
    )
    assert response.status_code == 201, response.content
    assert mail.outbox == []
    assert digests_send(now=timezone.now()) == 1
    assert mail.outbox[0].to == ["bob@example.com"]
