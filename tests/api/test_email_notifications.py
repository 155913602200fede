"""The caller turns their email digests off and on; what they say is what the job does."""

import uuid

from django.core import mail
from django.utils import timezone

from accounts.services import user_create
from chat.services.messages import message_post
from chat.services.rooms import room_join
from notifications.services import digests_send

from .client import assert_error


def test_digests_are_on_by_default_and_the_address_is_shown(make_user, api_as):
    ada = user_create(
        username="ada", password="correct-horse-battery-staple", email="ada@example.com"
    )
    assert api_as(ada).get("/notifications/email").json() == {
        "email": "ada@example.com",
        "enabled": True,
    }
    assert api_as(make_user()).get("/notifications/email").json() == {"email": "", "enabled": True}


def test_turned_off_no_digest_goes_and_turned_on_again_it_does(
    make_user, make_room, api_as, settings
):
    settings.PARLEY_EMAIL_DELAY = 0
    ada = user_create(
        username="ada", password="correct-horse-battery-staple", email="ada@example.com"
    )
    bob = make_user()
    room = make_room(bob)
    room_join(room=room, user=ada)
    client = api_as(ada)
    response = client.put("/notifications/email", {"enabled": False})
    assert response.status_code == 200 and response.json()["enabled"] is False
    message_post(author=bob, room=room, body="@ada look", client_id=uuid.uuid4())
    assert digests_send(now=timezone.now()) == 0
    assert client.put("/notifications/email", {"enabled": True}).json()["enabled"] is True
    assert digests_send(now=timezone.now()) == 1
    assert mail.outbox[0].to == ["ada@example.com"]


def test_a_malformed_choice_is_400(make_user, api_as):
    client = api_as(make_user())
    assert_error(client.put("/notifications/email", {"enabled": "maybe"}), 400, "bad_request")
    assert_error(client.put("/notifications/email", {}), 400, "bad_request")
    assert_error(
        client.put("/notifications/email", {"enabled": True, "email": "x@example.com"}),
        400,
        "bad_request",
    )


def test_anonymous_callers_are_401(db, api_as):
    assert_error(api_as(None).get("/notifications/email"), 401, "not_authenticated")
