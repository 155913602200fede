"""A room's event stream over HTTP: every change after a seq, as protocol v2 frames carry them,
for programs that poll instead of holding a WebSocket (and to check one has them all)."""

from django.conf import settings
from ninja import Query, Router

from chat.selectors import HISTORY_MAX, stream_range
from throttle.services import replay_charge

from .auth import AuthenticatedRequest
from .messages import reader
from .rooms import room_visible
from .schemas import EventPageOut, errors

router = Router(tags=["events"])


@router.get("/rooms/{slug}/events", response={200: EventPageOut, **errors(400, 401, 404, 429)})
def event_list(
    request: AuthenticatedRequest,
    slug: str,
    since: int = Query(..., ge=0, description="The seq of the last change the caller holds."),
    limit: int = Query(HISTORY_MAX, ge=1, le=HISTORY_MAX),
):
    """The room's changes after event seq `since`, in order, up to `limit`; `has_more` when
    more follow. `reset` (and no changes) when `since` is past the room's last seq or more than
    PARLEY_REPLAY_LIMIT changes lie after it: read the room afresh, then go on from `last_seq`.
    Each change returned spends one of the caller's replay budget."""
    room = room_visible(slug=slug, user=request.auth)
    last = room.last_event_seq
    reset = since > last or last - since > settings.PARLEY_REPLAY_LIMIT
    if reset or since == last:
        return {"events": [], "last_seq": last, "reset": reset, "has_more": False}
    replay_charge(reader=reader(request.auth), messages=min(limit, last - since))
    changes = stream_range(room_id=room.pk, after=since, upto=last, limit=limit)
    return {
        "events": [
            {"type": change.type, "room": change.room, "seq": change.seq, **change.fields()}
            for change in changes
        ],
        "last_seq": last,
        "reset": False,
        "has_more": bool(changes) and changes[-1].seq < last,
    }
