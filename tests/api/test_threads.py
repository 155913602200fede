"""Threads over REST: a reply names its root, the room's timeline shows the root with its
summary, a thread's replies come a page at a time, and the threads one took part in."""

from uuid import uuid4

from chat.payloads import user_payload
from chat.services.messages import message_post
from chat.services.rooms import room_invite, room_leave

from .client import assert_error


def reply(client, room, root_id, body, **extra):
    return client.post(
        f"/rooms/{room.slug}/messages",
        {"body": body, "client_id": str(uuid4()), "thread_root": root_id, **extra},
    )


def test_a_reply_is_201_without_a_seq_and_the_timeline_shows_its_root(make_user, make_room, api_as):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    root = message_post(author=ada, room=room, body="root", client_id=uuid4())[0]
    response = reply(api_as(bob), room, root.pk, "in the thread")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["seq"], answer["thread_root"], answer["in_room"]) == (None, root.pk, False)
    shown = reply(api_as(ada), room, root.pk, "for everyone", also_to_room=True).json()
    assert (shown["seq"], shown["in_room"]) == (2, True)
    timeline = api_as(bob).get(f"/rooms/{room.slug}/messages").json()["messages"]
    assert [m["body"] for m in timeline] == ["root", "for everyone"]
    assert timeline[0]["reply_count"] == 2
    assert timeline[0]["repliers"] == [user_payload(bob), user_payload(ada)]
    assert timeline[0]["last_reply_at"] == shown["created_at"]


def test_a_reply_to_a_missing_root_is_404_and_also_to_room_alone_is_400(
    make_user, make_room, api_as
):
    ada = make_user()
    room = make_room(ada)
    client = api_as(ada)
    assert_error(reply(client, room, 10**9, "orphan"), 404, "not_found")
    response = client.post(
        f"/rooms/{room.slug}/messages",
        {"body": "top", "client_id": str(uuid4()), "also_to_room": True},
    )
    assert_error(response, 400, "bad_request")


def test_a_thread_is_read_from_its_root_or_any_reply_a_page_at_a_time(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    root = message_post(author=ada, room=room, body="root", client_id=uuid4())[0]
    client = api_as(ada)
    replies = [reply(client, room, root.pk, f"r{i}").json() for i in range(3)]
    page = client.get(f"/rooms/{room.slug}/messages/{replies[1]['id']}/replies", limit=2).json()
    assert page["root"]["id"] == root.pk and page["root"]["reply_count"] == 3
    assert [m["body"] for m in page["replies"]] == ["r0", "r1"] and page["has_more"] is True
    last = page["replies"][-1]
    # A reaction raises the reply's version; paging goes by the reply's id.
    client.put(f"/rooms/{room.slug}/messages/{replies[0]['id']}/reactions/%F0%9F%91%8D")
    rest = client.get(f"/rooms/{room.slug}/messages/{root.pk}/replies", after=last["id"]).json()
    assert [m["body"] for m in rest["replies"]] == ["r2"] and rest["has_more"] is False
    first = client.get(
        f"/rooms/{room.slug}/messages/{root.pk}/replies", after=replies[0]["id"]
    ).json()
    assert [m["body"] for m in first["replies"]] == ["r1", "r2"]
    elsewhere = client.get(f"/rooms/{room.slug}/messages/{root.pk}/replies", after=root.pk)
    assert elsewhere.json()["replies"] == []  # not a reply of this thread


def test_a_deleted_roots_thread_still_reads(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    root = message_post(author=ada, room=room, body="root", client_id=uuid4())[0]
    client = api_as(ada)
    reply(client, room, root.pk, "kept")
    assert client.delete(f"/rooms/{room.slug}/messages/{root.pk}").status_code == 204
    page = client.get(f"/rooms/{room.slug}/messages/{root.pk}/replies").json()
    assert (page["root"]["deleted"], page["root"]["body"]) == (True, "")
    assert [m["body"] for m in page["replies"]] == ["kept"]


def test_my_threads_newest_activity_first_and_only_in_rooms_i_see(make_user, make_room, api_as):
    ada, bob = make_user(), make_user()
    public = make_room(ada)
    private = make_room(ada, private=True)
    room_invite(room=private, by=ada, username=bob.username)
    roots = [
        message_post(author=ada, room=room, body=f"root in {room.slug}", client_id=uuid4())[0]
        for room in (public, private)
    ]
    reply(api_as(bob), private, roots[1].pk, "first")
    reply(api_as(bob), public, roots[0].pk, "later")
    mine = api_as(bob).get("/threads").json()
    assert [t["id"] for t in mine["threads"]] == [roots[0].pk, roots[1].pk]
    assert mine["threads"][1]["room"] == private.slug and mine["has_more"] is False
    room_leave(room=private, user=bob)
    assert [t["id"] for t in api_as(bob).get("/threads").json()["threads"]] == [roots[0].pk]
    assert api_as(ada).get("/threads", page_size=1).json()["has_more"] is True
