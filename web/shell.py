"""The app shell's server side (docs/web.md, "The app shell"): the sidebar's conversations as
JSON in the page, and one page template rendered whole or as a fragment.

A page that lives in the shell (`{% extends parley_frame %}`) is rendered whole on a normal
visit and as its content alone when the shell's router asks for it with the
`X-Parley-Fragment` header, so that switching rooms swaps the middle of the page and keeps
its socket. The views stay as they were; `shell_page` only marks their answers as varying
with that header, so that no cache hands a fragment to a visit or the other way round."""

from functools import wraps
from typing import Any

from django.utils.cache import patch_vary_headers

from chat.selectors import conversation_list

FRAGMENT_HEADER = "X-Parley-Fragment"
SHELL_TEMPLATE = "web/shell.html"
FRAGMENT_TEMPLATE = "web/_fragment.html"


def is_fragment(request) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


def shell_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, [FRAGMENT_HEADER])
        return response

    return wrapped


def workspace_conversations(request) -> list[dict[str, Any]]:
    """The sidebar's conversations: the rooms and DMs the visitor is in, archived ones too,
    each the object the socket's `ready` frame brings (chat.selectors.conversation_list), with
    the server's unread and mention counts, so that conversations.js keeps one shape from the
    page's first paint on. Guests are in none: theirs lists the room open, which the page
    adds."""
    user = request.user
    if not user.is_authenticated:
        return []
    return conversation_list(user=user)
