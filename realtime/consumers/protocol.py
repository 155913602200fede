"""`/ws/`: Parley's protocol, one socket multiplexing every room (docs/protocol.md). Version 1
by default; version 2 (`/ws/?protocol=2`) delivers every change to a room and counts its
`seq` by the room's event stream. The versions differ only in their encoder
(realtime/delivery/encoders.py): the frames a client sends are the same.

Each handler parses (protocol.decode), makes one call into the domain through
realtime.sessions, and encodes the answer. Domain errors become `error` frames with the same
code; nothing here writes to the database or publishes events itself.
"""

import asyncio
import logging
import time
from functools import partial
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError

from chat.models import Room
from parley import metrics
from parley.errors import NotAuthenticated, ParleyError, RateLimited

from .. import protocol, sessions
from ..delivery.encoders import PROTOCOL_V1, PROTOCOL_V2, Encoder
from ..delivery.source import State
from ..presence.tracker import Watcher
from ..protocol import CloseCode, ErrorCode, FrameError
from .base import RoomSocket, extra, presence_tracker

logger = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 500
TYPING_INTERVAL = 2.0  # seconds between typing events per room from one socket


ENCODERS = {1: PROTOCOL_V1, 2: PROTOCOL_V2}


class ProtocolConsumer(RoomSocket):
    encoder = PROTOCOL_V1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.typing_sent: dict[str, float] = {}
        # Slug -> the room this socket said it types in, and the timer that tells the room it
        # stopped (PARLEY_TYPING_TTL after its last `typing`), unless a post or a close does.
        self.typing_in: dict[str, tuple[Room, asyncio.TimerHandle]] = {}
        self.watcher: Watcher | None = None  # whom the client shows (`presence_watch`)
        # Subscribed slug -> its room. Posts to these skip the room lookup; whether the user
        # may still post there is checked by the service each time.
        self.slugs: dict[str, Room] = {}

    def choose_encoder(self) -> Encoder:
        return ENCODERS[self.version]

    async def connect(self):
        self.version = protocol.requested_version(self.scope.get("query_string", b""))
        if self.version not in ENCODERS:
            await self.refuse(CloseCode.PROTOCOL_ABUSE, "unsupported protocol version")
            return
        if await self.identify():
            await self.accept()
            await self.send(text_data=protocol.hello(self.user_payload(), self.version))
            if self.version >= 2:
                await self.send_ready()

    async def send_ready(self) -> None:
        """Register, then read, then apply (Zulip's pattern): the socket already hears its
        user's stream (`identify` joined it), holding what it hears; the state is read only
        now, sent as `ready`, and what was held follows. A change committed before the read
        is in the state (and perhaps held too: the client applies each idempotently, in
        order); one committed after it is held: none falls between. The presence of the people
        the DMs are with comes in it too, and their changes after it (they are watched first)."""
        conversations = await database_sync_to_async(sessions.conversations)(user=self.user)
        people = sessions.dm_people(conversations, me=self.user.pk)
        states = {}
        if people:
            self.watcher = self.watcher or self.presence_watcher()
            try:
                states = await presence_tracker().watch(self.watcher, people, None, answer=False)
            except FrameError:
                states = {}  # presence unavailable: the client's watch asks again
        presence = {str(user_id): state for user_id, state in states.items()}
        await self.send(text_data=protocol.ready(conversations, presence=presence))
        self.user_frames_ready()

    def presence_watcher(self) -> Watcher:
        return Watcher(write=lambda text: self.feed.offer(0, None, text))

    def wants_user_frames(self) -> bool:
        return self.version >= 2

    async def receive(self, text_data=None, bytes_data=None):
        try:
            if text_data is None:
                raise FrameError(ErrorCode.BAD_REQUEST, "Frames are JSON text, not binary.")
            frame = protocol.decode(text_data, self.version)
        except FrameError as error:
            if not await self.malformed():
                await self.send(text_data=protocol.error(error.code, error.message, error.ref))
            return
        self.well_formed()
        try:
            await getattr(self, f"on_{frame.type}")(frame)
        except NotAuthenticated:  # the socket's credential was revoked; its close is on the way
            self.end_access(CloseCode.NOT_AUTHENTICATED)
        except (ParleyError, FrameError) as error:
            await self.send(
                text_data=protocol.error(error.code, error.message, frame.ref, **extra(error))
            )
        except DatabaseError:
            logger.exception("database error handling %s", frame.type)
            await self.send(
                text_data=protocol.error(
                    ErrorCode.UNAVAILABLE, "The database is unavailable; retry.", frame.ref
                )
            )

    async def on_subscribe(self, frame: protocol.Subscribe):
        if frame.room.lower() not in self.slugs and len(self.slugs) >= MAX_SUBSCRIPTIONS:
            raise FrameError(
                ErrorCode.BAD_REQUEST, f"At most {MAX_SUBSCRIPTIONS} subscriptions a socket."
            )
        room = await database_sync_to_async(sessions.visible_room)(user=self.user, slug=frame.room)

        def before_replay(state: State) -> list[str]:
            # Subscribed from now on, even if the replay is cut short by a closing socket.
            self.slugs[room.slug] = room
            frames = [protocol.subscribed(room.slug, state.last, frame.ref)]
            if state.reset:
                metrics.RESUMES_RESET.inc()
                frames.append(protocol.reset(room.slug, state.last))
            elif frame.since is not None:
                metrics.RESUMES_REPLAYED.inc()
                metrics.REPLAYED_MESSAGES.inc(len(state.replay))
            return frames

        try:
            await self.follow(
                room.pk,
                room.slug,
                since=frame.since,
                reader=self.reader(),
                before_replay=before_replay,
            )
        except (DatabaseError, RateLimited):
            self.slugs.pop(room.slug, None)  # not subscribed now, even if it was before
            raise

    async def on_unsubscribe(self, frame: protocol.Unsubscribe):
        slug = frame.room.lower()
        if (room := self.slugs.pop(slug, None)) is not None:
            await self.unfollow(room.pk)
        await self.send(text_data=protocol.unsubscribed(slug, frame.ref))

    def room_access_ended(self, room_id: int, reason: str) -> None:
        """Unsubscribe the socket from a room its user may no longer see, and say why."""
        slug = self.detach(room_id)
        if slug is None:
            return
        self.slugs.pop(slug, None)
        self.feed.offer(room_id, None, protocol.unsubscribed(slug, None, reason=reason))

    async def on_post(self, frame: protocol.Post):
        # The post's own message frame comes after its ack.
        async with self.feed.acked_first():
            author = await self.author_in(frame.room)
            fields: dict[str, Any] = {
                "user": author,
                "credential": self.credential_due(),
                "body": frame.body,
                "client_id": frame.client_id,
                "thread_root": frame.thread_root,
                "also_to_room": frame.also_to_room,
                "files": frame.files,
            }
            if room := self.slugs.get(frame.room.lower()):
                post = partial(sessions.post_to_room, room=room, **fields)
            else:
                post = partial(sessions.post, slug=frame.room, **fields)
            message, _ = await database_sync_to_async(post)()
            # The service returned, so the message is committed: only now is it acknowledged.
            await self.send(text_data=protocol.ack(message, self.version, frame.ref))
        self.typing_stop(message.room.slug)

    async def on_history(self, frame: protocol.History):
        if frame.thread is not None:
            messages, has_more = await database_sync_to_async(sessions.thread)(
                user=self.user,
                slug=frame.room,
                root_id=frame.thread,
                after=frame.after,
                limit=frame.limit or 50,
                reader=self.reader(),
            )
        else:
            messages, has_more = await database_sync_to_async(sessions.history)(
                user=self.user,
                slug=frame.room,
                before=frame.before,
                limit=frame.limit or 50,
                reader=self.reader(),
            )
        await self.send(
            text_data=protocol.history(
                frame.room.lower(), messages, has_more, frame.ref, thread=frame.thread
            )
        )

    # Changes to one message: each answered with `done` before its own room frame.

    async def on_edit(self, frame: protocol.Edit):
        await self._change(frame, body=frame.body)

    async def on_delete(self, frame: protocol.Delete):
        await self._change(frame)

    async def on_react(self, frame: protocol.React):
        await self._change(frame, emoji=frame.emoji)

    async def on_unreact(self, frame: protocol.Unreact):
        await self._change(frame, emoji=frame.emoji)

    async def on_pin(self, frame: protocol.Pin):
        await self._change(frame)

    async def on_unpin(self, frame: protocol.Unpin):
        await self._change(frame)

    async def on_preview_remove(self, frame: protocol.PreviewRemove):
        await self._change(frame, preview_id=frame.preview)

    async def _change(self, frame: protocol.MessageFrame, **fields) -> None:
        async with self.feed.acked_first():
            seq = await database_sync_to_async(sessions.change_message)(
                action=frame.type,  # type: ignore[attr-defined]
                user=await self.author_in(frame.room),
                credential=self.credential_due(),
                slug=frame.room,
                message_id=frame.id,
                **fields,
            )
            await self.send(text_data=protocol.done(frame.room.lower(), seq, frame.ref))

    async def on_typing(self, frame: protocol.Typing):
        slug, now = frame.room.lower(), time.monotonic()
        if slug in self.typing_in:
            self._typing_expires(slug, self.typing_in[slug][0])
        if now - self.typing_sent.get(slug, 0.0) < TYPING_INTERVAL:
            return
        self.typing_sent[slug] = now
        room = await database_sync_to_async(sessions.typing)(
            user=await self.author_in(slug), slug=slug, origin=self.origin
        )
        self._typing_expires(room.slug, room)

    def _typing_expires(self, slug: str, room: Room) -> None:
        """(Re)start the room's typing TTL for this socket."""
        if slug in self.typing_in:
            self.typing_in[slug][1].cancel()
        timer = asyncio.get_running_loop().call_later(
            settings.PARLEY_TYPING_TTL, self.typing_stop, slug
        )
        self.typing_in[slug] = (room, timer)

    def typing_stop(self, slug: str) -> None:
        """Tell the room this socket's user stopped typing there, if they were (v2 sockets
        get `typing_stopped`)."""
        typed = self.typing_in.pop(slug, None)
        if typed is None:
            return
        room, timer = typed
        timer.cancel()
        self.typing_sent.pop(slug, None)  # typing again is told at once
        sessions.typing_stop(user=self.user, room_id=room.pk, room=room.slug, origin=self.origin)

    async def on_presence_watch(self, frame: protocol.PresenceWatch):
        if self.watcher is None:
            self.watcher = self.presence_watcher()
        await presence_tracker().watch(self.watcher, frame.users, frame.ref)

    async def on_presence(self, frame: protocol.Presence):
        await presence_tracker().set_state(self.origin, frame.state)

    async def disconnect(self, code):
        for slug in list(self.typing_in):
            self.typing_stop(slug)
        if self.watcher is not None:
            presence_tracker().unwatch(self.watcher)
        await super().disconnect(code)

    async def on_read(self, frame: protocol.Read):
        await self._mark(frame, seq=frame.seq)

    async def on_unread(self, frame: protocol.Unread):
        await self._mark(frame, unread_from=frame.id)

    async def _mark(self, frame: protocol.Read | protocol.Unread, **where) -> None:
        """Move the read marker; `done` carries it. Every socket of the user, this one too,
        hears the `read_marker` with the counts."""
        async with self.feed.acked_first():
            marker = await database_sync_to_async(sessions.mark)(
                user=await self.author(), slug=frame.room, **where
            )
            await self.send(text_data=protocol.done(frame.room.lower(), marker, frame.ref))

    async def on_search(self, frame: protocol.Search):
        page = await database_sync_to_async(sessions.search)(
            user=self.user,
            q=frame.q,
            limit=frame.limit,
            cursor=frame.cursor,
            reader=self.reader(),
        )
        await self.send(text_data=protocol.search_results(page, frame.ref))

    async def on_ping(self, frame: protocol.Ping):
        await self.send(text_data=protocol.pong(frame.ref))

    async def on_name(self, frame: protocol.Name):
        user = await database_sync_to_async(sessions.rename)(
            user=await self.author(), display_name=frame.display_name
        )
        await self.send(text_data=protocol.named(user, frame.ref))
