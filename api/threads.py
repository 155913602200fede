"""Threads: one thread's replies, and the threads the caller took part in."""

from ninja import Query, Router

from chat.selectors import (
    HISTORY_MAX,
    message_payloads,
    thread_get,
    thread_list_participated,
    thread_replies,
)
from throttle.services import replay_charge

from .auth import AuthenticatedRequest
from .messages import reader
from .rooms import page_of, room_visible
from .schemas import Page, ThreadListOut, ThreadOut, errors

router = Router(tags=["threads"])


@router.get(
    "/rooms/{slug}/messages/{id}/replies",
    response={200: ThreadOut, **errors(400, 401, 404, 429)},
)
def thread_detail(
    request: AuthenticatedRequest,
    slug: str,
    id: int,
    after: int | None = Query(
        None, ge=0, description="Only replies posted after this reply (an id)."
    ),
    limit: int = Query(50, ge=1, le=HISTORY_MAX),
):
    """The thread of message `id` (its root, or one of its replies): the root as it is now and
    up to `limit` replies in the order they were posted (after reply `after`, when given);
    `has_more` says whether more follow."""
    room = room_visible(slug=slug, user=request.auth)
    root = thread_get(room=room, message_id=id, user=request.auth)
    replies, has_more = thread_replies(root=root, after_reply=after, limit=limit)
    replay_charge(reader=reader(request.auth), messages=len(replies) + 1)
    root_out, *replies_out = message_payloads(
        [root, *replies], viewer=request.auth, room_slug=room.slug
    )
    return {"root": root_out, "replies": replies_out, "has_more": has_more}


@router.get("/threads", response={200: ThreadListOut, **errors(400, 401)})
def thread_list(request: AuthenticatedRequest, page: Query[Page]):
    """The threads the caller took part in (wrote the root or a reply), in the rooms they may
    see: their roots, newest reply first, a page at a time."""
    roots, paging = page_of(thread_list_participated(user=request.auth), page)
    return {"threads": message_payloads(roots, viewer=request.auth), **paging}
