"""Search: the messages the caller may read that match a query (docs/api.md, "Search")."""

from ninja import Query, Router

from search.selectors import LIMIT_DEFAULT, LIMIT_MAX, message_search
from throttle.services import search_admit

from .auth import AuthenticatedRequest
from .messages import reader
from .schemas import SearchPageOut, errors

router = Router(tags=["search"])


@router.get("/search", response={200: SearchPageOut, **errors(400, 401, 404, 429)})
def search(
    request: AuthenticatedRequest,
    q: str = Query(..., description='The query: words, "phrases" and filters (docs/api.md).'),
    limit: int = Query(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX),
    cursor: str | None = Query(None, description="The `next_cursor` of the previous page."),
):
    """The messages the caller may read now that match `q`, best first (newest first for a
    query of filters only), `limit` at a time; `next_cursor` pages on (null at the end).
    404 for an `in:` room or conversation the caller may not read, as for one that does not
    exist, and for a `from:` user nobody is."""
    search_admit(reader=reader(request.auth))
    return message_search(user=request.auth, query=q, limit=limit, cursor=cursor)
