"""Fan-out of committed events to sockets through Channels' layer groups.

One group per room and one per user, named from their ids (hub.room_group, hub.user_group),
never from user text. A room change travels as an `Item` (encoders.py): its protocol v2 frame,
its event seq and its message number; the room hubs encode it once per endpoint. A user event
goes to its user's group as a dict; the hubs hand it to that user's sockets.

Events are published from the database thread, right after the commit. Waiting there for the
layer (a hop to the event loop and, in production, a round trip to Redis) would hold up the next
post, so the event is handed to the server's event loop, where one task per loop sends events
to the layer one after another, in the order they were committed.
"""

import asyncio
import logging
import os

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

from parley import events

from ..cancellation import stop_if_cancelled
from .encoders import item
from .hub import ROOM_OPENED, ROOM_TYPING, USER_EVENT, name_group, room_group, user_group

logger = logging.getLogger(__name__)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop that called into this thread through sync_to_async (asgiref records it,
    and uses it the same way in async_to_sync), or the loop running in this thread."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return getattr(SyncToAsync.threadlocal, "main_event_loop", None)


class ChannelLayerFanout:
    def __init__(self):
        # Per event loop: events waiting to be sent to the layer, in commit order.
        self.queues: dict[asyncio.AbstractEventLoop, asyncio.Queue] = {}
        # The event loop this process serves on, as last seen by a publish.
        self.home: asyncio.AbstractEventLoop | None = None

    def publish(self, event: events.Event) -> None:
        if isinstance(event, events.RoomChange):
            self._send(room_group(event.room_id), dict(item(event)))
        elif isinstance(event, events.Typing):
            layer_event = {
                "type": ROOM_TYPING,
                "room_id": event.room_id,
                "origin": event.origin,
                "frame": {
                    "type": "typing_stopped" if event.stopped else "typing",
                    "room": event.room,
                    "user": event.user,
                },
            }
            self._send(room_group(event.room_id), layer_event)
        elif isinstance(event, events.UserEvent):
            layer_event = {"type": USER_EVENT, "user_id": event.user_id, "event": event.as_dict()}
            self._send(user_group(event.user_id), layer_event)
        elif isinstance(event, events.RoomOpened):
            layer_event = {"type": ROOM_OPENED, "room_id": event.room_id, "room": event.room}
            self._send(name_group(event.room), layer_event)
        else:
            raise ValueError(f"unknown event {event!r}")

    def _send(self, group: str, layer_event: dict) -> None:
        loop = _server_loop()
        if loop is not None:
            self.home = loop
        elif self.home is not None and self.home.is_running():
            # A thread the server started itself (the job worker's, in the embedded mode):
            # hand the event to the server's loop, whose in-memory layer is not thread-safe.
            loop = self.home
        if loop is None or not loop.is_running():
            # No server here (a management command): send it and wait.
            async_to_sync(get_channel_layer().group_send)(group, layer_event)
            return
        loop.call_soon_threadsafe(self._enqueue, loop, group, layer_event)

    def _enqueue(self, loop: asyncio.AbstractEventLoop, group: str, layer_event: dict) -> None:
        """On the loop: queue the event for the loop's sender, starting it if need be."""
        queue = self.queues.get(loop)
        if queue is None:
            queue = self.queues[loop] = asyncio.Queue()
            sender = loop.create_task(self._send_in_order(queue))
            sender.add_done_callback(lambda _: self.queues.pop(loop, None))
        queue.put_nowait((group, layer_event))

    async def _send_in_order(self, queue: asyncio.Queue) -> None:
        layer = get_channel_layer()
        while True:
            group, layer_event = await queue.get()
            try:
                await layer.group_send(group, layer_event)
            except Exception:
                # The message is stored: sockets find it by seq on the next event or resume.
                logger.exception(
                    "sending a %s event to the channel layer failed", layer_event["type"]
                )
            stop_if_cancelled()
