"""`/u/<username>/`, where an @mention links: the person's name and the rooms you share that
you may see; the same 404 for nobody, a guest and a deactivated account."""

from uuid import uuid4

from django.test import Client

from accounts.services import guest_create, user_deactivate
from chat.services.messages import message_post
from chat.services.rooms import room_create, room_invite


def test_a_person_and_the_rooms_you_may_see_of_theirs(make_user, client):
    ada, bob, eve = make_user("ada", "Ada L."), make_user("bob"), make_user("eve")
    room_create(owner=ada, name="Open")
    secret = room_create(owner=ada, name="Secret plans", private=True)
    room_invite(room=secret, by=ada, username="bob")
    client.force_login(bob)
    page = client.get("/u/ada/").content.decode()
    assert "Ada L." in page and "@ada" in page and "Open" in page and "Secret plans" in page
    client.force_login(eve)
    page = client.get("/u/ada/").content.decode()
    assert "Open" in page and "Secret plans" not in page and secret.slug not in page


def test_nobody_a_guest_and_a_deactivated_account_answer_alike(make_user, db):
    gone = make_user("gone")
    user_deactivate(user=gone)
    guest = guest_create()
    answers = [Client().get(f"/u/{name}/") for name in ("nobody", guest.username, "gone")]
    assert [a.status_code for a in answers] == [404, 404, 404]
    texts = [
        a.content.decode().replace(n, "NAME")
        for a, n in zip(answers, ("nobody", guest.username, "gone"), strict=True)
    ]
    assert texts[0] == texts[1] == texts[2]


def test_a_mention_links_to_the_persons_page(make_user, make_room, client):
    ada = make_user("ada")
    message, _ = message_post(author=ada, room=make_room(ada), body="hi @ada", client_id=uuid4())
    assert 'href="/u/ada/"' in message.html
    assert client.get("/u/ada/").status_code == 200


def test_send_a_message_opens_the_dm_and_a_get_alone_opens_none(make_user, client):
    from chat.models import Room

    _ada, bob = make_user("ada"), make_user("bob")
    client.force_login(bob)
    assert 'action="/dm/ada/"' in client.get("/u/ada/").content.decode()
    page = client.get("/dm/ada/")
    assert page.status_code == 200 and "Start the conversation" in page.content.decode()
    assert not Room.objects.filter(kind="dm").exists()
    response = client.post("/dm/ada/")
    dm = Room.objects.get(kind="dm")
    assert response.status_code == 302 and response["Location"] == f"/chat/{dm.slug}/"
    assert client.get("/dm/ada/")["Location"] == f"/chat/{dm.slug}/"
    assert client.get("/dm/nobody/").status_code == 404
    assert dm.name not in client.get("/u/ada/").content.decode()  # not one of the shared rooms
