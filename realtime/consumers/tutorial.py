"""`/ws/chat/<room>/`: the Channels tutorial's protocol on Parley's rooms.

`{"message": text}` in, `{"message": text}` out to everyone in the room, exactly as the
tutorial's page expects. It is the same room, storage and broadcast as `/ws/`: each message is
stored (with a server-made client_id) before it is broadcast. `/name NEW NAME` renames the
sender, as the seeds' consumer does. Errors come back as `{"error": code, "message": text}`.
"""

import asyncio
import logging
from uuid import uuid4

import orjson
from channels.db import database_sync_to_async
from django.db import DatabaseError

from parley import metrics
from parley.errors import NotAuthenticated, ParleyError
from parley.text import text_is_storable

from .. import protocol, sessions
from ..delivery.encoders import TUTORIAL, tutorial_frame
from ..protocol import CloseCode, ErrorCode
from .base import RoomSocket, extra, room_hub

logger = logging.getLogger(__name__)

NAME_COMMAND = "/name"


class TutorialConsumer(RoomSocket):
    encoder = TUTORIAL

    async def connect(self):
        # As in the tutorial, the socket joins the room's group before it is accepted: from
        # the client's first `open` event on, it misses nothing posted to the room. A name with
        # no room the user may see (none yet, or a private one) is accepted alike: the socket
        # waits for the room to open, which the name's first stored message does.
        if not await self.identify():
            return
        self.slug = self.scope["url_route"]["kwargs"]["room_name"].lower()
        self.room = None
        self.opening = asyncio.Lock()
        try:
            room = await database_sync_to_async(sessions.find_room)(user=self.user, slug=self.slug)
        except ParleyError:
            await self.refuse(CloseCode.PROTOCOL_ABUSE)
            return
        if room is None:
            await room_hub().wait(self.slug, self.feed)
        else:
            self.room = room
            await self.follow(room.pk, room.slug, since=None)
        await self.accept()

    async def room_opened(self, feed, room_id):
        """The room this socket waits for opened (or may have): follow it from its first
        message, so that the message that opened it is delivered too."""
        async with self.opening:
            if self.room is not None or feed.closed:
                return
            room = await database_sync_to_async(sessions.find_room)(user=self.user, slug=self.slug)
            if room is None:
                return
            await room_hub().unwait(self.slug, self.feed)
            self.room = room
            await self.follow(room.pk, room.slug, since=0)
            if feed.closed:  # the socket closed meanwhile, after its disconnect cleaned up
                await self.unfollow(room.pk)

    async def disconnect(self, code):
        if self._feed is not None and getattr(self, "slug", None):
            await room_hub().unwait(self.slug, self.feed)
        await super().disconnect(code)

    async def receive(self, text_data=None, bytes_data=None):
        text = self._message_text(text_data)
        if text is None or not text_is_storable(text):
            # Counted like /ws/'s malformed frames: past MAX_BAD_FRAMES in a row, close 4400.
            if not await self.malformed():
                await self._error(
                    ErrorCode.BAD_REQUEST, 'Send {"message": "some text"} (no U+0000).'
                )
            return
        self.well_formed()
        try:
            if text.startswith(NAME_COMMAND + " ") or text == NAME_COMMAND:
                await self._rename(text[len(NAME_COMMAND) :].strip())
            else:
                await self._post(text)
        except NotAuthenticated:  # the socket's credential was revoked; its close is on the way
            self.end_access(CloseCode.NOT_AUTHENTICATED)
        except ParleyError as error:
            await self._error(error.code, error.message, **extra(error))
        except DatabaseError:
            logger.exception("database error on the tutorial endpoint")
            await self._error(ErrorCode.UNAVAILABLE, "The database is unavailable; retry.")

    async def _post(self, text: str) -> None:
        if self.room is not None:
            await database_sync_to_async(sessions.post_to_room)(
                user=await self.author(),
                credential=self.credential_due(),
                room=self.room,
                body=text,
                client_id=uuid4(),
            )
            return
        # The name's first stored message opens its room (or the room opened meanwhile).
        message, _ = await database_sync_to_async(sessions.post_opening)(
            user=await self.author(),
            credential=self.credential_due(),
            slug=self.slug,
            body=text,
            client_id=uuid4(),
        )
        await self.room_opened(self.feed, message.room_id)

    async def _rename(self, name: str):
        user = await database_sync_to_async(sessions.rename)(
            user=await self.author(), display_name=name
        )
        await self.send(text_data=tutorial_frame(f"[set your username to {user['display_name']}]"))

    @staticmethod
    def _message_text(text_data: str | None) -> str | None:
        if text_data is None:
            return None
        try:
            data = orjson.loads(text_data)  # refuses lone surrogates
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return None
        return data["message"]

    async def _error(self, code: str, message: str, **more):
        if code == ErrorCode.RATE_LIMITED:  # as protocol.error counts /ws/'s
            metrics.RATE_LIMITED_WEBSOCKET.inc()
        await self.send(text_data=protocol.encode({"error": code, "message": message, **more}))
