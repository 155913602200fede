"""What both WebSocket endpoints share: who the user is, frame limits, and per-room feeds
that deliver each room's messages in seq order, each exactly once.

The channel layer is only a doorbell: an event may be dropped (a full inbox) or arrive out of
order (two processes committing close together). Each subscribed room keeps a cursor, the last
seq written to this socket; an event at or below it is a duplicate and is skipped, one beyond
cursor + 1 means messages went missing and they are read from the database first.
"""

import logging
from dataclasses import dataclass

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

from chat.payloads import message_payload, user_payload

from .. import sessions
from ..fanout import room_group
from ..limits import TokenBucket
from ..protocol import CloseCode

logger = logging.getLogger(__name__)


@dataclass
class Feed:
    room_id: int
    slug: str
    cursor: int  # the last seq this socket has been sent


class RoomSocket(AsyncWebsocketConsumer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = None
        self.feeds: dict[int, Feed] = {}
        self.frames = TokenBucket(*settings.PARLEY_FRAME_RATE)

    # Every ORM call goes through database_sync_to_async, which closes stale connections on
    # its own thread; Channels' dispatch would also hop threads for each layer event to do so.
    async def dispatch(self, message):
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def refuse(self, code: CloseCode) -> None:
        """Close with a protocol close code. A handshake refused before accept reaches the
        client as a bare HTTP 403, so the socket is accepted first to carry the code."""
        await self.accept()
        await self.close(code)

    async def identify(self) -> bool:
        """Resolve the connection's user (a guest when allowed); refuse with 4401 when there
        is none."""
        user = self.scope.get("user")
        if self.scope.get("bearer_rejected"):
            await self.refuse(CloseCode.NOT_AUTHENTICATED)
            return False
        if user is None or not user.is_authenticated:
            if not settings.PARLEY_GUESTS:
                await self.refuse(CloseCode.NOT_AUTHENTICATED)
                return False
            user = await database_sync_to_async(sessions.guest_for_session)(self.scope.get("session"))
        self.user = user
        return True

    def user_payload(self) -> dict:
        return user_payload(self.user)

    async def websocket_receive(self, message):
        if not self.frames.take():
            await self.close(CloseCode.FLOOD)
            return
        text = message.get("text")
        size = len(text.encode()) if text is not None else len(message.get("bytes") or b"")
        if size > settings.PARLEY_MAX_FRAME_BYTES:
            await self.close(CloseCode.MESSAGE_TOO_BIG)
            return
        await self.receive(text_data=text, bytes_data=message.get("bytes"))

    async def follow(self, room_id: int, slug: str, cursor: int) -> Feed:
        await self.channel_layer.group_add(room_group(room_id), self.channel_name)
        feed = self.feeds[room_id] = Feed(room_id, slug, cursor)
        return feed

    async def unfollow(self, room_id: int) -> None:
        if self.feeds.pop(room_id, None) is not None:
            await self.channel_layer.group_discard(room_group(room_id), self.channel_name)

    async def disconnect(self, code):
        for room_id in list(self.feeds):
            await self.unfollow(room_id)

    # Layer events (chat.events → realtime.fanout).

    async def room_message(self, event):
        feed = self.feeds.get(event["room_id"])
        if feed is None or event["seq"] <= feed.cursor:
            return
        if event["seq"] > feed.cursor + 1:
            try:
                await self.refill(feed, upto=event["seq"] - 1)
            except DatabaseError:
                # Sending the newer message would skip the gap: ask the client to resume.
                logger.warning("cannot refill room %s; closing with 4000", feed.slug)
                await self.close(CloseCode.RECONNECT)
                return
        await self.send(text_data=event[self.frame_key])
        feed.cursor = event["seq"]

    async def layer_recovered(self, event):
        """The channel layer lost events while Redis was away (realtime/layers.py): catch
        every feed up to its room's newest message from the database."""
        if not self.feeds:
            return
        try:
            last_seqs = await database_sync_to_async(sessions.last_seqs)(room_ids=list(self.feeds))
            for room_id, last_seq in last_seqs.items():
                feed = self.feeds.get(room_id)
                if feed is not None and last_seq > feed.cursor:
                    await self.refill(feed, upto=last_seq)
        except DatabaseError:
            logger.warning("cannot catch up after the channel layer recovered; closing with 4000")
            await self.close(CloseCode.RECONNECT)

    async def refill(self, feed: Feed, *, upto: int) -> None:
        missing = await database_sync_to_async(sessions.missing_messages)(
            room_id=feed.room_id, after=feed.cursor, upto=upto
        )
        logger.info("refilled %d missed messages in room %s", len(missing), feed.slug)
        for message in missing:
            await self.send(text_data=self.encode_message(message_payload(message)))
            feed.cursor = message.seq

    # Which pre-encoded frame of a room.message event this endpoint writes, and how it encodes
    # a message read from the database.
    frame_key = "frame"

    def encode_message(self, payload: dict) -> str:
        raise NotImplementedError
