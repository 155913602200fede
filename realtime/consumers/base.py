"""What both WebSocket endpoints share: who the user is, frame limits, and the socket's feed
(realtime/delivery/feed.py), the only writer of room events to it: in order, each once.

The channel layer is only a doorbell: an event may be dropped or arrive out of order. The feed
skips what was already written and reads what went missing from the database, or closes the
socket with 4000 so that the client resumes.

The socket also hears its user's stream (parley/events.py, kind "user") through the hub: each
event type is handled by the method named for it (`conversation_removed` by
`user_conversation_removed`). Access that is withdrawn ends at once: a revoked credential closes
the socket with 4401; a private room the user left or was removed from stops being delivered.
"""

import asyncio
import logging
import time
import uuid

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError

from accounts.credentials import Credential
from accounts.models import User
from accounts.payloads import avatar_payload, avatar_stored
from chat.payloads import user_payload
from parley import events, metrics
from parley.errors import RateLimited
from throttle.services import TooManyConnections, aconnection_admit, aconnection_release, reader_key

from .. import protocol, sessions
from ..auth import socket_credential
from ..delivery.encoders import Encoder
from ..delivery.feed import Feed
from ..delivery.hub import RoomHub, hub_for_loop
from ..delivery.source import State
from ..limits import TokenBucket
from ..presence.tracker import PresenceTracker, tracker_for_loop
from ..protocol import CLOSE_REASONS, MAX_BAD_FRAMES, CloseCode

logger = logging.getLogger(__name__)

# Who an anonymous visitor is until their first write.
ANONYMOUS = {
    "id": None,
    "username": None,
    "display_name": "Anonymous",
    "avatar": avatar_payload(None, "Anonymous"),
}


def extra(error: Exception) -> dict:
    """What an error frame carries besides code and message: `retry_after` for rate_limited."""
    if isinstance(error, RateLimited):
        return {"retry_after": error.retry_after}
    return {}


def room_hub() -> RoomHub:
    return hub_for_loop(get_channel_layer())


def presence_tracker() -> PresenceTracker:
    return tracker_for_loop(get_channel_layer())


class RoomSocket(AsyncWebsocketConsumer):
    # No layer channel of its own: the room hub holds the process's one channel and writes
    # room events to the socket directly (Channels would otherwise make and subscribe a
    # channel for every socket). This alias names no layer, so Channels makes none.
    channel_layer_alias = "parley.no-channel-per-socket"

    # What the endpoint's sockets get for a room event (realtime/delivery/encoders.py).
    encoder: Encoder

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = None
        self.rooms: dict[int, str] = {}  # subscribed room id -> slug
        self.frames = TokenBucket(*settings.PARLEY_FRAME_RATE)
        self.origin = uuid.uuid4().hex  # names this socket in typing events
        self._feed: Feed | None = None  # made by `identify`
        self.credential: Credential | None = None  # what the socket was opened with
        self.credential_checked = 0.0  # time.monotonic() of the last look in the database
        self.revoked = False  # access ended: nothing more is read or written
        self.tasks: set[asyncio.Task] = set()  # started from the hub's reader, kept until done
        self.closing = False  # a close frame was sent: nothing more is sent or handled
        self.bad_frames = 0  # consecutive malformed frames
        self.socket_keys: list[str] = []  # the socket caps this socket counts against
        # Client frames of the user's stream heard before the state (`ready`) was sent; None
        # once it was, when they are written as they come.
        self.held_user_frames: list[str] | None = []

    # Every ORM call goes through database_sync_to_async, which closes stale connections on
    # its own thread; Channels' dispatch would also hop threads for every frame to do so.
    async def dispatch(self, message):
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except Exception:
            # The socket ends here, and `websocket.disconnect` will never come: a handler that
            # raises ends the consumer, and the client going away while it was answered is
            # such a raise (uvicorn raises ClientDisconnected into the send, then ends the app
            # without a word). Let go of what the socket holds now, or its user stays online
            # (the heartbeat keeps its presence entry), in the user's stream, and counted
            # under the socket caps until the process stops.
            if message["type"] != "websocket.disconnect":
                try:
                    await self.disconnect(1006)  # "abnormal closure": no close frame
                except Exception:
                    logger.exception("could not let go of a socket that ended on an error")
            raise

    async def refuse(self, code: CloseCode, reason: str | None = None) -> None:
        """Close with a protocol close code. A handshake refused before accept reaches the
        client as a bare HTTP 403, so the socket is accepted first to carry the code."""
        await self.accept()
        await self.close(code, reason)

    def address(self) -> str | None:
        """The client's address (behind a proxy, the one uvicorn's proxy_headers found)."""
        client = self.scope.get("client")
        return client[0] if client else None

    def reader(self) -> str:
        """Whose replay budget this socket's replays and history pages spend."""
        user_id = self.user.pk if self.user is not None and self.user.is_authenticated else None
        return reader_key(user_id=user_id, address=self.address())

    async def admit(self, user) -> bool:
        """Count the socket against its user's and address's caps; refuse with 4430 when one
        is reached."""
        try:
            self.socket_keys = await aconnection_admit(
                user_id=user.pk if user.is_authenticated else None,
                address=self.address(),
                socket_id=self.origin,
            )
        except TooManyConnections as error:
            await self.refuse(CloseCode.TOO_MANY_CONNECTIONS, str(error))
            return False
        return True

    async def close(self, code=None, reason=None):
        """Close once, with the code's reason text. Frames that arrive after the close frame
        was sent (a flood keeps coming) are dropped instead of closing again, which the server
        would refuse ("Unexpected ASGI message 'websocket.close'")."""
        if self.closing:
            return
        self.closing = True
        if self._feed is not None:
            self._feed.closed = True  # nothing is written after the close frame
        if reason is None and code in CLOSE_REASONS:
            reason = CLOSE_REASONS[code]
        await super().close(code, reason)

    async def malformed(self) -> bool:
        """Count a malformed frame; close with 4400 and answer True past MAX_BAD_FRAMES in a
        row. A well-formed frame resets the count (`well_formed`)."""
        self.bad_frames += 1
        if self.bad_frames > MAX_BAD_FRAMES:
            await self.close(CloseCode.PROTOCOL_ABUSE)
            return True
        return False

    def well_formed(self) -> None:
        self.bad_frames = 0

    async def identify(self) -> bool:
        """Resolve the connection's user (a guest when allowed); refuse with 4401 when there
        is none. Makes the socket's feed."""
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
        if not await self.admit(user):
            return False
        self.user = user
        self._feed = Feed(
            hub=room_hub(),
            send=self.scope.get("parley.send", self.base_send),
            encoder=self.choose_encoder(),
            origin=self.origin,
            reconnect=self._reconnect,
            on_user_event=self.user_event,
            on_opened=self.room_opened,
        )
        self.credential = socket_credential(self.scope, user)
        if user.is_authenticated:
            await room_hub().join_user(user.pk, self.feed)
            # Checked again now that revocations reach the socket: one committed between the
            # handshake's check and the join would otherwise be missed.
            if not await self.credential_holds():
                await self.refuse(CloseCode.NOT_AUTHENTICATED)
                return False
            # The user is online from here until the socket closes (realtime/presence/).
            await presence_tracker().connect(user.pk, self.origin)
        return True

    async def credential_holds(self) -> bool:
        """Whether the socket's credential (if it has one) still authenticates its user."""
        if self.credential is None:
            return True
        self.credential_checked = time.monotonic()
        return await database_sync_to_async(sessions.credential_active)(credential=self.credential)

    def credential_due(self) -> Credential | None:
        """The credential for a write to check in the database, or None when it was checked
        less than PARLEY_CREDENTIAL_RECHECK seconds ago. A revocation closes the socket at once
        through the user's stream; this bounds how long a write can still pass when that event
        was lost (Redis away), without a query on every post (it doubled a post's cost)."""
        now = time.monotonic()
        if (
            self.credential is None
            or now - self.credential_checked < settings.PARLEY_CREDENTIAL_RECHECK
        ):
            return None
        self.credential_checked = now
        return self.credential

    def choose_encoder(self) -> Encoder:
        """The endpoint's encoder (the protocol version the client asked for, on /ws/)."""
        return self.encoder

    async def room_opened(self, feed: Feed, room_id: int | None) -> None:
        """A room opened at a name this socket waits for (RoomHub.wait); see the tutorial
        endpoint, the only one that waits."""

    @property
    def feed(self) -> Feed:
        """The socket's feed. `identify` makes it before any frame is read."""
        if self._feed is None:
            raise RuntimeError("the socket has no feed before identify()")
        return self._feed

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
            self.user = await database_sync_to_async(sessions.guest_for_session)(
                self._session(), address=self.address()
            )
        return self.user

    async def author_in(self, slug: str) -> User:
        """`author()` for a write into the room at `slug`: an anonymous visitor becomes a guest
        only for a room it can see; a missing or invisible one raises NotFound first."""
        if not self.user.is_authenticated:
            await database_sync_to_async(sessions.visible_room)(user=self.user, slug=slug)
        return await self.author()

    def user_payload(self) -> dict:
        if not self.user.is_authenticated:
            return dict(ANONYMOUS)
        return user_payload(self.user)

    async def websocket_receive(self, message):
        if self.revoked or self.closing:
            return  # closing (access gone, or a close frame already sent)
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

    async def follow(self, room_id: int, slug: str, **options) -> State:
        """Deliver the room to the socket (Feed.follow: the frames `before_replay` makes,
        the replay from `since`, then every new event)."""
        self.rooms[room_id] = slug
        try:
            return await self.feed.follow(room_id, **options)
        except BaseException:
            self.rooms.pop(room_id, None)
            raise

    async def unfollow(self, room_id: int) -> None:
        if self.rooms.pop(room_id, None) is not None:
            await self.feed.unfollow(room_id)

    def detach(self, room_id: int) -> str | None:
        """Stop delivering the room to this socket at once (from the hub's reader, which must
        not wait); its slug, or None when the socket was not in it."""
        slug = self.rooms.pop(room_id, None)
        if slug is not None:
            self.feed.detach(room_id)
        return slug

    async def disconnect(self, code):
        # First: whatever else fails below, the user is not left online by a closed socket.
        await presence_tracker().disconnect(self.origin)
        if self.socket_keys:
            keys, self.socket_keys = self.socket_keys, []
            await aconnection_release(keys=keys, socket_id=self.origin)
        if self._feed is not None:
            self._feed.closed = True
        for room_id in list(self.rooms):
            await self.unfollow(room_id)
        if self.user is not None and self.user.is_authenticated and self._feed is not None:
            await room_hub().leave_user(self.user.pk, self.feed)

    # The user's stream (called by the hub's reader: nothing here may wait).

    def user_event(self, event: dict) -> None:
        if self.revoked:
            return
        handler = getattr(self, "user_" + event["type"].replace(".", "_"), None)
        if handler is not None:
            handler(event)
        if self.wants_user_frames() and (frame := events.user_frame(event)) is not None:
            text = protocol.encode(frame)
            if self.held_user_frames is not None:
                self.held_user_frames.append(text)
            else:
                self.feed.offer(0, None, text)

    def wants_user_frames(self) -> bool:
        """Whether the client is sent its user's stream as frames (protocol v2)."""
        return False

    def user_frames_ready(self) -> None:
        """The client has its state: write what was held, then each frame as it comes."""
        held, self.held_user_frames = self.held_user_frames or [], None
        for text in held:
            self.feed.offer(0, None, text)

    def user_credentials_revoked(self, event: dict) -> None:
        if self.credential is not None and self.credential.revoked_by(event["credential"]):
            self.end_access(CloseCode.NOT_AUTHENTICATED)

    def user_user_updated(self, event: dict) -> None:
        """Someone changed their profile; when it is this socket's user (renamed on another
        socket, a page or the API), the socket's user takes it, so its next message carries it."""
        profile = event["user"]
        if self.user is not None and profile["id"] == self.user.pk:
            self.user.display_name = profile["display_name"]
            status = profile["status"] or {"emoji": "", "text": ""}
            self.user.status_emoji = status["emoji"]
            self.user.status_text = status["text"]
            self.user.time_zone = profile["time_zone"]
            self.user.avatar = avatar_stored(profile["avatar"]["url"])

    def user_conversation_removed(self, event: dict) -> None:
        if not event["can_see"] and event["room_id"] in self.rooms:
            self.room_access_ended(event["room_id"], event["reason"])

    def user_stream_recovered(self, event: dict) -> None:
        """The layer lost events (Redis was away), perhaps a revocation or a membership end:
        read from the database whether the socket may still have what it has."""
        self._keep(asyncio.ensure_future(self._recheck_access()))

    async def _recheck_access(self) -> None:
        try:
            if not await self.credential_holds():
                self.end_access(CloseCode.NOT_AUTHENTICATED)
                return
            hidden = await database_sync_to_async(sessions.rooms_not_visible)(
                user=self.user, room_ids=list(self.rooms)
            )
        except DatabaseError:
            logger.warning("could not recheck a socket's access after the layer recovered")
            return
        for room_id in hidden:
            if room_id in self.rooms and not self.revoked:
                self.room_access_ended(room_id, "removed")  # left or removed: the event is lost

    def room_access_ended(self, room_id: int, reason: str) -> None:
        """The user may no longer see a room this socket follows. Endpoints override it."""
        self.end_access(CloseCode.FORBIDDEN)

    def end_access(self, code: CloseCode) -> None:
        """Write nothing more, read nothing more, and close with `code`."""
        self.revoked = True
        if self._feed is not None:
            self._feed.closed = True
        self._keep(asyncio.ensure_future(self._close_quietly(code)))

    async def _close_quietly(self, code: CloseCode) -> None:
        try:
            await self.close(code)
        except Exception:  # the client went away first
            pass

    def _keep(self, task: asyncio.Task) -> None:
        """Hold a task this socket started until it ends (the loop holds tasks weakly)."""
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _reconnect(self, why: str) -> None:
        """Ask the client to resume: what it would be sent next would skip messages."""
        logger.warning("closing a socket with 4000: %s", why)
        metrics.RECONNECT_CLOSES.inc()
        if self._feed is not None:
            self._feed.closed = True
        await self.close(CloseCode.RECONNECT)
