"""Link previews' outside world: fetching a page or an image from an address a message names,
safely (`fetch`: no private, loopback, link-local or metadata address, capped redirects, size
and time, no cookies), and reading a page's OpenGraph card (`opengraph`) and image (`images`).

It knows nothing of messages or rooms: chat's link-preview job (chat/tasks.py) asks it to
`unfurl` a URL and stores what comes back."""

from .fetch import FetchRefused
from .unfurl import Card, unfurl

__all__ = ["Card", "FetchRefused", "unfurl"]
