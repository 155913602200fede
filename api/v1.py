"""REST API v1, mounted at /api/v1/ (config/urls.py); OpenAPI at /api/v1/openapi.json.

Every operation requires a signed-up caller (api/auth.py) unless it says auth=None; every
error is `{"code", "message"}` (api/errors.py).
"""

from ninja import NinjaAPI

from . import (
    accounts,
    conversations,
    errors,
    events,
    files,
    me,
    messages,
    notifications,
    previews,
    reactions,
    rooms,
    search,
    threads,
)
from .auth import caller_auth
from .parser import StorableJsonParser

api = NinjaAPI(
    title="Parley",
    version="1",
    description="Parley's REST API v1. docs/api.md describes every call.",
    auth=caller_auth,
    # The interactive docs page loads its scripts from a CDN; the schema is served alone.
    docs_url=None,
    urls_namespace="api",
    parser=StorableJsonParser(),
)
errors.install(api)
api.add_router("", accounts.router)
api.add_router("", me.router)
api.add_router("", rooms.router)
api.add_router("", messages.router)
api.add_router("", files.router)
api.add_router("", reactions.router)
api.add_router("", previews.router)
api.add_router("", threads.router)
api.add_router("", events.router)
api.add_router("", conversations.router)
api.add_router("", notifications.router)
api.add_router("", search.router)
