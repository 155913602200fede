"""Idle guests are cleaned up, and no message is ever lost doing it."""

import threading
import uuid
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from accounts.services import guest_create, session_guest
from chat.models import Message, Reaction
from chat.services.guests import guest_cleanup
from chat.services.messages import message_post
from chat.services.reactions import reaction_add

IDLE = timedelta(days=7)


def made_ago(user: User, age: timedelta) -> User:
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - age)
    return User.objects.get(pk=user.pk)


def test_idle_guests_who_never_posted_are_deleted(db):
    idle = made_ago(guest_create(), timedelta(days=8))
    fresh = guest_create()
    assert guest_cleanup(idle=IDLE) == (1, 0)
    assert not User.objects.filter(pk=idle.pk).exists()
    assert User.objects.filter(pk=fresh.pk).exists()


def test_idle_guests_who_posted_are_kept_with_their_messages_but_deactivated(make_user, make_room):
    room = make_room(make_user())
    poster = made_ago(guest_create(), timedelta(days=30))
    message_post(author=poster, room=room, body="still here", client_id=uuid.uuid4())
    Message.objects.filter(author=poster).update(created_at=timezone.now() - timedelta(days=8))
    assert guest_cleanup(idle=IDLE) == (0, 1)
    poster.refresh_from_db()
    assert not poster.is_active
    assert Message.objects.get(author=poster).body == "still here"
    session = {"parley_guest_id": poster.pk}
    assert session_guest(session) is None  # the next write makes a new guest
    assert guest_cleanup(idle=IDLE) == (0, 0)  # idempotent


def test_idle_guests_who_only_reacted_keep_their_reactions(make_user, make_room):
    owner = make_user()
    room = make_room(owner)
    message, _ = message_post(author=owner, room=room, body="hi", client_id=uuid.uuid4())
    reactor = made_ago(guest_create(), timedelta(days=30))
    reaction_add(by=reactor, room=room, message_id=message.pk, emoji="👋")
    assert guest_cleanup(idle=IDLE) == (0, 0)  # reacted recently
    Reaction.objects.filter(user=reactor).update(created_at=timezone.now() - timedelta(days=8))
    assert guest_cleanup(idle=IDLE) == (0, 1)
    assert Reaction.objects.filter(user=reactor).count() == 1


def test_guests_who_posted_recently_are_left_alone(make_user, make_room):
    room = make_room(make_user())
    poster = made_ago(guest_create(), timedelta(days=30))
    message_post(author=poster, room=room, body="hello", client_id=uuid.uuid4())
    assert guest_cleanup(idle=IDLE) == (0, 0)
    poster.refresh_from_db()
    assert poster.is_active


def test_signed_up_users_are_never_cleaned_up(make_user):
    user = made_ago(make_user(), timedelta(days=365))
    guest_cleanup(idle=IDLE)
    assert User.objects.filter(pk=user.pk, is_active=True).exists()


def test_the_cleanguests_command(db):
    made_ago(guest_create(), timedelta(hours=2))
    out = StringIO()
    call_command("cleanguests", "--idle", "3600", stdout=out)
    assert "Deleted 1 idle guest(s)" in out.getvalue()
    assert not User.objects.filter(is_guest=True).exists()


def test_the_server_job_cleans_up_idle_guests(transactional_db, settings):
    from realtime.jobs import clean_guests_once

    settings.PARLEY_GUEST_IDLE = 3600
    made_ago(guest_create(), timedelta(hours=2))
    # On a thread of its own, as in the server (it closes its connection when done).
    job = threading.Thread(target=clean_guests_once)
    job.start()
    job.join()
    assert not User.objects.filter(is_guest=True).exists()
