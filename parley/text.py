"""Text Parley refuses to store, wherever it comes from.

U+0000 cannot be stored in a PostgreSQL text column, and a lone surrogate (U+D800-U+DFFF, which
JSON's "\\ud800" escape can make) cannot be encoded as UTF-8 by either engine. Both are refused
as `bad_request` at each transport's door (the frame decoders, the REST body and query parser)
and again by the domain's own checks, so that neither engine ever sees them and both answer alike.

Bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) can make
a name read as something else ("Bob" followed by an override that reverses the messages shown
after it); names refuse them (message bodies, which are shown one per line, may hold them).
"""

import re
from typing import Any

from emoji import demojize, emojize, is_emoji

from .errors import BadRequest

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def text_is_storable(value: str) -> bool:
    return _UNSTORABLE.search(value) is None


def text_check_storable(value: str, *, field: str) -> str:
    """`value` unchanged; BadRequest when it holds U+0000 or a lone surrogate."""
    if not text_is_storable(value):
        raise BadRequest(f"{field} must not contain U+0000 or unpaired surrogates.")
    return value


def text_check_name(value: str, *, field: str) -> str:
    """A storable name with no bidirectional controls; BadRequest otherwise."""
    text_check_storable(value, field=field)
    if _BIDI_CONTROLS.search(value):
        raise BadRequest(f"{field} must not contain bidirectional override or isolate characters.")
    return value


# Longer than any emoji sequence Unicode defines.
MAX_EMOJI = 32


def emoji_one(value: str) -> str | None:
    """`value` in its fully qualified form when it is exactly one emoji (Unicode's list, from
    the `emoji` package), so that "❤" and "❤️" are the same; None otherwise."""
    if not value or len(value) > MAX_EMOJI or not text_is_storable(value) or not is_emoji(value):
        return None
    return emojize(demojize(value))


def json_unstorable_field(data: Any, where: str = "") -> str | None:
    """The dotted path of the first key or string in parsed JSON that is not storable (the
    empty string for the top level), or None when every string is storable."""
    if isinstance(data, str):
        return None if text_is_storable(data) else where
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{where}.{key}" if where else str(key)
            if not text_is_storable(str(key)):
                return where or "a key"
            if (found := json_unstorable_field(value, path)) is not None:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if (
                found := json_unstorable_field(value, f"{where}.{index}" if where else str(index))
            ) is not None:
                return found
    return None


def json_check_storable(data: Any) -> Any:
    """`data` unchanged; BadRequest naming the field when any string in it is not storable."""
    if (field := json_unstorable_field(data)) is not None:
        raise BadRequest(f"{field or 'The JSON'} must not contain U+0000 or unpaired surrogates.")
    return data
