"""Members: list, join, invite, leave, remove. Invisible private rooms are 404 here too."""

from chat.payloads import user_payload
from chat.selectors import room_is_member
from chat.services.rooms import room_invite, room_join

from .client import assert_error


def test_members_are_listed_by_username(make_user, make_room, api_as):
    alice, bob = make_user("alice"), make_user("bob", display_name="Bob B.")
    room = make_room(bob, "General")
    room_join(room=room, user=alice)
    response = api_as(alice).get("/rooms/general/members")
    assert response.status_code == 200
    assert response.json() == {
        "members": [
            user_payload(alice),
            user_payload(bob),
        ],
        "page": 1,
        "page_size": 100,
        "has_more": False,
    }


def test_members_of_an_invisible_private_room_is_404(make_user, make_room, api_as):
    room = make_room(make_user(), "Secret", private=True)
    assert_error(api_as(make_user()).get(f"/rooms/{room.slug}/members"), 404, "not_found")


def test_joining_a_public_room_is_201_then_200(make_user, make_room, api_as):
    bob = make_user("bob")
    room = make_room(make_user(), "General")
    first = api_as(bob).post("/rooms/general/members")
    again = api_as(bob).post("/rooms/general/members", {})
    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert (
        first.json()
        == again.json()
        == {
            "room": "general",
            "user": user_payload(bob),
        }
    )
    assert room_is_member(room=room, user=bob)


def test_naming_yourself_joins(make_user, make_room, api_as):
    bob = make_user("bob")
    room = make_room(make_user(), "General")
    assert api_as(bob).post("/rooms/general/members", {"username": "bob"}).status_code == 201
    assert room_is_member(room=room, user=bob)


def test_joining_a_private_room_uninvited_is_404(make_user, make_room, api_as):
    room = make_room(make_user(), "Secret", private=True)
    stranger = make_user()
    assert_error(api_as(stranger).post(f"/rooms/{room.slug}/members"), 404, "not_found")
    assert not room_is_member(room=room, user=stranger)


def test_joining_a_missing_room_is_404(make_user, api_as):
    assert_error(api_as(make_user()).post("/rooms/nothing/members"), 404, "not_found")


def test_owner_invites_into_a_private_room(make_user, make_room, api_as):
    owner, bob = make_user(), make_user("bob")
    room = make_room(owner, "Secret", private=True)
    response = api_as(owner).post(f"/rooms/{room.slug}/members", {"username": "bob"})
    assert response.status_code == 201, response.content
    assert response.json()["user"]["username"] == "bob"
    assert room_is_member(room=room, user=bob)
    assert api_as(bob).get(f"/rooms/{room.slug}").status_code == 200


def test_inviting_someone_already_in_is_200(make_user, make_room, api_as):
    owner, bob = make_user(), make_user("bob")
    room = make_room(owner, "Secret", private=True)
    room_invite(room=room, by=owner, username="bob")
    assert room_is_member(room=room, user=bob)
    assert api_as(owner).post(f"/rooms/{room.slug}/members", {"username": "bob"}).status_code == 200


def test_a_member_who_is_not_the_owner_cannot_invite_into_a_private_room(
    make_user, make_room, api_as
):
    owner, member, carol = make_user(), make_user("member"), make_user("carol")
    room = make_room(owner, "Secret", private=True)
    room_invite(room=room, by=owner, username="member")
    response = api_as(member).post(f"/rooms/{room.slug}/members", {"username": "carol"})
    assert_error(response, 403, "forbidden")
    assert not room_is_member(room=room, user=carol)


def test_a_public_room_member_invites(make_user, make_room, api_as):
    owner, carol = make_user(), make_user("carol")
    room = make_room(owner, "General")
    assert api_as(owner).post("/rooms/general/members", {"username": "carol"}).status_code == 201
    assert room_is_member(room=room, user=carol)


def test_a_non_member_cannot_invite_into_a_public_room(make_user, make_room, api_as):
    make_room(make_user(), "General")
    make_user("carol")
    assert_error(
        api_as(make_user()).post("/rooms/general/members", {"username": "carol"}), 403, "forbidden"
    )


def test_inviting_an_unknown_user_is_404(make_user, make_room, api_as):
    owner = make_user()
    make_room(owner, "General")
    assert_error(
        api_as(owner).post("/rooms/general/members", {"username": "nobody"}), 404, "not_found"
    )


def test_leaving_is_204(make_user, make_room, api_as):
    bob = make_user()
    room = make_room(make_user(), "General")
    room_join(room=room, user=bob)
    response = api_as(bob).delete("/rooms/general/members")
    assert response.status_code == 204
    assert not room_is_member(room=room, user=bob)


def test_leaving_a_private_room_makes_it_invisible(make_user, make_room, api_as):
    owner, bob = make_user(), make_user("bob")
    room = make_room(owner, "Secret", private=True)
    room_invite(room=room, by=owner, username="bob")
    client = api_as(bob)
    assert client.delete(f"/rooms/{room.slug}/members", {"username": "bob"}).status_code == 204
    assert_error(client.get(f"/rooms/{room.slug}"), 404, "not_found")


def test_leaving_a_room_you_are_not_in_is_404(make_user, make_room, api_as):
    make_room(make_user(), "General")
    assert_error(api_as(make_user()).delete("/rooms/general/members"), 404, "not_found")


def test_the_owner_removes_a_member_with_204(make_user, make_room, api_as):
    owner, bob = make_user(), make_user("bob")
    room = make_room(owner, "Secret", private=True)
    room_invite(room=room, by=owner, username="bob")
    assert (
        api_as(owner).delete(f"/rooms/{room.slug}/members", {"username": "bob"}).status_code == 204
    )
    assert not room_is_member(room=room, user=bob)
    assert_error(api_as(bob).get(f"/rooms/{room.slug}"), 404, "not_found")


def test_an_administrator_removes_a_member(make_user, make_room, api_as):
    owner, bob, admin = make_user(), make_user("bob"), make_user("admin")
    admin.is_staff = True
    admin.save()
    room = make_room(owner, "General")
    room_join(room=room, user=bob)
    room_join(room=room, user=admin)
    assert api_as(admin).delete("/rooms/general/members", {"username": "bob"}).status_code == 204
    assert not room_is_member(room=room, user=bob)


def test_a_member_who_is_not_the_owner_cannot_remove_others(make_user, make_room, api_as):
    owner, bob, carol = make_user(), make_user("bob"), make_user("carol")
    room = make_room(owner, "Secret", private=True)
    room_invite(room=room, by=owner, username="bob")
    room_invite(room=room, by=owner, username="carol")
    assert_error(
        api_as(carol).delete(f"/rooms/{room.slug}/members", {"username": "bob"}), 403, "forbidden"
    )
    assert room_is_member(room=room, user=bob)


def test_the_owner_cannot_be_removed_and_non_members_are_404(make_user, make_room, api_as):
    owner, admin = make_user("owner"), make_user("admin")
    admin.is_staff = True
    admin.save()
    room = make_room(owner, "General")
    room_join(room=room, user=admin)
    client = api_as(admin)
    assert_error(client.delete("/rooms/general/members", {"username": "owner"}), 403, "forbidden")
    assert_error(client.delete("/rooms/general/members", {"username": "nobody"}), 404, "not_found")
