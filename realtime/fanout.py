"""Fan-out of committed events to sockets through Channels' layer groups.

One group per room, named from its id (`room_group`), never from user text. Each event is
encoded once here, for every recipient: the v1 `message` frame and the tutorial endpoint's
`{"message"}` frame travel pre-encoded in the layer event and consumers write them as they are.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from . import protocol

ROOM_MESSAGE = "room.message"  # handled by `room_message` on the consumers
ROOM_TYPING = "room.typing"  # handled by `room_typing`


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def tutorial_frame(body: str) -> str:
    return protocol.encode({"message": body})


class ChannelLayerFanout:
    def publish(self, event: dict) -> None:
        if event["kind"] == "message":
            layer_event = {
                "type": ROOM_MESSAGE,
                "room_id": event["room_id"],
                "seq": event["seq"],
                "frame": protocol.message(event["message"]),
                "tutorial": tutorial_frame(event["message"]["body"]),
            }
        elif event["kind"] == "typing":
            layer_event = {
                "type": ROOM_TYPING,
                "room_id": event["room_id"],
                "origin": event["origin"],
                "frame": protocol.typing(event["room"], event["user"]),
            }
        else:
            raise ValueError(f"unknown event kind {event['kind']!r}")
        async_to_sync(get_channel_layer().group_send)(room_group(event["room_id"]), layer_event)
