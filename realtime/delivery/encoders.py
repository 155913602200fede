"""What each endpoint writes for a room event, and which counter its cursor follows.

A room event travels (in the layer, and from the database on a replay or a refill) as an
`Item`: the room's change as its protocol v2 frame (a dict), its event seq, and, for a post of a
room message, the message's number (`Message.seq`). Each endpoint's encoder turns an item into
the text frame its sockets get, or None for an item it does not show:

- protocol v2 (`/ws/?protocol=2`): every change, sequenced by the room's event seq;
- protocol v1 (`/ws/`): room messages, sequenced by their number, and member changes
  (unsequenced, "joined" or "left");
- the Channels tutorial's endpoint (`/ws/chat/<room>/`): room messages, as `{"message": body}`.

The hub encodes each item once per encoder in use in the process, not once per socket.
"""

from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from parley import events

from .. import protocol


class Item(TypedDict):
    """A room event on its way to sockets (the layer event of type `room.change`)."""

    type: str
    room_id: int
    seq: int  # the room's event seq
    number: int | None  # the message's number, for a post shown in the room
    frame: dict[str, Any]  # the protocol v2 frame


ROOM_CHANGE = "room.change"

# Protocol v1's `member` frame says only "joined" or "left".
V1_CHANGES = {"joined": "joined", "invited": "joined", "left": "left", "removed": "left"}


def v2_frame(change: events.RoomChange) -> dict[str, Any]:
    return {"type": change.type, "room": change.room, "seq": change.seq, **change.fields()}


def item(change: events.RoomChange) -> Item:
    number = change.number if isinstance(change, events.MessagePosted) else None
    return {
        "type": ROOM_CHANGE,
        "room_id": change.room_id,
        "seq": change.seq,
        "number": number,
        "frame": v2_frame(change),
    }


@dataclass(frozen=True, eq=False)
class Encoder:
    """`counts`: which counter the endpoint's cursors and `since` follow, "events" (the room's
    event seq) or "messages" (message numbers). `live`: whether typing frames are written;
    `typing_stops`: whether `typing_stopped` frames are too (protocol v2)."""

    name: str
    counts: Literal["events", "messages"]
    live: bool
    typing_stops: bool = False

    def position(self, item: Item) -> int | None:
        """The item's place in this endpoint's sequence; None for an unsequenced frame."""
        return item["seq"] if self.counts == "events" else item["number"]

    def encode(self, item: Item) -> str | None:
        raise NotImplementedError


class V2(Encoder):
    def encode(self, item: Item) -> str | None:
        return protocol.encode(item["frame"])


class V1(Encoder):
    def encode(self, item: Item) -> str | None:
        frame = item["frame"]
        if frame["type"] == events.MessagePosted.type:
            return protocol.message(frame["message"]) if item["number"] is not None else None
        if frame["type"] == events.MemberChanged.type:
            return protocol.member(frame["room"], frame["user"], V1_CHANGES[frame["change"]])
        return None


class Tutorial(Encoder):
    def encode(self, item: Item) -> str | None:
        frame = item["frame"]
        if frame["type"] == events.MessagePosted.type and item["number"] is not None:
            return tutorial_frame(frame["message"]["body"])
        return None


def tutorial_frame(body: str) -> str:
    return protocol.encode({"message": body})


PROTOCOL_V2 = V2("v2", counts="events", live=True, typing_stops=True)
PROTOCOL_V1 = V1("v1", counts="messages", live=True)
TUTORIAL = Tutorial("tutorial", counts="messages", live=False)
