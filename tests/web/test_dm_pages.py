"""A direct message's page: named as its viewer sees it (the sidebar's name and @, never the
stored list of every username), wherever the page says its name; and no way to leave it, since
its people are what it is. A DM someone left before leaving was refused opens again with them."""

import re

from django.test import Client

from chat.models import Membership
from chat.services.conversations import dm_open

FRAGMENT = {"HTTP_X_PARLEY_FRAGMENT": "1"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def texts(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_dm_page_is_named_as_its_viewer_sees_it(make_user):
    ada, bob = make_user("ada", "Ada"), make_user("bob", "Bob B")
    dm, _ = dm_open(by=ada, usernames=["bob"])
    page = texts(signed_in(ada).get(f"/chat/{dm.slug}/"))
    assert "<title>@ Bob B · Parley</title>" in page
    assert '<h1 id="room-title"><span aria-hidden="true">@</span> Bob B</h1>' in page
    assert 'placeholder="Message Bob B"' in page
    assert '<span id="about-name">Bob B</span>' in page
    assert 'aria-label="Messages in Bob B"' in page
    assert 'data-name="Bob B" data-sign="@"' in page
    assert "A direct message: only its people can see it" in page
    assert dm.name not in page  # "ada, bob": the stored name is nobody's view of it
    assert "# " not in re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    assert "Private</span>" not in page  # a DM is always private: the sidebar does not say it

    fragment = texts(signed_in(ada).get(f"/chat/{dm.slug}/", **FRAGMENT))
    assert '<div id="fragment" data-title="@ Bob B · Parley"' in fragment

    theirs = texts(signed_in(bob).get(f"/chat/{dm.slug}/"))
    assert "<title>@ Ada · Parley</title>" in theirs and 'placeholder="Message Ada"' in theirs


def test_a_group_dm_names_the_others_in_order_and_one_with_yourself_you(make_user):
    ada, _bob, _cy = make_user("ada", "Ada"), make_user("bob", "bob"), make_user("cy", "Cy")
    group, _ = dm_open(by=ada, usernames=["cy", "bob"])
    page = texts(signed_in(ada).get(f"/chat/{group.slug}/"))
    assert "<title>@ bob, Cy · Parley</title>" in page  # case-insensitively, as the sidebar
    notes, _ = dm_open(by=ada, usernames=[])
    assert "<title>@ Ada · Parley</title>" in texts(signed_in(ada).get(f"/chat/{notes.slug}/"))


def test_a_channel_keeps_its_sign_and_name(make_user, make_room):
    ada = make_user()
    room = make_room(ada, "Ops")
    page = texts(signed_in(ada).get(f"/chat/{room.slug}/"))
    assert "<title># Ops · Parley</title>" in page and 'placeholder="Message # Ops"' in page
    assert 'id="leave-form"' in page


def test_a_dm_has_no_leave_form_and_leaving_it_is_refused(make_user):
    ada, bob = make_user("ada"), make_user("bob")
    dm, _ = dm_open(by=ada, usernames=["bob"])
    client = signed_in(bob)
    assert 'id="leave-form"' not in texts(client.get(f"/chat/{dm.slug}/"))
    response = client.post(f"/chat/{dm.slug}/leave/")
    assert response.status_code == 302 and response["Location"] == f"/chat/{dm.slug}/"
    assert "cannot be left" in texts(client.get(response["Location"]))
    assert Membership.objects.filter(room=dm, user=bob).exists()
    assert client.post("/dm/ada/")["Location"] == f"/chat/{dm.slug}/"


def test_a_dm_left_before_leaving_was_refused_opens_again(make_user):
    """The member set is the DM's identity: a GET offers to open it again rather than
    redirecting to a room that answers 404, and the form's POST puts its people back."""
    ada, bob = make_user("ada"), make_user("bob")
    dm, _ = dm_open(by=ada, usernames=["bob"])
    Membership.objects.filter(room=dm, user=bob).delete()  # as a leave once did
    client = signed_in(bob)
    offer = client.get("/dm/ada/")
    assert "Start the conversation" in texts(offer)
    response = client.post("/dm/ada/")
    assert response.status_code == 302 and response["Location"] == f"/chat/{dm.slug}/"
    assert "<title>@ ada · Parley</title>" in texts(client.get(response["Location"]))
    assert client.get("/dm/ada/")["Location"] == f"/chat/{dm.slug}/"
