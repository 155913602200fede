"""The one shape of a user that REST, WebSocket frames and events share, and its avatar.

`user_payload` travels with every message (its author), so it holds only what is read from the
user row already loaded and costs a few string operations: no query, no file. A picture's URL
is its stored name's (accounts/avatars.py), served by web/views/avatars.py.
"""

from datetime import datetime
from functools import lru_cache

from .models import Token, User, UserSession

# Avatar backgrounds: each carries white initials at a contrast of at least 4.5:1 (WCAG AA).
AVATAR_COLORS = (
    "#b91c1c",
    "#c2410c",
    "#a16207",
    "#4d7c0f",
    "#15803d",
    "#0f766e",
    "#0369a1",
    "#1d4ed8",
    "#4338ca",
    "#6d28d9",
    "#a21caf",
    "#be185d",
)
# For a visitor with no identity yet (no id to derive a colour from).
AVATAR_NOBODY = "#57534e"


def _initial(word: str) -> str:
    letter = word[0]
    if not letter.isalnum():
        letter = next((char for char in word if char.isalnum()), letter)
    upper = letter.upper()
    return upper if len(upper) == 1 else letter  # "ß".upper() is "SS"


# The same few names are drawn again and again (every message carries its author's): computed
# once each, so a payload costs a dictionary look-up more than before avatars.
@lru_cache(maxsize=4096)
def avatar_initials(name: str) -> str:
    """One letter per word of the name's first and last words: "Ada Lovelace" -> "AL",
    "grace" -> "G"."""
    words = name.split()
    if not words:
        return "?"
    if len(words) == 1:
        return _initial(words[0])
    return _initial(words[0]) + _initial(words[-1])


def avatar_color(user_id: int | None) -> str:
    """A colour that stays the user's whatever their name becomes: derived from the id alone
    (Knuth's multiplicative hash, so that neighbouring ids differ)."""
    if user_id is None:
        return AVATAR_NOBODY
    return AVATAR_COLORS[(user_id * 2654435761) % 2**32 % len(AVATAR_COLORS)]


def avatar_url(stored: str) -> str | None:
    """Where the picture stored as `stored` ("avatars/<id>/<digest>.<ext>") is served:
    "/avatars/<id>/<digest>.<ext>" (web/urls.py). None for "": no picture."""
    return f"/{stored}" if stored else None


def avatar_stored(url: str | None) -> str:
    """The stored name `avatar_url` made `url` from ("" for None)."""
    return url.removeprefix("/") if url else ""


def avatar_payload(user_id: int | None, name: str, stored: str = "") -> dict:
    """Initials on a colour, always; `url`: the person's picture, to show instead, or None."""
    return {
        "initials": avatar_initials(name),
        "color": avatar_color(user_id),
        "url": avatar_url(stored),
    }


def user_payload(user: User) -> dict:
    name = user.shown_name
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": name,
        "avatar": avatar_payload(user.pk, name, user.avatar.name or ""),
    }


def profile_payload(user: User) -> dict:
    """The user with what their profile adds (GET /api/v1/me, the `user_updated` frame):
    their status (`null` when they set none) and time zone ("" when they did not say)."""
    status = None
    if user.status_emoji or user.status_text:
        status = {"emoji": user.status_emoji, "text": user.status_text}
    return {**user_payload(user), "status": status, "time_zone": user.time_zone}


def moment_payload(moment: datetime | None) -> str | None:
    """A time as every payload writes it: ISO 8601 in UTC, "Z" for "+00:00"."""
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def session_payload(record: UserSession, *, current: bool) -> dict:
    return {
        "id": record.pk,
        "created_at": moment_payload(record.created_at),
        "last_seen_at": moment_payload(record.last_seen_at),
        "user_agent": record.user_agent,
        "address": record.address,
        "current": current,
    }


def token_payload(token: Token, *, current: bool) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": moment_payload(token.created_at),
        "last_used_at": moment_payload(token.last_used_at),
        "current": current,
    }
