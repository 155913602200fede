"""The admin shows staff a message's edit history, and changes none of it."""

import pytest
from django.test import Client

from chat.services.messages import message_edit


@pytest.fixture
def staff_client(make_user):
    admin = make_user()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)
    return client


def test_a_messages_page_lists_its_earlier_bodies(make_user, make_room, post, staff_client):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "the first wording")
    message_edit(by=ada, room=room, message_id=message.pk, body="the second wording")
    message_edit(by=ada, room=room, message_id=message.pk, body="the final wording")
    page = staff_client.get(f"/admin/chat/message/{message.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Edit history" in text
    first, second = text.index("the first wording"), text.index("the second wording")
    assert first < second  # oldest first
    assert 'name="edits-0-body"' not in text  # shown, not editable
    assert 'name="edits-MAX_NUM_FORMS" value="0"' in text  # none can be added


def test_the_history_is_not_shown_to_others(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "draft")
    client = Client()
    client.force_login(ada)
    page = client.get(f"/admin/chat/message/{message.pk}/change/")
    assert page.status_code == 302 and "/admin/login/" in page["Location"]


def test_the_admin_deletes_a_message_as_a_tombstone_in_the_rooms_stream(
    make_user, make_room, post, staff_client
):
    from chat.models import Message, RoomEvent

    ada = make_user()
    secret = make_room(ada, private=True)  # staff are not in it
    message = post(ada, secret, "to be removed")
    assert staff_client.post(f"/admin/chat/message/{message.pk}/delete/").status_code == 403
    response = staff_client.post(
        "/admin/chat/message/",
        {"action": "delete_bodies", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    stored = Message.objects.get(pk=message.pk)
    assert stored.body == "" and stored.deleted_at is not None
    assert RoomEvent.objects.filter(message=message, type="message_deleted").exists()


def test_only_staff_delete_as_operators(make_user, make_room, post):
    from chat.services.messages import message_delete
    from parley.errors import Forbidden

    ada, bob = make_user(), make_user()
    room = make_room(ada)
    message = post(ada, room, "mine")
    with pytest.raises(Forbidden):
        message_delete(by=bob, room=room, message_id=message.pk, operator=True)


def test_staff_see_only_their_own_dms_and_superusers_every_one(make_user, post):
    from django.contrib.auth.models import Permission

    from chat.services.conversations import dm_open

    ada, bob = make_user(), make_user()
    dm, _ = dm_open(by=ada, usernames=[bob.username])
    post(ada, dm, "between us")
    staff = make_user()
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_room", "view_message", "view_membership"])
    )
    client = Client()
    client.force_login(staff)
    for path in ("/admin/chat/room/", "/admin/chat/message/", "/admin/chat/membership/"):
        page = client.get(path)
        assert page.status_code == 200
        assert dm.slug not in page.content.decode(), path
    assert client.get(f"/admin/chat/room/{dm.pk}/change/").status_code == 302  # "not found"
    staff.is_superuser = True
    staff.save()
    assert dm.slug in client.get("/admin/chat/room/").content.decode()


def _room_form(room, **changes) -> dict:
    """The room's admin change form as posted, with `changes`."""
    data = {
        "slug": room.slug,
        "name": room.name,
        "topic": room.topic,
        "owner": room.owner_id or "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **changes,
    }
    if room.private:
        data["private"] = "on"
    if room.wide_mentions:
        data["wide_mentions"] = "on"
    return data


def test_the_admin_hands_a_room_over_as_the_services_do(make_user, make_room, staff_client):
    from chat.models import Room, RoomEvent
    from chat.services.rooms import room_invite

    ada, grace, stranger = make_user(), make_user(), make_user()
    room = make_room(ada, private=True)  # staff are not in it
    room_invite(room=room, by=ada, username=grace.username)
    url = f"/admin/chat/room/{room.pk}/change/"
    staff_client.post(url, _room_form(room, owner=stranger.pk))
    assert Room.objects.get(pk=room.pk).owner == ada  # not a member: refused
    staff_client.post(url, _room_form(room, owner=grace.pk))
    assert Room.objects.get(pk=room.pk).owner == grace
    change = RoomEvent.objects.get(room=room, type="room_updated")
    assert change.data["owner"]["id"] == grace.pk


def test_the_admin_archives_and_unarchives_through_the_services(make_user, make_room, staff_client):
    from chat.models import Room, RoomEvent

    room = make_room(make_user())
    for action in ("archive", "unarchive"):
        response = staff_client.post(
            "/admin/chat/room/", {"action": action, "_selected_action": [room.pk]}
        )
        assert response.status_code == 302
        archived = Room.objects.get(pk=room.pk).archived_at is not None
        assert archived == (action == "archive")
    changes = RoomEvent.objects.filter(room=room, type="room_updated").order_by("seq")
    assert [change.data["archived"] for change in changes] == [True, False]


def test_the_admin_lists_each_users_file_usage_against_the_quota(
    make_user, make_room, staff_client, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chat.services.attachments import attachment_upload

    settings.PARLEY_FILES_QUOTA = 10_000
    ada = make_user("ada")
    make_user("bob")
    room = make_room(ada)
    for data in (b"a" * 1500, b"b" * 1000):
        attachment_upload(uploader=ada, room=room, upload=SimpleUploadedFile("f.txt", data))
    page = staff_client.get("/admin/chat/fileusage/")
    assert page.status_code == 200
    text = page.content.decode()
    row = text[text.index(">ada<") :]
    row = row[: row.index("</tr>")]
    assert "2.4\xa0KB" in row  # 2500 bytes
    assert "9.8\xa0KB" in row  # the quota
    assert "25.0 %" in row
    assert ">bob<" in text
    assert staff_client.get("/admin/chat/attachment/").status_code == 200
