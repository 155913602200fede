"""The per-user stream in the room hub: one group per user with sockets in the process, each
user event handed to that user's members only, before the hub reads its next event; and every
per-user event type is documented and handled."""

import re
from pathlib import Path

from parley import events
from realtime.consumers.base import RoomSocket
from realtime.delivery.feed import Feed
from realtime.delivery.hub import USER_EVENT

from .test_hub import Socket, hub, joined, message  # noqa: F401  (the hub fixture)


def user_feed(socket: Socket, seen: list) -> Feed:
    socket.feed.on_user_event = lambda event: seen.append((socket, event))
    return socket.feed


async def test_a_users_events_reach_that_users_members_only(hub):  # noqa: F811
    seen: list = []
    ada_1, ada_2, bob = Socket(hub), Socket(hub), Socket(hub)
    for user_id, socket in ((1, ada_1), (1, ada_2), (2, bob)):
        await hub.join_user(user_id, user_feed(socket, seen))
    assert hub.layer.groups == {"user.1": {"hub.hub!1"}, "user.2": {"hub.hub!1"}}
    event = events.CredentialsRevoked(user_id=1, credential="*").as_dict()
    await hub.handle({"type": USER_EVENT, "user_id": 1, "event": event})
    assert {(socket, e["type"]) for socket, e in seen} == {
        (ada_1, "credentials.revoked"),
        (ada_2, "credentials.revoked"),
    }


async def test_the_user_group_is_left_with_the_last_socket(hub):  # noqa: F811
    first, second = Socket(hub), Socket(hub)
    await hub.join_user(1, first.feed)
    await hub.join_user(1, second.feed)
    await hub.leave_user(1, first.feed)
    assert hub.layer.groups["user.1"] == {"hub.hub!1"}
    await hub.leave_user(1, second.feed)
    assert hub.layer.groups["user.1"] == set() and 1 not in hub.users


async def test_a_member_detached_by_a_user_event_gets_no_later_frame_of_the_room(hub):  # noqa: F811
    socket = await joined(hub)

    def on_user_event(event):
        hub.detach(event["room_id"], socket.feed)

    socket.feed.on_user_event = on_user_event
    await hub.join_user(7, socket.feed)
    await hub.handle(message(1, 1))
    ended = events.MembershipEnded(
        user_id=7, room_id=1, room="r", reason="removed", can_see=False
    ).as_dict()
    await hub.handle({"type": USER_EVENT, "user_id": 7, "event": ended})
    await hub.handle(message(1, 2))
    assert socket.frames == ["m1"]


def test_every_user_event_type_is_documented_and_handled():
    doc = (Path(__file__).resolve().parents[3] / "docs" / "architecture.md").read_text()
    section = doc.split("## The per-user stream")[1].split("\n## ")[0]
    table = set(re.findall(r"^\s*\| `([a-z_.]+)` \|", section, re.M))
    types = set(events.user_event_types())
    assert types == table
    for kind, event in events.user_event_types().items():
        handler = getattr(RoomSocket, "user_" + kind.replace(".", "_"), None)
        assert event.client or callable(handler), kind
