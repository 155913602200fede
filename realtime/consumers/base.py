"""What both WebSocket endpoints share: who the user is, frame limits, and the socket's place
in the process's room hub (realtime/hub.py), which writes each room's messages to it in seq
order, each once.

The channel layer is only a doorbell: an event may be dropped or arrive out of order. The hub
and the socket's cursors skip what was already written and read what went missing from the
database, or close the socket with 4000 so that the client resumes.
"""

import logging
import uuid

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError

from accounts.models import User
from chat.payloads import user_payload
from parley import metrics

from .. import sessions
from ..hub import Member, RoomHub, hub_for_loop
from ..limits import TokenBucket
from ..protocol import CloseCode

logger = logging.getLogger(__name__)

# Who an anonymous visitor is until their first write.
ANONYMOUS = {"id": None, "username": None, "display_name": "Anonymous"}


async def _fetch_frames(room_id: int, after: int, upto: int, limit: int) -> list[dict]:
    return await database_sync_to_async(sessions.message_frames)(
        room_id=room_id, after=after, upto=upto, limit=limit
    )


def room_hub() -> RoomHub:
    return hub_for_loop(get_channel_layer(), _fetch_frames)


class RoomSocket(AsyncWebsocketConsumer):
    # No layer channel of its own: the room hub holds the process's one channel and writes
    # room events to the socket directly (Channels would otherwise make and subscribe a
    # channel for every socket). This alias names no layer, so Channels makes none.
    channel_layer_alias = "parley.no-channel-per-socket"

    # Which pre-encoded frame of a room.message event this endpoint writes; whether it shows
    # typing and member events.
    frame_key = "frame"
    hears_room_events = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = None
        self.rooms: dict[int, str] = {}  # subscribed room id -> slug
        self.frames = TokenBucket(*settings.PARLEY_FRAME_RATE)
        self.origin = uuid.uuid4().hex  # names this socket in typing events
        self.member: Member | None = None

    # Every ORM call goes through database_sync_to_async, which closes stale connections on
    # its own thread; Channels' dispatch would also hop threads for every frame to do so.
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
        is none. Makes the socket's hub member."""
        user = self.scope.get("user")
        if self.scope.get("bearer_rejected"):
            await self.refuse(CloseCode.NOT_AUTHENTICATED)
            return False
        if user is None or not user.is_authenticated:
            if not settings.PARLEY_GUESTS:
                await self.refuse(CloseCode.NOT_AUTHENTICATED)
                return False
            # A browser that already has its guest keeps it; anyone else stays anonymous
            # (reading public rooms) until their first write makes them a guest (`author`).
            guest = None
            if self._session() is not None:
                guest = await database_sync_to_async(sessions.session_guest)(self._session())
            user = guest or AnonymousUser()
        self.user = user
        self.member = Member(
            send=self.scope.get("parley.send", self.base_send),
            frame_key=self.frame_key,
            origin=self.origin,
            on_gap=self._refill,
            on_overflow=self._overflowed,
            hears_room_events=self.hears_room_events,
        )
        return True

    def _session(self):
        """The visitor's Django session, when their browser sent a session cookie."""
        if settings.SESSION_COOKIE_NAME in self.scope.get("cookies", {}):
            return self.scope.get("session")
        return None

    async def author(self) -> User:
        """The user who writes: an anonymous visitor becomes a guest ("Anonymous") here, on
        their first post, rename or typing, and keeps that identity for the socket (and for
        their browser session, when there is one)."""
        if not self.user.is_authenticated:
            self.user = await database_sync_to_async(sessions.guest_for_session)(self._session())
        return self.user

    def user_payload(self) -> dict:
        if not self.user.is_authenticated:
            return dict(ANONYMOUS)
        return user_payload(self.user)

    async def websocket_receive(self, message):
        if not self.frames.take():
            metrics.RATE_LIMITED_FLOOD.inc()
            await self.close(CloseCode.FLOOD)
            return
        text = message.get("text")
        size = len(text.encode()) if text is not None else len(message.get("bytes") or b"")
        if size > settings.PARLEY_MAX_FRAME_BYTES:
            await self.close(CloseCode.MESSAGE_TOO_BIG)
            return
        await self.receive(text_data=text, bytes_data=message.get("bytes"))

    async def follow(self, room_id: int, slug: str) -> None:
        """Join the room in the hub. Call while holding the member: its frames for the room
        wait until `synced` sets the cursor they continue from."""
        self.rooms[room_id] = slug
        await room_hub().join(room_id, self.member)

    def synced(self, room_id: int, last_seq: int) -> None:
        """The socket has (or skips) every message of the room up to `last_seq`."""
        self.member.cursors[room_id] = last_seq
        room_hub().seen(room_id, last_seq)

    async def unfollow(self, room_id: int) -> None:
        if self.rooms.pop(room_id, None) is not None:
            await room_hub().leave(room_id, self.member)

    async def disconnect(self, code):
        if self.member is not None:
            self.member.closed = True
        for room_id in list(self.rooms):
            await self.unfollow(room_id)

    async def _refill(self, member: Member, room_id: int, after: int, upto: int) -> None:
        """The hub found a gap only this socket has (the member is held meanwhile)."""
        metrics.REFILLS_SOCKET.inc()
        if upto - after > settings.PARLEY_REPLAY_LIMIT:
            await self._reconnect(f"a gap of {upto - after} messages")
            return
        try:
            rows = await _fetch_frames(room_id, after, upto, upto - after)
        except DatabaseError:
            await self._reconnect("the database is unavailable")
            return
        logger.info("refilled %d missed messages in room %s", len(rows), self.rooms.get(room_id))
        for row in rows:
            cursor = member.cursors.get(room_id)
            if cursor is None:  # unsubscribed meanwhile
                return
            if row["seq"] > cursor:
                await self.send(text_data=row[self.frame_key])
                member.cursors[room_id] = row["seq"]

    async def _overflowed(self, member: Member) -> None:
        await self._reconnect("its backlog overflowed")

    async def _reconnect(self, why: str) -> None:
        """Ask the client to resume: what it would be sent next would skip messages."""
        logger.warning("closing a socket with 4000: %s", why)
        metrics.RECONNECT_CLOSES.inc()
        if self.member is not None:
            self.member.closed = True
        await self.close(CloseCode.RECONNECT)
