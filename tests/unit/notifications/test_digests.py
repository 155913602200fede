"""Email digests of unread mentions and DMs: who gets one, when, what it says, and that it is
sent once however many runners run it."""

import io
import threading
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone

from chat.services.conversations import dm_open
from chat.services.messages import message_delete, message_post
from chat.services.reading import marker_read, notify_set
from chat.services.rooms import room_join
from notifications.models import EmailedMessage
from notifications.services import digests_send, email_notifications_set


def post(user, room, body):
    return message_post(author=user, room=room, body=body, client_id=uuid.uuid4())[0]


def later(seconds: int = 601):
    """A moment `seconds` from now: past PARLEY_EMAIL_DELAY (600 s) by default."""
    return timezone.now() + timedelta(seconds=seconds)


@pytest.fixture
def people(make_user, make_room):
    """(alice, bob, room): bob, with an email address, is in alice's channel "General"."""
    alice = make_user("alice", display_name="Alice")
    bob = make_user("bob")
    bob.email = "bob@example.com"
    bob.save(update_fields=["email"])
    room = make_room(alice, "General")
    room_join(room=room, user=bob)
    return alice, bob, room


def test_a_mention_unread_past_the_delay_is_emailed_once(people):
    alice, _, room = people
    post(alice, room, "@bob can you look at the deploy?")
    assert digests_send(now=later(60)) == 0  # not yet: bob may still read it in the app
    assert digests_send(now=later()) == 1
    [email] = mail.outbox
    assert email.to == ["bob@example.com"]
    assert "Alice: @bob can you look at the deploy?" in email.body
    assert "#General" in email.body
    html = email.alternatives[0][0]
    assert "can you look at the deploy?" in html
    assert digests_send(now=later(2 * 3600)) == 0  # listed once, never again
    assert len(mail.outbox) == 1


def test_a_mention_read_before_the_delay_is_not_emailed(people):
    alice, bob, room = people
    post(alice, room, "@bob hello")
    marker_read(user=bob, room=room)
    assert digests_send(now=later()) == 0
    assert mail.outbox == []


def test_no_email_where_notify_is_none_nor_for_plain_channel_messages(people):
    alice, bob, room = people
    post(alice, room, "no mention here")
    assert digests_send(now=later()) == 0
    notify_set(user=bob, room=room, notify="none")
    post(alice, room, "@bob and @room")
    assert digests_send(now=later()) == 0
    assert mail.outbox == []


def test_room_and_here_mentions_are_emailed(people):
    alice, _, room = people
    post(alice, room, "@here standup in five")
    assert digests_send(now=later()) == 1
    assert "standup in five" in mail.outbox[0].body


def test_a_dm_is_emailed_and_its_link_opens_it(people, settings):
    settings.PARLEY_SITE_URL = "https://chat.example.com"
    alice, _, _ = people
    dm, _ = dm_open(by=alice, usernames=["bob"])
    post(alice, dm, "lunch?")
    assert digests_send(now=later()) == 1
    [email] = mail.outbox
    assert "Alice: lunch?" in email.body
    assert "in a direct message" in email.body
    link = f"https://chat.example.com/chat/{dm.slug}/"
    assert link in email.body
    assert f'href="{link}"' in email.alternatives[0][0]


def test_the_channel_link_is_absolute_on_the_site_url(people, settings):
    settings.PARLEY_SITE_URL = "https://chat.example.com/"
    alice, _, room = people
    post(alice, room, "@bob see this")
    digests_send(now=later())
    assert "in #General: https://chat.example.com/chat/general/" in mail.outbox[0].body


def test_own_and_deleted_messages_are_not_emailed(people):
    alice, bob, room = people
    post(bob, room, "@bob talking to myself")
    message = post(alice, room, "@bob oops")
    message_delete(by=alice, room=room, message_id=message.pk)
    assert digests_send(now=later()) == 0


def test_at_most_one_digest_per_interval_and_the_rest_waits_for_the_next(people):
    alice, _, room = people
    post(alice, room, "@bob first")
    assert digests_send(now=later()) == 1
    post(alice, room, "@bob second")
    assert digests_send(now=later(1200)) == 0  # due, but a digest went within the hour
    assert digests_send(now=later(601 + 3600)) == 1
    _, second = mail.outbox
    assert "second" in second.body and "first" not in second.body


def test_two_runs_at_once_send_one_digest(people):
    alice, _, room = people
    post(alice, room, "@bob are you there?")
    now = later()
    assert digests_send(now=now) + digests_send(now=now) == 1
    assert len(mail.outbox) == 1


def test_no_email_without_an_address_or_when_turned_off(people, make_user):
    alice, bob, room = people
    carol = make_user("carol")  # no address
    room_join(room=room, user=carol)
    email_notifications_set(user=bob, enabled=False)
    post(alice, room, "@bob @carol ping")
    assert digests_send(now=later()) == 0
    email_notifications_set(user=bob, enabled=True)
    assert digests_send(now=later()) == 1
    assert mail.outbox[0].to == ["bob@example.com"]


def test_a_failed_send_is_retried_on_the_next_run_with_what_was_due(
    people, settings, caplog, refusing_mail_server
):
    alice, _, room = people
    post(alice, room, "@bob the build is red")
    assert digests_send(now=later()) == 0
    assert "email digest for user" in caplog.text
    assert not EmailedMessage.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digests_send(now=later()) == 1
    assert "the build is red" in mail.outbox[0].body


def test_the_command_sends_what_is_due(people, settings):
    alice, _, room = people
    settings.PARLEY_EMAIL_DELAY = 0
    post(alice, room, "@bob now")
    out = io.StringIO()
    call_command("senddigests", stdout=out)
    assert "Sent 1 email digest(s)." in out.getvalue()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_runners_send_one_digest(make_user, make_room):
    alice = make_user("alice")
    bob = make_user("bob")
    bob.email = "bob@example.com"
    bob.save(update_fields=["email"])
    dm, _ = dm_open(by=alice, usernames=["bob"])
    for n in range(5):
        post(alice, dm, f"message {n}")
    now = later()
    start = threading.Barrier(4)
    sent: list[int] = []

    def runner() -> None:
        try:
            start.wait()
            sent.append(digests_send(now=now))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 1
    [email] = mail.outbox
    assert "5 messages for you are still unread" in email.body
    assert EmailedMessage.objects.filter(user=bob).count() == 5


def test_the_subject_is_one_line_of_plain_text(people):
    alice, _, room = people
    alice.display_name = "Alice <A&B>"
    alice.save(update_fields=["display_name"])
    post(alice, room, "@bob <b>hi</b>")
    digests_send(now=later())
    [email] = mail.outbox
    assert email.subject == "Alice <A&B> wrote to you in #General on Parley"
    assert "<b>hi</b>" in email.body  # plain text is not escaped
    assert "&lt;b&gt;hi&lt;/b&gt;" in email.alternatives[0][0]  # the HTML is


def test_a_long_digest_shows_the_first_twenty_and_counts_the_rest(people):
    alice, bob, _ = people
    dm, _ = dm_open(by=alice, usernames=["bob"])
    for n in range(22):
        post(alice, dm, f"note {n}")
    assert digests_send(now=later()) == 1
    [email] = mail.outbox
    assert "22 messages for you are still unread" in email.body
    assert "note 19" in email.body and "note 20" not in email.body
    assert "...and 2 more." in email.body
    assert EmailedMessage.objects.filter(user=bob).count() == 22  # counted ones are told too


def test_messages_in_many_conversations_are_all_listed(people, make_user, make_room, monkeypatch):
    from notifications import selectors

    monkeypatch.setattr(selectors, "ROOMS_PER_QUERY", 2)  # DMs read in several queries
    alice, bob, _ = people
    for n in range(3):
        room = make_room(alice, f"Room {n}")
        room_join(room=room, user=bob)
        post(alice, room, f"@bob look at room {n}")
    for n in range(5):
        friend = make_user()
        dm, _ = dm_open(by=friend, usernames=["bob"])
        post(friend, dm, f"direct {n}")
    assert digests_send(now=later()) == 1
    body = mail.outbox[0].body
    assert all(f"look at room {n}" in body for n in range(3))
    assert all(f"direct {n}" in body for n in range(5))


def test_the_command_says_when_digests_are_off(people, settings):
    settings.PARLEY_EMAIL_DIGESTS = False  # production without EMAIL_HOST
    settings.PARLEY_EMAIL_DELAY = 0
    alice, _, room = people
    post(alice, room, "@bob now")
    out = io.StringIO()
    call_command("senddigests", stdout=out)
    assert "Email digests are off: set EMAIL_HOST" in out.getvalue()
    assert mail.outbox == []
