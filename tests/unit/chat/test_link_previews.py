"""Link previews: a post that links out gets cards from a background job, delivered as a
`message_updated` change; refusals leave the message as it was; the author removes a card."""

import logging

import pytest
from django_tasks_db.models import DBTaskResult

from chat.models import LinkPreview
from chat.selectors import message_payloads
from chat.services.messages import message_delete, message_edit
from chat.services.previews import preview_remove
from chat.tasks import previews_make
from jobs import run_ready
from parley import events
from parley.errors import Forbidden, NotFound
from parley.storage import files_storage

pytestmark = pytest.mark.django_db(transaction=True)


def payload(message):
    message.refresh_from_db()
    return message_payloads([message])[0]


def updates(published):
    return [e for e in published if isinstance(e, events.MessageUpdated)]


def test_a_post_with_a_link_gets_its_card_from_the_job(
    make_user, make_room, post, link_server, published
):
    ada = make_user("ada")
    room = make_room(ada)
    url = link_server.url("/og")
    message = post(ada, room, f"look: {url} !")
    assert payload(message)["previews"] == []
    run_ready()
    (card,) = payload(message)["previews"]
    assert card["url"] == url
    assert (card["title"], card["description"], card["site_name"]) == (
        "Deploy & ship",
        "How we deploy, <b>safely</b>.",
        "Example Blog",
    )
    preview = LinkPreview.objects.get()
    assert card["image"] == {
        "url": f"/api/v1/rooms/{room.slug}/messages/{message.pk}/previews/{preview.pk}/image",
        "width": 480,
        "height": 240,
    }
    assert files_storage().exists(preview.image.name)
    (update,) = updates(published)
    assert update.message["previews"] == [card]
    assert update.seq == payload(message)["version"]
    assert payload(message)["body"] == f"look: {url} !"


def test_a_post_without_links_enqueues_nothing(make_user, make_room, post, settings):
    ada = make_user("ada")
    room = make_room(ada)
    post(ada, room, "no links here, not even example dot com")
    post(ada, room, "mail me: mailto:ada@example.com or `http://in.code/`")
    assert DBTaskResult.objects.count() == 0
    settings.PARLEY_PREVIEWS = False
    post(ada, room, "https://example.com/ with previews off")
    assert DBTaskResult.objects.count() == 0


def test_a_second_run_adds_nothing(make_user, make_room, post, link_server, published):
    ada = make_user("ada")
    message = post(ada, make_room(ada), link_server.url("/og"))
    run_ready()
    previews_make.enqueue(message.pk)
    run_ready()
    assert LinkPreview.objects.count() == 1
    assert len(updates(published)) == 1
    assert [path for path, _ in link_server.requests] == ["/og", "/img.png"]


def test_only_the_first_links_get_cards_in_their_order(
    make_user, make_room, post, link_server, settings
):
    settings.PARLEY_PREVIEWS_MAX = 2
    ada = make_user("ada")
    title, og = link_server.url("/title"), link_server.url("/og")
    message = post(ada, make_room(ada), f"{title} then [this]({og}) and {link_server.url('/og?3')}")
    run_ready()
    assert [p["url"] for p in payload(message)["previews"]] == [title, og]


def test_links_to_parley_itself_get_no_card(make_user, make_room, post, link_server, settings):
    settings.PARLEY_SITE_URL = link_server.url("")
    ada = make_user("ada")
    message = post(ada, make_room(ada), link_server.url("/og"))
    run_ready()
    assert payload(message)["previews"] == [] and link_server.requests == []


@pytest.mark.parametrize(
    "path",
    [
        "/redirect?to=http://127.0.0.1:{port}/og",
        "/redirect?to=http://169.254.169.254/latest/meta-data/",
        "/redirect?to=http://[::1]:{port}/og",
        "/loop",
        "/slow",
        "/huge",
        "/json",
    ],
)
def test_a_refused_link_gets_no_card_and_the_message_is_intact(
    make_user, make_room, post, link_server, published, caplog, path
):
    ada = make_user("ada")
    url = link_server.url(path.format(port=link_server.server_address[1]))
    message = post(ada, make_room(ada), f"see {url}")
    before = payload(message)
    caplog.set_level(logging.INFO)
    run_ready()
    assert payload(message) == before
    assert updates(published) == []
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert any(
        r.levelno == logging.WARNING and "link preview refused" in r.getMessage()
        for r in caplog.records
    )


def test_a_bomb_image_leaves_a_card_without_image(make_user, make_room, post, link_server):
    ada = make_user("ada")
    message = post(ada, make_room(ada), link_server.url("/bomb-page"))
    run_ready()
    (card,) = payload(message)["previews"]
    assert card["title"] == "Deploy & ship" and card["image"] is None


def test_a_message_deleted_before_the_job_gets_no_card(make_user, make_room, post, link_server):
    ada = make_user("ada")
    room = make_room(ada)
    message = post(ada, room, link_server.url("/og"))
    message_delete(by=ada, room=room, message_id=message.pk)
    run_ready()
    assert LinkPreview.objects.count() == 0


def test_a_message_edited_before_the_job_gets_cards_for_its_links_now(
    make_user, make_room, post, link_server
):
    ada = make_user("ada")
    room = make_room(ada)
    message = post(ada, room, link_server.url("/og"))
    message_edit(
        by=ada, room=room, message_id=message.pk, body=f"rather {link_server.url('/title')}"
    )
    run_ready()
    assert [p["title"] for p in payload(message)["previews"]] == ["Only a title"]


def test_an_edit_that_drops_a_link_drops_its_card_and_its_image(
    make_user, make_room, post, link_server, published
):
    ada = make_user("ada")
    room = make_room(ada)
    message = post(ada, room, link_server.url("/og"))
    run_ready()
    image = LinkPreview.objects.get().image.name
    message_edit(by=ada, room=room, message_id=message.pk, body="never mind")
    run_ready()
    assert payload(message)["previews"] == []
    assert LinkPreview.objects.count() == 0 and not files_storage().exists(image)
    assert [u.message["previews"] for u in updates(published)][-1] == []


def test_deleting_a_message_deletes_its_previews_images(make_user, make_room, post, link_server):
    ada = make_user("ada")
    room = make_room(ada)
    message = post(ada, room, link_server.url("/og"))
    run_ready()
    image = LinkPreview.objects.get().image.name
    message_delete(by=ada, room=room, message_id=message.pk)
    assert LinkPreview.objects.count() == 0 and not files_storage().exists(image)


def test_the_author_removes_a_card_for_good(make_user, make_room, post, link_server, published):
    ada = make_user("ada")
    room = make_room(ada)
    message = post(ada, room, f"{link_server.url('/og')} {link_server.url('/title')}")
    run_ready()
    first, second = LinkPreview.objects.order_by("position")
    preview_remove(by=ada, room=room, message_id=message.pk, preview_id=first.pk)
    assert [p["id"] for p in payload(message)["previews"]] == [second.pk]
    assert [p["id"] for p in updates(published)[-1].message["previews"]] == [second.pk]
    assert not files_storage().exists(first.image.name)
    # Neither a retried job nor an edit keeping the link brings it back.
    previews_make.enqueue(message.pk)
    message_edit(by=ada, room=room, message_id=message.pk, body=f"{first.url} {second.url} !")
    run_ready()
    assert [p["id"] for p in payload(message)["previews"]] == [second.pk]
    with pytest.raises(NotFound):  # removed already
        preview_remove(by=ada, room=room, message_id=message.pk, preview_id=first.pk)


def test_only_the_author_the_room_owner_or_an_admin_removes_a_card(
    make_user, make_room, post, link_server
):
    ada, bob, owner = make_user("ada"), make_user("bob"), make_user("olga")
    room = make_room(owner)
    message = post(ada, room, f"{link_server.url('/og')} {link_server.url('/title')}")
    post(bob, room, "hi")
    run_ready()
    first, second = LinkPreview.objects.order_by("position")
    with pytest.raises(Forbidden):
        preview_remove(by=bob, room=room, message_id=message.pk, preview_id=first.pk)
    preview_remove(by=owner, room=room, message_id=message.pk, preview_id=first.pk)
    with pytest.raises(NotFound):  # a preview of another message
        preview_remove(by=ada, room=room, message_id=message.pk + 1, preview_id=second.pk)


def test_a_card_in_a_private_room_is_invisible_to_others(make_user, make_room, post, link_server):
    ada, eve = make_user("ada"), make_user("eve")
    room = make_room(ada, private=True)
    message = post(ada, room, link_server.url("/og"))
    run_ready()
    preview = LinkPreview.objects.get()
    with pytest.raises(NotFound) as refused:
        preview_remove(by=eve, room=room, message_id=message.pk, preview_id=preview.pk)
    with pytest.raises(NotFound) as missing:
        preview_remove(by=eve, room=room, message_id=message.pk, preview_id=preview.pk + 99)
    assert str(refused.value) == str(missing.value)


def test_a_post_pays_for_previews_only_when_it_links_out(make_user, make_room, post):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ada = make_user("ada")
    room = make_room(ada)
    post(ada, room, "first: ada joins")

    def statements(body: str) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            post(ada, room, body)
        return [query["sql"] for query in queries.captured_queries]

    plain = statements("nothing to unfurl, example dot com")
    linked = statements("see https://example.com/")
    # One statement more, the job's row, written in the post's transaction; none to find links.
    assert len(linked) == len(plain) + 1
    assert sum("dbtaskresult" in sql for sql in linked) == 1
    assert not any("dbtaskresult" in sql or "linkpreview" in sql for sql in plain)


def test_an_edit_that_adds_a_link_adds_its_card_and_keeps_the_others(
    make_user, make_room, post, link_server, published
):
    ada = make_user("ada")
    room = make_room(ada)
    og = link_server.url("/og")
    message = post(ada, room, og)
    run_ready()
    kept = LinkPreview.objects.get()
    message_edit(by=ada, room=room, message_id=message.pk, body=f"{link_server.url('/title')} {og}")
    run_ready()
    previews = payload(message)["previews"]
    assert [p["title"] for p in previews] == ["Only a title", "Deploy & ship"]
    assert previews[1]["id"] == kept.pk  # not fetched again
    assert [path for path, _ in link_server.requests].count("/og") == 1
    assert len(updates(published)) == 2


def test_an_archived_room_keeps_its_cards(make_user, make_room, post, link_server):
    from chat.services.room_admin import room_archive
    from parley.errors import RoomArchived

    ada = make_user("ada")
    room = make_room(ada)
    message = post(ada, room, link_server.url("/og"))
    run_ready()
    room_archive(by=ada, room=room)
    with pytest.raises(RoomArchived):
        preview_remove(
            by=ada, room=room, message_id=message.pk, preview_id=LinkPreview.objects.get().pk
        )


def test_a_link_edited_away_while_it_is_fetched_leaves_no_card_and_no_file(
    make_user, make_room, post, link_server, monkeypatch
):
    import chat.services.previews as previews

    ada = make_user("ada")
    room = make_room(ada)
    message = post(ada, room, link_server.url("/og"))
    fetch = previews.unfurl

    def fetch_then_edit(url):
        card = fetch(url)
        message_edit(by=ada, room=room, message_id=message.pk, body="no link after all")
        return card

    monkeypatch.setattr(previews, "unfurl", fetch_then_edit)
    run_ready()
    assert LinkPreview.objects.count() == 0
    folder = f"previews/{message.pk}"
    assert not files_storage().exists(folder) or files_storage().listdir(folder)[1] == []


def test_a_room_deleted_in_the_admin_takes_its_previews_images(
    make_user, make_room, post, link_server
):
    ada = make_user("ada")
    room = make_room(ada)
    post(ada, room, link_server.url("/og"))
    run_ready()
    image = LinkPreview.objects.get().image.name
    room.delete()  # what the admin's delete does
    assert not files_storage().exists(image)
