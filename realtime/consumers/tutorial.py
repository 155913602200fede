"""`/ws/chat/<room>/`: the Channels tutorial's protocol on Parley's rooms.

`{"message": text}` in, `{"message": text}` out to everyone in the room, exactly as the
tutorial's page expects. It is the same room, storage and broadcast as `/ws/`: each message is
stored (with a server-made client_id) before it is broadcast. `/name NEW NAME` renames the
sender, as the seeds' consumer does. Errors come back as `{"error": code, "message": text}`.
"""

import logging
from uuid import uuid4

import orjson
from channels.db import database_sync_to_async
from django.db import DatabaseError

from parley.errors import ParleyError

from .. import protocol, sessions
from ..fanout import tutorial_frame
from ..protocol import CloseCode, ErrorCode
from .base import RoomSocket, extra

logger = logging.getLogger(__name__)

NAME_COMMAND = "/name"


class TutorialConsumer(RoomSocket):
    frame_key = "tutorial"
    hears_room_events = False

    async def connect(self):
        # As in the tutorial, the socket joins the room's group before it is accepted: from
        # the client's first `open` event on, it misses nothing posted to the room.
        if not await self.identify():
            return
        try:
            room = await database_sync_to_async(sessions.open_tutorial_room)(
                user=self.user, slug=self.scope["url_route"]["kwargs"]["room_name"]
            )
        except ParleyError as error:
            await self.refuse(CloseCode.FORBIDDEN if error.code == "forbidden" else CloseCode.PROTOCOL_ABUSE)
            return
        self.room = room
        self.member.hold()
        try:
            await self.follow(room.pk, room.slug)
            last_seq, _ = await database_sync_to_async(sessions.replay_state)(room_id=room.pk, since=None, limit=0)
            self.synced(room.pk, last_seq)
            await self.accept()
        finally:
            self.member.release()

    async def receive(self, text_data=None, bytes_data=None):
        text = self._message_text(text_data)
        if text is None:
            await self._error(ErrorCode.BAD_REQUEST, 'Send {"message": "some text"}.')
            return
        try:
            if text.startswith(NAME_COMMAND + " ") or text == NAME_COMMAND:
                await self._rename(text[len(NAME_COMMAND):].strip())
            else:
                await database_sync_to_async(sessions.post_to_room)(
                    user=await self.author(), room=self.room, body=text, client_id=uuid4()
                )
        except ParleyError as error:
            await self._error(error.code, error.message, **extra(error))
        except DatabaseError:
            logger.exception("database error on the tutorial endpoint")
            await self._error(ErrorCode.UNAVAILABLE, "The database is unavailable; retry.")

    async def _rename(self, name: str):
        user = await database_sync_to_async(sessions.rename)(user=await self.author(), display_name=name)
        await self.send(text_data=tutorial_frame(f"[set your username to {user['display_name']}]"))

    @staticmethod
    def _message_text(text_data: str | None) -> str | None:
        if text_data is None:
            return None
        try:
            data = orjson.loads(text_data)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return None
        return data["message"]

    async def _error(self, code: str, message: str, **more):
        await self.send(text_data=protocol.encode({"error": code, "message": message, **more}))
