"""The search page (`/search/?q=`): results a visitor may read, each a link to the message in
its room, escaped snippets, errors said on the page, and a fragment for the shell's router."""

from uuid import uuid4

from chat.services.messages import message_post
from chat.services.rooms import room_create

FRAGMENT = {"HTTP_X_PARLEY_FRAGMENT": "1"}


def post(user, room, body, **keywords):
    return message_post(author=user, room=room, body=body, client_id=uuid4(), **keywords)[0]


def test_results_link_to_the_message_in_its_room(make_user, client):
    ada = make_user()
    room = room_create(owner=ada, name="Ops")
    message = post(ada, room, "the <script>deploy</script> is done")
    root = post(ada, room, "root")
    post(ada, room, "a deploy in a thread", thread_root=root.pk)
    client.force_login(ada)
    response = client.get("/search/", {"q": "deploy"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/chat/{room.slug}/#msg-{message.seq}"' in html
    assert f'href="/chat/{room.slug}/#thread-{root.pk}"' in html
    assert "<script>deploy" not in html and "&lt;script&gt;<mark>deploy</mark>" in html
    assert 'id="search-input"' in html and 'value="deploy"' in html


def test_a_private_room_is_not_in_anyone_elses_results(make_user, client):
    ada, bob = make_user(), make_user()
    secret = room_create(owner=ada, name="Secret", private=True)
    post(ada, secret, "the plan")
    client.force_login(bob)
    html = client.get("/search/", {"q": "plan"}).content.decode()
    assert "No message you can read matches that." in html and "the plan" not in html
    hidden = client.get("/search/", {"q": f"plan in:#{secret.slug}"})
    missing = client.get("/search/", {"q": "plan in:#nowhere"})
    assert hidden.status_code == missing.status_code == 200
    assert f"There is no room &#x27;{secret.slug}&#x27;." in hidden.content.decode()
    assert "There is no room &#x27;nowhere&#x27;." in missing.content.decode()


def test_a_bad_query_is_said_on_the_page(make_user, client):
    client.force_login(make_user())
    response = client.get("/search/", {"q": "note:x"})
    assert response.status_code == 200  # the shell's page, saying what is wrong
    assert "Unknown filter note:" in response.content.decode()


def test_no_query_shows_the_help(make_user, client):
    client.force_login(make_user())
    response = client.get("/search/")
    assert response.status_code == 200 and "How to search" in response.content.decode()


def test_the_router_gets_a_fragment_with_a_more_link(make_user, client):
    ada = make_user()
    room = room_create(owner=ada, name="Ops")
    for n in range(25):
        post(ada, room, f"deploy {n}")
    client.force_login(ada)
    response = client.get("/search/", {"q": "deploy"}, **FRAGMENT)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="fragment"')
    assert html.count('class="search-result"') == 20
    assert 'id="search-more"' in html and "cursor=" in html
