"""People's pictures (/avatars/<user id>/<digest>.<ext>): to whoever may see people's profiles
(/u/<username>/): anyone signed in, by the session or a bearer token, and anonymous visitors
when guests are on. Anything else, a picture since replaced included, is the 404 of a missing
one.

The address changes with the picture (accounts/avatars.py), so the browser may keep it for a
year without asking again; no shared cache may (with guests off it is for the signed-in). It is
served as the files are (web/views/files.py): the type Parley wrote it in, `nosniff`, and a
sandbox that runs nothing even when it is opened by itself."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from accounts.avatars import avatar_find
from parley.errors import NotFound

from ..callers import request_caller
from .files import file_stream


@require_safe
def avatar(request: HttpRequest, user_id: int, file: str) -> FileResponse:
    if not settings.PARLEY_GUESTS and request_caller(request) is None:
        raise Http404("No such picture.")
    try:
        picture = avatar_find(user_id=user_id, file=file)
    except NotFound as missing:
        raise Http404("No such picture.") from missing
    return file_stream(
        picture.open(), picture.content_type, cache="private, max-age=31536000, immutable"
    )
