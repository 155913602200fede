"""/emoji.json: the emoji the reaction picker offers and searches, with their names.

Built from the `emoji` package, the list the server itself accepts a reaction from
(chat.services.reactions.emoji_clean), so the picker offers only what a reaction may be, and a
new Unicode version arrives with a new release of the package rather than by editing a file
here. Each emoji once, fully qualified, without skin-tone variants, and none newer than
Emoji MAX_VERSION, which the systems people use draw (a newer one shows as an empty box on
many): those can still be typed or pasted as reactions, they are only not offered.
`[emoji, name, aliases]`, by name. The list is made once per process and cached by browsers
for a day.
"""

import hashlib
from functools import cache

import emoji
import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

FULLY_QUALIFIED = emoji.STATUS["fully_qualified"]
SKIN_TONES = frozenset(chr(code) for code in range(0x1F3FB, 0x1F400))
MAX_AGE = 24 * 3600
# Emoji 15.0 (2022): drawn by the emoji fonts of phones and desktops from 2023 on.
MAX_VERSION = 15.0


def _words(name: str) -> str:
    """ ":thumbs_up:" -> "thumbs up"."""
    return name.strip(":").replace("_", " ")


@cache
def catalogue() -> tuple[bytes, str]:
    """The JSON list and its ETag."""
    rows = [
        [char, _words(data["en"]), " ".join(_words(alias) for alias in data.get("alias", []))]
        for char, data in emoji.EMOJI_DATA.items()
        if data["status"] == FULLY_QUALIFIED
        and data["E"] <= MAX_VERSION
        and not SKIN_TONES.intersection(char)
    ]
    rows.sort(key=lambda row: row[1].lower())
    body = orjson.dumps(rows)
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@require_safe
def emoji_list(request: HttpRequest) -> HttpResponse:
    body, etag = catalogue()
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
