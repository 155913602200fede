"""The room page's *Notify me about* form, and the owner's switch for @room and @here."""

from django.test import Client

from chat.models import Membership, Room
from chat.services.rooms import room_create, room_join


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_chooses_how_the_room_notifies_them(make_user):
    ada, bob = make_user(), make_user()
    room = room_create(owner=ada, name="General")
    room_join(room=room, user=bob)
    client = signed_in(bob)
    page = client.get(f"/chat/{room.slug}/").content.decode()
    assert 'id="notify-form"' in page and "The default (mentions only)" in page
    response = client.post(f"/chat/{room.slug}/notify/", {"notify": "none"})
    assert response.status_code == 302
    assert Membership.objects.get(room=room, user=bob).notify == "none"
    client.post(f"/chat/{room.slug}/notify/", {"notify": "loud"})  # not a choice: refused
    assert Membership.objects.get(room=room, user=bob).notify == "none"


def test_a_private_room_you_are_not_in_answers_as_missing(make_user):
    ada, eve = make_user(), make_user()
    room = room_create(owner=ada, name="Secret", private=True)
    response = signed_in(eve).post(f"/chat/{room.slug}/notify/", {"notify": "all"})
    assert response.status_code == 404
    assert not Membership.objects.filter(room=room, user=eve).exists()


def test_the_owner_turns_room_and_here_off(make_user):
    ada = make_user()
    room = room_create(owner=ada, name="Big")
    client = signed_in(ada)
    assert 'name="wide_mentions"' in client.get(f"/chat/{room.slug}/").content.decode()
    client.post(f"/chat/{room.slug}/settings/", {"name": "Big", "topic": ""})  # unchecked
    assert Room.objects.get(pk=room.pk).wide_mentions is False
    client.post(f"/chat/{room.slug}/settings/", {"name": "Big", "topic": "", "wide_mentions": "on"})
    assert Room.objects.get(pk=room.pk).wide_mentions is True
