"""Where a feed or the hub reads what the layer did not bring: a room's events from the
database, as items (encoders.Item), by the counter the reader follows."""

from dataclasses import dataclass, field
from typing import Literal

from channels.db import database_sync_to_async

from chat.models import Room
from chat.selectors import posts_range, stream_range
from throttle.services import replay_charge

from .encoders import Item, item

Counts = Literal["events", "messages"]


@dataclass(frozen=True)
class State:
    """A room as a subscription starts from it: its `last` position (in the reader's
    counter), its last event seq, the events to replay, and whether `since` was too far behind
    (or ahead) to replay, so the client starts over (`reset`)."""

    last: int
    event_seq: int
    replay: list[Item] = field(default_factory=list)
    reset: bool = False


def read_range(
    *, room_id: int, after: int, upto: int, counts: Counts, limit: int | None = None
) -> list[Item]:
    """The room's events with after < position <= upto (the first `limit`), in order."""
    if counts == "events":
        return [item(c) for c in stream_range(room_id=room_id, after=after, upto=upto, limit=limit)]
    return [item(c) for c in posts_range(room_id=room_id, after=after, upto=upto, limit=limit)]


def read_state(
    *, room_id: int, since: int | None, limit: int, reader: str | None, counts: Counts
) -> State:
    """The room's state for a subscription from `since` (None: no replay). A replay is charged
    to `reader`'s replay budget before it is read (RateLimited when the budget is short)."""
    last_seq, event_seq = Room.objects.values_list("last_seq", "last_event_seq").get(pk=room_id)
    last = event_seq if counts == "events" else last_seq
    if since is None or since == last:
        return State(last, event_seq)
    if since > last or last - since > limit:
        return State(last, event_seq, reset=True)
    if reader is not None:
        replay_charge(reader=reader, messages=last - since)
    replay = read_range(room_id=room_id, after=since, upto=last, counts=counts)
    return State(last, event_seq, replay)


async def state(
    *, room_id: int, since: int | None, limit: int, reader: str | None, counts: Counts
) -> State:
    return await database_sync_to_async(read_state)(
        room_id=room_id, since=since, limit=limit, reader=reader, counts=counts
    )


async def read(
    *, room_id: int, after: int, upto: int, counts: Counts, limit: int | None = None
) -> list[Item]:
    return await database_sync_to_async(read_range)(
        room_id=room_id, after=after, upto=upto, counts=counts, limit=limit
    )
