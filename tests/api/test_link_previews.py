"""Link previews over REST: the message's `previews`, the thumbnail served only to whoever may
read the message, and removal by the author."""

from uuid import uuid4

import pytest

from chat.models import LinkPreview
from chat.services.messages import message_post
from chat.services.rooms import room_invite
from jobs import run_ready

from .client import assert_error

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def previewed(make_user, make_room, link_server):
    """previewed(**room_options): (author, room, message, preview) after the job ran."""

    def make(**room_options):
        author = make_user()
        room = make_room(author, **room_options)
        body = f"read {link_server.url('/og')}"
        message = message_post(author=author, room=room, body=body, client_id=uuid4())[0]
        run_ready()
        return author, room, message, LinkPreview.objects.get(message=message)

    return make


def test_history_carries_the_previews(previewed, api_as):
    ada, room, _message, preview = previewed()
    (got,) = api_as(ada).get(f"/rooms/{room.slug}/messages").json()["messages"]
    assert [p["id"] for p in got["previews"]] == [preview.pk]
    assert got["previews"][0]["image"]["width"] == 480


def test_the_thumbnail_is_served_to_readers_only_as_a_jpeg_never_sniffed(
    previewed, api_as, make_user
):
    ada, room, message, preview = previewed(private=True)
    image_url = f"/rooms/{room.slug}/messages/{message.pk}/previews/{preview.pk}/image"
    response = api_as(ada).get(image_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"\xff\xd8")
    eve = make_user("eve")
    refused = assert_error(api_as(eve).get(image_url), 404, "not_found")
    missing = assert_error(
        api_as(eve).get(f"/rooms/no-such-room/messages/{message.pk}/previews/{preview.pk}/image"),
        404,
        "not_found",
    )
    assert refused["message"].replace(room.slug, "X") == missing["message"].replace(
        "no-such-room", "X"
    )
    room_invite(room=room, by=ada, username="eve")
    assert api_as(eve).get(image_url).status_code == 200


def test_the_author_deletes_a_preview_and_others_may_not(previewed, api_as, make_user):
    ada, room, message, preview = previewed()
    path = f"/rooms/{room.slug}/messages/{message.pk}/previews/{preview.pk}"
    bob = make_user("bob")
    assert_error(api_as(bob).delete(path), 403, "forbidden")
    assert api_as(ada).delete(path).status_code == 204
    assert_error(api_as(ada).delete(path), 404, "not_found")
    assert_error(api_as(ada).get(path + "/image"), 404, "not_found")
    got = api_as(ada).get(f"/rooms/{room.slug}/messages").json()["messages"][0]
    assert got["previews"] == []


def test_a_preview_id_out_of_range_is_a_clear_error(previewed, api_as):
    ada, room, message, _ = previewed()
    base = f"/rooms/{room.slug}/messages/{message.pk}/previews"
    assert_error(api_as(ada).delete(f"{base}/99999999999999999999"), 404, "not_found")
    assert_error(api_as(ada).delete(f"{base}/abc"), 400, "bad_request")
    assert_error(api_as(ada).get(f"{base}/99999999999999999999/image"), 404, "not_found")
